/*
 * test_ehvi.c -- expected hypervolume improvement of two objectives: the
 * closed form against Monte Carlo over the exact hypervolume, its limits
 * (a certain point, a point far behind the front), the front's
 * non-dominated filter, and the search that uses it: distinct,
 * deterministic batches, and feasible fronts under a constraint.
 */
#include <math.h>
#include <stdlib.h>

#include "bayes_int.h"
#include "pareto.h"
#include "rng.h"
#include "search_test.h"

static const double ehvi_front[6] = {0.1, 0.9, 0.4, 0.5, 0.7, 0.2};
static const double ehvi_ref[2] = {1.0, 1.0};

/* The hypervolume the point y adds to ehvi_front. */
static double hvi(const double *y)
{
    double pts[8];
    for (int i = 0; i < 6; i++)
        pts[i] = ehvi_front[i];
    pts[6] = y[0];
    pts[7] = y[1];
    return es_hypervolume(pts, 4, 2, NULL, ehvi_ref) -
           es_hypervolume(ehvi_front, 3, 2, NULL, ehvi_ref);
}

ES_TEST(ehvi_matches_monte_carlo)
{
    static const double cases[][4] = {
        {0.5, 0.5, 0.2, 0.3}, {0.2, 0.3, 0.05, 0.05}, {0.9, 0.1, 0.3, 0.1}, {0.0, 0.0, 0.5, 0.5}};
    es_rng r;
    es_rng_seed(&r, 42);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const double *k = cases[c];
        double sum = 0.0;
        const int n = 200000;
        for (int i = 0; i < n; i++) {
            double y[2] = {k[0] + k[2] * es_rng_normal(&r), k[1] + k[3] * es_rng_normal(&r)};
            sum += hvi(y);
        }
        double mc = sum / n, exact = exp(es_log_ehvi2(ehvi_front, 3, ehvi_ref, k, k + 2));
        ES_CHECK_NEAR(exact, mc, 0.01 * mc + 1e-4);
    }
}

ES_TEST(ehvi_limits)
{
    /* Certain: the improvement itself. */
    double y[2] = {0.3, 0.4}, sd[2] = {1e-12, 1e-12};
    ES_CHECK_NEAR(exp(es_log_ehvi2(ehvi_front, 3, ehvi_ref, y, sd)), hvi(y), 1e-9);
    /* An empty front: the box below the reference. */
    double box = exp(es_log_ehvi2(NULL, 0, ehvi_ref, y, sd));
    ES_CHECK_NEAR(box, 0.7 * 0.6, 1e-9);
    /* Far behind the front: finite, and smaller the farther. */
    double s1[2] = {0.1, 0.1}, far[2] = {5.0, 5.0}, farther[2] = {9.0, 9.0};
    double a = es_log_ehvi2(ehvi_front, 3, ehvi_ref, far, s1);
    double b = es_log_ehvi2(ehvi_front, 3, ehvi_ref, farther, s1);
    ES_CHECK(isfinite(a) && isfinite(b) && b < a && a < -100.0);
}

ES_TEST(ehvi_nondominated_sorted)
{
    double pts[] = {0.5, 0.5, 0.2, 0.8, 0.5, 0.5, 0.6, 0.6, 0.9, 0.1, 0.2, 0.9, 0.3, 0.5};
    size_t n = es_ehvi_nondominated(pts, 7);
    ES_CHECK_INT(n, 3);
    double want[] = {0.2, 0.8, 0.3, 0.5, 0.9, 0.1};
    for (size_t i = 0; i < 6; i++)
        ES_CHECK(pts[i] == want[i]);
}

/* ZDT1 in 2-D (both minimized), optionally with x1 >= 0.3 as a reported
 * constraint, parallel q; writes the 2 x trials points; returns the
 * number of proposals after the design that keep the constraint. */
