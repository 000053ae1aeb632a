/*
 * account.c -- joules to kWh, CO2e and dollars (see account.h), and the
 * factor overrides a report applies before it prices anything.
 */
#include "account.h"
#include "phase.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double known(const es_energy_part *p)
{
    return p->method != ES_EM_NONE && isfinite(p->j) ? p->j : 0.0;
}

double es_account_joules(const es_energy_part *cpu, const es_energy_part *dram,
                         const es_energy_part *gpu)
{
    return known(cpu) + known(dram) + known(gpu);
}

int es_account_measured(const es_energy_part *cpu, const es_energy_part *dram,
                        const es_energy_part *gpu)
{
    return cpu->method != ES_EM_NONE || dram->method != ES_EM_NONE || gpu->method != ES_EM_NONE;
}

void es_account(const es_energy_factors *f, double joules, double wall_s, es_cost *out)
{
    memset(out, 0, sizeof *out);
    out->joules = joules;
    out->kwh = joules / 3.6e6 * f->pue;
    out->co2e_kg = out->kwh * f->carbon_g_per_kwh / 1000.0;
    out->hours = isfinite(wall_s) && wall_s > 0 ? wall_s / 3600.0 : 0.0;
    out->usd_electricity = out->kwh * f->electricity_usd_per_kwh;
    out->usd_cloud = out->hours * f->cloud_usd_per_hour;
    out->usd = out->usd_electricity + out->usd_cloud;
}

double es_account_budget_joules(const es_energy_factors *f, const es_budget *b)
{
    double j = NAN;
    double pue = f->pue > 0 ? f->pue : 1.0;
    if (b->kwh > 0)
        j = b->kwh * 3.6e6 / pue;
    if (b->co2e_kg > 0 && f->carbon_g_per_kwh > 0) {
        double c = b->co2e_kg * 1000.0 / f->carbon_g_per_kwh * 3.6e6 / pue;
        j = isnan(j) || c < j ? c : j;
    }
    if (b->usd > 0 && f->electricity_usd_per_kwh > 0) {
        double u = b->usd / f->electricity_usd_per_kwh * 3.6e6 / pue;
        j = isnan(j) || u < j ? u : j;
    }
    return j;
}

void es_cost_add(es_cost *out, const es_cost *add)
{
    out->joules += add->joules;
    out->kwh += add->kwh;
    out->co2e_kg += add->co2e_kg;
    out->usd_electricity += add->usd_electricity;
    out->usd_cloud += add->usd_cloud;
    out->usd += add->usd;
    out->hours += add->hours;
}

const char *es_account_method_label(unsigned seen)
{
    unsigned c = 1u << ES_EM_COUNTER, e = 1u << ES_EM_ESTIMATE;
    if ((seen & c) && (seen & e))
        return "mixed";
    if (seen & c)
        return "counter";
    if (seen & e)
        return "estimate";
    return "none";
}

/* A finite decimal number >= min, and nothing after it. */
static int parse_factor(const char *option, const char *value, double min, double max,
                        const char *what, double *out, es_err *err)
{
    char *end;
    double x;
    if (value != NULL && *value != '\0') {
        errno = 0;
        x = strtod(value, &end);
        if (*end == '\0' && errno == 0 && isfinite(x) && x >= min && x <= max) {
            *out = x;
            return 0;
        }
    }
    return es_err_set(err, ES_EUSAGE, "--%s: expected %s, got '%s'", option, what,
                      value ? value : "");
}

int es_factor_override_set(es_factor_override *o, const char *option, const char *value,
                           es_err *err)
{
    const struct {
        const char *option;
        unsigned bit;
        double min, max;
        const char *what;
        double *slot;
    } numbers[] = {
        {"pue", ES_OVR_PUE, 1, ES_PUE_MAX, "a number from 1 to 10", &o->pue},
        {"carbon-intensity", ES_OVR_CARBON, 0, ES_CARBON_G_PER_KWH_MAX,
         "a number of g CO2e per kWh from 0 to 5000", &o->carbon_g_per_kwh},
        {"usd-per-kwh", ES_OVR_ELECTRICITY, 0, ES_USD_PER_KWH_MAX, "a price per kWh from 0 to 100",
         &o->electricity_usd_per_kwh},
        {"cloud-usd-per-hour", ES_OVR_CLOUD, 0, ES_CLOUD_USD_PER_HOUR_MAX,
         "a price per hour from 0 to 100000", &o->cloud_usd_per_hour},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        if (strcmp(option, numbers[i].option) != 0)
            continue;
        int rc = parse_factor(option, value, numbers[i].min, numbers[i].max, numbers[i].what,
                              numbers[i].slot, err);
        if (rc == 0)
            o->set |= numbers[i].bit;
        return rc;
    }
    if (strcmp(option, "region") == 0) {
        es_region r;
        char msg[256];
        if (value == NULL || es_region_lookup(value, &r) != 0) {
            es_region_unknown_message(value ? value : "", msg, sizeof msg);
            return es_err_set(err, ES_EUSAGE, "--region: %s", msg);
        }
        o->set |= ES_OVR_REGION;
        snprintf(o->region, sizeof o->region, "%s", r.iso3);
        return 0;
    }
    return es_err_set(err, ES_EUSAGE, "unknown factor option '--%s'", option);
}

void es_factor_override_apply(const es_factor_override *o, es_energy_factors *f)
{
    es_region r;
    if (o == NULL)
        return;
    if (o->set & ES_OVR_PUE)
        f->pue = o->pue;
    if (o->set & ES_OVR_ELECTRICITY)
        f->electricity_usd_per_kwh = o->electricity_usd_per_kwh;
    if (o->set & ES_OVR_CLOUD)
        f->cloud_usd_per_hour = o->cloud_usd_per_hour;
    if (o->set & ES_OVR_REGION)
        snprintf(f->region, sizeof f->region, "%s", o->region);
    if (o->set & ES_OVR_CARBON) {
        f->carbon_g_per_kwh = o->carbon_g_per_kwh;
        f->carbon_source = ES_CARBON_EXPLICIT;
    } else if ((o->set & ES_OVR_REGION) && es_region_lookup(o->region, &r) == 0) {
        f->carbon_g_per_kwh = r.g_co2e_per_kwh;
        f->carbon_source = ES_CARBON_REGION;
    }
}

double es_account_phase_joules(double cpu_j, double dram_j, double gpu_j)
{
    const double parts[3] = {cpu_j, dram_j, gpu_j};
    double j = 0;
    int known = 0;
    for (int k = 0; k < 3; k++)
        if (isfinite(parts[k])) {
            j += parts[k];
            known = 1;
        }
    return known ? j : NAN;
}

double es_account_phase(const es_energy_factors *f, int field, double wall_s, double cpu_j,
                        double dram_j, double gpu_j, double items)
{
    double j = es_account_phase_joules(cpu_j, dram_j, gpu_j);
    if (field == ES_PHASE_WALL_S)
        return isfinite(wall_s) ? wall_s : NAN;
    if (isnan(j))
        return NAN;
    es_cost c;
    es_account(f, j, isfinite(wall_s) ? wall_s : 0, &c);
    switch ((es_phase_field)field) {
    case ES_PHASE_KWH:
        return c.kwh;
    case ES_PHASE_CO2E_KG:
        return c.co2e_kg;
    case ES_PHASE_USD:
        return c.usd;
    case ES_PHASE_KWH_PER_ITEM:
        return items > 0 && isfinite(items) ? c.kwh / items : NAN;
    case ES_PHASE_WALL_S:
    case ES_PHASE_N_FIELDS:
        break;
    }
    return NAN;
}
