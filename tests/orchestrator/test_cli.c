/*
 * test_cli.c -- the command line's one option parser, table-driven: every
 * kind of value, prefixes, "--", operands anywhere, and each mistake
 * answered with a message naming the offending option or value; every
 * command's --help lists every option in its table; and `run` and
 * `resume` take the options they share alike, parsed in-process and
 * through the real binary; `ecosweep --version` is CMake's project version.
 */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "cli_exec.h"
#include "es_test.h"

/* ---- A command with one option of every kind ------------------------------------ */

typedef struct t_args {
    const char *name, *model;
    long number;
    double rate, weight, wait;
    int quiet, mode;
    es_factor_override ov;
} t_args;

static const char *const modes[] = {"fast", "slow", NULL};

static const es_cli_opt t_opts[] = {
    ES_CLI_STRING_OPT(t_args, name, .name = "name", .arg = "NAME", .help = "a string"),
    ES_CLI_STRING_OPT(t_args, model, .name = "model", .arg = "M", .help = "a longer string"),
    ES_CLI_LONG_OPT(t_args, number, .name = "number", .arg = "N", .lo = 1, .hi = 10,
                    .help = "an integer"),
    ES_CLI_REAL_OPT(t_args, rate, ES_CLI_POSITIVE, .name = "rate", .arg = "X", .help = "> 0"),
    ES_CLI_REAL_OPT(t_args, weight, ES_CLI_NONNEG, .name = "weight", .arg = "X", .help = ">= 0"),
    ES_CLI_REAL_OPT(t_args, wait, ES_CLI_DURATION, .name = "wait", .arg = "T", .help = "a time"),
    ES_CLI_FLAG_OPT(t_args, quiet, .name = "quiet", .help = "a flag"),
    ES_CLI_CHOICE_OPT(t_args, mode, .name = "mode", .choices = modes, .help = "a choice"),
    {.name = NULL},
};

static const es_cli_group t_groups[] = {
    {NULL, t_opts, 0},
    {"Factors:", es_cli_factor_opts, offsetof(t_args, ov)},
    {NULL, NULL, 0},
};

/* Only --model (which no row sets to a good value) has a default: the
 * others start at zero. */
static const t_args t_defaults = {.model = "default"};

static int t_exec(const void *args, int n, char **operands)
{
    (void)args;
    (void)n;
    (void)operands;
    return 0;
}

static const es_cli_cmd t_cmd = {
    .name = "t",
    .summary = "test",
    .operands = "A [B]",
    .missing = "A",
    .min_operands = 1,
    .max_operands = 2,
    .groups = t_groups,
    .args_size = sizeof(t_args),
    .defaults = &t_defaults,
    .exec = t_exec,
};

/* One row: the words after the command's name, and what parsing them
 * gives: an error containing err, or these values and operands. */
typedef struct parse_case {
    const char *argv[8];
    const char *err; /* NULL: parses */
    t_args want;     /* when it parses */
    const char *operands[3];
} parse_case;

/* Parses into the defaults changed by the fields given, with operands. */
#define GOOD(words, ops, ...)                                                                      \
    {                                                                                              \
        .argv = {ES_ARGS words}, .want = {.model = "default", __VA_ARGS__}, .operands = {          \
            ES_ARGS ops                                                                            \
        }                                                                                          \
    }
/* Is refused with a message containing e. */
#define BAD(e, ...)                                                                                \
    {                                                                                              \
        .argv = {__VA_ARGS__}, .err = e                                                            \
    }
#define ES_ARGS(...) __VA_ARGS__

