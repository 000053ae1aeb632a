/*
 * suite_run.h -- what the in-process benchmark drivers (mo_suite.c,
 * constrained_suite.c) share: their command line and the JSON arrays they
 * print, and the steps of driving a search as the coordinator does.
 * Header-only (the includer includes search.h and spec.h); benchmark
 * tooling, not part of ecosweep.
 */
#ifndef ES_SUITE_RUN_H
#define ES_SUITE_RUN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `NAME run --problem P [--seed S] [--trials N] [--parallel Q]
 * [--method bayes|random]`. */
typedef struct suite_args {
    const char *problem, *method;
    unsigned long long seed;
    int trials, parallel;
} suite_args;

/* Parse argv into a (defaults: seed 1, 100 trials, parallel 1, bayes);
 * 0, or 2 after printing the usage of `name` when the command is not
 * `run` or a number is out of range. */
static inline int suite_parse(int argc, char **argv, const char *name, suite_args *a)
{
    *a = (suite_args){.method = "bayes", .seed = 1, .trials = 100, .parallel = 1};
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--problem") == 0)
            a->problem = argv[i + 1];
        else if (strcmp(argv[i], "--seed") == 0)
            a->seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--trials") == 0)
            a->trials = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--parallel") == 0)
            a->parallel = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--method") == 0)
            a->method = argv[i + 1];
    }
    if (argc < 2 || strcmp(argv[1], "run") != 0 || a->problem == NULL || a->trials < 1 ||
        a->parallel < 1) {
        fprintf(stderr,
                "usage: %s run --problem P [--seed S] [--trials N] [--parallel Q] "
                "[--method bayes|random]\n",
                name);
        return 2;
    }
    return 0;
}

/* `, "key": [[...], ...]`: n rows of `width` numbers, row i at
 * v + i * stride. */
static inline void suite_print_rows(const char *key, const double *v, int n, int stride, int width)
{
    printf(", \"%s\": [", key);
    for (int i = 0; i < n; i++) {
        printf("%s[", i ? ", " : "");
        for (int j = 0; j < width; j++)
            printf("%s%.17g", j ? ", " : "", v[(size_t)i * stride + j]);
        printf("]");
    }
    printf("]");
}

/* The entry named `name` of a table of n structs of `size` bytes whose
 * first member is their name (const char *), or NULL after saying so. */
static inline const void *suite_find(const char *prog, const void *table, size_t n, size_t size,
                                     const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const char *const *entry = (const void *)((const char *)table + i * size);
        if (strcmp(*entry, name) == 0)
            return entry;
    }
    fprintf(stderr, "%s: no problem '%s'\n", prog, name);
    return NULL;
}

/* The spec of YAML text yaml and a search on it with seed; 0, or 1 after
 * printing the error. */
static inline int suite_open(const char *prog, const char *yaml, unsigned long long seed,
                             es_spec **spec, es_search **s)
{
    es_err err = {0};
    *spec = NULL;
    *s = NULL;
    if (es_spec_parse_string(yaml, strlen(yaml), "suite.yaml", spec, &err) != 0 ||
        es_search_create(*spec, seed, s, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    return 0;
}

/* Suggest trial b into v (d numeric parameters), observe it pending, and
 * copy its numbers into x; 0, or 1 after printing the error. */
static inline int suite_suggest(const char *prog, es_search *s, int b, es_value *v, size_t d,
                                double *x)
{
    es_err err = {0};
    if (es_search_suggest(s, (uint64_t)b, v, &err) != 0 ||
        es_search_observe(s, (uint64_t)b, v, ES_OBS_PENDING, NAN, NAN, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    for (size_t j = 0; j < d; j++)
        x[j] = es_value_number(&v[j]);
    return 0;
}

/* Observe trial b completed with objective and the nv values vals (none:
 * not told); 0, or 1 after printing the error. */
static inline int suite_complete(const char *prog, es_search *s, int b, const es_value *v,
                                 double objective, const double *vals, size_t nv)
{
    es_err err = {0};
    if (es_search_observe(s, (uint64_t)b, v, ES_OBS_COMPLETED, objective, NAN, &err) != 0 ||
        (nv > 0 && es_search_observe_values(s, (uint64_t)b, vals, &err) != 0)) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 1;
    }
    return 0;
}

#endif
