/*
 * test_encode.c -- the Bayesian search's encoding of parameters into the
 * unit cube: every distribution's values survive a round trip (exactly when
 * they are discrete), decoding gives the value types random search gives,
 * categoricals are one-hot, constants take no dimension, and design
 * points are deterministic Latin hypercubes.
 */
#include <errno.h>

#include "bayes_int.h"
#include "rng.h"
#include "search_test.h"

static es_value enc_colors[3] = {{.kind = ES_V_STR, .s = (char *)"red"},
                                 {.kind = ES_V_STR, .s = (char *)"green"},
                                 {.kind = ES_V_STR, .s = (char *)"blue"}};

/* One parameter of every distribution, with W&B-style bounds. */
static size_t enc_all_params(es_param *p)
{
    size_t n = 0;
    p[n] = st_param("const", ES_DIST_CONSTANT);
    p[n++].value = st_int(7);
    p[n] = st_param("cat", ES_DIST_CATEGORICAL);
    p[n].values = enc_colors;
    p[n++].n_values = 3;
    p[n] = st_param("int", ES_DIST_INT_UNIFORM);
    p[n].min = -3;
    p[n++].max = 12;
    p[n] = st_param("uni", ES_DIST_UNIFORM);
    p[n].min = -2.5;
    p[n++].max = 4.0;
    p[n] = st_param("q_uni", ES_DIST_Q_UNIFORM);
    p[n].min = 0.0;
    p[n].max = 1.0;
    p[n++].q = 0.05;
    p[n] = st_param("q_uni_int", ES_DIST_Q_UNIFORM);
    p[n].min = 0.5;
    p[n].max = 20.5;
    p[n++].q = 2;
    p[n] = st_param("log_uni", ES_DIST_LOG_UNIFORM);
    p[n].min = -9;
    p[n++].max = -1;
    p[n] = st_param("log_uni_v", ES_DIST_LOG_UNIFORM_VALUES);
    p[n].min = 1e-5;
    p[n++].max = 1e-1;
    p[n] = st_param("q_log_uni", ES_DIST_Q_LOG_UNIFORM);
    p[n].min = 0;
    p[n].max = 6;
    p[n++].q = 4;
    p[n] = st_param("q_log_uni_v", ES_DIST_Q_LOG_UNIFORM_VALUES);
    p[n].min = 16;
    p[n].max = 1024;
    p[n++].q = 16;
    p[n] = st_param("inv_log", ES_DIST_INV_LOG_UNIFORM);
    p[n].min = 1;
    p[n++].max = 5;
    p[n] = st_param("inv_log_v", ES_DIST_INV_LOG_UNIFORM_VALUES);
    p[n].min = 0.01;
    p[n++].max = 0.5;
    p[n] = st_param("normal", ES_DIST_NORMAL);
    p[n].mu = 3;
    p[n++].sigma = 2;
    p[n] = st_param("q_normal", ES_DIST_Q_NORMAL);
    p[n].mu = 10;
    p[n].sigma = 3;
    p[n++].q = 0.5;
    p[n] = st_param("log_normal", ES_DIST_LOG_NORMAL);
    p[n].mu = -1;
    p[n++].sigma = 0.5;
    p[n] = st_param("q_log_normal", ES_DIST_Q_LOG_NORMAL);
    p[n].mu = 3;
    p[n].sigma = 0.5;
    p[n++].q = 1;
    p[n] = st_param("beta", ES_DIST_BETA);
    p[n].a = 2;
    p[n++].b = 5;
    p[n] = st_param("q_beta", ES_DIST_Q_BETA);
    p[n].a = 0.5;
    p[n].b = 0.5;
    p[n++].q = 0.1;
    return n;
}

static int enc_discrete(es_dist d)
{
    return d == ES_DIST_CONSTANT || d == ES_DIST_CATEGORICAL || d == ES_DIST_INT_UNIFORM ||
           d == ES_DIST_Q_UNIFORM || d == ES_DIST_Q_LOG_UNIFORM ||
           d == ES_DIST_Q_LOG_UNIFORM_VALUES || d == ES_DIST_Q_NORMAL ||
           d == ES_DIST_Q_LOG_NORMAL || d == ES_DIST_Q_BETA;
}

