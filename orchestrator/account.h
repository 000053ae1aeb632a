/*
 * account.h -- turning a trial's joules and hours into the numbers on the
 * bill: kWh at the wall, CO2e, and dollars.
 *
 *   kWh   = joules / 3.6e6 x PUE
 *   CO2e  = kWh x carbon intensity (g/kWh) / 1000            [kg]
 *   USD   = kWh x electricity $/kWh + hours x cloud $/hour
 *
 * Pure arithmetic; the factors come from the sweep (its spec's energy block
 * or the documented defaults), so a stored trial can be re-priced later.
 */
#ifndef ES_ACCOUNT_H
#define ES_ACCOUNT_H

#include "result.h"
#include "spec.h"

typedef struct es_cost {
    double joules; /* at the device, before PUE */
    double kwh;    /* at the wall, PUE included */
    double co2e_kg;
    double usd_electricity;
    double usd_cloud;
    double usd;   /* electricity + cloud */
    double hours; /* trial wall-clock hours */
} es_cost;

/* Joules of the components that were measured or estimated; components whose
 * method is ES_EM_NONE add nothing (they are unknown, not zero). */
double es_account_joules(const es_energy_part *cpu, const es_energy_part *dram,
                         const es_energy_part *gpu);

/* Cost of joules spent over wall_s seconds under factors f. */
void es_account(const es_energy_factors *f, double joules, double wall_s, es_cost *out /* OUT */);

/* out += add, field by field. */
void es_cost_add(es_cost *out, const es_cost *add);

/* The method that describes a set of energy parts taken together:
 * all the same -> that method; a mix of counter and estimate -> "mixed";
 * nothing known -> "none".  `seen` is a bit set of (1 << es_em). */
const char *es_account_method_label(unsigned seen);

#endif
