/*
 * test_trust.c -- the trust region of the Bayesian search (search/trust.c
 * and its use in bayes.c): the side doubles after three improvements and
 * halves after max(4, k, parallel) failures, a collapse hands max(4, k) trials to the
 * whole cube and then starts again at the initial side, the state depends
 * on the order of completions only, the box follows the length scales and
 * leaves categoricals free, and the suggestions that result stay away from
 * the bounds where the optimum is not there.
 */
#include <math.h>
#include <stdlib.h>

#include "bayes_int.h"
#include "bench_functions.h"
#include "search_test.h"

/* A model over two uniform parameters with `n` completions of the given
 * objectives (index i = the i-th completion). */
static es_model *trust_model(es_spec *spec, es_param p[2], const double *f, size_t n)
{
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    *spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec->metric_name = (char *)"loss";
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(spec, 7, &m), 0);
    for (size_t i = 0; i < n; i++) {
        es_value v[2] = {st_float(0.01 * (double)(i % 97)), st_float(0.5)};
        es_obs_status st = isnan(f[i]) ? ES_OBS_FAILED : ES_OBS_COMPLETED;
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, v, st, f[i], NAN), 0);
    }
    return m;
}

ES_TEST(trust_grows_shrinks_and_restarts)
{
    /* 5 design trials at 10, then: 3 improvements (side 0.8 -> 1.6), 4
     * failures (0.8), and failures until the side has halved 7 times from
     * 1.6 (below 2^-7 after 8 halvings of 1.6: 32 failures in all). */
    double f[200];
    size_t n = 0;
    for (int i = 0; i < 5; i++)
        f[n++] = 10.0;
    f[n++] = 9.0;
    f[n++] = 8.0;
    f[n++] = 7.0;
    es_spec spec;
    es_param p[2];
    es_trust t;

    es_model *m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_INT(t.local, 1);
    ES_CHECK_NEAR(t.length, 1.6, 0);
    es_model_destroy(m);

    /* Improvements smaller than 1e-3 of the best are failures. */
    for (int i = 0; i < 4; i++)
        f[n++] = 7.0 - 1e-4;
    m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_NEAR(t.length, 0.8, 0);
    es_model_destroy(m);

    /* 0.8 -> below 0.5^7 takes 7 more halvings: 28 failures (a crash is
     * one too). */
    for (int i = 0; i < 27; i++)
        f[n++] = 50.0;
    f[n++] = NAN;
    m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_INT(t.local, 0);
    ES_CHECK_INT(t.restarts, 1);
    es_model_destroy(m);

    /* Four trials over the whole cube, then a box of the initial side. */
    for (int i = 0; i < 3; i++)
        f[n++] = 50.0;
    m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_INT(t.local, 0);
    es_model_destroy(m);
    f[n++] = 50.0;
    m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_INT(t.local, 1);
    ES_CHECK_NEAR(t.length, 0.8, 0);
    ES_CHECK_INT(t.restarts, 1);
    es_model_destroy(m);

    /* An improvement during the global trials ends them at once. */
    n -= 4;
    f[n++] = 50.0;
    f[n++] = 1.0;
    m = trust_model(&spec, p, f, n);
    es_trust_replay(m, 5, &t);
    ES_CHECK_INT(t.local, 1);
    ES_CHECK_NEAR(t.length, 0.8, 0);
    es_model_destroy(m);
}

ES_TEST(trust_a_missed_batch_halves_the_box_once)
{
    /* With parallel 16, sixteen failures in a row (one batch that missed)
     * halve the side once, as TuRBO's per-batch tolerance does; they used
     * to halve it four times (every max(4, k) = 4 failures). */
    double f[16 + 16];
    for (int i = 0; i < 16; i++)
        f[i] = 10.0;
    for (int i = 16; i < 32; i++)
        f[i] = 50.0;
    es_spec spec;
    es_param p[2];
    es_trust t;
    es_model *m = trust_model(&spec, p, f, 31);
    spec.parallel = 16;
    es_trust_replay(m, 16, &t);
    ES_CHECK_NEAR(t.length, 0.8, 0); /* 15 failures: not yet */
    es_model_destroy(m);
    m = trust_model(&spec, p, f, 32);
    spec.parallel = 16;
    es_trust_replay(m, 16, &t);
    ES_CHECK_INT(t.local, 1);
    ES_CHECK_NEAR(t.length, 0.4, 0);
    /* Sequentially the same history halves it four times. */
    spec.parallel = 1;
    es_trust_replay(m, 16, &t);
    ES_CHECK_NEAR(t.length, 0.05, 1e-15);
    es_model_destroy(m);
}

ES_TEST(trust_state_under_a_maximize_goal)
{
    /* A maximize goal with the values negated gives the same state. */
    double f[12] = {5, 5, 5, 5, 5, 4, 3, 2, 9, 9, 9, 9}, g[12];
    es_spec spec;
    es_param p[2];
    es_trust a, b;
    es_model *m = trust_model(&spec, p, f, 12);
    es_trust_replay(m, 5, &a);
    es_model_destroy(m);
    for (int i = 0; i < 12; i++)
        g[i] = -f[i];
    m = trust_model(&spec, p, g, 12);
    spec.goal = ES_GOAL_MAXIMIZE;
    es_trust_replay(m, 5, &b);
    ES_CHECK_INT(a.local, b.local);
    ES_CHECK_NEAR(a.length, b.length, 0);
    ES_CHECK_NEAR(a.length, 0.8, 0); /* 3 improvements (1.6), 4 failures */
    es_model_destroy(m);
}

