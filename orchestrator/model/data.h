/*
 * data.h -- what ecosweep recorded, as plain structs: the projects, their
 * sweeps, trials and imported jobs that reports print.
 *
 * The store fills this tree (es_store_load, store.h) and the report writers
 * read it; neither needs the other to use it, so a report can be built and
 * tested from a tree made by hand, with no database in the program.
 *
 * Ownership: every string and array in a tree belongs to it and is freed by
 * es_store_data_free (NULL allowed).  A tree built by hand (tests) is freed
 * by whoever built it.
 */
#ifndef ES_DATA_H
#define ES_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "spec.h"

typedef struct es_store_metric {
    char *name;
    double value; /* last value reported; NAN when it was not a number */
    int64_t step; /* -1 when none */
} es_store_metric;

/* A trial's energy in one phase (phase.h, es_result_phase), with the items
 * it reported there. */
typedef struct es_store_phase {
    char *name;
    double wall_s;
    double cpu_j, dram_j, gpu_j; /* NAN where the trial's part is not known */
    int entries;
    double items; /* the `items` it reported in the phase, added over its entries; NAN: none */
} es_store_phase;

typedef struct es_store_trial {
    int64_t id, number;
    char *status, *reason, *host, *log_dir, *command_json;
    char *params_json; /* {"name": value, ...} */
    double objective;  /* NAN when none */
    double started, ended, wall_s, cpu_s;
    int64_t peak_rss_kb;
    int exit_code, term_signal; /* -1 when unknown */
    es_energy_part cpu, dram, gpu;
    es_store_metric *metrics; /* last value of each metric name */
    size_t n_metrics;
    int64_t reused_from;                  /* the trial it reused; 0 when it ran */
    double forecast_j;                    /* energy forecast at launch; NAN when none */
    double reused_j;                      /* the reused trial's joules (what reuse saved); NAN
                                           * when it ran or the original's energy is unknown */
    double reused_wall_s;                 /* the reused trial's wall seconds; NAN likewise */
    char *slurm_job;                      /* its Slurm job id; NULL when it ran here */
    char *slurm_state;                    /* Slurm's state for it; NULL when not known */
    double slurm_energy_j;                /* sacct's ConsumedEnergyRaw; NAN when not reported */
    int64_t pruned_step;                  /* status "pruned": the step it reached; else -1 */
    int64_t steps;                        /* how far it got: the largest step its objective was
                                           * reported at, else the number of its reports
                                           * (0: none; a trial that prints no step) */
    int64_t first_step;                   /* the step of its first report (1 when it prints none) */
    int64_t reports;                      /* its reports of the objective with a finite value
                                           * (what hyperband's brackets count) */
    double first_report_t, last_report_t; /* unix seconds of its objective's first
                                           * and last reports; NAN when none */
    char *containment;                    /* how its processes were held: "cgroup",
                                           * "pgroup"; NULL when not recorded */
    es_store_phase *phases;               /* its energy by phase, in the order entered (for
                                           * a reuse, the original's) */
    size_t n_phases;
} es_store_trial;

typedef struct es_store_sweep {
    int64_t id;
    char *name, *status, *reason, *method, *metric, *goal, *spec_path, *host;
    uint64_t seed;
    int parallel;
    double started, ended;
    es_energy_factors factors; /* as recorded, region and attribution included */
    es_budget budget;
    double overshoot_j; /* energy beyond the budget; NAN when not recorded */
    char *spec_text;    /* the YAML as the sweep read it; NULL when unknown */
    /* `objectives:` and `constraints:` as the sweep was started with them
     * (none for a sweep of one metric, or one recorded before v11). */
    es_objective *objectives;
    size_t n_objectives;
    es_constraint *constraints;
    size_t n_constraints;
    es_store_trial *trials;
    size_t n_trials;
} es_store_sweep;

typedef struct es_store_job {
    int64_t id, line;
    char *name, *group, *status; /* group NULL when none */
    double started, ended, hours;
    int gpus, cpus;
    es_energy_part energy;
} es_store_job;

typedef struct es_store_import {
    int64_t id;
    char *file, *format, *hash;
    double imported;
    es_energy_factors factors; /* attribution unused; gpu_watts = default per GPU */
    double cpu_watts;
    es_store_job *jobs;
    size_t n_jobs;
} es_store_import;

typedef struct es_store_project {
    int64_t id;
    char *name;
    es_store_sweep *sweeps;
    size_t n_sweeps;
    es_store_import *imports; /* not loaded when a sweep filter is given */
    size_t n_imports;
} es_store_project;

typedef struct es_store_data {
    es_store_project *projects;
    size_t n_projects;
} es_store_data;

/* Free what one sweep of a loaded tree holds (its strings and trials) and
 * zero it. */
void es_store_sweep_clear(es_store_sweep *sw);

/* The value of the built-in phase.NAME.FIELD (phase.h) among a trial's n
 * phases ph, priced with factors f (es_account_phase); NAN when the trial
 * has no such phase or the value is not known. */
double es_store_phase_value(const es_energy_factors *f, const es_store_phase *ph, size_t n,
                            const char *builtin);

/* Free a tree es_store_load returned (NULL allowed). */
void es_store_data_free(es_store_data *d);

#endif
