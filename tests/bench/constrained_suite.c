/*
 * constrained_suite.c -- the ecosweep side of the constrained suite
 * (run_constrained_suite.sh): one sweep of one constrained problem run
 * in-process against the search, as the coordinator drives it (suggest,
 * observe pending, then completed with the objectives' and the
 * constraints' values), with no processes, worker or database.
 *
 *   constrained_suite run --problem P [--seed S] [--trials N] [--parallel Q]
 *                         [--method bayes|random]
 *
 * prints one JSON line: the problem, method, seed, parallel and every
 * trial's point, objective values and constraint values (each must be at
 * most 0), in the order they were suggested.  constrained_suite.py computes
 * the same values from the points (a check that both sides agree), the
 * optimum of each problem and the regrets.  The spec is YAML, as a user
 * would write it: `metric` (or `objectives`) and `constraints: [{name: cK,
 * max: 0}]`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_functions.h"
#include "search.h"
#include "spec.h"
#include "suite_run.h"

#define CS_PI 3.14159265358979323846
#define CS_MAX_D 6
#define CS_MAX_C 4

typedef struct cs_problem {
    const char *name;
    int d, m, nc; /* parameters, objectives, constraints */
    double lo[CS_MAX_D], hi[CS_MAX_D];
    /* y: m objectives (minimized); c: nc constraints, feasible when <= 0. */
    void (*f)(const double *x, double *y, double *c);
} cs_problem;

/* Gardner et al. (2014), the toy problem of constrained EI. */
static void gardner(const double *x, double *y, double *c)
{
    y[0] = cos(2.0 * x[0]) * cos(x[1]) + sin(x[0]);
    c[0] = cos(x[0]) * cos(x[1]) - sin(x[0]) * sin(x[1]) - 0.5;
}

/* Branin in a disc (Gelbart et al. 2014): one of its three minima is
 * feasible. */
static void branin_disc(const double *x, double *y, double *c)
{
    double a = x[0], b = x[1];
    double t = b - 5.1 / (4 * CS_PI * CS_PI) * a * a + 5.0 / CS_PI * a - 6.0;
    y[0] = t * t + 10.0 * (1.0 - 1.0 / (8 * CS_PI)) * cos(a) + 10.0;
    c[0] = (a - 2.5) * (a - 2.5) + (b - 7.5) * (b - 7.5) - 50.0;
}

/* Gramacy et al. (2016): a linear objective, a wiggly and a disc constraint. */
static void gramacy(const double *x, double *y, double *c)
{
    y[0] = x[0] + x[1];
    c[0] = 1.5 - x[0] - 2.0 * x[1] - 0.5 * sin(2 * CS_PI * (x[0] * x[0] - 2.0 * x[1]));
    c[1] = x[0] * x[0] + x[1] * x[1] - 1.5;
}

/* Hartmann-6 in a simplex: sum x <= 1.5 cuts off its optimum (sum 2.08),
 * so the constrained one lies on the boundary. */
static void hartmann6_simplex(const double *x, double *y, double *c)
{
    double sum = 0;
    for (int j = 0; j < 6; j++)
        sum += x[j];
    y[0] = bf_hartmann6(x);
    c[0] = sum - 1.5;
}

/* Tension/compression spring design (Arora 1989): wire diameter, coil
 * diameter, active coils; the feasible region is a thin sliver. */
static void spring(const double *x, double *y, double *c)
{
    double d = x[0], D = x[1], N = x[2];
    y[0] = (N + 2.0) * D * d * d;
    c[0] = 1.0 - D * D * D * N / (71785.0 * d * d * d * d);
    c[1] = (4.0 * D * D - d * D) / (12566.0 * (D * d * d * d - d * d * d * d)) +
           1.0 / (5108.0 * d * d) - 1.0;
    c[2] = 1.0 - 140.45 * d / (D * D * N);
    c[3] = (D + d) / 1.5 - 1.0;
}

/* Pressure vessel design (Sandgren 1990), continuous: shell and head
 * thickness, radius, length; a cost over four decades. */
static void pressure_vessel(const double *x, double *y, double *c)
{
    double ts = x[0], th = x[1], r = x[2], l = x[3];
    y[0] = 0.6224 * ts * r * l + 1.7781 * th * r * r + 3.1661 * ts * ts * l + 19.84 * ts * ts * r;
    c[0] = -ts + 0.0193 * r;
    c[1] = -th + 0.00954 * r;
    c[2] = -CS_PI * r * r * l - 4.0 / 3.0 * CS_PI * r * r * r + 1296000.0;
}

/* SRN (Srinivas & Deb 1994): two objectives, a disc and a half-plane. */
static void srn(const double *x, double *y, double *c)
{
    y[0] = 2.0 + (x[0] - 2.0) * (x[0] - 2.0) + (x[1] - 1.0) * (x[1] - 1.0);
    y[1] = 9.0 * x[0] - (x[1] - 1.0) * (x[1] - 1.0);
    c[0] = x[0] * x[0] + x[1] * x[1] - 225.0;
    c[1] = x[0] - 3.0 * x[1] + 10.0;
}

