/*
 * report.c -- text, JSON, CSV and CodeCarbon-CSV reports (see report.h).
 *
 * Overrides are applied first, to a shallow copy of the loaded tree whose
 * sweeps carry the replaced factors (override_view), so every format below
 * reads "the sweep's factors" and never needs to know whether they were
 * overridden.  The report then walks the tree to price every trial with its
 * sweep's factors and add the sums up (struct tally); each format only
 * prints.  Sums are made from the same per-trial costs that are printed, so
 * a total always equals the sum of its rows.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"

#define N_STATUS 8
static const char *const statuses[N_STATUS] = {"completed",   "failed",         "timed_out",
                                               "interrupted", "budget_stopped", "running",
                                               "lost",        "pruned"};

typedef struct tally {
    es_cost cost;
    int trials;
    int by_status[N_STATUS + 1]; /* last slot: any other word */
    unsigned methods;            /* bit set of es_em seen */
} tally;

static int status_slot(const char *s)
{
    for (int i = 0; i < N_STATUS; i++)
        if (s != NULL && strcmp(s, statuses[i]) == 0)
            return i;
    return N_STATUS;
}

/* Wall seconds of a trial: what the worker measured, else the span the
 * coordinator recorded, else 0. */
static double trial_wall(const es_store_trial *t)
{
    return isfinite(t->wall_s) ? t->wall_s : isfinite(t->ended) ? t->ended - t->started : 0.0;
}

static void trial_cost(const es_store_sweep *sw, const es_store_trial *t, es_cost *c)
{
    es_account(&sw->factors, es_account_joules(&t->cpu, &t->dram, &t->gpu), trial_wall(t), c);
}

static void tally_trial(tally *ty, const es_store_sweep *sw, const es_store_trial *t)
{
    es_cost c;
    trial_cost(sw, t, &c);
    es_cost_add(&ty->cost, &c);
    ty->trials++;
    ty->by_status[status_slot(t->status)]++;
    ty->methods |= 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
}

static void tally_add(tally *to, const tally *from)
{
    es_cost_add(&to->cost, &from->cost);
    to->trials += from->trials;
    for (int i = 0; i <= N_STATUS; i++)
        to->by_status[i] += from->by_status[i];
    to->methods |= from->methods;
}

static void tally_sweep(tally *ty, const es_store_sweep *sw)
{
    memset(ty, 0, sizeof *ty);
    for (size_t i = 0; i < sw->n_trials; i++)
        tally_trial(ty, sw, &sw->trials[i]);
}

static void tally_project(tally *ty, const es_store_project *p)
{
    memset(ty, 0, sizeof *ty);
    for (size_t i = 0; i < p->n_sweeps; i++) {
        tally s;
        tally_sweep(&s, &p->sweeps[i]);
        tally_add(ty, &s);
    }
}

/* The best completed trial of a sweep, or NULL. */
static const es_store_trial *best_trial(const es_store_sweep *sw)
{
    const es_store_trial *best = NULL;
    int max = sw->goal != NULL && strcmp(sw->goal, "maximize") == 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (strcmp(t->status, "completed") != 0 || isnan(t->objective))
            continue;
        if (best == NULL || (max ? t->objective > best->objective : t->objective < best->objective))
            best = t;
    }
    return best;
}

static void iso_time(double t, char *buf, size_t cap)
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

/* ---- JSON ------------------------------------------------------------------ */

static void j_str(FILE *f, const char *s)
{
    es_value v = {.kind = s ? ES_V_STR : ES_V_NULL, .s = (char *)s};
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (es_value_json(&v, &buf, &len, &cap) == 0)
        fwrite(buf, 1, len, f);
    else
        fputs("null", f);
    free(buf);
}

/* Numbers with 15 significant digits: all that a double carries reliably,
 * without the noise digits of arithmetic (1.65, not 1.6500000000000001);
 * non-finite ones, which JSON lacks, as null. */
