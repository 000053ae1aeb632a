/*
 * report.c -- the report's core (see report.h): pricing and adding up
 * trials and imported jobs, factor overrides, the text format, and the
 * dispatch to the other formats (report_json.c, report_csv.c, report_md.c,
 * report_html.c; the analysis behind tiers, expected maximum and
 * sensitivity is in report_stats.c).
 *
 * Overrides are applied first, to a shallow copy of the loaded tree whose
 * sweeps and imports carry the replaced factors (override_view), so every
 * format reads "the sweep's factors" and never needs to know whether they
 * were overridden.  Sums are made from the same per-trial costs that are
 * printed, so a total always equals the sum of its rows.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "report_int.h"

const char *const es_rep_statuses[ES_REP_N_STATUS] = {"completed",   "failed",         "timed_out",
                                                      "interrupted", "budget_stopped", "running",
                                                      "lost",        "pruned"};

static int status_slot(const char *s)
{
    for (int i = 0; i < ES_REP_N_STATUS; i++)
        if (s != NULL && strcmp(s, es_rep_statuses[i]) == 0)
            return i;
    return ES_REP_N_STATUS;
}

double es_rep_trial_wall(const es_store_trial *t)
{
    return isfinite(t->wall_s) ? t->wall_s : isfinite(t->ended) ? t->ended - t->started : 0.0;
}

void es_rep_trial_cost(const es_store_sweep *sw, const es_store_trial *t, es_cost *c)
{
    es_account(&sw->factors, es_account_joules(&t->cpu, &t->dram, &t->gpu), es_rep_trial_wall(t),
               c);
}

void es_rep_job_cost(const es_store_import *im, const es_store_job *j, es_cost *c)
{
    double joules = j->energy.method == ES_EM_NONE ? 0.0 : j->energy.j;
    es_account(&im->factors, joules, isfinite(j->hours) ? j->hours * 3600.0 : 0.0, c);
}

static void tally_trial(es_rep_tally *ty, const es_store_sweep *sw, const es_store_trial *t)
{
    es_cost c;
    es_rep_trial_cost(sw, t, &c);
    es_cost_add(&ty->cost, &c);
    ty->trials++;
    ty->by_status[status_slot(t->status)]++;
    ty->methods |= 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
}

void es_rep_tally_add(es_rep_tally *to, const es_rep_tally *from)
{
    es_cost_add(&to->cost, &from->cost);
    to->trials += from->trials;
    to->jobs += from->jobs;
    for (int i = 0; i <= ES_REP_N_STATUS; i++)
        to->by_status[i] += from->by_status[i];
    to->methods |= from->methods;
}

void es_rep_tally_sweep(es_rep_tally *ty, const es_store_sweep *sw)
{
    memset(ty, 0, sizeof *ty);
    for (size_t i = 0; i < sw->n_trials; i++)
        tally_trial(ty, sw, &sw->trials[i]);
}

void es_rep_tally_import(es_rep_tally *ty, const es_store_import *im)
{
    memset(ty, 0, sizeof *ty);
    for (size_t i = 0; i < im->n_jobs; i++) {
        es_cost c;
        es_rep_job_cost(im, &im->jobs[i], &c);
        es_cost_add(&ty->cost, &c);
        ty->jobs++;
        ty->methods |= 1u << im->jobs[i].energy.method;
    }
}

void es_rep_tally_project(es_rep_tally *ty, const es_store_project *p)
{
    es_rep_tally part;
    memset(ty, 0, sizeof *ty);
    for (size_t i = 0; i < p->n_sweeps; i++) {
        es_rep_tally_sweep(&part, &p->sweeps[i]);
        es_rep_tally_add(ty, &part);
    }
    for (size_t i = 0; i < p->n_imports; i++) {
        es_rep_tally_import(&part, &p->imports[i]);
        es_rep_tally_add(ty, &part);
    }
}

/* ---- Budgets, reuse and forecasts ------------------------------------------ */

