/*
 * test_warm.c -- warm start from earlier sweeps (search/prior.c, through
 * es_search_warm): the design starts at the earlier sweeps' best, a sweep
 * of a moved and rescaled objective gets ahead of a cold one, a misleading
 * earlier sweep costs only a few trials and loses its weight, rows that do
 * not fit the space are refused, partial knowledge is used, suggestions
 * stay deterministic, and random search ignores it all.
 */
#include <errno.h>

#include "bayes_int.h"
#include "bench_functions.h"
#include "search_test.h"

/* Branin's box, and a bayes spec of it (the first n of p; borrowed). */
static void warm_params(es_param p[2])
{
    const double lo[2] = {-5, 0}, hi[2] = {10, 15};
    bf_params(p, 2, lo, hi);
}

static es_spec warm_spec(es_param *p, size_t n)
{
    es_spec spec = st_spec(ES_METHOD_BAYES, p, n);
    spec.metric_name = (char *)"loss";
    return spec;
}

static double warm_branin(const es_value *v)
{
    return bf_branin(es_value_number(&v[0]), es_value_number(&v[1]));
}

/* Branin moved by 0.6 in x1 and 0.4 in x2 (its minima stay inside),
 * scaled by 3 and offset by 40: related to Branin, not the same. */
static double warm_moved(const es_value *v)
{
    return 3.0 * bf_branin(es_value_number(&v[0]) - 0.6, es_value_number(&v[1]) - 0.4) + 40.0;
}

#define WARM_MOVED_MIN (3.0 * 0.39788735772973816 + 40.0)

typedef double (*warm_fn)(const es_value *v);

/* Run `trials` of bayes on f from seed, fed the earlier rows first (n of
 * them, 2 values each, objective ey); the best-so-far after each trial
 * into best (NULL: not wanted), the configurations into xs (NULL: not
 * wanted).  Returns the search (caller destroys). */
static es_search *warm_run(const es_spec *spec, uint64_t seed, int trials, warm_fn f,
                           const es_value *ev, const double *ey, int n, double *best, double *xs)
{
    es_search *s = NULL;
    es_err err = {0};
    unsigned char known[2] = {1, 1};
    ES_CHECK_INT(es_search_create(spec, seed, &s, &err), 0);
    for (int i = 0; i < n; i++)
        ES_CHECK_INT(es_search_warm(s, 0, ev + 2 * i, known, ey[i], NAN, &err), 0);
    double b = INFINITY;
    for (int i = 0; i < trials; i++) {
        es_value v[2] = {{0}};
        ES_CHECK_INT(es_search_suggest(s, (uint64_t)i, v, &err), 0);
        double y = f(v);
        b = fmin(b, y);
        if (best != NULL)
            best[i] = b;
        if (xs != NULL) {
            xs[2 * i] = es_value_number(&v[0]);
            xs[2 * i + 1] = es_value_number(&v[1]);
        }
        ES_CHECK_INT(es_search_observe(s, (uint64_t)i, v, ES_OBS_COMPLETED, y, NAN, &err), 0);
        es_value_clear(&v[0]);
        es_value_clear(&v[1]);
    }
    return s;
}

/* An earlier sweep: `n` trials of bayes on f, its configurations and
 * objectives into ev / ey. */
static void warm_earlier(const es_spec *spec, uint64_t seed, int n, warm_fn f, es_value *ev,
                         double *ey)
{
    double *xs = malloc(2 * (size_t)n * sizeof *xs);
    es_search_destroy(warm_run(spec, seed, n, f, NULL, NULL, 0, NULL, xs));
    for (int i = 0; i < n; i++) {
        ev[2 * i] = st_float(xs[2 * i]);
        ev[2 * i + 1] = st_float(xs[2 * i + 1]);
        ey[i] = f(&ev[2 * i]);
    }
    free(xs);
}

/* The first trial reaching `level` (trials when none does). */
static int warm_reach(const double *best, int trials, double level)
{
    for (int i = 0; i < trials; i++)
        if (best[i] <= level)
            return i + 1;
    return trials;
}

