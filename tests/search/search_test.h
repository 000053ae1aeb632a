/*
 * search_test.h -- helpers shared by the search tests: building parameters
 * by hand (no YAML) and summarising many draws of one distribution.
 *
 * Parameters built here borrow string literals for their names and values,
 * so they are never freed; only the values that the search writes are.
 */
#ifndef ES_SEARCH_TEST_H
#define ES_SEARCH_TEST_H

#include <math.h>
#include <stdint.h>

#include "es_test.h"
#include "search.h"

/* Draws per statistical check: the standard error of a mean is then about
 * 0.7% of the standard deviation, so 5-sigma bounds are tight yet never flaky
 * (the seed is fixed, so each check is deterministic anyway). */
#define ST_DRAWS 20000

/* qsort's order of doubles, ascending. */
static inline int st_by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Suggest trials i .. i + q - 1 of s (two numeric parameters) into v,
 * each observed pending as it is made, their numbers into out (2 per
 * trial, at 2 i); every proposal of the batch differs from the others. */
#define ST_SUGGEST_BATCH(s, i, q, v, out, err)                                                     \
    do {                                                                                           \
        for (int b_ = 0; b_ < (q); b_++) {                                                         \
            ES_CHECK_INT(es_search_suggest((s), (uint64_t)((i) + b_), (v)[b_], (err)), 0);         \
            ES_CHECK_INT(es_search_observe((s), (uint64_t)((i) + b_), (v)[b_], ES_OBS_PENDING,     \
                                           NAN, NAN, (err)),                                       \
                         0);                                                                       \
            (out)[2 * ((i) + b_)] = es_value_number(&(v)[b_][0]);                                  \
            (out)[2 * ((i) + b_) + 1] = es_value_number(&(v)[b_][1]);                              \
            for (int a_ = 0; a_ < b_; a_++)                                                        \
                ES_CHECK((out)[2 * ((i) + a_)] != (out)[2 * ((i) + b_)] ||                         \
                         (out)[2 * ((i) + a_) + 1] != (out)[2 * ((i) + b_) + 1]);                  \
        }                                                                                          \
    } while (0)

/* The values of a trial at (x1, x2): its objective and the metric
 * values es_search_observe_values takes. */
typedef void (*st_trial_fn)(double x1, double x2, double *objective, double *values);

/* Run the search of spec (two numeric parameters) from seed for `trials`
 * trials in batches of spec->parallel (at most 4; ST_SUGGEST_BATCH), each
 * batch completed through f; every trial's point into out (2 per trial). */
static inline void st_run_batches(const es_spec *spec, uint64_t seed, int trials, st_trial_fn f,
                                  double *out)
{
    es_search *s = NULL;
    es_err err = {0};
    int q = spec->parallel > 1 ? spec->parallel : 1;
    ES_CHECK(q <= 4);
    ES_CHECK_INT(es_search_create(spec, seed, &s, &err), 0);
    es_value v[4][2];
    for (int i = 0; i < trials; i += q) {
        ST_SUGGEST_BATCH(s, i, q, v, out, &err);
        for (int b = 0; b < q; b++) {
            double obj, vals[8];
            f(out[2 * (i + b)], out[2 * (i + b) + 1], &obj, vals);
            ES_CHECK_INT(
                es_search_observe(s, (uint64_t)(i + b), v[b], ES_OBS_COMPLETED, obj, NAN, &err), 0);
            ES_CHECK_INT(es_search_observe_values(s, (uint64_t)(i + b), vals, &err), 0);
            es_value_clear(&v[b][0]);
            es_value_clear(&v[b][1]);
        }
    }
    es_search_destroy(s);
}

/* A parameter with only its name, distribution and line set. */
static inline es_param st_param(const char *name, es_dist dist)
{
    es_param p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    p.dist = dist;
    p.q = 1.0;
    p.line = 1;
    p.column = 3;
    return p;
}

/* A categorical parameter over values[0 .. n-1] (kept, not copied). */
static inline es_param st_choice(const char *name, es_value *values, size_t n)
{
    es_param p = st_param(name, ES_DIST_CATEGORICAL);
    p.values = values;
    p.n_values = n;
    return p;
}

static inline es_value st_int(long long i)
{
    es_value v;
    memset(&v, 0, sizeof v);
    v.kind = ES_V_INT;
    v.i = i;
    return v;
}

