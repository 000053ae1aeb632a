/*
 * report.h -- what a sweep cost and what it found, as text, JSON, CSV, CSV
 * in CodeCarbon's emissions.csv layout, Markdown, or a self-contained HTML
 * page with inline SVG plots.
 *
 * Beyond the per-trial rows and totals, every report gives:
 *   - per project, Strubell et al.'s (2019) three tiers -- one model (the
 *     median completed trial or imported job by kWh), one tune (the median
 *     sweep or imported group by kWh) and all R&D (every trial and imported
 *     job) -- with everyday equivalents (es_report_footprint);
 *   - per sweep, Dodge et al.'s (2019) expected maximum validation
 *     performance as a function of the number of trials and of kWh
 *     (es_report_expected_max), and which parameters moved the metric and
 *     which moved the energy (es_report_sensitivity).
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
 * Added in schema 3 (README "Reports" documents each field):
 *   project and top-level COST also count imported jobs, and gain
 *   "imported_jobs": n; project: "footprint": {"statistic", "one_model",
 *   "one_tune", "all_rd": TIER|null, "equivalent_sources": [...]} (null when
 *   the report is of some sweeps only), "imports": [IMPORT...];
 *   sweep: "expected_max": {...}|null, "sensitivity": {...}.
 *
 * Added in schema 4 (README "Budgets"): sweep: "overshoot_j" (energy spent
 * beyond the budget, null when none was recorded), "forecast_error_median"
 * (over completed trials, null when none had a forecast), "reuse":
 * {"trials", "saved_j"}; trial: "reused_from" (trial id or null),
 * "forecast_j" and "forecast_error" = (actual - forecast) / forecast.
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
#include "data.h"

typedef enum es_report_format {
    ES_REPORT_TEXT = 0,
    ES_REPORT_JSON,
    ES_REPORT_CSV,
    ES_REPORT_CODECARBON,
    ES_REPORT_MARKDOWN,
    ES_REPORT_HTML
} es_report_format;

/* "text" / "json" / "csv" / "codecarbon" / "markdown" (or "md") / "html"
 * -> format; -1 when unknown. */
int es_report_format_parse(const char *name);

typedef struct es_report_opts {
    es_report_format format;
    const es_factor_override *override; /* NULL, or set == 0: each sweep's own factors */
    int partial;                        /* 1: d holds some sweeps of each project only (--sweep), so
                                         * project tiers are not computed */
} es_report_opts;

/* Write the report of d to out.  0, -ENOMEM, or -errno (write error). */
int es_report_write_opts(const es_store_data *d, const es_report_opts *opts, FILE *out);

/* The same with each sweep's own factors. */
int es_report_write(const es_store_data *d, es_report_format fmt, FILE *out);

/* What a run's summary adds about each sweep of d, a line each after
 * indent: its cost as the report says it (hours, kWh, CO2e, dollars and
 * the method behind the energy, or that nothing measured it -- never a
 * bare 0 kWh); with several objectives the Pareto front (its size among
 * the completed trials, what no trial reported, the hypervolume); with
 * constraints how many trials break them.  0, -ENOMEM, or -errno (write
 * error). */
int es_report_write_summary(const es_store_data *d, const char *indent, FILE *out);

/* ---- Strubell et al.'s tiers ---------------------------------------------- */

typedef struct es_tier {
    int available;    /* 0 when the project has no such job or sweep (what says why) */
    int jobs;         /* trials and imported jobs in the tier */
    int imported;     /* of which imported */
    es_cost cost;     /* kWh, CO2e, dollars, hours (job wall-clock hours) */
    unsigned methods; /* bit set of es_em (es_account_method_label) */
    char what[192];   /* which trial, sweep or jobs: "trial 3 of sweep s (#1)" */
} es_tier;

typedef struct es_footprint {
    es_tier one_model; /* the median completed trial or imported job, by kWh */
    es_tier one_tune;  /* the median sweep or imported group, by kWh */
    es_tier all_rd;    /* every trial of every sweep and every imported job */
    int unmeasured_models, unmeasured_tunes; /* left out of the medians: nothing measured
                                              * their energy */
} es_footprint;

