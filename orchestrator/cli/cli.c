/*
 * cli.c -- the subcommand table, the one option parser and the one usage
 * writer that every subcommand's table goes through, the options `run` and
 * `resume` share and those `report` and `import` share, and the helpers
 * every subcommand uses: the database path, usage errors, --help, JSON
 * output, and finding the worker and a spec's program (what `run` and
 * `estimate`'s pilot both need).
 */
#include "cli.h"
#include "lock.h"
#include "numbers.h"
#include "store.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "loop.h"
#include "spec.h"

static const es_cli_cmd *const commands[] = {&es_cli_run,      &es_cli_validate, &es_cli_report,
                                             &es_cli_import,   &es_cli_ls,       &es_cli_project,
                                             &es_cli_estimate, &es_cli_resume};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* The version is written once, in project() of the top CMakeLists.txt. */
#ifndef ES_VERSION
#error "ES_VERSION is defined by orchestrator/cli/CMakeLists.txt from PROJECT_VERSION"
#endif

/* The most options one command may have (the parser's bookkeeping). */
#define MAX_OPTS 64

#define USAGE_WIDTH 79

const es_cli_cmd *const *es_cli_commands(size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

/* ---- Shared option tables ------------------------------------------------------ */

static const char *const launcher_words[] = {"local", "slurm", NULL};

const es_cli_opt es_cli_sweep_opts[] = {
    ES_CLI_STRING_OPT(es_cli_sweep_args, db, .name = "db", .arg = "FILE",
                      .help = "database (default $ECOSWEEP_DB, else ./ecosweep.db); trial logs go "
                              "to FILE.d/"),
    ES_CLI_LONG_OPT(es_cli_sweep_args, parallel, .name = "parallel", .arg = "N",
                    .help = "trials at once, 1 to 4096 (run: default the spec's `parallel`; "
                            "resume: default as the sweep ran)",
                    .lo = 1, .hi = 4096),
    ES_CLI_REAL_OPT(es_cli_sweep_args, grace_s, ES_CLI_DURATION, .name = "grace", .arg = "SECONDS",
                    .help = "time a stopped trial gets between SIGTERM and SIGKILL (default 5)"),
    ES_CLI_STRING_OPT(es_cli_sweep_args, worker, .name = "worker", .arg = "PATH",
                      .help = "ecosweep-worker to use (default $ECOSWEEP_WORKER, else the one "
                              "installed beside ecosweep, else PATH)"),
    ES_CLI_CHOICE_OPT(es_cli_sweep_args, launcher, .name = "launcher", .choices = launcher_words,
                      .help = "local (default), or slurm: run each trial as a Slurm job through "
                              "srun (overrides the spec's launcher.type)"),
    ES_CLI_FLAG_OPT(es_cli_sweep_args, no_status, .name = "no-status",
                    .help = "plain progress lines even on a terminal"),
    ES_CLI_FLAG_OPT(es_cli_sweep_args, reuse, .name = "reuse",
                    .help = "reuse the results of configurations the project already completed "
                            "with the same command, program and named files (by content), "
                            "`env` and metric, instead of running them again (also the spec's "
                            "`reuse: true`; off by default)"),
    ES_CLI_FLAG_OPT(es_cli_sweep_args, no_reuse, .name = "no-reuse",
                    .help = "run every configuration, even with the spec's `reuse: true`"),
    ES_CLI_LONG_OPT(es_cli_sweep_args, more, .name = "more", .arg = "N",
                    .help = "run N more trials in the sweep, even a finished one (run: the "
                            "latest sweep of the spec's name)",
                    .lo = 1, .hi = 1000000000),
    {.name = NULL},
};

void es_cli_sweep_apply(const es_cli_sweep_args *a, es_spec *spec, int fallback_parallel,
                        char *worker, size_t cap, es_run_opts *ro)
{
    if (a->launcher >= 0)
        spec->launcher.type =
            a->launcher == ES_CLI_LAUNCHER_SLURM ? ES_LAUNCHER_SLURM : ES_LAUNCHER_LOCAL;
    es_cli_find_worker(a->worker, worker, cap);
    ro->worker_path = worker;
    ro->parallel = a->parallel > 0         ? (int)a->parallel
                   : fallback_parallel > 0 ? fallback_parallel
                                           : 1;
    ro->grace_s = a->grace_s;
    ro->live = !a->no_status && isatty(STDERR_FILENO);
    ro->reuse = !a->no_reuse && (a->reuse || spec->reuse);
    ro->more = a->more;
}

/* es_factor_override_set names the option and the value in its message. */
static int factor_set(const es_cli_opt *opt, const char *value, void *field, es_err *err)
{
    return es_factor_override_set(field, opt->name, value, err);
}

#define FACTOR_OPT(nm, a, h)                                                                       \
    {                                                                                              \
        .name = nm, .kind = ES_CLI_CUSTOM, .offset = 0, .arg = a, .help = h, .parse = factor_set   \
    }

const es_cli_opt es_cli_factor_opts[] = {
    FACTOR_OPT("pue", "X", "power usage effectiveness (>= 1)"),
    FACTOR_OPT("region", "CODE", "country code (FR, FRA, usa...): its grid's carbon intensity"),
    FACTOR_OPT("carbon-intensity", "G", "g CO2e per kWh (wins over --region's value)"),
    FACTOR_OPT("usd-per-kwh", "X", "electricity price per kWh"),
    FACTOR_OPT("cloud-usd-per-hour", "X", "instance price per hour of a trial or job"),
    {.name = NULL},
};

/* ---- Parsing ---------------------------------------------------------------------- */

/* One option of a command, with the offset of its field in the args. */
typedef struct opt_ref {
    const es_cli_opt *opt;
    size_t offset;
} opt_ref;

/* Every option of cmd into refs (at most MAX_OPTS); their count. */
static size_t collect(const es_cli_cmd *cmd, opt_ref *refs)
{
    size_t n = 0;
    for (const es_cli_group *g = cmd->groups; g != NULL && g->opts != NULL; g++)
        for (const es_cli_opt *o = g->opts; o->name != NULL && n < MAX_OPTS; o++)
            refs[n++] = (opt_ref){o, g->offset + o->offset};
    return n;
}

/* The option that --word (name, of len bytes) names: the one spelled so,
 * else the only one it is a prefix of.  Its index, or -1 with err set. */
static int lookup(const opt_ref *refs, size_t n, const char *name, size_t len, const char *word,
                  es_err *err)
{
    int found = -1, matches = 0;
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *o = refs[i].opt->name;
        if (strncmp(o, name, len) != 0)
            continue;
        if (o[len] == '\0')
            return (int)i;
        found = (int)i;
        matches++;
        int w = snprintf(list + used, sizeof list - used, "%s--%s", used ? ", " : "", o);
        if (w > 0 && (size_t)w < sizeof list - used)
            used += (size_t)w;
    }
    if (matches == 1)
        return found;
    if (matches > 1) {
        es_err_set(err, ES_EUSAGE, "option '%s' is ambiguous: it could be %s", word, list);
        return -1;
    }
    const char *known[MAX_OPTS + 1];
    char typed[128];
    for (size_t i = 0; i < n; i++)
        known[i] = refs[i].opt->name;
    known[n] = NULL;
    snprintf(typed, sizeof typed, "%.*s", (int)len, name);
    const char *near = es_spec_suggest(typed, known);
    if (near != NULL)
        es_err_set(err, ES_EUSAGE, "unknown option '%s' (did you mean '--%s'?)", word, near);
    else
        es_err_set(err, ES_EUSAGE, "unknown option '%s'", word);
    return -1;
}

