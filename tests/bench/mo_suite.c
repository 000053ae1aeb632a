/*
 * mo_suite.c -- the ecosweep side of the multi-objective suite
 * (run_mo_suite.sh): one sweep of one bi-objective problem run in-process
 * against the search, as the coordinator drives it (suggest, observe
 * pending, then completed with every objective's value), with no
 * processes, worker or database.
 *
 *   mo_suite run --problem P [--seed S] [--trials N] [--parallel Q]
 *                [--method bayes|random]
 *
 * prints one JSON line: the problem, method, seed, parallel and every
 * trial's point and objective values, in the order they were suggested,
 * with each suggestion's CPU time.  mo_suite.py computes the same
 * objectives from the points (a check that both sides agree) and the
 * hypervolumes.  Both objectives are minimized; the spec is YAML, as a user
 * would write it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "search.h"
#include "spec.h"
#include "suite_run.h"

#define MO_PI 3.14159265358979323846

typedef struct mo_problem {
    const char *name;
    int d, m; /* parameters, objectives */
    void (*f)(const double *x, int d, double *y);
} mo_problem;

static double mo_g(const double *x, int d)
{
    double s = 0;
    for (int i = 1; i < d; i++)
        s += x[i];
    return 1.0 + 9.0 * s / (d - 1);
}

static void zdt1(const double *x, int d, double *y)
{
    double g = mo_g(x, d);
    y[0] = x[0];
    y[1] = g * (1.0 - sqrt(x[0] / g));
}

static void zdt2(const double *x, int d, double *y)
{
    double g = mo_g(x, d);
    y[0] = x[0];
    y[1] = g * (1.0 - (x[0] / g) * (x[0] / g));
}

static void zdt3(const double *x, int d, double *y)
{
    double g = mo_g(x, d);
    y[0] = x[0];
    y[1] = g * (1.0 - sqrt(x[0] / g) - x[0] / g * sin(10.0 * MO_PI * x[0]));
}

static void dtlz2(const double *x, int d, double *y)
{
    double g = 0;
    for (int i = 1; i < d; i++)
        g += (x[i] - 0.5) * (x[i] - 0.5);
    y[0] = (1.0 + g) * cos(x[0] * MO_PI / 2);
    y[1] = (1.0 + g) * sin(x[0] * MO_PI / 2);
}

/* DTLZ2 with three objectives: the front is the positive octant of the
 * unit sphere. */
static void dtlz2_3(const double *x, int d, double *y)
{
    double g = 0;
    for (int i = 2; i < d; i++)
        g += (x[i] - 0.5) * (x[i] - 0.5);
    double a = x[0] * MO_PI / 2, b = x[1] * MO_PI / 2;
    y[0] = (1.0 + g) * cos(a) * cos(b);
    y[1] = (1.0 + g) * cos(a) * sin(b);
    y[2] = (1.0 + g) * sin(a);
}

/* DTLZ7 with three objectives: a front of four disconnected patches. */
static void dtlz7_3(const double *x, int d, double *y)
{
    double g = 0;
    for (int i = 2; i < d; i++)
        g += x[i];
    g = 1.0 + 9.0 * g / (d - 2);
    y[0] = x[0];
    y[1] = x[1];
    double h = 3.0;
    for (int i = 0; i < 2; i++)
        h -= y[i] / (1.0 + g) * (1.0 + sin(3.0 * MO_PI * y[i]));
    y[2] = (1.0 + g) * h;
}

static void branin_currin(const double *x, int d, double *y)
{
    (void)d;
    double a = 15.0 * x[0] - 5.0, b = 15.0 * x[1];
    double t = b - 5.1 / (4 * MO_PI * MO_PI) * a * a + 5.0 / MO_PI * a - 6.0;
    y[0] = t * t + 10.0 * (1.0 - 1.0 / (8 * MO_PI)) * cos(a) + 10.0;
    double u = x[0], v = x[1] > 1e-12 ? x[1] : 1e-12;
    y[1] = (1.0 - exp(-1.0 / (2.0 * v))) * (2300 * u * u * u + 1900 * u * u + 2092 * u + 60) /
           (100 * u * u * u + 500 * u * u + 4 * u + 20);
}

static const mo_problem problems[] = {
    {"zdt1", 6, 2, zdt1},
    {"zdt2", 6, 2, zdt2},
    {"zdt3", 4, 2, zdt3},
    {"dtlz2", 5, 2, dtlz2},
    {"branin_currin", 2, 2, branin_currin},
    {"dtlz2_3d", 6, 3, dtlz2_3},
    {"dtlz7_3d", 6, 3, dtlz7_3},
};

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    suite_args a;
    if (suite_parse(argc, argv, "mo_suite", &a) != 0)
        return 2;
    const mo_problem *pb = suite_find("mo_suite", problems, sizeof problems / sizeof *problems,
                                      sizeof *problems, a.problem);
    if (pb == NULL)
        return 2;
    const char *method = a.method;
    unsigned long long seed = a.seed;
    int trials = a.trials, parallel = a.parallel;

    char yaml[4096];
    int k =
        snprintf(yaml, sizeof yaml,
                 "program: train.py\nmethod: %s\nrun_cap: %d\nparallel: %d\n"
                 "objectives:\n  - {name: f1, goal: minimize}\n"
                 "  - {name: f2, goal: minimize}\n%sparameters:\n",
                 method, trials, parallel, pb->m == 3 ? "  - {name: f3, goal: minimize}\n" : "");
    for (int j = 0; j < pb->d; j++)
        k += snprintf(yaml + k, sizeof yaml - (size_t)k, "  x%d: {min: 0.0, max: 1.0}\n", j);
    es_spec *spec;
    es_search *s;
    if (suite_open("mo_suite", yaml, seed, &spec, &s) != 0)
        return 1;
    es_value *v = calloc((size_t)trials * pb->d, sizeof *v);
    double *x = calloc((size_t)trials * pb->d, sizeof *x), *y = calloc(3 * (size_t)trials, 8);
    double *cpu = calloc((size_t)trials, sizeof *cpu);
    for (int i = 0; i < trials; i += parallel) {
        int q = i + parallel <= trials ? parallel : trials - i;
        for (int b = i; b < i + q; b++) {
            double t0 = cpu_now();
            if (suite_suggest("mo_suite", s, b, v + (size_t)b * pb->d, (size_t)pb->d,
                              x + (size_t)b * pb->d) != 0)
                return 1;
            cpu[b] = cpu_now() - t0;
        }
        for (int b = i; b < i + q; b++) {
            double *yb = y + (size_t)pb->m * b;
            pb->f(x + (size_t)b * pb->d, pb->d, yb);
            if (suite_complete("mo_suite", s, b, v + (size_t)b * pb->d, yb[0], yb, (size_t)pb->m) !=
                0)
                return 1;
        }
    }
    printf("{\"problem\": \"%s\", \"method\": \"ecosweep-%s\", \"seed\": %llu, \"parallel\": %d",
           pb->name, method, seed, parallel);
    suite_print_rows("x", x, trials, pb->d, pb->d);
    suite_print_rows("y", y, trials, pb->m, pb->m);
    printf(", \"suggest_cpu_s\": [");
    for (int i = 0; i < trials; i++)
        printf("%s%.6g", i ? ", " : "", cpu[i]);
    printf("]}\n");
    for (size_t i = 0; i < (size_t)trials * pb->d; i++)
        es_value_clear(&v[i]);
    free(v);
    free(x);
    free(y);
    free(cpu);
    es_search_destroy(s);
    es_spec_free(spec);
    return 0;
}
