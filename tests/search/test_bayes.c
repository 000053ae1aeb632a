/*
 * test_bayes.c -- the Bayesian search as a sweep sees it, through
 * search.h: it finds the minimum of Branin and beats random search on
 * Hartmann6, maximizes when told to, is deterministic (also for a search
 * rebuilt from the same observations), spreads pending trials, avoids what
 * failed, learns from pruned trials as partial observations, keeps every
 * suggestion within the energy budget and says so when nothing fits, and
 * forecasts energy for every method.
 */
#include <errno.h>

#include "bayes_int.h"
#include "bench_functions.h"
#include "rng.h"
#include "search_test.h"

/* x1, x2 uniform on [0, 1]; energy grows with x1 (100 J to 1000 J); the
 * objective's minimum (x1 = 0.7, x2 = 0.3) is not the cheapest point. */
static void unit_params(es_param p[2])
{
    p[0] = st_param("x1", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("x2", ES_DIST_UNIFORM);
    p[1].max = 1;
}

static double unit_objective(const es_value *v)
{
    double a = es_value_number(&v[0]) - 0.7, b = es_value_number(&v[1]) - 0.3;
    return a * a + b * b;
}

static double unit_energy(const es_value *v)
{
    return 100.0 * (1.0 + 9.0 * es_value_number(&v[0]));
}

static es_spec bayes_spec(es_param *p, size_t n)
{
    es_spec spec = st_spec(ES_METHOD_BAYES, p, n);
    spec.metric_name = (char *)"loss";
    return spec;
}

static es_search *bayes_make(const es_spec *spec, uint64_t seed)
{
    es_search *s = NULL;
    es_err err = {0};
    if (es_search_create(spec, seed, &s, &err) != 0)
        ES_FAIL("es_search_create: %s", err.msg);
    return s;
}

/* Suggest trial i into v (n values); fail the test on an error. */
static void bayes_suggest(es_search *s, uint64_t i, es_value *v)
{
    es_err err = {0};
    int rc = es_search_suggest(s, i, v, &err);
    if (rc != 0)
        ES_FAIL("es_search_suggest(%llu): %d: %s", (unsigned long long)i, rc, err.msg);
}

static void bayes_observe(es_search *s, uint64_t i, const es_value *v, es_obs_status st, double f,
                          double e)
{
    es_err err = {0};
    ES_CHECK_INT(es_search_observe(s, i, v, st, f, e, &err), 0);
}

static void clear_values(es_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        es_value_clear(&v[i]);
}

/* Run the first n trials of the unit problem to completion, with energy. */
static void unit_warm_up(es_search *s, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        bayes_observe(s, i, v, ES_OBS_COMPLETED, unit_objective(v), unit_energy(v));
        clear_values(v, 2);
    }
}

ES_TEST(bayes_branin_regret)
{
    double best[30];
    ES_CHECK_INT(bf_run(ES_METHOD_BAYES, 2, 1, 30, best), 0);
    ES_CHECK(best[29] - BF_BRANIN_MIN < 0.05);
}

ES_TEST(bayes_hartmann6_beats_random)
{
    double bayes[50], random[50];
    ES_CHECK_INT(bf_run(ES_METHOD_BAYES, 6, 1, 50, bayes), 0);
    ES_CHECK_INT(bf_run(ES_METHOD_RANDOM, 6, 1, 50, random), 0);
    ES_CHECK(bayes[49] - BF_HARTMANN6_MIN < 0.5);
    ES_CHECK(bayes[49] < random[49] - 0.3);
}

ES_TEST(bayes_maximize_goal)
{
    double best[30];
    ES_CHECK_INT(bf_run_goal(ES_METHOD_BAYES, 2, 2, 30, ES_GOAL_MAXIMIZE, best), 0);
    ES_CHECK(best[29] - BF_BRANIN_MIN < 0.05);
}

ES_TEST(bayes_values_stay_within_their_bounds)
{
    /* Maximizing lr itself drives the search to the bound: exp(log(0.3))
     * decoded to 0.30000000000000004, which reached the program. */
    es_param p[2];
    p[0] = st_param("lr", ES_DIST_LOG_UNIFORM_VALUES);
    p[0].min = 1e-4;
    p[0].max = 0.3;
    p[1] = st_param("m", ES_DIST_UNIFORM);
    p[1].min = 0.1;
    p[1].max = 0.7;
    es_spec spec = bayes_spec(p, 2);
    spec.goal = ES_GOAL_MAXIMIZE;
    es_search *s = bayes_make(&spec, 2);
    int at_max = 0;
    for (uint64_t i = 0; i < 25; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        double lr = es_value_number(&v[0]), m = es_value_number(&v[1]);
        if (!(lr >= 1e-4 && lr <= 0.3 && m >= 0.1 && m <= 0.7))
            ES_FAIL("trial %llu: lr %.17g, m %.17g outside their bounds", (unsigned long long)i, lr,
                    m);
        at_max += lr == 0.3;
        bayes_observe(s, i, v, ES_OBS_COMPLETED, lr + m, NAN);
        clear_values(v, 2);
    }
    ES_CHECK(at_max > 0); /* it got there */
    es_search_destroy(s);
}

ES_TEST(bayes_quantized_values_are_the_parameters_values)
{
    /* q_uniform on [0.1, 0.95] with q 0.2 draws 0.2 .. 1.0 (W&B: round(X /
     * q) * q).  At the lower bound, 0.1 / 0.2 ties and rounded to even:
     * 0.0, which the search, minimizing x, proposed in 13 of 30 trials. */
    es_param p[1];
    p[0] = st_param("x", ES_DIST_Q_UNIFORM);
    p[0].min = 0.1;
    p[0].max = 0.95;
    p[0].q = 0.2;
    es_spec spec = bayes_spec(p, 1);
    es_search *s = bayes_make(&spec, 4);
    int lowest = 0;
    uint64_t i;
    for (i = 0; i < 12; i++) {
        es_value v[1] = {{0}};
        es_err err = {0};
        int rc = es_search_suggest(s, i, v, &err);
        if (rc == ES_EEXHAUSTED)
            break; /* all five values tried */
        ES_CHECK_INT(rc, 0);
        double x = es_value_number(&v[0]);
        if (!(x > 0.15 && x < 1.05))
            ES_FAIL("trial %llu: x %.17g is not a value of the parameter", (unsigned long long)i,
                    x);
        lowest += fabs(x - 0.2) < 1e-12;
        bayes_observe(s, i, v, ES_OBS_COMPLETED, x, NAN);
        clear_values(v, 1);
    }
    ES_CHECK(lowest > 0); /* and it found the lowest one */
    ES_CHECK_INT(i, 5);
    es_search_destroy(s);
}

