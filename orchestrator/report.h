/*
 * report.h -- what a sweep cost and what it found, as text, JSON or CSV.
 *
 * Every figure is computed from the stored raw joules and the factors each
 * sweep recorded (account.h), so totals are exactly the sums of their
 * trials.  Energy figures carry the method that produced them; a component
 * with no method is printed as unknown, never as a measured 0.
 *
 * JSON (stable; fields are only ever added):
 *   { "ecosweep_report": 1, "generated": ISO-8601,
 *     "totals": COST,
 *     "projects": [ { "name", COST..., "sweeps": [
 *         { "id", "name", "status", "reason", "method", "metric", "goal", "seed",
 *           "started", "ended", "factors": {...}, COST..., "best": TRIAL-REF|null,
 *           "trials": [ { "id", "number", "status", "reason", "params": {...},
 *                         "metrics": {...}, "objective", COST...,
 *                         "wall_s", "cpu_s", "peak_rss_kb", "host", "log_dir",
 *                         "energy": { "cpu_j", "cpu_method", "cpu_source",
 *                                     "dram_j", ..., "gpu_j", ... } } ] } ] } ] }
 *   COST = "kwh", "co2e_kg", "usd", "usd_electricity", "usd_cloud",
 *          "trial_hours", "trials", "trials_by_status": {status: n},
 *          "energy_method" (counter | estimate | mixed | none)
 */
#ifndef ES_REPORT_H
#define ES_REPORT_H

#include <stdio.h>

#include "store.h"

typedef enum es_report_format {
    ES_REPORT_TEXT = 0,
    ES_REPORT_JSON,
    ES_REPORT_CSV
} es_report_format;

/* "text" / "json" / "csv" -> format; -1 when unknown. */
int es_report_format_parse(const char *name);

/* Write the report of d to out.  0 or -errno (write error). */
int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out);

#endif
