/*
 * bench_functions.h -- closed-form test functions for the Bayesian search,
 * shared by its quality tests and the search_latency program: Branin (2-D,
 * minimum 0.397887) and Hartmann6 (6-D unit cube, minimum -3.32237), and a
 * loop that runs a whole sequential sweep of one against a search.
 *
 * Below them, the search-quality suite (bf_suite(); run by
 * tests/bench/search_suite.c): twenty-five problems, each a function, its
 * search space and its known minimum.  tests/bench/search_suite.py defines
 * the same problems for Optuna; run_search_suite.sh checks that both sides
 * compute the same values at the same points before it runs anything, so a
 * change here must be made there too.
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

/* ---- The search-quality suite ------------------------------------------------ */

/* Functions of the suite take the parameters' values in spec order
 * (integers as numbers, a categorical as the index of its choice).  The
 * textbook definitions (Surjanovic & Bingham's Virtual Library of
 * Simulation Experiments), written operation for operation as in
 * search_suite.py, so that both sides agree to the last few ulps. */

static inline double bf_suite_branin(const double *x)
{
    return bf_branin(x[0], x[1]);
}

static inline double bf_suite_hartmann6(const double *x)
{
    return bf_hartmann6(x);
}

static inline double bf_camel(const double *x)
{
    double a = x[0] * x[0], b = x[1] * x[1];
    return (4.0 - 2.1 * a + a * a / 3.0) * a + x[0] * x[1] + (-4.0 + 4.0 * b) * b;
}

static inline double bf_hartmann3(const double *x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
    static const double p[4][3] = {
        {3689, 1170, 2673}, {4699, 4387, 7470}, {1091, 8732, 5547}, {381, 5743, 8828}};
    double f = 0.0;
    for (int i = 0; i < 4; i++) {
        double s = 0.0;
        for (int j = 0; j < 3; j++) {
            double dx = x[j] - 1e-4 * p[i][j];
            s += a[i][j] * dx * dx;
        }
        f -= alpha[i] * exp(-s);
    }
    return f;
}

static inline double bf_levy(const double *x, int d)
{
    const double pi = 3.14159265358979323846;
    double w1 = 1.0 + (x[0] - 1.0) / 4.0, wd = 1.0 + (x[d - 1] - 1.0) / 4.0;
    double s = sin(pi * w1), f = s * s;
    for (int i = 0; i < d - 1; i++) {
        double w = 1.0 + (x[i] - 1.0) / 4.0, t = sin(pi * w + 1.0);
        f += (w - 1.0) * (w - 1.0) * (1.0 + 10.0 * t * t);
    }
    double t = sin(2.0 * pi * wd);
    return f + (wd - 1.0) * (wd - 1.0) * (1.0 + t * t);
}

static inline double bf_levy2(const double *x)
{
    return bf_levy(x, 2);
}

static inline double bf_levy4(const double *x)
{
    return bf_levy(x, 4);
}

static inline double bf_rastrigin3(const double *x)
{
    const double pi = 3.14159265358979323846;
    double f = 30.0;
    for (int i = 0; i < 3; i++)
        f += x[i] * x[i] - 10.0 * cos(2.0 * pi * x[i]);
    return f;
}

static inline double bf_ackley5(const double *x)
{
    const double pi = 3.14159265358979323846;
    double sq = 0.0, cs = 0.0;
    for (int i = 0; i < 5; i++) {
        sq += x[i] * x[i];
        cs += cos(2.0 * pi * x[i]);
    }
    return -20.0 * exp(-0.2 * sqrt(sq / 5.0)) - exp(cs / 5.0) + 20.0 + exp(1.0);
}

static inline double bf_griewank4(const double *x)
{
    double s = 0.0, p = 1.0;
    for (int i = 0; i < 4; i++) {
        s += x[i] * x[i] / 4000.0;
        p *= cos(x[i] / sqrt((double)(i + 1)));
    }
    return s - p + 1.0;
}

/* m = 10. */
static inline double bf_michalewicz5(const double *x)
{
    const double pi = 3.14159265358979323846;
    double f = 0.0;
    for (int i = 0; i < 5; i++)
        f -= sin(x[i]) * pow(sin((double)(i + 1) * x[i] * x[i] / pi), 20.0);
    return f;
}

