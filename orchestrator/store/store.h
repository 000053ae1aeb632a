/*
 * store.h -- everything ecosweep keeps, in one SQLite database.
 *
 * The store is the only code that speaks SQL; the rest of the program sees
 * these functions and plain structs.  The database runs in WAL mode so that
 * `ecosweep report` can read while a sweep writes.  Its schema version is
 * PRAGMA user_version, upgraded in order by es_store_open().
 *
 * Ownership: es_store_open() returns a handle freed by es_store_close()
 * (NULL allowed).  es_store_load() returns an es_store_data tree freed by
 * es_store_data_free() (data.h); every string in it belongs to the tree.
 */
#ifndef ES_STORE_H
#define ES_STORE_H

#include <stdint.h>

#include "data.h"
#include "result.h"
#include "spec.h"
#include "trial_status.h"

typedef struct es_store es_store;

/* Open (creating if needed) the database at path and bring its schema up to
 * date, in place (a v1 database gains the v2 sweep columns, the v3 import
 * tables, the v4 project budgets, reuse and forecast columns, the v5 'lost'
 * trials and the v6 Slurm, pruning and launcher columns, its rows kept).
 * Errors name the path and SQLite's message; ES_ESTORE. */
int es_store_open(const char *path, es_store **out, es_err *err);
void es_store_close(es_store *st);

/* How long a statement waits for another connection's lock before it fails
 * with ES_EBUSY (10 s from es_store_open).  Every write either happens
 * whole or fails with ES_EBUSY having written nothing, so the caller may
 * simply try the same call again: a coordinator waits a short time, and
 * retries later while its trials run. */
void es_store_set_busy_timeout(es_store *st, int ms);

/* Open the existing database at path to read it: as es_store_open when it
 * can be written, else read-only as it is (a read-only file or directory,
 * someone else's database), provided its schema is this ecosweep's.  Only
 * the reading functions may be used on a read-only store; a write fails
 * with ES_ESTORE saying the database is read-only.  Errors name the path. */
int es_store_open_read(const char *path, es_store **out, es_err *err);

/* The schema version this ecosweep writes, and the version the database had
 * when es_store_open found it (0 for a new file). */
int es_store_schema_version(void);
int es_store_found_version(const es_store *st);

/* Test support, not for the program: create at path (which must not exist) a
 * database exactly as ecosweep 0.1 wrote it, at schema version 1, holding
 * project "old", sweep "legacy" (parallel 2, PUE 1.5, 300 g/kWh, $0.1/kWh,
 * cloud $1/h) and one completed trial of 3.6e6 J CPU and 3.6e5 J DRAM by
 * estimate over 1800 s with parameter lr=0.1 and metric loss=0.5. */
int es_store_testing_write_v1(const char *path, es_err *err);

/* The same rows, then the migrations up to schema `version` (1 to the
 * current one) applied as an older ecosweep would have left them, so a test
 * can watch the upgrade from any earlier version. */
int es_store_testing_write_at(const char *path, int version, es_err *err);

/* Test support: open path, take its write lock (BEGIN EXCLUSIVE), hold it
 * for ms milliseconds, and release it, as another program might. */
int es_store_testing_hold_lock(const char *path, int ms, es_err *err);

/* Test support: run SQL text on the database at path, as someone editing
 * it by hand might. */
int es_store_testing_exec(const char *path, const char *sql, es_err *err);

/* Test support: compare every prepared statement that returns rows with
 * its column list in store_int.h (the list the reading code's enums come
 * from): the number of columns, and each column's name in its place.  0
 * when all agree; else ES_ESTORE naming the statement and the first
 * difference. */
int es_store_testing_check_columns(es_store *st, es_err *err);

/* Test support: the virtual-machine steps SQLite took in the reuse lookups
 * (es_store_find_completed) since the previous call -- the work a lookup
 * does, independent of the machine's speed. */
long es_store_testing_reuse_steps(es_store *st);

/* Id of the project called name, created when missing. */
int es_store_project_ensure(es_store *st, const char *name, int64_t *id /* OUT */, es_err *err);