ES_TEST(bayes_deterministic_and_history_free)
{
    /* Two searches fed identically suggest identically; a third, created
     * afterwards and fed the same observations at once (a resumed sweep),
     * suggests what the first suggests next. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    es_search *a = bayes_make(&spec, 42), *b = bayes_make(&spec, 42), *c = bayes_make(&spec, 42);
    es_value hist[25][2];
    for (uint64_t i = 0; i < 25; i++) {
        es_value w[2] = {{0}};
        bayes_suggest(a, i, hist[i]);
        bayes_suggest(b, i, w);
        ES_CHECK(st_value_eq(&hist[i][0], &w[0]) && st_value_eq(&hist[i][1], &w[1]));
        double f = unit_objective(hist[i]);
        bayes_observe(a, i, hist[i], ES_OBS_COMPLETED, f, unit_energy(hist[i]));
        bayes_observe(b, i, w, ES_OBS_COMPLETED, f, unit_energy(w));
        clear_values(w, 2);
    }
    for (uint64_t i = 0; i < 25; i++)
        bayes_observe(c, i, hist[i], ES_OBS_COMPLETED, unit_objective(hist[i]),
                      unit_energy(hist[i]));
    es_value va[2] = {{0}}, vc[2] = {{0}};
    bayes_suggest(a, 25, va);
    bayes_suggest(c, 25, vc);
    ES_CHECK(st_value_eq(&va[0], &vc[0]) && st_value_eq(&va[1], &vc[1]));
    /* Another seed goes elsewhere. */
    es_search *d = bayes_make(&spec, 43);
    es_value vd[2] = {{0}};
    bayes_suggest(d, 0, vd);
    ES_CHECK(!st_value_eq(&hist[0][0], &vd[0]));
    clear_values(va, 2);
    clear_values(vc, 2);
    clear_values(vd, 2);
    for (int i = 0; i < 25; i++)
        clear_values(hist[i], 2);
    es_search_destroy(a);
    es_search_destroy(b);
    es_search_destroy(c);
    es_search_destroy(d);
}

static es_value ab_choices[2] = {{.kind = ES_V_STR, .s = (char *)"a"},
                                 {.kind = ES_V_STR, .s = (char *)"b"}};

ES_TEST(bayes_pending_not_duplicated_small_space)
{
    /* Six configurations in all: six pending suggestions are all of them,
     * and a seventh is refused as exhausted (it repeated one, spending a
     * trial's energy on a result already known or coming). */
    es_param p[2];
    p[0] = st_choice("opt", ab_choices, 2);
    p[1] = st_param("layers", ES_DIST_INT_UNIFORM);
    p[1].min = 1;
    p[1].max = 3;
    es_spec spec = bayes_spec(p, 2);
    spec.parallel = 8;
    es_search *s = bayes_make(&spec, 7);
    int seen[2][3] = {{0}};
    for (uint64_t i = 0; i < 6; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        ES_CHECK_INT(v[1].kind, ES_V_INT);
        int k = strcmp(v[0].s, "a") == 0 ? 0 : 1;
        ES_CHECK_INT(seen[k][v[1].i - 1], 0);
        seen[k][v[1].i - 1] = 1;
        bayes_observe(s, i, v, ES_OBS_PENDING, NAN, NAN);
        clear_values(v, 2);
    }
    es_value v[2] = {{0}};
    es_err err = {0};
    ES_CHECK_INT(es_search_suggest(s, 6, v, &err), ES_EEXHAUSTED);
    ES_CHECK_STR(err.msg, "search space exhausted (6 configurations, every one tried)");
    /* Trial 5 asked again (a lost trial's rerun): its own pending
     * configuration does not count, so it is the one left. */
    bayes_suggest(s, 5, v);
    clear_values(v, 2);
    es_search_destroy(s);
}

/* A space with a continuous parameter never runs out; a discrete one
 * whose trials failed is still exhausted (each configuration was tried). */
