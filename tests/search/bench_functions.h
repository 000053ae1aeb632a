/*
 * bench_functions.h -- closed-form test functions for the Bayesian search,
 * shared by its quality tests and the search_latency program: Branin (2-D,
 * minimum 0.397887) and Hartmann6 (6-D unit cube, minimum -3.32237), and a
 * loop that runs a whole sequential sweep of one against a search.
 */
#ifndef ES_BENCH_FUNCTIONS_H
#define ES_BENCH_FUNCTIONS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

#define BF_BRANIN_MIN 0.397887357729738
#define BF_HARTMANN6_MIN (-3.32236801141551)

static inline double bf_branin(double x1, double x2)
{
    const double pi = 3.14159265358979323846;
    double b = 5.1 / (4.0 * pi * pi), c = 5.0 / pi, t = 1.0 / (8.0 * pi);
    double u = x2 - b * x1 * x1 + c * x1 - 6.0;
    return u * u + 10.0 * (1.0 - t) * cos(x1) + 10.0;
}

static inline double bf_hartmann6(const double *x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double p[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                   {2329, 4135, 8307, 3736, 1004, 9991},
                                   {2348, 1451, 3522, 2883, 3047, 6650},
                                   {4047, 8828, 8732, 5743, 1091, 381}};
    double f = 0.0;
    for (int i = 0; i < 4; i++) {
        double s = 0.0;
        for (int j = 0; j < 6; j++) {
            double dx = x[j] - 1e-4 * p[i][j];
            s += a[i][j] * dx * dx;
        }
        f -= alpha[i] * exp(-s);
    }
    return f;
}

/* Uniform parameters x1..xd on [lo[i], hi[i]] (names are static strings). */
static inline void bf_params(es_param *p, size_t d, const double *lo, const double *hi)
{
    static const char *names[8] = {"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"};
    for (size_t i = 0; i < d; i++) {
        memset(&p[i], 0, sizeof p[i]);
        p[i].name = (char *)names[i];
        p[i].dist = ES_DIST_UNIFORM;
        p[i].min = lo[i];
        p[i].max = hi[i];
        p[i].q = 1.0;
        p[i].line = 1;
    }
}

/* The objective of a configuration: Branin for 2 parameters, Hartmann6
 * for 6. */
static inline double bf_eval(const es_value *v, size_t d)
{
    double x[6];
    for (size_t i = 0; i < d && i < 6; i++)
        x[i] = es_value_number(&v[i]);
    return d == 2 ? bf_branin(x[0], x[1]) : bf_hartmann6(x);
}

/* Run `trials` sequential trials of a search on method (bayes or random)
 * with the given seed over the function of dimension d (2 or 6); the best
 * (lowest) function value after each trial goes to best[0 .. trials-1].
 * With goal maximize the search is told -f and asked to maximize it.  0 or
 * the code of the first failing call. */
static inline int bf_run_goal(es_method method, size_t d, uint64_t seed, int trials, es_goal goal,
                              double *best)
{
    static const double lo2[2] = {-5.0, 0.0}, hi2[2] = {10.0, 15.0};
    static const double lo6[6] = {0, 0, 0, 0, 0, 0}, hi6[6] = {1, 1, 1, 1, 1, 1};
    es_param p[6];
    bf_params(p, d, d == 2 ? lo2 : lo6, d == 2 ? hi2 : hi6);
    es_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.method = method;
    spec.params = p;
    spec.n_params = d;
    spec.parallel = 1;
    spec.metric_name = (char *)"loss";
    spec.goal = goal;

    es_search *s = NULL;
    es_err err;
    int rc = es_search_create(&spec, seed, &s, &err);
    if (rc != 0)
        return rc;
    double b = INFINITY;
    for (int i = 0; i < trials && rc == 0; i++) {
        es_value v[6];
        memset(v, 0, sizeof v);
        rc = es_search_suggest(s, (uint64_t)i, v, &err);
        if (rc != 0)
            break;
        double f = bf_eval(v, d);
        b = f < b ? f : b;
        best[i] = b;
        rc = es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED,
                               goal == ES_GOAL_MAXIMIZE ? -f : f, NAN, &err);
        for (size_t j = 0; j < d; j++)
            es_value_clear(&v[j]);
    }
    es_search_destroy(s);
    return rc;
}

static inline int bf_run(es_method method, size_t d, uint64_t seed, int trials, double *best)
{
    return bf_run_goal(method, d, seed, trials, ES_GOAL_MINIMIZE, best);
}

#endif