static const parse_case cases[] = {
    /* Values of every kind, both spellings, and defaults kept. */
    GOOD(("a"), ("a")),
    GOOD(("--name", "v", "a"), ("a"), .name = "v"),
    GOOD(("--name=v", "a"), ("a"), .name = "v"),
    GOOD(("--name=", "a"), ("a"), .name = ""),
    GOOD(("--name", "--quiet", "a"), ("a"), .name = "--quiet"),
    GOOD(("--number", "10", "a"), ("a"), .number = 10),
    GOOD(("--number", "2", "--number", "3", "a"), ("a"), .number = 3),
    GOOD(("--rate", "2.5", "a"), ("a"), .rate = 2.5),
    GOOD(("--weight", "0", "--weight=1e3", "a"), ("a"), .weight = 1000),
    GOOD(("--wait", "1m30s", "a"), ("a"), .wait = 90),
    GOOD(("--quiet", "a"), ("a"), .quiet = 1),
    GOOD(("--mode", "slow", "a"), ("a"), .mode = 1),
    GOOD(("--pue", "1.5", "a"), ("a"), .ov = {.set = ES_OVR_PUE, .pue = 1.5}),
    /* A unique prefix names its option; an exact name wins over a prefix
     * (--mode, though --model starts with it). */
    GOOD(("--nam", "v", "a"), ("a"), .name = "v"),
    GOOD(("--q", "a"), ("a"), .quiet = 1),
    GOOD(("--mode=slow", "a"), ("a"), .mode = 1),
    /* Operands anywhere, "--" ends the options, "-" is an operand. */
    GOOD(("a", "--quiet", "b"), ("a", "b"), .quiet = 1),
    GOOD(("--", "--quiet"), ("--quiet")),
    GOOD(("-"), ("-")),
    /* Mistakes, each naming what was wrong. */
    BAD("--number: expected 1..10, got '0'", "a", "--number", "0"),
    BAD("--number: expected 1..10, got '3x'", "a", "--number", "3x"),
    BAD("--number: expected 1..10, got '99999999999999999999'", "a", "--number",
        "99999999999999999999"),
    BAD("--rate: expected a positive number, got '0'", "a", "--rate", "0"),
    BAD("--rate: expected a positive number, got 'inf'", "a", "--rate", "inf"),
    BAD("--weight: expected a number >= 0, got '-1'", "a", "--weight", "-1"),
    BAD("--weight: expected a number >= 0, got 'nan'", "a", "--weight", "nan"),
    BAD("--wait: expected a duration such as 90s, 10m or 2h, up to 365d, got 'soon'", "a", "--wait",
        "soon"),
    BAD("--mode: expected fast or slow, got 'medium'", "a", "--mode", "medium"),
    BAD("--pue: expected a number from 1 to 10, got '0.5'", "a", "--pue", "0.5"),
    BAD("'zz'", "a", "--region", "zz"),
    BAD("--quiet takes no value, got '--quiet=1'", "a", "--quiet=1"),
    BAD("--name needs a value (NAME)", "a", "--name"),
    BAD("--mode needs a value (fast|slow)", "a", "--mode"),
    BAD("option '--n' is ambiguous: it could be --name, --number", "a", "--n", "1"),
    BAD("option '--mod' is ambiguous: it could be --model, --mode", "a", "--mod", "x"),
    BAD("unknown option '--qiuet' (did you mean '--quiet'?)", "a", "--qiuet"),
    BAD("unknown option '--zzz'", "a", "--zzz"),
    BAD("unknown option '--=3'", "a", "--=3"),
    BAD("unknown option '-q'", "a", "-q"),
    BAD("unknown option '-quiet' (did you mean '--quiet'?)", "a", "-quiet"),
    BAD("missing A", "--quiet"),
    BAD("unexpected argument 'c'", "a", "b", "c"),
};

static int argv_of(const char *const *words, const char *cmd, char **argv)
{
    int argc = 0;
    argv[argc++] = (char *)cmd;
    for (size_t i = 0; i < 8 && words[i] != NULL; i++)
        argv[argc++] = (char *)words[i];
    argv[argc] = NULL;
    return argc;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

ES_TEST(parse_table)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const parse_case *c = &cases[i];
        char *argv[10], *operands[10];
        t_args got;
        es_err err;
        int n = -1, argc = argv_of(c->argv, "t", argv);
        es_err_clear(&err);
        int rc = es_cli_parse(&t_cmd, argc, argv, &got, operands, &n, &err);
        if (c->err != NULL) {
            if (rc != ES_EUSAGE || strstr(err.msg, c->err) == NULL)
                ES_FAIL("case %zu: rc %d, message '%s', want '%s'", i, rc, err.msg, c->err);
            continue;
        }
        if (rc != 0)
            ES_FAIL("case %zu: %s", i, err.msg);
        const t_args *w = &c->want;
        if (!same_str(got.name, w->name) || !same_str(got.model, w->model) ||
            got.number != w->number || got.rate != w->rate || got.weight != w->weight ||
            got.wait != w->wait || got.quiet != w->quiet || got.mode != w->mode ||
            got.ov.set != w->ov.set || got.ov.pue != w->ov.pue)
            ES_FAIL("case %zu (%s ...): parsed values differ", i, c->argv[0]);
        int want_n = 0;
        while (want_n < 3 && c->operands[want_n] != NULL)
            want_n++;
        ES_CHECK_INT(n, want_n);
        for (int k = 0; k < n; k++)
            ES_CHECK_STR(operands[k], c->operands[k]);
    }
}

