/*
 * test_prune.c -- the early-termination rules of prune.h, decision by
 * decision: hyperband's brackets as W&B computes them and its cutoffs,
 * strict and not, counted in reports rather than steps; the median rule
 * against completed trials only; asha's promotions as a rung fills up; the
 * goal's direction; NaN; refused reports; and the config's error messages.
 */
#include <errno.h>
#include <stdint.h>

#include "es_test.h"
#include "prune.h"

#define CONT ES_PRUNE_CONTINUE
#define STOP ES_PRUNE_STOP

static es_prune_config cfg_of(es_prune_type type)
{
    es_prune_config c;
    es_prune_config_init(&c, type);
    c.metric_name = "val_loss";
    return c;
}

static es_pruner *make(const es_prune_config *c, int maximize)
{
    es_pruner *p = NULL;
    es_err err = {0};
    int rc = es_pruner_create(c, maximize, &p, &err);
    if (rc != 0)
        ES_FAIL("es_pruner_create: %d: %s", rc, err.msg);
    return p;
}

/* One report that must be accepted; its decision. */
static es_prune_decision report_at(es_pruner *p, uint64_t trial, int64_t step, double value,
                                   const char *file, int line)
{
    es_prune_decision d;
    int rc = es_pruner_report(p, trial, step, value, &d);
    if (rc != 0) {
        fprintf(stderr, "%s:%d: ", file, line);
        ES_FAIL("es_pruner_report(trial %llu, step %lld, %g): %d: %s", (unsigned long long)trial,
                (long long)step, value, rc, d.reason);
    }
    return d;
}
#define report(p, trial, step, value) report_at(p, trial, step, value, __FILE__, __LINE__)

/* Report a whole curve at steps 1, 2, ...; the decision of the last report. */
static es_prune_decision curve(es_pruner *p, uint64_t trial, const double *v, size_t n)
{
    es_prune_decision d = {0};
    for (size_t i = 0; i < n; i++)
        d = report(p, trial, (int64_t)i + 1, v[i]);
    return d;
}
#define CURVE(p, trial, ...)                                                                       \
    curve(p, trial, (const double[]){__VA_ARGS__},                                                 \
          sizeof((const double[]){__VA_ARGS__}) / sizeof(double))

static void check_rungs(const es_pruner *p, const int64_t *want, size_t n_want)
{
    int64_t got[128];
    size_t n = es_pruner_rungs(p, got, 128);
    if (n < n_want)
        ES_FAIL("only %zu rungs, want at least %zu", n, n_want);
    for (size_t i = 0; i < n_want; i++)
        if (got[i] != want[i])
            ES_FAIL("rung %zu is %lld, want %lld", i, (long long)got[i], (long long)want[i]);
}

/* ---- hyperband: brackets -------------------------------------------------- */

/* W&B's docs ("Define a sweep configuration", the early_terminate example)
 * give the brackets of min_iter 3 (eta 3) as 3, 3*eta, 3*eta^2, 3*eta^3 =
 * 3, 9, 27, 81; W&B's test_hyperband_min_iter_bands checks the first three.
 * hyperband_stop_runs lists 100; we keep those below 2^53: 3^1 .. 3^33. */
ES_TEST(hyperband_brackets_min_iter_3_eta_3)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.min_iter = 3;
    es_pruner *p = make(&c, 0);
    check_rungs(p, (const int64_t[]){3, 9, 27, 81, 243}, 5);

    int64_t all[64];
    size_t n = es_pruner_rungs(p, all, 64);
    ES_CHECK_INT(n, 33);
    ES_CHECK_INT(all[32], 5559060566555523LL); /* 3^33 < 2^53 < 3^34 */
    ES_CHECK_INT(es_pruner_rungs(p, NULL, 0), 33);
    es_pruner_destroy(p);
}

/* The max_iter form: max_iter/eta, ..., max_iter/eta^s, truncated, stopping
 * below 1, ascending.  Rows: W&B's docs (27, s 2 -> 27/eta = 9 and
 * 27/eta^2 = 3), and W&B's tests/test_hyperband_stopping.py:
 * test_hyperband_max_iter_bands (81, s 3), test_init_from_max_iter (18, s 2
 * -> [2, 6]), test_eta_3 (9, s 2: "bands are at 1 and 3"), the doctest's
 * (5, eta 2, s 2 -> 2.5, 1.25).  The last row stops at 27/3^3 < 1. */
ES_TEST(hyperband_brackets_max_iter)
{
    static const struct {
        int64_t max_iter, s;
        double eta;
        size_t n;
        int64_t want[4];
    } rows[] = {
        {27, 2, 3, 2, {3, 9}},      {81, 3, 3, 3, {3, 9, 27}}, {18, 2, 3, 2, {2, 6}},
        {9, 2, 3, 2, {1, 3}},       {5, 2, 2, 2, {1, 2}},      {27, 5, 3, 3, {1, 3, 9}},
        {100, 2, 2.5, 2, {16, 40}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
        c.max_iter = rows[i].max_iter;
        c.s = rows[i].s;
        c.eta = rows[i].eta;
        es_pruner *p = make(&c, 0);
        int64_t got[8];
        ES_CHECK_INT(es_pruner_rungs(p, got, 8), rows[i].n);
        for (size_t k = 0; k < rows[i].n; k++)
            ES_CHECK_INT(got[k], rows[i].want[k]);
        es_pruner_destroy(p);
    }
}

/* min_iter with a fractional eta truncates each bracket, as int(band). */
ES_TEST(hyperband_brackets_fractional_eta)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.min_iter = 2;
    c.eta = 2.5;
    es_pruner *p = make(&c, 0);
    check_rungs(p, (const int64_t[]){2, 5, 12, 31, 78}, 5); /* 2, 5, 12.5, 31.25, 78.125 */
    es_pruner_destroy(p);
}

