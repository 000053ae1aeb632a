/*
 * search_latency.c -- how long a Bayesian suggestion takes, and how good it
 * is: a measuring program, not a test (ctest does not run it).
 *
 *   search_latency [latency]   suggestion time with n = 50, 200, 500, 1000
 *                              observations in 6-D, without and with an
 *                              energy budget (mean, median, max over the
 *                              suggestions after the first)
 *   search_latency quality     median regret over 10 seeds, bayes against
 *                              random, on Branin (30 trials) and Hartmann6
 *                              (50 trials)
 *   search_latency cost [TARGET [SEEDS [CAP [MS_PER_UNIT [STARTUP_J]]]]]
 *                              (defaults 2.2, 50 seeds, 200 trials, 1 ms,
 *                              0.6 J)
 *                              energy to reach val_loss <= TARGET on a
 *                              simulation of configs/examples/synthetic_train.py
 *                              (the benchmark's cost task, same space and
 *                              budget), random, bayes and cost-aware bayes:
 *                              the search alone, without processes, so
 *                              that many seeds take seconds
 *
 * Build it in Release or RelWithDebInfo: a Debug build measures the
 * compiler, not the search.  Times are wall-clock; with LAT_CPU set in the
 * environment they are the process's CPU time, which a busy machine
 * disturbs less.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_functions.h"
#include "rng.h"
#include "search.h"

#define LAT_ROUNDS 21

static double lat_now(void)
{
    struct timespec ts;
    clock_gettime(getenv("LAT_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int lat_by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A trial's energy in the latency runs: grows with x1 and x2, with noise. */
static double lat_energy(const es_value *v, es_rng *rng)
{
    double x1 = es_value_number(&v[0]), x2 = es_value_number(&v[1]);
    return 100.0 * (1.0 + 4.0 * x1 + x2 * x2) * exp(0.05 * es_rng_normal(rng));
}

static int lat_run(size_t n, int budget)
{
    static const double lo[6] = {0, 0, 0, 0, 0, 0}, hi[6] = {1, 1, 1, 1, 1, 1};
    es_param p[6];
    bf_params(p, 6, lo, hi);
    es_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.method = ES_METHOD_BAYES;
    spec.params = p;
    spec.n_params = 6;
    spec.parallel = 1;
    spec.metric_name = (char *)"loss";

    es_search *s = NULL;
    es_err err;
    es_rng rng;
    es_rng_seed(&rng, 7);
    if (es_search_create(&spec, 1, &s, &err) != 0)
        return 1;
    for (size_t i = 0; i < n; i++) {
        es_value v[6];
        for (size_t j = 0; j < 6; j++) {
            memset(&v[j], 0, sizeof v[j]);
            v[j].kind = ES_V_FLOAT;
            v[j].f = es_rng_uniform(&rng);
        }
        double f = bf_hartmann6((double[6]){v[0].f, v[1].f, v[2].f, v[3].f, v[4].f, v[5].f});
        es_search_observe(s, i, v, ES_OBS_COMPLETED, f, lat_energy(v, &rng), &err);
    }
    if (budget)
        es_search_set_energy_budget(s, 400.0, 1000.0);

    double t[LAT_ROUNDS], first = 0.0;
    for (int r = 0; r < LAT_ROUNDS; r++) {
        es_value v[6];
        memset(v, 0, sizeof v);
        double t0 = lat_now();
        int rc = es_search_suggest(s, n + (size_t)r, v, &err);
        double dt = lat_now() - t0;
        if (rc != 0) {
            fprintf(stderr, "suggest: %d %s\n", rc, err.msg);
            es_search_destroy(s);
            return 1;
        }
        if (r == 0)
            first = dt;
        t[r] = dt;
        double f = bf_eval(v, 6);
        es_search_observe(s, n + (size_t)r, v, ES_OBS_COMPLETED, f, lat_energy(v, &rng), &err);
        for (size_t j = 0; j < 6; j++)
            es_value_clear(&v[j]);
    }
    double sum = 0.0;
    for (int r = 1; r < LAT_ROUNDS; r++)
        sum += t[r];
    qsort(t + 1, LAT_ROUNDS - 1, sizeof t[0], lat_by_double);
    printf("%6zu  %-6s  %8.1f  %8.1f  %8.1f  %8.1f\n", n, budget ? "yes" : "no",
           1e3 * sum / (LAT_ROUNDS - 1), 1e3 * t[LAT_ROUNDS / 2], 1e3 * t[LAT_ROUNDS - 1],
           1e3 * first);
    es_search_destroy(s);
    return 0;
}

