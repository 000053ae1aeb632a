/*
 * acq.c -- the normal law and the log of expected improvement.
 *
 * Expected improvement below the incumbent `best` of a posterior N(mu, s^2)
 * is EI = s h(z), z = (best - mu) / s, h(z) = phi(z) + z Phi(z).  Far from
 * the incumbent (z very negative) h underflows to 0 long before the
 * acquisition stops carrying information, and every candidate then looks the
 * same; the log form of Ament et al. ("Unexpected improvements to expected
 * improvement", NeurIPS 2023) stays finite and ordered for every z:
 *
 *   z > -1:   log h(z) computed directly (no cancellation there);
 *   z <= -1:  h(z) = phi(z) (1 - sqrt(pi) w erfcx(w)),  w = -z / sqrt(2),
 *             so log h = log phi(z) + log1p(-sqrt(pi) w erfcx(w)).
 *
 * C has no erfcx, so for w < 20 it is exp(w^2) erfc(w), with the rounding
 * error of w^2 put back through fma (otherwise it would cost up to 400 ulps
 * before the cancellation in 1 - sqrt(pi) w erfcx(w) magnifies it); for
 * w >= 20 the bracket is summed from its asymptotic series
 *   1 - sqrt(pi) w erfcx(w) = sum_k>=1 (-1)^(k+1) (2k-1)!! u^k,  u = 1/(2 w^2),
 * whose terms past the seventh are below 1e-14 of the sum there, and taken
 * in logs so that it cannot underflow either.
 */
#include <math.h>

#include "bayes_int.h"

#define ACQ_SQRT_PI 1.7724538509055160
#define ACQ_INV_SQRT_2PI 0.3989422804014327
#define ACQ_HALF_LOG_2PI 0.9189385332046727
#define ACQ_SQRT1_2 0.7071067811865476

double es_norm_pdf(double z)
{
    return ACQ_INV_SQRT_2PI * exp(-0.5 * z * z);
}

double es_norm_cdf(double z)
{
    return 0.5 * erfc(-z * ACQ_SQRT1_2);
}

double es_norm_quantile(double p)
{
    /* Acklam's rational approximation (relative error 1.2e-9), then one
     * Halley step on Phi(x) - p, which brings it to a few ulps. */
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    const double p_low = 0.02425;
    double q, r, x;

    if (!(p > 0.0))
        return p == 0.0 ? -INFINITY : NAN;
    if (!(p < 1.0))
        return p == 1.0 ? INFINITY : NAN;
    if (p < p_low) {
        q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else if (p <= 1.0 - p_low) {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    } else {
        q = sqrt(-2.0 * log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double e = es_norm_cdf(x) - p;
    double u = e * (1.0 / ACQ_INV_SQRT_2PI) * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

/* log(1 - sqrt(pi) w erfcx(w)) for w >= 1/sqrt(2). */
static double acq_log_bracket(double w)
{
    if (w < 20.0) {
        double hi = w * w, lo = fma(w, w, -hi);
        double erfcx = exp(hi) * (1.0 + lo) * erfc(w);
        return log1p(-ACQ_SQRT_PI * w * erfcx);
    }
    /* log(u (1 - 3u + 15u^2 - 105u^3 + ...)), Horner on the bracket. */
    static const double coef[7] = {1.0, -3.0, 15.0, -105.0, 945.0, -10395.0, 135135.0};
    double u = 0.5 / (w * w), s = 0.0;
    for (int k = 6; k >= 0; k--)
        s = s * u + coef[k];
    return -log(2.0) - 2.0 * log(w) + log(s);
}

double es_log_h(double z)
{
    if (z > -1.0)
        return log(es_norm_pdf(z) + z * es_norm_cdf(z));
    if (z < -1e150)
        z = -1e150; /* beyond, z^2 overflows; the value is -1e300 anyway */
    return -0.5 * z * z - ACQ_HALF_LOG_2PI + acq_log_bracket(-z * ACQ_SQRT1_2);
}

double es_log_ei(double mu, double sigma, double best)
{
    if (!(sigma > 1e-12))
        sigma = 1e-12;
    return log(sigma) + es_log_h((best - mu) / sigma);
}

/* log Phi(z): log1p of the upper tail while Phi is not small (exact to
 * the last digits as Phi nears 1), the lower tail itself down to
 * z = -20 sqrt(2) (erfc is still far from underflow there), and beyond
 * that its asymptotic series, Phi(z) = phi(z) / -z (1 - u + 3u^2 - 15u^3
 * + ...), u = 1/z^2, which never underflows. */
double es_log_norm_cdf(double z)
{
    if (z > -1.0)
        return log1p(-0.5 * erfc(z * ACQ_SQRT1_2));
    double w = -z * ACQ_SQRT1_2;
    if (w < 20.0)
        return log(0.5 * erfc(w));
    double u = 1.0 / (z * z);
    return -0.5 * z * z - ACQ_HALF_LOG_2PI - log(-z) + log1p(-u + 3.0 * u * u - 15.0 * u * u * u);
}
