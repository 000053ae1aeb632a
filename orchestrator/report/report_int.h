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

#include "trial_status.h"

/* A tally's slots: one per es_trial_status, and one for a word that is no
 * status (a database written by a newer ecosweep), printed as "other". */
#define ES_REP_N_STATUS ES_TRIAL_STATUS_COUNT

/* The order statuses are printed in: completed first. */
extern const es_trial_status es_rep_status_order[ES_REP_N_STATUS];

typedef struct es_rep_tally {
    es_cost cost;                       /* trials and imported jobs together */
    int trials;                         /* ecosweep trials */
    int jobs;                           /* imported jobs */
    int by_status[ES_REP_N_STATUS + 1]; /* trials only, by es_trial_status; last
                                         * slot: any other word */
    unsigned methods;                   /* bit set of es_em seen */
    int unmeasured;                     /* trials (reuses aside) and jobs whose energy
                                         * nothing measured or estimated: in no total */
} es_rep_tally;

/* Wall seconds of a trial: what the worker measured, else the span the
 * coordinator recorded, else 0. */
double es_rep_trial_wall(const es_store_trial *t);
/* Whether anything measured or estimated t's energy (es_account_measured). */
int es_rep_energy_known(const es_store_trial *t);
/* The two places that price: a trial with its sweep's factors, a job with
 * its import's (both through es_account). */
void es_rep_trial_cost(const es_store_sweep *sw, const es_store_trial *t, es_cost *c /* OUT */);
void es_rep_job_cost(const es_store_import *im, const es_store_job *j, es_cost *c /* OUT */);

/* Count a priced trial or job into a tally; add one tally to another. */
void es_rep_tally_trial(es_rep_tally *ty, const es_store_trial *t, const es_cost *c);
void es_rep_tally_job(es_rep_tally *ty, const es_store_job *j, const es_cost *c);
void es_rep_tally_add(es_rep_tally *to, const es_rep_tally *from);

/* {"completed": 10, "failed": 2}: a tally's trials by status, as JSON. */
void es_rep_write_by_status(FILE *f, const es_rep_tally *ty);
/* "12 trials, 10 completed, 2 failed" (no newline). */
void es_rep_write_counts(FILE *f, const es_rep_tally *ty);
/* "0.5 trial-hours, 0.01 kWh, 0.004 kg CO2e, $0.001 (electricity $0.001,
 * cloud $0), energy by estimate" (hours rather than trial-hours when the
 * tally counts imported jobs; no newline), and "; 2 of 8 trials not
 * measured, so not in these totals" when some were not.  Plain text:
 * nothing to escape in any format. */
void es_rep_write_cost(FILE *f, const es_rep_tally *ty);
/* Whether anything in ty was measured or estimated: else its kWh, CO2e
 * and electricity cost are unknown, not 0. */
int es_rep_tally_known(const es_rep_tally *ty);
/* The same of a bit set of es_em (a tally's or a tier's methods). */
int es_rep_methods_known(unsigned methods);
/* v as "%.4g" into buf, or "-" when the tier's energy is not known. */
const char *es_rep_tier_num(char *buf, size_t cap, const es_tier *t, double v);
/* v as "%.4g" into buf, or "-" when it is not a number (not known). */
const char *es_rep_num(char *buf, size_t cap, double v);

/* Does trial t stand at status st?  (The tree holds the words as recorded.) */
int es_rep_trial_is(const es_store_trial *t, es_trial_status st);

/* The slot of status s in es_rep_statuses (ES_REP_N_STATUS: any other). */
int es_rep_status_slot(const char *s);

/* (actual - forecast) / forecast of a trial's energy, from the forecast
 * recorded at launch and its known joules; NAN when it has no forecast, no
 * known energy, was reused or is still running. */
double es_rep_forecast_error(const es_store_trial *t);

/* What budgets, reuse and forecasts did in a sweep. */
typedef struct es_rep_sweep_budget {
    int reused;           /* trials that reused an earlier completed trial */
    double saved_j;       /* the reused trials' joules: energy not spent again */
    int reused_unmetered; /* of them, those whose original nothing measured: in no saving */
    int forecasts;        /* completed trials with a forecast error */
    double median_error;  /* their median forecast error; NAN when none */
} es_rep_sweep_budget;

void es_rep_sweep_budget_of(const es_store_sweep *sw, es_rep_sweep_budget *out /* OUT */);

/* What early termination did in a sweep (report_prune.c, which explains
 * the estimate).  Energies are joules at the devices. */