/* The tiers of project p.  A median of an even count is the lower of the two
 * middle ones, so that every figure of a tier belongs to one real trial or
 * sweep.  Imported jobs count as trials, and the imported jobs of one group
 * (CSV column sweep, a Slurm array) as one sweep.  0 or -ENOMEM. */
int es_report_footprint(const es_store_project *p, es_footprint *out /* OUT */);

/* Whether trial t ran and nothing measured or estimated its energy: its
 * kWh, CO2e and electricity cost are unknown, and in no total.  A reuse
 * ran nothing: its 0 is known. */
int es_report_energy_unknown(const es_store_trial *t);

/* An everyday equivalent of a cost: value = kg CO2e (or kWh) / per_unit. */
typedef struct es_equivalent {
    const char *key;  /* JSON name: "car_km" */
    const char *text; /* "km by car" */
    int by_energy;    /* 1: from kWh; 0: from kg CO2e */
    double per_unit;  /* kg CO2e or kWh per unit */
    const char *source;
} es_equivalent;

/* The table of equivalents (static); *n receives its length. */
const es_equivalent *es_report_equivalents(size_t *n /* OUT */);
double es_equivalent_value(const es_equivalent *e, const es_cost *c);

/* ---- Dodge et al.'s expected maximum -------------------------------------- */

/* Expected best of k draws with replacement from the n values, for k =
 * 1..n: mean[k-1] = sum_i v_(i) [(i/n)^k - ((i-1)/n)^k], v sorted so that
 * v_(n) is the best (largest when maximize, else smallest); sd (may be
 * NULL) the standard deviation of that best.  0, or -EINVAL when n == 0, or
 * -ENOMEM. */
int es_report_expected_max(const double *values, size_t n, int maximize, double *mean /* OUT */,
                           double *sd /* OUT */);

/* ---- Hyperparameter sensitivity -------------------------------------------- */

/* Sensitivity is shown from this many completed trials: below it a
 * share of variance is mostly noise. */
#define ES_REPORT_SENSITIVITY_MIN_TRIALS 10

/* How much one parameter moved the metric (or the energy) across a sweep's
 * completed trials: its first-order (main-effect) share of the target's
 * variance.  The target's variance between the parameter's groups -- its
 * levels (categorical, or numeric with at most 6 distinct values: a grid),
 * else quantile bins of its values -- over the total, adjusted for the
 * share that groups of that size explain by chance (omega squared:
 * (SS_between - (k-1) MS_within) / (SS_total + MS_within), at least 0).
 * For independently drawn parameters (random and grid search) first-order
 * shares add up to at most 1, the rest being interactions and noise;
 * where the estimates add up to more (correlated draws, noise), every share
 * is scaled so that they add up to 1 and `normalized` says so. */
typedef struct es_sensitivity {
    char *param;
    const char *method; /* "levels": grouped by its values; "quantile bins":
                         * numeric, grouped by rank into `groups` bins */
    double share;       /* 0..1; NAN when the target did not vary or each group
                         * held one trial (nothing to compare within) */
    double rho;         /* Spearman's rho of a numeric parameter, signed (the
                         * direction); NAN for a categorical one */
    size_t levels;      /* distinct values seen */
    size_t groups;      /* groups the share was computed over */
    int normalized;     /* 1: the shares were scaled to add up to 1 */
} es_sensitivity;

/* Sensitivity of sw's objective (energy == 0) or of its trials' kWh
 * (energy == 1) to each parameter that took two values or more, over the
 * completed trials with an objective (and, for energy, a known energy),
 * sorted by share, largest first.  Fewer than
 * ES_REPORT_SENSITIVITY_MIN_TRIALS trials: *n = 0.  *used receives the
 * number of trials there were.  0 or -ENOMEM; free with
 * es_report_sensitivity_free. */
int es_report_sensitivity(const es_store_sweep *sw, int energy, es_sensitivity **out /* OUT */,
                          size_t *n /* OUT */, size_t *used /* OUT */);
void es_report_sensitivity_free(es_sensitivity *s, size_t n);

#endif
