/*
 * loop_results.c -- what a trial's result does to its sweep: the counts of
 * the summary, the first trials' failures (max_initial_failures), the best
 * result and the metric's target, and a configuration recorded from an
 * earlier trial's result instead of run (reuse).  See loop_int.h.
 */
#include <math.h>
#include <stdio.h>

#include "loop_int.h"

static int better(const es_spec *sp, double a, double b)
{
    return sp->goal == ES_GOAL_MAXIMIZE ? a > b : a < b;
}

void es_loop_count_initial(sweep *sw, int64_t number, es_trial_status status, const char *reason)
{
    const es_spec *sp = sw->spec;
    if (sp->max_initial_failures <= 0 || number >= sp->max_initial_failures ||
        (status != ES_TRIAL_FAILED && status != ES_TRIAL_TIMED_OUT))
        return;
    if (++sw->initial_failed >= sp->max_initial_failures && sw->sum->completed == 0)
        es_loop_stop_launching(sw, "failed",
                               "the first %ld trials all failed (the last: %s); fix the program "
                               "and run again (max_initial_failures: 0 goes on regardless)",
                               sp->max_initial_failures,
                               reason != NULL && reason[0] ? reason : "no reason recorded");
}

void es_loop_count_status(es_run_summary *s, es_trial_status status)
{
    switch (status) {
    case ES_TRIAL_COMPLETED:
        s->completed++;
        break;
    case ES_TRIAL_TIMED_OUT:
        s->timed_out++;
        break;
    case ES_TRIAL_INTERRUPTED:
        s->interrupted++;
        break;
    case ES_TRIAL_BUDGET_STOPPED:
        s->budget_stopped++;
        break;
    case ES_TRIAL_PRUNED:
        s->pruned++;
        break;
    case ES_TRIAL_LOST:
        s->lost++;
        break;
    case ES_TRIAL_RUNNING: /* never ends a trial */
    case ES_TRIAL_FAILED:
        s->failed++;
        break;
    }
}

/* A trial's result is known (run or reused): keep the best, and end the
 * sweep when it reaches the metric's target; a trial that lacks an
 * objective or breaks a constraint (counts 0) is neither. */
void es_loop_after_result(sweep *sw, int64_t number, double obj, int counts)
{
    const es_spec *sp = sw->spec;
    es_run_summary *s = sw->sum;
    if (isnan(obj) || !counts)
        return;
    if (s->best_number < 0 || better(sp, obj, s->best_objective)) {
        s->best_number = number;
        s->best_objective = obj;
    }
    if (sp->has_target && (sp->goal == ES_GOAL_MAXIMIZE ? obj >= sp->target : obj <= sp->target))
        es_loop_stop_launching(sw, "finished", "metric target reached: %s=%.6g in trial %lld",
                               sp->metric_name, obj, (long long)number);
}

/* Record a configuration the project already completed as a completed
 * trial of this sweep, without running it: its result is reused and it
 * costs nothing (the original trial keeps its energy). */