ES_TEST(bayes_exhausted_only_when_every_configuration_was_tried)
{
    es_param p[2];
    p[0] = st_choice("opt", ab_choices, 2);
    p[1] = st_param("lr", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_spec spec = bayes_spec(p, 2);
    es_search *s = bayes_make(&spec, 3);
    for (uint64_t i = 0; i < 12; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        bayes_observe(s, i, v, ES_OBS_COMPLETED, (double)i, NAN);
        clear_values(v, 2);
    }
    es_search_destroy(s);
    p[1] = st_param("flag", ES_DIST_CONSTANT);
    p[1].value = ab_choices[0];
    s = bayes_make(&spec, 3);
    for (uint64_t i = 0; i < 2; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        bayes_observe(s, i, v, ES_OBS_FAILED, NAN, NAN);
        clear_values(v, 2);
    }
    es_value v[2] = {{0}};
    es_err err = {0};
    ES_CHECK_INT(es_search_suggest(s, 2, v, &err), ES_EEXHAUSTED);
    es_search_destroy(s);
}

/* Suggest until the search says the space is exhausted (at most cap
 * trials), every suggestion completed; the number it stopped at, and
 * whether any configuration came twice. */
static uint64_t run_until_exhausted(const es_spec *spec, uint64_t cap, int *repeated)
{
    es_search *s = bayes_make(spec, 7);
    es_value seen[16][2];
    uint64_t i;
    *repeated = 0;
    ES_CHECK(cap <= 16 && spec->n_params == 2);
    for (i = 0; i < cap; i++) {
        es_err err = {0};
        int rc = es_search_suggest(s, i, seen[i], &err);
        if (rc == ES_EEXHAUSTED)
            break;
        ES_CHECK_INT(rc, 0);
        for (uint64_t k = 0; k < i; k++)
            *repeated |=
                st_value_eq(&seen[k][0], &seen[i][0]) && st_value_eq(&seen[k][1], &seen[i][1]);
        bayes_observe(s, i, seen[i], ES_OBS_COMPLETED, es_value_number(&seen[i][1]), NAN);
    }
    for (uint64_t k = 0; k < i; k++)
        clear_values(seen[k], 2);
    es_search_destroy(s);
    return i;
}

/* A value listed twice is one configuration: 0.1 twice beside 0.5, times
 * two values of y, is 4, not 6.  The duplicate's one-hot dimension was
 * never observed, so the search went back to (0.1, ...) for ever and the
 * space never counted as exhausted. */
ES_TEST(bayes_counts_a_value_listed_twice_once)
{
    static es_value xs[3], ys[2];
    xs[0] = xs[1] = st_float(0.1);
    xs[2] = st_float(0.5);
    ys[0] = st_float(0.0);
    ys[1] = st_float(0.4);
    es_param p[2] = {st_choice("x", xs, 3), st_choice("y", ys, 2)};
    es_spec spec = bayes_spec(p, 2);
    int repeated;
    ES_CHECK_INT(run_until_exhausted(&spec, 10, &repeated), 4);
    ES_CHECK(!repeated);
}

/* q_uniform on [0, 1] by 0.5 has 3 values: beside 2 choices, 6
 * configurations, tried once each and then exhausted (it ran to the cap,
 * repeating them). */
ES_TEST(bayes_exhausts_a_quantized_space)
{
    es_param p[2] = {st_param("x", ES_DIST_Q_UNIFORM), st_choice("opt", ab_choices, 2)};
    p[0].min = 0;
    p[0].max = 1;
    p[0].q = 0.5;
    es_spec spec = bayes_spec(p, 2);
    int repeated;
    ES_CHECK_INT(run_until_exhausted(&spec, 12, &repeated), 6);
    ES_CHECK(!repeated);
}

ES_TEST(bayes_finds_the_last_unseen_configuration)
{
    /* 12 x 12 configurations, all but one observed: the suggestion is the
     * missing one, even if the candidate cloud happens to miss it. */
    static es_value letters[12];
    static const char *names[12] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
    for (int i = 0; i < 12; i++)
        letters[i] = st_str(names[i]);
    es_param p[2];
    p[0] = st_choice("letter", letters, 12);
    p[1] = st_param("n", ES_DIST_INT_UNIFORM);
    p[1].min = 1;
    p[1].max = 12;
    es_spec spec = bayes_spec(p, 2);
    es_search *s = bayes_make(&spec, 9);
    uint64_t t = 0;
    for (int a = 0; a < 12; a++)
        for (int n = 1; n <= 12; n++) {
            if (a == 7 && n == 5)
                continue;
            es_value v[2] = {letters[a], st_int(n)};
            bayes_observe(s, t++, v, ES_OBS_COMPLETED, fabs(a - 3.0) + fabs(n - 8.0), NAN);
        }
    es_value v[2] = {{0}};
    bayes_suggest(s, t, v);
    ES_CHECK_STR(v[0].s, "h");
    ES_CHECK_INT(v[1].i, 5);
    clear_values(v, 2);
    es_search_destroy(s);
}

/* Batches as the coordinator makes them (q suggestions observed pending,
 * then q results): the same seed and history give the same batches, and
 * the members of a batch keep apart -- believed at the posterior mean, a
 * pending point takes away the expected improvement around it, not just
 * at the same configuration. */
static void run_batches(uint64_t seed, es_value out[24][2])
{
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    spec.parallel = 4;
    es_search *s = bayes_make(&spec, seed);
    unit_warm_up(s, 8);
    for (uint64_t r = 0; r < 4; r++) {
        for (uint64_t i = 0; i < 4; i++) {
            es_value *v = out[r * 4 + i];
            memset(v, 0, 2 * sizeof *v);
            bayes_suggest(s, 8 + r * 4 + i, v);
            bayes_observe(s, 8 + r * 4 + i, v, ES_OBS_PENDING, NAN, NAN);
        }
        for (uint64_t i = 0; i < 4; i++) {
            es_value *v = out[r * 4 + i];
            bayes_observe(s, 8 + r * 4 + i, v, ES_OBS_COMPLETED, unit_objective(v), unit_energy(v));
        }
    }
    es_search_destroy(s);
}

ES_TEST(bayes_batches_deterministic_and_apart)
{
    es_value a[24][2], b[24][2];
    run_batches(5, a);
    run_batches(5, b);
    for (int i = 0; i < 16; i++)
        ES_CHECK(st_value_eq(&a[i][0], &b[i][0]) && st_value_eq(&a[i][1], &b[i][1]));
    /* Every proposal of a batch is its own configuration.  (On this
     * smooth bowl they stand close: the believed pending points take the
     * expected improvement away from themselves only to the noise level
     * the GP fitted, and the best batch refines the minimum.) */
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < i; j++) {
                double dx = a[r * 4 + i][0].f - a[r * 4 + j][0].f;
                double dy = a[r * 4 + i][1].f - a[r * 4 + j][1].f;
                ES_CHECK(dx * dx + dy * dy > 1e-12);
            }
    for (int i = 0; i < 16; i++) {
        clear_values(a[i], 2);
        clear_values(b[i], 2);
    }
}

ES_TEST(bayes_tries_every_choice_among_failures_and_huge_values)
{
    /* One categorical of 18 values, each a trial's whole output: "f..."
     * fails, a number is the loss, one of them near DBL_MAX.  All 18 run
     * before any repeats: the huge value overflowed the surrogate's
     * scaling, the data read as nothing, and 4 values never ran while
     * others ran 2 and 3 times. */
    static const char *names[18] = {"f1",    "f2", "1", "f3", "f4", "f5", "f6", "2",  "3",
                                    "1e308", "-1", "4", "5",  "6",  ".5", "7",  "f7", "f8"};
    static es_value choices[18];
    for (int i = 0; i < 18; i++)
        choices[i] = st_str(names[i]);
    es_param p[1];
    p[0] = st_choice("s", choices, 18);
    es_spec spec = bayes_spec(p, 1);
    for (uint64_t seed = 1; seed < 4; seed++) {
        es_search *s = bayes_make(&spec, seed);
        int seen[18] = {0};
        for (uint64_t i = 0; i < 18; i++) {
            es_value v[1] = {{0}};
            bayes_suggest(s, i, v);
            int k = 0;
            while (k < 18 && strcmp(names[k], v[0].s) != 0)
                k++;
            ES_CHECK(k < 18);
            if (seen[k]++)
                ES_FAIL("seed %llu trial %llu: %s again while others never ran",
                        (unsigned long long)seed, (unsigned long long)i, names[k]);
            if (names[k][0] == 'f')
                bayes_observe(s, i, v, ES_OBS_FAILED, NAN, NAN);
            else
                bayes_observe(s, i, v, ES_OBS_COMPLETED, strtod(names[k], NULL), NAN);
            clear_values(v, 1);
        }
        es_search_destroy(s);
    }
}

