/*
 * account.c -- joules to kWh, CO2e and dollars (see account.h).
 */
#include "account.h"

#include <math.h>
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
