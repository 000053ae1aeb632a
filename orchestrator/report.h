/*
 * report.h -- what a sweep cost and what it found, as text, JSON, CSV, or
 * CSV in CodeCarbon's emissions.csv layout.
 *
 * Every figure is computed from the stored raw joules and the factors each
 * sweep recorded (account.h), or those factors with some replaced for the
 * whole report (es_factor_override: --pue, --region, ...), so totals are
 * exactly the sums of their trials either way.  Energy figures carry the
 * method that produced them; a component with no method is printed as
 * unknown, never as a measured 0.
 *
 * JSON (stable; fields are only ever added):
 *   { "ecosweep_report": 1, "generated": ISO-8601,
 *     "totals": COST,
 *     "projects": [ { "name", COST..., "sweeps": [
 *         { "id", "name", "status", "reason", "method", "metric", "goal", "seed",
 *           "started", "ended", "factors": {"pue", "carbon_g_per_kwh",
 *           "electricity_usd_per_kwh", "cloud_usd_per_hour", "region" (ISO alpha-3
 *           or null), "carbon_source" (default|region|explicit), "attribution",
 *           "gpu_watts"}, COST..., "best": TRIAL-REF|null,
 *           "trials": [ { "id", "number", "status", "reason", "params": {...},
 *                         "metrics": {...}, "objective", COST...,
 *                         "wall_s", "cpu_s", "peak_rss_kb", "host", "log_dir",
 *                         "energy": { "cpu_j", "cpu_method", "cpu_source",
 *                                     "dram_j", ..., "gpu_j", ... } } ] } ] } ] }
 *   COST = "kwh", "co2e_kg", "usd", "usd_electricity", "usd_cloud",
 *          "trial_hours", "trials", "trials_by_status": {status: n},
 *          "energy_method" (counter | estimate | mixed | none)
 *   and at the top level "overrides": null, or {"pue", "region",
 *   "carbon_g_per_kwh", "electricity_usd_per_kwh", "cloud_usd_per_hour"}
 *   with null for each factor not overridden.
 *
 * CodeCarbon (ES_REPORT_CODECARBON): CodeCarbon 2.x's emissions.csv header,
 * one row per trial; energies in kWh with PUE applied (as CodeCarbon does),
 * powers in W at the device, emissions in kg; columns ecosweep does not know
 * (os, cpu_model, longitude...) are left empty.  README "Reports" has the
 * column-by-column mapping.
 */
#ifndef ES_REPORT_H
#define ES_REPORT_H

#include <stdio.h>

#include "account.h"
#include "store.h"

typedef enum es_report_format {
    ES_REPORT_TEXT = 0,
    ES_REPORT_JSON,
    ES_REPORT_CSV,
    ES_REPORT_CODECARBON
} es_report_format;

/* "text" / "json" / "csv" / "codecarbon" -> format; -1 when unknown. */
int es_report_format_parse(const char *name);

typedef struct es_report_opts {
    es_report_format format;
    const es_factor_override *override; /* NULL, or set == 0: each sweep's own factors */
} es_report_opts;

/* Write the report of d to out.  0, -ENOMEM, or -errno (write error). */
int es_report_write_opts(const es_store_data *d, const es_report_opts *opts, FILE *out);

/* The same with each sweep's own factors. */
int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out);

#endif
