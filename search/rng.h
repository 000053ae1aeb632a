/*
 * rng.h -- the project's deterministic random numbers (xoshiro256**,
 * seeded through splitmix64).  Same seed, same stream, on every platform.
 */
#ifndef ES_RNG_H
#define ES_RNG_H

#include <stdint.h>

typedef struct es_rng {
    uint64_t s[4];
} es_rng;

/* Seed from one 64-bit value (any value, zero included). */
void es_rng_seed(es_rng *r, uint64_t seed);
/* Seed a stream for item `index` of a sequence started from `seed`, so that
 * item i's draws do not depend on how many draws earlier items made. */
void es_rng_seed_stream(es_rng *r, uint64_t seed, uint64_t index);
uint64_t es_rng_next(es_rng *r);
/* Uniform double in [0, 1). */
double es_rng_uniform(es_rng *r);
/* Standard normal deviate. */
double es_rng_normal(es_rng *r);
/* Gamma(shape, 1) deviate, shape > 0. */
double es_rng_gamma(es_rng *r, double shape);
/* Beta(a, b) deviate. */
double es_rng_beta(es_rng *r, double a, double b);

#endif
