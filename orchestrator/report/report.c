/*
 * report.c -- the report's core (see report.h): pricing and adding up
 * trials and imported jobs, budgets and forecasts, the factor-override
 * line, and the one table of formats that es_report_write_opts dispatches
 * through.  report_view.c builds the view every format prints; the writers
 * are report_text.c, report_json.c, report_csv.c (CSV and CodeCarbon),
 * report_md.c and report_html.c; the analysis behind tiers, expected
 * maximum and sensitivity is in report_stats.c.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "numbers.h"
#include "report_int.h"

const es_trial_status es_rep_status_order[ES_REP_N_STATUS] = {
    ES_TRIAL_COMPLETED,      ES_TRIAL_FAILED,  ES_TRIAL_TIMED_OUT, ES_TRIAL_INTERRUPTED,
    ES_TRIAL_BUDGET_STOPPED, ES_TRIAL_RUNNING, ES_TRIAL_LOST,      ES_TRIAL_PRUNED};

int es_rep_status_slot(const char *s)
{
    int st = es_trial_status_parse(s);
    return st < 0 ? ES_REP_N_STATUS : st;
}

int es_rep_trial_is(const es_store_trial *t, es_trial_status st)
{
    return es_trial_status_parse(t->status) == (int)st;
}

/* The status of slot k of the printing order, or "other". */
static const char *slot_name(int k, int *slot /* OUT */)
{
    *slot = k < ES_REP_N_STATUS ? (int)es_rep_status_order[k] : ES_REP_N_STATUS;
    return k < ES_REP_N_STATUS ? es_trial_status_name(es_rep_status_order[k]) : "other";
}

double es_rep_trial_wall(const es_store_trial *t)
{
    return isfinite(t->wall_s) ? t->wall_s : isfinite(t->ended) ? t->ended - t->started : 0.0;
}

int es_rep_energy_known(const es_store_trial *t)
{
    return es_account_measured(&t->cpu, &t->dram, &t->gpu);
}

int es_report_energy_unknown(const es_store_trial *t)
{
    return t->reused_from <= 0 && !es_rep_energy_known(t);
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

void es_rep_tally_trial(es_rep_tally *ty, const es_store_trial *t, const es_cost *c)
{
    es_cost_add(&ty->cost, c);
    ty->trials++;
    ty->by_status[es_rep_status_slot(t->status)]++;
    ty->methods |= 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
    ty->unmeasured += es_report_energy_unknown(t);
}

void es_rep_tally_job(es_rep_tally *ty, const es_store_job *j, const es_cost *c)
{
    es_cost_add(&ty->cost, c);
    ty->jobs++;
    ty->methods |= 1u << j->energy.method;
    ty->unmeasured += j->energy.method == ES_EM_NONE;
}

void es_rep_tally_add(es_rep_tally *to, const es_rep_tally *from)
{
    es_cost_add(&to->cost, &from->cost);
    to->trials += from->trials;
    to->jobs += from->jobs;
    for (int i = 0; i <= ES_REP_N_STATUS; i++)
        to->by_status[i] += from->by_status[i];
    to->methods |= from->methods;
    to->unmeasured += from->unmeasured;
}

/* ---- Budgets, reuse and forecasts ------------------------------------------ */

double es_rep_forecast_error(const es_store_trial *t)
{
    double actual = es_account_joules(&t->cpu, &t->dram, &t->gpu);
    if (!es_rep_energy_known(t) || t->reused_from > 0 || !(t->forecast_j > 0) ||
        es_rep_trial_is(t, ES_TRIAL_RUNNING))
        return NAN;
    return (actual - t->forecast_j) / t->forecast_j;
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
            else
                out->reused_unmetered++;
        }
        /* Completed trials only: a trial stopped half-way is not a miss of
         * the forecast. */
        if (err != NULL && isfinite(e) && es_rep_trial_is(t, ES_TRIAL_COMPLETED))
            err[out->forecasts++] = e;
    }
    if (out->forecasts > 0)
        out->median_error = es_median(err, (size_t)out->forecasts);
    free(err);
}

void es_rep_write_by_status(FILE *f, const es_rep_tally *ty)
{
    int first = 1;
    fputc('{', f);
    for (int k = 0, i; k <= ES_REP_N_STATUS; k++) {
        const char *name = slot_name(k, &i);
        if (ty->by_status[i] == 0)
            continue;
        fprintf(f, "%s\"%s\": %d", first ? "" : ", ", name, ty->by_status[i]);
        first = 0;
    }
    fputc('}', f);
}

void es_rep_write_counts(FILE *f, const es_rep_tally *ty)
{
    fprintf(f, "%d trial%s", ty->trials, ty->trials == 1 ? "" : "s");
    for (int k = 0, i; k <= ES_REP_N_STATUS; k++) {
        const char *name = slot_name(k, &i);
        if (ty->by_status[i])
            fprintf(f, ", %d %s", ty->by_status[i], name);
    }
}

