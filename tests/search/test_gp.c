/*
 * test_gp.c -- the numerical pieces of the Bayesian search, against what
 * can be worked out by hand: the GP posterior with one and two training
 * points, interpolation without noise, the log marginal likelihood and its
 * gradient (central differences), the Cholesky jitter on a singular
 * kernel, the normal quantile, and log EI against closed forms, long-double
 * references and its asymptotics.
 */
#include <errno.h>

#include "bayes_int.h"
#include "gp.h"
#include "rng.h"
#include "search_test.h"

static double *gp_work(const es_gp *gp)
{
    double *w = malloc(es_gp_work_size(gp) * sizeof *w);
    ES_CHECK(w != NULL);
    return w;
}

ES_TEST(gp_one_point_posterior)
{
    /* One point x0 = (0.2, 0.7), y0 = 1.3: mean k* y0 / (sf2 + sn2 + jitter),
     * variance sf2 - k*^2 / (sf2 + sn2 + jitter), k* = sf2 m52(r). */
    double x0[2] = {0.2, 0.7}, y0 = 1.3, theta[4] = {log(0.3), log(0.5), log(2.0), log(0.01)};
    es_gp gp = {0};
    ES_CHECK_INT(es_gp_factor(&gp, x0, &y0, 1, 2, theta), 0);
    double *w = gp_work(&gp);
    double xs[3 * 2] = {0.2, 0.7, 0.5, 0.5, 0.9, 0.1}, mean[3], var[3];
    es_gp_predict(&gp, xs, 3, mean, var, w);
    for (int i = 0; i < 3; i++) {
        double r = sqrt(pow((xs[2 * i] - 0.2) / 0.3, 2) + pow((xs[2 * i + 1] - 0.7) / 0.5, 2));
        double ks = 2.0 * es_matern52(r), kk = 2.0 + 0.01 + gp.jitter;
        ES_CHECK_NEAR(mean[i], ks * y0 / kk, 1e-12);
        ES_CHECK_NEAR(var[i], 2.0 - ks * ks / kk, 1e-12);
    }
    /* The same points one at a time (the unblocked path) agree. */
    for (int i = 0; i < 3; i++) {
        double m1, v1;
        es_gp_predict(&gp, xs + 2 * i, 1, &m1, &v1, w);
        ES_CHECK_NEAR(m1, mean[i], 1e-14);
        ES_CHECK_NEAR(v1, var[i], 1e-14);
    }
    /* log N(y0; 0, sf2 + sn2) */
    double lml = es_gp_lml(x0, &y0, 1, 2, theta, NULL);
    ES_CHECK_NEAR(lml, -0.5 * y0 * y0 / 2.01 - 0.5 * log(2.01) - 0.5 * log(2 * M_PI), 1e-9);
    free(w);
    es_gp_free(&gp);
}

ES_TEST(gp_two_point_posterior)
{
    double x[2] = {0.1, 0.6}, y[2] = {-0.5, 2.0}, theta[3] = {log(0.4), log(1.5), log(0.05)};
    es_gp gp = {0};
    ES_CHECK_INT(es_gp_factor(&gp, x, y, 2, 1, theta), 0);
    double *w = gp_work(&gp);
    double a = 1.5 + 0.05 + gp.jitter, b = 1.5 * es_matern52(0.5 / 0.4);
    double det = a * a - b * b;
    /* K^-1 = [a -b; -b a] / det */
    for (double xs = -0.2; xs <= 1.2; xs += 0.1) {
        double k1 = 1.5 * es_matern52(fabs(xs - 0.1) / 0.4);
        double k2 = 1.5 * es_matern52(fabs(xs - 0.6) / 0.4);
        double i1 = (a * k1 - b * k2) / det, i2 = (-b * k1 + a * k2) / det;
        double mean, var;
        es_gp_predict(&gp, &xs, 1, &mean, &var, w);
        ES_CHECK_NEAR(mean, i1 * y[0] + i2 * y[1], 1e-12);
        ES_CHECK_NEAR(var, 1.5 - (k1 * i1 + k2 * i2), 1e-12);
    }
    free(w);
    es_gp_free(&gp);
}