/* hyperband_stop_runs looks at max_iter first. */
ES_TEST(hyperband_max_iter_wins_over_min_iter)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.min_iter = 1;
    c.max_iter = 27;
    c.s = 2;
    es_pruner *p = make(&c, 0);
    int64_t got[8];
    ES_CHECK_INT(es_pruner_rungs(p, got, 8), 2);
    ES_CHECK_INT(got[0], 3);
    ES_CHECK_INT(got[1], 9);
    es_pruner_destroy(p);
}

/* ---- hyperband: decisions ------------------------------------------------- */

static es_pruner *hb_27_2(int strict, int maximize)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.max_iter = 27;
    c.s = 2; /* brackets 3, 9 */
    c.strict = strict;
    return make(&c, maximize);
}

/* Before its first bracket a trial is never checked. */
ES_TEST(hyperband_no_check_before_first_bracket)
{
    es_pruner *p = hb_27_2(0, 0);
    CURVE(p, 0, 1, 1, 1);
    es_prune_decision d = CURVE(p, 1, 50, 50); /* 2 reports: bracket 3 not reached */
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, -1);
    ES_CHECK_STR(d.reason, "");
    ES_CHECK(isnan(d.cutoff));
    es_pruner_destroy(p);
}

/* A single trial is compared with itself only, and continues (W&B's
 * test_single_run). */
ES_TEST(hyperband_single_trial_continues)
{
    es_pruner *p = hb_27_2(0, 0);
    for (int i = 0; i < 20; i++)
        ES_CHECK_INT(report(p, 0, i + 1, 10.0 - i).action, CONT);
    es_pruner_destroy(p);
}

/* Cutoff of a bracket with n values: sorted[int(n / eta)].  One scenario,
 * run minimizing and (with every value negated) maximizing: the decisions
 * must be the same and the cutoffs mirrored. */
ES_TEST(hyperband_cutoff_stops_worse_keeps_better_both_goals)
{
    for (int maximize = 0; maximize <= 1; maximize++) {
        double s = maximize ? -1.0 : 1.0;
        es_pruner *p = hb_27_2(0, maximize);
        es_prune_decision d;

        d = CURVE(p, 0, s * 5, s * 4, s * 3); /* bracket 3: [3], cutoff [0] = 3 */
        ES_CHECK_INT(d.action, CONT);
        ES_CHECK_INT(d.rung, 3);
        ES_CHECK_NEAR(d.cutoff, s * 3, 0);

        d = CURVE(p, 1, s * 6, s * 5, s * 4); /* [3 4]: int(2/3) = 0 -> 3; 4 is worse */
        ES_CHECK_INT(d.action, STOP);
        ES_CHECK_NEAR(d.cutoff, s * 3, 0);

        d = CURVE(p, 2, s * 2, s * 2, s * 2); /* [2 3 4]: int(3 * (1/3)) = 1 -> 3 */
        ES_CHECK_INT(d.action, CONT);
        ES_CHECK_NEAR(d.cutoff, s * 3, 0);

        d = CURVE(p, 3, s * 9, s * 9, s * 9); /* [2 3 4 9]: int(4/3) = 1 -> 3 */
        ES_CHECK_INT(d.action, STOP);
        ES_CHECK_INT(es_pruner_rung_count(p, 0), 4);

        /* Trial 0 equals the cutoff: ties continue. */
        ES_CHECK_INT(report(p, 0, 4, s * 3.5).action, CONT);
        es_pruner_destroy(p);
    }
}

/* The reason names the metric, the values and the bracket. */
ES_TEST(hyperband_reason_text)
{
    es_pruner *p = hb_27_2(0, 0);
    CURVE(p, 0, 5, 4, 3);
    es_prune_decision d = CURVE(p, 1, 6, 5, 4);
    ES_CHECK_STR(
        d.reason,
        "best val_loss 4 by step 3 is not in the top 1/3 at bracket 3 (cutoff 3 over 2 trials)");
    es_pruner_destroy(p);

    p = hb_27_2(1, 0);
    CURVE(p, 0, 5, 4, 3);
    d = CURVE(p, 1, 6, 5, 4);
    ES_CHECK_STR(d.reason,
                 "val_loss 4 at bracket 3 (step 3) is not in the top 1/3 (cutoff 3 over 2 trials)");
    es_pruner_destroy(p);
}

/* The cutoff tightens as more trials reach the bracket, and a running trial
 * is checked at each report, not only when it reaches a bracket. */
ES_TEST(hyperband_later_report_stopped_when_cutoff_tightens)
{
    es_pruner *p = hb_27_2(0, 0);
    ES_CHECK_INT(CURVE(p, 0, 5, 4, 3).action, CONT); /* alone: cutoff 3 */
    CURVE(p, 1, 2, 2, 2);
    CURVE(p, 2, 1, 1, 1);
    CURVE(p, 3, 1, 1, 1);                       /* bracket 3: [1 1 2 3], cutoff [1] = 1 */
    CURVE(p, 4, 1, 1, 1);                       /* [1 1 1 2 3], cutoff [1] = 1 */
    CURVE(p, 5, 1, 1, 1);                       /* [1 1 1 1 2 3], cutoff [2] = 1 */
    es_prune_decision d = report(p, 0, 4, 3.5); /* best 3 > 1 */
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_INT(d.rung, 3);
    ES_CHECK_NEAR(d.cutoff, 1, 0);
    es_pruner_destroy(p);
}