typedef struct es_rep_prune {
    int pruned;          /* trials pruned */
    double used_j;       /* the energy they used */
    int basis;           /* completed trials the final step and median rate come from */
    double j_per_step;   /* their median joules per step after their first report;
                          * NAN when none */
    double final_step;   /* their median final step; NAN when none */
    int own_pace;        /* pruned trials estimated at their own pace */
    double full_j;       /* estimated cost of the pruned trials run to the end:
                          * used_j + saved_j; NAN when not estimated */
    double saved_j;      /* the sum of the pruned trials' savings; NAN when not
                          * estimated */
    double saved_low_j;  /* the range of saved_j: the sums of each trial's lower */
    double saved_high_j; /* and higher estimate; NAN when not estimated */
} es_rep_prune;

/* One pruned trial's estimate (all NAN when it was not pruned or nothing is
 * estimated). */
typedef struct es_rep_prune_est {
    double full_j, saved_j; /* its estimated cost to the end, and saving */
    double low_j, high_j;   /* the range of the saving */
    int own;                /* estimated at its own pace (else at the median) */
} es_rep_prune_est;

void es_rep_prune_of(const es_store_sweep *sw, es_rep_prune *out /* OUT */);
/* 1 when the trial was stopped by early termination. */
int es_rep_is_pruned(const es_store_trial *t);
/* The step a trial got to: its pruned step, or how far its reports went. */
int64_t es_rep_trial_reached(const es_store_trial *t);
/* One pruned trial's estimated cost to the end and saving under p. */
void es_rep_prune_trial(const es_rep_prune *p, const es_store_trial *t,
                        es_rep_prune_est *out /* OUT */);
/* The lines that say what p says, each starting with prefix and priced
 * with fa; nothing when no trial was pruned. */
void es_rep_write_prune_lines(FILE *f, const char *prefix, const es_rep_prune *p,
                              const es_energy_factors *fa);

/* A sweep's energy by rung of its early-termination schedule
 * (report_rungs.c, which says how trials are counted).  r[0] is what ran
 * before the first rung (at 0); n is 0 for a sweep without a schedule. */
#define ES_REP_RUNGS_MAX 33
typedef struct es_rep_rung {
    int64_t at;     /* the rung's step (hyperband: bracket, in reports) */
    int reached;    /* configurations that got to it */
    int ended;      /* trials that stopped at or past it, before the next */
    int pruned;     /* of them, pruned */
    int completed;  /* of them, completed */
    double j;       /* their joules at the devices (measured or estimated) */
    int unmeasured; /* of them, trials whose energy nothing measured */
} es_rep_rung;
typedef struct es_rep_rungs {
    const char *kind; /* "bracket", "rung" or "step" */
    es_rep_rung r[ES_REP_RUNGS_MAX];
    size_t n;
    unsigned methods; /* bit set of es_em of the energies counted */
} es_rep_rungs;

void es_rep_rungs_of(const es_store_sweep *sw, es_rep_rungs *out /* OUT */);
/* One line that says it, starting with prefix; nothing without rungs. */
void es_rep_write_rung_lines(FILE *f, const char *prefix, const es_rep_rungs *r);

/* What Slurm said of a sweep's jobs (report_slurm.c): how many trials ran
 * as jobs, in which states, and sacct's energy beside the worker's for the
 * trials it reported. */
#define ES_REP_SLURM_STATES 8
typedef struct es_rep_slurm {
    int jobs;     /* trials that ran as Slurm jobs */
    int n_states; /* distinct states, at most ES_REP_SLURM_STATES */
    struct {
        const char *state; /* "unknown" when Slurm said none */
        int n;
    } states[ES_REP_SLURM_STATES];
    int with_energy; /* jobs whose ConsumedEnergyRaw sacct reported */
    double slurm_j;  /* that energy, summed */
    double worker_j; /* the worker's joules for the same trials */
} es_rep_slurm;

void es_rep_slurm_of(const es_store_sweep *sw, es_rep_slurm *out /* OUT */);
/* The lines that say so, each starting with prefix; nothing for a sweep
 * that ran no job. */
void es_rep_write_slurm_lines(FILE *f, const char *prefix, const es_rep_slurm *s);

/* Does the sweep maximize its metric? */
int es_rep_maximize(const es_store_sweep *sw);
/* The best completed trial of a sweep (among those with among[i] set,
 * when among is given), or NULL. */