ES_TEST(trust_box_follows_length_scales_and_frees_choices)
{
    es_param p[3];
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    static es_value choices[3] = {{.kind = ES_V_STR, .s = (char *)"a"},
                                  {.kind = ES_V_STR, .s = (char *)"b"},
                                  {.kind = ES_V_STR, .s = (char *)"c"}};
    p[2] = st_choice("c", choices, 3);
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 3);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    size_t d = es_enc_dims(m->enc);
    ES_CHECK_INT(d, 5);
    /* Length scales 0.2 and 0.8: sides in ratio 1:4, of product 0.4^2. */
    m->objective.theta[0] = log(0.2);
    m->objective.theta[1] = log(0.8);
    unsigned char mask[5];
    es_enc_choice_dims(m->enc, mask);
    ES_CHECK(!mask[0] && !mask[1] && mask[2] && mask[3] && mask[4]);
    es_trust t = {.local = 1, .length = 0.4};
    double center[5] = {0.5, 0.95, 0, 1, 0}, lb[5], ub[5];
    es_trust_box(m, &t, center, mask, lb, ub);
    ES_CHECK_NEAR(ub[0] - lb[0], 0.2, 1e-12);
    ES_CHECK_NEAR(lb[1], 0.95 - 0.4, 1e-12);
    ES_CHECK_NEAR(ub[1], 1.0, 0); /* clipped at the bound */
    for (size_t j = 2; j < 5; j++) {
        ES_CHECK_NEAR(lb[j], 0, 0);
        ES_CHECK_NEAR(ub[j], 1, 0);
    }
    /* Points drawn in the box stay in it; the choice moves only when told. */
    es_rng rng;
    es_rng_seed(&rng, 3);
    int moved = 0;
    for (int i = 0; i < 200; i++) {
        double x[5];
        es_enc_sample_box(m->enc, &rng, center, lb, ub, i < 100 ? 0.0 : 1.0, x);
        ES_CHECK(x[0] >= lb[0] && x[0] <= ub[0] && x[1] >= lb[1] && x[1] <= ub[1]);
        ES_CHECK_NEAR(x[2] + x[3] + x[4], 1, 0);
        if (i < 100)
            ES_CHECK_NEAR(x[3], 1, 0);
        else
            moved += x[3] != 1.0;
    }
    ES_CHECK(moved > 40 && moved < 90); /* 2/3 of 100 draws leave choice b */
    es_model_destroy(m);
}

/* Share of the proposals after the design (2k trials) with a coordinate
 * within 0.5% of a bound, over `seeds` sequential sweeps of `trials`. */
static double trust_edge_share(double (*f)(const double *), size_t k, double lo, double hi,
                               int seeds, int trials)
{
    es_param p[BF_MAX_DIM];
    int near = 0, after = 0;
    for (size_t j = 0; j < k; j++) {
        static const char *names[] = {"x1", "x2", "x3", "x4", "x5", "x6"};
        p[j] = st_param(names[j], ES_DIST_UNIFORM);
        p[j].min = lo;
        p[j].max = hi;
    }
    es_spec spec = st_spec(ES_METHOD_BAYES, p, k);
    spec.metric_name = (char *)"loss";
    for (int seed = 0; seed < seeds; seed++) {
        es_search *s = NULL;
        es_err err = {0};
        ES_CHECK_INT(es_search_create(&spec, (uint64_t)seed, &s, &err), 0);
        for (int i = 0; i < trials; i++) {
            es_value v[BF_MAX_DIM] = {{0}};
            double x[BF_MAX_DIM];
            ES_CHECK_INT(es_search_suggest(s, (uint64_t)i, v, &err), 0);
            int edge = 0;
            for (size_t j = 0; j < k; j++) {
                x[j] = es_value_number(&v[j]);
                double u = (x[j] - lo) / (hi - lo);
                edge |= u < 0.005 || u > 0.995;
            }
            if (i >= (int)(2 * k > 5 ? 2 * k : 5)) {
                near += edge;
                after++;
            }
            ES_CHECK_INT(es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED, f(x), NAN, &err),
                         0);
            for (size_t j = 0; j < k; j++)
                es_value_clear(&v[j]);
        }
        es_search_destroy(s);
    }
    return (double)near / after;
}

ES_TEST(trust_keeps_proposals_off_the_bounds)
{
    /* Rastrigin-3 (optimum at the center of [-5.12, 5.12]^3): EI over the
     * whole cube put 45% of its proposals at a bound (uniform draws: 3%);
     * inside the trust region about 20% (3 seeds, 60 trials). */
    double share = trust_edge_share(bf_rastrigin3, 3, -5.12, 5.12, 3, 60);
    ES_CHECK(share < 0.3);
}