/* "a, b or c" from a NULL-terminated list, into buf. */
static void join_choices(const char *const *choices, const char *sep, const char *last, char *buf,
                         size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; choices[i] != NULL && used < cap; i++) {
        const char *s = i == 0 ? "" : choices[i + 1] == NULL ? last : sep;
        int w = snprintf(buf + used, cap - used, "%s%s", s, choices[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* "--name ARG" (CHOICE without an arg name: "--name a|b"), into buf. */
static void opt_label(const es_cli_opt *o, char *buf, size_t cap)
{
    char choices[160];
    const char *arg = o->arg;
    if (arg == NULL && o->kind == ES_CLI_CHOICE) {
        join_choices(o->choices, "|", "|", choices, sizeof choices);
        arg = choices;
    }
    snprintf(buf, cap, "--%s%s%s", o->name, arg ? " " : "", arg ? arg : "");
}

/* Store value, for option o, in field; 0 or ES_EUSAGE. */
static int set_value(const es_cli_opt *o, const char *value, void *field, es_err *err)
{
    char want[160];
    char *end;
    const char *expect = o->expect;
    errno = 0;
    switch (o->kind) {
    case ES_CLI_FLAG:
        *(int *)field = 1;
        return 0;
    case ES_CLI_STRING:
        *(const char **)field = value;
        return 0;
    case ES_CLI_LONG: {
        long v = strtol(value, &end, 10);
        if (errno == 0 && end != value && *end == '\0' && v >= o->lo && v <= o->hi) {
            *(long *)field = v;
            return 0;
        }
        if (expect == NULL) {
            snprintf(want, sizeof want, "%ld..%ld", o->lo, o->hi);
            expect = want;
        }
        break;
    }
    case ES_CLI_POSITIVE:
    case ES_CLI_NONNEG: {
        double x = strtod(value, &end);
        int ok = (o->kind == ES_CLI_POSITIVE ? x > 0 : x >= 0) && (o->max <= 0 || x <= o->max);
        if (end != value && *end == '\0' && ok && isfinite(x)) {
            *(double *)field = x;
            return 0;
        }
        if (expect == NULL && o->max > 0) {
            snprintf(want, sizeof want, "%s up to %g (a slip of units?)",
                     o->kind == ES_CLI_POSITIVE ? "a positive number" : "a number >= 0", o->max);
            expect = want;
        }
        if (expect == NULL)
            expect = o->kind == ES_CLI_POSITIVE ? "a positive number" : "a number >= 0";
        break;
    }
    case ES_CLI_DURATION:
        if (es_parse_duration(value, (double *)field) == 0)
            return 0;
        if (expect == NULL)
            expect = "a duration such as 90s, 10m or 2h, up to 365d";
        break;
    case ES_CLI_CHOICE:
        for (int i = 0; o->choices[i] != NULL; i++) {
            if (strcmp(value, o->choices[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        }
        if (expect == NULL) {
            join_choices(o->choices, ", ", " or ", want, sizeof want);
            expect = want;
        }
        break;
    case ES_CLI_CUSTOM:
        return o->parse(o, value, field, err) == 0 ? 0 : ES_EUSAGE;
    }
    return es_err_set(err, ES_EUSAGE, "--%s: expected %s, got '%s'", o->name, expect, value);
}

int es_cli_parse(const es_cli_cmd *cmd, int argc, char **argv, void *args, char **operands, int *n,
                 es_err *err)
{
    opt_ref refs[MAX_OPTS];
    unsigned char seen[MAX_OPTS] = {0};
    size_t n_refs = collect(cmd, refs);
    int only_operands = 0;

    *n = 0;
    if (cmd->defaults != NULL)
        memcpy(args, cmd->defaults, cmd->args_size);
    else
        memset(args, 0, cmd->args_size);
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (only_operands || w[0] != '-' || w[1] == '\0') {
            operands[(*n)++] = argv[i];
            continue;
        }
        if (strcmp(w, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (w[1] != '-') {
            /* There are no short options; "-parallel" meant "--parallel". */
            for (size_t k = 0; k < n_refs; k++)
                if (strcmp(refs[k].opt->name, w + 1) == 0)
                    return es_err_set(err, ES_EUSAGE, "unknown option '%s' (did you mean '-%s'?)",
                                      w, w);
            return es_err_set(err, ES_EUSAGE, "unknown option '%s'", w);
        }
        const char *name = w + 2, *eq = strchr(name, '='), *value = NULL;
        size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
        char word[128];
        snprintf(word, sizeof word, "--%.*s", (int)len, name);
        int k = len > 0 ? lookup(refs, n_refs, name, len, word, err)
                        : es_err_set(err, ES_EUSAGE, "unknown option '%s'", w);
        if (k < 0)
            return ES_EUSAGE;
        const es_cli_opt *o = refs[k].opt;
        if (o->kind == ES_CLI_FLAG) {
            if (eq != NULL)
                return es_err_set(err, ES_EUSAGE, "--%s takes no value, got '%s'", o->name, w);
        } else if (eq != NULL) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            char label[200];
            opt_label(o, label, sizeof label);
            return es_err_set(err, ES_EUSAGE, "--%s needs a value (%s)", o->name,
                              label + strlen(o->name) + 3);
        }
        if (set_value(o, value, (char *)args + refs[k].offset, err) != 0)
            return ES_EUSAGE;
        seen[k] = 1;
    }
    for (size_t k = 0; k < n_refs; k++)
        if (refs[k].opt->required && !seen[k])
            return es_err_set(err, ES_EUSAGE, "--%s is required", refs[k].opt->name);
    if (*n < cmd->min_operands)
        return es_err_set(err, ES_EUSAGE, "missing %s", cmd->missing ? cmd->missing : "operands");
    if (*n > cmd->max_operands)
        return es_err_set(err, ES_EUSAGE, "unexpected argument '%s'", operands[cmd->max_operands]);
    return 0;
}

/* ---- Usage ------------------------------------------------------------------------ */

/* Write text's words from column *col on, wrapping at USAGE_WIDTH to
 * column indent; *col is where the line ends. */
static void wrap(FILE *out, const char *text, size_t indent, size_t *col)
{
    const char *p = text;
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        if (*col > indent && *col + 1 + len > USAGE_WIDTH) {
            fprintf(out, "\n%*s", (int)indent, "");
            *col = indent;
        } else if (*col > indent) {
            fputc(' ', out);
            (*col)++;
        }
        fwrite(p, 1, len, out);
        *col += len;
        p += len;
    }
}

void es_cli_usage_write(const es_cli_cmd *cmd, FILE *out)
{
    opt_ref refs[MAX_OPTS];
    size_t n = collect(cmd, refs), width = strlen("-h, --help");
    char label[200], head[64];

    /* The usage line: the operands, then every option, required ones bare. */
    int w = snprintf(head, sizeof head, "usage: ecosweep %s", cmd->name);
    size_t col = (size_t)w, indent = (size_t)w + 1;
    fputs(head, out);
    if (cmd->operands != NULL) {
        fputc(' ', out);
        col = indent;
        wrap(out, cmd->operands, indent, &col);
    }
    for (size_t i = 0; i < n; i++) {
        char item[210];
        opt_label(refs[i].opt, label, sizeof label);
        snprintf(item, sizeof item, refs[i].opt->required ? "%s" : "[%s]", label);
        /* An option's brackets stay on one line. */
        if (col > indent && col + 1 + strlen(item) > USAGE_WIDTH) {
            fprintf(out, "\n%*s%s", (int)indent, "", item);
            col = indent + strlen(item);
        } else {
            fprintf(out, " %s", item);
            col += 1 + strlen(item);
        }
    }
    fputs("\n\n", out);
    if (cmd->about != NULL)
        fprintf(out, "%s\n", cmd->about);

    for (size_t i = 0; i < n; i++) {
        opt_label(refs[i].opt, label, sizeof label);
        if (strlen(label) > width)
            width = strlen(label);
    }
    size_t help_col = 2 + (width < 24 ? width : 24) + 2;
    int first = 1;
    for (const es_cli_group *g = cmd->groups; g != NULL && g->opts != NULL; g++) {
        fprintf(out, "%s\n", g->heading ? g->heading : "Options:");
        for (const es_cli_opt *o = g->opts; o->name != NULL; o++) {
            opt_label(o, label, sizeof label);
            fprintf(out, "  %s", label);
            col = 2 + strlen(label);
            if (col + 2 > help_col) {
                fprintf(out, "\n%*s", (int)help_col, "");
            } else {
                fprintf(out, "%*s", (int)(help_col - col), "");
            }
            col = help_col;
            wrap(out, o->help ? o->help : "", help_col, &col);
            fputc('\n', out);
        }
        if (first)
            fprintf(out, "  %-*s%s\n", (int)(help_col - 2), "-h, --help", "print this help");
        first = 0;
        fputc('\n', out);
    }
    if (first)
        fprintf(out, "Options:\n  %-*s%s\n\n", (int)(help_col - 2), "-h, --help",
                "print this help");
    if (cmd->epilogue != NULL)
        fputs(cmd->epilogue, out);
}

static void usage(FILE *f)
{
    fputs("usage: ecosweep COMMAND [OPTIONS]\n\n"
          "Hyperparameter sweeps that meter, budget and report the energy of every trial.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\nRun 'ecosweep COMMAND --help' for a command's options.\n"
          "Exit codes: 0 ok, 1 runtime error, 2 usage or spec error, 3 max_failed reached,\n"
          "130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.\n",
          f);
}

/* ---- Helpers ------------------------------------------------------------------------ */

const char *es_cli_db_path(const char *option)
{
    const char *env = getenv("ECOSWEEP_DB");
    if (option != NULL)
        return option;
    if (env != NULL && env[0] != '\0')
        return env;
    return "ecosweep.db";
}

void es_cli_json_str(const char *s)
{
    es_json_write_str(stdout, s);
}

void es_cli_json_num(double x)
{
    es_json_write_num(stdout, x);
}

void es_cli_find_worker(const char *option, char *buf, size_t cap)
{
    const char *env = getenv("ECOSWEEP_WORKER");
    char self[PATH_MAX];
    ssize_t n;

    if (option != NULL) {
        snprintf(buf, cap, "%s", option);
        return;
    }
    if (env != NULL && env[0] != '\0') {
        snprintf(buf, cap, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        snprintf(buf, cap, "%s/ecosweep-worker", dirname(self));
        if (access(buf, X_OK) == 0)
            return;
    }
    snprintf(buf, cap, "ecosweep-worker");
}

int es_cli_resolve_program(es_spec *spec)
{
    char dirbuf[PATH_MAX], path[PATH_MAX * 2];
    if (spec->program == NULL || spec->program[0] == '/' || access(spec->program, F_OK) == 0)
        return 0;
    snprintf(dirbuf, sizeof dirbuf, "%s", spec->path);
    snprintf(path, sizeof path, "%s/%s", dirname(dirbuf), spec->program);
    if (access(path, F_OK) != 0)
        return 0;
    char *p = strdup(path);
    if (p == NULL)
        return -ENOMEM;
    free(spec->program);
    spec->program = p;
    return 0;
}

int es_cli_check_program(const es_spec *spec, char *msg, size_t cap)
{
    char dirbuf[PATH_MAX];
    struct stat sb;
    if (spec->program == NULL)
        return 0;
    if (spec->program[0] == '\0' || (stat(spec->program, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        snprintf(msg, cap, "%s:%d:%d: program '%s' is %s, not a program", spec->path,
                 spec->program_line, spec->program_column, spec->program,
                 spec->program[0] == '\0' ? "empty" : "a directory");
        return 1;
    }
    if (access(spec->program, F_OK) == 0)
        return 0;
    snprintf(dirbuf, sizeof dirbuf, "%s", spec->path);
    snprintf(msg, cap,
             "%s:%d:%d: program '%s' not found (looked from the current directory and in %s, "
             "beside the spec)",
             spec->path, spec->program_line, spec->program_column, spec->program,
             spec->program[0] == '/' ? "no other place: the path is absolute" : dirname(dirbuf));
    return 1;
}

int es_cli_mark_abandoned(const char *db, es_store_data *d)
{
    es_lock *lock = NULL;
    es_err err;
    int n = 0;
    if (es_lock_open(db, &lock, &err) != 0)
        return 0; /* status as recorded */
    for (size_t i = 0; i < d->n_projects; i++)
        for (size_t j = 0; j < d->projects[i].n_sweeps; j++) {
            es_store_sweep *sw = &d->projects[i].sweeps[j];
            pid_t holder;
            if (strcmp(sw->status, "running") != 0 ||
                es_lock_sweep_held(lock, sw->id, &holder) != 0)
                continue;
            char *status = strdup("abandoned");
            char *reason = sw->reason != NULL
                               ? NULL
                               : strdup("recorded as running, but its coordinator is gone; "
                                        "`ecosweep resume SWEEP` takes it up");
            if (status == NULL || (sw->reason == NULL && reason == NULL)) {
                free(status);
                es_lock_close(lock);
                return -ENOMEM;
            }
            free(sw->status);
            sw->status = status;
            if (reason != NULL)
                sw->reason = reason;
            n++;
        }
    es_lock_close(lock);
    return n;
}

void es_cli_print_warnings(const char *cmd, const es_spec *spec)
{
    for (char **w = spec->warnings; w != NULL && *w != NULL; w++)
        fprintf(stderr, "ecosweep %s: warning: %s\n", cmd, *w);
}

int es_cli_usage_error(const es_cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ecosweep %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'ecosweep %s --help')\n", cmd->name);
    return ES_EXIT_USAGE;
}

int es_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

/* ---- Dispatch ----------------------------------------------------------------------- */

/* Parse argv by cmd's table and run it. */
static int dispatch(const es_cli_cmd *cmd, int argc, char **argv)
{
    void *args = calloc(1, cmd->args_size ? cmd->args_size : 1);
    char **operands = calloc((size_t)argc, sizeof *operands);
    es_err err;
    int n = 0, rc;

    es_err_clear(&err);
    if (args == NULL || operands == NULL) {
        fprintf(stderr, "ecosweep %s: out of memory\n", cmd->name);
        rc = ES_EXIT_ERROR;
    } else if (es_cli_parse(cmd, argc, argv, args, operands, &n, &err) != 0) {
        rc = es_cli_usage_error(cmd, "%s", err.msg);
    } else {
        rc = cmd->exec(args, n, operands);
    }
    free(args);
    free(operands);
    return rc;
}

int es_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ES_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return ES_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("ecosweep " ES_VERSION);
        return ES_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            if (es_cli_wants_help(argc - 1, argv + 1)) {
                es_cli_usage_write(commands[i], stdout);
                return ES_EXIT_OK;
            }
            return dispatch(commands[i], argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "ecosweep: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return ES_EXIT_USAGE;
}
