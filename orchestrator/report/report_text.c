/*
 * report_text.c -- the text report, the default of `ecosweep report`: per
 * project its totals, R&D tiers and imports; per sweep its totals, the
 * notes of the view (factors, budget, forecasts, reuse, early termination,
 * Slurm), the best trial, the expected-max curve, sensitivity, and one row
 * per trial.  It prints the view (report_view.c) and computes nothing.
 */
#include <math.h>
#include <string.h>

#include "report_int.h"

const char es_rep_estimate_note[] =
    "Energy by 'estimate' is a power model times CPU time and memory, not a measurement;\n"
    "'not measured' means no meter was available, not zero. See the README's energy "
    "accounting.\n";

static void t_cost(FILE *f, const char *indent, const es_rep_tally *ty)
{
    fputs(indent, f);
    es_rep_write_counts(f, ty);
    if (ty->jobs > 0)
        fprintf(f, "; plus %d imported jobs", ty->jobs);
    fprintf(f, "\n%s", indent);
    es_rep_write_cost(f, ty);
    fputc('\n', f);
}

static void t_tier(FILE *f, const char *name, const es_tier *t)
{
    char k[32], g[32], e[32];
    if (!t->available) {
        fprintf(f, "    %-9s  %s\n", name, t->what);
        return;
    }
    fprintf(f, "    %-9s %6d %10.4g %12s %10s %13s %9.4g  %s\n", name, t->jobs, t->cost.hours,
            es_rep_tier_num(k, sizeof k, t, t->cost.kwh),
            es_rep_tier_num(g, sizeof g, t, t->cost.co2e_kg),
            es_rep_tier_num(e, sizeof e, t, t->cost.usd_electricity), t->cost.usd_cloud, t->what);
}

static void t_footprint(FILE *f, const es_footprint *fp)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    fprintf(f, "  R&D footprint (Strubell et al. 2019 tiers; %s):\n", es_rep_tier_statistic);
    fprintf(f, "    %-9s %6s %10s %12s %10s %13s %9s  %s\n", "tier", "jobs", "hours", "kWh",
            "kg CO2e", "electricity $", "cloud $", "which");
    t_tier(f, "one model", &fp->one_model);
    t_tier(f, "one tune", &fp->one_tune);
    t_tier(f, "all R&D", &fp->all_rd);
    if (!es_rep_methods_known(fp->all_rd.methods)) {
        fputs("    all R&D: energy not measured, so no equivalents\n", f);
        return;
    }
    fprintf(f, "    all R&D equals");
    for (size_t i = 0; i < n_eq; i++)
        fprintf(f, "%s %.4g %s", i ? "," : "", es_equivalent_value(&eq[i], &fp->all_rd.cost),
                eq[i].text);
    fputs(" (sources below)\n", f);
}

static void t_curve(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_sweep_stats *ss = &sv->stats;
    size_t pts[40], n_pts;
    if (ss->n == 0)
        return;
    n_pts = es_rep_curve_points(ss->n, pts, 40);
    fprintf(f, "    expected best %s of n trials (Dodge et al. 2019):", sv->metric);
    for (size_t i = 0; i < n_pts; i++) {
        fprintf(f, "%s n=%zu %.6g", i ? "," : "", pts[i], ss->emax[es_rep_curve_index(ss, pts[i])]);
        if (isfinite(ss->kwh_per_trial))
            fprintf(f, " (%.3g kWh)", ss->kwh_per_trial * (double)pts[i]);
    }
    if (!isfinite(ss->kwh_per_trial))
        fputs(" (no kWh: not every trial's energy was measured)", f);
    fputc('\n', f);
}

static void t_sensitivity(FILE *f, const char *what, const es_sensitivity *s, size_t n, size_t used)
{
    if (used == 0)
        return;
    fprintf(f, "    what moved %s (", what);
    es_rep_write_sens_heading(f, s, n, used);
    fputs(n > 0 ? "):" : ")", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s %s ", i ? "," : "", s[i].param);
        es_rep_write_share(f, &s[i]);
        fprintf(f, " [%zu %s]", s[i].groups,
                strcmp(s[i].method, "levels") == 0 ? "levels" : "bins");
    }
    fputc('\n', f);
}