static inline double bf_rosenbrock4(const double *x)
{
    double f = 0.0;
    for (int i = 0; i < 3; i++) {
        double a = x[i + 1] - x[i] * x[i], b = x[i] - 1.0;
        f += 100.0 * a * a + b * b;
    }
    return f;
}

static inline double bf_styblinski_tang4(const double *x)
{
    double f = 0.0;
    for (int i = 0; i < 4; i++) {
        double a = x[i] * x[i];
        f += a * a - 16.0 * a + 5.0 * x[i];
    }
    return 0.5 * f;
}

static inline double bf_goldstein_price(const double *x)
{
    double x1 = x[0], x2 = x[1];
    double a = x1 + x2 + 1.0, b = 2.0 * x1 - 3.0 * x2;
    double p = 19.0 - 14.0 * x1 + 3.0 * x1 * x1 - 14.0 * x2 + 6.0 * x1 * x2 + 3.0 * x2 * x2;
    double q = 18.0 - 32.0 * x1 + 12.0 * x1 * x1 + 48.0 * x2 - 36.0 * x1 * x2 + 27.0 * x2 * x2;
    return (1.0 + a * a * p) * (30.0 + b * b * q);
}

static inline double bf_schwefel2(const double *x)
{
    double f = 418.9828872724338 * 2.0;
    for (int i = 0; i < 2; i++)
        f -= x[i] * sin(sqrt(fabs(x[i])));
    return f;
}

/* A training-like objective over a log-scale learning rate x[0], a layer
 * count x[1] (1..8) and an optimizer x[2] (sgd, adam, rmsprop): the best
 * learning rate depends on the optimizer and falls with depth.  Minimum 0
 * at adam, 4 layers, lr = 10^-3.2. */
static inline double bf_mixed3(const double *x)
{
    static const double center[3] = {-1.5, -3.2, -2.6}, bias[3] = {0.3, 0.0, 0.1};
    int c = (int)x[2];
    double a = log10(x[0]) - (center[c] - 0.2 * (x[1] - 4.0)), l = x[1] - 4.0;
    return a * a + 0.08 * l * l + bias[c];
}

/* Five parameters: learning rate x[0] and weight decay x[1] (log scale), a
 * batch-size exponent x[2] (1..9), an activation x[3] (relu, gelu, tanh,
 * sigmoid) and dropout x[4] in [0, 0.8]: the best learning rate moves
 * with the batch size, the best dropout with the activation, and weight
 * decay matters more with more dropout.  Minimum 0 at lr 1e-3, wd 1e-4,
 * batch 5, gelu, dropout 0.1. */
static inline double bf_mixed5(const double *x)
{
    static const double d0[4] = {0.3, 0.1, 0.5, 0.6}, bias[4] = {0.2, 0.0, 0.05, 0.4};
    int c = (int)x[3];
    double a = log10(x[0]) + 3.0 - 0.3 * (x[2] - 5.0), b = log10(x[1]) + 4.0;
    double k = x[2] - 5.0, dd = x[4] - d0[c];
    return a * a + 0.5 * b * b * (1.0 + x[4]) + 2.0 * dd * dd + 0.03 * k * k + bias[c];
}

/* Shekel-10 (4-D, U(0, 10)): ten narrow wells of different depths. */
static inline double bf_shekel10(const double *x)
{
    static const double c[4][10] = {{4, 1, 8, 6, 3, 2, 5, 8, 6, 7},
                                    {4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6},
                                    {4, 1, 8, 6, 3, 2, 5, 8, 6, 7},
                                    {4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6}};
    static const double beta[10] = {1, 2, 2, 4, 4, 6, 3, 7, 5, 5};
    double f = 0.0;
    for (int i = 0; i < 10; i++) {
        double s = 0.1 * beta[i];
        for (int j = 0; j < 4; j++)
            s += (x[j] - c[j][i]) * (x[j] - c[j][i]);
        f -= 1.0 / s;
    }
    return f;
}

