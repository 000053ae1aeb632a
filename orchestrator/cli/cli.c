/*
 * cli.c -- subcommand table and the helpers every subcommand shares: the
 * database path, usage errors, --help, JSON output, and finding the worker
 * and a spec's program (what `run` and `estimate`'s pilot both need).
 */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec.h"

static const es_cli_cmd *const commands[] = {&es_cli_run,      &es_cli_validate, &es_cli_report,
                                             &es_cli_import,   &es_cli_ls,       &es_cli_project,
                                             &es_cli_estimate, &es_cli_resume};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

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
          "130/143 interrupted by SIGINT/SIGTERM.\n",
          f);
}

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
    es_value v = {.kind = s ? ES_V_STR : ES_V_NULL, .s = (char *)s};
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (es_value_json(&v, &buf, &len, &cap) == 0)
        fwrite(buf, 1, len, stdout);
    else
        fputs("null", stdout);
    free(buf);
}

void es_cli_json_num(double x)
{
    if (isfinite(x))
        printf("%.15g", x);
    else
        fputs("null", stdout);
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
        puts("ecosweep 0.1.0");
        return ES_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            if (es_cli_wants_help(argc - 1, argv + 1)) {
                fputs(commands[i]->usage, stdout);
                return ES_EXIT_OK;
            }
            return commands[i]->exec(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "ecosweep: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return ES_EXIT_USAGE;
}
