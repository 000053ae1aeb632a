/*
 * test_dist.c -- every W&B distribution, drawn ST_DRAWS times with a fixed
 * seed through es_sample_param: the kind of value a trial would receive, its
 * bounds, and its mean and variance (or frequencies) against closed forms.
 */
#include "search_test.h"

/* Draw one value of p, check its kind, and return it as a number. */
static double draw(const es_param *p, es_rng *r, es_value_kind kind)
{
    es_value v;
    ES_CHECK_INT(es_sample_param(p, r, &v), 0);
    ES_CHECK_INT(v.kind, kind);
    double x = es_value_number(&v);
    es_value_clear(&v);
    return x;
}

/* Draw ST_DRAWS values of p into st (of f(x) when f is given), checking
 * that each lies in [lo, hi] and, when q > 0, is a multiple of q. */
static void sample(const es_param *p, uint64_t seed, es_value_kind kind, double lo, double hi,
                   double q, double (*f)(double), st_stats *st)
{
    es_rng r;
    es_rng_seed(&r, seed);
    memset(st, 0, sizeof *st);
    for (int i = 0; i < ST_DRAWS; i++) {
        double x = draw(p, &r, kind);
        if (!(x >= lo && x <= hi))
            ES_FAIL("%s: draw %d = %.17g outside [%g, %g]", p->name, i, x, lo, hi);
        if (q > 0.0 && !st_multiple_of(x, q))
            ES_FAIL("%s: draw %d = %.17g is not a multiple of %g", p->name, i, x, q);
        st_add(st, f ? f(x) : x);
    }
}

ES_TEST(dist_constant)
{
    es_param p = st_param("opt", ES_DIST_CONSTANT);
    es_rng r;
    es_value v;
    p.value = st_str("adam");
    es_rng_seed(&r, 1);
    for (int i = 0; i < 3; i++) {
        ES_CHECK_INT(es_sample_param(&p, &r, &v), 0);
        ES_CHECK_INT(v.kind, ES_V_STR);
        ES_CHECK_STR(v.s, "adam");
        ES_CHECK(v.s != p.value.s); /* the caller's own copy */
        es_value_clear(&v);
    }
    p.value = st_int(15);
    ES_CHECK_NEAR(draw(&p, &r, ES_V_INT), 15.0, 0.0);
}

ES_TEST(dist_categorical_uniform)
{
    es_value vals[4] = {st_str("a"), st_str("b"), st_str("c"), st_str("d")};
    es_param p = st_param("letter", ES_DIST_CATEGORICAL);
    long count[4] = {0};
    const double prob[4] = {0.25, 0.25, 0.25, 0.25};
    es_rng r;
    p.values = vals;
    p.n_values = 4;
    es_rng_seed(&r, 3);
    for (int i = 0; i < ST_DRAWS; i++) {
        es_value v;
        ES_CHECK_INT(es_sample_param(&p, &r, &v), 0);
        ES_CHECK_INT(v.kind, ES_V_STR);
        ES_CHECK(v.s[0] >= 'a' && v.s[0] <= 'd' && v.s[1] == '\0');
        count[v.s[0] - 'a']++;
        es_value_clear(&v);
    }
    ES_CHECK(st_chi2(count, prob, 4, ST_DRAWS) < st_chi2_bound(4));
}

ES_TEST(dist_categorical_probabilities)
{
    es_value vals[4] = {st_int(10), st_int(20), st_int(30), st_int(40)};
    double prob[4] = {0.5, 0.3, 0.2, 0.0};
    es_param p = st_param("width", ES_DIST_CATEGORICAL);
    long count[4] = {0};
    es_rng r;
    p.values = vals;
    p.n_values = 4;
    p.probabilities = prob;
    es_rng_seed(&r, 4);
    for (int i = 0; i < ST_DRAWS; i++) {
        double x = draw(&p, &r, ES_V_INT);
        count[(int)x / 10 - 1]++;
    }
    ES_CHECK_INT(count[3], 0); /* probability 0: never chosen */
    for (int i = 0; i < 3; i++)
        ES_CHECK_NEAR((double)count[i] / ST_DRAWS, prob[i], 0.015);
    ES_CHECK(st_chi2(count, prob, 3, ST_DRAWS) < st_chi2_bound(3));
}