/* Default (W&B's conservative rule): the best value so far is compared;
 * strict: the value at the bracket. */
ES_TEST(hyperband_strict_compares_value_at_bracket)
{
    for (int strict = 0; strict <= 1; strict++) {
        es_pruner *p = hb_27_2(strict, 0);
        CURVE(p, 0, 2, 2, 2);
        CURVE(p, 1, 3, 3, 3);
        es_prune_decision d = CURVE(p, 2, 1, 1, 5); /* [2 3 5]: cutoff [1] = 3; best 1, at 3: 5 */
        ES_CHECK_INT(d.action, strict ? STOP : CONT);
        ES_CHECK_NEAR(d.cutoff, 3, 0);
        es_pruner_destroy(p);
    }
}

/* The second bracket takes over from the first once reached. */
ES_TEST(hyperband_second_bracket)
{
    es_pruner *p = hb_27_2(0, 0);
    const double good[9] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    curve(p, 0, good, 9);
    const double mid[9] = {9, 8, 7, 6, 5, 4, 3, 2, 1.5}; /* bracket 3: 7 vs [7 7]: cutoff 7 */
    es_prune_decision d = curve(p, 1, mid, 8);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, 3);
    d = report(p, 1, 9, 1.5); /* bracket 9: [1 1.5], cutoff [0] = 1; best 1.5 */
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_INT(d.rung, 9);
    ES_CHECK_NEAR(d.cutoff, 1, 0);
    es_pruner_destroy(p);
}

/* W&B counts logged values: the step's number plays no part. */
ES_TEST(hyperband_counts_reports_not_steps)
{
    es_pruner *p = hb_27_2(0, 0);
    ES_CHECK_INT(report(p, 0, 100, 1).rung, -1);
    ES_CHECK_INT(report(p, 0, 200, 1).rung, -1);
    es_prune_decision d = report(p, 0, 300, 1); /* third report: bracket 3 */
    ES_CHECK_INT(d.rung, 3);
    ES_CHECK_CONTAINS(d.reason, "by step 300");
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 1);
    es_pruner_destroy(p);
}

/* NaN and +-inf are dropped (W&B's filter_invalid): not counted, not
 * recorded, and they do not make a trial stop by themselves. */
ES_TEST(hyperband_non_finite_values_ignored)
{
    es_pruner *p = hb_27_2(0, 0);
    CURVE(p, 0, 1, 1, 1);
    es_prune_decision d = CURVE(p, 1, 0.5, NAN, INFINITY, -INFINITY, NAN);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, -1); /* one finite report so far */
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 1);
    d = report(p, 1, 6, 0.5);
    ES_CHECK_INT(d.rung, -1);
    d = report(p, 1, 7, 0.25); /* third finite value: bracket 3 at 0.25 */
    ES_CHECK_INT(d.rung, 3);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 2);
    /* Trial 0 (best 1) is now behind: [0.25 1], cutoff [0] = 0.25.  A NaN
     * report is not recorded, yet the trial is checked. */
    d = report(p, 0, 4, NAN);
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_NEAR(d.cutoff, 0.25, 0);
    es_pruner_destroy(p);
}

/* Stopped, completed and failed trials keep counting at the bracket. */
ES_TEST(hyperband_ended_trials_keep_counting)
{
    es_pruner *p = hb_27_2(0, 0);
    CURVE(p, 0, 1, 1, 1);
    ES_CHECK_INT(es_pruner_trial_done(p, 0, 0), 0);  /* failed */
    ES_CHECK_INT(CURVE(p, 1, 2, 2, 2).action, STOP); /* [1 2]: cutoff 1 */
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 2);
    es_pruner_destroy(p);
}

/* ---- median --------------------------------------------------------------- */

/* Two completed trials, startup_trials 2, min_steps 2:
 *   A: 1.0 0.8 0.6 0.5 0.4 at steps 0..4
 *   B: 1.2 1.0 0.9 0.7 0.6
 * so the median at step 2 is (0.6 + 0.9) / 2 = 0.75.  sign = -1 negates
 * every value (for maximize). */
static es_pruner *median_ab(double sign, int maximize, int64_t min_trials)
{
    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
    c.min_steps = 2;
    c.startup_trials = 2;
    c.min_trials = min_trials;
    es_pruner *p = make(&c, maximize);
    const double a[5] = {1.0, 0.8, 0.6, 0.5, 0.4}, b[5] = {1.2, 1.0, 0.9, 0.7, 0.6};
    for (int i = 0; i < 5; i++) {
        ES_CHECK_INT(report(p, 100, i, sign * a[i]).action, CONT);
        ES_CHECK_INT(report(p, 101, i, sign * b[i]).action, CONT);
    }
    ES_CHECK_INT(es_pruner_trial_done(p, 100, 1), 0);
    ES_CHECK_INT(es_pruner_trial_done(p, 101, 1), 0);
    return p;
}

ES_TEST(median_no_stop_before_min_steps)
{
    es_pruner *p = median_ab(1, 0, 1);
    es_prune_decision d = report(p, 0, 0, 50);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, -1);
    ES_CHECK_INT(report(p, 0, 1, 50).action, CONT);
    ES_CHECK_INT(report(p, 0, 2, 50).action, STOP); /* min_steps reached */
    es_pruner_destroy(p);
}