static inline es_value st_float(double f)
{
    es_value v;
    memset(&v, 0, sizeof v);
    v.kind = ES_V_FLOAT;
    v.f = f;
    return v;
}

static inline es_value st_str(const char *s)
{
    es_value v;
    memset(&v, 0, sizeof v);
    v.kind = ES_V_STR;
    v.s = (char *)s;
    return v;
}

/* A spec that holds only a method and parameters (borrowed). */
static inline es_spec st_spec(es_method method, es_param *params, size_t n)
{
    es_spec s;
    memset(&s, 0, sizeof s);
    s.method = method;
    s.params = params;
    s.n_params = n;
    s.parallel = 1;
    return s;
}

/* A mixed space: strings, integers, floats of several laws, a constant
 * (optimizer, layers 1..8, lr log-uniform on [1e-5, 1e-1], momentum
 * Beta(2, 2), epochs = 10). */
static inline void st_mixed_params(es_param p[5])
{
    static es_value opt_vals[3] = {{.kind = ES_V_STR, .s = (char *)"adam"},
                                   {.kind = ES_V_STR, .s = (char *)"sgd"},
                                   {.kind = ES_V_STR, .s = (char *)"rmsprop"}};
    p[0] = st_param("optimizer", ES_DIST_CATEGORICAL);
    p[0].values = opt_vals;
    p[0].n_values = 3;
    p[1] = st_param("layers", ES_DIST_INT_UNIFORM);
    p[1].min = 1;
    p[1].max = 8;
    p[2] = st_param("lr", ES_DIST_LOG_UNIFORM_VALUES);
    p[2].min = 1e-5;
    p[2].max = 1e-1;
    p[3] = st_param("momentum", ES_DIST_BETA);
    p[3].a = 2;
    p[3].b = 2;
    p[4] = st_param("epochs", ES_DIST_CONSTANT);
    p[4].value = st_int(10);
}

static inline int st_value_eq(const es_value *a, const es_value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case ES_V_NULL:
        return 1;
    case ES_V_BOOL:
        return a->b == b->b;
    case ES_V_INT:
        return a->i == b->i;
    case ES_V_FLOAT:
        return memcmp(&a->f, &b->f, sizeof a->f) == 0; /* bit for bit */
    case ES_V_STR:
        return a->s != NULL && b->s != NULL && strcmp(a->s, b->s) == 0;
    }
    return 0;
}

/* Running moments of a sample. */
typedef struct st_stats {
    long n;
    double sum, sum2, min, max;
} st_stats;

static inline void st_add(st_stats *s, double x)
{
    if (s->n == 0 || x < s->min)
        s->min = x;
    if (s->n == 0 || x > s->max)
        s->max = x;
    s->n++;
    s->sum += x;
    s->sum2 += x * x;
}

static inline double st_mean(const st_stats *s)
{
    return s->sum / (double)s->n;
}

static inline double st_var(const st_stats *s)
{
    double m = st_mean(s);
    return (s->sum2 - (double)s->n * m * m) / (double)(s->n - 1);
}

/* The sample mean is within 5 standard errors of `mean` for a law whose
 * variance is `var`, and the sample variance within `rel` of var. */
#define ST_CHECK_MOMENTS(st, mean, var, rel)                                                       \
    do {                                                                                           \
        ES_CHECK_NEAR(st_mean(st), (mean), 5.0 * sqrt((var) / (double)(st)->n));                   \
        ES_CHECK_NEAR(st_var(st), (var), (rel) * (var));                                           \
    } while (0)

/* Pearson's chi-square statistic of counts against expected probabilities,
 * checked against a bound far in the tail of chi2(k - 1): mean k-1 plus
 * six of its standard deviations. */
static inline double st_chi2(const long *count, const double *prob, size_t k, long n)
{
    double chi2 = 0.0;
    for (size_t i = 0; i < k; i++) {
        double e = prob[i] * (double)n;
        if (e > 0.0)
            chi2 += ((double)count[i] - e) * ((double)count[i] - e) / e;
    }
    return chi2;
}

static inline double st_chi2_bound(size_t k)
{
    return (double)(k - 1) + 6.0 * sqrt(2.0 * (double)(k - 1));
}

/* x is a whole multiple of q, up to rounding in the last digits. */
static inline int st_multiple_of(double x, double q)
{
    double r = x / q;
    return fabs(r - rint(r)) < 1e-9 * fmax(1.0, fabs(r));
}

#endif
