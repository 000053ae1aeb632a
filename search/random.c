/*
 * random.c -- drawing parameter values from W&B's distributions, and the
 * random search built on it.
 *
 * Each distribution follows the definition in W&B's sweeps library
 * (wandb/sweeps, params.py), so a spec written for a W&B sweep explores the
 * same space here:
 *
 *   constant                 value
 *   categorical              one of values, uniformly or by probabilities
 *   int_uniform              an integer in [min, max], both included
 *   uniform                  U(min, max)
 *   log_uniform              exp(U(min, max))            (min/max are logs)
 *   log_uniform_values       exp(U(ln min, ln max))      (min/max are values)
 *   inv_log_uniform          exp(-U(min, max)), i.e. 1 / exp(U(min, max))
 *   inv_log_uniform_values   exp(-U(-ln max, -ln min)): ln(1/X) is uniform on
 *                            [ln(1/max), ln(1/min)], so X lies in [min, max]
 *   normal                   mu + sigma * N(0, 1)
 *   log_normal               exp(mu + sigma * N(0, 1))
 *   beta                     Beta(a, b)
 *   q_<d>                    round(X / q) * q with X drawn from <d>
 *
 * Rounding is to nearest with ties to even, as numpy's round() does.  A
 * quantized float is then tidied to 15 significant digits (es_search_tidy):
 * W&B would pass 0.30000000000000004 to a trial where the user thinks of 0.3,
 * and the two differ only in the last bit.  As in
 * W&B, a quantized value is not clipped back into [min, max] (q_uniform on
 * [0.5, 2.5] with q = 1 can give 0 or 3), and it is an integer (ES_V_INT)
 * when q is one (q == floor(q)); otherwise a float.  W&B draws an inverse
 * log-uniform from 1 - u where others use u; the law is the same, and this
 * file mirrors that so the value moves the same way with u.
 *
 * A random suggestion seeds a fresh stream for its trial index
 * (es_rng_seed_stream) and draws the parameters in spec order, so trial i
 * depends only on (spec, seed, i).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "search_int.h"

double es_search_clamp(const es_param *p, double x)
{
    switch (p->dist) {
    case ES_DIST_UNIFORM:
    case ES_DIST_LOG_UNIFORM_VALUES:
    case ES_DIST_INV_LOG_UNIFORM_VALUES:
        return fmin(fmax(x, p->min), p->max);
    default:
        return x;
    }
}

void es_search_number(double x, int integral, es_value *out)
{
    memset(out, 0, sizeof *out);
    /* 2^63 is the first double beyond LLONG_MAX; -2^63 is exactly LLONG_MIN. */
    if (integral && x == floor(x) && x >= -0x1.0p63 && x < 0x1.0p63) {
        out->kind = ES_V_INT;
        out->i = (long long)x;
    } else {
        out->kind = ES_V_FLOAT;
        out->f = x;
    }
}

double es_search_tidy(double x, double q)
{
    char buf[32];

    if (!isfinite(x))
        return x;
    /* Printing and reading back is the exact way to round in decimal; both
     * run in the same locale, so its decimal point cannot get in the way. */
    snprintf(buf, sizeof buf, "%.15g", x);
    double t = strtod(buf, NULL);
    return fabs(t - x) <= 1e-9 * fabs(q) ? t : x;
}

/* An integer uniformly in [0, n) (n > 0), without modulo bias: raw outputs
 * below 2^64 mod n are rejected so that every residue is equally likely. */
static uint64_t random_below(es_rng *rng, uint64_t n)
{
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = es_rng_next(rng);
        if (x >= threshold)
            return x % n;
    }
}

/* Clamp a double bound to the long long range (NaN becomes 0). */
static long long random_to_ll(double x)
{
    if (!(x == x))
        return 0;
    if (x <= -0x1.0p63)
        return LLONG_MIN;
    if (x >= 0x1.0p63)
        return LLONG_MAX;
    return (long long)x;
}

