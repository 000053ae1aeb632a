/*
 * report_csv.c -- the two CSV reports: ecosweep's own, one row per trial,
 * and CodeCarbon 2.x's emissions.csv layout (see report.h and the README's
 * column mapping).  Imported jobs are not rows here: both layouts describe
 * trials that ecosweep ran and metered; the other formats count them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numbers.h"
#include "report_int.h"

/* ---- CSV -------------------------------------------------------------------- */

/* A text cell, quoted when it must be (RFC 4180).  Text that a spreadsheet
 * would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return: a project or sweep named "=HYPERLINK(...)") is led by an
 * apostrophe, as OWASP advises, so it opens as the text it is. */
static void c_str(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    if (!formula && strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void c_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.10g", x);
}

/* feasible, pareto_rank and the values each objective ranked trial k by
 * (empty where the sweep has no objectives or constraints). */
static void c_front(FILE *f, const es_rep_sweep_view *sv, size_t k)
{
    const es_rep_front *fr = &sv->front;
    fputc(',', f);
    if (fr->keeps != NULL)
        fputs((fr->m > 0 ? fr->feasible[k] : fr->keeps[k]) ? "true" : "false", f);
    fputc(',', f);
    if (fr->m > 0 && fr->rank[k] > 0)
        fprintf(f, "%d", fr->rank[k]);
    for (size_t j = 0; j < 3; j++) {
        fputc(',', f);
        if (j < fr->m)
            c_num(f, fr->y[k * fr->m + j]);
    }
}

/* phases_kwh: {"NAME": kWh, ...} of a trial with phases, as one cell. */
static void c_phases(FILE *f, const es_rep_sweep_view *sv, const es_rep_trial_view *tv)
{
    fputc(',', f);
    if (tv->t->n_phases == 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return;
    fputc('{', m);
    for (size_t i = 0; i < tv->t->n_phases; i++) {
        es_rep_phase_row r;
        es_rep_phase_row_of(sv, tv, i, &r);
        fprintf(m, "%s\"%s\": ", i ? ", " : "", r.p->name);
        es_json_write_num(m, r.kwh);
    }
    fputc('}', m);
    if (fclose(m) == 0)
        c_str(f, text);
    free(text);
}

void es_rep_write_csv(const es_rep_view *v, FILE *f)
{
    fputs("project,sweep,trial_id,number,status,reason,objective,wall_s,cpu_s,kwh,co2e_kg,usd,"
          "usd_electricity,usd_cloud,cpu_j,cpu_method,dram_j,dram_method,gpu_j,gpu_method,"
          "params,region,pruned_step,saved_j,slurm_job,slurm_state,slurm_energy_j,feasible,"
          "pareto_rank,objective_1,objective_2,objective_3,phases_kwh\n",
          f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_store_project *p = v->projects[i].p;
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_rep_sweep_view *sv = &v->projects[i].sweeps[j];
            const es_store_sweep *sw = sv->sw;
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_rep_trial_view *tv = &sv->trials[k];
                const es_store_trial *t = tv->t;
                const es_energy_part *parts[3] = {&t->cpu, &t->dram, &t->gpu};
                const es_cost c = tv->cost;
                c_str(f, p->name);
                fputc(',', f);
                c_str(f, sw->name);
                fprintf(f, ",%lld,%lld,", (long long)t->id, (long long)t->number);
                c_str(f, t->status);
                fputc(',', f);
                c_str(f, t->reason);
                fputc(',', f);
                c_num(f, t->objective);
                /* Nothing measured: the energy and what it prices are empty. */
                double u = es_report_energy_unknown(t) ? NAN : 0.0;
                double nums[] = {t->wall_s,     t->cpu_s,  c.kwh + u,
                                 c.co2e_kg + u, c.usd + u, c.usd_electricity + u,
                                 c.usd_cloud};
                for (size_t n = 0; n < sizeof nums / sizeof nums[0]; n++) {
                    fputc(',', f);
                    c_num(f, nums[n]);
                }
                for (int n = 0; n < 3; n++) {
                    fputc(',', f);
                    c_num(f, parts[n]->method == ES_EM_NONE ? NAN : parts[n]->j);
                    fputc(',', f);
                    c_str(f, es_em_name(parts[n]->method));
                }
                fputc(',', f);
                c_str(f, t->params_json);
                fputc(',', f);
                c_str(f, sw->factors.region);
                fputc(',', f);
                if (tv->pruned)
                    fprintf(f, "%lld", (long long)tv->reached);
                fputc(',', f);
                c_num(f, tv->saved_j);
                fputc(',', f);
                c_str(f, t->slurm_job);
                fputc(',', f);
                c_str(f, t->slurm_state);
                fputc(',', f);
                c_num(f, t->slurm_energy_j);
                c_front(f, sv, k);
                c_phases(f, sv, tv);
                fputc('\n', f);
            }
        }
    }
}

