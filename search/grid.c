/*
 * grid.c -- grid search: every combination of every parameter's points.
 *
 * A parameter's points are its one value (constant), its values in order
 * (categorical; probabilities are ignored and duplicates are kept, each
 * counted once per occurrence), every integer from min to max
 * (int_uniform), or min, min + q, min + 2q, ... up to and including max
 * (q_uniform).  Other distributions are continuous and cannot be enumerated.
 *
 * Configuration number `index` is index written in the mixed radix of the
 * parameters' point counts, the last parameter varying fastest -- the order
 * of nested loops written in spec order, and of W&B's itertools.product.
 * Nothing is stored per configuration, so a grid of any size costs one
 * array of counts.
 *
 * One deliberate difference from W&B: its q_uniform grid is numpy's
 * arange(min, max, q), which leaves max out; here max is a point when it is
 * min plus a whole number of steps, as the spec's "max" suggests.  Points
 * of a fractional step are tidied to 15 significant digits, so a grid from
 * 0 by 0.1 reads 0, 0.1, 0.2, 0.3 rather than ..., 0.30000000000000004.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "search.h"
#include "search_int.h"

/* Steps that fall within this relative distance of max still count, so that
 * 0.1 + 0.1 + 0.1 <= 0.3 even though it is not in floating point. */
#define GRID_STEP_SLACK 1e-9

/* Outcomes of counting a parameter's points. */
enum { GRID_OK = 0, GRID_CONTINUOUS = -1, GRID_TOO_MANY = 1 };

/* Number of q_uniform points (0 when the range holds none) into *n. */
static int grid_q_points(const es_param *p, uint64_t *n)
{
    double q = (p->q > 0.0 && isfinite(p->q)) ? p->q : 1.0;
    double steps = (p->max - p->min) / q;

    *n = 0;
    if (!(steps >= -GRID_STEP_SLACK))
        return GRID_OK;
    steps = floor(steps + GRID_STEP_SLACK * fmax(1.0, fabs(steps)));
    if (!(steps < (double)ES_GRID_MAX_SIZE))
        return GRID_TOO_MANY;
    *n = (uint64_t)steps + 1;
    return GRID_OK;
}

/* Number of int_uniform points (0 when min > max) into *n, counted in
 * integers: past 2^53 a double would miscount them. */
static int grid_int_points(const es_param *p, uint64_t *n)
{
    double lo = ceil(p->min), hi = floor(p->max);

    *n = 0;
    if (!(lo <= hi))
        return GRID_OK;
    if (!(lo >= -0x1.0p63 && hi < 0x1.0p63))
        return GRID_TOO_MANY;
    uint64_t span = (uint64_t)(long long)hi - (uint64_t)(long long)lo;
    if (span >= ES_GRID_MAX_SIZE)
        return GRID_TOO_MANY;
    *n = span + 1;
    return GRID_OK;
}

/* The number of points of p into *n: GRID_OK, GRID_CONTINUOUS when p cannot
 * be enumerated, GRID_TOO_MANY past ES_GRID_MAX_SIZE. */
static int grid_points(const es_param *p, uint64_t *n)
{
    switch (p->dist) {
    case ES_DIST_CONSTANT:
        *n = 1;
        return GRID_OK;
    case ES_DIST_CATEGORICAL:
        *n = p->n_values;
        return *n > ES_GRID_MAX_SIZE ? GRID_TOO_MANY : GRID_OK;
    case ES_DIST_INT_UNIFORM:
        return grid_int_points(p, n);
    case ES_DIST_Q_UNIFORM:
        return grid_q_points(p, n);
    default:
        *n = 0;
        return GRID_CONTINUOUS;
    }
}

int es_grid_plan(const es_spec *spec, uint64_t *radix, uint64_t *size, es_err *err)
{
    uint64_t total = 1;

    *size = 0;
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_param *p = &spec->params[i];
        const char *name = p->name ? p->name : "?";
        int rc = grid_points(p, &radix[i]);

        if (rc == GRID_CONTINUOUS)
            return es_err_set(err, ES_ESPEC,
                              "grid search cannot enumerate parameter '%s' (%s, line %d): "
                              "use values, int_uniform or q_uniform",
                              name, es_dist_name(p->dist), p->line);
        if (rc == GRID_TOO_MANY)
            return es_err_set(err, ES_ESPEC,
                              "grid search: parameter '%s' (line %d) has more than 2^62 values",
                              name, p->line);
        if (radix[i] == 0)
            return es_err_set(err, ES_ESPEC,
                              "grid search: parameter '%s' (%s, line %d) has no values to try",
                              name, es_dist_name(p->dist), p->line);
        /* total * radix[i] > MAX, tested without overflowing. */
        if (total > ES_GRID_MAX_SIZE / radix[i])
            return es_err_set(err, ES_ESPEC,
                              "grid search: the grid has more than 2^62 configurations "
                              "(parameter '%s', line %d, multiplies it past that)",
                              name, p->line);
        total *= radix[i];
    }
    *size = total;
    return 0;
}

/* Write point k of parameter p into *out.  0 or -ENOMEM. */
static int grid_point(const es_param *p, uint64_t k, es_value *out)
{
    memset(out, 0, sizeof *out);
    switch (p->dist) {
    case ES_DIST_CONSTANT:
        return es_value_copy(out, &p->value) == 0 ? 0 : -ENOMEM;
    case ES_DIST_CATEGORICAL:
        return es_value_copy(out, &p->values[k]) == 0 ? 0 : -ENOMEM;
    case ES_DIST_INT_UNIFORM:
        /* In integers: past 2^53 a double would skip some of them.  The plan
         * guarantees that ceil(min) + k <= floor(max) fits a long long. */
        out->kind = ES_V_INT;
        out->i = (long long)((uint64_t)(long long)ceil(p->min) + k);
        return 0;
    default: {
        /* q_uniform: min + k*q, never an accumulated sum, so point k carries
         * one rounding error rather than k of them. */
        double q = (p->q > 0.0 && isfinite(p->q)) ? p->q : 1.0;
        int integral = q == floor(q) && p->min == floor(p->min);
        double x = p->min + (double)k * q;
        es_search_number(integral ? x : es_search_tidy(x, q), integral, out);
        return 0;
    }
    }
}

int es_grid_suggest(const es_spec *spec, const uint64_t *radix, uint64_t size, uint64_t index,
                    es_value *values, es_err *err)
{
    uint64_t rest = index;

    if (index >= size)
        return es_err_set(err, ES_EEXHAUSTED, "search space exhausted (%llu configurations)",
                          (unsigned long long)size);

    /* Decode from the last parameter (the fastest digit) to the first. */
    for (size_t i = spec->n_params; i-- > 0;) {
        uint64_t k = rest % radix[i];
        rest /= radix[i];
        int rc = grid_point(&spec->params[i], k, &values[i]);
        if (rc != 0) {
            for (size_t j = i; j < spec->n_params; j++)
                es_value_clear(&values[j]);
            return es_err_set(err, rc, "out of memory building grid configuration %llu",
                              (unsigned long long)index);
        }
    }
    return 0;
}