ES_TEST(median_worse_than_median_stops_both_goals)
{
    for (int maximize = 0; maximize <= 1; maximize++) {
        double s = maximize ? -1.0 : 1.0;
        es_pruner *p = median_ab(s, maximize, 1);

        es_prune_decision d = report(p, 0, 2, s * 1.5);
        ES_CHECK_INT(d.action, STOP);
        ES_CHECK_INT(d.rung, 2);
        ES_CHECK_NEAR(d.cutoff, s * 0.75, 1e-15);

        d = report(p, 1, 2, s * 0.7); /* better than the median */
        ES_CHECK_INT(d.action, CONT);
        ES_CHECK_NEAR(d.cutoff, s * 0.75, 1e-15);

        d = report(p, 2, 2, s * 0.75); /* equal: not worse */
        ES_CHECK_INT(d.action, CONT);
        es_pruner_destroy(p);
    }
}

ES_TEST(median_reason_text)
{
    es_pruner *p = median_ab(1, 0, 1);
    es_prune_decision d = report(p, 0, 2, 1.5);
    ES_CHECK_STR(d.reason, "best val_loss 1.5 by step 2 is worse than the median 0.75 of 2 "
                           "completed trials at step 2");
    es_pruner_destroy(p);
}

/* The trial's best value so far is compared, not its latest. */
ES_TEST(median_compares_best_so_far)
{
    es_pruner *p = median_ab(1, 0, 1);
    report(p, 0, 0, 0.1); /* before min_steps, still its best */
    es_prune_decision d = report(p, 0, 2, 5.0);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_CONTAINS(d.reason, "best val_loss 0.1 by step 2 is not worse than the median 0.75");
    es_pruner_destroy(p);
}

/* No completed trial reported this step: no reference, no stop. */
ES_TEST(median_no_stop_without_reference_at_step)
{
    es_pruner *p = median_ab(1, 0, 1);
    es_prune_decision d = report(p, 0, 7, 1e9);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, -1);
    ES_CHECK_STR(d.reason, "");
    es_pruner_destroy(p);
}

/* Running trials are not part of the reference, even when they reported the
 * step; nor are stopped or failed ones. */
ES_TEST(median_reference_is_completed_trials_only)
{
    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
    c.startup_trials = 1;
    es_pruner *p = make(&c, 0);
    report(p, 0, 0, 1.0);
    report(p, 1, 0, 100.0); /* running: no completed trial yet, so no check */
    ES_CHECK_INT(report(p, 2, 0, 50.0).action, CONT);
    ES_CHECK_INT(es_pruner_trial_done(p, 2, 0), 0); /* failed: not a reference */
    ES_CHECK_INT(report(p, 3, 0, 1e6).action, CONT);
    ES_CHECK_INT(es_pruner_trial_done(p, 0, 1), 0); /* the only reference: 1.0 */
    es_prune_decision d = report(p, 4, 0, 2.0);
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_NEAR(d.cutoff, 1.0, 0);
    ES_CHECK_CONTAINS(d.reason, "of 1 completed trials");
    /* A stopped trial declared completed stays out of the reference. */
    ES_CHECK_INT(es_pruner_trial_done(p, 4, 1), 0);
    d = report(p, 5, 0, 1.5);
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_NEAR(d.cutoff, 1.0, 0);
    es_pruner_destroy(p);
}

/* Nothing is stopped until startup_trials trials have completed. */
ES_TEST(median_waits_for_startup_trials)
{
    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN); /* startup_trials 5 by default */
    es_pruner *p = make(&c, 0);
    for (uint64_t t = 0; t < 4; t++) {
        report(p, t, 0, 1.0);
        es_pruner_trial_done(p, t, 1);
    }
    ES_CHECK_INT(report(p, 10, 0, 9.0).action, CONT);
    report(p, 4, 0, 1.0);
    es_pruner_trial_done(p, 4, 1);
    ES_CHECK_INT(report(p, 11, 0, 9.0).action, STOP);
    es_pruner_destroy(p);
}

/* min_trials: fewer reference values than that at the step, no stop. */
ES_TEST(median_min_trials)
{
    es_pruner *p = median_ab(1, 0, 3);
    ES_CHECK_INT(report(p, 0, 2, 50).action, CONT);
    es_pruner_destroy(p);
    p = median_ab(1, 0, 2);
    ES_CHECK_INT(report(p, 0, 2, 50).action, STOP);
    es_pruner_destroy(p);
}

/* Odd counts take the middle value, even ones the mean of the two middle. */
ES_TEST(median_odd_and_even_counts)
{
    static const struct {
        size_t n;
        double ref[4], want;
    } rows[] = {
        {1, {3}, 3},
        {2, {1, 4}, 2.5},
        {3, {5, 1, 3}, 3},
        {4, {8, 1, 2, 4}, 3},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
        c.startup_trials = 0;
        es_pruner *p = make(&c, 0);
        for (size_t k = 0; k < rows[i].n; k++) /* all report before any completes */
            report(p, k, 4, rows[i].ref[k]);
        for (size_t k = 0; k < rows[i].n; k++)
            ES_CHECK_INT(es_pruner_trial_done(p, k, 1), 0);
        es_prune_decision d = report(p, 99, 4, 100);
        ES_CHECK_INT(d.action, STOP);
        ES_CHECK_NEAR(d.cutoff, rows[i].want, 0);
        es_pruner_destroy(p);
    }
}

/* A trial with nothing but NaN is stopped once checks apply; NaN values in
 * the reference are left out of the median. */
