/*
 * test_command.c -- building a trial's argv from a command template: every
 * macro, and hostile values that must reach the trial verbatim as one
 * argument each, never through a shell; with `shell: true`, the exact
 * script (every expansion single-quoted for its place) and, run by /bin/sh,
 * the same values arriving verbatim with nothing executed.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
    es_strv_free(argv);
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
        es_strv_free(argv);
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
    es_strv_free(argv);
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
    es_strv_free(argv);

    snprintf(py, sizeof py, "%s/python", bin);
    int fd = open(py, O_CREAT | O_WRONLY, 0644); /* not executable: still python3 */
    ES_CHECK(fd >= 0);
    close(fd);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    ES_CHECK_STR(argv[0], "python3");
    es_strv_free(argv);

    ES_CHECK_INT(chmod(py, 0755), 0);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    ES_CHECK_STR(argv[0], "python");
    es_strv_free(argv);

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

/* ---- shell: true ----------------------------------------------------------------- */

static const char *const shell_spec = "program: train.py\n"
                                      "shell: true\n"
                                      "command: ['${program}', '${args}', '--o=${opt}', '2>&1',\n"
                                      "          '|', 'tee', '\"$HOME/${opt}.log\"']\n"
                                      "parameters:\n"
                                      "  opt: {values: [adam]}\n"
                                      "  n: {value: 3}\n";

/* The error es_spec_parse_string gives for yaml (which must fail). */
static const char *parse_fail(const char *yaml)
{
    static es_err err;
    es_spec *spec = NULL;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "cmd.yaml", &spec, &err), ES_ESPEC);
    ES_CHECK(spec == NULL);
    return err.msg;
}

/* The argv of a shell: true spec for opt = value (n = 3): /bin/sh -c
 * SCRIPT sh, then the values its references stand for. */
static char **shell_argv(const es_spec *spec, const char *opt)
{
    es_value v[2] = {{ES_V_STR, 0, 0, 0, (char *)opt}, {ES_V_INT, 0, 3, 0, NULL}};
    es_command_ctx ctx = {"py", "/tmp/t 1/args.json"};
    char **argv;
    es_err err;
    if (es_command_build(spec, v, &ctx, &argv, &err) != 0)
        ES_FAIL("build failed: %s", err.msg);
    ES_CHECK_STR(argv[0], "/bin/sh");
    ES_CHECK_STR(argv[1], "-c");
    ES_CHECK(argv[2] != NULL);
    ES_CHECK_STR(argv[3], "sh");
    return argv;
}

/* Every macro is a reference to a positional parameter, whatever its
 * value: the script is the same for every value, and the values are the
 * parameters, byte for byte. */
ES_TEST(command_shell_passes_values_as_parameters)
{
    static const char *const values[] = {
        "adam",
        "'; rm -rf /; echo '",
        "$(touch /tmp/x)",
        "`touch x`",
        "line1\nline2",
        "it's",
        "\"; touch x; \"",
        "\\",
        "${n}",
        "",
    };
    es_spec *spec = parse(shell_spec);
    ES_CHECK(spec->shell);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char **argv = shell_argv(spec, values[i]), want[512];
        ES_CHECK_STR(argv[2],
                     "\"${1}\" \"${2}\" \"${3}\" --o=\"${4}\" 2>&1 | tee \"$HOME/${5}.log\"");
        snprintf(want, sizeof want, "--opt=%s", values[i]);
        const char *const params[] = {"train.py", want, "--n=3", values[i], values[i]};
        for (size_t k = 0; k < 5; k++)
            ES_CHECK_STR(argv[4 + k], params[k]);
        ES_CHECK(argv[9] == NULL);
        es_strv_free(argv);
    }
    es_spec_free(spec);
}