/* An integer uniformly in [min, max], both included; min when max < min. */
static long long random_int_between(es_rng *rng, double min, double max)
{
    long long lo = random_to_ll(ceil(min)), hi = random_to_ll(floor(max));
    if (hi <= lo)
        return lo;
    /* The span is computed in unsigned arithmetic, where it cannot overflow;
     * n == 0 means the whole 64-bit range. */
    uint64_t n = (uint64_t)hi - (uint64_t)lo + 1;
    uint64_t k = n == 0 ? es_rng_next(rng) : random_below(rng, n);
    return (long long)((uint64_t)lo + k);
}

/* The index of a categorical choice.  With probabilities, the first index
 * whose cumulative probability exceeds u (as W&B does); if rounding leaves u
 * beyond the total, the last choice with a nonzero weight. */
static size_t random_choice(const es_param *p, es_rng *rng)
{
    if (p->probabilities == NULL)
        return (size_t)random_below(rng, p->n_values);

    double u = es_rng_uniform(rng), cum = 0.0;
    size_t last = 0;
    for (size_t i = 0; i < p->n_values; i++) {
        if (p->probabilities[i] > 0.0)
            last = i;
        cum += p->probabilities[i];
        if (u < cum)
            return i;
    }
    return last;
}

double es_search_step(const es_param *p)
{
    return (p->q > 0.0 && isfinite(p->q)) ? p->q : 1.0;
}

/* The bounds of the values a q_* parameter draws before quantizing, where
 * they are bounded: 0 and -1 when not. */
static int quantize_bounds(const es_param *p, double *lo, double *hi)
{
    switch (p->dist) {
    case ES_DIST_Q_UNIFORM:
    case ES_DIST_Q_LOG_UNIFORM_VALUES:
        *lo = p->min;
        *hi = p->max;
        return 1;
    case ES_DIST_Q_LOG_UNIFORM:
        *lo = exp(p->min);
        *hi = exp(p->max);
        return 1;
    case ES_DIST_Q_BETA:
        *lo = 0.0;
        *hi = 1.0;
        return 1;
    default:
        return 0;
    }
}

void es_search_quantize(double x, const es_param *p, es_value *out)
{
    double q = es_search_step(p), lo, hi;
    int integral = q == floor(q);
    double y = rint(x / q) * q;
    /* A tie at a bound rounds to even, possibly to the step outside the
     * range (q_uniform on [0.1, 0.95] with q 0.2: x = 0.1 gave 0.0, which
     * no other x gives; the Bayesian search, fond of bounds, proposed it
     * again and again).  Only steps whose rounding interval overlaps the
     * range are values of the parameter. */
    /* Within rounding of a tie counts as one: q_uniform on [0.15, 0.35] by
     * 0.1 gave 0.1 at x = 0.15 exactly (0.15 / 0.1 = 1.4999...), a value
     * reached at that one point, which no draw meets and the Bayesian
     * search, counting it among the space's values, kept missing. */
    double tie = 1e-9 * q;
    if (quantize_bounds(p, &lo, &hi) && lo <= hi) {
        if (y + 0.5 * q <= lo + tie && y + q - 0.5 * q < hi)
            y += q;
        else if (y - 0.5 * q >= hi - tie && y - q + 0.5 * q > lo)
            y -= q;
    }
    es_search_number(integral ? y : es_search_tidy(y, q), integral, out);
}

int es_search_levels(const es_param *p, uint64_t cap, uint64_t *n)
{
    double q = es_search_step(p), lo, hi;
    *n = 0;
    if (!quantize_bounds(p, &lo, &hi) || !(lo <= hi) || !isfinite(lo) || !isfinite(hi) ||
        !((hi - lo) / q < (double)cap))
        return 0;
    /* Every value is the quantization of a point of the range, and the
     * point of the range nearest each step k q maps to it when any does:
     * the values are those of the clamped steps, in order. */
    double first = floor(lo / q) - 1, last = ceil(hi / q) + 1, prev = NAN;
    for (double k = first; k <= last; k++) {
        es_value v;
        es_search_quantize(fmin(fmax(k * q, lo), hi), p, &v);
        double y = es_value_number(&v);
        if (!(y == prev) && ++*n > cap)
            return *n = 0;
        prev = y;
    }
    return 1;
}

