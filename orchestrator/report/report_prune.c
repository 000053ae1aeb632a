/*
 * report_prune.c -- what early termination did in a sweep, for every
 * report format: how many trials were pruned, the energy they used, and an
 * estimate of the energy pruning saved.
 *
 * The estimate.  What a pruned trial would have cost had it run to the end
 * is unknown; it is estimated from the sweep's completed trials, as the
 * issue asks ("from completed trials' energy per step"):
 *
 *   rate   = the median, over the completed trials that ran (not reused)
 *            with a known energy and at least one reported step, of their
 *            joules at the devices / the step they finished at;
 *   final  = the median of those trials' final steps (the sweep's typical
 *            length);
 *   for each pruned trial, reached = the step it got to (its last step, or
 *            its number of reports when it printed no step), and
 *            saved = rate x max(0, final - reached),
 *            full  = used + saved (its estimated cost to the end).
 *
 * Medians rather than means, so that one odd trial (a slow start, a noisy
 * meter) does not move the figure.  A sweep's saved energy is the sum over
 * its pruned trials, and its estimated full cost is their used energy plus
 * that, so used + saved = full for every trial and for the sweep, exactly
 * as the report prints them.  It assumes that a step costs about the same
 * whatever the configuration; where configurations differ much in cost per
 * step, it is only a rough figure.  Without a completed trial to take the
 * rate from, nothing is estimated (NAN, printed as "not estimated").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "numbers.h"
#include "report_int.h"

static int known_energy(const es_store_trial *t)
{
    return t->cpu.method != ES_EM_NONE || t->dram.method != ES_EM_NONE ||
           t->gpu.method != ES_EM_NONE;
}

int es_rep_is_pruned(const es_store_trial *t)
{
    return es_rep_trial_is(t, ES_TRIAL_PRUNED);
}

int64_t es_rep_trial_reached(const es_store_trial *t)
{
    return t->pruned_step > t->steps ? t->pruned_step : t->steps;
}

void es_rep_prune_trial(const es_rep_prune *p, const es_store_trial *t, double *full_j,
                        double *saved_j)
{
    *full_j = *saved_j = NAN;
    if (!es_rep_is_pruned(t) || !isfinite(p->j_per_step))
        return;
    double used = es_account_joules(&t->cpu, &t->dram, &t->gpu);
    double left = p->final_step - (double)es_rep_trial_reached(t);
    *saved_j = p->j_per_step * (left > 0 ? left : 0.0);
    *full_j = used + *saved_j;
}

void es_rep_prune_of(const es_store_sweep *sw, es_rep_prune *out)
{
    size_t n = sw->n_trials ? sw->n_trials : 1;
    double *rate = malloc(n * sizeof *rate), *final = malloc(n * sizeof *final);
    memset(out, 0, sizeof *out);
    out->j_per_step = out->final_step = out->full_j = out->saved_j = NAN;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (es_rep_is_pruned(t)) {
            out->pruned++;
            out->used_j += es_account_joules(&t->cpu, &t->dram, &t->gpu);
        } else if (rate != NULL && final != NULL && es_rep_trial_is(t, ES_TRIAL_COMPLETED) &&
                   t->reused_from == 0 && known_energy(t) && t->steps > 0) {
            rate[out->basis] = es_account_joules(&t->cpu, &t->dram, &t->gpu) / (double)t->steps;
            final[out->basis++] = (double)t->steps;
        }
    }
    if (out->basis > 0) {
        out->j_per_step = es_median(rate, (size_t)out->basis);
        out->final_step = es_median(final, (size_t)out->basis);
        out->saved_j = 0;
        for (size_t i = 0; i < sw->n_trials; i++) {
            double full, saved;
            es_rep_prune_trial(out, &sw->trials[i], &full, &saved);
            if (isfinite(saved))
                out->saved_j += saved;
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
            "%senergy saved by early termination: about %.4g J (%.4g kWh), %.0f%% of the %.4g J "
            "running the pruned trials to step %.4g would have cost (an estimate: the median "
            "%.4g J per step of %d completed trial%s, times the steps each pruned trial had "
            "left)\n",
            prefix, p->saved_j, saved.kwh, p->full_j > 0 ? 100.0 * p->saved_j / p->full_j : 0.0,
            p->full_j, p->final_step, p->j_per_step, p->basis, p->basis == 1 ? "" : "s");
}
