/*
 * account.h -- turning a trial's joules and hours into the numbers on the
 * bill: kWh at the wall, CO2e, and dollars.
 *
 *   kWh   = joules / 3.6e6 x PUE
 *   CO2e  = kWh x carbon intensity (g/kWh) / 1000            [kg]
 *   USD   = kWh x electricity $/kWh + hours x cloud $/hour
 *
 * Pure arithmetic; the factors come from the sweep (its spec's energy block
 * or the documented defaults), so a stored trial can be re-priced later --
 * with its own factors, or with some of them replaced (es_factor_override,
 * what `ecosweep report --pue/--region/...` builds).
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

/* Whether any component was measured or estimated.  When none was, the
 * energy is unknown: es_account_joules' 0 is then not a value, and what
 * ranks or bounds trials by energy must be told NAN. */
int es_account_measured(const es_energy_part *cpu, const es_energy_part *dram,
                        const es_energy_part *gpu);

/* Cost of joules spent over wall_s seconds under factors f. */
void es_account(const es_energy_factors *f, double joules, double wall_s, es_cost *out /* OUT */);

/* The value of phase.NAME.FIELD (phase.h) for a phase that ran wall_s
 * seconds on cpu_j + dram_j + gpu_j joules (NAN parts add nothing; all NAN:
 * the energy is not known) and reported items (NAN: none), under factors
 * f: kWh, kg CO2e, dollars (its electricity and its hours of cloud),
 * seconds, or kWh per item (NAN without items > 0).  NAN when not known. */
double es_account_phase(const es_energy_factors *f, int field, double wall_s, double cpu_j,
                        double dram_j, double gpu_j, double items);
/* A phase's joules: the known parts added; NAN when none is known. */
double es_account_phase_joules(double cpu_j, double dram_j, double gpu_j);

/* The sweep's energy budget in joules at the device (what meters report),
 * from whichever of b's kWh, CO2e and dollar caps is tightest under the
 * factors f: kWh / PUE; kg CO2e / carbon intensity / PUE; dollars /
 * electricity price / PUE (the cloud price is charged per hour, not per
 * joule, so it does not enter here).  NAN when b sets none of the three. */
double es_account_budget_joules(const es_energy_factors *f, const es_budget *b);

/* out += add, field by field. */
void es_cost_add(es_cost *out, const es_cost *add);

/* Factors that replace each sweep's recorded ones for a whole report.  A
 * field counts only when its bit is in `set`. */
enum {
    ES_OVR_PUE = 1u << 0,
    ES_OVR_CARBON = 1u << 1, /* carbon_g_per_kwh */
    ES_OVR_REGION = 1u << 2, /* region (and its intensity unless ES_OVR_CARBON) */
    ES_OVR_ELECTRICITY = 1u << 3,
    ES_OVR_CLOUD = 1u << 4
};

typedef struct es_factor_override {
    unsigned set;
    double pue;
    double carbon_g_per_kwh;
    double electricity_usd_per_kwh;
    double cloud_usd_per_hour;
    char region[4]; /* ISO alpha-3, upper case */
} es_factor_override;

/* Validate and record one override given on the command line.  option is
 * the long option without dashes: "pue" (>= 1), "carbon-intensity" (g/kWh,
 * >= 0), "region" (a code es_region_lookup knows), "usd-per-kwh" (>= 0) or
 * "cloud-usd-per-hour" (>= 0).  0, or ES_EUSAGE with a message naming the
 * option and the offending value ("--pue: expected a number >= 1, got
 * '0.9'"; an unknown region comes with the closest code). */
int es_factor_override_set(es_factor_override *o, const char *option, const char *value,
                           es_err *err);

/* Replace f's factors by those o sets, by the spec's rule: an explicit
 * carbon intensity wins over a region (which is still recorded); a region
 * alone brings its table value.  Energy constants (cpu/dram/gpu watts) and
 * attribution are never replaced: they shaped the stored joules. */
void es_factor_override_apply(const es_factor_override *o, es_energy_factors *f);

/* The method that describes a set of energy parts taken together:
 * all the same -> that method; a mix of counter and estimate -> "mixed";
 * nothing known -> "none".  `seen` is a bit set of (1 << es_em). */
const char *es_account_method_label(unsigned seen);

#endif