ES_TEST(dist_int_uniform)
{
    /* Both ends included: -2 .. 7 is ten values, each with frequency 1/10. */
    es_param p = st_param("layers", ES_DIST_INT_UNIFORM);
    long count[10] = {0};
    double prob[10];
    es_rng r;
    p.min = -2;
    p.max = 7;
    es_rng_seed(&r, 5);
    for (int i = 0; i < ST_DRAWS; i++) {
        double x = draw(&p, &r, ES_V_INT);
        ES_CHECK(x >= -2 && x <= 7);
        count[(int)x + 2]++;
    }
    for (int i = 0; i < 10; i++) {
        prob[i] = 0.1;
        ES_CHECK(count[i] > 0);
    }
    ES_CHECK(st_chi2(count, prob, 10, ST_DRAWS) < st_chi2_bound(10));

    /* A one-value range is that value. */
    p.min = p.max = 3;
    ES_CHECK_NEAR(draw(&p, &r, ES_V_INT), 3.0, 0.0);
}

ES_TEST(dist_uniform)
{
    es_param p = st_param("dropout", ES_DIST_UNIFORM);
    st_stats st;
    p.min = -1.0;
    p.max = 3.0;
    sample(&p, 6, ES_V_FLOAT, -1.0, 3.0, 0, NULL, &st);
    ES_CHECK(st.max < 3.0);
    ST_CHECK_MOMENTS(&st, 1.0, 16.0 / 12.0, 0.04);
}

ES_TEST(dist_q_uniform)
{
    /* With min and max multiples of q, every draw is a multiple of q in
     * [min, max]; an integer q gives integers. */
    es_param p = st_param("dropout", ES_DIST_Q_UNIFORM);
    st_stats st;
    p.min = 0.0;
    p.max = 1.0;
    p.q = 0.25;
    sample(&p, 7, ES_V_FLOAT, 0.0, 1.0, 0.25, NULL, &st);
    /* round(U(0,1)/0.25)*0.25: 0 and 1 have weight 1/8, the others 1/4. */
    ST_CHECK_MOMENTS(&st, 0.5, 0.25 * 0.25 * (0.125 * 4 * 2 + 0.25 * 1 * 2), 0.05);

    p.min = 8;
    p.max = 64;
    p.q = 8;
    sample(&p, 8, ES_V_INT, 8, 64, 8, NULL, &st);
    ES_CHECK_NEAR(st_mean(&st), 36.0, 5.0 * sqrt(16.0 * 16.0 * 4.0 / 12.0 / ST_DRAWS) + 0.1);

    /* A decimal step reads as written: multiples of 0.1 have no binary
     * residue such as 0.30000000000000004. */
    es_rng r;
    p.min = 0.0;
    p.max = 1.0;
    p.q = 0.1;
    es_rng_seed(&r, 9);
    for (int i = 0; i < 2000; i++) {
        double x = draw(&p, &r, ES_V_FLOAT);
        ES_CHECK(x == rint(x * 10.0) / 10.0);
    }
}

ES_TEST(dist_log_uniform)
{
    /* min and max are natural-log exponents: ln X ~ U(-5, 1). */
    es_param p = st_param("lr", ES_DIST_LOG_UNIFORM);
    st_stats st;
    p.min = -5.0;
    p.max = 1.0;
    sample(&p, 10, ES_V_FLOAT, exp(-5.0), exp(1.0), 0, log, &st);
    ST_CHECK_MOMENTS(&st, -2.0, 36.0 / 12.0, 0.04);
}

ES_TEST(dist_log_uniform_values)
{
    /* min and max are values: ln X ~ U(ln 1e-4, ln 1e-1). */
    es_param p = st_param("lr", ES_DIST_LOG_UNIFORM_VALUES);
    st_stats st;
    double a = log(1e-4), b = log(1e-1);
    p.min = 1e-4;
    p.max = 1e-1;
    sample(&p, 11, ES_V_FLOAT, 1e-4 * (1 - 1e-12), 1e-1 * (1 + 1e-12), 0, log, &st);
    ST_CHECK_MOMENTS(&st, (a + b) / 2, (b - a) * (b - a) / 12.0, 0.04);
}

