/*
 * report_rungs.c -- a sweep's energy by rung of its early-termination
 * schedule, and how many configurations each rung saw, for every report
 * format.
 *
 * The schedule is the sweep's own: its recorded spec's `early_terminate`
 * through the pruner that ran it (es_pruner_level_at: hyperband's
 * brackets, asha's rungs, the median rule's steps min_steps x 2^k), cut
 * where no trial got to.  A trial got to the step es_rep_trial_reached
 * says (its pruned step, or how far its reports went); with hyperband,
 * whose brackets count reports, to its number of finite reports.  A
 * pruned trial's reports that arrived between the rule's decision and its
 * stop count too, so with reports faster than a stop it can sit a row
 * past the rung that stopped it.  Row 0 is what
 * ran before the first rung; row k >= 1 starts at rung k.  A row counts
 * the configurations that reached its start, the trials that stopped
 * within it (pruned there, completed, failed or otherwise ended before
 * the next rung) and their energy: the rows' energies add up to the
 * sweep's, every trial in exactly one row.  Reused trials ran nowhere,
 * lost attempts run again under their number and running trials have
 * not ended: all are left out.  The energy is the trials' joules at the devices, by the
 * methods the report names for the sweep.
 */
#include <math.h>
#include <string.h>

#include "account.h"
#include "prune.h"
#include "report_int.h"

/* The schedule of sw's early_terminate into at[] (rung k + 1 at at[k]);
 * how many; 0 with none or a spec that does not parse.  *reports: the
 * rungs count reports (hyperband), not steps. */
static size_t rung_schedule(const es_store_sweep *sw, int64_t *at, const char **kind, int *reports)
{
    es_spec *sp = NULL;
    es_err err;
    es_pruner *p = NULL;
    size_t n = 0;
    if (sw->spec_text == NULL ||
        es_spec_parse_string(sw->spec_text, strlen(sw->spec_text), "spec", &sp, &err) != 0)
        return 0;
    es_prune_config cfg = sp->early_terminate;
    cfg.metric_name = sp->metric_name;
    *kind = cfg.type == ES_PRUNE_HYPERBAND ? "bracket"
            : cfg.type == ES_PRUNE_ASHA    ? "rung"
                                           : "step";
    *reports = cfg.type == ES_PRUNE_HYPERBAND;
    if (cfg.type != ES_PRUNE_NONE && cfg.metric_name != NULL &&
        es_pruner_create(&cfg, sp->goal == ES_GOAL_MAXIMIZE, &p, &err) == 0) {
        for (int64_t a; n < ES_REP_RUNGS_MAX - 1 && (a = es_pruner_level_at(p, n)) > 0;)
            at[n++] = a;
        es_pruner_destroy(p);
    }
    es_spec_free(sp);
    return n;
}

/* A trial the rows count: one that ran (no reuse) and ended. */
static int rung_counted(const es_store_trial *t)
{
    return t->reused_from == 0 && !es_rep_trial_is(t, ES_TRIAL_LOST) &&
           !es_rep_trial_is(t, ES_TRIAL_RUNNING);
}

void es_rep_rungs_of(const es_store_sweep *sw, es_rep_rungs *out)
{
    int64_t at[ES_REP_RUNGS_MAX];
    int reports = 0;
    memset(out, 0, sizeof *out);
    size_t n = rung_schedule(sw, at, &out->kind, &reports);
    /* Cut the schedule past the furthest any trial got. */
    int64_t top = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        int64_t got = reports ? t->reports : es_rep_trial_reached(t);
        if (rung_counted(t) && got > top)
            top = got;
    }
    while (n > 0 && at[n - 1] > top)
        n--;
    if (n == 0)
        return; /* no rung reached: nothing to say */
    out->n = n + 1;
    out->r[0].at = 0;
    for (size_t k = 0; k < n; k++)
        out->r[k + 1].at = at[k];
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (!rung_counted(t))
            continue;
        int64_t got = reports ? t->reports : es_rep_trial_reached(t);
        size_t row = 0;
        for (size_t k = 0; k < out->n; k++)
            if (got >= out->r[k].at) {
                out->r[k].reached++;
                row = k;
            }
        es_rep_rung *r = &out->r[row];
        r->ended++;
        r->pruned += es_rep_is_pruned(t);
        r->completed += es_rep_trial_is(t, ES_TRIAL_COMPLETED);
        if (es_rep_energy_known(t)) {
            r->j += es_account_joules(&t->cpu, &t->dram, &t->gpu);
            out->methods |= 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
        } else {
            r->unmeasured++;
        }
    }
}

void es_rep_write_rung_lines(FILE *f, const char *prefix, const es_rep_rungs *r)
{
    if (r->n < 2)
        return;
    double total = 0;
    for (size_t k = 0; k < r->n; k++)
        total += r->r[k].j;
    fprintf(f, "%senergy by rung (%s):", prefix, es_account_method_label(r->methods));
    for (size_t k = 0; k < r->n; k++) {
        const es_rep_rung *g = &r->r[k];
        int other = g->ended - g->pruned - g->completed;
        if (k == 0)
            fprintf(f, " before %s %lld, %d configuration%s", r->kind, (long long)r->r[1].at,
                    g->reached, g->reached == 1 ? "" : "s");
        else
            fprintf(f, "; %s %lld, %d reached it", r->kind, (long long)g->at, g->reached);
        fprintf(f, ", %d ended there (%d pruned, %d completed", g->ended, g->pruned, g->completed);
        if (other > 0)
            fprintf(f, ", %d failed or stopped otherwise", other);
        if (g->unmeasured == g->ended && g->ended > 0)
            fputs("), energy not measured", f);
        else
            fprintf(f, "), %.4g J (%.0f%%)", g->j, total > 0 ? 100.0 * g->j / total : 0.0);
        if (g->unmeasured > 0 && g->unmeasured < g->ended)
            fprintf(f, ", %d not measured", g->unmeasured);
    }
    fputc('\n', f);
}
