/*
 * cli_validate.c -- `ecosweep validate SPEC`: check a spec without running
 * anything, and print the normalized search space.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "search.h"

extern char **environ;

static int validate_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_validate = {
    .name = "validate",
    .summary = "check a sweep spec and print its normalized search space",
    .operands = "SPEC",
    .missing = "SPEC",
    .min_operands = 1,
    .max_operands = 1,
    .about = "Parse and check SPEC as `ecosweep run` would, then print the normalized\n"
             "spec: each parameter with its distribution and bounds, the method, metric,\n"
             "caps, budget and energy factors. Every error in the file is listed, each\n"
             "with its line and column; a program that does not exist is an error, and\n"
             "likely mistakes (log_uniform bounds that look like values) are warnings.\n",
    .epilogue = "Exit: 0 valid; 2 invalid (the error is on stderr).\n",
    .exec = validate_exec,
};

/* A `shell: true` template that the shell cannot parse (an unterminated
 * quote or $(...)) fails every trial at run time: ask /bin/sh -n, with
 * the first configuration's values, and put its message in *msg.  0 when
 * it parses (or there is no shell to ask), 1 when it does not. */
static int shell_syntax_error(const es_spec *spec, es_search *search, char *msg, size_t cap)
{
    es_value *values = calloc(spec->n_params ? spec->n_params : 1, sizeof *values);
    char **argv = NULL;
    es_err err;
    int bad = 0, fds[2] = {-1, -1};
    es_command_ctx ctx = {.interpreter = NULL, .args_json_file = "params.json"};
    if (values == NULL || es_search_suggest(search, 0, values, &err) != 0 ||
        es_command_build(spec, values, &ctx, &argv, &err) != 0 || argv[0] == NULL ||
        argv[1] == NULL || argv[2] == NULL || pipe(fds) != 0)
        goto out;
    char *const check[] = {"/bin/sh", "-n", "-c", argv[2], NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, check, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    fds[1] = -1;
    if (rc != 0)
        goto out;
    char text[512];
    ssize_t got = read(fds[0], text, sizeof text - 1);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
        text[got > 0 ? got : 0] = '\0';
        text[strcspn(text, "\n")] = '\0';
        snprintf(msg, cap, "%s: command: /bin/sh cannot parse the script (%s)", spec->path,
                 text[0] ? text : "no message");
        bad = 1;
    }
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    es_strv_free(argv);
    es_values_free(values, spec->n_params);
    return bad;
}

static int validate_exec(const void *args, int n, char **operands)
{
    es_spec *spec = NULL;
    es_search *search = NULL;
    char **errors = NULL, msg[ES_ERR_MSG_MAX + PATH_MAX];
    es_err err;
    int rc;

    (void)args; /* no options */
    (void)n;    /* one SPEC, as the table says */
    es_err_clear(&err);
    if ((rc = es_spec_parse_file_all(operands[0], &spec, &errors, &err)) != 0) {
        size_t count = 0;
        for (char **e = errors; e != NULL && *e != NULL; e++, count++)
            fprintf(stderr, "%s\n", *e);
        if (errors == NULL) /* unreadable file, YAML syntax error */
            fprintf(stderr, "%s\n", err.msg);
        else if (count > 1)
            fprintf(stderr, "%s: %zu errors\n", operands[0], count);
        es_strv_free(errors);
        return rc == -ENOENT || rc == -EACCES ? ES_EXIT_ERROR : ES_EXIT_USAGE;
    }
    es_cli_print_warnings("validate", spec);
    if (es_cli_resolve_program(spec) != 0) {
        es_spec_free(spec);
        fprintf(stderr, "ecosweep validate: out of memory\n");
        return ES_EXIT_ERROR;
    }
    if (es_cli_check_program(spec, msg, sizeof msg) != 0) {
        if (es_spec_uses_program(spec)) {
            fprintf(stderr, "%s\n", msg);
            es_spec_free(spec);
            return ES_EXIT_USAGE;
        }
        fprintf(stderr, "ecosweep validate: warning: %s; the command does not run it\n", msg);
    }
    /* The search checks what only it knows (a grid must be enumerable). */
    if ((rc = es_search_create(spec, 0, &search, &err)) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        es_spec_free(spec);
        return ES_EXIT_USAGE;
    }
    if (spec->shell && shell_syntax_error(spec, search, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        es_search_destroy(search);
        es_spec_free(spec);
        return ES_EXIT_USAGE;
    }
    es_spec_print(spec, stdout);
    if (es_search_size(search) > 0)
        printf("grid: %llu configurations\n", (unsigned long long)es_search_size(search));
    printf("%s: valid\n", spec->path);
    es_search_destroy(search);
    es_spec_free(spec);
    return ES_EXIT_OK;
}