/* A required option, and a command without operands. */
typedef struct r_args {
    const char *project;
} r_args;

static const es_cli_opt r_opts[] = {
    ES_CLI_STRING_OPT(r_args, project, .name = "project", .arg = "P", .required = 1,
                      .help = "required"),
    {.name = NULL},
};

static const es_cli_group r_groups[] = {{NULL, r_opts, 0}, {NULL, NULL, 0}};

static const es_cli_cmd r_cmd = {
    .name = "r",
    .summary = "test",
    .groups = r_groups,
    .args_size = sizeof(r_args),
    .exec = t_exec,
};

ES_TEST(parse_required_and_no_operands)
{
    static const struct {
        const char *argv[4];
        const char *err;
    } rows[] = {
        {{NULL}, "--project is required"},
        {{"--project", "p"}, NULL},
        {{"--project", "p", "extra"}, "unexpected argument 'extra'"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *argv[6], *operands[6];
        r_args got;
        es_err err;
        int n, argc = argv_of(rows[i].argv, "r", argv);
        es_err_clear(&err);
        int rc = es_cli_parse(&r_cmd, argc, argv, &got, operands, &n, &err);
        if (rows[i].err == NULL) {
            ES_CHECK_INT(rc, 0);
            ES_CHECK_STR(got.project, "p");
        } else {
            ES_CHECK_INT(rc, ES_EUSAGE);
            ES_CHECK_STR(err.msg, rows[i].err);
        }
    }
}

/* ---- Usage ---------------------------------------------------------------------- */

/* cmd's --help, in a fresh string (through a temporary file: GCC's
 * dangling-pointer analysis misreads open_memstream's buffer). */
static char *usage_of(const es_cli_cmd *cmd)
{
    FILE *f = tmpfile();
    ES_CHECK(f != NULL);
    es_cli_usage_write(cmd, f);
    long len = ftell(f);
    char *text = malloc((size_t)len + 1);
    ES_CHECK(text != NULL && len >= 0);
    rewind(f);
    ES_CHECK(fread(text, 1, (size_t)len, f) == (size_t)len);
    text[len] = '\0';
    fclose(f);
    return text;
}

ES_TEST(usage_lists_every_option)
{
    size_t n;
    const es_cli_cmd *const *cmds = es_cli_commands(&n);
    ES_CHECK(n >= 8);
    for (size_t i = 0; i < n; i++) {
        const es_cli_cmd *cmd = cmds[i];
        char *text = usage_of(cmd);
        char *blank = strstr(text, "\n\n");
        ES_CHECK(blank != NULL);
        size_t synopsis = (size_t)(blank - text);
        ES_CHECK_CONTAINS(text, "  -h, --help");
        for (const es_cli_group *g = cmd->groups; g != NULL && g->opts != NULL; g++) {
            for (const es_cli_opt *o = g->opts; o->name != NULL; o++) {
                char want[80];
                /* In the usage line... */
                snprintf(want, sizeof want, "--%s", o->name);
                const char *at = strstr(text, want);
                if (at == NULL || (size_t)(at - text) > synopsis)
                    ES_FAIL("ecosweep %s --help: the usage line lacks %s", cmd->name, want);
                /* ...and as an option line of its own, with its help. */
                snprintf(want, sizeof want, "\n  --%s", o->name);
                if (strstr(text, want) == NULL)
                    ES_FAIL("ecosweep %s --help: no line for --%s", cmd->name, o->name);
                ES_CHECK(o->help != NULL && o->help[0] != '\0');
                /* One name, one option. */
                for (const es_cli_group *h = cmd->groups; h->opts != NULL; h++)
                    for (const es_cli_opt *p = h->opts; p->name != NULL; p++)
                        if (p != o && strcmp(p->name, o->name) == 0)
                            ES_FAIL("ecosweep %s: two options called --%s", cmd->name, o->name);
            }
        }
        free(text);
    }
}

ES_TEST(usage_wraps_to_79_columns)
{
    size_t n;
    const es_cli_cmd *const *cmds = es_cli_commands(&n);
    for (size_t i = 0; i < n; i++) {
        char *text = usage_of(cmds[i]);
        for (char *line = text, *end; *line != '\0'; line = end + 1) {
            end = strchr(line, '\n');
            if (end == NULL)
                break;
            if (end - line > 79)
                ES_FAIL("ecosweep %s --help: a line of %d columns: %.*s", cmds[i]->name,
                        (int)(end - line), (int)(end - line), line);
        }
        free(text);
    }
}

/* ---- run and resume ------------------------------------------------------------- */

/* Both commands carry the shared table itself, not a copy of it. */
ES_TEST(run_and_resume_share_one_table)
{
    const es_cli_cmd *both[] = {&es_cli_run, &es_cli_resume};
    for (size_t i = 0; i < 2; i++) {
        int found = 0;
        for (const es_cli_group *g = both[i]->groups; g->opts != NULL; g++)
            found += g->opts == es_cli_sweep_opts;
        ES_CHECK_INT(found, 1);
    }
}

/* The options both take, good and bad, and what a bad one is told. */
static const struct {
    const char *opt, *value, *err;
} shared[] = {
    {"--parallel", "2", NULL},
    {"--parallel", "0", "--parallel: expected 1..4096, got '0'"},
    {"--parallel", "4097", "--parallel: expected 1..4096, got '4097'"},
    {"--grace", "10s", NULL},
    {"--grace", "soon",
     "--grace: expected a duration such as 90s, 10m or 2h, up to 365d, got 'soon'"},
    {"--worker", "/bin/true", NULL},
    {"--launcher", "slurm", NULL},
    {"--launcher", "local", NULL},
    {"--launcher", "pbs", "--launcher: expected local or slurm, got 'pbs'"},
    {"--no-status", NULL, NULL},
    {"--no-reuse", NULL, NULL},
    {"--db", "other.db", NULL},
};

ES_TEST(run_and_resume_parse_shared_options_alike)
{
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        const char *words[4] = {shared[i].opt, shared[i].value ? shared[i].value : "x",
                                shared[i].value ? "x" : NULL, NULL};
        const char *msg[2];
        char buf[2][ES_ERR_MSG_MAX];
        const es_cli_cmd *both[] = {&es_cli_run, &es_cli_resume};
        for (int k = 0; k < 2; k++) {
            char *argv[6], *operands[6];
            _Alignas(max_align_t) unsigned char args[1024];
            es_err err;
            int n, argc = argv_of(words, both[k]->name, argv);
            ES_CHECK(both[k]->args_size <= sizeof args);
            es_err_clear(&err);
            int rc = es_cli_parse(both[k], argc, argv, args, operands, &n, &err);
            ES_CHECK_INT(rc, shared[i].err ? ES_EUSAGE : 0);
            snprintf(buf[k], sizeof buf[k], "%s", err.msg);
            msg[k] = buf[k];
        }
        ES_CHECK_STR(msg[0], msg[1]);
        if (shared[i].err != NULL)
            ES_CHECK_STR(msg[0], shared[i].err);
    }
}