/* ---- CodeCarbon's emissions.csv ------------------------------------------------ */

/* CodeCarbon 2.x's emissions.csv header, column for column, so its
 * dashboard and scripts written for it read ecosweep's trials. */
static const char codecarbon_header[] =
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
    "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,"
    "region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,"
    "cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,"
    "pue\n";

/* Mean power at the device (W) and energy at the wall (kWh, PUE applied, as
 * CodeCarbon counts it, priced by fa) of one component; both empty when it
 * is unknown. */
static void cc_part(FILE *f, const es_energy_part *p, double wall, const es_energy_factors *fa,
                    int energy)
{
    es_cost c;
    fputc(',', f);
    if (p->method == ES_EM_NONE || !isfinite(p->j))
        return;
    if (energy) {
        es_account(fa, p->j, 0, &c);
        c_num(f, c.kwh);
    } else if (wall > 0) {
        c_num(f, p->j / wall);
    }
}

void es_rep_write_codecarbon(const es_rep_view *v, FILE *f)
{
    fputs(codecarbon_header, f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_store_project *p = v->projects[i].p;
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_rep_sweep_view *sv = &v->projects[i].sweeps[j];
            const es_store_sweep *sw = sv->sw;
            const es_energy_factors *fa = &sw->factors;
            es_region r;
            int has_region = fa->region[0] != '\0' && es_region_lookup(fa->region, &r) == 0;
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                const es_energy_part *parts[3] = {&t->cpu, &t->gpu, &t->dram};
                double wall = es_rep_trial_wall(t);
                char when[32];
                const es_cost c = sv->trials[k].cost;
                int counter = 0;

                /* CodeCarbon's own format: local-looking, but ecosweep writes UTC. */
                if (isfinite(t->ended) || isfinite(t->started)) {
                    time_t sec = (time_t)(isfinite(t->ended) ? t->ended : t->started);
                    struct tm tm;
                    gmtime_r(&sec, &tm);
                    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
                    fputs(when, f);
                }
                fputc(',', f);
                c_str(f, p->name);
                /* The trial's log directory, as the README says: a lost attempt
                 * (trial-8.lost-9) and its rerun (trial-8) are two runs. */
                const char *dir = t->log_dir != NULL ? strrchr(t->log_dir, '/') : NULL;
                if (dir != NULL && strncmp(dir + 1, "trial-", 6) == 0)
                    fprintf(f, ",sweep-%lld/%s,", (long long)sw->id, dir + 1);
                else
                    fprintf(f, ",sweep-%lld/trial-%lld,", (long long)sw->id, (long long)t->number);
                double u = es_rep_energy_known(t) ? 0.0 : NAN; /* nothing measured: empty */
                c_num(f, wall);
                fputc(',', f);
                c_num(f, c.co2e_kg + u);
                fputc(',', f);
                if (wall > 0)
                    c_num(f, c.co2e_kg / wall + u);
                for (int n = 0; n < 3; n++) /* cpu_power, gpu_power, ram_power */
                    cc_part(f, parts[n], wall, fa, 0);
                for (int n = 0; n < 3; n++) /* cpu_energy, gpu_energy, ram_energy */
                    cc_part(f, parts[n], wall, fa, 1);
                fputc(',', f);
                c_num(f, c.kwh + u); /* energy_consumed: the sum of the known parts, PUE applied */
                fputc(',', f);
                if (has_region && r.iso2[0] != '\0') { /* not for the WLD row */
                    c_str(f, r.country);
                    fputc(',', f);
                    c_str(f, r.iso3);
                } else {
                    fputc(',', f);
                }
                /* region .. ram_total_size: not known to ecosweep. */
                fputs(",,,,,,,,,,,,,", f);
                for (int n = 0; n < 3; n++)
                    counter |= parts[n]->method == ES_EM_COUNTER;
                /* "machine": whole-socket counters charged to the trial; otherwise
                 * the trial's own share (estimate, or shared attribution). */
                fputs(counter && fa->attribution == ES_ATTRIBUTION_EXCLUSIVE ? ",machine"
                                                                             : ",process",
                      f);
                fputs(fa->cloud_usd_per_hour > 0 ? ",Y," : ",N,", f);
                c_num(f, fa->pue);
                fputc('\n', f);
            }
        }
    }
}