ES_TEST(bayes_pending_spread)
{
    /* After the design, four suggestions made while the others run differ
     * from each other and from everything observed. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    spec.parallel = 4;
    es_search *s = bayes_make(&spec, 5);
    unit_warm_up(s, 8);
    es_value v[4][2];
    for (uint64_t i = 0; i < 4; i++) {
        memset(v[i], 0, sizeof v[i]);
        bayes_suggest(s, 8 + i, v[i]);
        bayes_observe(s, 8 + i, v[i], ES_OBS_PENDING, NAN, NAN);
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < i; j++) {
            double dx = v[i][0].f - v[j][0].f, dy = v[i][1].f - v[j][1].f;
            if (!(dx * dx + dy * dy > 1e-6))
                ES_FAIL("suggestions %d (%g, %g) and %d (%g, %g) are %g apart", j, v[j][0].f,
                        v[j][1].f, i, v[i][0].f, v[i][1].f, sqrt(dx * dx + dy * dy));
        }
    /* Asking again for a pending trial's index does not avoid itself. */
    es_value again[2] = {{0}};
    bayes_suggest(s, 11, again);
    ES_CHECK(st_value_eq(&again[0], &v[3][0]) && st_value_eq(&again[1], &v[3][1]));
    clear_values(again, 2);
    for (int i = 0; i < 4; i++)
        clear_values(v[i], 2);
    es_search_destroy(s);
}

ES_TEST(bayes_first_batch_is_one_latin_hypercube)
{
    /* parallel 16 over two parameters: the sixteen trials that start before
     * any result is back are one Latin hypercube (one per sixteenth of each
     * parameter's range).  They used to be a hypercube of the design's five
     * followed by points placed only to keep away from it, in the corners. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    spec.parallel = 16;
    spec.run_cap = 100;
    for (uint64_t seed = 0; seed < 3; seed++) {
        es_search *s = bayes_make(&spec, seed);
        int strata[2][16] = {{0}};
        for (uint64_t i = 0; i < 16; i++) {
            es_value v[2] = {{0}};
            bayes_suggest(s, i, v);
            for (int j = 0; j < 2; j++) {
                int at = (int)floor(es_value_number(&v[j]) * 16.0);
                ES_CHECK(at >= 0 && at < 16);
                strata[j][at < 0 ? 0 : at > 15 ? 15 : at]++;
            }
            bayes_observe(s, i, v, ES_OBS_PENDING, NAN, NAN);
            clear_values(v, 2);
        }
        for (int j = 0; j < 2; j++)
            for (int t = 0; t < 16; t++)
                if (strata[j][t] != 1)
                    ES_FAIL("seed %llu: parameter %d has %d values in [%d/16, %d/16)",
                            (unsigned long long)seed, j, strata[j][t], t, t + 1);
        es_search_destroy(s);
    }
}

ES_TEST(bayes_spread_keeps_off_the_corners)
{
    /* Past the design with nothing back yet, a suggestion keeps away from
     * everything running, but not by going to a corner of the space: the
     * farthest point from a few interior points always is one. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    for (uint64_t seed = 0; seed < 5; seed++) {
        es_search *s = bayes_make(&spec, seed);
        for (uint64_t i = 0; i < 8; i++) {
            es_value v[2] = {{0}};
            bayes_suggest(s, i, v);
            if (i >= 5)
                for (int j = 0; j < 2; j++) {
                    double x = es_value_number(&v[j]);
                    if (!(x > 0.02 && x < 0.98))
                        ES_FAIL("seed %llu, trial %llu: parameter %d at %g, by a bound",
                                (unsigned long long)seed, (unsigned long long)i, j, x);
                }
            bayes_observe(s, i, v, ES_OBS_PENDING, NAN, NAN);
            clear_values(v, 2);
        }
        es_search_destroy(s);
    }
}

ES_TEST(bayes_failures_imputed_as_worst)
{
    /* Through the model: a failed trial's target is the worst completed. */
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = bayes_spec(p, 1);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    double xs[5] = {0.1, 0.2, 0.3, 0.9, 0.5}, fs[5] = {1, 3, 2, NAN, 0};
    es_obs_status st[5] = {ES_OBS_COMPLETED, ES_OBS_COMPLETED, ES_OBS_COMPLETED, ES_OBS_FAILED,
                           ES_OBS_PENDING};
    for (int i = 0; i < 5; i++) {
        es_value v = st_float(xs[i]);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, st[i], fs[i], NAN), 0);
    }
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    const es_surrogate *o = &m->objective;
    ES_CHECK_INT(o->n_real, 4);
    ES_CHECK_INT(o->n_train, 5); /* the pending trial, believed */
    ES_CHECK_NEAR(o->mean, 9.0 / 4.0, 1e-12);
    ES_CHECK_NEAR(o->yt[3], o->yt[1], 1e-15);                 /* failed = worst (3) */
    ES_CHECK_NEAR(es_surrogate_target(o, o->yt[1]), 3, 1e-9); /* warped, undone */
    ES_CHECK_NEAR(o->yt[1], 0, 0);                            /* the worst is the prior mean */
    {
        /* The pending trial sits at the posterior mean of the observed
         * points (the kriging believer): believing it leaves the mean there
         * where it was, and the incumbent is the better of the two. */
        double mu, var, *work = malloc(es_gp_work_size(&o->gp) * sizeof *work);
        ES_CHECK(work != NULL);
        es_gp_predict(&o->gp, o->xt + 4, 1, &mu, &var, work);
        free(work);
        ES_CHECK_NEAR(mu, o->yt[4], 1e-3);
        ES_CHECK(o->yt[4] > o->yt[0] && o->yt[4] < o->yt[1]); /* within what was seen */
        ES_CHECK_NEAR(o->best, fmin(o->yt[4], o->yt[0]), 1e-12);
    }
    es_model_destroy(m);

    /* As a sweep: where trials fail (x > 0.6) the search stops going, even
     * though the objective improves towards there. */
    es_search *s = bayes_make(&spec, 3);
    int failed_late = 0;
    for (uint64_t i = 0; i < 25; i++) {
        es_value v = {0};
        bayes_suggest(s, i, &v);
        if (v.f > 0.6) {
            failed_late += i >= 10;
            bayes_observe(s, i, &v, ES_OBS_FAILED, NAN, NAN);
        } else {
            bayes_observe(s, i, &v, ES_OBS_COMPLETED, -v.f, NAN);
        }
    }
    ES_CHECK(failed_late <= 3);
    es_search_destroy(s);
}

/* A pruned trial is a partial observation: it counts at the worse of its
 * last value and the completed results' median, is never imputed as the
 * worst like a failure, and its cut-short energy stays out of forecasts. */