ES_TEST(command_shell_every_macro_and_context)
{
    es_spec *spec = parse("program: 'my prog.py'\n"
                          "shell: true\n"
                          "command:\n"
                          "  - ${env} ${interpreter} ${program}\n"
                          "  - ${args_no_hyphens}\n"
                          "  - ${args_no_boolean_flags}\n"
                          "  - --json=${args_json}\n"
                          "  - --file=${args_json_file}\n"
                          "  - \"'single ${opt}'\"\n"
                          "  - '\"double ${opt} $HOME\"'\n"
                          "  - x=$(basename ${opt})\n"
                          "  - \"a#${opt} # comment\\necho ${opt}\"\n"
                          "parameters:\n"
                          "  opt: {values: [adam]}\n"
                          "  n: {value: 3}\n");
    char **argv = shell_argv(spec, "it's");
    /* Plain text and $(...): "${N}"; inside "...": ${N}; inside '...':
     * closed, "${N}", reopened. */
    ES_CHECK_STR(argv[2], "\"${1}\" \"${2}\" \"${3}\" \"${4}\" \"${5}\" \"${6}\" \"${7}\""
                          " --json=\"${8}\" --file=\"${9}\" 'single '\"${10}\"''"
                          " \"double ${11} $HOME\" x=$(basename \"${12}\")"
                          " a#\"${13}\" # comment\necho \"${14}\"");
    const char *const params[] = {"/usr/bin/env",
                                  "py",
                                  "my prog.py",
                                  "opt=it's",
                                  "n=3",
                                  "--opt=it's",
                                  "--n=3",
                                  "{\"opt\": \"it's\", \"n\": 3}",
                                  "/tmp/t 1/args.json",
                                  "it's",
                                  "it's",
                                  "it's",
                                  "it's",
                                  "it's"};
    for (size_t k = 0; k < 14; k++)
        ES_CHECK_STR(argv[4 + k], params[k]);
    ES_CHECK(argv[18] == NULL);
    es_strv_free(argv);
    es_spec_free(spec);

    /* The default template refers to its values the same way. */
    spec =
        parse("program: train.py\nshell: true\nparameters: {opt: {value: a b}, n: {value: 3}}\n");
    argv = shell_argv(spec, "a b");
    ES_CHECK_STR(argv[2], "\"${1}\" \"${2}\" \"${3}\" \"${4}\" \"${5}\"");
    ES_CHECK_STR(argv[7], "--opt=a b");
    es_strv_free(argv);
    es_spec_free(spec);
}

ES_TEST(command_without_shell_never_uses_one)
{
    es_spec *spec = parse("program: train.py\nshell: false\n"
                          "command: ['${program}', '|', 'tee', '--o=${opt}']\n"
                          "parameters: {opt: {value: x}}\n");
    es_value v = {ES_V_STR, 0, 0, 0, (char *)"'; touch x; '"};
    char **argv;
    es_err err;
    ES_CHECK(!spec->shell);
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), 0);
    const char *const want[] = {"train.py", "|", "tee", "--o='; touch x; '"};
    check_argv(argv, want, 4);
    es_strv_free(argv);
    es_spec_free(spec);
}