const es_store_trial *es_rep_best_trial(const es_store_sweep *sw,
                                        const unsigned char *among /* NULL: all */);
/* "2026-11-22T14:00:00Z", or "-" for a non-finite time. */
void es_rep_iso_time(double t, char *buf, size_t cap);

/* The analysis of one sweep that every format prints. */
typedef struct es_rep_sweep_stats {
    size_t n;             /* completed trials with an objective */
    size_t n_curve;       /* points of the expected-max curve */
    size_t *curve_n;      /* n_curve numbers of trials k, ascending: every k up to
                           * 100, then about 20 a decade, and n itself */
    double *emax;         /* expected best of curve_n[i] trials */
    double *emax_sd;      /* and its standard deviation */
    double kwh_per_trial; /* the sweep's kWh / n: what one completed trial costs */
    es_sensitivity *obj, *kwh;
    size_t n_obj, n_kwh;
    size_t obj_trials, kwh_trials; /* trials each analysis used */
} es_rep_sweep_stats;

typedef struct es_rep_sweep_view es_rep_sweep_view;

/* The analysis of a sweep, from its view's costs and tally.  0 or -ENOMEM;
 * free with es_rep_sweep_stats_free (which accepts a zeroed struct). */
int es_rep_sweep_analyze(const es_rep_sweep_view *sv, es_rep_sweep_stats *out /* OUT */);
void es_rep_sweep_stats_free(es_rep_sweep_stats *s);

/* The numbers of trials worth a row in a table of the expected-max curve:
 * 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, ... below n, then n.  Returns how
 * many were written to pts (at most cap).  Every one is also a point of
 * es_rep_sweep_stats's curve. */
size_t es_rep_curve_points(size_t n, size_t *pts, size_t cap);

/* What a sensitivity list is (the method, trials, what is left to
 * interactions and noise), or that it is not shown below the minimum of
 * trials; plain text, no newline. */
void es_rep_write_sens_heading(FILE *f, const es_sensitivity *s, size_t n, size_t used);
/* One parameter's share: "0.52 (rho +0.71)", "-" when not estimable. */
void es_rep_write_share(FILE *f, const es_sensitivity *s);

/* The index in ss's curve of k trials (one of es_rep_curve_points). */
size_t es_rep_curve_index(const es_rep_sweep_stats *ss, size_t k);

/* "Factors overridden for every sweep below (...): PUE 1.1, ...\n\n", or
 * nothing when o is NULL or sets nothing. */
void es_rep_write_overrides(FILE *f, const es_factor_override *o);

/* The footer that says what an estimate is, for text-like formats. */
extern const char es_rep_estimate_note[];

/* One line that says how the tiers were chosen, for every format. */
extern const char es_rep_tier_statistic[];

/* ---- The view every format prints (report_view.c) ------------------------- */

/* One trial as every format prints it. */
typedef struct es_rep_trial_view {
    const es_store_trial *t;
    es_cost cost;          /* priced once, with the sweep's factors */
    double forecast_error; /* es_rep_forecast_error; NAN when none */
    int pruned;            /* stopped by early termination */
    int64_t reached;       /* pruned: the step it got to */
    double full_j;         /* pruned: estimated cost run to the end; else NAN */
    double saved_j;        /* pruned: the estimated saving; else NAN */
} es_rep_trial_view;

/* ---- Several objectives, and the cheapest near the best (report_pareto.c) ---- */

/* A point of the front's history: after trial `trial` (an index into the
 * sweep's trials), the hypervolume of the feasible trials so far and the
 * kWh every trial so far cost. */
typedef struct es_rep_front_point {
    size_t trial;
    double hypervolume, kwh;
} es_rep_front_point;

