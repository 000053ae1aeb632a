/*
 * search.c -- the es_search object: one front for every search method.
 *
 * Creating a search checks once that the spec can be searched by its method
 * (a grid must be enumerable and of bounded size; bayes is not provided yet)
 * and precomputes what suggestions need; after that, es_search_suggest() is a
 * pure function of (spec, seed, index) that dispatches to random.c or
 * grid.c.  The object holds no state that suggestions change, so trials may
 * be suggested in any order, repeatedly, and after a restart.
 */
#include "search.h"

#include <errno.h>
#include <stdlib.h>

#include "search_int.h"

struct es_search {
    const es_spec *spec; /* borrowed; must outlive the search */
    es_method method;
    uint64_t seed;
    uint64_t *radix; /* grid: points per parameter (n_params entries) */
    uint64_t size;   /* grid: number of configurations; 0 = unbounded */
};

int es_search_create(const es_spec *spec, uint64_t seed, es_search **out, es_err *err)
{
    es_search *s;
    int rc;

    if (out == NULL)
        return es_err_set(err, -EINVAL, "es_search_create: no place to put the search");
    *out = NULL;
    if (spec == NULL)
        return es_err_set(err, -EINVAL, "es_search_create: no spec");

    switch (spec->method) {
    case ES_METHOD_RANDOM:
    case ES_METHOD_GRID:
        break;
    case ES_METHOD_BAYES:
        return es_err_set(err, ES_ENOTSUP,
                          "method 'bayes' is not available yet: use 'random' or 'grid'");
    default:
        return es_err_set(err, ES_ESPEC, "unknown search method %d", (int)spec->method);
    }

    s = calloc(1, sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "out of memory creating the search");
    s->spec = spec;
    s->method = spec->method;
    s->seed = seed;

    if (s->method == ES_METHOD_GRID) {
        /* One extra slot so that a spec without parameters still gets a
         * non-NULL array. */
        s->radix = calloc(spec->n_params + 1, sizeof *s->radix);
        if (s->radix == NULL) {
            es_search_destroy(s);
            return es_err_set(err, -ENOMEM, "out of memory creating the grid");
        }
        rc = es_grid_plan(spec, s->radix, &s->size, err);
        if (rc != 0) {
            es_search_destroy(s);
            return rc;
        }
    }

    *out = s;
    return 0;
}

void es_search_destroy(es_search *s)
{
    if (s == NULL)
        return;
    free(s->radix);
    free(s);
}

int es_search_suggest(es_search *s, uint64_t index, es_value *values, es_err *err)
{
    int rc;

    if (s == NULL || (values == NULL && s->spec->n_params > 0))
        return es_err_set(err, -EINVAL, "es_search_suggest: no search or no values array");

    if (s->method == ES_METHOD_GRID)
        return es_grid_suggest(s->spec, s->radix, s->size, index, values, err);

    rc = es_random_suggest(s->spec, s->seed, index, values);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory drawing trial %llu", (unsigned long long)index);
    return 0;
}

uint64_t es_search_size(const es_search *s)
{
    return s == NULL ? 0 : s->size;
}