ES_TEST(command_shell_refuses_unquotable_places)
{
    static const struct {
        const char *elem, *why;
    } cases[] = {
        {"echo \\\\${opt}", "it follows a backslash"},
        {"echo \\\"\\\\${opt}\\\"", "it follows a backslash"},
        {"echo `echo ${opt}`", "it is inside backquotes (write $(...) instead)"},
        {"echo \\\"`echo ${opt}`\\\"", "it is inside backquotes (write $(...) instead)"},
        {"echo $${opt}", "it follows a '$'"},
        {"echo hi # ${opt}", "it is inside a shell comment"},
        {"cat <<EOF\\n${opt}\\nEOF", "it follows a here-document (<<)"},
        {"echo $(( ${n} + 1 ))", "it is inside $((...))"},
        {"echo $'${opt}'", "it is inside $'...'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[512], want[512];
        snprintf(yaml, sizeof yaml,
                 "shell: true\ncommand: [\"true\", \"%s\"]\n"
                 "parameters: {opt: {value: x}, n: {value: 3}}\n",
                 cases[i].elem);
        const char *msg = parse_fail(yaml);
        const char *macro = strstr(cases[i].elem, "${n}") ? "${n}" : "${opt}";
        snprintf(want, sizeof want,
                 "cmd.yaml:2:19: command[1]: macro '%s' cannot be quoted safely for the "
                 "shell: %s",
                 macro, cases[i].why);
        ES_CHECK_STR(msg, want);
    }
    /* A template edited after parsing is checked again when built. */
    es_spec *spec = parse("shell: true\ncommand: ['echo ${opt}']\nparameters: {opt: {value: x}}\n");
    es_value v = {ES_V_STR, 0, 0, 0, (char *)"x"};
    char **argv;
    es_err err;
    free(spec->command[0]);
    spec->command[0] = strdup("echo `${opt}`");
    ES_CHECK_INT(es_command_build(spec, &v, NULL, &argv, &err), ES_ESPEC);
    ES_CHECK(argv == NULL);
    ES_CHECK_CONTAINS(err.msg, "inside backquotes");
    es_spec_free(spec);
}

/* Run argv in dir and return what it wrote to dir/out (static buffer). */
static const char *run_in(char **argv, const char *dir)
{
    static char buf[4096];
    char path[4200];
    int st;
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    ES_CHECK(waitpid(pid, &st, 0) == pid);
    ES_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(path, sizeof path, "%s/out", dir);
    FILE *f = fopen(path, "r");
    ES_CHECK(f != NULL);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The three ways a quote tracker was bypassed (each ran `touch` from a
 * value the spec accepted): a $'...' element (bash's syntax, which dash
 * does not have), a `case ... )` inside "$(...)" (the tracker took the
 * ')' for the end of the substitution), and a backslash-newline before a
 * '#'.  With the values as parameters none of them can run a value,
 * whatever the tracker makes of the template. */
ES_TEST(command_shell_tracker_bypasses_run_nothing)
{
    static const char *const templates[] = {
        "echo $'\\'' ${opt} > out",
        "printf %s \"$(case x in x) echo ${opt};; esac)\" > out",
        "echo \\\n# ${opt} > out",
    };
    static const char *const hostile[] = {"'; touch pwned; echo '", "$(touch pwned)",
                                          "\"; touch pwned; \"", "`touch pwned`"};
    for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "shell: true\ncommand: [\"%s\"]\nparameters: {opt: {value: x}, n: {value: 3}}\n",
                 templates[t]);
        es_spec *spec = NULL;
        es_err err;
        if (es_spec_parse_string(yaml, strlen(yaml), "cmd.yaml", &spec, &err) != 0)
            continue; /* refused: nothing runs either */
        for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
            char **argv = shell_argv(spec, hostile[i]);
            for (int k = 0; argv[k] != NULL; k++) /* no value in the script */
                if (k == 2 && strstr(argv[k], "pwned") != NULL)
                    ES_FAIL("template %zu: the value is in the script: %s", t, argv[k]);
            pid_t pid = fork();
            ES_CHECK(pid >= 0);
            if (pid == 0) {
                if (chdir(es_test_tmpdir()) != 0)
                    _exit(126);
                execv(argv[0], argv);
                _exit(127);
            }
            int st;
            ES_CHECK(waitpid(pid, &st, 0) == pid);
            char path[4200];
            snprintf(path, sizeof path, "%s/pwned", es_test_tmpdir());
            if (access(path, F_OK) == 0)
                ES_FAIL("template %zu ran value %zu", t, i);
            es_strv_free(argv);
        }
        es_spec_free(spec);
    }
}

ES_TEST(command_shell_script_delivers_values_verbatim)
{
    static const char *const hostile[] = {
        "'; touch pwned1; echo '",
        "$(touch pwned2)",
        "`touch pwned3`",
        "a b\nc;d|e&f>pwned4",
        "it's \"quoted\" \\n \\",
        "$HOME ${n} *",
        "",
    };
    es_spec *spec = parse("shell: true\n"
                          "command:\n"
                          "  - printf \"[%s]\"\n"
                          "  - ${opt}\n"
                          "  - '\"dq ${opt}\"'\n"
                          "  - \"'sq ${opt}'\"\n"
                          "  - --o=${opt}\n"
                          "  - '> out && x=$(printf %s ${opt}) && printf \"[%s]\" \"$x\" >> out'\n"
                          "parameters: {opt: {value: x}, n: {value: 3}}\n");
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char **argv = shell_argv(spec, hostile[i]), want[1024];
        const char *v = hostile[i];
        snprintf(want, sizeof want, "[%s][dq %s][sq %s][--o=%s][%s]", v, v, v, v, v);
        ES_CHECK_STR(run_in(argv, es_test_tmpdir()), want);
        es_strv_free(argv);
    }
    for (int i = 1; i <= 4; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/pwned%d", es_test_tmpdir(), i);
        ES_CHECK(access(path, F_OK) != 0); /* nothing the values held ran */
    }
    es_spec_free(spec);
}