static void j_num(FILE *f, double x)
{
    if (isfinite(x))
        fprintf(f, "%.15g", x);
    else
        fputs("null", f);
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
    iso_time(t, buf, sizeof buf);
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

/* The cost members; the first is written without a leading comma. */
static void j_cost(FILE *f, const es_cost *c)
{
    fputs("\"kwh\": ", f);
    j_num(f, c->kwh);
    j_fnum(f, "co2e_kg", c->co2e_kg);
    j_fnum(f, "usd", c->usd);
    j_fnum(f, "usd_electricity", c->usd_electricity);
    j_fnum(f, "usd_cloud", c->usd_cloud);
    j_fnum(f, "trial_hours", c->hours);
}

static void j_tally(FILE *f, const tally *t)
{
    j_cost(f, &t->cost);
    fprintf(f, ", \"trials\": %d, \"trials_by_status\": {", t->trials);
    int first = 1;
    for (int i = 0; i <= N_STATUS; i++) {
        if (t->by_status[i] == 0)
            continue;
        fprintf(f, "%s\"%s\": %d", first ? "" : ", ", i < N_STATUS ? statuses[i] : "other",
                t->by_status[i]);
        first = 0;
    }
    fputc('}', f);
    j_fstr(f, "energy_method", es_account_method_label(t->methods));
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

static void j_trial(FILE *f, const es_store_sweep *sw, const es_store_trial *t)
{
    es_cost c;
    trial_cost(sw, t, &c);
    fprintf(f, "{\"id\": %lld, \"number\": %lld", (long long)t->id, (long long)t->number);
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
    j_cost(f, &c);
    j_fnum(f, "wall_s", t->wall_s);
    j_fnum(f, "cpu_s", t->cpu_s);
    j_fnum(f, "peak_rss_kb", t->peak_rss_kb >= 0 ? (double)t->peak_rss_kb : NAN);
    j_fstr(f, "host", t->host);
    j_ftime(f, "started", t->started);
    j_ftime(f, "ended", t->ended);
    j_fstr(f, "log_dir", t->log_dir);
    fputs(", \"energy\": {", f);
    j_part(f, "cpu", &t->cpu, 1);
    j_part(f, "dram", &t->dram, 0);
    j_part(f, "gpu", &t->gpu, 0);
    fputs("}}", f);
}

static void j_sweep(FILE *f, const es_store_sweep *sw)
{
    tally ty;
    const es_store_trial *best = best_trial(sw);

    tally_sweep(&ty, sw);
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
    fputs(", \"factors\": {\"pue\": ", f);
    j_num(f, sw->factors.pue);
    j_fnum(f, "carbon_g_per_kwh", sw->factors.carbon_g_per_kwh);
    j_fnum(f, "electricity_usd_per_kwh", sw->factors.electricity_usd_per_kwh);
    j_fnum(f, "cloud_usd_per_hour", sw->factors.cloud_usd_per_hour);
    j_fstr(f, "region", sw->factors.region[0] ? sw->factors.region : NULL);
    j_fstr(f, "carbon_source", es_carbon_source_name(sw->factors.carbon_source));
    j_fstr(f, "attribution", es_energy_attribution_name(sw->factors.attribution));
    j_fnum(f, "gpu_watts", sw->factors.gpu_watts);
    fputs("}, ", f);
    j_tally(f, &ty);
    fputs(", \"best\": ", f);
    if (best != NULL) {
        fprintf(f, "{\"id\": %lld, \"number\": %lld", (long long)best->id, (long long)best->number);
        j_fnum(f, "objective", best->objective);
        fprintf(f, ", \"params\": %s}", best->params_json ? best->params_json : "{}");
    } else {
        fputs("null", f);
    }
    fputs(", \"trials\": [", f);
    for (size_t i = 0; i < sw->n_trials; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        j_trial(f, sw, &sw->trials[i]);
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

static void write_json(const es_store_data *d, const es_factor_override *ov, FILE *f)
{
    tally all;
    char now[32];

    memset(&all, 0, sizeof all);
    iso_time((double)time(NULL), now, sizeof now);
    fprintf(f, "{\"ecosweep_report\": 1, \"generated\": \"%s\", \"overrides\": ", now);
    j_overrides(f, ov);
    fputs(", \"projects\": [", f);
    for (size_t i = 0; i < d->n_projects; i++) {
        const es_store_project *p = &d->projects[i];
        tally ty;
        tally_project(&ty, p);
        tally_add(&all, &ty);
        fputs(i ? ",\n  {" : "\n  {", f);
        j_key(f, "name");
        j_str(f, p->name);
        fputs(", ", f);
        j_tally(f, &ty);
        fputs(", \"sweeps\": [", f);
        for (size_t j = 0; j < p->n_sweeps; j++) {
            fputs(j ? ",\n    " : "\n    ", f);
            j_sweep(f, &p->sweeps[j]);
        }
        fputs("]}", f);
    }
    fputs("],\n \"totals\": {", f);
    j_tally(f, &all);
    fputs("}}\n", f);
}

/* ---- CSV -------------------------------------------------------------------- */

static void c_str(FILE *f, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
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

static void write_csv(const es_store_data *d, FILE *f)
{
    fputs("project,sweep,trial_id,number,status,reason,objective,wall_s,cpu_s,kwh,co2e_kg,usd,"
          "usd_electricity,usd_cloud,cpu_j,cpu_method,dram_j,dram_method,gpu_j,gpu_method,"
          "params,region\n",
          f);
    for (size_t i = 0; i < d->n_projects; i++) {
        const es_store_project *p = &d->projects[i];
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_store_sweep *sw = &p->sweeps[j];
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                const es_energy_part *parts[3] = {&t->cpu, &t->dram, &t->gpu};
                es_cost c;
                trial_cost(sw, t, &c);
                c_str(f, p->name);
                fputc(',', f);
                c_str(f, sw->name);
                fprintf(f, ",%lld,%lld,", (long long)t->id, (long long)t->number);
                c_str(f, t->status);
                fputc(',', f);
                c_str(f, t->reason);
                fputc(',', f);
                c_num(f, t->objective);
                double nums[] = {t->wall_s, t->cpu_s,          c.kwh,      c.co2e_kg,
                                 c.usd,     c.usd_electricity, c.usd_cloud};
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
 * CodeCarbon counts it) of one component; both empty when it is unknown. */
static void cc_part(FILE *f, const es_energy_part *p, double wall, double pue, int energy)
{
    fputc(',', f);
    if (p->method == ES_EM_NONE || !isfinite(p->j))
        return;
    if (energy)
        c_num(f, p->j / 3.6e6 * pue);
    else if (wall > 0)
        c_num(f, p->j / wall);
}

static void write_codecarbon(const es_store_data *d, FILE *f)
{
    fputs(codecarbon_header, f);
    for (size_t i = 0; i < d->n_projects; i++) {
        const es_store_project *p = &d->projects[i];
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_store_sweep *sw = &p->sweeps[j];
            const es_energy_factors *fa = &sw->factors;
            es_region r;
            int has_region = fa->region[0] != '\0' && es_region_lookup(fa->region, &r) == 0;
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                const es_energy_part *parts[3] = {&t->cpu, &t->gpu, &t->dram};
                double wall = trial_wall(t);
                char when[32];
                es_cost c;
                int counter = 0;

                trial_cost(sw, t, &c);
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
                fprintf(f, ",sweep-%lld/trial-%lld,", (long long)sw->id, (long long)t->number);
                c_num(f, wall);
                fputc(',', f);
                c_num(f, c.co2e_kg);
                fputc(',', f);
                if (wall > 0)
                    c_num(f, c.co2e_kg / wall);
                for (int n = 0; n < 3; n++) /* cpu_power, gpu_power, ram_power */
                    cc_part(f, parts[n], wall, fa->pue, 0);
                for (int n = 0; n < 3; n++) /* cpu_energy, gpu_energy, ram_energy */
                    cc_part(f, parts[n], wall, fa->pue, 1);
                fputc(',', f);
                c_num(f, c.kwh); /* energy_consumed: the sum of the known parts, PUE applied */
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

/* ---- Text ------------------------------------------------------------------- */

static void t_cost(FILE *f, const char *indent, const tally *ty)
{
    fprintf(f, "%s%d trials", indent, ty->trials);
    for (int i = 0; i <= N_STATUS; i++)
        if (ty->by_status[i])
            fprintf(f, ", %d %s", ty->by_status[i], i < N_STATUS ? statuses[i] : "other");
    fprintf(f,
            "\n%s%.4g trial-hours, %.4g kWh, %.4g kg CO2e, $%.4g (electricity $%.4g, cloud "
            "$%.4g), energy by %s\n",
            indent, ty->cost.hours, ty->cost.kwh, ty->cost.co2e_kg, ty->cost.usd,
            ty->cost.usd_electricity, ty->cost.usd_cloud, es_account_method_label(ty->methods));
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
static void t_overrides(FILE *f, const es_factor_override *o)
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

static void write_text(const es_store_data *d, const es_factor_override *ov, FILE *f)
{
    t_overrides(f, ov);
    if (d->n_projects == 0)
        fputs("No sweeps recorded yet.\n", f);
    for (size_t i = 0; i < d->n_projects; i++) {
        const es_store_project *p = &d->projects[i];
        tally pt;
        tally_project(&pt, p);
        fprintf(f, "Project %s: %zu sweep%s\n", p->name, p->n_sweeps, p->n_sweeps == 1 ? "" : "s");
        t_cost(f, "  ", &pt);
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_store_sweep *sw = &p->sweeps[j];
            const es_store_trial *best = best_trial(sw);
            char started[32], why[96];
            tally st;
            tally_sweep(&st, sw);
            iso_time(sw->started, started, sizeof started);
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
            if (best != NULL)
                fprintf(f, "    best: trial %lld, %s=%.6g, %s\n", (long long)best->number,
                        sw->metric, best->objective, best->params_json);
            if (sw->n_trials == 0)
                continue;
            fprintf(f, "    %5s  %-14s %12s %10s %11s %9s %8s  %s\n", "trial", "status",
                    sw->metric ? sw->metric : "objective", "kWh", "gCO2e", "USD", "wall_s",
                    "params / reason");
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                es_cost c;
                char obj[32];
                trial_cost(sw, t, &c);
                if (isnan(t->objective))
                    snprintf(obj, sizeof obj, "-");
                else
                    snprintf(obj, sizeof obj, "%.6g", t->objective);
                fprintf(f, "    %5lld  %-14s %12s %10.3g %11.4g %9.3g %8.1f  %s%s%s\n",
                        (long long)t->number, t->status, obj, c.kwh, c.co2e_kg * 1000, c.usd,
                        isfinite(t->wall_s) ? t->wall_s : 0.0, t->params_json,
                        t->reason ? "  -- " : "", t->reason ? t->reason : "");
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
    if (d->n_projects > 0)
        fputs("Energy by 'estimate' is a power model times CPU time and memory, not a "
              "measurement;\n'not measured' means no meter was available, not zero. See the "
              "README's energy accounting.\n",
              f);
}

int es_report_format_parse(const char *name)
{
    if (strcmp(name, "text") == 0)
        return ES_REPORT_TEXT;
    if (strcmp(name, "json") == 0)
        return ES_REPORT_JSON;
    if (strcmp(name, "csv") == 0)
        return ES_REPORT_CSV;
    if (strcmp(name, "codecarbon") == 0)
        return ES_REPORT_CODECARBON;
    return -1;
}

/* ---- Overrides ------------------------------------------------------------------ */

/* A copy of d that shares every trial and string with it but whose sweeps
 * carry the overridden factors.  Free with view_free(). */
static es_store_data *override_view(const es_store_data *d, const es_factor_override *o)
{
    es_store_data *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->n_projects = d->n_projects;
    v->projects = calloc(d->n_projects ? d->n_projects : 1, sizeof *v->projects);
    if (v->projects == NULL) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < d->n_projects; i++) {
        es_store_project *p = &v->projects[i];
        *p = d->projects[i];
        p->sweeps = calloc(p->n_sweeps ? p->n_sweeps : 1, sizeof *p->sweeps);
        if (p->sweeps == NULL) {
            v->n_projects = i;
            for (size_t j = 0; j < i; j++)
                free(v->projects[j].sweeps);
            free(v->projects);
            free(v);
            return NULL;
        }
        for (size_t j = 0; j < p->n_sweeps; j++) {
            p->sweeps[j] = d->projects[i].sweeps[j];
            es_factor_override_apply(o, &p->sweeps[j].factors);
        }
    }
    return v;
}

static void view_free(es_store_data *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_projects; i++)
        free(v->projects[i].sweeps);
    free(v->projects);
    free(v);
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
        write_json(d, ov, out);
        break;
    case ES_REPORT_CSV:
        write_csv(d, out);
        break;
    case ES_REPORT_CODECARBON:
        write_codecarbon(d, out);
        break;
    default:
        write_text(d, ov, out);
        break;
    }
    view_free(view);
    if (fflush(out) != 0 || ferror(out))
        return -errno;
    return 0;
}

int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out)
{
    es_report_opts opts = {.format = fmt, .override = NULL};
    return es_report_write_opts(d, &opts, out);
}