/* Id of the project called name, or *id = 0 when there is none (nothing is
 * created). */
int es_store_project_find(es_store *st, const char *name, int64_t *id /* OUT */, es_err *err);

/* Every project, in creation order.  *out (free with
 * es_store_project_list_free) holds *n entries. */
typedef struct es_store_project_ref {
    int64_t id;
    char *name;
} es_store_project_ref;

int es_store_project_list(es_store *st, es_store_project_ref **out /* OUT */, size_t *n /* OUT */,
                          es_err *err);
void es_store_project_list_free(es_store_project_ref *list, size_t n);

/* ---- Project budgets (`ecosweep project`) ----------------------------------- */

/* The caps of a project, shared by all its sweeps and imported jobs: kwh
 * (at the wall), usd (electricity) and co2e_kg; 0 = no cap.  wall_s and
 * kill_on_exhaust are always 0.  A project without caps reads as all 0. */
int es_store_project_budget(es_store *st, int64_t project_id, es_budget *out /* OUT */,
                            es_err *err);

/* Replace the project's caps by b's kwh, usd and co2e_kg (each > 0 sets a
 * cap, 0 removes it; all 0 clears the project's budget). */
int es_store_project_budget_set(es_store *st, int64_t project_id, const es_budget *b, es_err *err);

/* What the project has spent: every trial of every sweep of the project
 * (a running one as far as its coordinator saved its progress; a reused
 * trial recorded with no energy costs nothing) plus every imported job.
 * *device_j is the raw joules at the devices summed; *kwh (PUE included),
 * *co2e_kg and *usd (electricity only, as budget.usd) price each trial with
 * its own sweep's factors and each job with its import's. */
/* What a coordinator of sweep sweep_id shares its project's budget with:
 * into *spent, everything es_store_project_spent counts except sweep_id's
 * own trials; into *reserved, for each trial still running in another
 * sweep whose coordinator said it was alive at alive_after or later
 * (es_store_sweep_alive), what its forecast says it has still to use (the
 * forecast less its saved progress): the reservations of the sweeps
 * running beside it.  Each in kwh, usd and co2e_kg, priced with its own
 * sweep's (or import's) factors. */
int es_store_project_others(es_store *st, int64_t project_id, int64_t sweep_id, double alive_after,
                            es_budget *spent /* OUT */, es_budget *reserved /* OUT */, es_err *err);

/* Record the run_cap `--more` gave sweep_id, which a later resume keeps. */
int es_store_sweep_set_run_cap(es_store *st, int64_t sweep_id, long run_cap, es_err *err);

/* The coordinator of sweep_id is alive at now (unix seconds). */
int es_store_sweep_alive(es_store *st, int64_t sweep_id, double now, es_err *err);

int es_store_project_spent(es_store *st, int64_t project_id, double *device_j /* OUT */,
                           double *kwh /* OUT */, double *co2e_kg /* OUT */, double *usd /* OUT */,
                           es_err *err);

/* ---- Reuse ---------------------------------------------------------------- */

/* A completed trial that can stand for a new one. */
typedef struct es_store_reuse {
    int found; /* 0: no such trial; the other fields are then 0 / NAN / "" */
    int64_t trial_id;
    int64_t sweep_id;
    char sweep_name[256];
    int64_t number;
    double objective; /* NAN when the trial had none */
    double joules;    /* at the devices, the known components; NAN when none */
    double wall_s;    /* NAN when unknown */
} es_store_reuse;

/* What a new trial would be: its command line, parameters, inputs and
 * the metric its sweep optimizes. */
typedef struct es_store_reuse_query {
    const char *command_json; /* the argv JSON array as es_store_trial_start stores it */
    const char *params_json;  /* {"name": value, ...} */
    const char *inputs_key;   /* es_inputs_key (run/inputs.h); NULL matches nothing */
    const char *metric;       /* the sweep's metric; NULL when it has none */
    int64_t history_cap;      /* the most metric rows a trial keeps (a trial with as many
                               * may have reported more); 0: no cap */
} es_store_reuse_query;