int es_loop_trial_reuse(sweep *sw, trial *t, const es_store_reuse *ru, const char *cmd_json,
                        const char *inputs_key)
{
    const es_spec *sp = sw->spec;
    char reason[400];
    es_err err;
    es_trial_new tn = {.sweep_id = sw->id,
                       .number = t->number,
                       .spec = sp,
                       .values = t->values,
                       .command_json = cmd_json,
                       .log_dir = t->dir,
                       .started = t->started,
                       .reused_from = ru->trial_id,
                       .forecast_j = NAN,
                       .inputs_key = inputs_key};
    snprintf(reason, sizeof reason, "reused the result of trial %lld of sweep %s",
             (long long)ru->number, ru->sweep_name);
    es_trial_end e = {.status = ES_TRIAL_COMPLETED,
                      .reason = reason,
                      .objective = ru->objective,
                      .ended = es_loop_now(),
                      .result = NULL};
    int counts = 1;
    int rc = es_store_trial_reused(sw->st, &tn, ru->trial_id, &e, &t->id, &err);
    if (rc == ES_EBUSY) {
        (void)es_loop_db_rc(sw, rc, &err);
        return rc; /* nothing recorded: the retry launches it again */
    }
    if (rc != 0 ||
        (rc = es_search_observe(sw->search, (uint64_t)t->number, t->values, ES_OBS_COMPLETED,
                                ru->objective, ru->joules, &err)) != 0) {
        es_loop_fatal(sw, &err);
        return rc;
    }
    if (sp->n_objectives + sp->n_constraints > 0) {
        /* Its values are the original's, copied with its history. */
        es_loop_stored ms = {.factors = &sp->energy};
        es_store_metric *rows = NULL;
        es_store_phase *ph = NULL;
        if ((rc = es_store_trial_last_metrics(sw->st, t->id, &rows, &ms.n, &err)) != 0 ||
            (rc = es_store_trial_phases(sw->st, t->id, &ph, &ms.n_ph, &err)) != 0) {
            es_store_metrics_free(rows, ms.n);
            es_loop_fatal(sw, &err);
            return rc;
        }
        ms.m = rows;
        ms.ph = ph;
        rc = es_loop_observe_values(sw, t->number, es_loop_stored_metric, &ms, ru->joules,
                                    ru->wall_s, &counts, &err);
        es_store_metrics_free(rows, ms.n);
        es_store_phases_free(ph, ms.n_ph);
        if (rc != 0) {
            es_loop_fatal(sw, &err);
            return rc;
        }
    }
    sw->sum->launched++;
    sw->sum->completed++;
    sw->sum->reused++;
    char saved[96] = "what it saved is not known: the original's energy was not measured";
    if (isfinite(ru->joules))
        snprintf(saved, sizeof saved, "saved %.3g J", ru->joules);
    if (sp->metric_name != NULL)
        es_loop_say(sw, "trial %lld reused trial %lld of sweep %s: %s=%.6g, 0 kWh (%s)",
                    (long long)t->number, (long long)ru->number, ru->sweep_name, sp->metric_name,
                    ru->objective, saved);
    else
        es_loop_say(sw, "trial %lld reused trial %lld of sweep %s: 0 kWh (%s)",
                    (long long)t->number, (long long)ru->number, ru->sweep_name, saved);
    /* Its values are the original's, priced with this sweep's factors. */
    es_loop_after_result(sw, t->number, ru->objective, counts);
    return 0;
}

int es_loop_observe_levels(sweep *sw, int64_t trial_id, int64_t number, es_err *err)
{
    double lv[ES_SEARCH_LEVELS_MAX];
    if (sw->pruner == NULL || trial_id < 0)
        return 0;
    size_t n = es_pruner_trial_levels(sw->pruner, (uint64_t)trial_id, lv, ES_SEARCH_LEVELS_MAX);
    if (n > ES_SEARCH_LEVELS_MAX)
        n = ES_SEARCH_LEVELS_MAX;
    return n == 0 ? 0 : es_search_observe_levels(sw->search, (uint64_t)number, lv, n, err);
}

void es_loop_say_fidelity(sweep *sw)
{
    const es_spec *sp = sw->spec;
    int l = es_search_fidelity_level(sw->search);
    if (sw->pruner == NULL || l < 0 || l + 2 == sw->fid_said)
        return;
    sw->fid_said = l + 2;
    if (l == ES_SEARCH_LEVEL_FINAL) {
        es_loop_say(sw, "bayes learns %s from the completed trials' results", sp->metric_name);
        return;
    }
    const char *kind = sp->early_terminate.type == ES_PRUNE_HYPERBAND ? "bracket"
                       : sp->early_terminate.type == ES_PRUNE_ASHA    ? "rung"
                                                                      : "step";
    es_loop_say(sw,
                "bayes learns %s at %s %lld, the highest that enough finished trials reached "
                "(few have completed; model-based multi-fidelity)",
                sp->metric_name, kind, (long long)es_pruner_level_at(sw->pruner, (size_t)l));
}
