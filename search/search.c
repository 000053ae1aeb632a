/*
 * search.c -- the es_search object: one front for every search method.
 *
 * Creating a search checks once that the spec can be searched by its method
 * (a grid must be enumerable and of bounded size) and precomputes what
 * suggestions need.  Random and grid suggestions are pure functions of
 * (spec, seed, index) that dispatch to random.c or grid.c: they may be asked
 * in any order, repeatedly, and after a restart.  Bayesian suggestions
 * (bayes.c) also read the observations.
 *
 * Every method keeps its observations in an es_model (model.c), so that
 * es_search_forecast works for random and grid sweeps as well: for them the
 * coordinator decides admission, and the energy budget given here is only
 * used by bayes.
 */
#include "search.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bayes_int.h"
#include "search_int.h"

struct es_search {
    const es_spec *spec; /* borrowed; must outlive the search */
    es_method method;
    uint64_t seed;
    uint64_t *radix;             /* grid: points per parameter (n_params entries) */
    uint64_t size;               /* grid: number of configurations; 0 = unbounded */
    es_model *model;             /* observations and surrogates */
    double remaining_j, total_j; /* energy budget; NAN = none */
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
    case ES_METHOD_BAYES:
        break;
    default:
        return es_err_set(err, ES_ESPEC, "unknown search method %d", (int)spec->method);
    }

    s = calloc(1, sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "out of memory creating the search");
    s->spec = spec;
    s->method = spec->method;
    s->seed = seed;
    s->remaining_j = NAN;
    s->total_j = NAN;

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
    if (es_model_create(spec, seed, &s->model) != 0) {
        es_search_destroy(s);
        return es_err_set(err, -ENOMEM, "out of memory creating the search");
    }

    *out = s;
    return 0;
}

void es_search_destroy(es_search *s)
{
    if (s == NULL)
        return;
    es_model_destroy(s->model);
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
    if (s->method == ES_METHOD_BAYES)
        return es_bayes_suggest(s->model, index, s->remaining_j, s->total_j, values, err);

    rc = es_random_suggest(s->spec, s->seed, index, values);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory drawing trial %llu", (unsigned long long)index);
    return 0;
}

int es_search_observe(es_search *s, uint64_t index, const es_value *values, es_obs_status status,
                      double objective, double energy_j, es_err *err)
{
    if (s == NULL || (values == NULL && s->spec->n_params > 0))
        return es_err_set(err, -EINVAL, "es_search_observe: no search or no values array");
    if (status != ES_OBS_PENDING && status != ES_OBS_COMPLETED && status != ES_OBS_FAILED &&
        status != ES_OBS_PRUNED)
        return es_err_set(err, -EINVAL, "es_search_observe: unknown status %d", (int)status);
    int rc = es_model_observe(s->model, index, values, status, objective, energy_j);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory recording trial %llu", (unsigned long long)index);
    return 0;
}

int es_search_warm(es_search *s, size_t group, const es_value *values, const unsigned char *known,
                   double objective, double energy_j, es_err *err)
{
    if (s == NULL || known == NULL || (values == NULL && s->spec->n_params > 0))
        return es_err_set(err, -EINVAL, "es_search_warm: no search, values or mask");
    if (group >= ES_SEARCH_WARM_GROUPS)
        return es_err_set(err, -EINVAL, "es_search_warm: group %zu past the last (%d)", group,
                          ES_SEARCH_WARM_GROUPS - 1);
    if (s->method != ES_METHOD_BAYES || s->spec->n_objectives >= 2)
        return 1;
    int rc = es_model_prior_add(s->model, group, values, known, objective, energy_j);
    if (rc < 0)
        return es_err_set(err, rc, "out of memory keeping an earlier sweep's trial");
    return rc;
}

int es_search_warm_fit(es_search *s, es_err *err)
{
    int rc = s == NULL || s->method != ES_METHOD_BAYES ? 0 : es_model_prior_fit(s->model);
    return rc < 0 ? es_err_set(err, rc, "out of memory learning from the earlier sweeps") : 0;
}

size_t es_search_warm_count(const es_search *s, size_t group)
{
    return s == NULL ? 0 : es_model_prior_count(s->model, group);
}

double es_search_warm_weight(const es_search *s, size_t group)
{
    return s == NULL ? 0.0 : es_model_prior_weight(s->model, group);
}

int es_search_observe_values(es_search *s, uint64_t index, const double *values, es_err *err)
{
    if (s == NULL || (values == NULL && s->spec->n_objectives + s->spec->n_constraints > 0))
        return es_err_set(err, -EINVAL, "es_search_observe_values: no search or no values");
    if (s->spec->n_objectives + s->spec->n_constraints == 0)
        return 0;
    int rc = es_model_observe_values(s->model, index, values);
    if (rc == -ENOENT)
        return es_err_set(err, rc, "es_search_observe_values: trial %llu was never observed",
                          (unsigned long long)index);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory recording trial %llu", (unsigned long long)index);
    return 0;
}

int es_search_observe_levels(es_search *s, uint64_t index, const double *values, size_t n,
                             es_err *err)
{
    if (s == NULL || (values == NULL && n > 0))
        return es_err_set(err, -EINVAL, "es_search_observe_levels: no search or no values");
    int rc = es_model_observe_levels(s->model, index, values, n);
    if (rc == -ENOENT)
        return es_err_set(err, rc, "es_search_observe_levels: trial %llu was never observed",
                          (unsigned long long)index);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory recording trial %llu", (unsigned long long)index);
    return 0;
}

int es_search_fidelity_level(const es_search *s)
{
    return s == NULL ? -1 : s->model->fid_level;
}

void es_search_set_energy_budget(es_search *s, double remaining_j, double total_j)
{
    if (s == NULL)
        return;
    /* Less than nothing left (running trials forecast past the budget) is
     * nothing left, not "no budget". */
    s->remaining_j = isnan(remaining_j) || remaining_j == INFINITY ? NAN : fmax(remaining_j, 0.0);
    s->total_j = total_j;
}

int es_search_forecast(es_search *s, const es_value *values, double *median_j, double *upper_j)
{
    if (s == NULL || median_j == NULL || upper_j == NULL ||
        (values == NULL && s->spec->n_params > 0))
        return -EINVAL;
    return es_model_forecast(s->model, values, median_j, upper_j);
}

uint64_t es_search_size(const es_search *s)
{
    return s == NULL ? 0 : s->size;
}