static double qual_median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, lat_by_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

static int qual_run(const char *name, size_t d, int trials, double fmin)
{
    double reg[2][10], half[2][10], *best = malloc((size_t)trials * sizeof *best);
    es_method methods[2] = {ES_METHOD_BAYES, ES_METHOD_RANDOM};
    double secs = 0.0;
    for (int m = 0; m < 2; m++)
        for (int seed = 1; seed <= 10; seed++) {
            double t0 = lat_now();
            if (bf_run(methods[m], d, (uint64_t)seed, trials, best) != 0) {
                free(best);
                return 1;
            }
            if (m == 0)
                secs += lat_now() - t0;
            reg[m][seed - 1] = best[trials - 1] - fmin;
            half[m][seed - 1] = best[trials / 2 - 1] - fmin;
            printf("  %s %-6s seed %2d: regret %.5f after %d, %.5f after %d\n", name,
                   m ? "random" : "bayes", seed, reg[m][seed - 1], trials, half[m][seed - 1],
                   trials / 2);
        }
    printf("%s: median regret after %d trials: bayes %.5f, random %.5f; after %d: bayes %.5f, "
           "random %.5f (bayes %.2f s per sweep)\n",
           name, trials, qual_median(reg[0], 10), qual_median(reg[1], 10), trials / 2,
           qual_median(half[0], 10), qual_median(half[1], 10), secs / 10);
    free(best);
    return 0;
}

/* ---- The cost task, simulated ------------------------------------------------ */

/* synthetic_train.py's loss (see there). */
static double cost_loss(double size, double epochs, double lr)
{
    double l = log10(lr / (3e-3 / sqrt(size)));
    return 1.6 + 2.0 / sqrt(size) + 1.2 * pow(epochs, -0.6) + 0.6 * l * l;
}

typedef struct cost_result {
    double energy, trials; /* to the target; INFINITY when not reached */
} cost_result;

/* One sweep: method (bayes with budget_j > 0 is cost-aware), energy per
 * trial = (units x ms_per_unit / 1000 CPU-s) x 12 W + startup_j, with 3%
 * noise. */
static int cost_run(es_method method, double budget_j, uint64_t seed, double target, int cap,
                    double ms_per_unit, double startup_j, cost_result *out)
{
    es_param p[3];
    memset(p, 0, sizeof p);
    p[0] = (es_param){.name = (char *)"model_size",
                      .dist = ES_DIST_Q_LOG_UNIFORM_VALUES,
                      .min = 1,
                      .max = 64,
                      .q = 1,
                      .line = 1};
    p[1] = (es_param){.name = (char *)"epochs",
                      .dist = ES_DIST_INT_UNIFORM,
                      .min = 1,
                      .max = 20,
                      .q = 1,
                      .line = 2};
    p[2] = (es_param){.name = (char *)"lr",
                      .dist = ES_DIST_LOG_UNIFORM_VALUES,
                      .min = 1e-4,
                      .max = 0.1,
                      .q = 1,
                      .line = 3};
    es_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.method = method;
    spec.params = p;
    spec.n_params = 3;
    spec.parallel = 1;
    spec.run_cap = cap;
    spec.metric_name = (char *)"val_loss";

    es_search *s = NULL;
    es_err err;
    es_rng rng;
    es_rng_seed(&rng, seed ^ UINT64_C(0xC057));
    if (es_search_create(&spec, seed, &s, &err) != 0)
        return 1;
    double spent = 0.0;
    out->energy = out->trials = INFINITY;
    for (int i = 0; i < cap; i++) {
        es_value v[3];
        memset(v, 0, sizeof v);
        if (budget_j > 0)
            es_search_set_energy_budget(s, budget_j - spent, budget_j);
        int rc = es_search_suggest(s, (uint64_t)i, v, &err);
        if (rc != 0) {
            fprintf(stderr, "seed %llu trial %d: %s\n", (unsigned long long)seed, i, err.msg);
            break;
        }
        double size = round(es_value_number(&v[0])), ep = round(es_value_number(&v[1]));
        double f = cost_loss(size, ep, es_value_number(&v[2]));
        double e =
            (size * ep * ms_per_unit / 1000.0 * 12.0 + startup_j) * exp(0.03 * es_rng_normal(&rng));
        spent += e;
        double fmed = NAN, fup = NAN;
        if (getenv("COST_TRACE"))
            es_search_forecast(s, v, &fmed, &fup);
        es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED, f, e, &err);
        for (size_t j = 0; j < 3; j++)
            es_value_clear(&v[j]);
        if (getenv("COST_TRACE"))
            printf(
                "    %d: size %2.0f epochs %2.0f lr %.2g loss %.3f  %.2f J (forecast %.2f, %.2f)\n",
                i, size, ep, es_value_number(&v[2]), f, e, fmed, fup);
        if (f <= target) {
            out->energy = spent;
            out->trials = i + 1;
            break;
        }
    }
    es_search_destroy(s);
    return 0;
}