ES_TEST(median_nan)
{
    es_pruner *p = median_ab(1, 0, 1);
    ES_CHECK_INT(report(p, 0, 0, NAN).action, CONT);
    ES_CHECK_INT(report(p, 0, 1, NAN).action, CONT); /* before min_steps */
    es_prune_decision d = report(p, 0, 2, NAN);
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_STR(d.reason, "no val_loss other than NaN by step 2");
    /* A NaN after a number: the number is the best. */
    report(p, 1, 1, 0.1);
    ES_CHECK_INT(report(p, 1, 2, NAN).action, CONT);
    es_pruner_destroy(p);

    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
    c.startup_trials = 1;
    p = make(&c, 0);
    report(p, 0, 0, NAN);
    report(p, 1, 0, 2.0);
    es_pruner_trial_done(p, 0, 1);
    es_pruner_trial_done(p, 1, 1);
    d = report(p, 2, 0, 3.0); /* reference: NaN (left out) and 2.0 */
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_NEAR(d.cutoff, 2.0, 0);
    ES_CHECK_CONTAINS(d.reason, "of 1 completed trials");
    es_pruner_destroy(p);
}

/* ---- asha ----------------------------------------------------------------- */

static es_pruner *asha(int64_t min_iter, double eta, int64_t max_iter, int maximize)
{
    es_prune_config c = cfg_of(ES_PRUNE_ASHA);
    c.min_iter = min_iter;
    c.eta = eta;
    c.max_iter = max_iter;
    return make(&c, maximize);
}

/* Rungs min_iter * eta^k, kept while a promotion is possible
 * (min_iter * eta^(k+1) <= max_iter); max_iter 0: no limit. */
ES_TEST(asha_rungs)
{
    static const struct {
        int64_t min_iter, eta, max_iter;
        size_t n;
        int64_t want[5];
    } rows[] = {
        {1, 3, 27, 3, {1, 3, 9}}, {1, 3, 26, 2, {1, 3}}, {2, 2, 16, 3, {2, 4, 8}},
        {2, 2, 17, 3, {2, 4, 8}}, {2, 2, 15, 2, {2, 4}}, {5, 4, 20, 1, {5}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        es_pruner *p = asha(rows[i].min_iter, (double)rows[i].eta, rows[i].max_iter, 0);
        int64_t got[8];
        ES_CHECK_INT(es_pruner_rungs(p, got, 8), rows[i].n);
        for (size_t k = 0; k < rows[i].n; k++)
            ES_CHECK_INT(got[k], rows[i].want[k]);
        es_pruner_destroy(p);
    }
    es_pruner *p = asha(1, 3, 0, 0);
    check_rungs(p, (const int64_t[]){1, 3, 9, 27, 81}, 5);
    ES_CHECK(es_pruner_rungs(p, NULL, 0) > 30);
    es_pruner_destroy(p);
}

/* Trials reach rung 1 one after another; with n values recorded there a
 * trial is promoted when it is at least as good as sorted[max(n/3 - 1, 0)]
 * (Optuna's _is_trial_promotable_to_next_rung). */
ES_TEST(asha_promotion_as_rung_fills)
{
    static const struct {
        double value;
        es_prune_action want;
        double cutoff;
    } rows[] = {
        {5.0, CONT, 5.0},   /* n 1: the best so far */
        {6.0, STOP, 5.0},   /* n 2: only the best */
        {4.0, CONT, 4.0},   /* n 3: top 1 */
        {4.5, STOP, 4.0},   /* n 4 */
        {7.0, STOP, 4.0},   /* n 5 */
        {4.2, CONT, 4.2},   /* n 6: top 2 = {4, 4.2}, ties promote */
        {4.4, STOP, 4.2},   /* n 7 */
        {4.1, CONT, 4.1},   /* n 8: top 2 = {4, 4.1} */
        {4.15, CONT, 4.15}, /* n 9: top 3 = {4, 4.1, 4.15} */
    };
    for (int maximize = 0; maximize <= 1; maximize++) {
        double s = maximize ? -1.0 : 1.0;
        es_pruner *p = asha(1, 3, 27, maximize);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            es_prune_decision d = report(p, i, 1, s * rows[i].value);
            if (d.action != rows[i].want)
                ES_FAIL("maximize %d, trial %zu (%g): %s", maximize, i, rows[i].value, d.reason);
            ES_CHECK_INT(d.rung, 1);
            ES_CHECK_NEAR(d.cutoff, s * rows[i].cutoff, 0);
            ES_CHECK_INT(es_pruner_rung_count(p, 0), i + 1); /* stopped ones count too */
        }
        es_pruner_destroy(p);
    }
}

ES_TEST(asha_reason_text)
{
    es_pruner *p = asha(1, 3, 27, 0);
    report(p, 0, 1, 0.41);
    es_prune_decision d = report(p, 1, 1, 0.52);
    ES_CHECK_STR(
        d.reason,
        "val_loss 0.52 at step 1 is not in the top 1/3 at rung 1 (cutoff 0.41 over 2 trials)");
    es_pruner_destroy(p);
}

/* Between rungs nothing is checked; the value at a rung is the value of the
 * first report at or past it. */
ES_TEST(asha_checks_only_at_rungs)
{
    es_pruner *p = asha(2, 2, 0, 0); /* rungs 2, 4, 8, ... */
    report(p, 0, 2, 1.0);
    report(p, 0, 4, 1.0);
    es_prune_decision d = report(p, 1, 1, 100); /* before rung 2 */
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, -1);
    d = report(p, 1, 3, 0.5); /* passes rung 2 at step 3 with 0.5 */
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, 2);
    d = report(p, 2, 5, 0.7); /* passes rungs 2 and 4 at once: [0.5 0.7 1] at 2 */
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_INT(d.rung, 2);
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 3);
    ES_CHECK_INT(es_pruner_rung_count(p, 1), 1);
    es_pruner_destroy(p);
}