ES_TEST(bayes_pruned_trials_are_partial_observations)
{
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = bayes_spec(p, 1);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    /* Completed 1, 2, 4, 8 (median 3); pruned at 0.5 (better than the
     * median: counted at 3) and at 20 (worse: counted at 20, beyond the
     * worst completed); a failure (counted at the worst target, 20); a
     * pruned trial with no number (counted as a failure). */
    double xs[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    double fs[8] = {1, 2, 4, 8, 0.5, 20, NAN, NAN};
    es_obs_status st[8] = {ES_OBS_COMPLETED, ES_OBS_COMPLETED, ES_OBS_COMPLETED, ES_OBS_COMPLETED,
                           ES_OBS_PRUNED,    ES_OBS_PRUNED,    ES_OBS_FAILED,    ES_OBS_PRUNED};
    for (int i = 0; i < 8; i++) {
        es_value v = st_float(xs[i]);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, st[i], fs[i], 10.0), 0);
    }
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    const es_surrogate *o = &m->objective;
    ES_CHECK_INT(o->n_train, 8); /* in completion order */
    ES_CHECK_INT(o->n_real, 8);
    double want[8] = {1, 2, 4, 8, 3, 20, 20, 20};
    double mean = 0;
    for (int i = 0; i < 8; i++)
        mean += want[i] / 8;
    ES_CHECK_NEAR(o->mean, mean, 1e-12);
    for (int i = 0; i < 8; i++)
        ES_CHECK_NEAR(es_surrogate_target(o, o->yt[i]), want[i], 1e-9);
    ES_CHECK_NEAR(o->best, o->yt[0], 1e-12); /* the incumbent is completed */
    es_model_destroy(m);

    /* Maximizing mirrors it: completed 1, 2, 4, 8 (median 3), pruned at 5
     * (better than the median: counted at 3) and at 0.5 (kept). */
    spec.goal = ES_GOAL_MAXIMIZE;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    double fm[6] = {1, 2, 4, 8, 5, 0.5};
    for (int i = 0; i < 6; i++) {
        es_value v = st_float(xs[i]);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, i < 4 ? ES_OBS_COMPLETED : ES_OBS_PRUNED,
                                      fm[i], NAN),
                     0);
    }
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    o = &m->objective;
    ES_CHECK_NEAR(es_surrogate_target(o, o->yt[4]), -3.0, 1e-9);
    ES_CHECK_NEAR(es_surrogate_target(o, o->yt[5]), -0.5, 1e-9);
    es_model_destroy(m);

    /* With pruned trials only, their last values are what is known: the
     * surrogate is built on them. */
    spec.goal = ES_GOAL_MINIMIZE;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    for (int i = 0; i < 3; i++) {
        es_value v = st_float(xs[i]);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, ES_OBS_PRUNED, fs[i], NAN), 0);
    }
    ES_CHECK_INT(es_model_objective(m, UINT64_MAX), 1);
    ES_CHECK_NEAR(m->objective.mean, 7.0 / 3.0, 1e-12);
    es_model_destroy(m);

    /* Forecasts: a pruned trial's energy is not what its configuration
     * costs to the end. */
    es_search *s = bayes_make(&spec, 2);
    es_value a = st_float(0.2), b = st_float(0.7);
    double med = 0, up = 0;
    bayes_observe(s, 0, &a, ES_OBS_PRUNED, 5.0, 10.0);
    ES_CHECK_INT(es_search_forecast(s, &a, &med, &up), -ENODATA);
    bayes_observe(s, 1, &b, ES_OBS_COMPLETED, 1.0, 400.0);
    ES_CHECK_INT(es_search_forecast(s, &a, &med, &up), 0);
    ES_CHECK_NEAR(med, 400.0, 1e-9);
    es_search_destroy(s);
}

/* As a sweep: trials in the region that gets pruned (x > 0.6, where the
 * last values are poor) are proposed less and less, and the search still
 * finds the completed optimum; random search ignores pruning entirely. */
ES_TEST(bayes_steers_away_from_pruned_region)
{
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = bayes_spec(p, 1);
    es_search *s = bayes_make(&spec, 5);
    int pruned_late = 0;
    double best = INFINITY;
    for (uint64_t i = 0; i < 25; i++) {
        es_value v = {0};
        bayes_suggest(s, i, &v);
        double f = (v.f - 0.3) * (v.f - 0.3);
        if (v.f > 0.6) {
            pruned_late += i >= 10;
            bayes_observe(s, i, &v, ES_OBS_PRUNED, 1.0 + f, 1.0);
        } else {
            bayes_observe(s, i, &v, ES_OBS_COMPLETED, f, 3.0);
            best = fmin(best, f);
        }
    }
    ES_CHECK(pruned_late <= 3);
    ES_CHECK(best < 1e-3);
    es_search_destroy(s);

    /* Random: the same configurations whatever was observed. */
    spec.method = ES_METHOD_RANDOM;
    es_search *r1 = bayes_make(&spec, 9), *r2 = bayes_make(&spec, 9);
    for (uint64_t i = 0; i < 10; i++) {
        es_value v1 = {0}, v2 = {0};
        bayes_suggest(r1, i, &v1);
        bayes_suggest(r2, i, &v2);
        ES_CHECK_NEAR(v1.f, v2.f, 0);
        bayes_observe(r1, i, &v1, ES_OBS_PRUNED, 1.0, 1.0);
        bayes_observe(r2, i, &v2, ES_OBS_COMPLETED, 1.0, 1.0);
    }
    es_search_destroy(r1);
    es_search_destroy(r2);
}

ES_TEST(bayes_energy_constraint_respected)
{
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    es_search *s = bayes_make(&spec, 11);
    unit_warm_up(s, 6);
    double remaining = 600.0;
    es_search_set_energy_budget(s, remaining, 2000.0);
    for (uint64_t i = 6; i < 26; i++) {
        es_value v[2] = {{0}};
        bayes_suggest(s, i, v);
        double med, up;
        ES_CHECK_INT(es_search_forecast(s, v, &med, &up), 0);
        if (!(up <= remaining * (1 + 1e-9)))
            ES_FAIL("trial %llu: forecast %.1f J (median %.1f) over %.1f J remaining",
                    (unsigned long long)i, up, med, remaining);
        ES_CHECK(med <= up);
        bayes_observe(s, i, v, ES_OBS_COMPLETED, unit_objective(v), unit_energy(v));
        clear_values(v, 2);
    }
    es_search_destroy(s);
}