ES_TEST(warm_design_starts_at_the_earlier_best)
{
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[8];
    double ey[4] = {5.0, 0.5, 9.0, 2.0};
    const double xy[8] = {1, 1, 3, 2, -4, 14, 9, 3};
    for (int i = 0; i < 8; i++)
        ev[i] = st_float(xy[i]);
    double xs[4];
    es_search_destroy(warm_run(&spec, 7, 2, warm_branin, ev, ey, 4, NULL, xs));
    /* The best earlier trial, then the next best. */
    ES_CHECK_NEAR(xs[0], 3, 1e-12);
    ES_CHECK_NEAR(xs[1], 2, 1e-12);
    ES_CHECK_NEAR(xs[2], 9, 1e-12);
    ES_CHECK_NEAR(xs[3], 3, 1e-12);
    /* Maximizing: the largest first. */
    spec.goal = ES_GOAL_MAXIMIZE;
    es_search_destroy(warm_run(&spec, 7, 1, warm_branin, ev, ey, 4, NULL, xs));
    ES_CHECK_NEAR(xs[0], -4, 1e-12);
    ES_CHECK_NEAR(xs[1], 14, 1e-12);
}

ES_TEST(warm_related_sweep_gets_ahead_and_stays_deterministic)
{
    enum { EARLIER = 30, TRIALS = 25, SEEDS = 5 };
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[2 * EARLIER];
    double ey[EARLIER], cold[TRIALS], warm[TRIALS], again[TRIALS];
    int ahead = 0, sum_cold = 0, sum_warm = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
        warm_earlier(&spec, 100 + (uint64_t)seed, EARLIER, warm_branin, ev, ey);
        es_search_destroy(
            warm_run(&spec, (uint64_t)seed, TRIALS, warm_moved, NULL, NULL, 0, cold, NULL));
        es_search_destroy(
            warm_run(&spec, (uint64_t)seed, TRIALS, warm_moved, ev, ey, EARLIER, warm, NULL));
        es_search_destroy(
            warm_run(&spec, (uint64_t)seed, TRIALS, warm_moved, ev, ey, EARLIER, again, NULL));
        for (int i = 0; i < TRIALS; i++)
            ES_CHECK(warm[i] == again[i]);
        /* What the cold sweep had after 10 trials: the warm one gets
         * there sooner. */
        int c = 10, w = warm_reach(warm, TRIALS, cold[9]);
        ahead += w < c;
        sum_cold += c;
        sum_warm += w;
    }
    ES_CHECK(ahead >= SEEDS - 1);
    ES_CHECK(2 * sum_warm <= sum_cold);
}

ES_TEST(warm_misleading_sweep_costs_a_few_trials_and_loses_its_weight)
{
    enum { EARLIER = 30, TRIALS = 30, SEEDS = 5 };
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[2 * EARLIER];
    double ey[EARLIER], cold[TRIALS], warm[TRIALS];
    int sum_cold = 0, sum_warm = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
        /* The earlier sweep maximized Branin: its best are Branin's worst. */
        warm_earlier(&spec, 200 + (uint64_t)seed, EARLIER, warm_branin, ev, ey);
        for (int i = 0; i < EARLIER; i++)
            ey[i] = -ey[i];
        es_search_destroy(
            warm_run(&spec, (uint64_t)seed, TRIALS, warm_branin, NULL, NULL, 0, cold, NULL));
        es_search *s =
            warm_run(&spec, (uint64_t)seed, TRIALS, warm_branin, ev, ey, EARLIER, warm, NULL);
        ES_CHECK(es_search_warm_weight(s, 0) == 0.0);
        es_search_destroy(s);
        sum_cold += warm_reach(cold, TRIALS, 0.39788735772973816 + 0.05);
        sum_warm += warm_reach(warm, TRIALS, 0.39788735772973816 + 0.05);
    }
    /* At most four trials more a sweep, on average. */
    ES_CHECK(sum_warm <= sum_cold + 4 * SEEDS);
}

