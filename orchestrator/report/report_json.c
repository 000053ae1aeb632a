/*
 * report_json.c -- the JSON report: stable (fields are only ever added), its
 * layout documented in report.h and the README.  Every number comes from the
 * tally and the sweep analysis of report_int.h, as in the other formats;
 * numbers JSON cannot hold (NaN, unknown) are written as null.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numbers.h"
#include "report_int.h"

static void j_str(FILE *f, const char *s)
{
    es_json_write_str(f, s);
}

static void j_num(FILE *f, double x)
{
    es_json_write_num(f, x);
}

static void j_key(FILE *f, const char *k)
{
    j_str(f, k);
    fputs(": ", f);
}

static void j_time(FILE *f, double t)
{
    char buf[32];
    if (!isfinite(t)) {
        fputs("null", f);
        return;
    }
    es_rep_iso_time(t, buf, sizeof buf);
    j_str(f, buf);
}

/* ", "key": value" -- one member after the first of an object. */
static void j_fstr(FILE *f, const char *key, const char *val)
{
    fprintf(f, ", \"%s\": ", key);
    j_str(f, val);
}

static void j_fnum(FILE *f, const char *key, double x)
{
    fprintf(f, ", \"%s\": ", key);
    j_num(f, x);
}

static void j_ftime(FILE *f, const char *key, double t)
{
    fprintf(f, ", \"%s\": ", key);
    j_time(f, t);
}

/* The cost members; the first is written without a leading comma.  When
 * nothing measured the energy (known 0), what depends on it is null. */
static void j_cost(FILE *f, const es_cost *c, int known)
{
    fputs("\"kwh\": ", f);
    j_num(f, known ? c->kwh : NAN);
    j_fnum(f, "co2e_kg", known ? c->co2e_kg : NAN);
    j_fnum(f, "usd", known ? c->usd : NAN);
    j_fnum(f, "usd_electricity", known ? c->usd_electricity : NAN);
    j_fnum(f, "usd_cloud", c->usd_cloud);
    j_fnum(f, "trial_hours", c->hours);
}

/* with_jobs: also "imported_jobs" (projects and the totals).  A sweep's
 * count of trials is "n_trials": its "trials" is the list of them (one key
 * for both made JSON readers keep only the list). */
static void j_tally(FILE *f, const es_rep_tally *t, int with_jobs, const char *count_key)
{
    j_cost(f, &t->cost, es_rep_tally_known(t));
    fprintf(f, ", \"%s\": %d, \"trials_by_status\": ", count_key, t->trials);
    es_rep_write_by_status(f, t);
    j_fstr(f, "energy_method", es_account_method_label(t->methods));
    fprintf(f, ", \"unmeasured\": %d", t->unmeasured);
    if (with_jobs)
        fprintf(f, ", \"imported_jobs\": %d", t->jobs);
}

static void j_part(FILE *f, const char *name, const es_energy_part *p, int first)
{
    char key[32];
    fprintf(f, "%s\"%s_j\": ", first ? "" : ", ", name);
    j_num(f, p->method == ES_EM_NONE ? NAN : p->j);
    snprintf(key, sizeof key, "%s_method", name);
    j_fstr(f, key, es_em_name(p->method));
    snprintf(key, sizeof key, "%s_source", name);
    j_fstr(f, key, p->source[0] ? p->source : NULL);
}

