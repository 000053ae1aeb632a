/*
 * cli.h -- the `ecosweep` command line: one file per subcommand, each
 * exporting one es_cli_cmd (name, summary, option table, usage text, exec),
 * as tmux does.  Options are declared in tables, parsed in one place
 * (es_cli_parse) and shown in one place (es_cli_usage_write), so a
 * command's --help lists exactly what it accepts, and the options `run` and
 * `resume` share are declared once (es_cli_sweep_opts).
 *
 * Exit codes, for every subcommand:
 *   0    success (a sweep that ran to its end, whatever its trials did)
 *   1    runtime error: database, file system, the worker could not start
 *   2    usage error or invalid spec
 *   3    the sweep stopped because max_failed trials failed
 *   130  interrupted by SIGINT (143: SIGTERM); running trials were stopped
 *
 * Ownership: parsed option values that are strings point into argv; the
 * tables are static and never freed.
 */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum { ES_EXIT_OK = 0, ES_EXIT_ERROR = 1, ES_EXIT_USAGE = 2, ES_EXIT_FAILED_TRIALS = 3 };

/* ---- Option tables ---------------------------------------------------------- */

/* What an option's value is, and so the type of the field it is stored in. */
typedef enum es_cli_kind {
    ES_CLI_FLAG,     /* no value; int, set to 1 */
    ES_CLI_STRING,   /* const char *, pointing into argv */
    ES_CLI_LONG,     /* long within [lo, hi] */
    ES_CLI_POSITIVE, /* double, finite and > 0 */
    ES_CLI_NONNEG,   /* double, finite and >= 0 */
    ES_CLI_DURATION, /* double, seconds (es_parse_duration: 5, 90s, 1m30s) */
    ES_CLI_CHOICE,   /* int, the index in choices of the word given */
    ES_CLI_CUSTOM    /* whatever parse() writes */
} es_cli_kind;

typedef struct es_cli_opt es_cli_opt;

/* An ES_CLI_CUSTOM option's parser: store value in field, or return
 * ES_EUSAGE with err naming the option and the value. */
typedef int (*es_cli_parse_fn)(const es_cli_opt *opt, const char *value, void *field, es_err *err);

/* One long option.  Tables of them end with an entry whose name is NULL;
 * write entries with the ES_CLI_*_OPT macros below, which tie the kind to
 * the field's type (a mismatch does not compile). */
struct es_cli_opt {
    const char *name; /* without the dashes: "parallel" */
    es_cli_kind kind;
    size_t offset;      /* of its field in the group's struct */
    const char *arg;    /* the value's name in usage ("N"); CHOICE: NULL shows the choices */
    const char *help;   /* usage text, one sentence or more (wrapped when printed) */
    const char *expect; /* what a bad value is told it should be; NULL: the kind's */
    long lo, hi;        /* ES_CLI_LONG */
    double max;         /* ES_CLI_POSITIVE, ES_CLI_NONNEG: > 0 bounds the value */
    const char *const *choices; /* ES_CLI_CHOICE: NULL-terminated */
    es_cli_parse_fn parse;      /* ES_CLI_CUSTOM */
    int required;               /* the command refuses to run without it */
};

/* The offset of member m of struct T, provided it has type C. */
#define ES_CLI_AT(T, m, C) _Generic(((T *)0)->m, C : offsetof(T, m))

#define ES_CLI_FLAG_OPT(T, m, ...)                                                                 \
    {                                                                                              \
        .kind = ES_CLI_FLAG, .offset = ES_CLI_AT(T, m, int), __VA_ARGS__                           \
    }
#define ES_CLI_STRING_OPT(T, m, ...)                                                               \
    {                                                                                              \
        .kind = ES_CLI_STRING, .offset = ES_CLI_AT(T, m, const char *), __VA_ARGS__                \
    }
#define ES_CLI_LONG_OPT(T, m, ...)                                                                 \
    {                                                                                              \
        .kind = ES_CLI_LONG, .offset = ES_CLI_AT(T, m, long), __VA_ARGS__                          \
    }
#define ES_CLI_REAL_OPT(T, m, k, ...)                                                              \
    {                                                                                              \
        .kind = (k), .offset = ES_CLI_AT(T, m, double), __VA_ARGS__                                \
    }
#define ES_CLI_CHOICE_OPT(T, m, ...)                                                               \
    {                                                                                              \
        .kind = ES_CLI_CHOICE, .offset = ES_CLI_AT(T, m, int), __VA_ARGS__                         \
    }
#define ES_CLI_CUSTOM_OPT(T, m, C, ...)                                                            \
    {                                                                                              \
        .kind = ES_CLI_CUSTOM, .offset = ES_CLI_AT(T, m, C), __VA_ARGS__                           \
    }