double es_rep_forecast_error(const es_store_trial *t)
{
    double actual = es_account_joules(&t->cpu, &t->dram, &t->gpu);
    int known =
        t->cpu.method != ES_EM_NONE || t->dram.method != ES_EM_NONE || t->gpu.method != ES_EM_NONE;
    if (!known || t->reused_from > 0 || !(t->forecast_j > 0) ||
        (t->status != NULL && strcmp(t->status, "running") == 0))
        return NAN;
    return (actual - t->forecast_j) / t->forecast_j;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void es_rep_sweep_budget_of(const es_store_sweep *sw, es_rep_sweep_budget *out)
{
    double *err = malloc((sw->n_trials ? sw->n_trials : 1) * sizeof *err);
    memset(out, 0, sizeof *out);
    out->median_error = NAN;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        double e = es_rep_forecast_error(t);
        if (t->reused_from > 0) {
            out->reused++;
            if (isfinite(t->reused_j))
                out->saved_j += t->reused_j;
        }
        /* Completed trials only: a trial stopped half-way is not a miss of
         * the forecast. */
        if (err != NULL && isfinite(e) && strcmp(t->status, "completed") == 0)
            err[out->forecasts++] = e;
    }
    if (out->forecasts > 0) {
        size_t n = (size_t)out->forecasts;
        qsort(err, n, sizeof *err, cmp_double);
        out->median_error = n % 2 ? err[n / 2] : (err[n / 2 - 1] + err[n / 2]) / 2;
    }
    free(err);
}

void es_rep_write_budget_lines(FILE *f, const char *prefix, const es_store_sweep *sw)
{
    es_rep_sweep_budget b;
    es_rep_sweep_budget_of(sw, &b);
    if (isfinite(sw->overshoot_j))
        fprintf(f, "%sbudget overshoot: %.4g J (%.4g kWh) beyond the budget\n", prefix,
                sw->overshoot_j, sw->overshoot_j / 3.6e6 * sw->factors.pue);
    if (b.forecasts > 0)
        fprintf(f, "%sforecast error: median %+.1f%% (%d completed trials with a forecast)\n",
                prefix, b.median_error * 100, b.forecasts);
    if (b.reused > 0)
        fprintf(f, "%senergy saved by reuse: %.4g J (%d trial%s)\n", prefix, b.saved_j, b.reused,
                b.reused == 1 ? "" : "s");
}

int es_rep_maximize(const es_store_sweep *sw)
{
    return sw->goal != NULL && strcmp(sw->goal, "maximize") == 0;
}

const es_store_trial *es_rep_best_trial(const es_store_sweep *sw)
{
    const es_store_trial *best = NULL;
    int max = es_rep_maximize(sw);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (strcmp(t->status, "completed") != 0 || isnan(t->objective))
            continue;
        if (best == NULL || (max ? t->objective > best->objective : t->objective < best->objective))
            best = t;
    }
    return best;
}

void es_rep_iso_time(double t, char *buf, size_t cap)
{
    if (!isfinite(t)) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- Text ------------------------------------------------------------------- */

static void t_cost(FILE *f, const char *indent, const es_rep_tally *ty)
{
    fprintf(f, "%s%d trials", indent, ty->trials);
    for (int i = 0; i <= ES_REP_N_STATUS; i++)
        if (ty->by_status[i])
            fprintf(f, ", %d %s", ty->by_status[i],
                    i < ES_REP_N_STATUS ? es_rep_statuses[i] : "other");
    if (ty->jobs > 0)
        fprintf(f, "; plus %d imported jobs", ty->jobs);
    fprintf(f,
            "\n%s%.4g %s, %.4g kWh, %.4g kg CO2e, $%.4g (electricity $%.4g, cloud "
            "$%.4g), energy by %s\n",
            indent, ty->cost.hours, ty->jobs > 0 ? "hours" : "trial-hours", ty->cost.kwh,
            ty->cost.co2e_kg, ty->cost.usd, ty->cost.usd_electricity, ty->cost.usd_cloud,
            es_account_method_label(ty->methods));
}

static void t_tier(FILE *f, const char *name, const es_tier *t)
{
    if (!t->available) {
        fprintf(f, "    %-9s  none (no completed trial or job)\n", name);
        return;
    }
    fprintf(f, "    %-9s %6d %10.4g %12.4g %10.4g %13.4g %9.4g  %s\n", name, t->jobs, t->cost.hours,
            t->cost.kwh, t->cost.co2e_kg, t->cost.usd_electricity, t->cost.usd_cloud, t->what);
}

static void t_footprint(FILE *f, const es_store_project *p)
{
    es_footprint fp;
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    if (es_report_footprint(p, &fp) != 0)
        return;
    fprintf(f, "  R&D footprint (Strubell et al. 2019 tiers; %s):\n", es_rep_tier_statistic);
    fprintf(f, "    %-9s %6s %10s %12s %10s %13s %9s  %s\n", "tier", "jobs", "hours", "kWh",
            "kg CO2e", "electricity $", "cloud $", "which");
    t_tier(f, "one model", &fp.one_model);
    t_tier(f, "one tune", &fp.one_tune);
    t_tier(f, "all R&D", &fp.all_rd);
    fprintf(f, "    all R&D equals");
    for (size_t i = 0; i < n_eq; i++)
        fprintf(f, "%s %.4g %s", i ? "," : "", es_equivalent_value(&eq[i], &fp.all_rd.cost),
                eq[i].text);
    fputs(" (sources below)\n", f);
}

static void t_curve(FILE *f, const es_store_sweep *sw, const es_rep_sweep_stats *ss)
{
    size_t pts[40], n_pts;
    if (ss->n == 0)
        return;
    n_pts = es_rep_curve_points(ss->n, pts, 40);
    fprintf(f, "    expected best %s of n trials (Dodge et al. 2019):", sw->metric);
    for (size_t i = 0; i < n_pts; i++)
        fprintf(f, "%s n=%zu %.6g (%.3g kWh)", i ? "," : "", pts[i], ss->emax[pts[i] - 1],
                ss->kwh_per_trial * (double)pts[i]);
    fputc('\n', f);
}

static void t_sensitivity(FILE *f, const char *what, const es_sensitivity *s, size_t n, size_t used)
{
    if (n == 0)
        return;
    fprintf(f, "    what moved %s (share of variance, %zu trials):", what, used);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s %s ", i ? "," : "", s[i].param);
        if (isnan(s[i].share))
            fputs("-", f);
        else
            fprintf(f, "%.2f", s[i].share);
        if (strcmp(s[i].method, "spearman") == 0 && isfinite(s[i].rho))
            fprintf(f, " (rho %+.2f)", s[i].rho);
        else
            fprintf(f, " (eta2, %zu levels)", s[i].levels);
    }
    fputc('\n', f);
}

