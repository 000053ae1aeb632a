/*
 * report_int.h -- what the report's files share and nothing else sees: the
 * tally that prices trials and imported jobs and adds them up, the per-sweep
 * analysis (expected maximum, sensitivity) computed once for every format,
 * and each format's writer.  report.h is the interface; this is the inside.
 *
 * Every cost is computed here, from the stored joules and the factors of
 * the sweep or import (already overridden, when the report replaces
 * factors), so all formats print the same numbers and totals are the sums
 * of their rows.
 */
#ifndef ES_REPORT_INT_H
#define ES_REPORT_INT_H

#include <stdio.h>

#include "report.h"

#define ES_REP_N_STATUS 8
extern const char *const es_rep_statuses[ES_REP_N_STATUS];

typedef struct es_rep_tally {
    es_cost cost;                       /* trials and imported jobs together */
    int trials;                         /* ecosweep trials */
    int jobs;                           /* imported jobs */
    int by_status[ES_REP_N_STATUS + 1]; /* trials only; last slot: any other word */
    unsigned methods;                   /* bit set of es_em seen */
} es_rep_tally;

/* Wall seconds of a trial: what the worker measured, else the span the
 * coordinator recorded, else 0. */
double es_rep_trial_wall(const es_store_trial *t);
void es_rep_trial_cost(const es_store_sweep *sw, const es_store_trial *t, es_cost *c /* OUT */);
void es_rep_job_cost(const es_store_import *im, const es_store_job *j, es_cost *c /* OUT */);

void es_rep_tally_add(es_rep_tally *to, const es_rep_tally *from);
void es_rep_tally_sweep(es_rep_tally *ty /* OUT */, const es_store_sweep *sw);
void es_rep_tally_import(es_rep_tally *ty /* OUT */, const es_store_import *im);
/* Sweeps and imports of the project. */
void es_rep_tally_project(es_rep_tally *ty /* OUT */, const es_store_project *p);

/* (actual - forecast) / forecast of a trial's energy, from the forecast
 * recorded at launch and its known joules; NAN when it has no forecast, no
 * known energy, was reused or is still running. */
double es_rep_forecast_error(const es_store_trial *t);

/* What budgets, reuse and forecasts did in a sweep. */
typedef struct es_rep_sweep_budget {
    int reused;          /* trials that reused an earlier completed trial */
    double saved_j;      /* the reused trials' joules: energy not spent again */
    int forecasts;       /* completed trials with a forecast error */
    double median_error; /* their median forecast error; NAN when none */
} es_rep_sweep_budget;

void es_rep_sweep_budget_of(const es_store_sweep *sw, es_rep_sweep_budget *out /* OUT */);

/* The lines that say so, each starting with prefix ("    " in text, "- " in
 * Markdown): the budget overshoot, the median forecast error and the
 * energy saved by reuse; nothing for what the sweep does not have. */
void es_rep_write_budget_lines(FILE *f, const char *prefix, const es_store_sweep *sw);

/* What early termination did in a sweep (report_prune.c, which explains
 * the estimate).  Energies are joules at the devices. */
typedef struct es_rep_prune {
    int pruned;        /* trials pruned */
    double used_j;     /* the energy they used */
    int basis;         /* completed trials the energy per step comes from */
    double j_per_step; /* their median joules per step; NAN when none */
    double final_step; /* their median final step; NAN when none */
    double full_j;     /* estimated cost of the pruned trials run to the end:
                        * used_j + saved_j; NAN when not estimated */
    double saved_j;    /* the sum of the pruned trials' savings; NAN when not
                        * estimated */
} es_rep_prune;

void es_rep_prune_of(const es_store_sweep *sw, es_rep_prune *out /* OUT */);
/* 1 when the trial was stopped by early termination. */
int es_rep_is_pruned(const es_store_trial *t);
/* The step a trial got to: its pruned step, or how far its reports went. */
int64_t es_rep_trial_reached(const es_store_trial *t);
/* One pruned trial's estimated cost to the end and saving under p; both
 * NAN when the trial was not pruned or nothing is estimated. */
void es_rep_prune_trial(const es_rep_prune *p, const es_store_trial *t, double *full_j /* OUT */,
                        double *saved_j /* OUT */);
/* The lines that say so, each starting with prefix; nothing when no trial
 * of the sweep was pruned. */
void es_rep_write_prune_lines(FILE *f, const char *prefix, const es_store_sweep *sw);

/* The sweep's Slurm jobs, their states and sacct's energy beside the
 * worker's, as lines starting with prefix; nothing for a sweep that ran no
 * job (report_slurm.c). */
void es_rep_write_slurm_lines(FILE *f, const char *prefix, const es_store_sweep *sw);

/* Does the sweep maximize its metric? */
int es_rep_maximize(const es_store_sweep *sw);
/* The best completed trial of a sweep, or NULL. */
const es_store_trial *es_rep_best_trial(const es_store_sweep *sw);
/* "2026-11-22T14:00:00Z", or "-" for a non-finite time. */
void es_rep_iso_time(double t, char *buf, size_t cap);

/* The analysis of one sweep that every format prints. */
typedef struct es_rep_sweep_stats {
    size_t n;             /* completed trials with an objective */
    double *emax;         /* n entries: expected best of k trials, k = 1..n */
    double *emax_sd;      /* and its standard deviation */
    double kwh_per_trial; /* the sweep's kWh / n: what one completed trial costs */
    es_sensitivity *obj, *kwh;
    size_t n_obj, n_kwh;
    size_t obj_trials, kwh_trials; /* trials each analysis used */
} es_rep_sweep_stats;

/* 0 or -ENOMEM; free with es_rep_sweep_stats_free (which accepts a zeroed
 * struct). */
int es_rep_sweep_analyze(const es_store_sweep *sw, es_rep_sweep_stats *out /* OUT */);
void es_rep_sweep_stats_free(es_rep_sweep_stats *s);

/* The numbers of trials worth a row in a table of the expected-max curve:
 * 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, ... below n, then n.  Returns how
 * many were written to pts (at most cap). */
size_t es_rep_curve_points(size_t n, size_t *pts, size_t cap);

/* "Factors overridden for every sweep below (...): PUE 1.1, ...\n\n", or
 * nothing when o is NULL or sets nothing. */
void es_rep_write_overrides(FILE *f, const es_factor_override *o);

/* One line that says how the tiers were chosen, for every format. */
extern const char es_rep_tier_statistic[];

/* The writers, one per format (d already carries overridden factors). */
void es_rep_write_json(const es_store_data *d, const es_report_opts *o, FILE *f);
void es_rep_write_csv(const es_store_data *d, FILE *f);
void es_rep_write_codecarbon(const es_store_data *d, FILE *f);
void es_rep_write_markdown(const es_store_data *d, const es_report_opts *o, FILE *f);
void es_rep_write_html(const es_store_data *d, const es_report_opts *o, FILE *f);

#endif
