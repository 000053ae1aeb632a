/*
 * test_ehvi.c -- expected hypervolume improvement of two and three
 * objectives: the closed forms against Monte Carlo over the exact
 * hypervolume, their limits (a certain point, a point far behind the
 * front), the front's non-dominated filter against brute force, and the
 * search that uses them: distinct, deterministic batches, and feasible
 * fronts under a constraint.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    size_t n = es_ehvi_nondominated(pts, 7, 2);
    ES_CHECK_INT(n, 3);
    double want[] = {0.2, 0.8, 0.3, 0.5, 0.9, 0.1};
    for (size_t i = 0; i < 6; i++)
        ES_CHECK(pts[i] == want[i]);
}

/* The improvement y (3 values) brings to the n points of 3 in front. */
static double hvi3(const double *front, size_t n, const double *ref, const double *y)
{
    double pts[3 * 64];
    for (size_t i = 0; i < 3 * n; i++)
        pts[i] = front[i];
    for (size_t j = 0; j < 3; j++)
        pts[3 * n + j] = y[j];
    return es_hypervolume(pts, n + 1, 3, NULL, ref) - es_hypervolume(front, n, 3, NULL, ref);
}

/* n random points of 3 on a grid of tenths (ties and duplicates), kept
 * non-dominated; returns how many. */
static size_t random_front3(es_rng *r, double *pts, size_t n)
{
    for (size_t i = 0; i < 3 * n; i++)
        pts[i] = floor(10.0 * es_rng_uniform(r)) / 10.0;
    return es_ehvi_nondominated(pts, n, 3);
}

ES_TEST(ehvi3_nondominated_brute_force)
{
    es_rng r;
    es_rng_seed(&r, 7);
    for (int t = 0; t < 50; t++) {
        double pts[3 * 40], orig[3 * 40];
        for (size_t i = 0; i < 3 * 40; i++)
            orig[i] = pts[i] = floor(5.0 * es_rng_uniform(&r)) / 5.0;
        size_t n = es_ehvi_nondominated(pts, 40, 3);
        /* Each kept point is in the set, beaten by none of it, and no two
         * kept are equal; each point of the set is beaten or kept. */
        for (size_t a = 0; a < n; a++) {
            for (size_t b = 0; b < 40; b++)
                ES_CHECK(!es_pareto_dominates(orig + 3 * b, pts + 3 * a, 3));
            for (size_t b = a + 1; b < n; b++)
                ES_CHECK(memcmp(pts + 3 * a, pts + 3 * b, 3 * sizeof *pts) != 0);
            if (a > 0) /* sorted by the first */
                ES_CHECK(pts[3 * (a - 1)] <= pts[3 * a]);
        }
        for (size_t b = 0; b < 40; b++) {
            int covered = 0;
            for (size_t a = 0; a < n && !covered; a++)
                covered = es_pareto_dominates(pts + 3 * a, orig + 3 * b, 3) ||
                          memcmp(pts + 3 * a, orig + 3 * b, 3 * sizeof *pts) == 0;
            ES_CHECK(covered);
        }
    }
}

/* A certain point: EHVI is its exact improvement, on random fronts with
 * ties, and points on or behind the front add nothing. */
ES_TEST(ehvi3_certain_is_the_improvement)
{
    es_rng r;
    es_rng_seed(&r, 11);
    const double ref[3] = {1.0, 1.0, 1.0}, sd[3] = {1e-12, 1e-12, 1e-12};
    for (int t = 0; t < 200; t++) {
        double front[3 * 30];
        size_t n = random_front3(&r, front, 1 + (size_t)(t % 30));
        es_ehvi3 e;
        ES_CHECK_INT(es_ehvi3_init(&e, front, n, ref), 0);
        double y[3];
        for (size_t j = 0; j < 3; j++)
            y[j] = t % 4 == 0 ? front[j] : 0.05 + 0.9 * es_rng_uniform(&r);
        double want = hvi3(front, n, ref, y), got = exp(es_log_ehvi3(&e, y, sd));
        ES_CHECK_NEAR(got, want, 1e-9);
        es_ehvi3_free(&e);
    }
}