/* Powell (4-D): a singular Hessian at the minimum 0 at the origin. */
static inline double bf_powell4(const double *x)
{
    double a = x[0] + 10.0 * x[1], b = x[2] - x[3], c = x[1] - 2.0 * x[2], e = x[0] - x[3];
    return a * a + 5.0 * b * b + c * c * c * c + 10.0 * e * e * e * e;
}

/* Dixon-Price (4-D): a curved valley; minimum 0 at x_i = 2^-((2^i - 2) / 2^i). */
static inline double bf_dixon_price4(const double *x)
{
    double f = (x[0] - 1.0) * (x[0] - 1.0);
    for (int i = 1; i < 4; i++) {
        double t = 2.0 * x[i] * x[i] - x[i - 1];
        f += (double)(i + 1) * t * t;
    }
    return f;
}

/* Zakharov (5-D): a plate with a steep quartic rim; minimum 0 at the origin. */
static inline double bf_zakharov5(const double *x)
{
    double s = 0.0, t = 0.0;
    for (int i = 0; i < 5; i++) {
        s += x[i] * x[i];
        t += 0.5 * (double)(i + 1) * x[i];
    }
    return s + t * t + t * t * t * t;
}

/* Bukin N.6 (2-D): a non-smooth curved ridge; minimum 0 at (-10, 1). */
static inline double bf_bukin6(const double *x)
{
    return 100.0 * sqrt(fabs(x[1] - 0.01 * x[0] * x[0])) + 0.01 * fabs(x[0] + 10.0);
}

/* Eggholder (2-D): rugged, its minimum on the bound x1 = 512. */
static inline double bf_eggholder(const double *x)
{
    double a = x[1] + 47.0;
    return -a * sin(sqrt(fabs(a + 0.5 * x[0]))) - x[0] * sin(sqrt(fabs(x[0] - a)));
}

/* A categorical-heavy training-like space: optimizer x[0] (sgd, adam,
 * adamw, rmsprop, lion), schedule x[1] (constant, cosine, step, linear),
 * activation x[2] (relu, gelu, tanh, silu), norm x[3] (none, batch, layer),
 * init x[4] (xavier, kaiming), augment x[5] (none, light, heavy), a
 * log-scale learning rate x[6] whose best value depends on the optimizer
 * and the width, and a width x[7] (1..8).  Interactions: sgd prefers the
 * step schedule, tanh prefers xavier init (the others kaiming), a narrow
 * model suffers heavy augmentation.  Every term is >= 0; minimum 0 only at
 * adamw, cosine, gelu, batch, kaiming, light, width 6, lr 10^-3.15. */
static inline double bf_cat8(const double *x)
{
    static const double center[5] = {-1.5, -3.3, -3.0, -3.6, -4.2};
    static const double base[5] = {0.25, 0.05, 0.0, 0.12, 0.03};
    static const double sched[4] = {0.15, 0.0, 0.06, 0.03}, sched_sgd[4] = {0.10, 0.04, 0.0, 0.05};
    static const double act[4] = {0.04, 0.0, 0.12, 0.01}, norm[3] = {0.10, 0.0, 0.02};
    static const double aug[3] = {0.06, 0.0, 0.03};
    int o = (int)x[0], sc = (int)x[1], ac = (int)x[2], nm = (int)x[3], in = (int)x[4];
    int ag = (int)x[5];
    double w = x[7], a = log10(x[6]) - (center[o] - 0.15 * (w - 5.0));
    double f = 0.5 * a * a + base[o] + (o == 0 ? sched_sgd[sc] : sched[sc]) + act[ac] + norm[nm];
    f += (ac == 2) != (in == 0) ? 0.05 : 0.0;
    f += aug[ag] + (ag == 2 && w < 4.0 ? 0.08 : 0.0);
    return f + 0.01 * (w - 6.0) * (w - 6.0);
}

/* svc_digits (search_suite.py computes it): the best 3-fold error found by
 * a 36 x 36 grid over log C and log gamma (18 x 18 for sigmoid) refined by
 * 400 local draws, and where. */
#define SVC_FMIN 0.08833333333333337
#define SVC_XSTAR 5.1284141715515625, 0.05136954855424034, 0