ES_TEST(dist_q_log_uniform)
{
    /* W&B's own example: batch sizes 32 .. 256 with evenly spread logs. */
    es_param p = st_param("batch", ES_DIST_Q_LOG_UNIFORM);
    st_stats st;
    p.min = log(32.0);
    p.max = log(256.0);
    p.q = 1;
    sample(&p, 12, ES_V_INT, 32, 256, 1, log, &st);
    ST_CHECK_MOMENTS(&st, (p.min + p.max) / 2, (p.max - p.min) * (p.max - p.min) / 12.0, 0.05);

    p.q = 0.5;
    sample(&p, 13, ES_V_FLOAT, 32, 256, 0.5, NULL, &st);
}

ES_TEST(dist_q_log_uniform_values)
{
    es_param p = st_param("batch", ES_DIST_Q_LOG_UNIFORM_VALUES);
    st_stats st;
    double a = log(32.0), b = log(256.0);
    p.min = 32;
    p.max = 256;
    p.q = 8;
    sample(&p, 14, ES_V_INT, 32, 256, 8, log, &st);
    /* Rounding to multiples of 8 moves ln X a little: allow for it. */
    ES_CHECK_NEAR(st_mean(&st), (a + b) / 2, 0.02);
}

ES_TEST(dist_inv_log_uniform)
{
    /* W&B: ln(1/X) ~ U(min, max), so X = 1 / exp(U(0, 3)) in [e^-3, 1]. */
    es_param p = st_param("wd", ES_DIST_INV_LOG_UNIFORM);
    st_stats st;
    p.min = 0.0;
    p.max = 3.0;
    sample(&p, 15, ES_V_FLOAT, exp(-3.0) * (1 - 1e-12), 1.0, 0, log, &st);
    ST_CHECK_MOMENTS(&st, -1.5, 9.0 / 12.0, 0.04);
}

ES_TEST(dist_inv_log_uniform_values)
{
    /* W&B: ln(1/X) ~ U(ln(1/max), ln(1/min)), so X lies in [min, max] and
     * ln X is uniform there. */
    es_param p = st_param("wd", ES_DIST_INV_LOG_UNIFORM_VALUES);
    st_stats st;
    double a = log(1e-3), b = log(1e-1);
    p.min = 1e-3;
    p.max = 1e-1;
    sample(&p, 16, ES_V_FLOAT, 1e-3 * (1 - 1e-12), 1e-1 * (1 + 1e-12), 0, log, &st);
    ST_CHECK_MOMENTS(&st, (a + b) / 2, (b - a) * (b - a) / 12.0, 0.04);
}

ES_TEST(dist_normal)
{
    es_param p = st_param("x", ES_DIST_NORMAL);
    st_stats st;
    p.mu = 3.0;
    p.sigma = 2.0;
    sample(&p, 17, ES_V_FLOAT, -HUGE_VAL, HUGE_VAL, 0, NULL, &st);
    ST_CHECK_MOMENTS(&st, 3.0, 4.0, 0.04);
}

ES_TEST(dist_q_normal)
{
    /* Rounding to q adds q^2/12 to the variance (Sheppard's correction). */
    es_param p = st_param("x", ES_DIST_Q_NORMAL);
    st_stats st;
    p.mu = 10.0;
    p.sigma = 3.0;
    p.q = 0.5;
    sample(&p, 18, ES_V_FLOAT, -HUGE_VAL, HUGE_VAL, 0.5, NULL, &st);
    ST_CHECK_MOMENTS(&st, 10.0, 9.0 + 0.25 / 12.0, 0.04);

    p.q = 2;
    sample(&p, 19, ES_V_INT, -HUGE_VAL, HUGE_VAL, 2, NULL, &st);
    ST_CHECK_MOMENTS(&st, 10.0, 9.0 + 4.0 / 12.0, 0.04);
}