/* The front: its sentence, then one row per trial on it. */
static void t_front(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    if (sv->sw->n_constraints > 0) {
        fputs("    ", f);
        es_rep_write_constraints(f, sv);
        fputc('\n', f);
    }
    if (fr->m == 0)
        return;
    fputs("    ", f);
    es_rep_write_front_summary(f, sv);
    fputc('\n', f);
    for (size_t k = 0; k < fr->n_front && k < ES_REP_FRONT_ROWS; k++) {
        size_t i = fr->front[k];
        fprintf(f, "      #%-5lld", (long long)sv->trials[i].t->number);
        for (size_t j = 0; j < fr->m; j++)
            fprintf(f, "  %s %.6g", sv->sw->objectives[j].name, fr->y[i * fr->m + j]);
        fprintf(f, "  (energy by %s)  %s\n", es_rep_config_method(sv->trials[i].t),
                sv->trials[i].t->params_json ? sv->trials[i].t->params_json : "{}");
    }
    if (fr->n_front > ES_REP_FRONT_ROWS)
        fprintf(f, "      ... and %zu more on the front (JSON lists every one)\n",
                fr->n_front - ES_REP_FRONT_ROWS);
}

/* "12.5 J counter (rapl:package-0)", "3 J estimate", "not measured". */
static const char *part_text(const es_energy_part *p, char *buf, size_t cap)
{
    if (p->method == ES_EM_NONE)
        snprintf(buf, cap, "not measured");
    else if (p->source[0] != '\0')
        snprintf(buf, cap, "%.4g J %s (%s)", p->j, es_em_name(p->method), p->source);
    else
        snprintf(buf, cap, "%.4g J %s", p->j, es_em_name(p->method));
    return buf;
}

/* infeasible: a completed trial that breaks a constraint or lacks an
 * objective's value, and so is no candidate for the best. */
static void t_trial(FILE *f, const es_rep_trial_view *tv, int infeasible)
{
    const es_store_trial *t = tv->t;
    char obj[32], kwh[32], g[32], usd[32];
    if (isnan(t->objective))
        snprintf(obj, sizeof obj, "-");
    else
        snprintf(obj, sizeof obj, "%.6g", t->objective);
    /* No meter and no estimate: "-", never a measured-looking 0 (a reuse
     * ran nothing: its 0 is true). */
    if (es_report_energy_unknown(t)) {
        snprintf(kwh, sizeof kwh, "-");
        snprintf(g, sizeof g, "-");
        snprintf(usd, sizeof usd, "-");
    } else {
        snprintf(kwh, sizeof kwh, "%.3g", tv->cost.kwh);
        snprintf(g, sizeof g, "%.4g", tv->cost.co2e_kg * 1000);
        snprintf(usd, sizeof usd, "%.3g", tv->cost.usd);
    }
    fprintf(f, "    %5lld  %-14s %12s %10s %11s %9s %8.1f  %s", (long long)t->number, t->status,
            obj, kwh, g, usd, isfinite(t->wall_s) ? t->wall_s : 0.0, t->params_json);
    if (t->reason != NULL) {
        fputs("  -- ", f);
        for (const char *c = t->reason; *c; c++) /* one row: control characters as spaces */
            fputc((unsigned char)*c < 0x20 ? ' ' : *c, f);
    }
    if (t->reused_from > 0)
        fprintf(f, "  (reused trial #%lld)", (long long)t->reused_from);
    if (tv->pruned)
        fprintf(f, "  (pruned at step %lld)", (long long)tv->reached);
    if (infeasible)
        fputs("  (not feasible)", f);
    fputc('\n', f);
}

