/*
 * search_suite.c -- the ecosweep side of the search-quality suite
 * (run_search_suite.sh): one sweep of one problem of bf_suite()
 * (tests/search/bench_functions.h) run in-process against the search, the
 * way the coordinator drives it, with no processes, worker or database, so
 * that ten seeds of every problem take minutes.
 *
 *   search_suite list                 the problems' names, one a line
 *   search_suite spec PROBLEM         the ecosweep spec of its space (YAML)
 *   search_suite check                per problem, one JSON line: its space,
 *                                     f at fixed points and at its known
 *                                     minimizer (compared with
 *                                     search_suite.py check)
 *   search_suite run --problem P [--seed S] [--trials N] [--parallel Q]
 *                    [--method bayes|random]
 *                                     one sweep; one JSON line
 *
 * A sweep goes in rounds, as the coordinator's fill_now / trial_launch and
 * its result handler do: Q suggestions, each observed ES_OBS_PENDING right
 * after it is made (after the energy forecast the coordinator asks for),
 * then the Q objectives, each observed ES_OBS_COMPLETED; and again, until N
 * trials.  The spec is YAML parsed by es_spec_parse_string, with run_cap N
 * and parallel Q, as a user would write it.
 *
 * Recorded: the simple regret of the best-so-far at 20, 40 and 100 trials
 * (those up to N, and N), scored by the noiseless value of the trial with
 * the best observed (possibly noisy) value; the share of suggestions after
 * the initial design with a continuous coordinate within 0.5% of a bound
 * (in the cube of the encoding: log space for log parameters); and the CPU
 * time of each es_search_suggest call.
 *
 * Build it with the normal build (Release or RelWithDebInfo: a Debug build
 * measures the compiler).  Not a test: ctest does not run it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_functions.h"
#include "rng.h"
#include "search.h"
#include "spec.h"
#include "suite_space.h"

/* A coordinate this close to 0 or 1 (in the unit cube) is "at a bound". */
#define SUITE_EDGE 0.005
/* The stream the noise of noisy problems comes from (mixed into the seed). */
#define SUITE_NOISE_STREAM UINT64_C(0x4E4F495345)
#define SUITE_MAX_HORIZONS 4
#define SUITE_CHECK_POINTS 6

/* The evaluator of an external problem (a scikit-learn task): search_suite.py
 * serve PROBLEM, given by $SEARCH_SUITE_PY and run by $SEARCH_SUITE_PYTHON
 * (default /usr/bin/python3), as a coprocess that reads one point a line
 * and answers its value. */
typedef struct suite_eval {
    FILE *to, *from;
    pid_t pid;
} suite_eval;