static const char *part_text(const es_energy_part *p, char *buf, size_t cap)
{
    if (p->method == ES_EM_NONE)
        snprintf(buf, cap, "not measured");
    else
        snprintf(buf, cap, "%.4g J %s", p->j, es_em_name(p->method));
    return buf;
}

/* Where a sweep's carbon intensity comes from, for the factors line:
 * "region FRA, France, Ember 2024", "explicit; region FRA", "world average". */
static const char *carbon_text(const es_energy_factors *fa, char *buf, size_t cap)
{
    es_region r;
    int known = fa->region[0] != '\0' && es_region_lookup(fa->region, &r) == 0;
    if (fa->carbon_source == ES_CARBON_REGION && known)
        snprintf(buf, cap, "region %s, %s, %s %d", r.iso3, r.country, r.source, r.year);
    else if (fa->carbon_source == ES_CARBON_EXPLICIT && known)
        snprintf(buf, cap, "given; region %s", r.iso3);
    else if (fa->carbon_source == ES_CARBON_EXPLICIT)
        snprintf(buf, cap, "given, no region");
    else
        snprintf(buf, cap, "world average, no region");
    return buf;
}

/* The line that opens a report whose factors were overridden. */
void es_rep_write_overrides(FILE *f, const es_factor_override *o)
{
    const char *sep = "";
    es_region r;
    if (o == NULL || o->set == 0)
        return;
    fputs("Factors overridden for every sweep below (recomputed from the stored joules): ", f);
    if (o->set & ES_OVR_PUE) {
        fprintf(f, "PUE %.4g", o->pue);
        sep = ", ";
    }
    if (o->set & ES_OVR_REGION) {
        if (es_region_lookup(o->region, &r) == 0)
            fprintf(f, "%sregion %s (%s, %.4g gCO2e/kWh, %s %d)", sep, r.iso3, r.country,
                    r.g_co2e_per_kwh, r.source, r.year);
        sep = ", ";
    }
    if (o->set & ES_OVR_CARBON) {
        fprintf(f, "%s%.4g gCO2e/kWh%s", sep, o->carbon_g_per_kwh,
                o->set & ES_OVR_REGION ? " (given; wins over the region's value)" : "");
        sep = ", ";
    }
    if (o->set & ES_OVR_ELECTRICITY) {
        fprintf(f, "%s$%.4g/kWh", sep, o->electricity_usd_per_kwh);
        sep = ", ";
    }
    if (o->set & ES_OVR_CLOUD)
        fprintf(f, "%scloud $%.4g/h", sep, o->cloud_usd_per_hour);
    fputs(".\n\n", f);
}