/* The latest completed trial of project project_id, run for real (not itself
 * a reuse), that is what q would be: the same command, inputs key, and
 * parameters (the same names, each with a value of the same JSON type and
 * value, in any key order: integer 3 and real 3.0 differ), and, when
 * q->metric is set, a last report of that metric that is a finite number,
 * which out->objective is.  A command that holds a per-trial path
 * (${args_json_file}) never matches; neither does a trial recorded before
 * inputs were keyed (schema v8).  out->found says whether one was found. */
int es_store_find_completed(es_store *st, int64_t project_id, const es_store_reuse_query *q,
                            es_store_reuse *out /* OUT */, es_err *err);

/* Copy trial from's metric history to trial to (a reuse): *n rows. */
int es_store_trial_copy_metrics(es_store *st, int64_t to, int64_t from, int64_t *n /* OUT */,
                                es_err *err);

/* What a new sweep records about itself. */
typedef struct es_sweep_new {
    int64_t project_id;
    const char *name; /* wanted name; "-2", "-3"... is appended when taken */
    const es_spec *spec;
    uint64_t seed;
    int parallel;
    double started; /* unix seconds */
    const char *host;
    const char *program_file; /* the program's canonical path, "" for none */
} es_sweep_new;

/* Insert a sweep in status "running".  *name_out receives the name actually
 * used (fresh string, caller frees). */
int es_store_sweep_create(es_store *st, const es_sweep_new *sw, int64_t *id /* OUT */,
                          char **name_out /* OUT */, es_err *err);

/* Record the energy a sweep spent beyond its budget, in joules at the
 * devices (NAN: it had no budget, stored as NULL; 0: it stayed within). */
int es_store_sweep_set_overshoot(es_store *st, int64_t sweep_id, double overshoot_j, es_err *err);

/* Record the spec a resumed sweep now runs with (its path and YAML), after
 * es_spec_diff found only changes that may be made on resume. */
int es_store_sweep_set_spec(es_store *st, int64_t sweep_id, const char *path, const char *text,
                            es_err *err);

/* Replace the sweep's recorded kwh, usd and co2e_kg caps by b's (0: none),
 * so that a resumed sweep keeps a budget given on the command line. */
int es_store_sweep_set_budget(es_store *st, int64_t sweep_id, const es_budget *b, es_err *err);

/* Record how a sweep ended: status is "finished", "failed" or
 * "interrupted"; reason is a sentence ("run_cap reached (20 trials)"). */
int es_store_sweep_finish(es_store *st, int64_t sweep_id, const char *status, const char *reason,
                          double ended, es_err *err);

/* Insert a trial in status "running" with its parameters, in one
 * transaction.  command_json is the argv as a JSON array. */
typedef struct es_trial_new {
    int64_t sweep_id;
    int64_t number; /* 0-based launch index within the sweep */
    const es_spec *spec;
    const es_value *values; /* spec->n_params values */
    const char *command_json;
    const char *log_dir;
    double started;
    const char *host;
    int64_t reused_from;    /* > 0: this trial reuses that completed trial (and runs
                             * nothing; record it with no energy); 0: it runs */
    double forecast_j;      /* energy forecast at launch, joules at the devices;
                             * NAN (or <= 0) when there was none */
    const char *inputs_key; /* es_inputs_key of what it runs; NULL: unknown */
    const char *cgroup;     /* the cgroup v2 directory made for it; NULL: none */
} es_trial_new;

int es_store_trial_start(es_store *st, const es_trial_new *t, int64_t *id /* OUT */, es_err *err);

/* Append one reported metric value (NAN allowed: stored as NULL).  step < 0
 * means "no step reported". */
int es_store_metric_add(es_store *st, int64_t trial_id, int64_t seq, const char *name, int64_t step,
                        double value, double t, es_err *err);

/* One reported metric value of a trial, as es_store_metric_add takes it
 * (name belongs to the caller). */