/* One report past several rungs records the same value at each. */
ES_TEST(asha_jump_over_several_rungs)
{
    es_pruner *p = asha(1, 3, 27, 0);
    es_prune_decision d = report(p, 0, 10, 2.0);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_INT(d.rung, 9);
    for (size_t k = 0; k < 3; k++)
        ES_CHECK_INT(es_pruner_rung_count(p, k), 1);
    ES_CHECK_INT(report(p, 1, 27, 1.0).rung, 9); /* better at each: promoted up to 9 */
    /* Past the last rung (max_iter 27): never checked again. */
    ES_CHECK_INT(report(p, 0, 30, 99).rung, -1);
    es_pruner_destroy(p);
}

/* NaN at a rung stops the trial (Optuna); NaN between rungs does not. */
ES_TEST(asha_nan)
{
    es_pruner *p = asha(2, 2, 0, 0);
    ES_CHECK_INT(report(p, 0, 1, NAN).action, CONT);
    es_prune_decision d = report(p, 0, 2, NAN);
    ES_CHECK_INT(d.action, STOP);
    ES_CHECK_STR(d.reason, "val_loss is NaN at rung 2 (step 2)");
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 0);
    es_pruner_destroy(p);
}

/* ---- Trials' life cycle --------------------------------------------------- */

/* After a stop, later reports get the same decision and record nothing. */
ES_TEST(stopped_trial_stays_stopped)
{
    es_pruner *p = asha(1, 3, 27, 0);
    report(p, 0, 1, 1.0);
    es_prune_decision first = report(p, 1, 1, 2.0);
    ES_CHECK_INT(first.action, STOP);
    es_prune_decision again = report(p, 1, 3, 0.0);
    ES_CHECK_INT(again.action, STOP);
    ES_CHECK_STR(again.reason, first.reason);
    ES_CHECK_INT(again.rung, 1);
    ES_CHECK_INT(es_pruner_rung_count(p, 1), 0);
    es_pruner_destroy(p);
}

ES_TEST(refused_reports)
{
    es_pruner *p = asha(1, 3, 27, 0);
    es_prune_decision d;
    ES_CHECK_INT(es_pruner_report(p, 0, -1, 1.0, &d), -EINVAL);
    ES_CHECK_STR(d.reason, "ignored: negative step -1");
    ES_CHECK_INT(es_pruner_report(p, 0, 5, 1.0, &d), 0);
    ES_CHECK_INT(es_pruner_report(p, 0, 5, 1.0, &d), -EINVAL);
    ES_CHECK_INT(d.action, CONT);
    ES_CHECK_STR(d.reason, "ignored: step 5 is not after step 5");
    ES_CHECK_INT(es_pruner_report(p, 0, 4, 1.0, &d), -EINVAL);
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 1);
    ES_CHECK_INT(es_pruner_trial_done(p, 0, 1), 0);
    ES_CHECK_INT(es_pruner_report(p, 0, 6, 1.0, &d), -EINVAL);
    ES_CHECK_STR(d.reason, "ignored: trial 0 has already ended");
    ES_CHECK_INT(es_pruner_trial_done(p, 0, 1), -EINVAL);
    ES_CHECK_INT(es_pruner_trial_done(p, 7, 0), 0); /* never reported */
    ES_CHECK_INT(es_pruner_report(p, 7, 1, 1.0, &d), -EINVAL);
    es_pruner_destroy(p);
    es_pruner_destroy(NULL);
}

ES_TEST(none_always_continues)
{
    es_prune_config c;
    es_prune_config_init(&c, ES_PRUNE_NONE);
    es_pruner *p = make(&c, 0);
    for (int i = 0; i < 10; i++)
        ES_CHECK_INT(report(p, (uint64_t)i, 1, (double)i * 1e6).action, CONT);
    ES_CHECK_INT(es_pruner_rungs(p, NULL, 0), 0);
    es_pruner_destroy(p);
}

ES_TEST(median_has_no_rungs)
{
    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
    es_pruner *p = make(&c, 0);
    ES_CHECK_INT(es_pruner_rungs(p, NULL, 0), 0);
    ES_CHECK_INT(es_pruner_rung_count(p, 0), 0);
    es_pruner_destroy(p);
}

/* ---- Configuration -------------------------------------------------------- */

ES_TEST(config_defaults)
{
    es_prune_config c;
    es_prune_config_init(&c, ES_PRUNE_HYPERBAND);
    ES_CHECK_NEAR(c.eta, 3, 0);
    ES_CHECK_INT(c.strict, 0);
    ES_CHECK_INT(c.min_steps, 0);
    ES_CHECK_INT(c.startup_trials, 5);
    ES_CHECK_INT(c.min_trials, 1);
    ES_CHECK_STR(es_prune_type_name(ES_PRUNE_HYPERBAND), "hyperband");
    ES_CHECK_STR(es_prune_type_name(ES_PRUNE_MEDIAN), "median");
    ES_CHECK_STR(es_prune_type_name(ES_PRUNE_ASHA), "asha");
    ES_CHECK_STR(es_prune_type_name(ES_PRUNE_NONE), "none");
}