static void write_text(const es_store_data *d, const es_report_opts *o,
                       const es_factor_override *ov, FILE *f)
{
    es_rep_write_overrides(f, ov);
    if (d->n_projects == 0)
        fputs("No sweeps recorded yet.\n", f);
    for (size_t i = 0; i < d->n_projects; i++) {
        const es_store_project *p = &d->projects[i];
        es_rep_tally pt;
        es_rep_tally_project(&pt, p);
        fprintf(f, "Project %s: %zu sweep%s", p->name, p->n_sweeps, p->n_sweeps == 1 ? "" : "s");
        if (p->n_imports > 0)
            fprintf(f, ", %zu import%s (%d jobs)", p->n_imports, p->n_imports == 1 ? "" : "s",
                    pt.jobs);
        fputc('\n', f);
        t_cost(f, "  ", &pt);
        if (!o->partial)
            t_footprint(f, p);
        for (size_t j = 0; j < p->n_imports; j++) {
            const es_store_import *im = &p->imports[j];
            es_rep_tally it;
            char when[32];
            es_rep_tally_import(&it, im);
            es_rep_iso_time(im->imported, when, sizeof when);
            fprintf(f,
                    "  Imported #%lld: %s (%s, %s), %d jobs, %.4g hours, %.4g kWh, %.4g kg "
                    "CO2e, $%.4g, energy by %s\n",
                    (long long)im->id, im->file, im->format, when, it.jobs, it.cost.hours,
                    it.cost.kwh, it.cost.co2e_kg, it.cost.usd, es_account_method_label(it.methods));
        }
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_store_sweep *sw = &p->sweeps[j];
            const es_store_trial *best = es_rep_best_trial(sw);
            char started[32], why[96];
            es_rep_tally st;
            es_rep_sweep_stats ss;
            es_rep_tally_sweep(&st, sw);
            es_rep_iso_time(sw->started, started, sizeof started);
            fprintf(f, "\n  Sweep %s (#%lld, %s, seed %llu, started %s): %s%s%s\n", sw->name,
                    (long long)sw->id, sw->method, (unsigned long long)sw->seed, started,
                    sw->status, sw->reason ? " - " : "", sw->reason ? sw->reason : "");
            t_cost(f, "    ", &st);
            fprintf(f,
                    "    factors: PUE %.3g, %.4g gCO2e/kWh (%s), $%.4g/kWh, cloud $%.4g/h, "
                    "attribution %s\n",
                    sw->factors.pue, sw->factors.carbon_g_per_kwh,
                    carbon_text(&sw->factors, why, sizeof why), sw->factors.electricity_usd_per_kwh,
                    sw->factors.cloud_usd_per_hour,
                    es_energy_attribution_name(sw->factors.attribution));
            es_rep_write_budget_lines(f, "    ", sw);
            es_rep_write_prune_lines(f, "    ", sw);
            es_rep_write_slurm_lines(f, "    ", sw);
            if (best != NULL)
                fprintf(f, "    best: trial %lld, %s=%.6g, %s\n", (long long)best->number,
                        sw->metric, best->objective, best->params_json);
            if (es_rep_sweep_analyze(sw, &ss) == 0) {
                t_curve(f, sw, &ss);
                t_sensitivity(f, sw->metric ? sw->metric : "the objective", ss.obj, ss.n_obj,
                              ss.obj_trials);
                t_sensitivity(f, "the energy", ss.kwh, ss.n_kwh, ss.kwh_trials);
            }
            es_rep_sweep_stats_free(&ss);
            if (sw->n_trials == 0)
                continue;
            fprintf(f, "    %5s  %-14s %12s %10s %11s %9s %8s  %s\n", "trial", "status",
                    sw->metric ? sw->metric : "objective", "kWh", "gCO2e", "USD", "wall_s",
                    "params / reason");
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                es_cost c;
                char obj[32];
                es_rep_trial_cost(sw, t, &c);
                if (isnan(t->objective))
                    snprintf(obj, sizeof obj, "-");
                else
                    snprintf(obj, sizeof obj, "%.6g", t->objective);
                fprintf(f, "    %5lld  %-14s %12s %10.3g %11.4g %9.3g %8.1f  %s%s%s",
                        (long long)t->number, t->status, obj, c.kwh, c.co2e_kg * 1000, c.usd,
                        isfinite(t->wall_s) ? t->wall_s : 0.0, t->params_json,
                        t->reason ? "  -- " : "", t->reason ? t->reason : "");
                if (t->reused_from > 0)
                    fprintf(f, "  (reused trial #%lld)", (long long)t->reused_from);
                if (es_rep_is_pruned(t))
                    fprintf(f, "  (pruned at step %lld)", (long long)es_rep_trial_reached(t));
                fputc('\n', f);
            }
            if (sw->n_trials > 0) {
                char a[48], b[48], g[48];
                const es_store_trial *t0 = &sw->trials[0];
                fprintf(
                    f, "    energy of trial %lld by component: cpu %s (%s), dram %s (%s), gpu %s\n",
                    (long long)t0->number, part_text(&t0->cpu, a, sizeof a), t0->cpu.source,
                    part_text(&t0->dram, b, sizeof b), t0->dram.source,
                    part_text(&t0->gpu, g, sizeof g));
            }
        }
        fputc('\n', f);
    }
    if (d->n_projects > 0) {
        size_t n_eq;
        const es_equivalent *eq = es_report_equivalents(&n_eq);
        fputs("Energy by 'estimate' is a power model times CPU time and memory, not a "
              "measurement;\n'not measured' means no meter was available, not zero. See the "
              "README's energy accounting.\n",
              f);
        if (!o->partial)
            for (size_t i = 0; i < n_eq; i++)
                fprintf(f, "%s: %s\n", eq[i].text, eq[i].source);
    }
}