ES_TEST(warm_refuses_rows_that_do_not_fit_and_uses_partial_ones)
{
    es_param p[3];
    warm_params(p);
    p[2] = st_param("opt", ES_DIST_CONSTANT);
    p[2].value = st_str("adam");
    es_spec spec = warm_spec(p, 3);
    es_search *s = NULL;
    es_err err = {0};
    ES_CHECK_INT(es_search_create(&spec, 3, &s, &err), 0);
    es_value v[3] = {{0}};
    unsigned char all[3] = {1, 1, 1}, x1_only[3] = {1, 0, 0};
    v[0] = st_float(2.0);
    v[1] = st_float(20.0); /* past x2's max of 15 */
    v[2] = st_str("adam");
    ES_CHECK_INT(es_search_warm(s, 0, v, all, 1.0, NAN, &err), 1);
    v[1] = st_float(3.0);
    v[2] = st_str("sgd"); /* another program: the constant differs */
    ES_CHECK_INT(es_search_warm(s, 0, v, all, 1.0, NAN, &err), 1);
    v[2] = st_str("adam");
    ES_CHECK_INT(es_search_warm(s, 0, v, all, NAN, NAN, &err), 1);
    ES_CHECK_INT(es_search_warm(s, 0, v, all, 1.0, NAN, &err), 0);
    /* A group's rows know the same parameters. */
    ES_CHECK_INT(es_search_warm(s, 0, v, x1_only, 1.0, NAN, &err), 1);
    ES_CHECK_INT(es_search_warm(s, ES_SEARCH_WARM_GROUPS, v, all, 1.0, NAN, &err), -EINVAL);
    /* Group 1 knew x1 only: its best x1 with the design's x2. */
    v[0] = st_float(-3.0);
    ES_CHECK_INT(es_search_warm(s, 1, v, x1_only, 0.5, NAN, &err), 0);
    v[0] = st_float(8.0);
    ES_CHECK_INT(es_search_warm(s, 1, v, x1_only, 0.1, NAN, &err), 0);
    ES_CHECK(es_search_warm_count(s, 0) == 1 && es_search_warm_count(s, 1) == 2);
    /* A row that knew nothing of this space does not fix what its group's
     * rows know: the next one sets it. */
    unsigned char only_constant[3] = {0, 0, 1};
    ES_CHECK_INT(es_search_warm(s, 2, v, only_constant, 1.0, NAN, &err), 1);
    ES_CHECK_INT(es_search_warm(s, 2, v, all, 1.0, NAN, &err), 0);
    /* Two earlier energies are too few to put at this sweep's level:
     * none is used. */
    es_value w[2] = {st_float(1.0), st_float(2.0)};
    unsigned char both[2] = {1, 1};
    es_search *few = NULL;
    es_spec two = warm_spec(p, 2);
    ES_CHECK_INT(es_search_create(&two, 3, &few, &err), 0);
    ES_CHECK_INT(es_search_warm(few, 0, w, both, 1.0, 100.0, &err), 0);
    w[0] = st_float(5.0);
    ES_CHECK_INT(es_search_warm(few, 0, w, both, 2.0, 200.0, &err), 0);
    double med, up;
    ES_CHECK_INT(es_search_forecast(few, w, &med, &up), -ENODATA);
    es_search_destroy(few);
    es_value out[3] = {{0}};
    ES_CHECK_INT(es_search_suggest(s, 0, out, &err), 0);
    ES_CHECK_NEAR(es_value_number(&out[0]), 2.0, 1e-12);
    ES_CHECK_NEAR(es_value_number(&out[1]), 3.0, 1e-12);
    for (int i = 0; i < 3; i++)
        es_value_clear(&out[i]);
    ES_CHECK_INT(es_search_suggest(s, 1, out, &err), 0);
    ES_CHECK_NEAR(es_value_number(&out[0]), 8.0, 1e-12);
    ES_CHECK(es_value_number(&out[1]) != 3.0);
    for (int i = 0; i < 3; i++)
        es_value_clear(&out[i]);
    es_search_destroy(s);

    /* Random search ignores it. */
    spec.method = ES_METHOD_RANDOM;
    ES_CHECK_INT(es_search_create(&spec, 3, &s, &err), 0);
    v[0] = st_float(2.0);
    ES_CHECK_INT(es_search_warm(s, 0, v, all, 1.0, NAN, &err), 1);
    es_search_destroy(s);
}

