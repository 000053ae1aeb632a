/*
 * rng.c -- the project's deterministic random numbers (see rng.h).
 *
 * The generator is xoshiro256** (Blackman and Vigna), whose 256-bit state is
 * filled from splitmix64, as its authors recommend, so any 64-bit seed
 * (zero included) gives a good state.  Everything built on it -- uniform,
 * normal, gamma and beta deviates -- consumes a fixed, documented number of
 * raw outputs per accepted attempt and keeps no hidden cache (the polar
 * method's second deviate is dropped), so a stream is a pure function of its
 * seed.  Only +, *, sqrt (exact in IEEE 754) and log/exp/pow are used; the
 * latter come from the C library, which is the one place where two platforms
 * could in principle round differently.
 */
#include "rng.h"

#include <math.h>

/* splitmix64's increment: 2^64 divided by the golden ratio. */
#define ES_RNG_GOLDEN 0x9e3779b97f4a7c15ULL

/* splitmix64's output function: a bijective 64-bit mixer. */
static uint64_t rng_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One step of splitmix64: advance *x and return the mixed output. */
static uint64_t rng_splitmix64(uint64_t *x)
{
    *x += ES_RNG_GOLDEN;
    return rng_mix64(*x);
}

static uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void es_rng_seed(es_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&x);
    /* splitmix64 is a bijection of its counter, so four consecutive outputs
     * are never all zero; the check only documents the invariant. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = ES_RNG_GOLDEN;
}

void es_rng_seed_stream(es_rng *r, uint64_t seed, uint64_t index)
{
    /* Both inputs go through the mixer before they meet, so neighbouring
     * seeds and neighbouring indices land far apart; the second mix spreads
     * the combination over all 64 bits before splitmix64 expands it.  For a
     * fixed seed the map index -> stream seed is a bijection, so two trials
     * of one sweep never share a stream. */
    uint64_t key = rng_mix64(seed ^ 0x6a09e667f3bcc908ULL);
    uint64_t z = rng_mix64(key + rng_mix64(index + ES_RNG_GOLDEN));
    es_rng_seed(r, z ^ key);
}

uint64_t es_rng_next(es_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

double es_rng_uniform(es_rng *r)
{
    /* The top 53 bits, scaled by 2^-53: every value is exact and < 1. */
    return (double)(es_rng_next(r) >> 11) * 0x1.0p-53;
}

double es_rng_normal(es_rng *r)
{
    /* Marsaglia's polar method: two uniforms per attempt, accepted with
     * probability pi/4.  The second deviate it yields is discarded so that
     * es_rng carries no state beyond the generator's. */
    for (;;) {
        double u = 2.0 * es_rng_uniform(r) - 1.0;
        double v = 2.0 * es_rng_uniform(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

/* Natural log of a Gamma(shape, 1) deviate, by Marsaglia and Tsang (2000).
 * Working in logs keeps tiny shapes usable: for shape < 1 the deviate is
 * Gamma(shape + 1) * U^(1/shape), which underflows to 0 in linear space when
 * shape is small, but its log stays finite.  NaN when shape is not > 0. */
static double rng_log_gamma_deviate(es_rng *r, double shape)
{
    double boost = 0.0;

    if (!(shape > 0.0) || isinf(shape))
        return NAN;
    if (shape < 1.0) {
        double u = 1.0 - es_rng_uniform(r); /* (0, 1]: log(u) is finite */
        boost = log(u) / shape;
        shape += 1.0;
    }

    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = es_rng_normal(r);
        double t = 1.0 + c * x;
        if (t <= 0.0)
            continue;
        double v = t * t * t;
        double u = es_rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || (u > 0.0 && log(u) < 0.5 * x2 + d * (1.0 - v + log(v))))
            return log(d) + log(v) + boost;
    }
}

double es_rng_gamma(es_rng *r, double shape)
{
    return exp(rng_log_gamma_deviate(r, shape));
}

double es_rng_beta(es_rng *r, double a, double b)
{
    /* X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed from the logs so
     * that it stays exact in [0, 1] even when both deviates underflow. */
    double lx = rng_log_gamma_deviate(r, a);
    double ly = rng_log_gamma_deviate(r, b);

    if (isnan(lx) || isnan(ly))
        return NAN;
    if (lx >= ly)
        return 1.0 / (1.0 + exp(ly - lx));
    double e = exp(lx - ly);
    return e / (1.0 + e);
}