static int zdt1_run(uint64_t seed, int q, int constrained, int trials, double *out)
{
    es_param p[2];
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_objective obj[2] = {{.name = (char *)"f1", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE},
                           {.name = (char *)"f2", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE}};
    es_constraint con = {.name = (char *)"c", .kind = ES_OBJ_METRIC, .has_min = 1, .min = 0.3};
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec.objectives = obj;
    spec.n_objectives = 2;
    spec.metric_name = (char *)"f1";
    spec.parallel = q;
    if (constrained) {
        spec.constraints = &con;
        spec.n_constraints = 1;
    }
    es_search *s = NULL;
    es_err err = {0};
    ES_CHECK_INT(es_search_create(&spec, seed, &s, &err), 0);
    es_value v[4][2];
    int kept = 0;
    for (int i = 0; i < trials; i += q) {
        ST_SUGGEST_BATCH(s, i, q, v, out, &err);
        for (int b = 0; b < q; b++) {
            double x1 = out[2 * (i + b)], x2 = out[2 * (i + b) + 1];
            double g = 1.0 + 9.0 * x2, vals[3] = {x1, g * (1.0 - sqrt(x1 / g)), x1};
            ES_CHECK_INT(
                es_search_observe(s, (uint64_t)(i + b), v[b], ES_OBS_COMPLETED, vals[0], NAN, &err),
                0);
            ES_CHECK_INT(es_search_observe_values(s, (uint64_t)(i + b), vals, &err), 0);
            kept += i >= 10 && x1 >= 0.3;
            es_value_clear(&v[b][0]);
            es_value_clear(&v[b][1]);
        }
    }
    es_search_destroy(s);
    return kept;
}

ES_TEST(ehvi_batches_distinct_and_deterministic)
{
    double a[64], b[64];
    zdt1_run(4, 4, 0, 32, a);
    zdt1_run(4, 4, 0, 32, b);
    for (int i = 0; i < 64; i++)
        ES_CHECK(a[i] == b[i]);
}

/* Under the constraint the front is the feasible one, and the proposals
 * after the design keep to it. */
ES_TEST(ehvi_keeps_a_constraint)
{
    double x[80];
    int kept = zdt1_run(2, 1, 1, 40, x);
    ES_CHECK(kept >= 24); /* of 30 */
}

/* The spec's `ref:` is the search's reference point too (it chose its
 * own, and a sweep aimed at a region of the front searched elsewhere):
 * carried into each surrogate's coordinates, maximized objectives
 * negated. */
ES_TEST(ehvi_uses_the_spec_reference)
{
    es_param p[2];
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_objective obj[2] = {
        {.name = (char *)"f1", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE},
        {.name = (char *)"acc", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MAXIMIZE, .has_ref = 1,
         .ref = 0.25}};
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec.objectives = obj;
    spec.n_objectives = 2;
    spec.metric_name = (char *)"f1";
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 3, &m), 0);
    for (uint64_t i = 0; i < 8; i++) {
        double x1 = (double)i / 7.0, vals[2] = {x1, 1.0 - x1 * x1};
        es_value v[2] = {st_float(x1), st_float(0.5)};
        ES_CHECK_INT(es_model_observe(m, i, v, ES_OBS_COMPLETED, x1, NAN), 0);
        ES_CHECK_INT(es_model_observe_values(m, i, vals), 0);
    }
    ES_CHECK_INT(es_model_columns(m, 8), 1);
    double *front, ref[2];
    size_t n;
    ES_CHECK_INT(es_ehvi_front(m, 8, &front, &n, ref), 0);
    ES_CHECK_NEAR(ref[1], es_surrogate_forward(&m->cols[1], -0.25), 1e-12);
    /* f1 has none: beyond its worst value. */
    ES_CHECK(ref[0] > es_surrogate_forward(&m->cols[0], 1.0));
    /* Only what beats the reference is on the front: acc above 0.25. */
    ES_CHECK(n > 0);
    for (size_t k = 0; k < n; k++)
        ES_CHECK(front[2 * k + 1] < ref[1]);
    free(front);
    es_model_destroy(m);
}