/* Trials handed over after a suggestion are learnt as if they had come
 * first: the earlier ones are not transformed twice. */
ES_TEST(warm_rows_added_late_count_as_if_given_first)
{
    enum { N = 12 };
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[2 * N];
    double ey[N];
    for (int i = 0; i < N; i++) {
        ev[2 * i] = st_float(-5.0 + 15.0 * i / N);
        ev[2 * i + 1] = st_float(15.0 * (N - i) / N);
        ey[i] = warm_branin(&ev[2 * i]) + 1000.0; /* far from 0: a second transform shows */
    }
    unsigned char known[2] = {1, 1};
    es_err err = {0};
    es_search *late = NULL, *first = NULL;
    ES_CHECK_INT(es_search_create(&spec, 5, &late, &err), 0);
    ES_CHECK_INT(es_search_create(&spec, 5, &first, &err), 0);
    for (int i = 0; i < N; i++)
        ES_CHECK_INT(es_search_warm(first, 0, ev + 2 * i, known, ey[i], NAN, &err), 0);
    for (int i = 0; i < N / 2; i++)
        ES_CHECK_INT(es_search_warm(late, 0, ev + 2 * i, known, ey[i], NAN, &err), 0);
    es_value a[2] = {{0}}, b[2] = {{0}};
    ES_CHECK_INT(es_search_suggest(late, 0, a, &err), 0);
    for (int i = N / 2; i < N; i++)
        ES_CHECK_INT(es_search_warm(late, 0, ev + 2 * i, known, ey[i], NAN, &err), 0);
    for (int k = 0; k < 2; k++)
        es_value_clear(&a[k]);
    for (uint64_t t = 0; t < 6; t++) {
        ES_CHECK_INT(es_search_suggest(late, t, a, &err), 0);
        ES_CHECK_INT(es_search_suggest(first, t, b, &err), 0);
        ES_CHECK(es_value_number(&a[0]) == es_value_number(&b[0]) &&
                 es_value_number(&a[1]) == es_value_number(&b[1]));
        ES_CHECK_INT(es_search_observe(late, t, a, ES_OBS_COMPLETED, warm_branin(a), NAN, &err), 0);
        ES_CHECK_INT(es_search_observe(first, t, b, ES_OBS_COMPLETED, warm_branin(b), NAN, &err),
                     0);
        for (int k = 0; k < 2; k++) {
            es_value_clear(&a[k]);
            es_value_clear(&b[k]);
        }
    }
    es_search_destroy(late);
    es_search_destroy(first);
}

/* Energy of a configuration of Branin's box: 100 J to 1000 J with x1. */
static double warm_joules(const es_value *v)
{
    return 100.0 * (1.0 + 9.0 * (es_value_number(&v[0]) + 5.0) / 15.0);
}

#define WARM_EARLIER 30

/* A search of spec from seed fed an earlier bayes sweep (from
 * earlier_seed, WARM_EARLIER trials on Branin, their configurations into
 * ev) with its energies times scale (NAN: none measured); the earlier
 * best's row into *best when not NULL. */
static es_search *warm_fed(const es_spec *spec, uint64_t earlier_seed, uint64_t seed, double scale,
                           es_value *ev, size_t *best)
{
    double ey[WARM_EARLIER];
    warm_earlier(spec, earlier_seed, WARM_EARLIER, warm_branin, ev, ey);
    unsigned char known[2] = {1, 1};
    es_err err = {0};
    es_search *s = NULL;
    ES_CHECK_INT(es_search_create(spec, seed, &s, &err), 0);
    size_t b = 0;
    for (int i = 0; i < WARM_EARLIER; i++) {
        double j = isnan(scale) ? NAN : scale * warm_joules(ev + 2 * i);
        ES_CHECK_INT(es_search_warm(s, 0, ev + 2 * i, known, ey[i], j, &err), 0);
        b = ey[i] < ey[b] ? (size_t)i : b;
    }
    if (best != NULL)
        *best = b;
    return s;
}