typedef struct es_metric_row {
    int64_t seq;
    const char *name;
    int64_t step; /* < 0: no step reported */
    double value; /* NAN allowed */
    double t;
} es_metric_row;

/* Append n metric values of a trial in one transaction (all or none). */
int es_store_metrics_add(es_store *st, int64_t trial_id, const es_metric_row *rows, size_t n,
                         es_err *err);

/* How a trial ended.  objective is NAN when there is none. */
typedef struct es_trial_end {
    es_trial_status status; /* how it ended (not ES_TRIAL_RUNNING) */
    const char *reason;     /* NULL for completed */
    double objective;
    double ended;
    const es_result *result;      /* NULL when the worker sent no record */
    const es_sample *partial;     /* without a result: the worker's latest sample
                                   * (energy so far, sources unknown), or NULL */
    int64_t metric_points;        /* history rows written */
    int64_t pruned_step;          /* ES_TRIAL_PRUNED: the step the trial reached
                                   * (recorded as trial.pruned_step); else unused */
    const es_metric_row *metrics; /* metric values not yet stored, written in
                                   * the same transaction as the end */
    size_t n_metrics;
    es_containment containment;   /* without a result: what the coordinator knows
                                   * held it (a cgroup it made); else the result's */
    const es_store_phase *phases; /* its energy by phase (names not copied), written in
                                   * the same transaction; n_phases 0: none */
    size_t n_phases;
} es_trial_end;

/* The phases a trial has on the record (for a reuse, its original's), in
 * the order entered; *out freed with es_store_phases_free.  0 or an
 * error. */
int es_store_trial_phases(es_store *st, int64_t trial_id, es_store_phase **out /* OUT */,
                          size_t *n /* OUT */, es_err *err);
void es_store_phases_free(es_store_phase *p, size_t n);

/* Record what Slurm says of a trial's job: its id, its state (COMPLETED,
 * TIMEOUT, NODE_FAIL...) and ConsumedEnergyRaw in joules (NAN: not
 * reported).  NULL or "" leaves a field as it was. */
int es_store_trial_slurm(es_store *st, int64_t trial_id, const char *job, const char *state,
                         double energy_j, es_err *err);

/* Record that a trial's logs are now in log_dir (an attempt moved aside so
 * that its number can run again). */
int es_store_trial_move_logs(es_store *st, int64_t trial_id, const char *log_dir, es_err *err);

/* The Slurm job ids of the sweep's trials still recorded as running, as a
 * fresh NULL-terminated vector (*out; free each string and the vector) of
 * *n entries. */
int es_store_sweep_running_jobs(es_store *st, int64_t sweep_id, char ***out /* OUT */,
                                size_t *n /* OUT */, es_err *err);
/* The same for the cgroups the coordinator made for them (a resume kills
 * what a lost trial left there). */
int es_store_sweep_running_cgroups(es_store *st, int64_t sweep_id, char ***out /* OUT */,
                                   size_t *n /* OUT */, es_err *err);

/* Record the energy a running trial has used so far (its worker's latest
 * sample), so that a trial lost with its coordinator keeps it.  A trial no
 * longer running is left alone. */
int es_store_trial_progress(es_store *st, int64_t trial_id, const es_sample *sm, es_err *err);

/* Record a trial's end and commit it (durable before the caller decides on
 * the next launch); e->metrics and a pruned trial's step are written in the
 * same transaction. */
int es_store_trial_finish(es_store *st, int64_t trial_id, const es_trial_end *e, es_err *err);

/* Record a trial that reuses trial `from`: its row (es_store_trial_start),
 * from's metric history (e->metric_points receives the count) and its end
 * (es_store_trial_finish), all in one transaction: a reuse is recorded
 * whole or not at all. */
int es_store_trial_reused(es_store *st, const es_trial_new *t, int64_t from, es_trial_end *e,
                          int64_t *id /* OUT */, es_err *err);

/* ---- Jobs that ran outside ecosweep (`ecosweep import`) ------------------- */