static void t_sweep(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    char started[32];
    es_rep_iso_time(sw->started, started, sizeof started);
    fprintf(f, "\n  Sweep %s (#%lld, %s, seed %llu, started %s): %s%s%s\n", sw->name,
            (long long)sw->id, sw->method, (unsigned long long)sw->seed, started, sw->status,
            sw->reason ? " - " : "", sw->reason ? sw->reason : "");
    t_cost(f, "    ", &sv->tally);
    for (size_t i = 0; i < sv->n_notes; i++)
        fprintf(f, "    %s\n", sv->notes[i]);
    if (sv->best != NULL)
        fprintf(f, "    best: trial %lld, %s=%.6g, %s\n", (long long)sv->best->t->number,
                sw->metric, sv->best->t->objective, sv->best->t->params_json);
    for (int k = 0; k < 2; k++)
        if (es_rep_near_best_shown(sv, k)) {
            fputs("    ", f);
            es_rep_write_near_best(f, sv, &sv->near[k]);
            fputc('\n', f);
        }
    t_front(f, sv);
    t_curve(f, sv);
    t_sensitivity(f, sv->metric == sw->metric ? sv->metric : "the objective", sv->stats.obj,
                  sv->stats.n_obj, sv->stats.obj_trials);
    t_sensitivity(f, "the energy", sv->stats.kwh, sv->stats.n_kwh, sv->stats.kwh_trials);
    if (sw->n_trials == 0)
        return;
    fprintf(f, "    %5s  %-14s %12s %10s %11s %9s %8s  %s\n", "trial", "status", sv->metric, "kWh",
            "gCO2e", "USD", "wall_s", "params / reason");
    const unsigned char *feasible = es_rep_candidates(&sv->front);
    for (size_t k = 0; k < sw->n_trials; k++)
        t_trial(f, &sv->trials[k],
                feasible != NULL && es_rep_trial_is(sv->trials[k].t, ES_TRIAL_COMPLETED) &&
                    !feasible[k]);
    es_rep_write_phase_table(f, sv, ES_REP_TABLE_TEXT);
    char a[112], b[112], g[112];
    const es_store_trial *t0 = &sw->trials[0];
    fprintf(f, "    energy of trial %lld by component: cpu %s, dram %s, gpu %s\n",
            (long long)t0->number, part_text(&t0->cpu, a, sizeof a),
            part_text(&t0->dram, b, sizeof b), part_text(&t0->gpu, g, sizeof g));
}

void es_rep_write_text(const es_rep_view *v, FILE *f)
{
    es_rep_write_overrides(f, v->override);
    if (v->n_projects == 0)
        fputs("No sweeps recorded yet.\n", f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_rep_project_view *pv = &v->projects[i];
        const es_store_project *p = pv->p;
        fprintf(f, "Project %s: %zu sweep%s", p->name, p->n_sweeps, p->n_sweeps == 1 ? "" : "s");
        if (p->n_imports > 0)
            fprintf(f, ", %zu import%s (%d jobs)", p->n_imports, p->n_imports == 1 ? "" : "s",
                    pv->tally.jobs);
        fputc('\n', f);
        t_cost(f, "  ", &pv->tally);
        if (pv->has_footprint)
            t_footprint(f, &pv->footprint);
        for (size_t j = 0; j < p->n_imports; j++) {
            const es_rep_import_view *iv = &pv->imports[j];
            char when[32];
            es_rep_iso_time(iv->im->imported, when, sizeof when);
            fprintf(f,
                    "  Imported #%lld: %s (%s, %s), %d jobs, %.4g hours, %.4g kWh, %.4g kg "
                    "CO2e, $%.4g, energy by %s\n",
                    (long long)iv->im->id, iv->im->file, iv->im->format, when, iv->tally.jobs,
                    iv->tally.cost.hours, iv->tally.cost.kwh, iv->tally.cost.co2e_kg,
                    iv->tally.cost.usd, es_account_method_label(iv->tally.methods));
        }
        for (size_t j = 0; j < p->n_sweeps; j++)
            t_sweep(f, &pv->sweeps[j]);
        fputc('\n', f);
    }
    if (v->n_projects > 1) {
        fprintf(f, "All %zu projects:\n", v->n_projects);
        t_cost(f, "  ", &v->totals);
        fputc('\n', f);
    }
    if (v->n_projects > 0) {
        size_t n_eq;
        const es_equivalent *eq = es_report_equivalents(&n_eq);
        fputs(es_rep_estimate_note, f);
        if (!v->partial)
            for (size_t i = 0; i < n_eq; i++)
                fprintf(f, "%s: %s\n", eq[i].text, eq[i].source);
    }
}
