/*
 * pareto.c -- Pareto ranks and hypervolume (see pareto.h).
 *
 * Ranks: a point's non-dominated-sorting layer is one more than the
 * longest chain of points dominating it, and a dominating point comes
 * first in lexicographic order, so one pass over the points in that order
 * (rank = 1 + the largest rank among the earlier points that dominate it)
 * gives the layers of Deb's sort in O(m n^2) time and O(n) memory, where
 * Deb's lists of dominated points take O(n^2) memory.
 *
 * Hypervolume: in 2-D the staircase of the points sorted by the first
 * objective; in 3-D the 2-D area of the points below each level of the
 * third objective times the height of its slab (O(n^2)).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pareto.h"

int es_pareto_dominates(const double *a, const double *b, size_t m)
{
    int better = 0;
    for (size_t j = 0; j < m; j++) {
        if (a[j] > b[j])
            return 0;
        better |= a[j] < b[j];
    }
    return better;
}

typedef struct pareto_sort {
    const double *y;
    size_t m;
} pareto_sort;

/* qsort has no context argument: the order of rows i and j of y by
 * their coordinates, then their index (a total order, so the result does
 * not depend on the qsort). */
static int pareto_lex(const pareto_sort *ps, size_t i, size_t j)
{
    for (size_t t = 0; t < ps->m; t++) {
        double a = ps->y[i * ps->m + t], b = ps->y[j * ps->m + t];
        if (a != b)
            return a < b ? -1 : 1;
    }
    return i < j ? -1 : i > j;
}

/* Merge sort of idx[0..n) by pareto_lex. */
static void pareto_msort(const pareto_sort *ps, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    pareto_msort(ps, idx, tmp, h);
    pareto_msort(ps, idx + h, tmp, n - h);
    size_t a = 0, b = h, k = 0;
    while (a < h && b < n)
        tmp[k++] = pareto_lex(ps, idx[a], idx[b]) <= 0 ? idx[a++] : idx[b++];
    while (a < h)
        tmp[k++] = idx[a++];
    while (b < n)
        tmp[k++] = idx[b++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int pareto_usable(const double *y, size_t m, const unsigned char *use, size_t i)
{
    if (use != NULL && !use[i])
        return 0;
    for (size_t j = 0; j < m; j++)
        if (!isfinite(y[i * m + j]))
            return 0;
    return 1;
}

/* The usable rows of y in lexicographic order into *out (freed by the
 * caller); their count, or (size_t)-1 on allocation failure. */
static size_t pareto_order(const double *y, size_t n, size_t m, const unsigned char *use,
                           size_t **out)
{
    size_t *idx = malloc((2 * n + 1) * sizeof *idx), k = 0;
    *out = idx;
    if (idx == NULL)
        return (size_t)-1;
    for (size_t i = 0; i < n; i++)
        if (pareto_usable(y, m, use, i))
            idx[k++] = i;
    pareto_sort ps = {y, m};
    pareto_msort(&ps, idx, idx + n, k);
    return k;
}

int es_pareto_ranks(const double *y, size_t n, size_t m, const unsigned char *use, int *rank)
{
    size_t *idx;
    size_t k = pareto_order(y, n, m, use, &idx);
    if (k == (size_t)-1)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        rank[i] = 0;
    for (size_t a = 0; a < k; a++) {
        int r = 1;
        for (size_t b = 0; b < a; b++)
            if (rank[idx[b]] >= r && es_pareto_dominates(y + idx[b] * m, y + idx[a] * m, m))
                r = rank[idx[b]] + 1;
        rank[idx[a]] = r;
    }
    free(idx);
    return 0;
}

/* The 2-D area dominated by the k points (x[i], z[i]) sorted by x, up to
 * (rx, rz). */
static double pareto_area(const double *x, const double *z, size_t k, double rx, double rz)
{
    double area = 0.0, prev = rz;
    for (size_t i = 0; i < k; i++)
        if (z[i] < prev) {
            area += (rx - x[i]) * (prev - z[i]);
            prev = z[i];
        }
    return area;
}

double es_hypervolume(const double *y, size_t n, size_t m, const unsigned char *use,
                      const double *ref)
{
    if (m < 1 || m > ES_PARETO_MAX_M)
        return NAN;
    unsigned char *in = malloc(n + 1);
    if (in == NULL)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        in[i] = (unsigned char)pareto_usable(y, m, use, i);
        for (size_t j = 0; j < m && in[i]; j++)
            in[i] = y[i * m + j] < ref[j];
    }
    size_t *idx;
    size_t k = pareto_order(y, n, m, in, &idx);
    free(in);
    if (k == (size_t)-1)
        return NAN;
    double hv = 0.0;
    if (m == 1) {
        hv = k > 0 ? ref[0] - y[idx[0]] : 0.0;
    } else if (m == 2) {
        double *x = malloc((2 * k + 1) * sizeof *x);
        if (x == NULL) {
            free(idx);
            return NAN;
        }
        for (size_t i = 0; i < k; i++) {
            x[i] = y[idx[i] * 2];
            x[k + i] = y[idx[i] * 2 + 1];
        }
        hv = pareto_area(x, x + k, k, ref[0], ref[1]);
        free(x);
    } else {
        /* By the third objective (a stable sort of the lexicographic
         * order), each point inserted into the 2-D set sorted by the first. */
        size_t *byz = malloc((k + 1) * sizeof *byz);
        double *x = malloc((2 * k + 1) * sizeof *x);
        if (byz == NULL || x == NULL) {
            free(byz);
            free(x);
            free(idx);
            return NAN;
        }
        for (size_t i = 0; i < k; i++) {
            size_t j = i;
            while (j > 0 && y[byz[j - 1] * 3 + 2] > y[idx[i] * 3 + 2]) {
                byz[j] = byz[j - 1];
                j--;
            }
            byz[j] = idx[i];
        }
        double *z = x + k;
        for (size_t i = 0; i < k; i++) {
            const double *p = y + byz[i] * 3;
            size_t j = i;
            while (j > 0 && (x[j - 1] > p[0] || (x[j - 1] == p[0] && z[j - 1] > p[1]))) {
                x[j] = x[j - 1];
                z[j] = z[j - 1];
                j--;
            }
            x[j] = p[0];
            z[j] = p[1];
            double top = i + 1 < k ? y[byz[i + 1] * 3 + 2] : ref[2];
            if (top > p[2])
                hv += pareto_area(x, z, i + 1, ref[0], ref[1]) * (top - p[2]);
        }
        free(byz);
        free(x);
    }
    free(idx);
    return hv;
}
