/*
 * search.h -- where the next trial's configuration comes from.
 *
 * Pure: a spec, a seed and observations in, configurations out; no
 * processes, no event loop, no database.  Random and grid suggestions depend
 * only on (spec, seed, index), so they come in the same sequence whatever
 * order trials finish in.  Bayesian suggestions also depend on what has been
 * observed (es_search_observe): with the same seed and the same observations
 * in the same order, they are the same.
 *
 * Ownership: es_search_create() returns an object the caller frees with
 * es_search_destroy() (NULL allowed).  The search keeps a pointer to the spec,
 * which must outlive it.  Values written by es_search_suggest() belong to the
 * caller (clear them with es_values_free / es_value_clear from spec.h).
 */
#ifndef ES_SEARCH_H
#define ES_SEARCH_H

#include <stdint.h>

#include "rng.h"
#include "spec.h"

typedef struct es_search es_search;

/* Create a search for spec->method (random, grid or bayes).  Grid requires
 * every parameter to be enumerable:
 * constant, categorical, int_uniform, or q_uniform; anything else is an
 * ES_ESPEC error naming the parameter and its line. */
int es_search_create(const es_spec *spec, uint64_t seed, es_search **out, es_err *err);
void es_search_destroy(es_search *s);

/* Write the configuration of trial number `index` (0-based launch order)
 * into values[0 .. spec->n_params-1].  Returns 0; ES_EEXHAUSTED when a grid
 * has no configuration with that index, or bayes has seen every
 * configuration of a space of discrete parameters (err->msg says which:
 * "search space exhausted (6 configurations)"); ES_EBUDGET when an energy budget is
 * set (es_search_set_energy_budget) and no candidate's forecast energy fits
 * it -- err->msg then says so with the forecast that decided it, e.g.
 * "budget would be exceeded: the cheapest candidate is forecast at 812 J
 * (95% bound), 140 J remain". */
int es_search_suggest(es_search *s, uint64_t index, es_value *values /* OUT */, es_err *err);

/* ---- What the search learns ------------------------------------------------ */

typedef enum es_obs_status {
    ES_OBS_PENDING = 0, /* launched, still running: bayes avoids proposing it again */
    ES_OBS_COMPLETED,   /* objective is its finite result */
    ES_OBS_FAILED,      /* crashed, timed out, no metric: imputed as the worst seen */
    ES_OBS_PRUNED       /* stopped by early termination; objective is its last
                         * reported value (NAN when none): a partial observation,
                         * counted at the worse of that value and the median of
                         * the completed results (bayes only; see model.c) */
} es_obs_status;

/* Record trial `index` with its configuration (values are copied).
 * Observing an index again replaces what was known (pending -> completed).
 * energy_j is the trial's measured or estimated joules, NAN when unknown
 * (pending trials).  Every method keeps observations, so forecasts work
 * for random and grid sweeps too (pruned trials' energies, cut short, are
 * left out of forecasts).  Random and grid suggestions ignore results.
 * 0 or -ENOMEM. */
int es_search_observe(es_search *s, uint64_t index, const es_value *values, es_obs_status status,
                      double objective, double energy_j, es_err *err);

/* With several objectives or constraints: trial index's values of
 * spec->objectives (n_objectives of them, in the spec's units, whatever
 * each goal) followed by those of spec->constraints, NAN where the trial
 * gave none; call it after the es_search_observe that recorded the trial's
 * end (which forgets earlier values).  Bayes then learns, for each
 * suggestion, one scalarization of the objectives with constraint
 * violations placed above every feasible trial (scalar.c); random and grid
 * ignore them.  0, -ENOENT when index was never observed, or -ENOMEM. */
int es_search_observe_values(es_search *s, uint64_t index, const double *values, es_err *err);

/* Model-based multi-fidelity: trial index's values of the metric at the
 * levels of the early-termination schedule it reached (values[k] at level
 * k, in the metric's own sign, from es_pruner_trial_levels: hyperband's
 * brackets, asha's rungs, the median rule's steps; non-finite: not known),
 * given after the es_search_observe that recorded its end (which forgets
 * earlier levels).  While fewer than max(4, k + 2) trials (k searched
 * parameters) have completed, bayes learns the objective at the highest
 * level that many finished trials reached, every trial there an exact
 * observation, BOHB's rule (Falkner et al., ICML 2018); and at every
 * level a trial stopped below it counts at its value at the highest
 * level it reached carried up by a line fitted on the trials that reached
 * both (fidelity.c).  Random and grid ignore them.  0, -ENOENT when index
 * was never observed, or -ENOMEM. */