/* Options shown and parsed together: opts (ending with a NULL name) store
 * into a struct at offset in the command's, under heading in --help (NULL:
 * "Options:").  The same opts may serve several commands (es_cli_sweep_opts,
 * es_cli_factor_opts), each with its own heading. */
typedef struct es_cli_group {
    const char *heading;
    const es_cli_opt *opts;
    size_t offset;
} es_cli_group;

typedef struct es_cli_cmd {
    const char *name;
    const char *summary;        /* one line for `ecosweep --help` */
    const char *operands;       /* usage's words for the operands: "SPEC"; NULL: none */
    const char *missing;        /* what too few operands lack: "SPEC" -> "missing SPEC" */
    int min_operands;           /* operands it needs... */
    int max_operands;           /* ...and takes at most */
    const char *about;          /* --help's paragraphs between the usage line and the options */
    const es_cli_group *groups; /* ending with a NULL opts; NULL: no options */
    const char *epilogue;       /* --help's text after the options; may be NULL */
    size_t args_size;           /* of the struct the options are parsed into */
    const void *defaults;       /* its values before parsing (args_size bytes); NULL: zero */
    /* Run the command with args (its parsed struct) and its n operands;
     * returns the exit code. */
    int (*exec)(const void *args, int n, char **operands);
} es_cli_cmd;

extern const es_cli_cmd es_cli_run;
extern const es_cli_cmd es_cli_validate;
extern const es_cli_cmd es_cli_report;
extern const es_cli_cmd es_cli_import;
extern const es_cli_cmd es_cli_ls;
extern const es_cli_cmd es_cli_project;
extern const es_cli_cmd es_cli_estimate;

/* What `ecosweep estimate` would forecast for spec from the project's
 * history in db (no pilot; program as the spec writes it): per trial, at
 * the devices, its 10th percentile, mean and 90th percentile (early
 * termination's design applied, as estimate does), and the trials the
 * sweep would run (0: unbounded); own_sweep (> 0: the sweep a run takes up
 * again) is left out of that history.  out->have is 0 when there is no history
 * (or no database).  0 always: a forecast is never worth an error. */
struct es_spec;
typedef struct es_cli_forecast {
    int have;
    size_t samples; /* history trials behind it */
    long trials;
    double trial_low_j, trial_mean_j, trial_high_j;
} es_cli_forecast;
int es_cli_history_forecast(const char *db, const struct es_spec *spec, const char *program,
                            const char *project, int64_t own_sweep, es_cli_forecast *out);
extern const es_cli_cmd es_cli_resume;

/* Every subcommand, in the order `ecosweep --help` lists them; *n of them. */
const es_cli_cmd *const *es_cli_commands(size_t *n /* OUT */);

/* Parse the words after a subcommand's name, argv[1 .. argc-1] (argv[0] is
 * the name), by cmd's option table, as getopt_long would: --name VALUE or
 * --name=VALUE, a unique prefix of a name, options and operands in any
 * order, "--" ending the options and "-" an operand.  args (cmd->args_size
 * bytes) is first set to cmd->defaults, then receives the options; the
 * operands, in order, go to operands (room for argc pointers into argv),
 * and their count to *n.  0, or ES_EUSAGE with err saying what was wrong
 * and naming the offending option or value: an unknown option (with the
 * closest name), an ambiguous prefix, a missing or unwanted value, a bad
 * value, a required option missing, too few or too many operands. */
int es_cli_parse(const es_cli_cmd *cmd, int argc, char **argv, void *args /* OUT */,
                 char **operands /* OUT */, int *n /* OUT */, es_err *err);

/* Write cmd's --help to out: the usage line with every option, the about
 * text, each group's heading and options with their help, the epilogue. */
void es_cli_usage_write(const es_cli_cmd *cmd, FILE *out);

/* Dispatch `ecosweep SUBCOMMAND ...`; returns the exit code. */
int es_cli_main(int argc, char **argv);

/* ---- What `run` and `resume` share ------------------------------------------ */

/* How a sweep's trials run, for a new sweep and a resumed one alike.
 * Parsed by es_cli_sweep_opts, declared once so the two commands cannot
 * drift apart; start from ES_CLI_SWEEP_ARGS_DEFAULT. */
typedef struct es_cli_sweep_args {
    const char *db;     /* --db FILE; NULL: es_cli_db_path's default */
    const char *worker; /* --worker PATH; NULL: es_cli_find_worker's default */
    long parallel;      /* --parallel N; 0: not given */
    double grace_s;     /* --grace SECONDS */
    int launcher;       /* --launcher: ES_CLI_LAUNCHER_LOCAL / _SLURM, -1 when not given */
    int no_status;      /* --no-status */
    int reuse;          /* --reuse */
    int no_reuse;       /* --no-reuse (wins over the spec's reuse: true) */
    long more;          /* --more N: N trials more in the sweep, finished or not; 0: not given */
} es_cli_sweep_args;