static void j_trial(FILE *f, const es_rep_sweep_view *sv, size_t i)
{
    const es_rep_trial_view *tv = &sv->trials[i];
    const es_store_trial *t = tv->t;
    const es_rep_front *fr = &sv->front;
    fprintf(f, "{\"id\": %lld, \"number\": %lld", (long long)t->id, (long long)t->number);
    if (fr->m > 0) {
        /* Rank among the feasible (1: on the front); null when not ranked. */
        fputs(", \"pareto_rank\": ", f);
        if (fr->rank[i] > 0)
            fprintf(f, "%d", fr->rank[i]);
        else
            fputs("null", f);
        /* The values it was ranked by (a reuse's energy is the original's). */
        fputs(", \"objective_values\": [", f);
        for (size_t j = 0; j < fr->m; j++) {
            fputs(j ? ", " : "", f);
            j_num(f, fr->y[i * fr->m + j]);
        }
        fputc(']', f);
    }
    if (fr->keeps != NULL)
        fprintf(f, ", \"feasible\": %s",
                (fr->m > 0 ? fr->feasible[i] : fr->keeps[i]) ? "true" : "false");
    j_fstr(f, "status", t->status);
    j_fstr(f, "reason", t->reason);
    fprintf(f, ", \"params\": %s, \"metrics\": {", t->params_json ? t->params_json : "{}");
    for (size_t m = 0; m < t->n_metrics; m++) {
        fputs(m ? ", " : "", f);
        j_key(f, t->metrics[m].name);
        j_num(f, t->metrics[m].value);
    }
    fputc('}', f);
    j_fnum(f, "objective", t->objective);
    fputs(", ", f);
    j_cost(f, &tv->cost, !es_report_energy_unknown(t));
    j_fnum(f, "wall_s", t->wall_s);
    j_fnum(f, "cpu_s", t->cpu_s);
    j_fnum(f, "peak_rss_kb", t->peak_rss_kb >= 0 ? (double)t->peak_rss_kb : NAN);
    j_fstr(f, "host", t->host);
    j_fstr(f, "containment", t->containment);
    j_ftime(f, "started", t->started);
    j_ftime(f, "ended", t->ended);
    j_fstr(f, "log_dir", t->log_dir);
    fputs(", \"reused_from\": ", f);
    if (t->reused_from > 0)
        fprintf(f, "%lld", (long long)t->reused_from);
    else
        fputs("null", f);
    j_fnum(f, "forecast_j", t->forecast_j);
    j_fnum(f, "forecast_error", tv->forecast_error);
    fprintf(f, ", \"steps\": %lld, \"pruned_step\": ", (long long)t->steps);
    if (tv->pruned)
        fprintf(f, "%lld", (long long)tv->reached);
    else
        fputs("null", f);
    j_fnum(f, "estimated_full_j", tv->full_j);
    j_fnum(f, "saved_j", tv->saved_j);
    es_rep_write_phases_json(f, sv, tv);
    if (t->slurm_job != NULL) {
        fputs(", \"slurm\": {\"job\": ", f);
        j_str(f, t->slurm_job);
        j_fstr(f, "state", t->slurm_state);
        j_fnum(f, "consumed_energy_j", t->slurm_energy_j);
        fputc('}', f);
    } else {
        fputs(", \"slurm\": null", f);
    }
    fputs(", \"energy\": {", f);
    j_part(f, "cpu", &t->cpu, 1);
    j_part(f, "dram", &t->dram, 0);
    j_part(f, "gpu", &t->gpu, 0);
    fputs("}}", f);
}

static void j_sens(FILE *f, const es_sensitivity *s, size_t n, size_t used)
{
    fprintf(f, "{\"trials\": %zu, \"min_trials\": %d, \"statistic\": \"omega2_first_order\"", used,
            ES_REPORT_SENSITIVITY_MIN_TRIALS);
    fprintf(f, ", \"normalized\": %s, \"params\": [", n > 0 && s[0].normalized ? "true" : "false");
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", {\"param\": " : "{\"param\": ", f);
        j_str(f, s[i].param);
        j_fstr(f, "method", s[i].method);
        j_fnum(f, "share", s[i].share);
        j_fnum(f, "rho", s[i].rho);
        fprintf(f, ", \"levels\": %zu, \"groups\": %zu}", s[i].levels, s[i].groups);
    }
    fputs("]}", f);
}