ES_TEST(encode_round_trip_every_distribution)
{
    es_param p[ES_DIST__COUNT + 2];
    size_t np = enc_all_params(p);
    ES_CHECK_INT(np, ES_DIST__COUNT + 1);
    es_spec spec = st_spec(ES_METHOD_BAYES, p, np);
    es_enc *e = NULL;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    /* The constant takes no dimension, the categorical three. */
    ES_CHECK_INT(es_enc_searched(e), np - 1);
    ES_CHECK_INT(es_enc_dims(e), np - 2 + 3);

    size_t d = es_enc_dims(e);
    double *x = malloc(d * sizeof *x), *x2 = malloc(d * sizeof *x2);
    es_value v[ES_DIST__COUNT + 2], back[ES_DIST__COUNT + 2];
    es_rng rng;
    es_rng_seed(&rng, 2024);
    for (int draw = 0; draw < 500; draw++) {
        for (size_t i = 0; i < np; i++)
            ES_CHECK_INT(es_sample_param(&p[i], &rng, &v[i]), 0);
        ES_CHECK_INT(es_enc_encode(e, v, x), 0);
        ES_CHECK_INT(es_enc_decode(e, x, back), 0);
        for (size_t i = 0; i < np; i++) {
            if (!(v[i].kind == back[i].kind))
                ES_FAIL("%s: kind %d decoded as %d", p[i].name, v[i].kind, back[i].kind);
            if (enc_discrete(p[i].dist)) {
                if (!st_value_eq(&v[i], &back[i]))
                    ES_FAIL("%s: %.17g decoded as %.17g", p[i].name, es_value_number(&v[i]),
                            es_value_number(&back[i]));
            } else {
                ES_CHECK_NEAR(back[i].f, v[i].f, 1e-9 * fabs(v[i].f));
            }
        }
        /* Projection leaves an encoded configuration where it is (when it
         * lies in the cube: a quantized value rounded out of its range does
         * not), and projecting twice changes nothing. */
        es_enc_project(e, x, x2);
        for (size_t t = 0; t < d; t++)
            if (x[t] >= 0.0 && x[t] <= 1.0)
                ES_CHECK_NEAR(x2[t], x[t], 1e-9);
        memcpy(x, x2, d * sizeof *x);
        es_enc_project(e, x, x2);
        for (size_t t = 0; t < d; t++)
            ES_CHECK_NEAR(x2[t], x[t], 1e-12);
        for (size_t i = 0; i < np; i++) {
            es_value_clear(&v[i]);
            es_value_clear(&back[i]);
        }
    }
    free(x);
    free(x2);
    es_enc_destroy(e);
}

ES_TEST(encode_decode_types_and_ranges)
{
    /* Anywhere in the cube, decoding gives random.c's types, in range. */
    es_param p[ES_DIST__COUNT + 2];
    size_t np = enc_all_params(p);
    es_spec spec = st_spec(ES_METHOD_BAYES, p, np);
    es_enc *e = NULL;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    size_t d = es_enc_dims(e);
    double *x = malloc(d * sizeof *x);
    es_value v[ES_DIST__COUNT + 2], r[ES_DIST__COUNT + 2];
    es_rng rng;
    es_rng_seed(&rng, 9);
    for (int draw = 0; draw < 300; draw++) {
        for (size_t t = 0; t < d; t++)
            x[t] = draw == 0 ? 0.0 : draw == 1 ? 1.0 : es_rng_uniform(&rng);
        ES_CHECK_INT(es_enc_decode(e, x, v), 0);
        for (size_t i = 0; i < np; i++)
            ES_CHECK_INT(es_sample_param(&p[i], &rng, &r[i]), 0);
        for (size_t i = 0; i < np; i++)
            if (v[i].kind != r[i].kind)
                ES_FAIL("%s: decoded kind %d, random kind %d", p[i].name, v[i].kind, r[i].kind);
        ES_CHECK_INT(v[0].i, 7);
        ES_CHECK(v[2].i >= -3 && v[2].i <= 12);
        ES_CHECK(v[3].f >= -2.5 && v[3].f <= 4.0);
        ES_CHECK(st_multiple_of(v[4].f, 0.05));
        ES_CHECK(v[7].f >= 1e-5 * 0.999999 && v[7].f <= 1e-1 * 1.000001);
        ES_CHECK(v[10].f >= exp(-5) * 0.999999 && v[10].f <= exp(-1) * 1.000001);
        ES_CHECK(v[11].f >= 0.01 * 0.999999 && v[11].f <= 0.5 * 1.000001);
        ES_CHECK(fabs(v[12].f - 3.0) <= 6.0 + 1e-9); /* +-3 sigma */
        ES_CHECK(v[16].f >= 0.0 && v[16].f <= 1.0);
        for (size_t i = 0; i < np; i++) {
            es_value_clear(&v[i]);
            es_value_clear(&r[i]);
        }
    }
    /* Both ends of an integer range are reachable, each from a slice. */
    for (size_t t = 0; t < d; t++)
        x[t] = 0.5;
    x[3] = 0.0; /* "int": after const (no dimension) and cat (three) */
    ES_CHECK_INT(es_enc_decode(e, x, v), 0);
    ES_CHECK_INT(v[2].i, -3);
    for (size_t i = 0; i < np; i++)
        es_value_clear(&v[i]);
    x[3] = 1.0;
    ES_CHECK_INT(es_enc_decode(e, x, v), 0);
    ES_CHECK_INT(v[2].i, 12);
    for (size_t i = 0; i < np; i++)
        es_value_clear(&v[i]);
    free(x);
    es_enc_destroy(e);
}

