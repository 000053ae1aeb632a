/*
 * cli_validate.c -- `ecosweep validate SPEC`: check a spec without running
 * anything, and print the normalized search space.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "search.h"

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
    es_spec_print(spec, stdout);
    if (es_search_size(search) > 0)
        printf("grid: %llu configurations\n", (unsigned long long)es_search_size(search));
    printf("%s: valid\n", spec->path);
    es_search_destroy(search);
    es_spec_free(spec);
    return ES_EXIT_OK;
}