/* Through the binary, as a user meets them: each shared option given to
 * `run` (of a spec that does not exist) and to `resume` (of a database
 * that does not exist) is either refused by both with the same message, or
 * accepted by both, which then stop at the missing file.  `resume` used
 * to refuse --launcher, which `run` takes: a sweep started with
 * `run --launcher slurm` could be taken up by `run` but not by `resume`. */
ES_TEST(run_and_resume_take_the_same_options)
{
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        const char *run[8] = {"run", "--db", "none.db", shared[i].opt}, *resume[8];
        size_t k = 4;
        if (shared[i].value != NULL)
            run[k++] = shared[i].value;
        run[k] = "missing.yaml";
        run[k + 1] = NULL;
        memcpy(resume, run, sizeof run);
        resume[0] = "resume";
        resume[k] = "nosuch";
        const char *out, *err;
        char run_err[4096];
        int rc_run = es_test_ecosweep(run, NULL, &out, &err);
        snprintf(run_err, sizeof run_err, "%s", err);
        int rc_resume = es_test_ecosweep(resume, NULL, &out, &err);
        if (shared[i].err != NULL) {
            ES_CHECK_INT(rc_run, 2);
            ES_CHECK_INT(rc_resume, 2);
            ES_CHECK_CONTAINS(run_err, shared[i].err);
            ES_CHECK_CONTAINS(err, shared[i].err);
        } else {
            if (rc_run != 1 || strstr(run_err, "missing.yaml") == NULL)
                ES_FAIL("run %s: exit %d: %s", shared[i].opt, rc_run, run_err);
            if (rc_resume != 1 || strstr(err, "no database at") == NULL)
                ES_FAIL("resume %s: exit %d: %s", shared[i].opt, rc_resume, err);
        }
    }
}