ES_TEST(bayes_energy_constraint_exact_under_pending_trials)
{
    /* In batches of 4, as the coordinator asks: what remains is the budget
     * less what finished trials used and the median forecasts of the
     * running ones; every suggestion's 95% forecast fits it until nothing
     * does.  Less than nothing left (the running trials' forecasts pass the
     * budget) used to read as "no budget", and the search then proposed
     * whatever it liked. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    spec.parallel = 4;
    es_search *s = bayes_make(&spec, 5);
    unit_warm_up(s, 6);
    double budget = 4000.0, spent = 0.0;
    uint64_t i = 6;
    int stopped = 0;
    for (int batch = 0; batch < 8 && !stopped; batch++) {
        es_value v[4][2] = {{{0}}};
        double pending_median = 0.0;
        int q = 0;
        for (; q < 4; q++) {
            double remaining = budget - spent - pending_median, med, up;
            es_search_set_energy_budget(s, remaining, budget);
            es_err err = {0};
            int rc = es_search_suggest(s, i + (uint64_t)q, v[q], &err);
            if (rc == ES_EBUDGET) {
                stopped = 1;
                break;
            }
            ES_CHECK_INT(rc, 0);
            ES_CHECK_INT(es_search_forecast(s, v[q], &med, &up), 0);
            if (!(up <= remaining * (1 + 1e-9)))
                ES_FAIL("trial %llu: forecast %.1f J over %.1f J remaining",
                        (unsigned long long)(i + (uint64_t)q), up, remaining);
            pending_median += med;
            bayes_observe(s, i + (uint64_t)q, v[q], ES_OBS_PENDING, NAN, NAN);
        }
        for (int j = 0; j < q; j++) {
            spent += unit_energy(v[j]);
            bayes_observe(s, i + (uint64_t)j, v[j], ES_OBS_COMPLETED, unit_objective(v[j]),
                          unit_energy(v[j]));
            clear_values(v[j], 2);
        }
        i += (uint64_t)q;
    }
    ES_CHECK(stopped); /* the budget ran out before 8 batches */
    /* Running trials count at their median forecasts (as the coordinator
     * counts them), so the last batch may pass the budget by what it was
     * under-forecast: 13 J of 4000 here. */
    if (!(spent <= 1.01 * budget))
        ES_FAIL("spent %.1f J of a %.1f J budget", spent, budget);
    es_search_destroy(s);
}

ES_TEST(bayes_cost_aware_prefers_cheap)
{
    /* The objective depends on x1 only, the energy on x2 only (100 J to
     * 10 kJ).  Early in a budget (alpha = 1) the search trades improvement
     * for energy and keeps x2 low; without a budget x2 is free to roam. */
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    double spent[2] = {0, 0};
    for (int b = 0; b < 2; b++) {
        es_search *s = bayes_make(&spec, 21);
        if (b)
            es_search_set_energy_budget(s, 1e9, 1e9);
        for (uint64_t i = 0; i < 20; i++) {
            es_value v[2] = {{0}};
            bayes_suggest(s, i, v);
            double x1 = es_value_number(&v[0]), e = 100.0 * exp(4.6 * es_value_number(&v[1]));
            if (i >= 6)
                spent[b] += e;
            bayes_observe(s, i, v, ES_OBS_COMPLETED, (x1 - 0.5) * (x1 - 0.5), e);
            clear_values(v, 2);
        }
        es_search_destroy(s);
    }
    ES_CHECK(spent[1] < 0.5 * spent[0]);
}

ES_TEST(bayes_cost_effective_design)
{
    /* Three parameters; the energy depends on x3 only (10 J to 1 kJ).  With
     * a budget the design is k + 1 = 4 trials, and its last point, drawn
     * once three energies are known, is spread per joule: at the cheap end
     * of x3, where the hypercube's point (without a budget) falls anywhere. */
    es_param p[3];
    unit_params(p);
    p[2] = st_param("x3", ES_DIST_UNIFORM);
    p[2].max = 1;
    es_spec spec = bayes_spec(p, 3);
    double x3[2][8];
    for (int b = 0; b < 2; b++)
        for (uint64_t seed = 0; seed < 8; seed++) {
            es_search *s = bayes_make(&spec, 100 + seed);
            for (uint64_t i = 0; i < 4; i++) {
                es_value v[3] = {{0}};
                if (b)
                    es_search_set_energy_budget(s, 1e9, 1e9);
                bayes_suggest(s, i, v);
                double a = es_value_number(&v[0]) - 0.5, c = es_value_number(&v[1]) - 0.5;
                double e = 10.0 * exp(4.6 * es_value_number(&v[2]));
                if (i == 3)
                    x3[b][seed] = es_value_number(&v[2]);
                bayes_observe(s, i, v, ES_OBS_COMPLETED, a * a + c * c, e);
                clear_values(v, 3);
            }
            es_search_destroy(s);
        }
    double mean[2] = {0, 0};
    for (int b = 0; b < 2; b++)
        for (int seed = 0; seed < 8; seed++)
            mean[b] += x3[b][seed] / 8.0;
    for (int seed = 0; seed < 8; seed++)
        if (!(x3[1][seed] < 0.25))
            ES_FAIL("seed %d: the per-joule design point has x3 = %.3f", seed, x3[1][seed]);
    ES_CHECK(mean[1] < 0.5 * mean[0]);
}

ES_TEST(bayes_budget_exceeded_message)
{
    es_param p[2];
    unit_params(p);
    es_spec spec = bayes_spec(p, 2);
    es_search *s = bayes_make(&spec, 4);
    unit_warm_up(s, 8);
    es_search_set_energy_budget(s, 40.0, 5000.0);
    es_value v[2] = {{0}};
    es_err err = {0};
    ES_CHECK_INT(es_search_suggest(s, 8, v, &err), ES_EBUDGET);
    ES_CHECK_INT(err.code, ES_EBUDGET);
    const char *prefix = "budget would be exceeded: the cheapest candidate is forecast at ";
    ES_CHECK(strncmp(err.msg, prefix, strlen(prefix)) == 0);
    char *end;
    double forecast = strtod(err.msg + strlen(prefix), &end);
    ES_CHECK_STR(end, " J (95% bound), 40 J remain");
    /* The cheapest corner costs 100 J. */
    ES_CHECK(forecast > 40.0 && forecast < 250.0);
    ES_CHECK(v[0].kind == ES_V_NULL && v[1].kind == ES_V_NULL);

    /* Without a budget (or with a larger one) it suggests again. */
    es_search_set_energy_budget(s, NAN, NAN);
    bayes_suggest(s, 8, v);
    clear_values(v, 2);
    es_search_set_energy_budget(s, 4000.0, 5000.0);
    bayes_suggest(s, 8, v);
    clear_values(v, 2);
    es_search_destroy(s);

    /* With two energies the forecast is their spread: 1.5 x 500 J. */
    s = bayes_make(&spec, 4);
    es_value a[2] = {st_float(0.1), st_float(0.1)}, b[2] = {st_float(0.2), st_float(0.3)};
    bayes_observe(s, 0, a, ES_OBS_COMPLETED, 1.0, 500.0);
    bayes_observe(s, 1, b, ES_OBS_COMPLETED, 2.0, 400.0);
    es_search_set_energy_budget(s, 100.0, 1000.0);
    ES_CHECK_INT(es_search_suggest(s, 2, v, &err), ES_EBUDGET);
    ES_CHECK_STR(err.msg, "budget would be exceeded: the cheapest candidate is forecast at 750 J "
                          "(95% bound), 100 J remain");
    es_search_destroy(s);
}