/* Each row: a config spoiled in one key, and the message naming it. */
ES_TEST(config_validation_messages)
{
    static const struct {
        es_prune_type type;
        int64_t min_iter, max_iter, s;
        double eta;
        int64_t min_steps, startup, min_trials;
        const char *want;
    } rows[] = {
        {ES_PRUNE_HYPERBAND, 3, 0, 0, 1, 0, 5, 1,
         "early_terminate.eta: expected a number > 1, got 1"},
        {ES_PRUNE_HYPERBAND, 3, 0, 0, NAN, 0, 5, 1,
         "early_terminate.eta: expected a number > 1, got nan"},
        {ES_PRUNE_HYPERBAND, 0, 0, 0, 3, 0, 5, 1,
         "early_terminate: hyperband needs min_iter, or max_iter and s"},
        {ES_PRUNE_HYPERBAND, -3, 0, 0, 3, 0, 5, 1,
         "early_terminate.min_iter: expected an integer >= 1, got -3"},
        {ES_PRUNE_HYPERBAND, 0, -1, 2, 3, 0, 5, 1,
         "early_terminate.max_iter: expected an integer >= 1, got -1"},
        {ES_PRUNE_HYPERBAND, 0, 27, 0, 3, 0, 5, 1,
         "early_terminate.s: expected an integer from 1 to 100 with max_iter, got 0"},
        {ES_PRUNE_HYPERBAND, 0, 2, 2, 3, 0, 5, 1,
         "early_terminate.max_iter: 2 / eta 3 is below 1, so there is no bracket"},
        {ES_PRUNE_MEDIAN, 0, 0, 0, 3, -1, 5, 1,
         "early_terminate.min_steps: expected an integer >= 0, got -1"},
        {ES_PRUNE_MEDIAN, 0, 0, 0, 3, 0, -2, 1,
         "early_terminate.startup_trials: expected an integer >= 0, got -2"},
        {ES_PRUNE_MEDIAN, 0, 0, 0, 3, 0, 5, 0,
         "early_terminate.min_trials: expected an integer >= 1, got 0"},
        {ES_PRUNE_ASHA, 1, 0, 0, 2.5, 0, 5, 1,
         "early_terminate.eta: expected an integer >= 2 for asha, got 2.5"},
        {ES_PRUNE_ASHA, 1, 0, 0, 1, 0, 5, 1,
         "early_terminate.eta: expected an integer >= 2 for asha, got 1"},
        {ES_PRUNE_ASHA, 0, 0, 0, 3, 0, 5, 1,
         "early_terminate.min_iter: expected an integer >= 1, got 0"},
        {ES_PRUNE_ASHA, 3, 5, 0, 3, 0, 5, 1,
         "early_terminate.max_iter: expected 0 (no limit) or at least min_iter * eta = 9, got 5"},
        {(es_prune_type)42, 0, 0, 0, 3, 0, 5, 1,
         "early_terminate.type: expected hyperband, median or asha, got 42"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        es_prune_config c = cfg_of(rows[i].type);
        c.min_iter = rows[i].min_iter;
        c.max_iter = rows[i].max_iter;
        c.s = rows[i].s;
        c.eta = rows[i].eta;
        c.min_steps = rows[i].min_steps;
        c.startup_trials = rows[i].startup;
        c.min_trials = rows[i].min_trials;
        es_err err = {0};
        ES_CHECK_INT(es_prune_config_validate(&c, &err), ES_ESPEC);
        ES_CHECK_INT(err.code, ES_ESPEC);
        ES_CHECK_STR(err.msg, rows[i].want);

        /* create refuses the same config with the same message */
        es_pruner *p = (es_pruner *)&err; /* must be reset to NULL */
        es_err err2 = {0};
        ES_CHECK_INT(es_pruner_create(&c, 0, &p, &err2), ES_ESPEC);
        ES_CHECK(p == NULL);
        ES_CHECK_STR(err2.msg, rows[i].want);
    }
}

ES_TEST(config_valid_examples)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.min_iter = 3;
    ES_CHECK_INT(es_prune_config_validate(&c, NULL), 0);
    c = cfg_of(ES_PRUNE_HYPERBAND);
    c.max_iter = 27;
    c.s = 2;
    ES_CHECK_INT(es_prune_config_validate(&c, NULL), 0);
    c = cfg_of(ES_PRUNE_MEDIAN);
    ES_CHECK_INT(es_prune_config_validate(&c, NULL), 0);
    c = cfg_of(ES_PRUNE_ASHA);
    c.min_iter = 1;
    c.max_iter = 3; /* exactly min_iter * eta: one rung */
    ES_CHECK_INT(es_prune_config_validate(&c, NULL), 0);
}

/* Reports without a step are numbered last + 1 by the caller; the last
 * step keeps counting after a stop, while the process takes time to die. */
ES_TEST(last_step_numbers_unstepped_reports)
{
    es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
    c.min_iter = 1;
    c.eta = 2;
    es_pruner *p = make(&c, 0);
    ES_CHECK_INT(es_pruner_last_step(p, 7), 0);
    ES_CHECK_INT(report(p, 1, es_pruner_last_step(p, 1) + 1, 1.0).action, CONT);
    ES_CHECK_INT(report(p, 2, es_pruner_last_step(p, 2) + 1, 2.0).action, CONT);
    /* cutoff: sorted {1, 2, 3}[(int)(3 / 2)] = 2 */
    ES_CHECK_INT(report(p, 3, es_pruner_last_step(p, 3) + 1, 3.0).action, STOP);
    ES_CHECK_INT(es_pruner_last_step(p, 1), 1);
    ES_CHECK_INT(es_pruner_last_step(p, 3), 1);
    ES_CHECK_INT(report(p, 3, 5, 0.5).action, STOP); /* stopped for good */
    ES_CHECK_INT(es_pruner_last_step(p, 3), 5);
    ES_CHECK_INT(report(p, 1, 4, 1.0).action, CONT);
    ES_CHECK_INT(es_pruner_last_step(p, 1), 4);
    ES_CHECK_INT(es_pruner_last_step(NULL, 1), 0);
    es_pruner_destroy(p);
}