ES_TEST(gp_interpolates_without_noise)
{
    /* With the smallest noise the posterior passes through the data and is
     * sure of it there. */
    size_t n = 15, d = 3;
    double x[15 * 3], y[15], theta[5] = {log(0.5), log(0.5), log(0.5), 0.0, ES_GP_LOG_SN2_MIN};
    es_rng rng;
    es_rng_seed(&rng, 11);
    for (size_t i = 0; i < n * d; i++)
        x[i] = es_rng_uniform(&rng);
    for (size_t i = 0; i < n; i++)
        y[i] = sin(6 * x[3 * i]) + x[3 * i + 1] * x[3 * i + 2];
    es_gp gp = {0};
    ES_CHECK_INT(es_gp_factor(&gp, x, y, n, d, theta), 0);
    double *w = gp_work(&gp), mean[15], var[15];
    es_gp_predict(&gp, x, n, mean, var, w);
    for (size_t i = 0; i < n; i++) {
        ES_CHECK_NEAR(mean[i], y[i], 1e-4);
        ES_CHECK(var[i] < 1e-5);
    }
    free(w);
    es_gp_free(&gp);
}

ES_TEST(gp_jitter_rescues_singular_kernel)
{
    /* Three copies of one point and no noise to speak of: the kernel matrix
     * is singular, and the factorization succeeds only with jitter. */
    double x[4 * 2] = {0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.8, 0.1}, y[4] = {1, 1, 1, -1};
    double theta[4] = {log(0.5), log(0.5), 0.0, -700.0};
    es_gp gp = {0};
    ES_CHECK_INT(es_gp_factor(&gp, x, y, 4, 2, theta), 0);
    ES_CHECK(gp.jitter > 0.0);
    double *w = gp_work(&gp), mean, var;
    es_gp_predict(&gp, x, 1, &mean, &var, w);
    ES_CHECK_NEAR(mean, 1.0, 1e-3);
    ES_CHECK(isfinite(es_gp_lml(x, y, 4, 2, theta, NULL)));
    free(w);
    es_gp_free(&gp);
}

/* Conditioning on more points by refactoring what was factored gives, to
 * the bit, what a factorization from scratch gives: the factor, its jitter,
 * the weights and the predictions, whatever the targets; rows that cannot
 * be factored fail as they do from scratch; other first points mean a
 * fresh factorization. */