ES_TEST(forecast_fallback_and_nodata)
{
    es_param p[2];
    unit_params(p);
    es_method methods[3] = {ES_METHOD_RANDOM, ES_METHOD_GRID, ES_METHOD_BAYES};
    es_param g[2];
    g[0] = st_param("x1", ES_DIST_Q_UNIFORM);
    g[0].max = 1;
    g[0].q = 0.1;
    g[1] = st_param("x2", ES_DIST_Q_UNIFORM);
    g[1].max = 1;
    g[1].q = 0.1;
    for (int mi = 0; mi < 3; mi++) {
        es_spec spec = bayes_spec(methods[mi] == ES_METHOD_GRID ? g : p, 2);
        spec.method = methods[mi];
        es_search *s = bayes_make(&spec, 8);
        es_value v[2] = {st_float(0.5), st_float(0.5)};
        double med = -1, up = -1;
        ES_CHECK_INT(es_search_forecast(s, v, &med, &up), -ENODATA);
        bayes_observe(s, 0, v, ES_OBS_PENDING, NAN, NAN);
        ES_CHECK_INT(es_search_forecast(s, v, &med, &up), -ENODATA);
        bayes_observe(s, 0, v, ES_OBS_COMPLETED, 1.0, 200.0);
        ES_CHECK_INT(es_search_forecast(s, v, &med, &up), 0);
        ES_CHECK_NEAR(med, 200.0, 1e-9);
        ES_CHECK_NEAR(up, 300.0, 1e-9);
        es_value w[2] = {st_float(0.1), st_float(0.9)};
        bayes_observe(s, 1, w, ES_OBS_FAILED, NAN, 100.0);
        ES_CHECK_INT(es_search_forecast(s, v, &med, &up), 0);
        ES_CHECK_NEAR(med, 150.0, 1e-9);
        ES_CHECK_NEAR(up, 300.0, 1e-9);

        /* With enough energies, the surrogate: it tells cheap from dear. */
        for (uint64_t i = 2; i < 22; i++) {
            es_value x[2] = {st_float((double)(i * 7 % 20) / 19.0),
                             st_float((double)(i * 3 % 20) / 19.0)};
            bayes_observe(s, i, x, ES_OBS_COMPLETED, unit_objective(x), unit_energy(x));
        }
        es_value cheap[2] = {st_float(0.1), st_float(0.5)},
                 dear[2] = {st_float(0.9), st_float(0.5)};
        double mc, uc, md, ud;
        ES_CHECK_INT(es_search_forecast(s, cheap, &mc, &uc), 0);
        ES_CHECK_INT(es_search_forecast(s, dear, &md, &ud), 0);
        ES_CHECK(mc > 100.0 && mc < 400.0 && uc >= mc);
        ES_CHECK(md > 600.0 && md < 1200.0 && ud >= md);
        es_search_destroy(s);
    }
}

ES_TEST(bayes_mixed_space_types)
{
    /* Strings, integers, log-scaled and beta floats, a constant: a sweep
     * runs through the design and the surrogate, and every suggestion has
     * random search's value types. */
    es_param p[5];
    st_mixed_params(p);
    es_spec spec = bayes_spec(p, 5);
    spec.goal = ES_GOAL_MAXIMIZE;
    es_search *s = bayes_make(&spec, 1);
    for (uint64_t i = 0; i < 20; i++) {
        es_value v[5] = {{0}};
        bayes_suggest(s, i, v);
        ES_CHECK_INT(v[0].kind, ES_V_STR);
        ES_CHECK_INT(v[1].kind, ES_V_INT);
        ES_CHECK(v[1].i >= 1 && v[1].i <= 8);
        ES_CHECK_INT(v[2].kind, ES_V_FLOAT);
        ES_CHECK(v[2].f >= 1e-5 * 0.999999 && v[2].f <= 1e-1 * 1.000001);
        ES_CHECK_INT(v[3].kind, ES_V_FLOAT);
        ES_CHECK_INT(v[4].i, 10);
        double acc = (strcmp(v[0].s, "adam") == 0) + 0.1 * (double)v[1].i - fabs(log10(v[2].f) + 3);
        bayes_observe(s, i, v, i % 7 == 3 ? ES_OBS_FAILED : ES_OBS_COMPLETED, acc, 50.0);
        clear_values(v, 5);
    }
    es_search_destroy(s);

    /* Nothing to search: the constant comes back. */
    es_spec one = bayes_spec(p + 4, 1);
    s = bayes_make(&one, 1);
    es_value v = {0};
    bayes_suggest(s, 0, &v);
    ES_CHECK_INT(v.i, 10);
    es_search_destroy(s);
}

/* The energy surrogate learns from the most recent finished trials with a
 * usable energy, in completion order: pruned trials and trials without an
 * energy left out, a replaced observation counted at its new place only.
 * Past 100 energies its window starts anew every 25, so it holds the
 * latest 100 to 124. */
ES_TEST(energy_surrogate_trains_on_the_latest_energies)
{
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = bayes_spec(p, 1);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    /* Trials 0..149 in order; every 10th pruned, every 7th without energy;
     * then trial 145 replaced with another result (it comes last). */
    double want[200];
    size_t n_want = 0;
    for (int i = 0; i < 150; i++) {
        es_value v = st_float(i / 150.0);
        es_obs_status st = i % 10 == 0 ? ES_OBS_PRUNED : ES_OBS_COMPLETED;
        double e = i % 7 == 0 ? NAN : 1.0 + i;
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &v, st, 1.0, e), 0);
    }
    es_value v = st_float(0.5);
    ES_CHECK_INT(es_model_observe(m, 145, &v, ES_OBS_COMPLETED, 1.0, 5000.0), 0);
    for (int i = 0; i < 150; i++)
        if (i % 10 != 0 && i % 7 != 0 && i != 145)
            want[n_want++] = log(1.0 + i);
    want[n_want++] = log(5000.0);
    ES_CHECK_INT(n_want, 116);
    /* 116 energies: the window holds them all (100 + 16). */
    ES_CHECK_INT(es_model_energy(m), 1);
    const es_surrogate *s = &m->energy;
    ES_CHECK_INT(s->n_train, 116);
    for (size_t k = 0; k < s->n_train; k++)
        ES_CHECK_NEAR(s->yt[k] * s->sd + s->mean, want[n_want - s->n_train + k], 1e-9);
    /* 20 more: 136, and the window has moved to the latest 100 + 11. */
    for (int i = 150; i < 170; i++) {
        es_value w = st_float(i / 200.0);
        ES_CHECK_INT(es_model_observe(m, (uint64_t)i, &w, ES_OBS_COMPLETED, 1.0, 2.0 + i), 0);
        want[n_want++] = log(2.0 + i);
    }
    ES_CHECK_INT(es_model_energy(m), 1);
    ES_CHECK_INT(s->n_train, 111);
    for (size_t k = 0; k < s->n_train; k++)
        ES_CHECK_NEAR(s->yt[k] * s->sd + s->mean, want[n_want - s->n_train + k], 1e-9);
    es_model_destroy(m);
}