typedef struct es_rep_front {
    size_t m;  /* the sweep's objectives; 0 when it has fewer than two (then only keeps and
                * the constraint counts are set) */
    double *y; /* n_trials x m: each trial's values as read, NAN unknown */
    unsigned char *feasible; /* n_trials: completed, every objective known, constraints kept */
    unsigned char *keeps;    /* n_trials: completed and every constraint kept (set whenever
                              * the sweep has objectives or constraints; else NULL) */
    size_t n_breaking;       /* completed trials that break a constraint */
    size_t n_checked;        /* completed trials (whose constraints were checked) */
    size_t n_missing;        /* completed trials without a value for some objective */
    const char **unreported; /* the metrics of constraints no completed trial reports */
    size_t n_unreported;
    const char *unreported_objectives[3]; /* the metric objectives no completed trial reports */
    size_t n_unreported_objectives;
    int hv_underflow; /* 0 although the front beats the reference: below the smallest double */
    int ref_flat;     /* some objective took one value: its margin is 10% of the value */
    int hv_overflow;  /* the hypervolume is not a finite double (hypervolume NAN) */
    int *rank;        /* n_trials: Pareto rank among the feasible (1: the front); 0 none */
    size_t *front;    /* the rank-1 trials (indices), best first by the first objective */
    size_t n_front;
    size_t n_done;       /* completed trials */
    size_t n_completed;  /* of those, with every objective known */
    size_t n_infeasible; /* completed trials not feasible: breaking a constraint or lacking
                          * an objective's number */
    double ref[3];       /* the reference point, in the objectives' own sign */
    int ref_given[3];    /* from the spec (`ref:`); else the worst feasible value and
                          * 10% of the range beyond it */
    double hypervolume;  /* of the front against ref; NAN when nothing is feasible */
    es_rep_front_point *hist;
    size_t n_hist;
} es_rep_front;

/* The cheapest completed trial (by kWh) whose metric is within tol (a
 * share: 0.01) of the best one's; trial NULL when none has a known energy.
 * ratio: its kWh over the best trial's (NAN when that is unknown or 0). */
typedef struct es_rep_near_best {
    double tol;
    const es_rep_trial_view *trial;
    double ratio;
} es_rep_near_best;

/* A trial's value of an objective or constraint: a built-in priced from
 * its view, else the metric's last report; NAN when unknown. */
double es_rep_objective_value(const es_rep_sweep_view *sv, const es_rep_trial_view *tv,
                              es_objective_kind kind, const char *name);
/* The front of a sweep view whose trials are priced (0 or -ENOMEM; free
 * with es_rep_front_free, which accepts a zeroed one). */
int es_rep_front_of(const es_rep_sweep_view *sv, es_rep_front *out /* OUT */);
void es_rep_front_free(es_rep_front *fr);
void es_rep_near_best_of(const es_rep_sweep_view *sv, double tol, es_rep_near_best *out /* OUT */);
/* How a trial's configuration's energy was found: es_rep_trial_method, or
 * "reuse of an earlier trial" (priced from the original's joules). */
const char *es_rep_config_method(const es_store_trial *t);
/* Which trials may be the sweep's best (and the cheapest near it): with
 * several objectives the feasible ones, with constraints alone those that
 * keep them; NULL: every completed trial. */
const unsigned char *es_rep_candidates(const es_rep_front *fr);
/* Whether trial i of the sweep counts towards its best, the curves of the
 * best so far and of the expected best: completed, its objective a number,
 * and among es_rep_candidates. */
int es_rep_is_candidate(const es_rep_sweep_view *sv, size_t i);

/* ---- Energy by phase (report_phase.c) ---- */

/* One phase of a trial, priced with the sweep's factors. */
typedef struct es_rep_phase_row {
    const es_store_phase *p;
    double kwh, co2e_kg, usd; /* NAN when its energy is not known */
    double joules;            /* at the device; NAN likewise */
    double kwh_per_item;      /* NAN without items */
    double share;             /* of the trial's joules (a reuse: the original's); NAN */
} es_rep_phase_row;

void es_rep_phase_row_of(const es_rep_sweep_view *sv, const es_rep_trial_view *tv, size_t k,
                         es_rep_phase_row *out /* OUT */);
/* ", \"phases\": {NAME: {...}}" for a trial with phases; nothing without. */
void es_rep_write_phases_json(FILE *f, const es_rep_sweep_view *sv, const es_rep_trial_view *tv);

typedef enum es_rep_table_style {
    ES_REP_TABLE_TEXT,
    ES_REP_TABLE_MARKDOWN,
    ES_REP_TABLE_HTML
} es_rep_table_style;
/* The sweep's phases as a table (the first 200 rows); nothing when no
 * trial has phases. */
void es_rep_write_phase_table(FILE *f, const es_rep_sweep_view *sv, es_rep_table_style style);
/* How a trial's energy was found: "counter", "estimate", "mixed", "none". */
const char *es_rep_trial_method(const es_store_trial *t);
/* One sentence each, plain text, no newline: the front (objectives, size,
 * constraints broken, hypervolume and where its reference point came
 * from); the cheapest trial near the best (nb->trial not NULL). */
void es_rep_write_front_summary(FILE *f, const es_rep_sweep_view *sv);
/* The constraints and how many completed trials break them (the sweep
 * has constraints). */
