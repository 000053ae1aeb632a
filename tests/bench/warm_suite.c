/*
 * warm_suite.c -- the warm-start benchmark (run_warm_bench.sh): a sweep
 * that follows an earlier sweep of a related or an unrelated objective,
 * run in-process against the search as the coordinator drives it, beside
 * the same sweep started cold.
 *
 *   warm_suite run --problem P --mode cold|related|unrelated|misleading
 *                  [--seed S] [--trials N] [--earlier M]
 *   warm_suite task --problem P [--seed S]
 *                  the task of that seed (gamma, s, c, the unrelated
 *                  problem) as JSON, for warm_suite.py's Optuna runs
 *
 * The new sweep minimizes g(x) = s f(T(x)) + c for a closed-form problem f
 * of the search-quality suite (bench_functions.h), where T moves every
 * numeric coordinate by a power of its position in its range, u -> u^gamma
 * with log gamma uniform in [-0.3, 0.3] (the optimum moves by up to a
 * tenth of the range; categoricals stay), s is log-uniform in [0.1, 10]
 * and c uniform in [-100, 100]: drawn per seed.  Its regret is that of f
 * (g's minus its minimum, over s).  No noise is added (a noisy problem of
 * the suite is its noiseless function here).
 *
 *  - cold: no earlier sweep;
 *  - related: the earlier sweep ran bayes for M trials (default 40) on f
 *    itself (unmoved, unscaled), and the new one is warm-started from it;
 *  - unrelated: the earlier sweep's objective was another function, the
 *    next problem of the suite with as many dimensions (through the unit
 *    cube), or -f where there is none;
 *  - misleading: it was -f, whose best configurations are f's worst.
 *
 * Each trial costs 1 + 2 u_1 joules (u_1: the first parameter's position
 * in its range): the energy to reach a target is the sum of the costs up
 * to the first trial that reaches it.  One JSON line: the best-so-far
 * regret and the cost of every trial.  Not a test: ctest does not run it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_functions.h"
#include "rng.h"
#include "search.h"
#include "spec.h"
#include "suite_space.h"

#define WARM_STREAM UINT64_C(0x5741524d)

typedef struct warm_task {
    const bf_problem *f, *other; /* other: the unrelated objective (NULL: -f) */
    double gamma[BF_MAX_DIM], s, c;
} warm_task;

/* Position of coordinate j of x in its range (categorical: unused). */
static double warm_u(const bf_param_def *p, double x)
{
    if (p->kind == BF_LOG)
        return (log(x) - log(p->lo)) / (log(p->hi) - log(p->lo));
    return (x - p->lo) / (p->hi - p->lo);
}

static double warm_at(const bf_param_def *p, double u)
{
    u = fmin(fmax(u, 0.0), 1.0);
    if (p->kind == BF_LOG)
        return exp(log(p->lo) + u * (log(p->hi) - log(p->lo)));
    double v = p->lo + u * (p->hi - p->lo);
    return p->kind == BF_INT ? fmin(fmax(round(v), p->lo), p->hi) : v;
}

/* f at x moved by T (gamma), or x as it is when gamma is NULL. */
static double warm_f(const bf_problem *f, const double *gamma, const double *x)
{
    double y[BF_MAX_DIM];
    for (size_t j = 0; j < f->d; j++)
        y[j] = f->p[j].kind == BF_CATEGORICAL || gamma == NULL
                   ? x[j]
                   : warm_at(&f->p[j], pow(warm_u(&f->p[j], x[j]), gamma[j]));
    return f->f(y);
}

/* The unrelated objective at x (a point of f's space). */
static double warm_other(const warm_task *t, const double *x)
{
    if (t->other == NULL)
        return -t->f->f(x);
    double y[BF_MAX_DIM];
    for (size_t j = 0; j < t->f->d; j++) {
        const bf_param_def *p = &t->f->p[j], *q = &t->other->p[j];
        if (p->kind == BF_CATEGORICAL || q->kind == BF_CATEGORICAL)
            y[j] = q->kind == BF_CATEGORICAL ? 0 : warm_at(q, 0.5);
        else
            y[j] = warm_at(q, warm_u(p, x[j]));
    }
    return t->other->f(y);
}

/* One sweep of `trials` on objective kind (0: the new g, 1: f, 2: the
 * unrelated one, 3: -f), warm-started from `prior` (NULL: cold); regret and cost
 * of each trial into reg/cost (when not NULL); its configurations and
 * objectives into keep_v / keep_y (when not NULL). */
static int warm_sweep(const warm_task *t, es_spec *spec, uint64_t seed, int trials, int kind,
                      const es_value *prior_v, const double *prior_y, int n_prior, double *reg,
                      double *cost, es_value *keep_v, double *keep_y)
{
    const bf_problem *f = t->f;
    es_search *s = NULL;
    es_err err;
    es_value *v = calloc(f->d, sizeof *v);
    unsigned char known[BF_MAX_DIM];
    memset(known, 1, sizeof known);
    int rc = 1;
    if (v == NULL || es_search_create(spec, seed, &s, &err) != 0)
        goto out;
    for (int i = 0; i < n_prior; i++)
        if (es_search_warm(s, 0, prior_v + (size_t)i * f->d, known, prior_y[i], NAN, &err) < 0)
            goto out;
    double best = INFINITY, best_true = INFINITY;
    for (int i = 0; i < trials; i++) {
        double x[BF_MAX_DIM];
        if (es_search_suggest(s, (uint64_t)i, v, &err) != 0 || suite_point(f, v, x) != 0) {
            fprintf(stderr, "warm_suite: %s trial %d: %s\n", f->name, i, err.msg);
            goto out;
        }
        double y = kind == 0   ? t->s * warm_f(f, t->gamma, x) + t->c
                   : kind == 1 ? warm_f(f, NULL, x)
                   : kind == 2 ? warm_other(t, x)
                               : -warm_f(f, NULL, x);
        if (y < best) {
            best = y;
            best_true = kind == 0 ? (y - t->c) / t->s - f->fmin : y;
        }
        if (reg != NULL)
            reg[i] = fmax(best_true, 0.0);
        if (cost != NULL)
            cost[i] = 1.0 + 2.0 * (f->p[0].kind == BF_CATEGORICAL ? 0.5 : warm_u(&f->p[0], x[0]));
        if (keep_v != NULL) {
            for (size_t j = 0; j < f->d; j++)
                es_value_copy(&keep_v[(size_t)i * f->d + j], &v[j]);
            keep_y[i] = y;
        }
        if (es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED, y, NAN, &err) != 0)
            goto out;
        for (size_t j = 0; j < f->d; j++)
            es_value_clear(&v[j]);
    }
    rc = 0;
