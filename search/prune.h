/*
 * prune.h -- early termination: should a running trial stop now?
 *
 * Pure decision logic behind the spec's `early_terminate` section: no
 * processes, no event loop, no I/O, no randomness.  The orchestrator feeds
 * each intermediate value a running trial reports (es_pruner_report) and
 * tells the pruner when a trial ends (es_pruner_trial_done); each report is
 * answered with continue or stop, and a stop comes with a one-line reason.
 * The same reports in the same order always give the same decisions.
 *
 * Values are compared in the direction of the sweep's goal: with
 * maximize = 1 a larger value is better.  Internally every rule works on
 * "loss" values (the value, negated when maximizing), so ties and cutoffs
 * are exactly mirrored between the two goals.
 *
 * The three rules
 * ---------------
 *
 * hyperband -- W&B's `early_terminate: {type: hyperband}`, as implemented by
 *   wandb/sweeps src/sweeps/hyperband_stopping.py (hyperband_stop_runs) and
 *   documented in W&B's "Define a sweep configuration" and "Sweep
 *   configuration options" pages.
 *   Brackets.  With min_iter: min_iter, min_iter*eta, min_iter*eta^2, ...
 *   (each truncated to an integer; W&B lists 100 of them, we stop before
 *   2^53, far past any trial).  With max_iter and s: max_iter/eta,
 *   max_iter/eta^2, ... max_iter/eta^s, truncated, stopping early at the
 *   first quotient below 1, sorted ascending.  max_iter wins when both are
 *   given; s may be 1 to 100 here.  Examples from W&B's docs: min_iter 3,
 *   eta 3 -> 3, 9, 27, 81, ...; max_iter 27, s 2, eta 3 -> 3, 9.
 *   Iterations are counted, not read from the step: W&B's docs say that
 *   brackets count logged values and ignore the step counter.  A trial's
 *   iteration is the number of finite values it has reported; it reaches
 *   bracket b at its b-th finite report, and its value "at bracket b" is
 *   that report's value.  Non-finite values (NaN,
 *   +-inf) are dropped as W&B's metric_history(filter_invalid=True) drops
 *   them: not counted, not recorded -- but the trial is still checked
 *   against the current cutoff, since W&B re-checks running runs
 *   periodically whatever they log.
 *   Cutoff of bracket b: the values at b of every trial that has reached b
 *   (running, stopped, completed or failed, the reporting trial included),
 *   sorted best first; cutoff = sorted[(size_t)((1.0 / eta) * n)].
 *   Check, at every report: let b be the last bracket the trial has
 *   reached (none yet: continue).  The trial stops when its value is worse
 *   (strictly) than b's cutoff, where its value is its best finite value
 *   so far (default, W&B's conservative condition) or, with strict, its
 *   value at b (the more aggressive rule, closer to the original Hyperband
 *   paper; off by default in W&B's docs).  A trial thus survives while it
 *   is among the best floor(n/eta)+1 at its bracket, ties kept;
 *   the cutoff tightens as more trials reach the bracket, so a trial may
 *   pass a bracket and be stopped at a later report before the next one.
 *
 * median -- the median stopping rule as in Optuna's MedianPruner
 *   (PercentilePruner at 50, optuna/pruners/_percentile.py; Golovin et al.,
 *   "Google Vizier", KDD 2017).  At a report of step s:
 *     - no stop while fewer than max(1, startup_trials) trials have
 *       completed (Optuna's n_startup_trials, default 5), or while
 *       s < min_steps (Optuna's n_warmup_steps);
 *     - best = the trial's best non-NaN value over all its reports so far;
 *       a trial with no non-NaN value at all is stopped;
 *     - the reference is the values that *completed* trials reported at
 *       exactly step s.  Fewer than min_trials of them (Optuna's
 *       n_min_trials, default 1; NaN values count here): no stop.  Their
 *       median (NaN values left out; the mean of the two middle values for
 *       an even count, as numpy's nanpercentile(50)); all NaN: no stop;
 *     - stop when best is worse (strictly) than that median.
 *   Only completed trials are compared against (as Optuna and Vizier do):
 *   running trials' curves are unfinished, and stopped or failed trials are
 *   a biased sample.  Optuna's interval_steps is not offered (every report
 *   is checked).
 *
 * asha -- asynchronous successive halving (Li et al., "A System for
 *   Massively Parallel Hyperparameter Tuning", MLSys 2020, arXiv:1810.05934)
 *   in its stopping form, exactly as Optuna's SuccessiveHalvingPruner
 *   (optuna/pruners/_successive_halving.py) with min_resource = min_iter,
 *   reduction_factor = eta, min_early_stopping_rate = 0, bootstrap_count = 0.
 *   eta must be an integer >= 2 (as Optuna's reduction_factor).
 *   Rungs are steps: min_iter * eta^k, k = 0, 1, ...; with max_iter > 0 only
 *   those from which a trial can still be promoted (min_iter * eta^(k+1) <=
 *   max_iter): the top rung is where survivors run to completion.
 *   At a report of step s, for each rung r the trial has not yet passed
 *   with s >= r (a report may pass several at once, with the same value):
 *   a NaN value stops the trial; otherwise the value is recorded at r for
 *   good, then compared with every value recorded at r so far (its own
 *   included, from trials in any state), sorted best first: with n values
 *   the trial is promoted when its value is at least as good as
 *   sorted[max(n / eta - 1, 0)] (integer division), i.e. when it is among
 *   the top floor(n/eta) -- or the best, while n < eta -- else it stops.
 *   Reports between rungs are never stopped.  +-inf are ordinary values.
 *
 * Trials and reports
 * ------------------
 * A trial is created by its first report.  Its steps must increase; a
 * report with a negative step, or a step not after the trial's previous
 * one, is refused (-EINVAL, nothing recorded).  After a stop decision the
 * trial is stopped for good: later reports (a process takes time to die)
 * are not recorded (only their step is kept, for es_pruner_last_step) and
 * are answered with the same stop decision.
 * es_pruner_trial_done() ends a trial: completed = 1 makes its reported
 * curve part of the median rule's reference; completed = 0 (failed,
 * killed, no result) does not.  hyperband and asha keep every value a
 * trial recorded at a rung, whatever became of the trial, as W&B and
 * Optuna do.  A stopped trial stays stopped when it is later declared done.
 *
 * Cost: a few numbers per trial, plus for hyperband and asha one sorted
 * array per rung of the values recorded there (O(trials x rungs reached)
 * in all), and for median the (step, value) curve of every running or
 * completed trial (O(reports); dropped when a trial fails or is stopped).
 * A hyperband or asha report costs O(log T + T) (a sorted insert) with T
 * trials at the rung; a median report O(C log R + C log C) with C completed
 * trials of R reports each.
 *
 * Ownership: es_pruner_create() copies everything it needs from the config
 * (metric_name included) and returns an object the caller frees with
 * es_pruner_destroy() (NULL allowed).  Decisions are written into structs
 * the caller owns; no returned pointer refers into the pruner except
 * es_prune_type_name()'s static strings.
 *
 * Errors: 0, or -EINVAL (bad argument or refused report), -ENOMEM, or
 * ES_ESPEC from err.h (invalid config, with the message in err).
 */
