/*
 * search.h -- where the next trial's configuration comes from.
 *
 * Pure: a spec and a seed in, configurations out; no processes, no event
 * loop, no database.  A suggestion depends only on (spec, seed, index), so a
 * sweep with the same seed and spec proposes the same sequence whatever order
 * trials finish in, and a resumed sweep proposes what it would have proposed.
 *
 * Ownership: es_search_create() returns an object the caller frees with
 * es_search_destroy() (NULL allowed).  The search keeps a pointer to the spec,
 * which must outlive it.  Values written by es_search_suggest() belong to the
 * caller (clear them with es_values_free / es_value_clear from spec.h).
 */
#ifndef ES_SEARCH_H
#define ES_SEARCH_H

#include <stdint.h>

#include "rng.h"
#include "spec.h"

typedef struct es_search es_search;

/* Create a search for spec->method (random or grid; bayes gives ES_ENOTSUP
 * with a message).  Grid requires every parameter to be enumerable:
 * constant, categorical, int_uniform, or q_uniform; anything else is an
 * ES_ESPEC error naming the parameter and its line. */
int es_search_create(const es_spec *spec, uint64_t seed, es_search **out, es_err *err);
void es_search_destroy(es_search *s);

/* Write the configuration of trial number `index` (0-based launch order)
 * into values[0 .. spec->n_params-1].  Returns 0, or ES_EEXHAUSTED when a
 * grid has no configuration with that index. */
int es_search_suggest(es_search *s, uint64_t index, es_value *values /* OUT */, es_err *err);

/* Number of distinct configurations: the grid's size, or 0 for unbounded. */
uint64_t es_search_size(const es_search *s);

/* Draw one value of parameter p from its distribution.  Exposed so tests can
 * check each distribution's statistics.  0 or -ENOMEM. */
int es_sample_param(const es_param *p, es_rng *rng, es_value *out /* OUT */);

#endif
