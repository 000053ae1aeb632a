/*
 * test_command.c -- building a trial's argv from a command template: every
 * macro, and hostile values that must reach the trial verbatim as one
 * argument each, never through a shell.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "es_test.h"
#include "spec.h"

static es_spec *parse(const char *yaml)
{
    es_spec *spec = NULL;
    es_err err;
    int rc = es_spec_parse_string(yaml, strlen(yaml), "cmd.yaml", &spec, &err);
    if (rc != 0)
        ES_FAIL("parse failed (%d): %s", rc, err.msg);
    return spec;
}

/* Compare a NULL-terminated argv with the expected list. */
static void check_argv(char **argv, const char *const *want, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (argv[i] == NULL)
            ES_FAIL("argv has %zu elements, want %zu", i, n);
        ES_CHECK_STR(argv[i], want[i]);
    }
    if (argv[i] != NULL)
        ES_FAIL("argv has extra element '%s'", argv[i]);
}

static const char *const hostile_spec = "program: train.py\n"
                                        "parameters:\n"
                                        "  lr: {min: 0.0001, max: 0.1}\n"
                                        "  opt: {values: [adam]}\n"
                                        "  flag: {values: [true, false]}\n"
                                        "  off: {values: [false]}\n"
                                        "  layers: {value: 3}\n";

/* Values for hostile_spec's parameters, with a hostile string for opt. */
static void values_with(es_value v[5], const char *opt)
{
    memset(v, 0, 5 * sizeof *v);
    v[0].kind = ES_V_FLOAT, v[0].f = 0.001;
    v[1].kind = ES_V_STR, v[1].s = (char *)opt;
    v[2].kind = ES_V_BOOL, v[2].b = 1;
    v[3].kind = ES_V_BOOL, v[3].b = 0;
    v[4].kind = ES_V_INT, v[4].i = 3;
}

ES_TEST(command_default_template)
{
    es_spec *spec = parse(hostile_spec);
    es_command_ctx ctx = {"python3.11", NULL};
    es_value v[5];
    char **argv;
    es_err err;
    values_with(v, "adam");
    ES_CHECK(spec->command == NULL);
    ES_CHECK_INT(es_command_build(spec, v, &ctx, &argv, &err), 0);
    const char *const want[] = {"/usr/bin/env", "python3.11",  "train.py",    "--lr=0.001",
                                "--opt=adam",   "--flag=True", "--off=False", "--layers=3"};
    check_argv(argv, want, sizeof want / sizeof want[0]);
    es_argv_free(argv);
    es_spec_free(spec);
}

ES_TEST(command_hostile_values_stay_one_argument)
{
    static const char *const hostile[] = {
        "$(touch x)", "`touch x`", "a b", "\"'; rm -rf /", "line1\nline2", "${lr}",
        "--opt=evil", "",          "*",   "a;b|c&d>e",     "${args}",
    };
    char cwd[4096];
    ES_CHECK(getcwd(cwd, sizeof cwd) != NULL);
    ES_CHECK_INT(chdir(es_test_tmpdir()), 0);
    es_spec *spec = parse("program: train.py\n"
                          "command: ['${env}', '${interpreter}', '${program}', '${args}',\n"
                          "          '--o=${opt}', '${opt}', '${args_no_hyphens}']\n"
                          "parameters:\n"
                          "  lr: {min: 0.0001, max: 0.1}\n"
                          "  opt: {values: [adam]}\n"
                          "  flag: {values: [true, false]}\n"
                          "  off: {values: [false]}\n"
                          "  layers: {value: 3}\n");
    es_command_ctx ctx = {"py", NULL};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        es_value v[5];
        char **argv, opt_arg[256], o_arg[256], nh_arg[256];
        es_err err;
        values_with(v, hostile[i]);
        ES_CHECK_INT(es_command_build(spec, v, &ctx, &argv, &err), 0);
        snprintf(opt_arg, sizeof opt_arg, "--opt=%s", hostile[i]);
        snprintf(o_arg, sizeof o_arg, "--o=%s", hostile[i]);
        snprintf(nh_arg, sizeof nh_arg, "opt=%s", hostile[i]);
        const char *const want[] = {"/usr/bin/env", "py",          "train.py",    "--lr=0.001",
                                    opt_arg,        "--flag=True", "--off=False", "--layers=3",
                                    o_arg,          hostile[i],    "lr=0.001",    nh_arg,
                                    "flag=True",    "off=False",   "layers=3"};
        check_argv(argv, want, sizeof want / sizeof want[0]);
        es_argv_free(argv);
    }
    struct stat st;
    ES_CHECK(stat("x", &st) != 0); /* nothing ran through a shell */
    ES_CHECK_INT(chdir(cwd), 0);
    es_spec_free(spec);
}