#ifndef ES_PRUNE_H
#define ES_PRUNE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "spec.h"

/* es_prune_type, es_prune_config and their checks are in spec.h: the
 * spec parser reads and validates them, and the pruner applies the same
 * checks when it is created. */

#define ES_PRUNE_REASON_MAX 256

typedef enum es_prune_action { ES_PRUNE_CONTINUE = 0, ES_PRUNE_STOP = 1 } es_prune_action;

typedef struct es_prune_decision {
    es_prune_action action;
    /* Where the rule was applied: hyperband's bracket (an iteration
     * count), asha's rung or median's step; -1 when no rule applied. */
    int64_t rung;
    /* The value the trial was compared with (cutoff or median, in the
     * metric's own sign); NAN when there was none. */
    double cutoff;
    /* Why: a sentence for the log, e.g. "val_loss 0.52 at step 9 is not in
     * the top 1/3 at rung 9 (cutoff 0.41 over 7 trials)"; empty when no
     * rule applied. */
    char reason[ES_PRUNE_REASON_MAX];
} es_prune_decision;

typedef struct es_pruner es_pruner;

/* Validate cfg and create a pruner for a metric to maximize (1) or
 * minimize (0).  0, ES_ESPEC (message in err) or -ENOMEM. */
int es_pruner_create(const es_prune_config *cfg, int maximize, es_pruner **out /* OUT */,
                     es_err *err);