/* One imported job.  Strings belong to whoever built the struct. */
typedef struct es_import_job {
    int64_t line; /* line of the file it came from (1-based) */
    char *name;
    char *group;           /* the sweep or grid search it belonged to; NULL: none */
    char *status;          /* completed, failed, timed_out, interrupted, running */
    double started, ended; /* unix seconds; NAN when unknown */
    double hours;          /* wall-clock hours */
    int gpus, cpus;        /* devices allocated */
    es_energy_part energy; /* joules at the devices, before PUE; counter or estimate */
} es_import_job;

/* One imported file. */
typedef struct es_import_new {
    const char *project;              /* created when missing, in the same transaction */
    const char *file;                 /* as the user named it */
    const char *format;               /* "csv" or "sacct" */
    const char *hash;                 /* of the file's bytes (es_store_import_find) */
    double imported;                  /* unix seconds */
    const es_energy_factors *factors; /* price the jobs; gpu_watts = default per GPU */
    double cpu_watts;                 /* default per CPU core that estimated jobs used */
    const es_import_job *jobs;
    size_t n_jobs;
} es_import_new;

/* Record an imported file and all its jobs in one transaction: on any error
 * nothing is written (and nothing already recorded changes). */
int es_store_import_add(es_store *st, const es_import_new *im, int64_t *id /* OUT */, es_err *err);

/* The earlier import of a file with this hash into project, if any: *id is
 * its id (0 when none), *file (fresh string, caller frees; may be NULL) the
 * name it was imported under and *when its time. */
int es_store_import_find(es_store *st, const char *project, const char *hash, int64_t *id /* OUT */,
                         char **file /* OUT */, double *when /* OUT */, es_err *err);

/* ---- Resuming a sweep whose coordinator died ------------------------------ */

/* A sweep found by name or id.  Strings are owned by the struct (free with
 * es_store_sweep_ref_clear). */
typedef struct es_store_sweep_ref {
    int64_t id;
    char *name, *status, *project;
    char *spec_path, *spec_text; /* NULL when not recorded */
    char *reason;                /* how it ended; NULL while running */
    uint64_t seed;
    int parallel;
    es_budget budget;    /* kwh, usd and co2e_kg as recorded (0: none) */
    int64_t next_number; /* its highest trial number + 1; 0 when it has none */
    long run_cap;        /* the run_cap --more gave it (es_store_sweep_set_run_cap); 0: none */
} es_store_sweep_ref;

/* The sweep called sweep (a name, or its numeric id) in project (NULL: any
 * project) with status status (NULL: any; "unfinished": running or
 * interrupted, the sweeps that can be resumed; "unfinished-family": the
 * same, called sweep or sweep-N as sweep_create numbers a taken name;
 * "latest-family": any status, called sweep or sweep-N).  *n_found says
 * how many matched; out describes the oldest of them, the newest for
 * "latest-family" (zeroed when none). */
int es_store_sweep_find(es_store *st, const char *project, const char *sweep, const char *status,
                        es_store_sweep_ref *out /* OUT */, int *n_found /* OUT */, es_err *err);
void es_store_sweep_ref_clear(es_store_sweep_ref *r);

/* Take up an unfinished sweep again, in one transaction: every trial still
 * recorded as running is marked 'lost' with reason and end time now (the
 * energy its samples recorded is kept), every trial stopped by the sweep's
 * interruption is marked 'lost' keeping its own reason, end and energy;
 * each one's log_dir gains ".lost-ID" (the caller moves the directory), and
 * the sweep is "running" again with no end.  *n_lost: trials marked. */
int es_store_sweep_reopen(es_store *st, int64_t sweep_id, const char *reason, double now,
                          int *n_lost /* OUT */, es_err *err);

/* One trial of a sweep as recorded, with its parameters decoded. */
typedef struct es_store_past_trial {
    int64_t id, number;
    es_trial_status status; /* a word this version does not know reads as failed */
    double objective;       /* NAN when none */
    double joules;          /* at the devices; NAN when unknown */
    double config_j;        /* the configuration's: joules, or a reuse's original's */
    double config_wall_s;   /* likewise its wall seconds; NAN when unknown */
    int reused;             /* it reused an earlier trial's result */
    double ended;           /* unix seconds; NAN while it runs */
    char *log_dir;          /* NULL when none */
    es_value *values;       /* spec->n_params values, decoded by the JSON type
                             * stored; ES_V_NULL for a parameter not recorded */
} es_store_past_trial;