ES_TEST(command_every_macro)
{
    es_spec *spec = parse("program: 'my prog.py'\n"
                          "command:\n"
                          "  - ${env}\n"
                          "  - ${interpreter}\n"
                          "  - run=${program}\n"
                          "  - ${args_no_boolean_flags}\n"
                          "  - ${args_json}\n"
                          "  - --config=${args_json_file}\n"
                          "  - --lr=${lr}/${layers}\n"
                          "  - plain $text {not} a macro\n"
                          "parameters:\n"
                          "  lr: {min: 0.0001, max: 0.1}\n"
                          "  opt: {values: [adam]}\n"
                          "  flag: {values: [true, false]}\n"
                          "  off: {values: [false]}\n"
                          "  layers: {value: 3}\n");
    es_command_ctx ctx = {"python3", "/tmp/trial 7/args.json"};
    es_value v[5];
    char **argv;
    es_err err;
    values_with(v, "sg\"d");
    ES_CHECK_INT(es_command_build(spec, v, &ctx, &argv, &err), 0);
    const char *const want[] = {
        "/usr/bin/env",
        "python3",
        "run=my prog.py",
        "--lr=0.001",
        "--opt=sg\"d",
        "--flag",
        "--layers=3",
        "{\"lr\": 0.001, \"opt\": \"sg\\\"d\", \"flag\": true, \"off\": false, \"layers\": 3}",
        "--config=/tmp/trial 7/args.json",
        "--lr=0.001/3",
        "plain $text {not} a macro",
    };
    check_argv(argv, want, sizeof want / sizeof want[0]);
    es_argv_free(argv);
    es_spec_free(spec);
}

ES_TEST(command_interpreter_from_path)
{
    char bin[4096], py[4200];
    const char *old = getenv("PATH");
    char *saved = old ? strdup(old) : NULL;
    es_spec *spec = parse("program: p.py\ncommand: ['${interpreter}']\n"
                          "parameters: {x: {value: 1}}\n");
    es_value v = {ES_V_INT, 0, 1, 0, NULL};
    char **argv;
    es_err err;

    snprintf(bin, sizeof bin, "%s/bin", es_test_tmpdir());
    ES_CHECK_INT(mkdir(bin, 0755), 0);
    setenv("PATH", bin, 1);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    ES_CHECK_STR(argv[0], "python3"); /* no python on PATH */
    es_argv_free(argv);

    snprintf(py, sizeof py, "%s/python", bin);
    int fd = open(py, O_CREAT | O_WRONLY, 0644); /* not executable: still python3 */
    ES_CHECK(fd >= 0);
    close(fd);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    ES_CHECK_STR(argv[0], "python3");
    es_argv_free(argv);

    ES_CHECK_INT(chmod(py, 0755), 0);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    ES_CHECK_STR(argv[0], "python");
    es_argv_free(argv);

    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    }
    es_spec_free(spec);
}

ES_TEST(command_errors)
{
    es_spec *spec = parse("program: p.py\ncommand: ['${args_json_file}']\n"
                          "parameters: {x: {value: 1}}\n");
    es_value v = {ES_V_INT, 0, 1, 0, NULL};
    es_command_ctx ctx = {NULL, NULL};
    char **argv = (char **)&v;
    es_err err;
    ES_CHECK_INT(es_command_build(spec, &v, &ctx, &argv, &err), ES_ESPEC);
    ES_CHECK(argv == NULL);
    ES_CHECK_STR(err.msg, "command uses ${args_json_file} but no file was given");
    ES_CHECK(es_command_build(spec, NULL, &ctx, &argv, &err) < 0);
    es_spec_free(spec);

    /* A template edited after parsing is still checked when built. */
    spec = parse("program: p.py\ncommand: ['${program}']\nparameters: {x: {value: 1}}\n");
    free(spec->command[0]);
    spec->command[0] = strdup("--x=${y}");
    ES_CHECK_INT(es_command_build(spec, &v, &ctx, &argv, &err), ES_ESPEC);
    ES_CHECK_STR(err.msg, "unknown macro '${y}' (not a built-in macro or a parameter name)");
    free(spec->command[0]);
    spec->command[0] = strdup("-${args}");
    ES_CHECK_INT(es_command_build(spec, &v, &ctx, &argv, &err), ES_ESPEC);
    ES_CHECK_CONTAINS(err.msg, "must be a whole element");
    es_spec_free(spec);
}

ES_TEST(params_json)
{
    es_spec *spec = parse(hostile_spec);
    es_value v[5];
    values_with(v, "a\"b\\c\nd");
    v[0].f = NAN;
    char *json = es_params_json(spec, v);
    ES_CHECK_STR(json, "{\"lr\": null, \"opt\": \"a\\\"b\\\\c\\nd\", \"flag\": true, \"off\": "
                       "false, \"layers\": 3}");
    free(json);
    es_spec_free(spec);
}
