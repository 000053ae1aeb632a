/*
 * test_rng.c -- the deterministic generator: same seed, same numbers; other
 * seeds and other stream indices, other numbers; and the moments of its
 * uniform, normal, gamma and beta deviates.
 */
#include "rng.h"
#include "search_test.h"

ES_TEST(rng_same_seed_same_sequence)
{
    es_rng a, b;
    es_rng_seed(&a, 42);
    es_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        ES_CHECK(es_rng_next(&a) == es_rng_next(&b));
}

ES_TEST(rng_different_seeds_differ)
{
    es_rng a, b, z;
    int same = 0;
    es_rng_seed(&a, 1);
    es_rng_seed(&b, 2);
    for (int i = 0; i < 1000; i++)
        same += es_rng_next(&a) == es_rng_next(&b);
    ES_CHECK_INT(same, 0);

    /* Seed 0 is a seed like any other: the state is not all zero, and the
     * output is not stuck. */
    es_rng_seed(&z, 0);
    ES_CHECK((z.s[0] | z.s[1] | z.s[2] | z.s[3]) != 0);
    uint64_t first = es_rng_next(&z);
    int changed = 0;
    for (int i = 0; i < 10; i++)
        changed += es_rng_next(&z) != first;
    ES_CHECK(changed > 0);
}

ES_TEST(rng_streams_are_distinct_and_repeatable)
{
    /* Streams of neighbouring indices and of neighbouring seeds share no
     * first outputs; the same (seed, index) always gives the same stream. */
    enum { N = 256 };
    uint64_t first[2 * N];
    for (int i = 0; i < N; i++) {
        es_rng r;
        es_rng_seed_stream(&r, 7, (uint64_t)i);
        first[i] = es_rng_next(&r);
        es_rng_seed_stream(&r, (uint64_t)i + 100, 0);
        first[N + i] = es_rng_next(&r);
    }
    for (int i = 0; i < 2 * N; i++)
        for (int j = i + 1; j < 2 * N; j++)
            ES_CHECK(first[i] != first[j]);

    es_rng a, b;
    es_rng_seed_stream(&a, 7, 3);
    es_rng_seed_stream(&b, 7, 3);
    for (int i = 0; i < 100; i++)
        ES_CHECK(es_rng_next(&a) == es_rng_next(&b));
}

ES_TEST(rng_streams_are_uncorrelated)
{
    /* The first uniform of stream i against the first of stream i + 1, over
     * many i: their correlation is near 0 if the streams are independent. */
    st_stats x = {0}, y = {0};
    double sxy = 0.0;
    for (int i = 0; i < ST_DRAWS; i++) {
        es_rng r;
        es_rng_seed_stream(&r, 99, (uint64_t)i);
        double u = es_rng_uniform(&r);
        es_rng_seed_stream(&r, 99, (uint64_t)i + 1);
        double v = es_rng_uniform(&r);
        st_add(&x, u);
        st_add(&y, v);
        sxy += u * v;
    }
    double cov = sxy / ST_DRAWS - st_mean(&x) * st_mean(&y);
    double corr = cov / sqrt(st_var(&x) * st_var(&y));
    ES_CHECK_NEAR(corr, 0.0, 5.0 / sqrt(ST_DRAWS));
}

ES_TEST(rng_uniform_range_and_moments)
{
    es_rng r;
    st_stats st = {0};
    long bins[10] = {0};
    double prob[10];
    es_rng_seed(&r, 2024);
    for (int i = 0; i < ST_DRAWS; i++) {
        double u = es_rng_uniform(&r);
        ES_CHECK(u >= 0.0 && u < 1.0);
        st_add(&st, u);
        bins[(int)(u * 10)]++;
    }
    ST_CHECK_MOMENTS(&st, 0.5, 1.0 / 12.0, 0.03);
    for (int i = 0; i < 10; i++)
        prob[i] = 0.1;
    ES_CHECK(st_chi2(bins, prob, 10, ST_DRAWS) < st_chi2_bound(10));
}

ES_TEST(rng_normal_moments)
{
    es_rng r;
    st_stats st = {0};
    double m3 = 0.0, m4 = 0.0;
    long within1 = 0;
    es_rng_seed(&r, 5);
    for (int i = 0; i < ST_DRAWS; i++) {
        double z = es_rng_normal(&r);
        ES_CHECK(isfinite(z));
        st_add(&st, z);
        m3 += z * z * z;
        m4 += z * z * z * z;
        within1 += fabs(z) < 1.0;
    }
    ST_CHECK_MOMENTS(&st, 0.0, 1.0, 0.04);
    ES_CHECK_NEAR(m3 / ST_DRAWS, 0.0, 0.12); /* skewness 0, sd sqrt(15/n) */
    ES_CHECK_NEAR(m4 / ST_DRAWS, 3.0, 0.25); /* kurtosis 3, sd sqrt(96/n) */
    ES_CHECK_NEAR((double)within1 / ST_DRAWS, 0.682689492, 0.017);
}

ES_TEST(rng_gamma_moments)
{
    /* Gamma(k, 1) has mean k and variance k; shapes below 1 go through the
     * boost, shapes above straight through Marsaglia-Tsang. */
    const double shapes[] = {0.3, 1.0, 2.5, 9.0};
    es_rng r;
    es_rng_seed(&r, 11);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        st_stats st = {0};
        for (int i = 0; i < ST_DRAWS; i++) {
            double g = es_rng_gamma(&r, shapes[s]);
            ES_CHECK(g >= 0.0 && isfinite(g));
            st_add(&st, g);
        }
        ST_CHECK_MOMENTS(&st, shapes[s], shapes[s], 0.08);
    }
    ES_CHECK(isnan(es_rng_gamma(&r, 0.0)));
    ES_CHECK(isnan(es_rng_gamma(&r, -1.0)));
}

ES_TEST(rng_beta_moments_and_tiny_shapes)
{
    es_rng r;
    st_stats st = {0};
    es_rng_seed(&r, 13);
    for (int i = 0; i < ST_DRAWS; i++) {
        double x = es_rng_beta(&r, 0.5, 0.5);
        ES_CHECK(x >= 0.0 && x <= 1.0);
        st_add(&st, x);
    }
    /* Beta(1/2, 1/2): mean 1/2, variance ab / ((a+b)^2 (a+b+1)) = 1/8. */
    ST_CHECK_MOMENTS(&st, 0.5, 0.125, 0.04);

    /* Shapes so small that both gamma deviates underflow in linear space
     * still give a number in [0, 1], about half of them near each end. */
    long high = 0;
    for (int i = 0; i < 2000; i++) {
        double x = es_rng_beta(&r, 0.005, 0.005);
        ES_CHECK(x >= 0.0 && x <= 1.0);
        high += x > 0.5;
    }
    ES_CHECK(high > 850 && high < 1150);
}