ES_TEST(dist_log_normal)
{
    /* ln X ~ N(mu, sigma): X > 0, mean of ln X is mu, and E[X] is
     * exp(mu + sigma^2 / 2). */
    es_param p = st_param("x", ES_DIST_LOG_NORMAL);
    st_stats st, lin;
    p.mu = -1.0;
    p.sigma = 0.5;
    sample(&p, 20, ES_V_FLOAT, 0.0, HUGE_VAL, 0, log, &st);
    ST_CHECK_MOMENTS(&st, -1.0, 0.25, 0.04);
    sample(&p, 20, ES_V_FLOAT, 0.0, HUGE_VAL, 0, NULL, &lin);
    double var = (exp(0.25) - 1.0) * exp(-2.0 + 0.25);
    ES_CHECK_NEAR(st_mean(&lin), exp(-1.0 + 0.125), 5.0 * sqrt(var / ST_DRAWS));
}

ES_TEST(dist_q_log_normal)
{
    es_param p = st_param("units", ES_DIST_Q_LOG_NORMAL);
    st_stats st;
    p.mu = 4.0; /* median e^4 ~ 55 */
    p.sigma = 0.3;
    p.q = 1;
    sample(&p, 21, ES_V_INT, 0, HUGE_VAL, 1, log, &st);
    ES_CHECK_NEAR(st_mean(&st), 4.0, 0.01);

    p.q = 0.01;
    sample(&p, 22, ES_V_FLOAT, 0, HUGE_VAL, 0.01, log, &st);
    ST_CHECK_MOMENTS(&st, 4.0, 0.09, 0.04);
}

ES_TEST(dist_beta)
{
    /* Beta(2, 5): mean a/(a+b) = 2/7, variance ab/((a+b)^2 (a+b+1)). */
    es_param p = st_param("mix", ES_DIST_BETA);
    st_stats st;
    p.a = 2.0;
    p.b = 5.0;
    sample(&p, 23, ES_V_FLOAT, 0.0, 1.0, 0, NULL, &st);
    ST_CHECK_MOMENTS(&st, 2.0 / 7.0, 10.0 / (49.0 * 8.0), 0.04);
}

ES_TEST(dist_q_beta)
{
    es_param p = st_param("mix", ES_DIST_Q_BETA);
    st_stats st;
    p.a = 2.0;
    p.b = 5.0;
    p.q = 0.1;
    sample(&p, 24, ES_V_FLOAT, 0.0, 1.0, 0.1, NULL, &st);
    ES_CHECK_NEAR(st_mean(&st), 2.0 / 7.0, 0.01);

    /* q = 1 rounds to 0 or 1; P(X > 1/2) = 7/64 for Beta(2, 5). */
    p.q = 1;
    sample(&p, 25, ES_V_INT, 0, 1, 1, NULL, &st);
    ES_CHECK_NEAR(st_mean(&st), 7.0 / 64.0, 5.0 * sqrt(7.0 / 64 * 57.0 / 64 / ST_DRAWS));
}

ES_TEST(dist_every_distribution_is_covered)
{
    /* Every distribution that spec.h lists gives a value of a sensible
     * kind: a new one added there without a sampler fails here. */
    es_value vals[2] = {st_int(1), st_int(2)};
    es_rng r;
    es_rng_seed(&r, 26);
    for (int d = 0; d < ES_DIST__COUNT; d++) {
        es_param p = st_param("p", (es_dist)d);
        es_value v;
        p.value = st_int(1);
        p.values = vals;
        p.n_values = 2;
        p.min = 1;
        p.max = 2;
        p.mu = 0;
        p.sigma = 1;
        p.a = p.b = 1;
        ES_CHECK_INT(es_sample_param(&p, &r, &v), 0);
        if (v.kind != ES_V_INT && v.kind != ES_V_FLOAT)
            ES_FAIL("distribution %d gave kind %d", d, (int)v.kind);
        ES_CHECK(isfinite(es_value_number(&v)));
        es_value_clear(&v);
    }
}