int es_rep_methods_known(unsigned methods)
{
    return (methods & (1u << ES_EM_COUNTER | 1u << ES_EM_ESTIMATE)) != 0;
}

int es_rep_tally_known(const es_rep_tally *ty)
{
    return es_rep_methods_known(ty->methods);
}

const char *es_rep_num(char *buf, size_t cap, double v)
{
    if (isfinite(v))
        snprintf(buf, cap, "%.4g", v);
    else
        snprintf(buf, cap, "-");
    return buf;
}

const char *es_rep_tier_num(char *buf, size_t cap, const es_tier *t, double v)
{
    return es_rep_num(buf, cap, es_rep_methods_known(t->methods) ? v : NAN);
}

void es_rep_write_cost(FILE *f, const es_rep_tally *ty)
{
    if (!es_rep_tally_known(ty)) { /* no meter and no estimate: never a 0 */
        fprintf(f,
                "%.4g %s, energy not measured (so no kWh, CO2e or electricity cost), cloud $%.4g",
                ty->cost.hours, ty->jobs > 0 ? "hours" : "trial-hours", ty->cost.usd_cloud);
        return;
    }
    fprintf(f,
            "%.4g %s, %.4g kWh, %.4g kg CO2e, $%.4g (electricity $%.4g, cloud $%.4g), energy "
            "by %s",
            ty->cost.hours, ty->jobs > 0 ? "hours" : "trial-hours", ty->cost.kwh, ty->cost.co2e_kg,
            ty->cost.usd, ty->cost.usd_electricity, ty->cost.usd_cloud,
            es_account_method_label(ty->methods));
    /* A total of what was measured is not the whole: say what it leaves out. */
    if (ty->unmeasured > 0)
        fprintf(f, "; %d of %d %s not measured, so not in these totals", ty->unmeasured,
                ty->trials + ty->jobs,
                ty->jobs == 0     ? "trials"
                : ty->trials == 0 ? "jobs"
                                  : "trials and jobs");
}

int es_rep_maximize(const es_store_sweep *sw)
{
    return sw->goal != NULL && strcmp(sw->goal, "maximize") == 0;
}

const es_store_trial *es_rep_best_trial(const es_store_sweep *sw, const unsigned char *among)
{
    const es_store_trial *best = NULL;
    int max = es_rep_maximize(sw);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (!es_rep_trial_is(t, ES_TRIAL_COMPLETED) || isnan(t->objective) ||
            (among != NULL && !among[i]))
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

/* The formats, each with its names and its writer: the one table that
 * es_report_format_parse and es_report_write_opts read. */
static const struct {
    const char *name;
    es_report_format fmt;
    void (*write)(const es_rep_view *v, FILE *f);
} formats[] = {{"text", ES_REPORT_TEXT, es_rep_write_text},
               {"json", ES_REPORT_JSON, es_rep_write_json},
               {"csv", ES_REPORT_CSV, es_rep_write_csv},
               {"codecarbon", ES_REPORT_CODECARBON, es_rep_write_codecarbon},
               {"markdown", ES_REPORT_MARKDOWN, es_rep_write_markdown},
               {"md", ES_REPORT_MARKDOWN, es_rep_write_markdown},
               {"html", ES_REPORT_HTML, es_rep_write_html}};

int es_report_format_parse(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0)
            return (int)formats[i].fmt;
    return -1;
}

int es_report_write_opts(const es_store_data *d, const es_report_opts *opts, FILE *out)
{
    void (*write)(const es_rep_view *, FILE *) = es_rep_write_text;
    es_rep_view *v;
    int rc;

    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].fmt == opts->format)
            write = formats[i].write;
    if ((rc = es_rep_view_build(d, opts, &v)) != 0)
        return rc;
    write(v, out);
    es_rep_view_free(v);
    if (fflush(out) != 0 || ferror(out))
        return -errno;
    return 0;
}

int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out)
{
    es_report_opts opts = {.format = fmt, .override = NULL, .partial = 0};
    return es_report_write_opts(d, &opts, out);
}

int es_report_write_summary(const es_store_data *d, const char *indent, FILE *out)
{
    es_report_opts opts = {.format = ES_REPORT_TEXT, .override = NULL, .partial = 1};
    es_rep_view *v;
    int rc = es_rep_view_build(d, &opts, &v);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < v->n_projects; i++)
        for (size_t j = 0; j < v->projects[i].p->n_sweeps; j++) {
            const es_rep_sweep_view *sv = &v->projects[i].sweeps[j];
            fprintf(out, "%scost: ", indent);
            es_rep_write_cost(out, &sv->tally);
            fputc('\n', out);
            if (sv->front.m > 0) {
                fputs(indent, out);
                es_rep_write_front_summary(out, sv);
                fputc('\n', out);
            }
            if (sv->sw->n_constraints > 0) {
                fputs(indent, out);
                es_rep_write_constraints(out, sv);
                fputc('\n', out);
            }
        }
    es_rep_view_free(v);
    if (fflush(out) != 0 || ferror(out))
        return -errno;
    return 0;
}
