/*
 * test_fidelity.c -- model-based multi-fidelity (search/fidelity.c, through
 * es_search_observe_levels): while few trials have completed the surrogate
 * learns the highest level of the schedule that enough finished trials
 * reached, each of them exactly, a trial stopped below it carried up by the
 * line through the trials that reached both and floored at the median;
 * then the results; the goal's sign; a failure is still the worst; the
 * levels fed late (a resumed sweep) give the same suggestions; random
 * search ignores them.
 */
#include <errno.h>

#include "bayes_int.h"
#include "search_test.h"

static es_spec fid_spec(es_param *p)
{
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 1);
    spec.metric_name = (char *)"loss";
    return spec;
}

static void fid_observe(es_model *m, uint64_t i, es_obs_status st, double f, const double *lv,
                        size_t n)
{
    es_value v = st_float(0.05 + 0.1 * (double)i);
    ES_CHECK_INT(es_model_observe(m, i, &v, st, f, NAN), 0);
    if (n > 0)
        ES_CHECK_INT(es_model_observe_levels(m, i, lv, n), 0);
}

/* The model's objective, fitted now, learnt level `level` with these
 * targets (in the minimized sign, in completion order). */
static void check_targets(es_model *m, int level, const double *want, size_t n)
{
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    ES_CHECK_INT(m->fid_level, level);
    const es_surrogate *o = &m->objective;
    ES_CHECK_INT(o->n_train, n);
    for (size_t i = 0; i < n; i++) {
        double got = es_surrogate_target(o, o->yt[i]);
        if (fabs(got - want[i]) > 1e-9)
            ES_FAIL("trial %zu: target %g, want %g", i, got, want[i]);
    }
}

#define LV(...)                                                                                    \
    (const double[]){__VA_ARGS__}, sizeof((const double[]){__VA_ARGS__}) / sizeof(double)

/* One searched parameter: a level needs max(4, 1 + 2) = 4 finished trials. */
ES_TEST(fidelity_targets_at_the_level)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    for (int maximize = 0; maximize <= 1; maximize++) {
        double s = maximize ? -1 : 1;
        spec.goal = maximize ? ES_GOAL_MAXIMIZE : ES_GOAL_MINIMIZE;
        es_model *m = NULL;
        ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
        /* Four trials reached level 1, b = 2a + 1; with trial 9's 2.5, the
         * median of the exact values there is 5. */
        for (uint64_t i = 0; i < 4; i++) {
            double a = (double)i + 1;
            fid_observe(m, i, ES_OBS_PRUNED, s * (2 * a + 1), LV(s * a, s * (2 * a + 1)));
        }
        /* Stopped at level 0: carried up the line, floored at the median. */
        fid_observe(m, 4, ES_OBS_PRUNED, s * 0.5, LV(s * 0.5));    /* 2 -> 5 */
        fid_observe(m, 5, ES_OBS_PRUNED, s * 5, LV(s * 5));        /* 11 */
        fid_observe(m, 6, ES_OBS_FAILED, NAN, NULL, 0);            /* the worst: 11 */
        fid_observe(m, 7, ES_OBS_COMPLETED, s * 4, NULL, 0);       /* its result: 4 */
        fid_observe(m, 8, ES_OBS_PRUNED, s * 8, NULL, 0);          /* no levels: 8 */
        fid_observe(m, 9, ES_OBS_PRUNED, s * 3, LV(NAN, s * 2.5)); /* exact: 2.5 */
        fid_observe(m, 10, ES_OBS_PRUNED, s * 3, LV(s * 2, NAN));  /* 5 */
        check_targets(m, 1, (const double[]){3, 5, 7, 9, 5, 11, 11, 4, 8, 2.5, 5}, 11);
        es_model_destroy(m);
    }
}

/* The line needs three trials with both levels and a rising slope; else
 * the median of their differences carries; with none, the value as it
 * is.  The level with enough trials is the highest such, not the last. */