out:
    es_search_destroy(s);
    free(v);
    return rc;
}

int main(int argc, char **argv)
{
    const char *problem = NULL, *mode = "cold";
    unsigned long long seed = 1;
    int trials = 60, earlier = 40;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--problem") == 0)
            problem = argv[i + 1];
        else if (strcmp(argv[i], "--mode") == 0)
            mode = argv[i + 1];
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--trials") == 0)
            trials = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--earlier") == 0)
            earlier = atoi(argv[i + 1]);
    }
    int kind = strcmp(mode, "cold") == 0         ? 0
               : strcmp(mode, "related") == 0    ? 1
               : strcmp(mode, "unrelated") == 0  ? 2
               : strcmp(mode, "misleading") == 0 ? 3
                                                 : -1;
    size_t n;
    const bf_problem *tab = bf_suite(&n), *f = NULL;
    for (size_t i = 0; i < n; i++)
        if (problem != NULL && strcmp(tab[i].name, problem) == 0)
            f = &tab[i];
    int task = argc >= 2 && strcmp(argv[1], "task") == 0;
    if (argc < 2 || (!task && strcmp(argv[1], "run") != 0) || f == NULL || f->external ||
        trials < 1 || earlier < 1 || kind < 0) {
        fprintf(stderr,
                "usage: warm_suite run --problem P --mode cold|related|unrelated|misleading "
                "[--seed S] [--trials N] [--earlier M]\n");
        return 2;
    }
    warm_task t = {.f = f};
    for (size_t k = 1; k < n && t.other == NULL; k++) {
        const bf_problem *q = &tab[(size_t)(f - tab + (ptrdiff_t)k) % n];
        if (q->d == f->d && !q->external && q->noise_sd == 0 && q->f != f->f)
            t.other = q;
    }
    es_rng r;
    es_rng_seed_stream(&r, seed ^ WARM_STREAM, 0);
    for (size_t j = 0; j < f->d; j++)
        t.gamma[j] = exp(0.6 * es_rng_uniform(&r) - 0.3);
    t.s = exp(log(10.0) * (2.0 * es_rng_uniform(&r) - 1.0));
    t.c = 200.0 * es_rng_uniform(&r) - 100.0;
    if (task) {
        printf("{\"problem\": \"%s\", \"seed\": %llu, \"gamma\": [", f->name, seed);
        for (size_t j = 0; j < f->d; j++)
            printf("%s%.17g", j ? ", " : "", t.gamma[j]);
        printf("], \"s\": %.17g, \"c\": %.17g, \"other\": %s%s%s}\n", t.s, t.c, t.other ? "\"" : "",
               t.other ? t.other->name : "null", t.other ? "\"" : "");
        return 0;
    }

    char *yaml = suite_yaml(f, ES_METHOD_BAYES, trials > earlier ? trials : earlier, 1);
    es_spec *spec = NULL;
    es_err err;
    if (yaml == NULL || es_spec_parse_string(yaml, strlen(yaml), "warm.yaml", &spec, &err) != 0) {
        fprintf(stderr, "warm_suite: %s\n", yaml == NULL ? "out of memory" : err.msg);
        return 1;
    }
    double *reg = calloc((size_t)trials, sizeof *reg), *cost = calloc((size_t)trials, sizeof *cost);
    es_value *pv = calloc((size_t)earlier * f->d, sizeof *pv);
    double *py = calloc((size_t)earlier, sizeof *py);
    int rc = reg == NULL || cost == NULL || pv == NULL || py == NULL;
    if (rc == 0 && kind > 0)
        rc = warm_sweep(&t, spec, seed + 1000, earlier, kind, NULL, NULL, 0, NULL, NULL, pv, py);
    if (rc == 0)
        rc = warm_sweep(&t, spec, seed, trials, 0, pv, py, kind > 0 ? earlier : 0, reg, cost, NULL,
                        NULL);
    if (rc == 0) {
        printf("{\"problem\": \"%s\", \"mode\": \"%s\", \"seed\": %llu, \"method\": "
               "\"ecosweep_bayes\", \"regret\": [",
               f->name, mode, seed);
        for (int i = 0; i < trials; i++)
            printf("%s%.17g", i ? ", " : "", reg[i]);
        printf("], \"cost\": [");
        for (int i = 0; i < trials; i++)
            printf("%s%.6g", i ? ", " : "", cost[i]);
        printf("]}\n");
    }
    for (size_t k = 0; k < (size_t)earlier * f->d; k++)
        es_value_clear(&pv[k]);
    free(pv);
    free(py);
    free(reg);
    free(cost);
    free(yaml);
    es_spec_free(spec);
    return rc;
}