/* The earlier sweeps' energies, as they are, forecast this sweep's from
 * its first trial: a budget is kept then, where a cold start can only
 * run a trial to find out. */
ES_TEST(warm_energies_judge_the_budget_from_the_first_trial)
{
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[2 * WARM_EARLIER];
    es_err err = {0};
    es_search *warm = warm_fed(&spec, 11, 3, 1.0, ev, NULL);
    es_search *cold = warm_fed(&spec, 11, 3, NAN, ev, NULL);
    es_value cheap[2] = {st_float(-4.0), st_float(7.0)}, dear[2] = {st_float(9.0), st_float(7.0)};
    double med, up;
    ES_CHECK_INT(es_search_forecast(cold, cheap, &med, &up), -ENODATA);
    ES_CHECK_INT(es_search_forecast(warm, cheap, &med, &up), 0);
    ES_CHECK(fabs(med - warm_joules(cheap)) < 0.25 * warm_joules(cheap) && up >= med);
    ES_CHECK_INT(es_search_forecast(warm, dear, &med, &up), 0);
    ES_CHECK(fabs(med - warm_joules(dear)) < 0.25 * warm_joules(dear));
    /* 400 J left of 2,000: the suggestions fit, from the first. */
    double left = 400.0;
    for (uint64_t t = 0; t < 4; t++) {
        es_search_set_energy_budget(warm, left, 2000.0);
        es_value v[2] = {{0}};
        ES_CHECK_INT(es_search_suggest(warm, t, v, &err), 0);
        double j = warm_joules(v);
        /* The first, unforecast in a cold start, within what is left; the
         * later ones within their forecast's error of it. */
        ES_CHECK(j <= (t == 0 ? 1.0 : 1.1) * left);
        left -= j / 4.0; /* a little spent each time */
        ES_CHECK_INT(es_search_observe(warm, t, v, ES_OBS_COMPLETED, warm_branin(v), j, &err), 0);
        es_value_clear(&v[0]);
        es_value_clear(&v[1]);
    }
    es_search_destroy(warm);
    es_search_destroy(cold);
}

/* Earlier energies a tenth of this sweep's (a program made slower, other
 * watts): one trial of its own puts them at its level.  And with a budget
 * they fit, the first trials are still the earlier best. */
ES_TEST(warm_energies_take_this_sweeps_level_and_keep_the_warm_design)
{
    es_param p[2];
    warm_params(p);
    es_spec spec = warm_spec(p, 2);
    es_value ev[2 * WARM_EARLIER];
    es_err err = {0};
    size_t best;
    es_search *s = warm_fed(&spec, 12, 4, 0.1, ev, &best);
    es_search_set_energy_budget(s, 1e6, 1e6);
    es_value v[2] = {{0}};
    ES_CHECK_INT(es_search_suggest(s, 0, v, &err), 0);
    ES_CHECK(es_value_number(&v[0]) == es_value_number(&ev[2 * best]) &&
             es_value_number(&v[1]) == es_value_number(&ev[2 * best + 1]));
    ES_CHECK_INT(es_search_observe(s, 0, v, ES_OBS_COMPLETED, warm_branin(v), warm_joules(v), &err),
                 0);
    es_value_clear(&v[0]);
    es_value_clear(&v[1]);
    es_value dear[2] = {st_float(9.0), st_float(7.0)};
    double med, up;
    ES_CHECK_INT(es_search_forecast(s, dear, &med, &up), 0);
    ES_CHECK(fabs(med - warm_joules(dear)) < 0.3 * warm_joules(dear));
    es_search_destroy(s);
}