ES_TEST(fidelity_carry_without_a_line)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    /* Level 0 reached by all; level 1 by two (too few: level 0 it is). */
    fid_observe(m, 0, ES_OBS_PRUNED, 1, LV(1, 2));
    fid_observe(m, 1, ES_OBS_PRUNED, 2, LV(2, 5));
    fid_observe(m, 2, ES_OBS_PRUNED, 3, LV(3));
    fid_observe(m, 3, ES_OBS_PRUNED, 4, LV(4));
    check_targets(m, 0, (const double[]){1, 2, 3, 4}, 4);
    /* Two more reach level 1 (four now), falling: the median shift. */
    fid_observe(m, 4, ES_OBS_PRUNED, 4, LV(5, 4));
    fid_observe(m, 5, ES_OBS_PRUNED, 1, LV(6, 1));
    fid_observe(m, 6, ES_OBS_PRUNED, 1, LV(9));
    /* Differences 1, 3, -1, -5: shift 0; the floor, the median of level
     * 1 (1, 2, 4, 5): 3. */
    check_targets(m, 1, (const double[]){2, 5, 3, 4, 4, 1, 9}, 7);
    es_model_destroy(m);
}

/* Once max(4, k + 2) trials have completed the results are the target,
 * pruned trials carried to them from their highest level. */
ES_TEST(fidelity_results_once_enough_completed)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    for (uint64_t i = 0; i < 4; i++) /* final = level 0 + 10 */
        fid_observe(m, i, ES_OBS_COMPLETED, (double)i + 11, LV((double)i + 1));
    fid_observe(m, 4, ES_OBS_PRUNED, 20, LV(20));   /* 30 */
    fid_observe(m, 5, ES_OBS_PRUNED, 0.5, LV(0.5)); /* 10.5 -> median 12.5 */
    check_targets(m, ES_SEARCH_LEVEL_FINAL, (const double[]){11, 12, 13, 14, 30, 12.5}, 6);
    es_model_destroy(m);
}

static void clear_pair(es_value *v)
{
    es_value_clear(&v[0]);
    es_value_clear(&v[1]);
}

/* Through search.h: the level a suggestion learnt from, refused levels,
 * and a search fed every trial's levels after all its ends (a resumed
 * sweep) suggesting what one fed them as each trial ended did. */
ES_TEST(fidelity_search_level_and_resume)
{
    es_param p[2];
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_spec spec = st_spec(ES_METHOD_BAYES, p, 2);
    spec.metric_name = (char *)"loss";
    es_err err = {0};
    es_search *a = NULL, *b = NULL;
    ES_CHECK_INT(es_search_create(&spec, 7, &a, &err), 0);
    ES_CHECK_INT(es_search_create(&spec, 7, &b, &err), 0);
    ES_CHECK_INT(es_search_fidelity_level(a), -1);
    double lv[2] = {1, 2};
    ES_CHECK_INT(es_search_observe_levels(a, 99, lv, 2, &err), -ENOENT);
    ES_CHECK_INT(es_search_observe_levels(a, 0, NULL, 1, &err), -EINVAL);
    es_value v[2];
    double xs[24][2], ys[24][2];
    int n = 24;
    for (int i = 0; i < n; i++) {
        ES_CHECK_INT(es_search_suggest(a, (uint64_t)i, v, &err), 0);
        /* Suggestion i learnt from trials 0 .. i-1: none in the design
         * (5 trials), then level 0 (every trial has it), then level 1
         * once four reached it (i / 3 of them). */
        int want = i < 5 ? -1 : i / 3 >= 4 ? 1 : 0;
        if (es_search_fidelity_level(a) != want)
            ES_FAIL("suggestion %d learnt level %d, want %d", i, es_search_fidelity_level(a), want);
        double x1 = es_value_number(&v[0]), x2 = es_value_number(&v[1]);
        xs[i][0] = x1;
        xs[i][1] = x2;
        double f = (x1 - 0.7) * (x1 - 0.7) + (x2 - 0.3) * (x2 - 0.3);
        ys[i][0] = f + 0.5; /* level 0 */
        ys[i][1] = f + 0.2; /* level 1 */
        int full = i % 6 == 5, top = i % 3 == 2;
        ES_CHECK_INT(es_search_observe(a, (uint64_t)i, v, full ? ES_OBS_COMPLETED : ES_OBS_PRUNED,
                                       full  ? f
                                       : top ? ys[i][1]
                                             : ys[i][0],
                                       NAN, &err),
                     0);
        ES_CHECK_INT(es_search_observe_levels(a, (uint64_t)i, ys[i], full || top ? 2 : 1, &err), 0);
        clear_pair(v);
    }
    /* b: the same trials, their levels only after every end. */
    for (int i = 0; i < n; i++) {
        es_value w[2] = {st_float(xs[i][0]), st_float(xs[i][1])};
        double f = ys[i][1] - 0.2;
        int full = i % 6 == 5, top = i % 3 == 2;
        ES_CHECK_INT(es_search_observe(b, (uint64_t)i, w, full ? ES_OBS_COMPLETED : ES_OBS_PRUNED,
                                       full  ? f
                                       : top ? ys[i][1]
                                             : ys[i][0],
                                       NAN, &err),
                     0);
    }
    for (int i = 0; i < n; i++) {
        int full = i % 6 == 5, top = i % 3 == 2;
        ES_CHECK_INT(es_search_observe_levels(b, (uint64_t)i, ys[i], full || top ? 2 : 1, &err), 0);
    }
    es_value va[2], vb[2];
    ES_CHECK_INT(es_search_suggest(a, (uint64_t)n, va, &err), 0);
    ES_CHECK_INT(es_search_suggest(b, (uint64_t)n, vb, &err), 0);
    ES_CHECK_NEAR(es_value_number(&va[0]), es_value_number(&vb[0]), 0);
    ES_CHECK_NEAR(es_value_number(&va[1]), es_value_number(&vb[1]), 0);
    ES_CHECK_INT(es_search_fidelity_level(a), ES_SEARCH_LEVEL_FINAL); /* four completed */
    ES_CHECK_INT(es_search_fidelity_level(b), ES_SEARCH_LEVEL_FINAL);
    clear_pair(va);
    clear_pair(vb);
    es_search_destroy(a);
    es_search_destroy(b);
}