/* The sweeps of project_id a sweep may learn from (warm start): those
 * started no later than `before` (unix seconds; NAN: than sweep self),
 * self aside, the newest first, at most max of them.  *before_out gets
 * the time used: trials that ended after it are not to be learnt from, so
 * that the same sweep resumed learns the same.  *self_older: sweep self was
 * recorded before schema 13 (it began with no warm start, and is to go on
 * without one).  Free *out with es_store_earlier_sweeps_free. */
typedef struct es_store_earlier_sweep {
    int64_t id;
    char *name, *spec_text, *spec_path; /* the spec's NULL when not recorded */
    char *program_file; /* its program's canonical path; NULL: none, or not recorded */
} es_store_earlier_sweep;

int es_store_earlier_sweeps(es_store *st, int64_t project_id, int64_t self, double before,
                            size_t max, es_store_earlier_sweep **out /* OUT */, size_t *n /* OUT */,
                            double *before_out /* OUT */, int *self_older /* OUT */, es_err *err);
void es_store_earlier_sweeps_free(es_store_earlier_sweep *list, size_t n);

/* Every trial of the sweep, lost ones included, ordered by number (then
 * id), read in one snapshot.  Free *out with es_store_sweep_history_free. */
int es_store_sweep_history(es_store *st, int64_t sweep_id, const es_spec *spec,
                           es_store_past_trial **out /* OUT */, size_t *n /* OUT */, es_err *err);
void es_store_sweep_history_free(es_store_past_trial *h, size_t n, const es_spec *spec);

/* What early termination saw of a sweep, in the order it happened: every
 * report of the objective metric by any of its trials, and the end of
 * every trial that ended; lost attempts are left out (their numbers run
 * again, and would count twice). */
typedef struct es_store_objective_event {
    int64_t trial_id;
    int ended;              /* 0: a report (step, value); 1: the trial ended (status) */
    int64_t step;           /* a report's step; -1 when it came without one */
    double value;           /* a report's value; NAN when it was not a finite number */
    es_trial_status status; /* an end's status (failed when not a word this version
                             * knows); ES_TRIAL_RUNNING for a report */
} es_store_objective_event;

/* The objective `metric`'s history of sweep_id for a resumed sweep's
 * pruner: reports ordered by the time they were recorded (then by trial
 * and sequence), each trial's end placed after the reports recorded before
 * it.  Read in one snapshot; free *out with free(). */
int es_store_objective_history(es_store *st, int64_t sweep_id, const char *metric,
                               es_store_objective_event **out /* OUT */, size_t *n /* OUT */,
                               es_err *err);

/* The latest value of each metric trial_id reported (a reuse's are the
 * original's, copied), in one snapshot.  Free with es_store_metrics_free. */
int es_store_trial_last_metrics(es_store *st, int64_t trial_id, es_store_metric **out /* OUT */,
                                size_t *n /* OUT */, es_err *err);
void es_store_metrics_free(es_store_metric *m, size_t n);

/* PRAGMA integrity_check: 0 when SQLite says "ok"; else ES_ESTORE with
 * what it found, also written to msg (cap bytes, may be 0). */
int es_store_integrity_check(es_store *st, char *msg /* OUT */, size_t cap, es_err *err);

/* ---- Reading, for reports ------------------------------------------------ */

/* Load projects, their sweeps and trials, and their imported jobs (unless a
 * sweep filter is given).  project and sweep filter by name
 * when not NULL (a sweep may also be named by its numeric id).  Reads one
 * consistent snapshot (a single read transaction), so a sweep being written
 * meanwhile is never seen half-way through a trial. */
int es_store_load(es_store *st, const char *project, const char *sweep, es_store_data **out,
                  es_err *err);

#endif