static int suite_eval_start(const bf_problem *pr, suite_eval *ev)
{
    ev->to = ev->from = NULL;
    ev->pid = -1;
    if (!pr->external)
        return 0;
    const char *py = getenv("SEARCH_SUITE_PY");
    int in[2], out[2];
    if (py == NULL) {
        fprintf(stderr, "search_suite: %s needs SEARCH_SUITE_PY (tests/bench/search_suite.py)\n",
                pr->name);
        return -1;
    }
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    ev->pid = fork();
    if (ev->pid < 0)
        return -1;
    if (ev->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        /* Debian's Python, where python3-sklearn is (the one the runner uses). */
        const char *interp = getenv("SEARCH_SUITE_PYTHON");
        interp = interp != NULL ? interp : "/usr/bin/python3";
        execl(interp, interp, py, "serve", pr->name, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    ev->to = fdopen(in[1], "w");
    ev->from = fdopen(out[0], "r");
    return ev->to != NULL && ev->from != NULL ? 0 : -1;
}

/* f(x) of pr, in-process or from its evaluator; NAN when that fails. */
static double suite_eval_f(const bf_problem *pr, suite_eval *ev, const double *x)
{
    if (!pr->external)
        return pr->f(x);
    for (size_t j = 0; j < pr->d; j++)
        fprintf(ev->to, "%s%.17g", j ? " " : "", x[j]);
    fputc('\n', ev->to);
    fflush(ev->to);
    double v;
    return fscanf(ev->from, "%lf", &v) == 1 ? v : NAN;
}

static void suite_eval_stop(suite_eval *ev)
{
    if (ev->to != NULL)
        fclose(ev->to);
    if (ev->from != NULL)
        fclose(ev->from);
    if (ev->pid > 0)
        waitpid(ev->pid, NULL, 0);
}

typedef struct suite_opts {
    const char *problem;
    uint64_t seed;
    int trials;
    int parallel;
    es_method method;
    int trace; /* --trace 1: each trial's point (unit cube) and value on stderr */
} suite_opts;

static double suite_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double suite_wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int suite_by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const bf_problem *suite_find(const char *name)
{
    size_t n;
    const bf_problem *t = bf_suite(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* ---- One sweep ----------------------------------------------------------------- */

/* 1 when a continuous coordinate of x is within SUITE_EDGE of its bound. */
static int suite_at_edge(const bf_problem *pr, const double *x)
{
    for (size_t j = 0; j < pr->d; j++) {
        const bf_param_def *p = &pr->p[j];
        double u;
        if (p->kind == BF_UNIFORM)
            u = (x[j] - p->lo) / (p->hi - p->lo);
        else if (p->kind == BF_LOG)
            u = (log(x[j]) - log(p->lo)) / (log(p->hi) - log(p->lo));
        else
            continue;
        if (u < SUITE_EDGE || u > 1.0 - SUITE_EDGE)
            return 1;
    }
    return 0;
}

/* Trace line of trial i: its parameters in the unit cube (categoricals as
 * their index), its value and the edge flag. */
static void suite_trace(const bf_problem *pr, int i, const double *x, double f)
{
    fprintf(stderr, "trial %3d f %-12.6g%s u", i, f, suite_at_edge(pr, x) ? " EDGE" : "     ");
    for (size_t j = 0; j < pr->d; j++) {
        const bf_param_def *p = &pr->p[j];
        double u = x[j];
        if (p->kind == BF_UNIFORM)
            u = (x[j] - p->lo) / (p->hi - p->lo);
        else if (p->kind == BF_LOG)
            u = (log(x[j]) - log(p->lo)) / (log(p->hi) - log(p->lo));
        fprintf(stderr, " %.4f", u);
    }
    fputc('\n', stderr);
}

/* search/bayes.c's design size: max(5, 2k) with k searched parameters, at
 * most half of run_cap (rounded up).  Every parameter of the suite is
 * searched. */
static int suite_design_size(const bf_problem *pr, int trials)
{
    int n = 2 * (int)pr->d > 5 ? 2 * (int)pr->d : 5, half = (trials + 1) / 2;
    return n < half ? n : half;
}

static int suite_horizons(int trials, int *h /* OUT */)
{
    static const int std[3] = {20, 40, 100};
    int n = 0;
    for (int i = 0; i < 3; i++)
        if (std[i] <= trials)
            h[n++] = std[i];
    if (n == 0 || h[n - 1] != trials)
        h[n++] = trials;
    return n;
}

static int suite_run(const suite_opts *o)
{
    const bf_problem *pr = suite_find(o->problem);
    if (pr == NULL) {
        fprintf(stderr, "search_suite: unknown problem '%s' (see search_suite list)\n", o->problem);
        return 2;
    }
    char *yaml = suite_yaml(pr, o->method, o->trials, o->parallel);
    suite_eval ev = {NULL, NULL, -1};
    es_spec *spec = NULL;
    es_search *s = NULL;
    es_err err;
    int rc = 1;
    double *times = malloc((size_t)o->trials * sizeof *times);
    double *regret = malloc((size_t)o->trials * sizeof *regret);
    es_value *vals = calloc((size_t)o->parallel * pr->d, sizeof *vals);
    if (yaml == NULL || times == NULL || regret == NULL || vals == NULL) {
        fprintf(stderr, "search_suite: out of memory\n");
        goto out;
    }
    if (es_spec_parse_string(yaml, strlen(yaml), "suite.yaml", &spec, &err) != 0 ||
        es_search_create(spec, o->seed, &s, &err) != 0) {
        fprintf(stderr, "search_suite: %s: %s\n", pr->name, err.msg);
        goto out;
    }

    es_rng noise;
    es_rng_seed(&noise, o->seed ^ SUITE_NOISE_STREAM);
    if (suite_eval_start(pr, &ev) != 0)
        goto out;
    int n_init = o->method == ES_METHOD_BAYES ? suite_design_size(pr, o->trials) : 0;
    int near = 0;
    double best_obs = INFINITY, best_true = INFINITY, wall = suite_wall_now();
    for (int i = 0; i < o->trials; i += o->parallel) {
        int q = o->trials - i < o->parallel ? o->trials - i : o->parallel;
        for (int j = 0; j < q; j++) {
            es_value *v = vals + (size_t)j * pr->d;
            uint64_t index = (uint64_t)(i + j);
            double t0 = suite_cpu_now(), med, up;
            if (es_search_suggest(s, index, v, &err) != 0) {
                fprintf(stderr, "search_suite: %s trial %d: %s\n", pr->name, i + j, err.msg);
                goto out;
            }
            times[i + j] = suite_cpu_now() - t0;
            (void)es_search_forecast(s, v, &med, &up);
            if (es_search_observe(s, index, v, ES_OBS_PENDING, NAN, NAN, &err) != 0) {
                fprintf(stderr, "search_suite: observe: %s\n", err.msg);
                goto out;
            }
        }
        for (int j = 0; j < q; j++) {
            es_value *v = vals + (size_t)j * pr->d;
            double x[BF_MAX_DIM];
            if (suite_point(pr, v, x) != 0) {
                fprintf(stderr, "search_suite: %s trial %d: a value outside the space\n", pr->name,
                        i + j);
                goto out;
            }
            double f = suite_eval_f(pr, &ev, x), y = f + pr->noise_sd * es_rng_normal(&noise);
            if (!isfinite(f)) {
                fprintf(stderr, "search_suite: %s: no value from its evaluator\n", pr->name);
                goto out;
            }
            if (i + j >= n_init)
                near += suite_at_edge(pr, x);
            if (o->trace)
                suite_trace(pr, i + j, x, f);
            if (y < best_obs) {
                best_obs = y;
                best_true = f;
            }
            double r = best_true - pr->fmin;
            regret[i + j] = r > 0 ? r : 0; /* a minimum known to ~1e-14 */
            if (es_search_observe(s, (uint64_t)(i + j), v, ES_OBS_COMPLETED, y, NAN, &err) != 0) {
                fprintf(stderr, "search_suite: observe: %s\n", err.msg);
                goto out;
            }
        }
        for (size_t k = 0; k < (size_t)q * pr->d; k++)
            es_value_clear(&vals[k]);
    }
    wall = suite_wall_now() - wall;

    int h[SUITE_MAX_HORIZONS], nh = suite_horizons(o->trials, h);
    double mean = 0.0;
    for (int i = 0; i < o->trials; i++)
        mean += times[i];
    mean /= o->trials;
    qsort(times, (size_t)o->trials, sizeof *times, suite_by_double);
    int after = o->trials - n_init;
    printf("{\"problem\": \"%s\", \"method\": \"ecosweep_%s\", \"seed\": %llu, \"trials\": %d, "
           "\"parallel\": %d, \"n_init\": %d, \"regret\": {",
           pr->name, es_method_name(o->method), (unsigned long long)o->seed, o->trials, o->parallel,
           n_init);
    for (int k = 0; k < nh; k++)
        printf("%s\"%d\": %.17g", k ? ", " : "", h[k], regret[h[k] - 1]);
    printf("}, \"boundary\": {\"after_init\": %d, \"near\": %d, \"frac\": %.6g}, "
           "\"suggest_ms\": {\"median\": %.4g, \"mean\": %.4g, \"max\": %.4g}, \"wall_s\": %.4g}\n",
           after, near, after > 0 ? (double)near / after : 0.0, 1e3 * times[o->trials / 2],
           1e3 * mean, 1e3 * times[o->trials - 1], wall);
    rc = 0;
out:
    suite_eval_stop(&ev);
    if (vals != NULL)
        es_values_free(vals, (size_t)o->parallel * pr->d);
    es_search_destroy(s);
    es_spec_free(spec);
    free(regret);
    free(times);
    free(yaml);
    return rc;
}

/* ---- The cross-check ----------------------------------------------------------- */

/* Fixed point k of problem pr, through each parameter's own law:
 * u = frac(0.1234 + 0.618... (k + 1) + 0.754... (j + 1)), written as in
 * search_suite.py. */
static void suite_check_point(const bf_problem *pr, int k, double *x /* OUT */)
{
    for (size_t j = 0; j < pr->d; j++) {
        const bf_param_def *p = &pr->p[j];
        double v = 0.1234 + 0.6180339887498949 * (k + 1) + 0.7548776662466927 * (double)(j + 1);
        double u = v - floor(v);
        switch (p->kind) {
        case BF_UNIFORM:
            x[j] = p->lo + u * (p->hi - p->lo);
            break;
        case BF_LOG:
            x[j] = exp(log(p->lo) + u * (log(p->hi) - log(p->lo)));
            break;
        case BF_INT:
            x[j] = fmin(p->hi, p->lo + floor(u * (p->hi - p->lo + 1.0)));
            break;
        case BF_CATEGORICAL:
            x[j] = floor(u * suite_choice_count(p));
            break;
        }
    }
}

static int suite_check(void)
{
    static const char *kinds[4] = {"uniform", "log_uniform_values", "int_uniform", "categorical"};
    size_t n;
    const bf_problem *t = bf_suite(&n);
    for (size_t i = 0; i < n; i++) {
        const bf_problem *pr = &t[i];
        suite_eval ev;
        if (suite_eval_start(pr, &ev) != 0)
            return 1;
        printf("{\"problem\": \"%s\", \"title\": \"%s\", \"fmin\": %.17g, \"noise_sd\": %.17g, "
               "\"space\": [",
               pr->name, pr->title, pr->fmin, pr->noise_sd);
        for (size_t j = 0; j < pr->d; j++)
            printf("%s[\"%s\", \"%s\", %.17g, %.17g, \"%s\"]", j ? ", " : "", pr->p[j].name,
                   kinds[pr->p[j].kind], pr->p[j].lo, pr->p[j].hi,
                   pr->p[j].choices ? pr->p[j].choices : "");
        printf("], \"points\": [");
        double f[SUITE_CHECK_POINTS];
        for (int k = 0; k < SUITE_CHECK_POINTS; k++) {
            double x[BF_MAX_DIM];
            suite_check_point(pr, k, x);
            printf("%s[", k ? ", " : "");
            for (size_t j = 0; j < pr->d; j++)
                printf("%s%.17g", j ? ", " : "", x[j]);
            printf("]");
            f[k] = suite_eval_f(pr, &ev, x);
        }
        printf("], \"f\": [");
        for (int k = 0; k < SUITE_CHECK_POINTS; k++)
            printf("%s%.17g", k ? ", " : "", f[k]);
        printf("], \"f_star\": %.17g}\n", suite_eval_f(pr, &ev, pr->xstar));
        suite_eval_stop(&ev);
    }
    return 0;
}

/* ---- Command line -------------------------------------------------------------- */

static int suite_usage(void)
{
    fprintf(stderr, "usage: search_suite list | spec PROBLEM | check\n"
                    "       search_suite run --problem P [--seed S] [--trials N] [--parallel Q]"
                    " [--method bayes|random] [--trace 1]\n");
    return 2;
}

static int suite_parse(int argc, char **argv, suite_opts *o /* OUT */)
{
    *o = (suite_opts){.seed = 0, .trials = 100, .parallel = 1, .method = ES_METHOD_BAYES};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return -1;
        if (strcmp(a, "--problem") == 0)
            o->problem = v;
        else if (strcmp(a, "--seed") == 0)
            o->seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--trials") == 0)
            o->trials = atoi(v);
        else if (strcmp(a, "--parallel") == 0)
            o->parallel = atoi(v);
        else if (strcmp(a, "--method") == 0 && strcmp(v, "bayes") == 0)
            o->method = ES_METHOD_BAYES;
        else if (strcmp(a, "--method") == 0 && strcmp(v, "random") == 0)
            o->method = ES_METHOD_RANDOM;
        else if (strcmp(a, "--trace") == 0)
            o->trace = atoi(v);
        else
            return -1;
        i++;
    }
    return o->problem != NULL && o->trials > 0 && o->parallel > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    suite_opts o;
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        size_t n;
        const bf_problem *t = bf_suite(&n);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", t[i].name);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return suite_check();
    if (argc == 3 && strcmp(argv[1], "spec") == 0) {
        const bf_problem *pr = suite_find(argv[2]);
        char *y = pr ? suite_yaml(pr, ES_METHOD_BAYES, 100, 1) : NULL;
        if (y == NULL)
            return suite_usage();
        fputs(y, stdout);
        free(y);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "run") == 0 && suite_parse(argc, argv, &o) == 0)
        return suite_run(&o);
    return suite_usage();
}