/* Random search takes levels and suggests as it would without them. */
ES_TEST(fidelity_random_ignores_levels)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    spec.method = ES_METHOD_RANDOM;
    es_err err = {0};
    es_search *a = NULL, *b = NULL;
    ES_CHECK_INT(es_search_create(&spec, 3, &a, &err), 0);
    ES_CHECK_INT(es_search_create(&spec, 3, &b, &err), 0);
    for (uint64_t i = 0; i < 8; i++) {
        es_value va = {0}, vb = {0};
        ES_CHECK_INT(es_search_suggest(a, i, &va, &err), 0);
        ES_CHECK_INT(es_search_suggest(b, i, &vb, &err), 0);
        ES_CHECK_NEAR(es_value_number(&va), es_value_number(&vb), 0);
        ES_CHECK_INT(es_search_observe(a, i, &va, ES_OBS_PRUNED, 1, NAN, &err), 0);
        ES_CHECK_INT(es_search_observe(b, i, &vb, ES_OBS_PRUNED, 1, NAN, &err), 0);
        ES_CHECK_INT(
            es_search_observe_levels(a, i, (const double[]){es_value_number(&va)}, 1, &err), 0);
        ES_CHECK_INT(es_search_fidelity_level(a), -1);
        es_value_clear(&va);
        es_value_clear(&vb);
    }
    es_search_destroy(a);
    es_search_destroy(b);
}

/* A trial with no finite result (completed as NaN: a run that diverged;
 * pruned on a NaN) is imputed as the worst, not carried from its levels. */
ES_TEST(fidelity_no_result_is_the_worst)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    for (uint64_t i = 0; i < 4; i++)
        fid_observe(m, i, ES_OBS_COMPLETED, (double)i + 11, LV((double)i + 1));
    fid_observe(m, 4, ES_OBS_COMPLETED, NAN, LV(0.5)); /* not 10.5 */
    fid_observe(m, 5, ES_OBS_PRUNED, NAN, LV(0.5));    /* not 12.5 */
    check_targets(m, ES_SEARCH_LEVEL_FINAL, (const double[]){11, 12, 13, 14, 14, 14}, 6);
    es_model_destroy(m);
}

/* With constraints (or several objectives) levels are of another number
 * than the surrogate's target: not used; a pruned trial counts as it did
 * before levels, at the worse of its last value and the median. */
ES_TEST(fidelity_levels_unused_with_constraints)
{
    es_param p[1];
    es_spec spec = fid_spec(p);
    es_constraint c = {.name = (char *)"mem", .has_max = 1, .max = 1};
    spec.constraints = &c;
    spec.n_constraints = 1;
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    for (uint64_t i = 0; i < 4; i++)
        fid_observe(m, i, ES_OBS_COMPLETED, (double)i + 11, LV((double)i + 1));
    fid_observe(m, 4, ES_OBS_PRUNED, 20, LV(0.5)); /* carried, it would be 12.5 */
    check_targets(m, ES_SEARCH_LEVEL_FINAL, (const double[]){11, 12, 13, 14, 20}, 5);
    es_model_destroy(m);
}
