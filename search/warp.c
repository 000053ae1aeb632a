/*
 * warp.c -- the output warping of the objective surrogate: a Yeo-Johnson
 * power transform (Yeo & Johnson 2000), its inverse, its profile log
 * likelihood, and the lambda that maximizes it (as HEBO does, Cowen-Rivers
 * et al. 2022).
 *
 * Objectives of real sweeps are skewed: a few diverged runs, a loss that
 * spans decades.  Standardized as they are, those upper tails inflate the
 * scale the GP sees, the good region is flattened into a few hundredths
 * of it, and expected improvement far from every observation (where the
 * posterior returns to its prior) rivals that near the incumbent: the
 * search goes to the corners.  A power transform fitted by likelihood
 * makes the targets closer to normal, which is what the GP assumes.
 */
#include <math.h>
#include <stddef.h>

#include "bayes_int.h"

double es_yj(double z, double lambda)
{
    if (z >= 0)
        return fabs(lambda) < 1e-9 ? log1p(z) : (pow(z + 1.0, lambda) - 1.0) / lambda;
    return fabs(lambda - 2.0) < 1e-9 ? -log1p(-z)
                                     : -(pow(1.0 - z, 2.0 - lambda) - 1.0) / (2.0 - lambda);
}

double es_yj_inverse(double w, double lambda)
{
    if (w >= 0)
        return fabs(lambda) < 1e-9 ? expm1(w) : pow(lambda * w + 1.0, 1.0 / lambda) - 1.0;
    return fabs(lambda - 2.0) < 1e-9 ? -expm1(-w)
                                     : 1.0 - pow(1.0 - (2.0 - lambda) * w, 1.0 / (2.0 - lambda));
}

double es_yj_loglik(const double *z, size_t n, double lambda)
{
    double sum = 0, sum2 = 0, jac = 0;
    for (size_t i = 0; i < n; i++) {
        double w = es_yj(z[i], lambda);
        if (!isfinite(w))
            return -INFINITY;
        sum += w;
        jac += copysign(log1p(fabs(z[i])), z[i]);
    }
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double w = es_yj(z[i], lambda) - mean;
        sum2 += w * w;
    }
    double var = sum2 / (double)n;
    if (!(var > 0))
        return -INFINITY;
    return -0.5 * (double)n * log(var) + (lambda - 1.0) * jac;
}

double es_yj_fit(const double *z, size_t n)
{
    /* Golden-section search on [-ES_YJ_LAMBDA_MAX + 2, ES_YJ_LAMBDA_MAX]:
     * the profile likelihood of a power transform is unimodal in lambda in
     * practice, and 60 steps narrow the bracket below 1e-12. */
    const double g = (sqrt(5.0) - 1.0) / 2.0;
    double a = 2.0 - ES_YJ_LAMBDA_MAX, b = ES_YJ_LAMBDA_MAX;
    if (n < 3)
        return 1.0;
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = es_yj_loglik(z, n, c), fd = es_yj_loglik(z, n, d);
    for (int i = 0; i < 60; i++) {
        if (fc >= fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = es_yj_loglik(z, n, c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = es_yj_loglik(z, n, d);
        }
    }
    double l = (a + b) / 2.0;
    return isfinite(es_yj_loglik(z, n, l)) ? l : 1.0;
}