ES_TEST(encode_categorical_one_hot)
{
    static double probs[3] = {0.5, 0.0, 0.5};
    es_param p[2];
    p[0] = st_choice("color", enc_colors, 3);
    p[1] = st_param("lr", ES_DIST_UNIFORM);
    p[1].min = 0;
    p[1].max = 1;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    es_enc *e = NULL;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    ES_CHECK_INT(es_enc_dims(e), 4);

    es_value v[2] = {enc_colors[2], st_float(0.25)}, back[2];
    double x[4], xp[4];
    ES_CHECK_INT(es_enc_encode(e, v, x), 0);
    ES_CHECK(x[0] == 0.0 && x[1] == 0.0 && x[2] == 1.0 && x[3] == 0.25);

    /* Decoding takes the largest coordinate; projection makes it one-hot. */
    double y[4] = {0.2, 0.7, 0.6, 0.5};
    ES_CHECK_INT(es_enc_decode(e, y, back), 0);
    ES_CHECK_STR(back[0].s, "green");
    es_enc_project(e, y, xp);
    ES_CHECK(xp[0] == 0.0 && xp[1] == 1.0 && xp[2] == 0.0 && xp[3] == 0.5);
    es_value_clear(&back[0]);

    /* A value that is not a choice cannot be placed. */
    es_value bad[2] = {st_str("purple"), st_float(0.5)};
    ES_CHECK_INT(es_enc_encode(e, bad, x), -EINVAL);
    es_enc_destroy(e);

    /* A choice of probability 0 is never proposed. */
    p[0].probabilities = probs;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    ES_CHECK_INT(es_enc_decode(e, y, back), 0);
    ES_CHECK_STR(back[0].s, "blue");
    es_value_clear(&back[0]);
    for (double u = 0.0; u <= 1.0; u += 0.05) {
        double uu[2] = {u, 0.5};
        es_enc_from_u(e, uu, x);
        ES_CHECK(x[1] == 0.0 && x[0] + x[2] == 1.0);
    }
    es_enc_destroy(e);

    /* One possible choice: a constant, no dimension. */
    static double only[3] = {0.0, 1.0, 0.0};
    p[0].probabilities = only;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    ES_CHECK_INT(es_enc_dims(e), 1);
    ES_CHECK_INT(es_enc_decode(e, y, back), 0);
    ES_CHECK_STR(back[0].s, "green");
    es_value_clear(&back[0]);
    es_enc_destroy(e);
}

ES_TEST(encode_log_scale_and_normal_quantiles)
{
    /* log_uniform_values puts the geometric middle at u = 0.5; a normal's
     * mean is at 0.5 and mu + sigma at Phi(1) of the +-3 sigma range. */
    es_param p[2];
    p[0] = st_param("lr", ES_DIST_LOG_UNIFORM_VALUES);
    p[0].min = 1e-4;
    p[0].max = 1e-2;
    p[1] = st_param("w", ES_DIST_NORMAL);
    p[1].mu = 1;
    p[1].sigma = 2;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    es_enc *e = NULL;
    ES_CHECK_INT(es_enc_create(&spec, &e), 0);
    es_value v[2] = {st_float(1e-3), st_float(3.0)};
    double x[2];
    ES_CHECK_INT(es_enc_encode(e, v, x), 0);
    ES_CHECK_NEAR(x[0], 0.5, 1e-12);
    double lo = es_norm_cdf(-3), hi = es_norm_cdf(3);
    ES_CHECK_NEAR(x[1], (es_norm_cdf(1) - lo) / (hi - lo), 1e-12);
    v[1] = st_float(1.0);
    ES_CHECK_INT(es_enc_encode(e, v, x), 0);
    ES_CHECK_NEAR(x[1], 0.5, 1e-12);
    es_enc_destroy(e);
}

ES_TEST(design_is_latin_and_deterministic)
{
    size_t n = 12, k = 4;
    double u[4], v[4];
    int hit[4][12];
    memset(hit, 0, sizeof hit);
    for (size_t i = 0; i < n; i++) {
        ES_CHECK_INT(es_design_point(99, n, k, i, u), 0);
        ES_CHECK_INT(es_design_point(99, n, k, i, v), 0);
        ES_CHECK(memcmp(u, v, sizeof u) == 0);
        for (size_t t = 0; t < k; t++) {
            ES_CHECK(u[t] >= 0.0 && u[t] < 1.0);
            hit[t][(int)(u[t] * (double)n)]++;
        }
    }
    for (size_t t = 0; t < k; t++)
        for (size_t s = 0; s < n; s++)
            ES_CHECK_INT(hit[t][s], 1);
    ES_CHECK_INT(es_design_point(100, n, k, 0, v), 0);
    ES_CHECK_INT(es_design_point(99, n, k, 0, u), 0);
    ES_CHECK(memcmp(u, v, sizeof u) != 0);
}
