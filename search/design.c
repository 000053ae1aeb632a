/*
 * design.c -- space-filling designs for the Bayesian search.
 *
 * A Bayesian sweep starts with a few configurations chosen before anything
 * is known (the surrogate needs them), and every suggestion scans a cloud of
 * candidates before polishing the best of them.  Both are Latin hypercubes:
 * in each dimension the n points fall one in each of n equal strata, so even
 * a handful of points covers every parameter's range, and a categorical's
 * choices (which take u in equal slices) are visited evenly.  The initial
 * design is the most spread out of a few hypercubes (the largest smallest
 * distance between two points, "maximin"), drawn from a stream that depends
 * only on the seed and the design's size: point i is the same whichever
 * trial asks first, and after a restart.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bayes_int.h"

/* Hypercubes drawn for the initial design; the best one is kept. */
#define DESIGN_TRIES 8
/* Stream of the initial design: far from any trial index. */
#define DESIGN_STREAM (UINT64_C(0x44455349474e) << 16)

void es_design_lhs(es_rng *rng, size_t n, size_t k, double *u)
{
    for (size_t t = 0; t < k; t++) {
        /* Fisher-Yates on the column's strata, then a uniform place in each. */
        for (size_t i = 0; i < n; i++)
            u[i * k + t] = (double)i;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(es_rng_next(rng) % i);
            double tmp = u[(i - 1) * k + t];
            u[(i - 1) * k + t] = u[j * k + t];
            u[j * k + t] = tmp;
        }
        for (size_t i = 0; i < n; i++)
            u[i * k + t] = (u[i * k + t] + es_rng_uniform(rng)) / (double)n;
    }
}

/* The smallest squared distance between two of the n points of u. */
static double design_min_dist2(const double *u, size_t n, size_t k)
{
    double best = INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            double s = 0.0;
            for (size_t t = 0; t < k; t++) {
                double diff = u[i * k + t] - u[j * k + t];
                s += diff * diff;
            }
            best = s < best ? s : best;
        }
    return best;
}

int es_design_point(uint64_t seed, size_t n, size_t k, size_t i, double *u)
{
    double *cur = malloc((n * k + 1) * sizeof *cur), *keep = malloc((n * k + 1) * sizeof *keep);
    if (cur == NULL || keep == NULL) {
        free(cur);
        free(keep);
        return -ENOMEM;
    }
    es_rng rng;
    es_rng_seed_stream(&rng, seed, DESIGN_STREAM + n);
    double best = -1.0;
    for (int t = 0; t < DESIGN_TRIES; t++) {
        es_design_lhs(&rng, n, k, cur);
        double d2 = design_min_dist2(cur, n, k);
        if (d2 > best) {
            best = d2;
            double *swap = keep;
            keep = cur;
            cur = swap;
        }
    }
    for (size_t t = 0; t < k; t++)
        u[t] = keep[i * k + t];
    free(cur);
    free(keep);
    return 0;
}