void es_rep_write_constraints(FILE *f, const es_rep_sweep_view *sv);
/* Rows of the front that text, Markdown and HTML print (JSON: all). */
#define ES_REP_FRONT_ROWS 100
void es_rep_write_near_best(FILE *f, const es_rep_sweep_view *sv, const es_rep_near_best *nb);
/* One of those sentences as text to escape (malloc'd; NULL when out of
 * memory): the front's, the constraints', or nb's. */
typedef enum es_rep_sentence_kind {
    ES_REP_SENTENCE_FRONT,
    ES_REP_SENTENCE_CONSTRAINTS,
    ES_REP_SENTENCE_NEAR_BEST
} es_rep_sentence_kind;
char *es_rep_sentence(const es_rep_sweep_view *sv, es_rep_sentence_kind kind,
                      const es_rep_near_best *nb);
/* Whether near[k] gets a sentence of its own (not when it is near[0]'s
 * trial again: that one's sentence says so). */
int es_rep_near_best_shown(const es_rep_sweep_view *sv, int k);

/* One sweep: its figures, computed once, and the sentences that say them. */
struct es_rep_sweep_view {
    const es_store_sweep *sw;      /* its factors are the report's (overridden) ones */
    const char *metric;            /* sw->metric, or "objective" */
    es_rep_tally tally;            /* the sums of the trials' costs below */
    es_rep_trial_view *trials;     /* sw->n_trials, in the sweep's order */
    const es_rep_trial_view *best; /* the best completed trial; NULL when none */
    es_rep_sweep_budget budget;
    es_cost overshoot; /* sw->overshoot_j priced; meaningful when finite */
    es_rep_prune prune;
    es_cost prune_used, prune_saved; /* prune.used_j and prune.saved_j priced */
    es_rep_rungs rungs;              /* energy by rung of the schedule */
    int in_cgroup, in_pgroup;        /* trials whose record says which containment held them */
    es_rep_slurm slurm;
    es_rep_sweep_stats stats; /* zeroed when the analysis ran out of memory */
    es_rep_front front;       /* the Pareto front (m 0: one objective) */
    es_rep_near_best near[2]; /* the cheapest within 1% and within 0.5% of the best */
    char **notes;             /* sentences on the factors, the budget and its
                               * overshoot, forecasts, reuse, early termination
                               * and Slurm, in that order; each format prints all */
    size_t n_notes;
};

typedef struct es_rep_import_view {
    const es_store_import *im; /* its factors are the report's */
    es_rep_tally tally;
    es_cost *jobs; /* im->n_jobs costs */
} es_rep_import_view;

typedef struct es_rep_project_view {
    const es_store_project *p;
    es_rep_tally tally; /* its sweeps and imports */
    int has_footprint;  /* 0 in a report of some sweeps only */
    es_footprint footprint;
    es_rep_sweep_view *sweeps;   /* p->n_sweeps */
    es_rep_import_view *imports; /* p->n_imports */
} es_rep_project_view;

/* What a report says, whatever its format. */
typedef struct es_rep_view {
    const es_factor_override *override; /* NULL when no factor is replaced */
    int partial;                        /* some sweeps only: no tiers, no sources */
    char generated[32];                 /* ISO-8601 time the view was built */
    es_rep_tally totals;                /* every project */
    es_rep_project_view *projects;
    size_t n_projects;
    es_store_data *copy; /* the tree with overridden factors; NULL when none */
} es_rep_view;

/* Build the view of d under o (its format is not looked at).  Every trial
 * and job is priced once; every figure of every format comes from here.
 * 0 or -ENOMEM; free with es_rep_view_free (NULL allowed).  The view
 * points into d, which must outlive it. */
int es_rep_view_build(const es_store_data *d, const es_report_opts *o, es_rep_view **out /* OUT */);
void es_rep_view_free(es_rep_view *v);

/* The tiers of a project view (report_stats.c). */
int es_rep_footprint_of(const es_rep_project_view *pv, es_footprint *out /* OUT */);

/* The writers, one per format; each only prints the view. */
void es_rep_write_text(const es_rep_view *v, FILE *f);
void es_rep_write_json(const es_rep_view *v, FILE *f);
void es_rep_write_csv(const es_rep_view *v, FILE *f);
void es_rep_write_codecarbon(const es_rep_view *v, FILE *f);
void es_rep_write_markdown(const es_rep_view *v, FILE *f);
void es_rep_write_html(const es_rep_view *v, FILE *f);

#endif