ES_TEST(ehvi3_matches_monte_carlo)
{
    static const double front[] = {0.1, 0.8, 0.6, 0.5, 0.2, 0.7, 0.7, 0.6,
                                   0.1, 0.3, 0.4, 0.4, 0.8, 0.1, 0.5};
    static const double ref[3] = {1.0, 1.0, 1.0};
    static const double cases[][6] = {{0.4, 0.4, 0.3, 0.2, 0.2, 0.2},
                                      {0.2, 0.2, 0.2, 0.05, 0.05, 0.05},
                                      {0.9, 0.9, 0.9, 0.3, 0.3, 0.3},
                                      {0.0, 0.5, 1.0, 0.5, 0.1, 0.3}};
    es_ehvi3 e;
    ES_CHECK_INT(es_ehvi3_init(&e, front, 5, ref), 0);
    es_rng r;
    es_rng_seed(&r, 43);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const double *k = cases[c];
        double sum = 0.0;
        const int n = 100000;
        for (int i = 0; i < n; i++) {
            double y[3];
            for (size_t j = 0; j < 3; j++)
                y[j] = k[j] + k[3 + j] * es_rng_normal(&r);
            sum += hvi3(front, 5, ref, y);
        }
        double mc = sum / n, exact = exp(es_log_ehvi3(&e, k, k + 3));
        ES_CHECK_NEAR(exact, mc, 0.015 * mc + 1e-4);
    }
    /* Far behind the front: finite, and smaller the farther. */
    double s1[3] = {0.1, 0.1, 0.1}, far[3] = {5.0, 5.0, 5.0}, farther[3] = {9.0, 9.0, 9.0};
    double a = es_log_ehvi3(&e, far, s1), b = es_log_ehvi3(&e, farther, s1);
    ES_CHECK(isfinite(a) && isfinite(b) && b < a && a < -100.0);
    es_ehvi3_free(&e);
    /* An empty front: the box below the reference. */
    ES_CHECK_INT(es_ehvi3_init(&e, NULL, 0, ref), 0);
    double y[3] = {0.5, 0.6, 0.7}, sd[3] = {1e-12, 1e-12, 1e-12};
    ES_CHECK_NEAR(exp(es_log_ehvi3(&e, y, sd)), 0.5 * 0.4 * 0.3, 1e-9);
    es_ehvi3_free(&e);
}

/* ZDT1 in 2-D (both minimized), with x1 as the metric of a constraint. */
static void zdt1_trial(double x1, double x2, double *f1, double *vals)
{
    double g = 1.0 + 9.0 * x2;
    vals[0] = *f1 = x1;
    vals[1] = g * (1.0 - sqrt(x1 / g));
    vals[2] = x1;
}

/* ZDT1, optionally with x1 >= 0.3 as a reported constraint, parallel q;
 * writes the 2 x trials points; returns the number of proposals after the
 * design that keep the constraint. */
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
    st_run_batches(&spec, seed, trials, zdt1_trial, out);
    int kept = 0;
    for (int i = 10; i < trials; i++)
        kept += out[2 * i] >= 0.3;
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
    es_objective obj[2] = {{.name = (char *)"f1", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE},
                           {.name = (char *)"acc",
                            .kind = ES_OBJ_METRIC,
                            .goal = ES_GOAL_MAXIMIZE,
                            .has_ref = 1,
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

/* Three objectives of two parameters (each a corner of the square
 * best), parallel 4: the batches are distinct and the same for a seed. */
static void three_trial(double x1, double x2, double *f1, double *vals)
{
    vals[0] = *f1 = x1 * x1 + x2 * x2;
    vals[1] = (1 - x1) * (1 - x1) + x2 * x2;
    vals[2] = x1 * x1 + (1 - x2) * (1 - x2);
}

static void three_run(uint64_t seed, double *out)
{
    es_param p[2];
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_objective obj[3] = {{.name = (char *)"f1", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE},
                           {.name = (char *)"f2", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE},
                           {.name = (char *)"f3", .kind = ES_OBJ_METRIC, .goal = ES_GOAL_MINIMIZE}};
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec.objectives = obj;
    spec.n_objectives = 3;
    spec.metric_name = (char *)"f1";
    spec.parallel = 4;
    st_run_batches(&spec, seed, 32, three_trial, out);
}

ES_TEST(ehvi3_batches_distinct_and_deterministic)
{
    double a[64], b[64];
    three_run(5, a);
    three_run(5, b);
    for (int i = 0; i < 64; i++)
        ES_CHECK(a[i] == b[i]);
}