/* ---- levels (what a Bayesian search learns early values from) ------------- */

static void check_levels(const es_pruner *p, uint64_t trial, const double *want, size_t n_want)
{
    double got[ES_PRUNE_LEVELS_MAX];
    size_t n = es_pruner_trial_levels(p, trial, got, ES_PRUNE_LEVELS_MAX);
    if (n != n_want)
        ES_FAIL("trial %llu has %zu levels, want %zu", (unsigned long long)trial, n, n_want);
    for (size_t k = 0; k < n; k++)
        ES_CHECK_NEAR(got[k], want[k], 0);
}

/* Hyperband: level k is bracket k, a trial's value there the report that
 * passed it, in the metric's sign; a stopped trial records nothing more;
 * the cap bounds what is written, not what is counted. */
ES_TEST(levels_hyperband_brackets_and_sign)
{
    for (int maximize = 0; maximize <= 1; maximize++) {
        double s = maximize ? -1 : 1; /* better is lower, in either goal's terms */
        es_prune_config c = cfg_of(ES_PRUNE_HYPERBAND);
        c.max_iter = 27;
        c.s = 2; /* brackets 3, 9 */
        es_pruner *p = make(&c, maximize);
        ES_CHECK_INT(es_pruner_level_at(p, 0), 3);
        ES_CHECK_INT(es_pruner_level_at(p, 1), 9);
        ES_CHECK_INT(es_pruner_level_at(p, 2), -1);
        check_levels(p, 0, NULL, 0); /* never reported */
        for (int64_t i = 1; i <= 12; i++)
            report(p, 0, i, s * (20.0 - (double)i));
        check_levels(p, 0, (const double[]){s * 17, s * 11}, 2);
        /* Worse at bracket 3 than trial 0: stopped, nothing after. */
        CURVE(p, 1, s * 30, s * 30, s * 30);
        ES_CHECK_INT(report(p, 1, 4, s * 1).action, STOP);
        for (int64_t i = 5; i <= 12; i++)
            report(p, 1, i, s * 1);
        check_levels(p, 1, (const double[]){s * 30}, 1);
        double one[1];
        ES_CHECK_INT(es_pruner_trial_levels(p, 0, one, 1), 2);
        ES_CHECK_NEAR(one[0], s * 17, 0);
        ES_CHECK_INT(es_pruner_trial_done(p, 0, 1), 0);
        check_levels(p, 0, (const double[]){s * 17, s * 11}, 2); /* kept after the end */
        es_pruner_destroy(p);
    }
}

/* Asha: level k is rung k; one report past several rungs records its
 * value at each. */
ES_TEST(levels_asha_rungs)
{
    es_pruner *p = asha(1, 3, 27, 0);
    ES_CHECK_INT(es_pruner_level_at(p, 2), 9);
    ES_CHECK_INT(es_pruner_level_at(p, 3), -1);
    report(p, 0, 10, 2.0);
    check_levels(p, 0, (const double[]){2, 2, 2}, 3);
    report(p, 1, 1, 1.0); /* better than trial 0 at rung 1: promoted */
    report(p, 1, 2, 0.8);
    report(p, 1, 3, 0.5);
    check_levels(p, 1, (const double[]){1, 0.5}, 2);
    report(p, 2, 1, 5.0); /* worse than both: stopped at rung 1 */
    report(p, 2, 3, 0.1);
    check_levels(p, 2, (const double[]){5}, 1);
    es_pruner_destroy(p);
}

/* Median: level k is step max(min_steps, 1) x 2^k, a trial's value there
 * its first non-NaN report at or past it. */
ES_TEST(levels_median_steps)
{
    es_prune_config c = cfg_of(ES_PRUNE_MEDIAN);
    c.min_steps = 2;
    es_pruner *p = make(&c, 0);
    ES_CHECK_INT(es_pruner_level_at(p, 0), 2);
    ES_CHECK_INT(es_pruner_level_at(p, 3), 16);
    report(p, 0, 1, 9.0);  /* below the first level */
    report(p, 0, 2, NAN);  /* not a value */
    report(p, 0, 3, 7.0);  /* level 0 (2), first value at or past it */
    report(p, 0, 4, 6.0);  /* level 1 (4) */
    report(p, 0, 5, 5.0);  /* none */
    report(p, 0, 20, 1.0); /* levels 2 (8) and 3 (16) */
    check_levels(p, 0, (const double[]){7, 6, 1, 1}, 4);
    es_pruner_destroy(p);

    /* Where the schedule ends (min_steps x 2^k past INT64_MAX), no level
     * more is recorded. */
    c.min_steps = INT64_C(1) << 61;
    p = make(&c, 0);
    ES_CHECK_INT(es_pruner_level_at(p, 1), INT64_C(1) << 62);
    ES_CHECK_INT(es_pruner_level_at(p, 2), -1);
    report(p, 0, INT64_MAX, 3.0);
    check_levels(p, 0, (const double[]){3, 3}, 2);
    es_pruner_destroy(p);
}
