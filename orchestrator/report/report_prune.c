/*
 * report_prune.c -- what early termination did in a sweep, for every
 * report format: how many trials were pruned, the energy they used, and an
 * estimate of the energy pruning saved.
 *
 * The estimate.  What a pruned trial would have cost had it run to the end
 * is unknown; it is estimated per configuration, from the trial's own
 * pace:
 *
 *   final  = the median final step of the sweep's completed trials that ran
 *            (not reused) with a known energy: how long a trial runs;
 *   rate   = a trial's energy per step after its first report: its average
 *            power (joules / wall seconds) times its seconds per step
 *            between its first and its last report of the objective;
 *   saved  = rate x max(0, final - reached), reached being the step it got
 *            to; full = used + saved (its estimated cost to the end).
 *
 * The pace after the first report leaves out what the trial spent before
 * it (an interpreter starting, data loading), which does not recur per
 * step: taken per step, as a median joules per step of the completed
 * trials did, it overstated the saving 1.4-2.3 times in the early-
 * termination benchmark, and a configuration that costs more per step
 * than the median was understated.  A trial whose pace cannot be told (a
 * single report, or reports that arrived together) takes the median rate
 * of the completed trials, measured the same way (or, where their pace
 * cannot be told either, their joules / final step).  The range: each
 * pruned trial's saving under its own rate and under the completed trials'
 * median rate, the lower and the higher summed; tests/bench's early-
 * termination benchmark checks both against the same configurations run to
 * the end.  A sweep's saved energy is the sum over its pruned trials, and
 * its estimated full cost their used energy plus that, so used + saved =
 * full for every trial and for the sweep, as the report prints them.
 * Without a completed trial to take the final step from, nothing is
 * estimated (NAN, printed as "not estimated").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "numbers.h"
#include "report_int.h"

int es_rep_is_pruned(const es_store_trial *t)
{
    return es_rep_trial_is(t, ES_TRIAL_PRUNED);
}

int64_t es_rep_trial_reached(const es_store_trial *t)
{
    return t->pruned_step > t->steps ? t->pruned_step : t->steps;
}

/* A trial's energy per step after its first report (see above); NAN when
 * its pace cannot be told. */
static double own_rate(const es_store_trial *t)
{
    double span = t->last_report_t - t->first_report_t;
    double steps = (double)(t->steps - t->first_step);
    double wall = isfinite(t->wall_s) && t->wall_s > 0 ? t->wall_s : t->ended - t->started;
    double used = es_account_joules(&t->cpu, &t->dram, &t->gpu);
    if (!(span > 0) || !(steps > 0) || !(wall > 0) || !(used > 0) || span > wall * 1.5)
        return NAN;
    return used / wall * fmin(span, wall) / steps;
}

void es_rep_prune_trial(const es_rep_prune *p, const es_store_trial *t, es_rep_prune_est *out)
{
    out->full_j = out->saved_j = out->low_j = out->high_j = NAN;
    out->own = 0;
    if (!es_rep_is_pruned(t) || !isfinite(p->final_step))
        return;
    double used = es_account_joules(&t->cpu, &t->dram, &t->gpu);
    double left = p->final_step - (double)es_rep_trial_reached(t);
    double own = own_rate(t), median = p->j_per_step;
    if (!(left > 0))
        left = 0;
    out->own = isfinite(own);
    out->saved_j = (out->own ? own : median) * left;
    out->low_j = out->high_j = out->saved_j;
    if (out->own && isfinite(median)) {
        out->low_j = fmin(own, median) * left;
        out->high_j = fmax(own, median) * left;
    }
    out->full_j = used + out->saved_j;
}

void es_rep_prune_of(const es_store_sweep *sw, es_rep_prune *out)
{
    size_t n = sw->n_trials ? sw->n_trials : 1;
    double *rate = malloc(n * sizeof *rate), *final = malloc(n * sizeof *final);
    memset(out, 0, sizeof *out);
    out->j_per_step = out->final_step = out->full_j = out->saved_j = NAN;
    out->saved_low_j = out->saved_high_j = NAN;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (es_rep_is_pruned(t)) {
            out->pruned++;
            out->used_j += es_account_joules(&t->cpu, &t->dram, &t->gpu);
        } else if (rate != NULL && final != NULL && es_rep_trial_is(t, ES_TRIAL_COMPLETED) &&
                   t->reused_from == 0 && es_rep_energy_known(t) && t->steps > 0) {
            double r = own_rate(t);
            rate[out->basis] =
                isfinite(r) ? r : es_account_joules(&t->cpu, &t->dram, &t->gpu) / (double)t->steps;
            final[out->basis++] = (double)t->steps;
        }
    }
    if (out->basis > 0) {
        out->j_per_step = es_median(rate, (size_t)out->basis);
        out->final_step = es_median(final, (size_t)out->basis);
        out->saved_j = out->saved_low_j = out->saved_high_j = 0;
        for (size_t i = 0; i < sw->n_trials; i++) {
            es_rep_prune_est e;
            es_rep_prune_trial(out, &sw->trials[i], &e);
            if (!isfinite(e.saved_j))
                continue;
            out->saved_j += e.saved_j;
            out->saved_low_j += e.low_j;
            out->saved_high_j += e.high_j;
            out->own_pace += e.own;
        }
        out->full_j = out->used_j + out->saved_j;
    }
    free(rate);
    free(final);
}

void es_rep_write_prune_lines(FILE *f, const char *prefix, const es_rep_prune *p,
                              const es_energy_factors *fa)
{
    es_cost used, saved;
    if (p->pruned == 0)
        return;
    es_account(fa, p->used_j, 0, &used);
    fprintf(f, "%searly termination: %d trial%s pruned, which used %.4g J (%.4g kWh)\n", prefix,
            p->pruned, p->pruned == 1 ? "" : "s", p->used_j, used.kwh);
    if (!isfinite(p->saved_j)) {
        fprintf(f,
                "%senergy saved by early termination: not estimated (no completed trial with a "
                "known energy and reported steps to take an energy per step from)\n",
                prefix);
        return;
    }
    es_account(fa, p->saved_j, 0, &saved);
    fprintf(f,
            "%senergy saved by early termination: about %.4g J (%.4g kWh), range %.4g-%.4g J, "
            "%.0f%% of the %.4g J running the pruned trials to step %.4g would have cost (an "
            "estimate per configuration: each pruned trial's power times its own seconds per "
            "step (%d of %d; the others at the median) over the steps it had left; the range "
            "also takes the median %.4g J per step of %d completed trial%s, after their first "
            "report)\n",
            prefix, p->saved_j, saved.kwh, p->saved_low_j, p->saved_high_j,
            p->full_j > 0 ? 100.0 * p->saved_j / p->full_j : 0.0, p->full_j, p->final_step,
            p->own_pace, p->pruned, p->j_per_step, p->basis, p->basis == 1 ? "" : "s");
}
