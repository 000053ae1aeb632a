/*
 * cli_validate.c -- `ecosweep validate SPEC`: check a spec without running
 * anything, and print the normalized search space.
 */
#include <errno.h>
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
             "caps, budget and energy factors. Errors name the file, line and column.\n",
    .epilogue = "Exit: 0 valid; 2 invalid (the error is on stderr).\n",
    .exec = validate_exec,
};

static int validate_exec(const void *args, int n, char **operands)
{
    es_spec *spec = NULL;
    es_search *search = NULL;
    es_err err;
    int rc;

    (void)args; /* no options */
    (void)n;    /* one SPEC, as the table says */
    es_err_clear(&err);
    if ((rc = es_spec_parse_file(operands[0], &spec, &err)) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == -ENOENT || rc == -EACCES ? ES_EXIT_ERROR : ES_EXIT_USAGE;
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
