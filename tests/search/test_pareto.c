/*
 * test_pareto.c -- Pareto ranks and hypervolume (search/pareto.c): ranks
 * against the definition (peel the non-dominated points off, again and
 * again) on random point sets with ties, duplicates and three objectives;
 * hypervolume against exact values and against a brute-force count over
 * the grid of every coordinate.
 */
#include <math.h>
#include <stdlib.h>

#include "pareto.h"
#include "rng.h"
#include "search_test.h"

/* Ranks by the definition: rank r holds the points no unranked point
 * dominates once ranks 1..r-1 are removed. */
static void brute_ranks(const double *y, size_t n, size_t m, const unsigned char *use, int *rank)
{
    for (size_t i = 0; i < n; i++)
        rank[i] = 0;
    for (int r = 1;; r++) {
        int any = 0;
        int *next = calloc(n, sizeof *next);
        for (size_t i = 0; i < n; i++) {
            if (rank[i] || (use && !use[i]))
                continue;
            int dominated = 0;
            for (size_t j = 0; j < n && !dominated; j++)
                if (j != i && !rank[j] && !(use && !use[j]))
                    dominated = es_pareto_dominates(y + j * m, y + i * m, m);
            if (!dominated)
                next[i] = r, any = 1;
        }
        for (size_t i = 0; i < n; i++)
            if (next[i])
                rank[i] = next[i];
        free(next);
        if (!any)
            break;
    }
}

ES_TEST(pareto_ranks_match_the_definition)
{
    es_rng rng;
    es_rng_seed(&rng, 11);
    for (int round = 0; round < 200; round++) {
        size_t m = 2 + (size_t)(round % 2), n = 1 + (size_t)(es_rng_next(&rng) % 60);
        double y[60 * 3];
        unsigned char use[60];
        int got[60], want[60];
        for (size_t i = 0; i < n; i++) {
            use[i] = es_rng_uniform(&rng) < 0.9;
            for (size_t j = 0; j < m; j++)
                /* Few levels: many ties on one objective, some whole duplicates. */
                y[i * m + j] =
                    round % 3 == 0 ? floor(es_rng_uniform(&rng) * 4.0) : es_rng_uniform(&rng);
            if (i > 0 && es_rng_uniform(&rng) < 0.1)
                for (size_t j = 0; j < m; j++)
                    y[i * m + j] = y[(i - 1) * m + j];
        }
        ES_CHECK_INT(es_pareto_ranks(y, n, m, use, got), 0);
        brute_ranks(y, n, m, use, want);
        for (size_t i = 0; i < n; i++)
            if (got[i] != want[i])
                ES_FAIL("round %d (n %zu, m %zu): point %zu has rank %d, by definition %d", round,
                        n, m, i, got[i], want[i]);
    }
}

ES_TEST(pareto_ranks_leave_out_what_is_not_a_number)
{
    double y[8] = {1, 1, NAN, 0, 0, INFINITY, 2, 2};
    int rank[4];
    ES_CHECK_INT(es_pareto_ranks(y, 4, 2, NULL, rank), 0);
    ES_CHECK_INT(rank[0], 1);
    ES_CHECK_INT(rank[1], 0);
    ES_CHECK_INT(rank[2], 0);
    ES_CHECK_INT(rank[3], 2);
}

ES_TEST(hypervolume_exact_values)
{
    /* 2-D: the staircase of (1, 3), (2, 2), (3, 1) up to (4, 4): 3 + 2 + 1. */
    double a[6] = {1, 3, 2, 2, 3, 1}, ref2[2] = {4, 4};
    ES_CHECK_NEAR(es_hypervolume(a, 3, 2, NULL, ref2), 6.0, 1e-12);
    /* A dominated point, a duplicate and one beyond the reference add nothing. */
    double b[10] = {1, 3, 2, 2, 3, 1, 3, 3, 2, 2};
    ES_CHECK_NEAR(es_hypervolume(b, 5, 2, NULL, ref2), 6.0, 1e-12);
    double c[4] = {1, 3, 5, 0};
    ES_CHECK_NEAR(es_hypervolume(c, 2, 2, NULL, ref2), 3.0, 1e-12);
    /* 3-D: one point at the origin against (1, 1, 1), then two boxes that
     * overlap in a unit cube: 2 + 2 - 1. */
    double d[3] = {0, 0, 0}, ref3[3] = {1, 1, 1};
    ES_CHECK_NEAR(es_hypervolume(d, 1, 3, NULL, ref3), 1.0, 1e-12);
    double e[6] = {0, 1, 1, 1, 0, 1}, ref3b[3] = {2, 2, 2};
    ES_CHECK_NEAR(es_hypervolume(e, 2, 3, NULL, ref3b), 3.0, 1e-12);
    /* 1-D and nothing at all. */
    double f[2] = {3, 1}, ref1 = 5;
    ES_CHECK_NEAR(es_hypervolume(f, 2, 1, NULL, &ref1), 4.0, 1e-12);
    ES_CHECK_NEAR(es_hypervolume(f, 0, 2, NULL, ref2), 0.0, 0);
    ES_CHECK(isnan(es_hypervolume(f, 1, 4, NULL, ref2)));
}

/* The dominated volume by brute force: the grid of every point's
 * coordinates and the reference's, a cell counted when a point dominates
 * its lower corner. */
static double brute_hv(const double *y, size_t n, size_t m, const double *ref)
{
    double cuts[3][41];
    size_t nc[3];
    for (size_t j = 0; j < m; j++) {
        nc[j] = 0;
        for (size_t i = 0; i < n; i++)
            if (y[i * m + j] < ref[j])
                cuts[j][nc[j]++] = y[i * m + j];
        cuts[j][nc[j]++] = ref[j];
        for (size_t a = 1; a < nc[j]; a++) /* insertion sort */
            for (size_t b = a; b > 0 && cuts[j][b - 1] > cuts[j][b]; b--) {
                double t = cuts[j][b];
                cuts[j][b] = cuts[j][b - 1];
                cuts[j][b - 1] = t;
            }
    }
    for (size_t j = 0; j < m; j++)
        if (nc[j] < 2)
            return 0.0; /* no point below the reference in this objective */
    double vol = 0.0;
    size_t c[3] = {0, 0, 0};
    for (;;) {
        double corner[3], size = 1.0;
        for (size_t j = 0; j < m; j++) {
            corner[j] = cuts[j][c[j]];
            size *= cuts[j][c[j] + 1] - cuts[j][c[j]];
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < m && y[i * m + j] <= corner[j])
                j++;
            if (j == m) {
                vol += size;
                break;
            }
        }
        size_t j = 0;
        while (j < m && ++c[j] + 1 >= nc[j])
            c[j++] = 0;
        if (j == m)
            break;
    }
    return vol;
}

ES_TEST(hypervolume_matches_brute_force)
{
    es_rng rng;
    es_rng_seed(&rng, 5);
    for (int round = 0; round < 300; round++) {
        size_t m = 2 + (size_t)(round % 2), n = (size_t)(es_rng_next(&rng) % 40);
        double y[40 * 3], ref[3] = {1, 1, 1};
        for (size_t i = 0; i < n * m; i++)
            y[i] = round % 4 == 0 ? floor(es_rng_uniform(&rng) * 5.0) / 4.0
                                  : 1.1 * es_rng_uniform(&rng);
        double got = es_hypervolume(y, n, m, NULL, ref), want = brute_hv(y, n, m, ref);
        if (!(fabs(got - want) <= 1e-12))
            ES_FAIL("round %d (n %zu, m %zu): hypervolume %.15g, brute force %.15g", round, n, m,
                    got, want);
    }
}
