/*
 * test_warp.c -- the objective's output warping (search/warp.c and
 * model_warp): the Yeo-Johnson transform and its inverse, its likelihood
 * and the fitted power, and what the surrogate does with them.
 */
#include <math.h>
#include <stdlib.h>

#include "bayes_int.h"
#include "rng.h"
#include "search_test.h"

ES_TEST(warp_yeo_johnson_round_trip)
{
    const double lambdas[] = {-2, -0.5, 0, 1e-12, 0.5, 1, 1.5, 2, 2 + 1e-12, 3, 4};
    const double zs[] = {-50, -3, -1, -1e-6, 0, 1e-6, 0.5, 1, 7, 300};
    for (size_t i = 0; i < sizeof lambdas / sizeof lambdas[0]; i++)
        for (size_t j = 0; j < sizeof zs / sizeof zs[0]; j++) {
            double l = lambdas[i], z = zs[j], w = es_yj(z, l);
            ES_CHECK(isfinite(w));
            ES_CHECK_NEAR(es_yj_inverse(w, l), z, 1e-9 * fmax(1.0, fabs(z)));
            /* Increasing, and the identity at lambda 1. */
            ES_CHECK(es_yj(z + 1e-3, l) > w);
            if (l == 1)
                ES_CHECK_NEAR(w, z, 1e-12);
        }
    /* Its known closed forms: log1p at 0 for z >= 0, -log1p(-z) at 2 below. */
    ES_CHECK_NEAR(es_yj(3, 0), log(4), 1e-15);
    ES_CHECK_NEAR(es_yj(-3, 2), -log(4), 1e-15);
}

ES_TEST(warp_fit_maximizes_the_likelihood)
{
    /* Lognormal-like (heavy upper tail) values want a power below 1; a
     * normal sample wants about 1; a left-skewed one above 1. */
    enum { N = 400 };
    double up[N], flat[N], down[N];
    es_rng rng;
    es_rng_seed_stream(&rng, 42, 0);
    for (int i = 0; i < N; i++) {
        double g = es_rng_normal(&rng);
        up[i] = exp(g) - 1.0;
        flat[i] = g;
        down[i] = -(exp(g) - 1.0);
    }
    double lu = es_yj_fit(up, N), lf = es_yj_fit(flat, N), ld = es_yj_fit(down, N);
    ES_CHECK(lu < 0.5);
    ES_CHECK(fabs(lf - 1.0) < 0.3);
    ES_CHECK(ld > 1.5);
    /* The fitted power beats every other on a fine grid. */
    const double *sets[3] = {up, flat, down};
    const double fits[3] = {lu, lf, ld};
    for (int k = 0; k < 3; k++)
        for (double l = 2 - ES_YJ_LAMBDA_MAX; l <= ES_YJ_LAMBDA_MAX; l += 0.01)
            ES_CHECK(es_yj_loglik(sets[k], N, fits[k]) >= es_yj_loglik(sets[k], N, l) - 1e-9);
    /* Degenerate input: the identity. */
    double same[5] = {1, 1, 1, 1, 1};
    ES_CHECK_NEAR(es_yj_fit(same, 5), 1.0, 0);
    ES_CHECK_NEAR(es_yj_fit(up, 2), 1.0, 0);
}

ES_TEST(warp_surrogate_keeps_order_and_undoes_exactly)
{
    /* Through the model: a skewed objective (one diverged run) is warped,
     * the worst target becomes the GP's prior mean (0), the order of the
     * targets is kept, and es_surrogate_target undoes it all. */
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 1);
    spec.metric_name = (char *)"loss";
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    const double fs[7] = {0.30, 0.25, 0.27, 0.22, 9.0, 0.31, 0.24};
    for (int i = 0; i < 7; i++) {
        es_value v = st_float(0.1 + 0.12 * i);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, ES_OBS_COMPLETED, fs[i], NAN), 0);
    }
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    const es_surrogate *o = &m->objective;
    ES_CHECK(o->warp_lambda < 1.0); /* the diverged run's tail is compressed */
    ES_CHECK_NEAR(o->yt[4], 0.0, 0);
    for (int i = 0; i < 7; i++) {
        ES_CHECK_NEAR(es_surrogate_target(o, o->yt[i]), fs[i], 1e-9);
        for (int j = 0; j < 7; j++)
            ES_CHECK((fs[i] < fs[j]) == (o->yt[i] < o->yt[j]));
    }
    ES_CHECK_NEAR(o->best, o->yt[3], 0);
    /* The good six are no longer squeezed into a sliver of the scale: their
     * spread, against the distance from the best to the worst, is five
     * times what it was (0.009 before the warp). */
    double raw = (0.30 - 0.22) / (9.0 - 0.22);
    ES_CHECK((o->yt[0] - o->yt[3]) / (0 - o->yt[3]) > 5 * raw);
    es_model_destroy(m);
}

/* A bowl on [-2, 2]^2 (minimum 0 at (0.3, -0.2)) that diverges to `huge`
 * where x > 1.5: the best of `trials` sequential Bayesian trials. */
static double diverging_bowl_best(double huge, uint64_t seed, int trials)
{
    es_param p[2];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].min = -2;
    p[0].max = 2;
    p[1] = st_param("y", ES_DIST_UNIFORM);
    p[1].min = -2;
    p[1].max = 2;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec.metric_name = (char *)"loss";
    es_search *s = NULL;
    es_err err = {0};
    ES_CHECK_INT(es_search_create(&spec, seed, &s, &err), 0);
    double best = INFINITY;
    for (int i = 0; i < trials; i++) {
        es_value v[2] = {{0}};
        ES_CHECK_INT(es_search_suggest(s, (uint64_t)i, v, &err), 0);
        double x = es_value_number(&v[0]), y = es_value_number(&v[1]);
        double f = x > 1.5 ? huge : (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2);
        best = fmin(best, f);
        ES_CHECK_INT(es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED, f, NAN, &err), 0);
        es_value_clear(&v[0]);
        es_value_clear(&v[1]);
    }
    es_search_destroy(s);
    return best;
}

ES_TEST(warp_survives_a_diverged_result)
{
    /* One run that diverged (1e6, 1e300, or DBL_MAX) among ordinary
     * losses must not flatten them: standardized by the mean and sd, the
     * ordinary ones became one value to the surrogate (nothing after the
     * design beat its best, 0.05), and DBL_MAX overflowed the sums. */
    const double huge[] = {20, 1e6, 1e300, 1.7976931348623157e308};
    for (size_t h = 0; h < sizeof huge / sizeof huge[0]; h++)
        for (uint64_t seed = 3; seed < 6; seed++) {
            double best = diverging_bowl_best(huge[h], seed, 30);
            if (!(best < 1e-3))
                ES_FAIL("huge %g, seed %llu: best %g after 30 trials", huge[h],
                        (unsigned long long)seed, best);
        }
}