typedef enum bf_kind {
    BF_UNIFORM = 0, /* distribution: uniform */
    BF_LOG,         /* distribution: log_uniform_values */
    BF_INT,         /* distribution: int_uniform */
    BF_CATEGORICAL  /* values: [...] */
} bf_kind;

typedef struct bf_param_def {
    const char *name;
    bf_kind kind;
    double lo, hi;       /* bounds (values, not exponents); unused for categorical */
    const char *choices; /* categorical: "sgd,adam,rmsprop" */
} bf_param_def;

#define BF_MAX_DIM 8

typedef struct bf_problem {
    const char *name;
    const char *title;
    double (*f)(const double *x);
    size_t d;
    bf_param_def p[BF_MAX_DIM];
    double fmin;              /* the known minimum of f (noiseless) */
    double xstar[BF_MAX_DIM]; /* a point where f is within ~1e-9 of fmin */
    double noise_sd;          /* observed value = f + N(0, noise_sd^2); 0: exact */
    int external;             /* f is NULL: search_suite.py computes it (`serve`) */
} bf_problem;

#define BF_U(n, a, b)                                                                              \
    {                                                                                              \
        n, BF_UNIFORM, a, b, NULL                                                                  \
    }

/* The suite, n_out problems. */
static inline const bf_problem *bf_suite(size_t *n_out)
{
    static const bf_problem t[] = {
        {"branin",
         "Branin (2-D)",
         bf_suite_branin,
         2,
         {BF_U("x1", -5.0, 10.0), BF_U("x2", 0.0, 15.0)},
         0.39788735772973816,
         {3.141592653589793, 2.275},
         0,
         0},
        {"camel",
         "Six-hump camel (2-D)",
         bf_camel,
         2,
         {BF_U("x1", -3.0, 3.0), BF_U("x2", -2.0, 2.0)},
         -1.0316284534898774,
         {0.08984200893527233, -0.712656403019058},
         0,
         0},
        {"hartmann3",
         "Hartmann3 (3-D)",
         bf_hartmann3,
         3,
         {BF_U("x1", 0.0, 1.0), BF_U("x2", 0.0, 1.0), BF_U("x3", 0.0, 1.0)},
         -3.862779787332663,
         {0.11458888122541287, 0.5556488954739371, 0.8525469842172746},
         0,
         0},
        {"hartmann6",
         "Hartmann6 (6-D)",
         bf_suite_hartmann6,
         6,
         {BF_U("x1", 0.0, 1.0), BF_U("x2", 0.0, 1.0), BF_U("x3", 0.0, 1.0), BF_U("x4", 0.0, 1.0),
          BF_U("x5", 0.0, 1.0), BF_U("x6", 0.0, 1.0)},
         -3.322368011415515,
         {0.20168951185013023, 0.15001069290624647, 0.4768739753854737, 0.27533242908385863,
          0.31165161795254603, 0.6573005331434522},
         0,
         0},
        {"levy2",
         "Levy (2-D)",
         bf_levy2,
         2,
         {BF_U("x1", -10.0, 10.0), BF_U("x2", -10.0, 10.0)},
         0.0,
         {1.0, 1.0},
         0,
         0},
        {"levy4",
         "Levy (4-D)",
         bf_levy4,
         4,
         {BF_U("x1", -10.0, 10.0), BF_U("x2", -10.0, 10.0), BF_U("x3", -10.0, 10.0),
          BF_U("x4", -10.0, 10.0)},
         0.0,
         {1.0, 1.0, 1.0, 1.0},
         0,
         0},
        {"rastrigin3",
         "Rastrigin (3-D)",
         bf_rastrigin3,
         3,
         {BF_U("x1", -5.12, 5.12), BF_U("x2", -5.12, 5.12), BF_U("x3", -5.12, 5.12)},
         0.0,
         {0.0, 0.0, 0.0},
         0,
         0},
        {"ackley5",
         "Ackley (5-D)",
         bf_ackley5,
         5,
         {BF_U("x1", -32.768, 32.768), BF_U("x2", -32.768, 32.768), BF_U("x3", -32.768, 32.768),
          BF_U("x4", -32.768, 32.768), BF_U("x5", -32.768, 32.768)},
         0.0,
         {0.0, 0.0, 0.0, 0.0, 0.0},
         0,
         0},
        {"griewank4",
         "Griewank (4-D)",
         bf_griewank4,
         4,
         {BF_U("x1", -600.0, 600.0), BF_U("x2", -600.0, 600.0), BF_U("x3", -600.0, 600.0),
          BF_U("x4", -600.0, 600.0)},
         0.0,
         {0.0, 0.0, 0.0, 0.0},
         0,
         0},
        {"michalewicz5",
         "Michalewicz (5-D, m = 10)",
         bf_michalewicz5,
         5,
         {BF_U("x1", 0.0, 3.141592653589793), BF_U("x2", 0.0, 3.141592653589793),
          BF_U("x3", 0.0, 3.141592653589793), BF_U("x4", 0.0, 3.141592653589793),
          BF_U("x5", 0.0, 3.141592653589793)},
         -4.687658179088149,
         {2.2029055197344682, 1.5707963293125675, 1.2849915708780884, 1.9230584691306654,
          1.7204697710078967},
         0,
         0},
        {"rosenbrock4",
         "Rosenbrock (4-D)",
         bf_rosenbrock4,
         4,
         {BF_U("x1", -5.0, 10.0), BF_U("x2", -5.0, 10.0), BF_U("x3", -5.0, 10.0),
          BF_U("x4", -5.0, 10.0)},
         0.0,
         {1.0, 1.0, 1.0, 1.0},
         0,
         0},
        {"styblinski_tang4",
         "Styblinski-Tang (4-D)",
         bf_styblinski_tang4,
         4,
         {BF_U("x1", -5.0, 5.0), BF_U("x2", -5.0, 5.0), BF_U("x3", -5.0, 5.0),
          BF_U("x4", -5.0, 5.0)},
         -156.66466281508568,
         {-2.903534027771178, -2.903534027771178, -2.903534027771178, -2.903534027771178},
         0,
         0},
        {"goldstein_price",
         "Goldstein-Price (2-D)",
         bf_goldstein_price,
         2,
         {BF_U("x1", -2.0, 2.0), BF_U("x2", -2.0, 2.0)},
         3.0,
         {0.0, -1.0},
         0,
         0},
        {"schwefel2",
         "Schwefel (2-D)",
         bf_schwefel2,
         2,
         {BF_U("x1", -500.0, 500.0), BF_U("x2", -500.0, 500.0)},
         0.0,
         {420.9687464823754, 420.96874635317454},
         0,
         0},
        {"mixed3",
         "Mixed: log lr, int layers, categorical optimizer",
         bf_mixed3,
         3,
         {{"lr", BF_LOG, 1e-5, 1.0, NULL},
          {"layers", BF_INT, 1, 8, NULL},
          {"optimizer", BF_CATEGORICAL, 0, 0, "sgd,adam,rmsprop"}},
         0.0,
         {6.309573444801929e-04, 4, 1},
         0,
         0},
        {"mixed5",
         "Mixed: log lr and wd, int batch, categorical activation, dropout",
         bf_mixed5,
         5,
         {{"lr", BF_LOG, 1e-5, 1e-1, NULL},
          {"wd", BF_LOG, 1e-6, 1e-2, NULL},
          {"batch", BF_INT, 1, 9, NULL},
          {"activation", BF_CATEGORICAL, 0, 0, "relu,gelu,tanh,sigmoid"},
          BF_U("dropout", 0.0, 0.8)},
         0.0,
         {1e-3, 1e-4, 5, 1, 0.1},
         0,
         0},
        {"hartmann6_noisy",
         "Hartmann6 (6-D) + N(0, 0.1^2) noise",
         bf_suite_hartmann6,
         6,
         {BF_U("x1", 0.0, 1.0), BF_U("x2", 0.0, 1.0), BF_U("x3", 0.0, 1.0), BF_U("x4", 0.0, 1.0),
          BF_U("x5", 0.0, 1.0), BF_U("x6", 0.0, 1.0)},
         -3.322368011415515,
         {0.20168951185013023, 0.15001069290624647, 0.4768739753854737, 0.27533242908385863,
          0.31165161795254603, 0.6573005331434522},
         0.1,
         0},
        {"rosenbrock4_corner",
         "Rosenbrock (4-D) on [-2, 1]^4: the minimum at a corner",
         bf_rosenbrock4,
         4,
         {BF_U("x1", -2.0, 1.0), BF_U("x2", -2.0, 1.0), BF_U("x3", -2.0, 1.0),
          BF_U("x4", -2.0, 1.0)},
         0.0,
         {1.0, 1.0, 1.0, 1.0},
         0,
         0},
        {"shekel10",
         "Shekel-10 (4-D)",
         bf_shekel10,
         4,
         {BF_U("x1", 0.0, 10.0), BF_U("x2", 0.0, 10.0), BF_U("x3", 0.0, 10.0),
          BF_U("x4", 0.0, 10.0)},
         -10.53644315348353,
         {4.000746868082919, 3.9995094808558473, 4.000746870027695, 3.9995094805528253},
         0,
         0},
        {"powell4",
         "Powell (4-D)",
         bf_powell4,
         4,
         {BF_U("x1", -4.0, 5.0), BF_U("x2", -4.0, 5.0), BF_U("x3", -4.0, 5.0),
          BF_U("x4", -4.0, 5.0)},
         0.0,
         {0.0, 0.0, 0.0, 0.0},
         0,
         0},
        {"dixon_price4",
         "Dixon-Price (4-D)",
         bf_dixon_price4,
         4,
         {BF_U("x1", -10.0, 10.0), BF_U("x2", -10.0, 10.0), BF_U("x3", -10.0, 10.0),
          BF_U("x4", -10.0, 10.0)},
         0.0,
         {1.0, 0.7071067811865476, 0.5946035575013605, 0.5452538663326288},
         0,
         0},
        {"zakharov5",
         "Zakharov (5-D)",
         bf_zakharov5,
         5,
         {BF_U("x1", -5.0, 10.0), BF_U("x2", -5.0, 10.0), BF_U("x3", -5.0, 10.0),
          BF_U("x4", -5.0, 10.0), BF_U("x5", -5.0, 10.0)},
         0.0,
         {0.0, 0.0, 0.0, 0.0, 0.0},
         0,
         0},
        {"bukin6",
         "Bukin N.6 (2-D)",
         bf_bukin6,
         2,
         {BF_U("x1", -15.0, -5.0), BF_U("x2", -3.0, 3.0)},
         0.0,
         {-10.0, 1.0},
         0,
         0},
        {"eggholder",
         "Eggholder (2-D): the minimum on a bound",
         bf_eggholder,
         2,
         {BF_U("x1", -512.0, 512.0), BF_U("x2", -512.0, 512.0)},
         -959.6406627208509,
         {512.0, 404.23180499385165},
         0,
         0},
        {"cat8",
         "Categorical-heavy: 6 categoricals, log lr, int width",
         bf_cat8,
         8,
         {{"optimizer", BF_CATEGORICAL, 0, 0, "sgd,adam,adamw,rmsprop,lion"},
          {"schedule", BF_CATEGORICAL, 0, 0, "constant,cosine,step,linear"},
          {"activation", BF_CATEGORICAL, 0, 0, "relu,gelu,tanh,silu"},
          {"norm", BF_CATEGORICAL, 0, 0, "none,batch,layer"},
          {"init", BF_CATEGORICAL, 0, 0, "xavier,kaiming"},
          {"augment", BF_CATEGORICAL, 0, 0, "none,light,heavy"},
          {"lr", BF_LOG, 1e-5, 1e-1, NULL},
          {"width", BF_INT, 1, 8, NULL}},
         0.0,
         {2, 1, 1, 1, 1, 1, 7.079457843841373e-04, 6},
         0,
         0},
        {"svc_digits",
         "scikit-learn SVC on digits (3-fold CV error)",
         NULL,
         3,
         {{"C", BF_LOG, 1e-2, 1e4, NULL},
          {"gamma", BF_LOG, 1e-5, 1.0, NULL},
          {"kernel", BF_CATEGORICAL, 0, 0, "rbf,sigmoid"}},
         SVC_FMIN,
         {SVC_XSTAR},
         0,
         1},
    };
    *n_out = sizeof t / sizeof t[0];
    return t;
}

#undef BF_U

#endif