enum { ES_CLI_LAUNCHER_LOCAL = 0, ES_CLI_LAUNCHER_SLURM = 1 };

#define ES_CLI_SWEEP_ARGS_DEFAULT                                                                  \
    {                                                                                              \
        .grace_s = 5.0, .launcher = -1                                                             \
    }

extern const es_cli_opt es_cli_sweep_opts[];

/* Apply a to a sweep about to run: --launcher to spec's launcher type, and
 * to ro the worker (found into worker, cap bytes), parallel (else
 * fallback_parallel, else 1), grace, the live status line (unless
 * --no-status, and only on a terminal), reuse (--reuse or the spec's reuse:
 * true, unless --no-reuse) and --more. */
struct es_spec;
struct es_run_opts;
void es_cli_sweep_apply(const es_cli_sweep_args *a, struct es_spec *spec, int fallback_parallel,
                        char *worker, size_t cap, struct es_run_opts *ro);

/* The energy factors a report re-prices with and an import prices its jobs
 * with (--pue, --region, --carbon-intensity, --usd-per-kwh,
 * --cloud-usd-per-hour), validated by es_factor_override_set: the group's
 * struct is an es_factor_override. */
extern const es_cli_opt es_cli_factor_opts[];

/* ---- Helpers ---------------------------------------------------------------- */

/* The database path: the --db option when given, else $ECOSWEEP_DB, else
 * ./ecosweep.db. */
const char *es_cli_db_path(const char *option);

/* Print "ecosweep SUB: message" to stderr, plus a hint to --help; returns
 * ES_EXIT_USAGE. */
int es_cli_usage_error(const es_cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Did argv ask for help (-h / --help anywhere before "--")? */
int es_cli_wants_help(int argc, char **argv);

/* Open the existing database db (its schema brought up to date; read-only
 * when it cannot be written, see es_store_open_read), never creating one:
 * when there is no file, or it cannot be opened, print why and return
 * ES_EXIT_ERROR.  Defined in cli_report.c. */
struct es_store;
struct es_store_data;
int es_cli_open_existing(const char *db, struct es_store **st);

/* The coordinators' lock file of database db (see lock.h), opened, with its
 * decision lock taken (es_run_opts.lock): release with es_lock_close.  When
 * the lock cannot be had, print a note that the sweep runs without
 * protection against a second coordinator and return NULL.  Defined in
 * cli_run.c. */
struct es_lock;
struct es_lock *es_cli_lock_begin(const char *cmd, const char *db);

/* Write s to stdout as a JSON string (NULL: null), and x as a JSON number
 * with 15 significant digits (not finite: null), for the commands' --format
 * json output. */
void es_cli_json_str(const char *s);
void es_cli_json_num(double x);

/* The ecosweep-worker to launch, into buf: option when given, else
 * $ECOSWEEP_WORKER, else the one beside this program, else "ecosweep-worker"
 * (found on PATH). */
void es_cli_find_worker(const char *option, char *buf, size_t cap);

/* A relative spec->program not found from the current directory but found
 * beside the spec file is replaced by that path, so a spec runs from
 * anywhere.  0 or -ENOMEM. */
int es_cli_resolve_program(struct es_spec *spec);

/* After es_cli_resolve_program: 0 when spec->program is absent or exists;
 * else 1 with "SPEC:L:C: program 'x.py' not found (...)" in msg (cap
 * bytes).  A spec whose command runs ${program} cannot run without it
 * (`run` and `validate` refuse it); otherwise it is a warning. */
int es_cli_check_program(const struct es_spec *spec, char *msg /* OUT */, size_t cap);

/* Mark each sweep of d recorded as running whose coordinator is gone (no
 * live process holds its lock) as "abandoned", with a reason saying how to
 * take it up; returns how many.  Sweeps are left as recorded when the lock
 * file cannot be opened (a read-only directory).  -ENOMEM on failure. */
int es_cli_mark_abandoned(const char *db, struct es_store_data *d);

/* Print the spec's warnings on stderr, each prefixed "ecosweep CMD: warning: ". */
void es_cli_print_warnings(const char *cmd, const struct es_spec *spec);

/* Run a sweep (new or resumed, as ro says) and print its summary on
 * stdout, with what fc forecast beside what the sweep cost (fc NULL or
 * without history: nothing), errors prefixed "ecosweep CMD: "; returns the
 * exit code (see above).  Shared by `run` and `resume`; defined in
 * cli_run.c. */
int es_cli_run_sweep(const char *cmd, struct es_store *st, const struct es_spec *spec,
                     const struct es_run_opts *ro, const es_cli_forecast *fc);

#endif