/* TNK (Tanaka 1995): the front is the feasible region's wavy edge. */
static void tnk(const double *x, double *y, double *c)
{
    y[0] = x[0];
    y[1] = x[1];
    c[0] = -(x[0] * x[0] + x[1] * x[1] - 1.0 - 0.1 * cos(16.0 * atan2(x[0], x[1])));
    c[1] = (x[0] - 0.5) * (x[0] - 0.5) + (x[1] - 0.5) * (x[1] - 0.5) - 0.5;
}

static const cs_problem problems[] = {
    {"gardner", 2, 1, 1, {0, 0}, {6, 6}, gardner},
    {"branin_disc", 2, 1, 1, {-5, 0}, {10, 15}, branin_disc},
    {"gramacy", 2, 1, 2, {0, 0}, {1, 1}, gramacy},
    {"hartmann6_simplex", 6, 1, 1, {0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, hartmann6_simplex},
    {"spring", 3, 1, 4, {0.05, 0.25, 2}, {2, 1.3, 15}, spring},
    {"pressure_vessel", 4, 1, 3, {0.1, 0.1, 10, 10}, {10, 10, 200, 200}, pressure_vessel},
    {"srn", 2, 2, 2, {-20, -20}, {20, 20}, srn},
    {"tnk", 2, 2, 2, {1e-9, 1e-9}, {CS_PI, CS_PI}, tnk},
};

int main(int argc, char **argv)
{
    suite_args a;
    if (suite_parse(argc, argv, "constrained_suite", &a) != 0)
        return 2;
    const cs_problem *pb =
        suite_find("constrained_suite", problems, sizeof problems / sizeof *problems,
                   sizeof *problems, a.problem);
    if (pb == NULL)
        return 2;
    const char *method = a.method;
    int trials = a.trials, parallel = a.parallel;

    char yaml[4096];
    int k =
        snprintf(yaml, sizeof yaml, "program: train.py\nmethod: %s\nrun_cap: %d\nparallel: %d\n",
                 method, trials, parallel);
    if (pb->m == 1)
        k += snprintf(yaml + k, sizeof yaml - (size_t)k, "metric: {name: f1, goal: minimize}\n");
    else
        k += snprintf(yaml + k, sizeof yaml - (size_t)k,
                      "objectives:\n  - {name: f1, goal: minimize}\n"
                      "  - {name: f2, goal: minimize}\n");
    k += snprintf(yaml + k, sizeof yaml - (size_t)k, "constraints:\n");
    for (int j = 0; j < pb->nc; j++)
        k += snprintf(yaml + k, sizeof yaml - (size_t)k, "  - {name: c%d, max: 0}\n", j + 1);
    k += snprintf(yaml + k, sizeof yaml - (size_t)k, "parameters:\n");
    for (int j = 0; j < pb->d; j++)
        k += snprintf(yaml + k, sizeof yaml - (size_t)k, "  x%d: {min: %#.17g, max: %#.17g}\n", j,
                      pb->lo[j], pb->hi[j]);
    es_spec *spec;
    es_search *s;
    if (suite_open("constrained_suite", yaml, a.seed, &spec, &s) != 0)
        return 1;
    size_t no = spec->n_objectives, nv = no + (size_t)pb->nc;
    es_value *v = calloc((size_t)trials * pb->d, sizeof *v);
    double *x = calloc((size_t)trials * pb->d, sizeof *x);
    double *y = calloc((size_t)trials * 2, sizeof *y), *c = calloc((size_t)trials * CS_MAX_C, 8);
    double vals[2 + CS_MAX_C];
    for (int i = 0; i < trials; i += parallel) {
        int q = i + parallel <= trials ? parallel : trials - i;
        for (int b = i; b < i + q; b++) {
            if (suite_suggest("constrained_suite", s, b, v + (size_t)b * pb->d, (size_t)pb->d,
                              x + (size_t)b * pb->d) != 0)
                return 1;
        }
        for (int b = i; b < i + q; b++) {
            double *yb = y + 2 * (size_t)b, *cb = c + CS_MAX_C * (size_t)b;
            pb->f(x + (size_t)b * pb->d, yb, cb);
            /* The objectives the spec lists (none with `metric:` alone),
             * then the constraints. */
            for (size_t j = 0; j < no; j++)
                vals[j] = yb[j];
            for (int j = 0; j < pb->nc; j++)
                vals[no + (size_t)j] = cb[j];
            if (suite_complete("constrained_suite", s, b, v + (size_t)b * pb->d, yb[0], vals, nv) !=
                0)
                return 1;
        }
    }
    printf("{\"problem\": \"%s\", \"method\": \"ecosweep-%s\", \"seed\": %llu, \"parallel\": %d",
           pb->name, method, a.seed, parallel);
    suite_print_rows("x", x, trials, pb->d, pb->d);
    suite_print_rows("y", y, trials, 2, pb->m);
    suite_print_rows("c", c, trials, CS_MAX_C, pb->nc);
    printf("}\n");
    for (size_t i = 0; i < (size_t)trials * pb->d; i++)
        es_value_clear(&v[i]);
    free(v);
    free(x);
    free(y);
    free(c);
    es_search_destroy(s);
    es_spec_free(spec);
    return 0;
}