ES_TEST(help_comes_from_the_table)
{
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"resume", "--help", NULL}, NULL, &out, &err), 0);
    char *want = usage_of(&es_cli_resume);
    ES_CHECK_STR(out, want);
    free(want);
}

/* `ecosweep --version` prints the version of CMake's project(), the one
 * place it is written. */
ES_TEST(version_comes_from_cmake)
{
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"--version", NULL}, NULL, &out, &err), 0);
    ES_CHECK_STR(out, "ecosweep " ES_VERSION "\n");
}

/* A program that does not exist: `validate` and `run` say so, naming the
 * spec's line, before any trial fails on it. */
ES_TEST(missing_program_is_an_error_before_any_trial)
{
    const char *spec = es_test_path("noprog.yaml"), *out, *err;
    FILE *f = fopen(spec, "w");
    ES_CHECK(f != NULL);
    fputs("program: nothere.py\nmetric: {name: loss}\nparameters:\n  x: {min: 0, max: 1}\n", f);
    fclose(f);
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"validate", spec, NULL}, NULL, &out, &err), 2);
    ES_CHECK_CONTAINS(err, "noprog.yaml:1:10: program 'nothere.py' not found");
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"run", "--db", es_test_path("np.db"), spec, NULL}, NULL,
                         &out, &err),
        2);
    ES_CHECK_CONTAINS(err, "program 'nothere.py' not found");
    ES_CHECK(access(es_test_path("np.db"), F_OK) != 0); /* nothing recorded */
}

/* Durations have one bound, a year, in the coordinator and the worker
 * alike: --grace 400d was taken by `run` and refused by every worker
 * (each trial "failed: status 125"). */
ES_TEST(durations_past_a_year_are_refused_by_both_programs)
{
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"run", "--grace", "400d", "x.yaml", NULL}, NULL,
                                  &out, &err),
                 2);
    ES_CHECK_CONTAINS(err, "--grace: expected a duration such as 90s, 10m or 2h, up to 365d, "
                           "got '400d'");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"run", "--grace", "365d", "absent.yaml", NULL},
                                  NULL, &out, &err),
                 1); /* the grace is fine; the spec is absent */
    ES_CHECK(strstr(err, "--grace") == NULL);
}

/* A budget past what any sweep spends is a slip of units on the command
 * line as in the spec (--max-kwh 5000000 ran, stored as the budget). */
ES_TEST(implausible_budgets_on_the_command_line_are_refused)
{
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"run", "--max-kwh", "5000000", "x.yaml", NULL},
                                  NULL, &out, &err),
                 2);
    ES_CHECK_CONTAINS(err, "--max-kwh: expected a positive number up to 1e+06 (a slip of units?)");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"run", "--max-usd", "1e8", "x.yaml", NULL}, NULL,
                                  &out, &err),
                 2);
    ES_CHECK_CONTAINS(err, "--max-usd: expected a positive number up to 1e+07");
}

/* A `shell: true` template the shell cannot parse (an unterminated quote)
 * failed every trial at run time while validate said "valid". */
ES_TEST(validate_asks_the_shell_to_parse_a_shell_template)
{
    const char *bad =
        es_test_write_file("sh1.yaml", "shell: true\ncommand: [\"echo \\\"unterminated ${x}\"]\n"
                                       "parameters: {x: {value: 1}}\n");
    const char *good = es_test_write_file(
        "sh2.yaml", "shell: true\ncommand: [\"echo ${x} | tr a b && echo loss=1\"]\n"
                    "parameters: {x: {value: 1}}\n");
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"validate", bad, NULL}, NULL, &out, &err), 2);
    ES_CHECK_CONTAINS(err, "command: /bin/sh cannot parse the script (");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"validate", good, NULL}, NULL, &out, &err), 0);
}

/* The end of `run` says what the sweep cost with the method behind the
 * energy, as the report does ("energy: 0.000088 kWh, ..." named none, and
 * said 0 kWh where nothing measured). */
ES_TEST(run_summary_names_the_energy_method)
{
    const char *spec = es_test_write_file(
        "sum.yaml", "command: [\"/bin/sh\", \"-c\", \"echo loss=${x}\"]\nmetric: {name: loss}\n"
                    "parameters: {x: {values: [1, 2]}}\nmethod: grid\n");
    const char *out, *err;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"run", "--db", es_test_path("sum.db"), spec, NULL}, NULL,
                         &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "  cost: ");
    ES_CHECK_CONTAINS(out, "energy by ");
    ES_CHECK(strstr(out, "  energy: ") == NULL);
}
