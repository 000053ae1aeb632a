/*
 * cli.h -- the `ecosweep` command line: one file per subcommand, each
 * exporting one es_cli_cmd (name, summary, usage, exec), as tmux does.
 *
 * Exit codes, for every subcommand:
 *   0    success (a sweep that ran to its end, whatever its trials did)
 *   1    runtime error: database, file system, the worker could not start
 *   2    usage error or invalid spec
 *   3    the sweep stopped because max_failed trials failed
 *   130  interrupted by SIGINT (143: SIGTERM); running trials were stopped
 */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <stddef.h>

enum { ES_EXIT_OK = 0, ES_EXIT_ERROR = 1, ES_EXIT_USAGE = 2, ES_EXIT_FAILED_TRIALS = 3 };

typedef struct es_cli_cmd {
    const char *name;
    const char *summary;
    const char *usage;                  /* full --help text */
    int (*exec)(int argc, char **argv); /* argv[0] is the subcommand */
} es_cli_cmd;

extern const es_cli_cmd es_cli_run;
extern const es_cli_cmd es_cli_validate;
extern const es_cli_cmd es_cli_report;
extern const es_cli_cmd es_cli_import;
extern const es_cli_cmd es_cli_ls;
extern const es_cli_cmd es_cli_project;
extern const es_cli_cmd es_cli_estimate;
extern const es_cli_cmd es_cli_resume;

/* Dispatch `ecosweep SUBCOMMAND ...`; returns the exit code. */
int es_cli_main(int argc, char **argv);

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
struct es_spec;
int es_cli_resolve_program(struct es_spec *spec);

/* Run a sweep (new or resumed, as ro says) and print its summary on
 * stdout, errors prefixed "ecosweep CMD: "; returns the exit code (see
 * above).  Shared by `run` and `resume`; defined in cli_run.c. */
struct es_run_opts;
int es_cli_run_sweep(const char *cmd, struct es_store *st, const struct es_spec *spec,
                     const struct es_run_opts *ro);

#endif