static double random_uniform_between(es_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * es_rng_uniform(rng);
}

/* exp(-U(lo, hi)), drawn from 1 - u as W&B does. */
static double random_inv_log(es_rng *rng, double lo, double hi)
{
    return exp(-(lo + (hi - lo) * (1.0 - es_rng_uniform(rng))));
}

int es_sample_param(const es_param *p, es_rng *rng, es_value *out)
{
    double x;

    memset(out, 0, sizeof *out);
    switch (p->dist) {
    case ES_DIST_CONSTANT:
        return es_value_copy(out, &p->value) == 0 ? 0 : -ENOMEM;
    case ES_DIST_CATEGORICAL:
        if (p->n_values == 0)
            return 0; /* nothing to choose: ES_V_NULL */
        return es_value_copy(out, &p->values[random_choice(p, rng)]) == 0 ? 0 : -ENOMEM;
    case ES_DIST_INT_UNIFORM:
        out->kind = ES_V_INT;
        out->i = random_int_between(rng, p->min, p->max);
        return 0;
    case ES_DIST_UNIFORM:
        es_search_number(es_search_clamp(p, random_uniform_between(rng, p->min, p->max)), 0, out);
        return 0;
    case ES_DIST_Q_UNIFORM:
        es_search_quantize(random_uniform_between(rng, p->min, p->max), p, out);
        return 0;
    case ES_DIST_LOG_UNIFORM:
        es_search_number(exp(random_uniform_between(rng, p->min, p->max)), 0, out);
        return 0;
    case ES_DIST_LOG_UNIFORM_VALUES:
        x = exp(random_uniform_between(rng, log(p->min), log(p->max)));
        es_search_number(es_search_clamp(p, x), 0, out);
        return 0;
    case ES_DIST_Q_LOG_UNIFORM:
        es_search_quantize(exp(random_uniform_between(rng, p->min, p->max)), p, out);
        return 0;
    case ES_DIST_Q_LOG_UNIFORM_VALUES:
        x = exp(random_uniform_between(rng, log(p->min), log(p->max)));
        es_search_quantize(x, p, out);
        return 0;
    case ES_DIST_INV_LOG_UNIFORM:
        es_search_number(random_inv_log(rng, p->min, p->max), 0, out);
        return 0;
    case ES_DIST_INV_LOG_UNIFORM_VALUES:
        es_search_number(es_search_clamp(p, random_inv_log(rng, -log(p->max), -log(p->min))), 0,
                         out);
        return 0;
    case ES_DIST_NORMAL:
        es_search_number(p->mu + p->sigma * es_rng_normal(rng), 0, out);
        return 0;
    case ES_DIST_Q_NORMAL:
        es_search_quantize(p->mu + p->sigma * es_rng_normal(rng), p, out);
        return 0;
    case ES_DIST_LOG_NORMAL:
        es_search_number(exp(p->mu + p->sigma * es_rng_normal(rng)), 0, out);
        return 0;
    case ES_DIST_Q_LOG_NORMAL:
        es_search_quantize(exp(p->mu + p->sigma * es_rng_normal(rng)), p, out);
        return 0;
    case ES_DIST_BETA:
        es_search_number(es_rng_beta(rng, p->a, p->b), 0, out);
        return 0;
    case ES_DIST_Q_BETA:
        es_search_quantize(es_rng_beta(rng, p->a, p->b), p, out);
        return 0;
    case ES_DIST__COUNT:
        break;
    }
    return 0; /* an unknown distribution yields ES_V_NULL */
}

int es_random_suggest(const es_spec *spec, uint64_t seed, uint64_t index, es_value *values)
{
    es_rng rng;

    es_rng_seed_stream(&rng, seed, index);
    for (size_t i = 0; i < spec->n_params; i++) {
        int rc = es_sample_param(&spec->params[i], &rng, &values[i]);
        if (rc != 0) {
            for (size_t j = 0; j <= i; j++)
                es_value_clear(&values[j]);
            return rc;
        }
    }
    return 0;
}