#define ES_SEARCH_LEVELS_MAX 32
int es_search_observe_levels(es_search *s, uint64_t index, const double *values, size_t n,
                             es_err *err);
/* The level the latest bayes suggestion's objective surrogate learnt
 * from: -1 before any (or for random and grid), ES_SEARCH_LEVEL_FINAL
 * for the completed trials' results, else the level number. */
#define ES_SEARCH_LEVEL_FINAL 1000
int es_search_fidelity_level(const es_search *s);

/* Warm start: a completed trial of an earlier sweep of the same program,
 * given before the first suggestion (the same trials in the same order on
 * every run of a sweep, so that its suggestions stay reproducible).
 * group numbers the earlier sweeps (0-based, below ES_SEARCH_WARM_GROUPS);
 * values[i] is the trial's value of the spec's parameter i where known[i]
 * (every trial of one group knows the same parameters); objective is the
 * spec's metric as that trial reported it, energy_j its joules at the
 * devices (NAN: not measured).  Nothing of it is a result of this sweep.
 * Bayes learns it as prior data: a surrogate per earlier sweep whose
 * prediction, with an offset and a scale learnt from this sweep's own
 * trials (and a weight that falls to 0 when they disagree),
 * is the objective surrogate's prior mean; and the first trials of the
 * design are the earlier sweeps' best configurations; the energy surrogate
 * learns the energies of those that knew every parameter as they are
 * (prior.c), so that a budget is judged from the first trial.  With
 * several objectives, random or grid it is not used.  0 when taken, 1 when
 * the trial does not fit this space (a value outside it, another value of
 * one of its constants, none of its parameters), -ENOMEM. */
#define ES_SEARCH_WARM_GROUPS ES_SPEC_WARM_MAX
int es_search_warm(es_search *s, size_t group, const es_value *values, const unsigned char *known,
                   double objective, double energy_j, es_err *err);
/* Fit what the trials es_search_warm took teach (else the first suggestion
 * does): a second or so for thousands of them, which a caller may rather
 * spend before its event loop starts.  0 or -ENOMEM. */
int es_search_warm_fit(es_search *s, es_err *err);
/* How many trials es_search_warm took for group, and the weight the
 * latest suggestion gave its surrogate (b_g, prior.c; 1 / groups before
 * this sweep's first trials, 0 when its data run against this sweep's or
 * it is not in use). */
size_t es_search_warm_count(const es_search *s, size_t group);
double es_search_warm_weight(const es_search *s, size_t group);

/* The energy the sweep may still spend on new trials, in joules (NAN or
 * +INFINITY: no budget; below 0, when running trials are forecast past the
 * budget, counts as 0: nothing fits), and the whole budget (for the cost-aware cooling
 * schedule).  With a budget, bayes proposes only configurations whose
 * forecast energy (95% upper bound) fits remaining_j, and favours
 * improvement per predicted joule early in the budget. */
void es_search_set_energy_budget(es_search *s, double remaining_j, double total_j);

/* Forecast of the joules a configuration would use, from the energy of the
 * completed trials observed so far: *median_j and a 95% upper bound
 * *upper_j.  With bayes this is the energy surrogate; with random and grid
 * (or too few observations for a surrogate) it is the spread of the
 * observed energies.  -ENODATA when no completed trial has an energy. */
int es_search_forecast(es_search *s, const es_value *values, double *median_j /* OUT */,
                       double *upper_j /* OUT */);

/* Number of distinct configurations: the grid's size, or 0 for unbounded. */
uint64_t es_search_size(const es_search *s);

/* Draw one value of parameter p from its distribution.  Exposed so tests can
 * check each distribution's statistics.  0 or -ENOMEM. */
int es_sample_param(const es_param *p, es_rng *rng, es_value *out /* OUT */);

#endif