/* ", "expected_max": ..., "sensitivity": ..." of a sweep. */
static void j_analysis(FILE *f, const es_store_sweep *sw, const es_rep_sweep_stats *ss)
{
    /* The curve at every n up to 100, then about 20 points a decade, and
     * the sweep's own n (README "Reports"). */
    fputs(", \"expected_max\": ", f);
    if (ss->n == 0) {
        fputs("null", f);
    } else {
        fputs("{\"metric\": ", f);
        j_str(f, sw->metric);
        j_fstr(f, "goal", sw->goal);
        fprintf(f, ", \"trials\": %zu", ss->n);
        j_fnum(f, "kwh_per_trial", ss->kwh_per_trial);
        fputs(", \"curve\": [", f);
        for (size_t i = 0; i < ss->n_curve; i++) {
            fprintf(f, "%s{\"n\": %zu", i > 0 ? ", " : "", ss->curve_n[i]);
            j_fnum(f, "kwh", ss->kwh_per_trial * (double)ss->curve_n[i]);
            j_fnum(f, "expected", ss->emax[i]);
            j_fnum(f, "sd", ss->emax_sd[i]);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs(", \"sensitivity\": {\"objective\": ", f);
    j_sens(f, ss->obj, ss->n_obj, ss->obj_trials);
    fputs(", \"energy\": ", f);
    j_sens(f, ss->kwh, ss->n_kwh, ss->kwh_trials);
    fputc('}', f);
}

/* ", "factors": {..." of a sweep (with its attribution) or an import,
 * left open for the caller's last members. */
static void j_factors(FILE *f, const es_energy_factors *fa, int attribution)
{
    fputs(", \"factors\": {\"pue\": ", f);
    j_num(f, fa->pue);
    j_fnum(f, "carbon_g_per_kwh", fa->carbon_g_per_kwh);
    j_fnum(f, "electricity_usd_per_kwh", fa->electricity_usd_per_kwh);
    j_fnum(f, "cloud_usd_per_hour", fa->cloud_usd_per_hour);
    j_fstr(f, "region", fa->region[0] ? fa->region : NULL);
    j_fstr(f, "carbon_source", es_carbon_source_name(fa->carbon_source));
    if (attribution)
        j_fstr(f, "attribution", es_energy_attribution_name(fa->attribution));
    j_fnum(f, "gpu_watts", fa->gpu_watts);
}

/* ", "slurm": {...}" of a sweep: null when it ran no job. */
static void j_slurm(FILE *f, const es_rep_slurm *s)
{
    if (s->jobs == 0) {
        fputs(", \"slurm\": null", f);
        return;
    }
    fprintf(f, ", \"slurm\": {\"jobs\": %d, \"states\": {", s->jobs);
    for (int k = 0; k < s->n_states; k++) {
        fputs(k ? ", " : "", f);
        j_key(f, s->states[k].state);
        fprintf(f, "%d", s->states[k].n);
    }
    fprintf(f, "}, \"with_energy\": %d", s->with_energy);
    j_fnum(f, "consumed_energy_j", s->with_energy > 0 ? s->slurm_j : NAN);
    j_fnum(f, "worker_j", s->with_energy > 0 ? s->worker_j : NAN);
    fputc('}', f);
}

/* "near_best": the cheapest trial within 1% and 0.5% of the best metric. */
static void j_near_best(FILE *f, const es_rep_sweep_view *sv)
{
    fputs(", \"near_best\": [", f);
    int n = 0;
    for (int k = 0; k < 2; k++) {
        const es_rep_near_best *nb = &sv->near[k];
        if (nb->trial == NULL)
            continue;
        fprintf(f, "%s{\"within\": ", n++ ? ", " : "");
        j_num(f, nb->tol);
        fprintf(f, ", \"number\": %lld", (long long)nb->trial->t->number);
        j_fnum(f, "objective", nb->trial->t->objective);
        j_fnum(f, "kwh", nb->trial->cost.kwh);
        j_fnum(f, "kwh_ratio_to_best", nb->ratio);
        j_fstr(f, "energy_method", es_rep_trial_method(nb->trial->t));
        fputc('}', f);
    }
    fputc(']', f);
}

/* The objectives, the front (trial numbers, best first by the first
 * objective), its hypervolume, reference point and history; null for a
 * sweep of one metric. */
static void j_front(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    const es_store_sweep *sw = sv->sw;
    fputs(", \"constraints\": [", f);
    for (size_t k = 0; k < sw->n_constraints; k++) {
        const es_constraint *c = &sw->constraints[k];
        fputs(k ? ", {\"name\": " : "{\"name\": ", f);
        j_str(f, c->name);
        j_fnum(f, "min", c->has_min ? c->min : NAN);
        j_fnum(f, "max", c->has_max ? c->max : NAN);
        fputc('}', f);
    }
    fprintf(f, "], \"breaking_constraints\": %zu, \"unreported_constraints\": [", fr->n_breaking);
    for (size_t k = 0; k < fr->n_unreported; k++) {
        fputs(k ? ", " : "", f);
        j_str(f, fr->unreported[k]);
    }
    fputc(']', f);
    if (fr->m == 0) {
        fputs(", \"objectives\": null, \"pareto\": null", f);
        return;
    }
    fputs(", \"objectives\": [", f);
    for (size_t j = 0; j < fr->m; j++) {
        fputs(j ? ", {\"name\": " : "{\"name\": ", f);
        j_str(f, sw->objectives[j].name);
        j_fstr(f, "goal", es_goal_name(sw->objectives[j].goal));
        fputc('}', f);
    }
    fputs("], \"unreported_objectives\": [", f);
    for (size_t j = 0; j < fr->n_unreported_objectives; j++) {
        fputs(j ? ", " : "", f);
        j_str(f, fr->unreported_objectives[j]);
    }
    fputs("], \"pareto\": [", f);
    for (size_t k = 0; k < fr->n_front; k++)
        fprintf(f, "%s%lld", k ? ", " : "", (long long)sv->trials[fr->front[k]].t->number);
    fputc(']', f);
    /* Below the smallest double: no number, as the text says (not 0). */
    j_fnum(f, "hypervolume", fr->hv_underflow ? NAN : fr->hypervolume);
    fputs(", \"reference_point\": [", f);
    for (size_t j = 0; j < fr->m; j++) {
        fputs(j ? ", " : "", f);
        j_num(f, fr->ref[j]);
    }
    fputs("], \"reference_point_from\": [", f);
    for (size_t j = 0; j < fr->m; j++)
        fprintf(f, "%s%s", j ? ", " : "",
                !isfinite(fr->ref[j]) ? "null"
                : fr->ref_given[j]    ? "\"spec\""
                                      : "\"data\"");
    fprintf(f,
            "], \"hypervolume_overflow\": %s, \"hypervolume_underflow\": %s, \"infeasible\": %zu, "
            "\"missing_objective\": %zu, \"hypervolume_history\": [",
            fr->hv_overflow ? "true" : "false", fr->hv_underflow ? "true" : "false",
            fr->n_infeasible, fr->n_missing);
    for (size_t k = 0; k < fr->n_hist; k++) {
        const es_rep_front_point *p = &fr->hist[k];
        fprintf(f, "%s{\"number\": %lld", k ? ", " : "", (long long)sv->trials[p->trial].t->number);
        j_fnum(f, "hypervolume", p->hypervolume);
        j_fnum(f, "kwh", p->kwh);
        fputc('}', f);
    }
    fputc(']', f);
}

static void j_sweep(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_prune *pr = &sv->prune;
    const es_store_trial *best = sv->best != NULL ? sv->best->t : NULL;

    fprintf(f, "{\"id\": %lld", (long long)sw->id);
    j_fstr(f, "name", sw->name);
    j_fstr(f, "status", sw->status);
    j_fstr(f, "reason", sw->reason);
    j_fstr(f, "method", sw->method);
    j_fstr(f, "metric", sw->metric);
    j_fstr(f, "goal", sw->goal);
    fprintf(f, ", \"seed\": %llu", (unsigned long long)sw->seed);
    j_ftime(f, "started", sw->started);
    j_ftime(f, "ended", sw->ended);
    j_factors(f, &sw->factors, 1);
    fputs("}, ", f);
    j_tally(f, &sv->tally, 0, "n_trials");
    j_fnum(f, "overshoot_j", sw->overshoot_j);
    j_fnum(f, "forecast_error_median", sv->budget.median_error);
    /* saved_j: of the originals whose energy is known; null when none. */
    const es_rep_sweep_budget *b = &sv->budget;
    fprintf(f, ", \"reuse\": {\"trials\": %d", b->reused);
    j_fnum(f, "saved_j", b->reused > 0 && b->reused == b->reused_unmetered ? NAN : b->saved_j);
    fprintf(f, ", \"unmeasured\": %d}", b->reused_unmetered);
    j_fnum(f, "overshoot_kwh", isfinite(sw->overshoot_j) ? sv->overshoot.kwh : NAN);
    fprintf(f, ", \"early_termination\": {\"pruned\": %d", pr->pruned);
    j_fnum(f, "used_j", pr->used_j);
    j_fnum(f, "used_kwh", sv->prune_used.kwh);
    j_fnum(f, "estimated_full_j", pr->full_j);
    j_fnum(f, "saved_j", pr->saved_j);
    j_fnum(f, "saved_kwh", isfinite(pr->saved_j) ? sv->prune_saved.kwh : NAN);
    j_fnum(f, "saved_low_j", pr->saved_low_j);
    j_fnum(f, "saved_high_j", pr->saved_high_j);
    j_fnum(f, "j_per_step", pr->j_per_step);
    j_fnum(f, "final_step", pr->final_step);
    fprintf(f,
            ", \"basis_trials\": %d, \"statistic\": \"median\", \"own_pace_trials\": %d,"
            " \"method\": \"own pace\"",
            pr->basis, pr->own_pace);
    /* Energy by rung (report_rungs.c): [] without a schedule. */
    fputs(", \"rungs\": [", f);
    for (size_t k = 0; k < sv->rungs.n; k++) {
        const es_rep_rung *g = &sv->rungs.r[k];
        fprintf(f,
                "%s{\"at\": %lld, \"reached\": %d, \"ended\": %d, \"pruned\": %d, "
                "\"completed\": %d",
                k ? ", " : "", (long long)g->at, g->reached, g->ended, g->pruned, g->completed);
        j_fnum(f, "energy_j", g->unmeasured == g->ended && g->ended > 0 ? NAN : g->j);
        fprintf(f, ", \"unmeasured\": %d}", g->unmeasured);
    }
    fputs("]", f);
    if (sv->rungs.n > 0) {
        j_fstr(f, "rung_kind", sv->rungs.kind);
        j_fstr(f, "rungs_energy_method", es_account_method_label(sv->rungs.methods));
    }
    fputc('}', f);
    j_slurm(f, &sv->slurm);
    fprintf(f, ", \"containment\": {\"cgroup\": %d, \"pgroup\": %d}", sv->in_cgroup, sv->in_pgroup);
    fputs(", \"best\": ", f);
    if (best != NULL) {
        fprintf(f, "{\"id\": %lld, \"number\": %lld", (long long)best->id, (long long)best->number);
        j_fnum(f, "objective", best->objective);
        fprintf(f, ", \"params\": %s}", best->params_json ? best->params_json : "{}");
    } else {
        fputs("null", f);
    }
    j_analysis(f, sw, &sv->stats);
    j_near_best(f, sv);
    j_front(f, sv);
    fputs(", \"trials\": [", f);
    for (size_t i = 0; i < sw->n_trials; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        j_trial(f, sv, i);
    }
    fputs("]}", f);
}

/* The factor overrides, each null unless given. */
static void j_overrides(FILE *f, const es_factor_override *o)
{
    if (o == NULL || o->set == 0) {
        fputs("null", f);
        return;
    }
    fputs("{\"pue\": ", f);
    j_num(f, o->set & ES_OVR_PUE ? o->pue : NAN);
    j_fstr(f, "region", o->set & ES_OVR_REGION ? o->region : NULL);
    j_fnum(f, "carbon_g_per_kwh", o->set & ES_OVR_CARBON ? o->carbon_g_per_kwh : NAN);
    j_fnum(f, "electricity_usd_per_kwh",
           o->set & ES_OVR_ELECTRICITY ? o->electricity_usd_per_kwh : NAN);
    j_fnum(f, "cloud_usd_per_hour", o->set & ES_OVR_CLOUD ? o->cloud_usd_per_hour : NAN);
    fputc('}', f);
}

static void j_tier(FILE *f, const es_tier *t)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    if (!t->available) {
        fputs("null", f);
        return;
    }
    double u = es_rep_methods_known(t->methods) ? 0.0 : NAN; /* nothing measured: null */
    fprintf(f, "{\"jobs\": %d, \"imported_jobs\": %d", t->jobs, t->imported);
    j_fnum(f, "hours", t->cost.hours);
    j_fnum(f, "kwh", t->cost.kwh + u);
    j_fnum(f, "co2e_kg", t->cost.co2e_kg + u);
    j_fnum(f, "usd_electricity", t->cost.usd_electricity + u);
    j_fnum(f, "usd_cloud", t->cost.usd_cloud);
    j_fnum(f, "usd", t->cost.usd + u);
    j_fstr(f, "energy_method", es_account_method_label(t->methods));
    j_fstr(f, "what", t->what);
    fputs(", \"equivalents\": {", f);
    for (size_t i = 0; i < n_eq; i++) {
        fputs(i ? ", " : "", f);
        j_key(f, eq[i].key);
        j_num(f, es_equivalent_value(&eq[i], &t->cost) + u);
    }
    fputs("}}", f);
}

static void j_footprint(FILE *f, const es_rep_project_view *pv)
{
    const es_footprint *fp = &pv->footprint;
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    fputs(", \"footprint\": ", f);
    if (!pv->has_footprint) {
        fputs("null", f);
        return;
    }
    fputs("{\"statistic\": ", f);
    j_str(f, es_rep_tier_statistic);
    fputs(", \"one_model\": ", f);
    j_tier(f, &fp->one_model);
    fputs(", \"one_tune\": ", f);
    j_tier(f, &fp->one_tune);
    fputs(", \"all_rd\": ", f);
    j_tier(f, &fp->all_rd);
    fprintf(f, ", \"unmeasured\": {\"models\": %d, \"tunes\": %d}", fp->unmeasured_models,
            fp->unmeasured_tunes);
    fputs(", \"equivalent_sources\": [", f);
    for (size_t i = 0; i < n_eq; i++) {
        fputs(i ? ", {\"key\": " : "{\"key\": ", f);
        j_str(f, eq[i].key);
        j_fstr(f, "unit", eq[i].text);
        j_fstr(f, "basis", eq[i].by_energy ? "kwh" : "co2e_kg");
        j_fnum(f, "per_unit", eq[i].per_unit);
        j_fstr(f, "source", eq[i].source);
        fputc('}', f);
    }
    fputs("]}", f);
}

static void j_job(FILE *f, const es_store_job *j, const es_cost *c)
{
    fprintf(f, "{\"id\": %lld, \"line\": %lld", (long long)j->id, (long long)j->line);
    j_fstr(f, "name", j->name);
    j_fstr(f, "group", j->group);
    j_fstr(f, "status", j->status);
    j_ftime(f, "started", j->started);
    j_ftime(f, "ended", j->ended);
    j_fnum(f, "hours", j->hours);
    fprintf(f, ", \"gpus\": %d, \"cpus\": %d", j->gpus, j->cpus);
    j_fnum(f, "energy_j", j->energy.method == ES_EM_NONE ? NAN : j->energy.j);
    j_fstr(f, "method", es_em_name(j->energy.method));
    j_fstr(f, "source", j->energy.source[0] ? j->energy.source : NULL);
    fputs(", ", f);
    j_cost(f, c, j->energy.method != ES_EM_NONE);
    fputc('}', f);
}

static void j_import(FILE *f, const es_rep_import_view *iv)
{
    const es_store_import *im = iv->im;
    fprintf(f, "{\"id\": %lld", (long long)im->id);
    j_fstr(f, "file", im->file);
    j_fstr(f, "format", im->format);
    j_ftime(f, "imported", im->imported);
    j_factors(f, &im->factors, 0);
    j_fnum(f, "cpu_watts", im->cpu_watts);
    fputs("}, ", f);
    j_tally(f, &iv->tally, 1, "trials");
    fputs(", \"jobs\": [", f);
    for (size_t i = 0; i < im->n_jobs; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        j_job(f, &im->jobs[i], &iv->jobs[i]);
    }
    fputs("]}", f);
}

void es_rep_write_json(const es_rep_view *v, FILE *f)
{
    fprintf(f, "{\"ecosweep_report\": 1, \"generated\": \"%s\", \"overrides\": ", v->generated);
    j_overrides(f, v->override);
    fputs(", \"projects\": [", f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_rep_project_view *pv = &v->projects[i];
        const es_store_project *p = pv->p;
        fputs(i ? ",\n  {" : "\n  {", f);
        j_key(f, "name");
        j_str(f, p->name);
        fputs(", ", f);
        j_tally(f, &pv->tally, 1, "trials");
        j_footprint(f, pv);
        fputs(", \"sweeps\": [", f);
        for (size_t j = 0; j < p->n_sweeps; j++) {
            fputs(j ? ",\n    " : "\n    ", f);
            j_sweep(f, &pv->sweeps[j]);
        }
        fputs("], \"imports\": [", f);
        for (size_t j = 0; j < p->n_imports; j++) {
            fputs(j ? ",\n    " : "\n    ", f);
            j_import(f, &pv->imports[j]);
        }
        fputs("]}", f);
    }
    fputs("],\n \"totals\": {", f);
    j_tally(f, &v->totals, 1, "trials");
    fputs("}}\n", f);
}