static int cost_main(int argc, char **argv)
{
    double target = argc > 2 ? atof(argv[2]) : 2.2;
    int seeds = argc > 3 ? atoi(argv[3]) : 50, cap = argc > 4 ? atoi(argv[4]) : 200;
    double ms = argc > 5 ? atof(argv[5]) : 1.0, startup = argc > 6 ? atof(argv[6]) : 0.6;
    /* The benchmark's budget: random's expected spend over 50 trials. */
    double budget = 50 * (0.159 * ms * 12.0 + startup);
    const char *names[3] = {"random", "bayes", "bayes-cost"};
    double *e = malloc((size_t)seeds * 2 * sizeof *e), med[3];
    if (e == NULL)
        return 1;
    for (int m = 0; m < 3; m++) {
        int reached = 0;
        double secs = lat_now();
        for (int seed = 0; seed < seeds; seed++) {
            cost_result r;
            if (cost_run(m == 0 ? ES_METHOD_RANDOM : ES_METHOD_BAYES, m == 2 ? budget : 0.0,
                         (uint64_t)seed, target, cap, ms, startup, &r) != 0) {
                free(e);
                return 1;
            }
            e[seed] = r.energy;
            e[seeds + seed] = r.trials;
            reached += isfinite(r.energy);
            if (getenv("COST_VERBOSE"))
                printf("  %-10s seed %2d: %7.1f J in %.0f trials\n", names[m], seed, r.energy,
                       r.trials);
        }
        secs = lat_now() - secs;
        qsort(e, (size_t)seeds, sizeof *e, lat_by_double);
        qsort(e + seeds, (size_t)seeds, sizeof *e, lat_by_double);
        med[m] = qual_median(e, seeds);
        printf("%-10s target %.3f: reached %2d/%d, energy to target median %7.1f J [%.1f, %.1f], "
               "trials median %.0f (%.1f s)\n",
               names[m], target, reached, seeds, med[m], e[seeds / 4], e[(3 * seeds) / 4],
               qual_median(e + seeds, seeds), secs);
    }
    printf("ratio cost-aware / random %.2f, bayes / random %.2f\n", med[2] / med[0],
           med[1] / med[0]);
    free(e);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "cost") == 0)
        return cost_main(argc, argv);
    if (argc > 1 && strcmp(argv[1], "quality") == 0) {
        int rc = qual_run("branin", 2, 30, BF_BRANIN_MIN);
        return rc | qual_run("hartmann6", 6, 50, BF_HARTMANN6_MIN);
    }
    printf("     n  budget   mean ms  median ms   max ms  first ms\n");
    if (argc > 2) /* one size: search_latency latency N [budget] */
        return lat_run((size_t)strtoul(argv[2], NULL, 10), argc > 3);
    static const size_t ns[4] = {50, 200, 500, 1000};
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < 4; i++)
            if (lat_run(ns[i], b) != 0)
                return 1;
    return 0;
}