void es_pruner_destroy(es_pruner *p);

/* Trial `trial` reports `value` at `step`.  Writes the decision into *out
 * (always, even on error, where it is continue with the refusal as its
 * reason).  0; -EINVAL for a negative step, a step not after the trial's
 * previous one, or a trial already declared done; -ENOMEM. */
int es_pruner_report(es_pruner *p, uint64_t trial, int64_t step, double value,
                     es_prune_decision *out /* OUT */);

/* The step of trial `trial`'s last report, stop decisions included (0 when
 * it has reported nothing), so that a caller can number the reports that
 * come without a step: last + 1. */
int64_t es_pruner_last_step(es_pruner *p, uint64_t trial);

/* Trial `trial` has ended: completed (1) with a result, or not (0).
 * Unknown trials are recorded as ended.  0, -EINVAL when it was already
 * declared done, or -ENOMEM. */
int es_pruner_trial_done(es_pruner *p, uint64_t trial, int completed);

/* The share of a trial's steps, to final_step, that cfg's rule lets the
 * average trial run if it prunes as it is designed to: hyperband and asha
 * let a share 1/eta of the trials past each bracket or rung (the first of
 * which every trial reaches), the median rule stops half of them at the
 * first step it may act on.  An optimistic figure (W&B's conservative
 * hyperband keeps more, and no rule saves what a trial spends before its
 * first step), the low end of a range whose high end is 1: `ecosweep
 * estimate` uses it so.  1 for no rule or no final step. */
double es_prune_expected_fraction(const es_prune_config *cfg, double final_step);

/* The rung schedule: hyperband's brackets (iteration counts) or asha's
 * rungs (steps), ascending; median has none.  Writes the first min(n, cap)
 * into rungs[] and returns n. */
size_t es_pruner_rungs(const es_pruner *p, int64_t *rungs /* OUT */, size_t cap);

/* Levels: what a Bayesian search learns a trial's early values from
 * (es_search_observe_level, model-based multi-fidelity).  Level k is
 * hyperband's bracket k (an iteration count) or asha's rung k (a step), and
 * a trial's value there is the one the rule recorded (the report that
 * reached it); with median, level k is step max(min_steps, 1) x 2^k and a
 * trial's value there is that of its first non-NaN report at or past it.
 * Nothing is recorded once a trial is stopped.  At most
 * ES_PRUNE_LEVELS_MAX levels per trial.
 *
 * es_pruner_level_at: level k's bracket or step, -1 past the schedule.
 * es_pruner_trial_levels: trial's values at the levels it reached, in
 * order from level 0, in the metric's own sign; writes min(n, cap) of them
 * and returns n (0 for a trial never reported). */
#define ES_PRUNE_LEVELS_MAX 32
int64_t es_pruner_level_at(const es_pruner *p, size_t k);
size_t es_pruner_trial_levels(const es_pruner *p, uint64_t trial, double *x /* OUT */, size_t cap);

/* How many trials have recorded a value at rung number k (index into the
 * schedule), for reports; 0 when k is out of range. */
size_t es_pruner_rung_count(const es_pruner *p, size_t k);

#endif
