/*
 * search_int.h -- what the search module's files share among themselves.
 *
 * search.c owns the es_search object and dispatches on the method; random.c
 * and grid.c each provide one method through the functions below, and the
 * Bayesian search (bayes_int.h, gp.h) decodes its values through the same
 * number helpers, so that every method writes the same value types.
 * Nothing outside search/ includes this header: the rest of the program
 * sees only search.h.
 */
#ifndef ES_SEARCH_INT_H
#define ES_SEARCH_INT_H

#include <stdint.h>

#include "search.h"

/* Largest grid accepted: 2^62 configurations, far beyond any sweep that could
 * run, and small enough that the size fits every signed 64-bit counter. */
#define ES_GRID_MAX_SIZE (UINT64_C(1) << 62)

/* Write x into *out as ES_V_INT when `integral` is set and x is an integer
 * that a long long holds, else as ES_V_FLOAT.  *out is overwritten, not
 * cleared (it holds no string afterwards). */
void es_search_number(double x, int integral, es_value *out /* OUT */);

/* x kept within the values p declares where they are bounded: min and
 * max of uniform, log_uniform_values and inv_log_uniform_values, which
 * exp(log(max)) and lo + 1 * (hi - lo) may pass by an ulp
 * (0.30000000000000004 for a max of 0.3).  Other distributions' x as is. */
double es_search_clamp(const es_param *p, double x);

/* x, a multiple of the step q, rounded to 15 significant digits so that it
 * reads as a user wrote it (3 * 0.1 gives 0.3, not 0.30000000000000004).
 * The rounding is kept only when it moves x by far less than q, so a value
 * with more than 15 significant digits stays on the grid of q.  Non-finite
 * x is returned as is. */
double es_search_tidy(double x, double q);

/* The quantization step of a q_* parameter: W&B's default of 1 stands in
 * for a step that is not a positive finite number, which a validated spec
 * never holds. */
double es_search_step(const es_param *p);

/* round(x / q) * q (ties to even) for p's step, into *out as ES_V_INT when
 * the step is an integer, else as a float tidied by es_search_tidy.  Random
 * draws and Bayesian decoding both quantize through here, so they produce
 * the same value types. */
void es_search_quantize(double x, const es_param *p, es_value *out /* OUT */);

/* The number of distinct values es_search_quantize gives over the range of
 * a bounded q_* parameter (q_uniform, q_log_uniform(_values), q_beta) into
 * *n: 1, or 0 when p is not one or has more than cap of them. */
int es_search_levels(const es_param *p, uint64_t cap, uint64_t *n /* OUT */);

/* Random search: draw trial `index` of the sweep started from `seed` into
 * values[0 .. spec->n_params-1].  0 or -ENOMEM (values are left cleared). */
int es_random_suggest(const es_spec *spec, uint64_t seed, uint64_t index,
                      es_value *values /* OUT */);

/* Grid search, first half: check that every parameter can be enumerated and
 * write each one's number of points to radix[0 .. n_params-1] and their
 * product to *size.  ES_ESPEC with a message naming the parameter when a
 * parameter cannot be enumerated or the grid exceeds ES_GRID_MAX_SIZE. */
int es_grid_plan(const es_spec *spec, uint64_t *radix /* OUT */, uint64_t *size /* OUT */,
                 es_err *err);

/* Grid search, second half: configuration number `index` in the order that
 * varies the last parameter fastest.  0, ES_EEXHAUSTED when index >= size,
 * or -ENOMEM (values are left cleared). */
int es_grid_suggest(const es_spec *spec, const uint64_t *radix, uint64_t size, uint64_t index,
                    es_value *values /* OUT */, es_err *err);

#endif