/* What one trial costs the search -- its launch observed, its energy
 * forecast, its end observed -- does not grow with the trials seen before:
 * a sweep of 100,000 trials pays the same per trial as one of 100. */
ES_TEST(per_trial_work_does_not_grow_with_the_sweep)
{
    es_param p[1];
    p[0] = st_param("x", ES_DIST_UNIFORM);
    p[0].max = 1;
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 1);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    uint64_t work[2];
    uint64_t n = 0;
    for (int round = 0; round < 2; round++) {
        for (uint64_t end = round == 0 ? 200 : 20000; n < end; n++) {
            es_value v = st_float((double)(n % 97) / 97.0);
            ES_CHECK_INT(es_model_observe(m, n, &v, ES_OBS_COMPLETED, 1.0, 10.0 + (double)(n % 13)),
                         0);
        }
        double med, up;
        es_value v = st_float(0.5);
        ES_CHECK_INT(es_model_forecast(m, &v, &med, &up), 0); /* hyperparameters caught up */
        uint64_t before = m->examined;
        for (int k = 0; k < 10; k++, n++) {
            ES_CHECK_INT(es_model_observe(m, n, &v, ES_OBS_PENDING, NAN, NAN), 0);
            ES_CHECK_INT(es_model_forecast(m, &v, &med, &up), 0);
            ES_CHECK_INT(es_model_observe(m, n, &v, ES_OBS_COMPLETED, 1.0, 12.0), 0);
        }
        work[round] = m->examined - before;
    }
    /* 100 times the trials: about the same work (it was 100 times more). */
    if (work[1] > 2 * work[0] + 100)
        ES_FAIL("10 trials looked at %llu observations after 200 trials, %llu after 20000",
                (unsigned long long)work[0], (unsigned long long)work[1]);
    es_model_destroy(m);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The energy forecast of a long sweep stays accurate with the surrogate's
 * hyperparameters fitted on its latest energies only: log energy smooth in
 * the parameters, 20% noise, median error of the forecasts well under the
 * noise after the first 100 trials. */
ES_TEST(energy_forecasts_of_a_long_sweep_stay_accurate)
{
    es_param p[3];
    const char *names[3] = {"a", "b", "c"};
    for (int k = 0; k < 3; k++) {
        p[k] = st_param(names[k], ES_DIST_UNIFORM);
        p[k].max = 1;
    }
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 3);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 1, &m), 0);
    es_rng rng;
    es_rng_seed_stream(&rng, 7, 0);
    double err[300];
    size_t n_err = 0;
    for (uint64_t i = 0; i < 400; i++) {
        double u[3];
        es_value v[3];
        for (int k = 0; k < 3; k++) {
            u[k] = es_rng_uniform(&rng);
            v[k] = st_float(u[k]);
        }
        double med, up;
        ES_CHECK_INT(es_model_observe(m, i, v, ES_OBS_PENDING, NAN, NAN), 0);
        int rc = es_model_forecast(m, v, &med, &up);
        double e = exp(1 + 2 * u[0] + 0.5 * u[1] * u[1] + 0.2 * (es_rng_uniform(&rng) - 0.5));
        if (i >= 100) {
            ES_CHECK_INT(rc, 0);
            err[n_err++] = fabs(med - e) / e;
        }
        ES_CHECK_INT(es_model_observe(m, i, v, ES_OBS_COMPLETED, NAN, e), 0);
    }
    qsort(err, n_err, sizeof *err, by_value);
    if (!(err[n_err / 2] < 0.08))
        ES_FAIL("median forecast error %.3f", err[n_err / 2]);
    es_model_destroy(m);
}

/* A forecast does not depend on which forecasts came before it: a model
 * asked after every trial (its energy surrogate extended row by row) and
 * a model built afresh from the same observations forecast the same, to
 * the bit, across the surrogate's window moves. */
ES_TEST(energy_forecasts_do_not_depend_on_earlier_forecasts)
{
    es_param p[2];
    p[0] = st_param("a", ES_DIST_UNIFORM);
    p[0].max = 1;
    p[1] = st_param("b", ES_DIST_UNIFORM);
    p[1].max = 1;
    es_spec spec = st_spec(ES_METHOD_RANDOM, p, 2);
    es_model *m = NULL;
    ES_CHECK_INT(es_model_create(&spec, 3, &m), 0);
    es_rng rng;
    es_rng_seed_stream(&rng, 5, 0);
    static es_value vs[260][2];
    static double es[260];
    es_value probe[2] = {st_float(0.3), st_float(0.6)};
    for (uint64_t i = 0; i < 260; i++) {
        vs[i][0] = st_float(es_rng_uniform(&rng));
        vs[i][1] = st_float(es_rng_uniform(&rng));
        es[i] = exp(1 + es_value_number(&vs[i][0]) + 0.3 * es_rng_uniform(&rng));
        ES_CHECK_INT(es_model_observe(m, i, vs[i], ES_OBS_COMPLETED, NAN, es[i]), 0);
        double med, up;
        ES_CHECK_INT(es_model_forecast(m, probe, &med, &up), 0);
        if (i != 99 && i != 124 && i != 130 && i != 259)
            continue;
        es_model *f = NULL;
        ES_CHECK_INT(es_model_create(&spec, 3, &f), 0);
        for (uint64_t j = 0; j <= i; j++)
            ES_CHECK_INT(es_model_observe(f, j, vs[j], ES_OBS_COMPLETED, NAN, es[j]), 0);
        double fmed, fup;
        ES_CHECK_INT(es_model_forecast(f, probe, &fmed, &fup), 0);
        if (med != fmed || up != fup)
            ES_FAIL("after %llu trials: %.17g, %.17g against %.17g, %.17g afresh",
                    (unsigned long long)i + 1, med, up, fmed, fup);
        es_model_destroy(f);
    }
    es_model_destroy(m);
}