ES_TEST(gp_refactor_equals_a_fresh_factorization)
{
    enum { N = 60, D = 3 };
    static double x[N * D], y[N], y2[N];
    es_rng rng;
    es_rng_seed_stream(&rng, 11, 0);
    for (size_t i = 0; i < N * D; i++)
        x[i] = es_rng_uniform(&rng);
    for (size_t i = 0; i < N; i++) {
        y[i] = sin(4 * x[i * D]) + x[i * D + 1];
        y2[i] = y[i] * 0.5 - 0.1;
    }
    memcpy(x + (N - 1) * D, x + 5 * D, D * sizeof *x); /* a duplicate point */
    double theta[D + 2] = {log(0.3), log(0.4), log(0.5), 0.0, -700.0};
    const size_t steps[] = {10, 11, 30, 30, 45, N};
    es_gp inc = {0}, fresh = {0};
    /* Buffers for all N from the start, so that every step can extend. */
    ES_CHECK_INT(es_gp_factor(&inc, x, y, N, D, theta), 0);
    ES_CHECK_INT(es_gp_factor(&inc, x, y, 10, D, theta), 0);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        size_t n = steps[k];
        const double *yy = k % 2 ? y2 : y; /* the targets may all change */
        ES_CHECK_INT(es_gp_refactor(&inc, x, yy, n, D, theta), 0);
        ES_CHECK_INT(es_gp_factor(&fresh, x, yy, n, D, theta), 0);
        ES_CHECK_INT(inc.n, fresh.n);
        ES_CHECK(inc.jitter == fresh.jitter);
        for (size_t i = 0; i < n; i++) {
            ES_CHECK(inc.alpha[i] == fresh.alpha[i]);
            for (size_t j = 0; j < n; j++)
                ES_CHECK(inc.l[i * n + j] == fresh.l[i * n + j]);
        }
        double xs[2 * D] = {0.2, 0.7, 0.1, 0.9, 0.4, 0.5}, m1[2], v1[2], m2[2], v2[2];
        double *w1 = gp_work(&inc), *w2 = gp_work(&fresh);
        es_gp_predict(&inc, xs, 2, m1, v1, w1);
        es_gp_predict(&fresh, xs, 2, m2, v2, w2);
        ES_CHECK(m1[0] == m2[0] && m1[1] == m2[1] && v1[0] == v2[0] && v1[1] == v2[1]);
        free(w1);
        free(w2);
    }
    /* A new row that no jitter can make positive definite. */
    ES_CHECK_INT(es_gp_factor(&inc, x, y, 30, D, theta), 0);
    x[40 * D] = NAN;
    ES_CHECK_INT(es_gp_refactor(&inc, x, y, 45, D, theta), -EDOM);
    ES_CHECK_INT(es_gp_factor(&fresh, x, y, 45, D, theta), -EDOM);
    x[40 * D] = 0.5;
    /* Other first points: a fresh factorization. */
    ES_CHECK_INT(es_gp_factor(&inc, x, y, 30, D, theta), 0);
    x[0] += 0.01;
    ES_CHECK_INT(es_gp_refactor(&inc, x, y, N, D, theta), 0);
    ES_CHECK_INT(es_gp_factor(&fresh, x, y, N, D, theta), 0);
    for (size_t i = 0; i < N * N; i++)
        ES_CHECK(inc.l[i] == fresh.l[i]);
    es_gp_free(&inc);
    es_gp_free(&fresh);
}

ES_TEST(gp_lml_gradient_matches_differences)
{
    size_t n = 12, d = 3, nt = d + 2;
    double x[12 * 3], y[12], theta[5], g[5], tp[5];
    es_rng rng;
    es_rng_seed(&rng, 5);
    for (size_t i = 0; i < n * d; i++)
        x[i] = es_rng_uniform(&rng);
    for (size_t i = 0; i < n; i++)
        y[i] = cos(4 * x[3 * i]) - x[3 * i + 1] + 0.1 * es_rng_normal(&rng);
    for (int trial = 0; trial < 6; trial++) {
        for (size_t t = 0; t < d; t++)
            theta[t] = log(0.1) + (log(3.0) - log(0.1)) * es_rng_uniform(&rng);
        theta[d] = log(0.3) + (log(3.0) - log(0.3)) * es_rng_uniform(&rng);
        theta[d + 1] = log(1e-4) + (log(0.3) - log(1e-4)) * es_rng_uniform(&rng);
        double lml = es_gp_lml(x, y, n, d, theta, g);
        ES_CHECK(isfinite(lml));
        for (size_t t = 0; t < nt; t++) {
            double h = 1e-5;
            memcpy(tp, theta, sizeof tp);
            tp[t] = theta[t] + h;
            double up = es_gp_lml(x, y, n, d, tp, NULL);
            tp[t] = theta[t] - h;
            double down = es_gp_lml(x, y, n, d, tp, NULL);
            double fd = (up - down) / (2 * h);
            ES_CHECK_NEAR(g[t], fd, 1e-5 * fmax(1.0, fabs(fd)));
        }
    }
}

ES_TEST(gp_fit_recovers_length_scales)
{
    /* y depends on the first coordinate only: the fit gives the second a
     * much longer length scale, and explains the data better than the
     * default. */
    size_t n = 40, d = 2;
    double x[40 * 2], y[40], theta[4], def[4];
    es_rng rng;
    es_rng_seed(&rng, 3);
    for (size_t i = 0; i < n; i++) {
        x[2 * i] = es_rng_uniform(&rng);
        x[2 * i + 1] = es_rng_uniform(&rng);
        y[i] = sin(8 * x[2 * i]);
    }
    es_gp_theta_default(d, theta);
    es_gp_theta_default(d, def);
    ES_CHECK_INT(es_gp_fit(x, y, n, d, theta, 1, 0, 1, 2, 100), 0);
    ES_CHECK(theta[1] > theta[0] + 1.0);
    ES_CHECK(es_gp_lml(x, y, n, d, theta, NULL) > es_gp_lml(x, y, n, d, def, NULL));
}

