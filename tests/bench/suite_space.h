/*
 * suite_space.h -- the search space of a problem of bf_suite()
 * (tests/search/bench_functions.h) as the drivers that run them
 * (search_suite.c, warm_suite.c) write it: the spec's YAML and the
 * problem's input of a configuration.  Header-only (the includer includes
 * bench_functions.h, search.h and spec.h); benchmark tooling, not part of
 * ecosweep.
 */
#ifndef ES_SUITE_SPACE_H
#define ES_SUITE_SPACE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Number of choices of a categorical parameter, and the index of `s` among
 * them (-1 when absent). */
static inline int suite_choice_count(const bf_param_def *p)
{
    int n = 1;
    for (const char *c = p->choices; *c; c++)
        n += *c == ',';
    return n;
}

static inline int suite_choice_index(const bf_param_def *p, const char *s)
{
    size_t len = strlen(s);
    int i = 0;
    for (const char *c = p->choices; *c; i++) {
        const char *end = strchr(c, ',');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        if (n == len && strncmp(c, s, n) == 0)
            return i;
        if (end == NULL)
            break;
        c = end + 1;
    }
    return -1;
}

/* ---- The spec ------------------------------------------------------------------ */

/* The shortest text of x that reads back as x (for the spec's bounds). */
static inline const char *suite_num(double x, char *buf, size_t cap)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

/* The YAML of problem pr's sweep; fresh string, caller frees. */
static inline char *suite_yaml(const bf_problem *pr, es_method method, int trials, int parallel)
{
    size_t cap = 4096, len = 0;
    char *y = malloc(cap);
    if (y == NULL)
        return NULL;
    len += (size_t)snprintf(y + len, cap - len,
                            "name: suite-%s\nprogram: objective.py\nmethod: %s\n"
                            "metric: {name: loss, goal: minimize}\nrun_cap: %d\nparallel: %d\n"
                            "parameters:\n",
                            pr->name, es_method_name(method), trials, parallel);
    for (size_t i = 0; i < pr->d && len < cap; i++) {
        const bf_param_def *p = &pr->p[i];
        char lo[32], hi[32];
        switch (p->kind) {
        case BF_UNIFORM:
        case BF_LOG:
            len +=
                (size_t)snprintf(y + len, cap - len, "  %s: {distribution: %s, min: %s, max: %s}\n",
                                 p->name, p->kind == BF_LOG ? "log_uniform_values" : "uniform",
                                 suite_num(p->lo, lo, sizeof lo), suite_num(p->hi, hi, sizeof hi));
            break;
        case BF_INT:
            len += (size_t)snprintf(y + len, cap - len,
                                    "  %s: {distribution: int_uniform, min: %.0f, max: %.0f}\n",
                                    p->name, p->lo, p->hi);
            break;
        case BF_CATEGORICAL:
            len += (size_t)snprintf(y + len, cap - len,
                                    "  %s: {distribution: categorical, values: [", p->name);
            for (const char *c = p->choices; *c && len < cap - 1; c++) {
                if (*c == ',')
                    len += (size_t)snprintf(y + len, cap - len, ", ");
                else
                    y[len++] = *c;
            }
            if (len < cap)
                len += (size_t)snprintf(y + len, cap - len, "]}\n");
            break;
        }
    }
    if (len >= cap) {
        free(y);
        return NULL;
    }
    return y;
}

/* The problem's input of a configuration: numbers, a categorical as its
 * index.  0, or -1 when a value is not what the space allows. */
static inline int suite_point(const bf_problem *pr, const es_value *v, double *x /* OUT */)
{
    for (size_t j = 0; j < pr->d; j++) {
        if (pr->p[j].kind == BF_CATEGORICAL) {
            int c = v[j].kind == ES_V_STR ? suite_choice_index(&pr->p[j], v[j].s) : -1;
            if (c < 0)
                return -1;
            x[j] = c;
        } else {
            x[j] = es_value_number(&v[j]);
            if (!isfinite(x[j]))
                return -1;
        }
    }
    return 0;
}

#endif
