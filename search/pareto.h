/*
 * pareto.h -- the arithmetic of several objectives: which points no other
 * point beats on every objective (Pareto ranks) and how much of the
 * objective space a set of points dominates (hypervolume).  Pure: no I/O,
 * no allocation beyond what a call frees before it returns.
 *
 * Every function takes n points of m objectives, row-major (y[i * m + j]),
 * all to be minimized: a caller flips the sign of an objective to maximize.
 */
#ifndef ES_PARETO_H
#define ES_PARETO_H

#include <stddef.h>

/* The most objectives es_hypervolume computes exactly. */
#define ES_PARETO_MAX_M 3

/* 1 when point a dominates point b: no worse on every objective and
 * better on at least one. */
int es_pareto_dominates(const double *a, const double *b, size_t m);

/* Pareto ranks by non-dominated sorting (Deb et al. 2002): rank[i] = 1 for
 * the points no other point dominates, 2 for those only rank-1 points
 * dominate, and so on.  Points with use[i] == 0 (use may be NULL: all) or
 * a non-finite coordinate take no part and get rank 0.  Equal points share
 * a rank.  0, or -ENOMEM. */
int es_pareto_ranks(const double *y, size_t n, size_t m, const unsigned char *use,
                    int *rank /* OUT, n */);

/* The volume of the region that the points dominate and that dominates
 * the reference point ref (m values), for m of 1 to ES_PARETO_MAX_M,
 * exactly.  Points not strictly better than ref on every objective, or
 * with use[i] == 0, add nothing.  NAN when m is out of range; -1 (as a
 * double) is never returned: on allocation failure the result is NAN too. */
double es_hypervolume(const double *y, size_t n, size_t m, const unsigned char *use,
                      const double *ref);

#endif