ES_TEST(norm_quantile_inverts_cdf)
{
    ES_CHECK_NEAR(es_norm_quantile(0.975), 1.959963984540054, 1e-13);
    ES_CHECK_NEAR(es_norm_quantile(0.5), 0.0, 1e-15);
    ES_CHECK(es_norm_quantile(0.0) == -INFINITY);
    for (double p = 1e-12; p < 1.0; p = p < 0.01 ? p * 10 : p + 0.0137) {
        double z = es_norm_quantile(p);
        ES_CHECK_NEAR(es_norm_cdf(z), p, 1e-14 * fmax(p, 1e-3) + 1e-300);
    }
}

/* log h(z) = log(phi(z) + z Phi(z)) in long double: a reference where the
 * cancellation leaves enough digits (z >= -25). */
static double ref_log_h(double z)
{
    long double zl = z, phi = expl(-zl * zl / 2) / sqrtl(2 * 3.14159265358979323846L);
    long double cdf = erfcl(-zl / sqrtl(2.0L)) / 2;
    return (double)logl(phi + zl * cdf);
}

ES_TEST(log_ei_known_values)
{
    /* At z = 0, EI = sigma phi(0). */
    ES_CHECK_NEAR(es_log_ei(1.5, 2.0, 1.5), log(2.0 * 0.3989422804014327), 1e-15);
    /* Where the naive form is accurate, it agrees. */
    for (double z = -5.0; z <= 6.0; z += 0.25) {
        double naive = log(es_norm_pdf(z) + z * es_norm_cdf(z));
        ES_CHECK_NEAR(es_log_h(z), naive, 1e-9 * fmax(1.0, fabs(naive)));
    }
    /* Against the long-double reference, on both sides of the switch to the
     * asymptotic series (z = -20 sqrt(2)). */
    for (double z = -25.0; z <= 2.0; z += 0.37) {
        double ref = ref_log_h(z);
        ES_CHECK_NEAR(es_log_h(z), ref, 1e-11 * fmax(1.0, fabs(ref)));
    }
    double edge = -20.0 * sqrt(2.0);
    ES_CHECK_NEAR(es_log_h(edge - 1e-9), es_log_h(edge + 1e-9), 1e-6);
    /* Far out: log phi(z) - 2 log|z| + log(1 - 3/z^2 + 15/z^4 - 105/z^6). */
    double z = -40.0;
    double asym = -0.5 * z * z - 0.5 * log(2 * M_PI) - 2 * log(40.0) +
                  log(1 - 3 / (z * z) + 15 / pow(z, 4) - 105 / pow(z, 6));
    ES_CHECK(isfinite(es_log_h(z)));
    ES_CHECK_NEAR(es_log_h(z), asym, 1e-8);
    ES_CHECK(isfinite(es_log_h(-1e6)) && isfinite(es_log_h(-1e200)));
}

ES_TEST(log_ei_monotone)
{
    double prev = -INFINITY;
    for (double z = -60.0; z <= 8.0; z += 0.01) {
        double v = es_log_h(z);
        ES_CHECK(isfinite(v));
        ES_CHECK(v > prev);
        prev = v;
    }
    /* In sigma at fixed improvement, and in the improvement at fixed sigma. */
    ES_CHECK(es_log_ei(0.0, 0.2, -1.0) < es_log_ei(0.0, 0.3, -1.0));
    ES_CHECK(es_log_ei(0.5, 0.01, 0.0) < es_log_ei(0.4, 0.01, 0.0));
    ES_CHECK(isfinite(es_log_ei(0.0, 0.0, -1.0)));
}