int es_report_format_parse(const char *name)
{
    static const struct {
        const char *name;
        es_report_format fmt;
    } names[] = {{"text", ES_REPORT_TEXT},         {"json", ES_REPORT_JSON},
                 {"csv", ES_REPORT_CSV},           {"codecarbon", ES_REPORT_CODECARBON},
                 {"markdown", ES_REPORT_MARKDOWN}, {"md", ES_REPORT_MARKDOWN},
                 {"html", ES_REPORT_HTML}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return (int)names[i].fmt;
    return -1;
}

/* ---- Overrides ------------------------------------------------------------------ */

static void view_free(es_store_data *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_projects; i++) {
        free(v->projects[i].sweeps);
        free(v->projects[i].imports);
    }
    free(v->projects);
    free(v);
}

/* A copy of d that shares every trial, job and string with it but whose
 * sweeps and imports carry the overridden factors.  Free with view_free(). */
static es_store_data *override_view(const es_store_data *d, const es_factor_override *o)
{
    es_store_data *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->projects = calloc(d->n_projects ? d->n_projects : 1, sizeof *v->projects);
    if (v->projects == NULL) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < d->n_projects; i++) {
        es_store_project *p = &v->projects[i];
        *p = d->projects[i];
        v->n_projects = i + 1;
        p->sweeps = calloc(p->n_sweeps ? p->n_sweeps : 1, sizeof *p->sweeps);
        p->imports = calloc(p->n_imports ? p->n_imports : 1, sizeof *p->imports);
        if (p->sweeps == NULL || p->imports == NULL) {
            view_free(v);
            return NULL;
        }
        for (size_t j = 0; j < p->n_sweeps; j++) {
            p->sweeps[j] = d->projects[i].sweeps[j];
            es_factor_override_apply(o, &p->sweeps[j].factors);
        }
        for (size_t j = 0; j < p->n_imports; j++) {
            p->imports[j] = d->projects[i].imports[j];
            es_factor_override_apply(o, &p->imports[j].factors);
        }
    }
    return v;
}

int es_report_write_opts(const es_store_data *d, const es_report_opts *opts, FILE *out)
{
    const es_factor_override *ov =
        opts->override != NULL && opts->override->set != 0 ? opts->override : NULL;
    es_store_data *view = NULL;

    if (ov != NULL) {
        if ((view = override_view(d, ov)) == NULL)
            return -ENOMEM;
        d = view;
    }
    switch (opts->format) {
    case ES_REPORT_JSON:
        es_rep_write_json(d, opts, out);
        break;
    case ES_REPORT_CSV:
        es_rep_write_csv(d, out);
        break;
    case ES_REPORT_CODECARBON:
        es_rep_write_codecarbon(d, out);
        break;
    case ES_REPORT_MARKDOWN:
        es_rep_write_markdown(d, opts, out);
        break;
    case ES_REPORT_HTML:
        es_rep_write_html(d, opts, out);
        break;
    default:
        write_text(d, opts, ov, out);
        break;
    }
    view_free(view);
    if (fflush(out) != 0 || ferror(out))
        return -errno;
    return 0;
}

int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out)
{
    es_report_opts opts = {.format = fmt, .override = NULL, .partial = 0};
    return es_report_write_opts(d, &opts, out);
}
