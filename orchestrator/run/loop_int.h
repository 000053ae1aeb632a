/*
 * loop_int.h -- what the parts of the sweep loop share (loop.c; its
 * messages in loop_say.c; stopping in loop_stop.c; a locked database in
 * loop_db.c; resuming in loop_resume.c; budgets in loop_budget.c; results
 * in loop_results.c; a trial's output in loop_output.c; Slurm's side of a
 * trial in loop_slurm.c): the sweep and trial records and the few helpers
 * each part calls.  Private to them; everything else sees loop.h.
 */
#ifndef ES_LOOP_INT_H
#define ES_LOOP_INT_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "account.h"
#include "inputs.h"
#include "launch.h"
#include "loop.h"
#include "metric.h"
#include "prune.h"
#include "result.h"
#include "search.h"

#define LINE_CAP (64 * 1024)         /* longest metric line examined */
#define LOG_CAP (64LL * 1024 * 1024) /* bytes kept per output file */
#define METRIC_ROWS_CAP 100000       /* history rows kept per trial */
#define LATE_NAMES 8                 /* names whose last value outlives the cap */
#define METRIC_FLUSH_ROWS 256        /* metric rows a trial holds before storing them */
#define RESULT_CAP 4096

typedef struct sweep sweep;

/* One of a trial's output logs (stdout, stderr): its file is created at
 * the stream's first byte, so a stream the trial never wrote to leaves no
 * file and readers take a missing log as an empty one. */
typedef struct trial_log {
    FILE *f;         /* NULL until the first byte */
    long long bytes; /* kept so far; LOG_CAP + 1 once cut */
    int failed;      /* the file could not be created: the bytes are dropped */
} trial_log;

typedef struct trial {
    sweep *sw;
    struct trial *next;
    int64_t id, number;
    es_value *values;
    char dir[PATH_MAX];
    int dirfd;             /* dir, opened below the sweep's log root without following links; -1 */
    char cgroup[PATH_MAX]; /* its cgroup (trial_cgroup.h), "" when it has none */
    es_launch *launch;
    uv_timer_t timer;
    int closes_pending;
    double started;

    trial_log out, err;
    char err_tail[512]; /* the last bytes the trial wrote on stderr, for a failure's reason */
    size_t err_tail_len;
    char *line;
    size_t line_len;
    int line_overflow;

    char res[RESULT_CAP]; /* the worker's line being read */
    size_t res_len;
    int res_overflow;
    long pgid;         /* the trial's process group, once the worker said it */
    char job_name[64]; /* its Slurm job's name (on Slurm) */
    int have_live;     /* a sample has arrived */
    int live_saved;    /* the latest sample is in the store */
    es_sample live;    /* the worker's latest sample: energy so far */
    double forecast_j; /* median energy forecast at launch, NAN when none */
    int reusable;      /* reuse off: it runs a configuration reuse would have matched */
    int have_r;        /* the result has arrived */
    es_result result;

    int64_t worker_status;
    int worker_signal;
    int timed_out;
    int overdue_armed; /* asked to stop: the worker is killed if it does not end it in time */
    es_trial_status stop_status; /* interrupted / budget_stopped / pruned when the sweep
                                  * stopped it; ES_TRIAL_RUNNING while it has not */
    char stop_reason[ES_PRUNE_REASON_MAX];
    int64_t prune_step; /* the objective's last step as the pruner numbered it */

    int have_obj;   /* the objective was reported at least once */
    int obj_number; /* its last report was a number (NaN and inf included) */
    double obj;     /* its last value (NAN when that was not a number) */
    char obj_text[64];
    int64_t metric_seq;
    /* Reported values not yet in the store (names owned here): written in
     * one transaction every tick, at METRIC_FLUSH_ROWS, and with the
     * trial's end. */
    es_metric_row *pend;
    size_t n_pend, cap_pend;
    /* The latest value of each name the spec ranks or bounds trials by
     * (metric, objectives, constraints), whatever the trial printed: what
     * its constraints are checked on at its end, and, where it came past
     * METRIC_ROWS_CAP (late_unstored), stored with the trial's end after
     * its history, so that the last value of each survives the cap (names
     * owned here). */
    es_metric_row *late;
    unsigned char *late_unstored;
    size_t n_late, cap_late;

    /* The phases its stdout marked (phase.h), as the coordinator reads the
     * stream: the `items` reported in each; the worker measures their
     * energy.  phases: the two joined at its end (es_loop_phases_end). */
    char phase_name[ES_PHASES_MAX][ES_PHASE_NAME_MAX + 1];
    double phase_items[ES_PHASES_MAX]; /* NAN: none */
    double entry_items;                /* the last `items` of the phase running; NAN: none */
    size_t n_phase_names;
    int phase_cur1; /* the phase running + 1; 0 before the first marker */
    es_store_phase phases[ES_PHASES_MAX];
    size_t n_phases;

    /* Its end, decided once (trial_finish) and recorded when the store
     * takes it: while the database is locked by another connection the
     * trial is held, still on the running list, and written by the retry
     * (loop_db.c). */
    int held;
    es_trial_status end_status;
    char end_reason[256];
    double end_objective, end_at;
    char job_unsaved[32]; /* a Slurm job id the store has not taken yet, or "" */
} trial;

struct sweep {
    uv_loop_t loop;
    uv_signal_t sig_int, sig_term, sig_hup;
    uv_timer_t tick;
    es_store *st;
    const es_spec *spec;
    const es_run_opts *opts;
    es_search *search;
    es_pruner *pruner; /* early_terminate; NULL when the spec has none */
    es_inputs *inputs; /* content hashes of the files trials' commands name */
    uint64_t t0;       /* uv_hrtime at start */
    int64_t id;
    char name[256];
    char log_root[PATH_MAX - 128];
    int private_logs; /* the database is not group-readable: DB.d's directories are 0700 */

    trial *running_list;
    int running;
    int64_t project_id;
    char warm_note[768];         /* what the warm start learns from (loop_warm.c), "" for nothing */
    int fid_said;                /* es_loop_say_fidelity: the level last said, + 2; 0 none */
    char program_file[PATH_MAX]; /* the program's canonical path (loop_warm.c), "" for none */
    double budget_j;             /* energy budget at the device (the sweep's, or what is
                                    left of its project's when tighter), NAN when none */
    char budget_what[160];       /* which cap budget_j comes from, for the stop reason:
                                  * "the sweep's kWh cap of 0.01 kWh", "project p's kWh
                                  * cap of 2 kWh, what the rest of the project left" */
    double own_budget_j;         /* the sweep's own budget, NAN when none */
    char own_budget_what[160];
    int project_capped;   /* the project has a budget: shared with its other
                           * sweeps, read again before each launch decision */
    double reserved_j;    /* what the project's other sweeps' running trials are
                           * forecast to use still (admission keeps it) */
    int waiting_reserved; /* the next trial waits for those reservations */
    int launch_retry;     /* a trial failed to launch: the tick launches again */
    double spent_j;       /* joules of the trials that ended */
    int budget_exhausted;
    uint64_t next_index;
    long run_cap;     /* the spec's, or what opts->more makes it; 0: none */
    int more_unsaved; /* run_cap is opts->more's, stored (and said) only
                       * when a trial numbered more_base or above
                       * launches: past what the sweep would have run */
    uint64_t more_base;
    uint64_t *redo;         /* numbers to run again first (lost when resumed) */
    es_value **redo_values; /* by number below n_redo_values: the configuration a
                             * lost attempt ran with, NULL when unknown */
    size_t n_redo_values;
    uint64_t *retried; /* numbers Slurm failed and that ran again, once each time */
    size_t n_retried;
    size_t n_redo, redo_pos;
    int stopping;        /* no further launches */
    long initial_failed; /* trials numbered below max_initial_failures that failed */
    char end_status[32];
    char end_reason[256];
    int fatal; /* the store or a launch failed: end with an error */
    es_err fatal_err;
    int stop_signal;
    int closed;
    unsigned ticks;

    /* The database locked by another connection past the short busy
     * timeout (loop_db.c): writes wait for db_retry, with backoff. */
    uv_timer_t db_retry;
    int db_waiting;      /* writes wait for the retry */
    double db_since;     /* unix time the wait began; 0 when the store is free */
    uint64_t db_backoff; /* ms to the next retry */

    /* Containment (trial_cgroup.h): this coordinator's parent cgroup, ""
     * when trials are held by their process group only; the trial cgroups
     * made so far; those whose processes had not all exited when their
     * trial ended (removed at a later tick, or at the end). */
    char cg_parent[PATH_MAX];
    unsigned cg_made;
    char **cg_left;
    size_t n_cg_left;

    es_run_summary *sum;
};

/* Unix seconds now; seconds since the sweep started. */
double es_loop_now(void);
double es_loop_elapsed(const sweep *sw);
/* s seconds as "1h02m03s", "2m03s" or "3s" into buf. */
void es_loop_fmt_duration(double s, char *buf, size_t cap);
/* Redraw the live status line (loop_say.c). */
void es_loop_status_line(sweep *sw);

/* A progress line (and the live status line redrawn). */
void es_loop_say(sweep *sw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The line trial t's end gets (status, its metric obj or NAN, the kWh of
 * its result): the metric and the energy with the method of all its parts,
 * the step it was pruned at, or the status, its reason and its logs. */
void es_loop_say_ended(const trial *t, es_trial_status status, double obj, double kwh);

/* No further launches; the sweep ends with status and this reason when the
 * running trials are done (the first reason given stays). */
void es_loop_stop_launching(sweep *sw, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The store or a launch failed: stop, and end the sweep with err. */
void es_loop_fatal(sweep *sw, const es_err *err);

/* Ask every running trial's worker to stop it; each is recorded with
 * status (interrupted, budget_stopped) and reason when it ends
 * (loop_stop.c). */
void es_loop_stop_running(sweep *sw, es_trial_status status, const char *reason);

/* A worker killed outright could not stop its trial: kill the trial's
 * group (here) or cancel its job (Slurm). */
void es_loop_kill_orphans(trial *t);

/* A program that fails at once would fail every trial (a W&B agent stops
 * after 5 such): count a trial's end, and stop launching when the trials
 * numbered 0 .. max_initial_failures - 1 all failed or timed out (by
 * number, not by the order they end in: with trials in parallel, trial 0
 * may complete after trials 1 to 5 failed) and none has completed.
 * Resumed sweeps count their recorded trials the same way. */
void es_loop_count_initial(sweep *sw, int64_t number, es_trial_status status, const char *reason);

/* Record trial t (its number, values and directory set, not yet in the
 * store) as completed from the earlier trial ru, without running it: it
 * copies that trial's metric history and costs nothing (loop_results.c).
 * 0; ES_EBUSY with nothing recorded when the database is locked (the
 * caller launches it again later); another error, which es_loop_fatal
 * has taken. */
struct es_store_reuse;
int es_loop_trial_reuse(sweep *sw, trial *t, const struct es_store_reuse *ru, const char *cmd_json,
                        const char *inputs_key);

/* Count a trial that ended with status in the summary. */
void es_loop_count_status(es_run_summary *s, es_trial_status status);

/* A trial's result is known (run or reused): keep the best, and end the
 * sweep at the metric's target; one that cannot count (counts 0, as
 * es_loop_observe_values says) is neither. */
void es_loop_after_result(sweep *sw, int64_t number, double obj, int counts);
/* The latest value a trial reported under name, NAN when none. */
typedef double (*es_loop_metric_fn)(const void *ud, const char *name);
/* What the search learns of a completed trial beside its metric, with
 * several objectives or constraints: each one's value (metrics through
 * metric(ud, name), built-ins priced from joules and wall_s with the
 * spec's factors; NAN joules: not known).  *counts is set to whether the
 * trial can be the sweep's best: every objective known and every
 * constraint kept (a missing value breaks one); 1 with neither.  0 or
 * -ENOMEM. */
int es_loop_observe_values(sweep *sw, int64_t number, es_loop_metric_fn metric, const void *ud,
                           double joules, double wall_s, int *counts /* OUT */, es_err *err);
/* es_loop_metric_fn over an array of stored metrics and phases (ud:
 * es_loop_stored); priced with factors. */
typedef struct es_loop_stored {
    const es_store_metric *m;
    size_t n;
    const es_store_phase *ph;
    size_t n_ph;
    const es_energy_factors *factors;
} es_loop_stored;
double es_loop_stored_metric(const void *ud, const char *name);
/* Model-based multi-fidelity: tell the search the values trial_id (the
 * trial of number `number`, whose end it has observed) had at the levels
 * of the pruner's schedule.  0 without a pruner or levels; else
 * es_search_observe_levels's. */
int es_loop_observe_levels(sweep *sw, int64_t trial_id, int64_t number, es_err *err);
/* After a suggestion: say when what bayes learns the metric from changed
 * (a rung's values, or the completed trials' results). */
void es_loop_say_fidelity(sweep *sw);

/* es_loop_observe_values on t's latest values; an error is fatal. */
int es_loop_observe_late(trial *t, double joules, double wall_s, int *counts /* OUT */);
/* One line of t's stdout (no newline): a phase marker, metrics, or
 * nothing. */
void es_loop_on_line(trial *t, const char *line, size_t len);
/* t's output has ended: join its phases (the worker's, in t->result) with
 * the items it reported in each, into t->phases. */
void es_loop_phases_end(trial *t);
/* Free t's latest values. */
void es_loop_late_free(trial *t);

/* ---- loop_resume.c ---- */

/* Ask t's worker to stop the trial; the coordinator kills the worker and
 * the trial's group when it has not ended it within its grace period plus
 * a margin (a stopped or hung worker).  0, or -errno when it is gone. */
int es_loop_ask_to_stop(trial *t);

/* ---- The budget (loop_budget.c) ---------------------------------------------- */

/* Joules spent so far: the trials that ended, plus what the running ones
 * have used according to their workers' latest samples. */
double es_loop_spent_live(const sweep *sw);

/* The energy new trials may still use: the budget, less what ended trials
 * used, what running ones are forecast to use (their median), and what the
 * project's other running sweeps reserved. */
double es_loop_remaining_budget(const sweep *sw);

/* Which of b's caps gives the tightest budget under factors f, as "kWh cap
 * of 0.01 kWh" into buf. */
void es_loop_tightest_cap(const es_energy_factors *f, const es_budget *b, char *buf, size_t cap);

/* Read the project's budget again and set budget_j, reserved_j,
 * budget_what and project_capped from it and from what the project's
 * other sweeps spent and reserved.  0 or the store's error. */
int es_loop_refresh_budget(sweep *sw, es_err *err);

/* A coordinator sharing a project budget says it is alive every tick; the
 * running trials of a sweep not heard from for this long reserve nothing
 * (its coordinator died: what they used stays counted). */
#define ES_ALIVE_WINDOW_S 10.0

/* Take up sweep opts->resume_id: cancel the Slurm jobs its lost trials
 * left, lose its running trials, learn what the others found, and queue
 * the numbers that must run again. */
int es_loop_resume(sweep *sw, es_err *err);

/* Warm start (loop_warm.c): the program's canonical path into
 * sw->program_file (every sweep records it); then hand the search the
 * trials of the earlier sweeps the spec's warm_start names or finds, those
 * started no later than `before` (NAN: than sw->id itself) and the trials
 * of theirs ended by then, and write what it learns from to sw->warm_note.  ES_ESPEC with FILE:L:C
 * when a sweep the list names cannot be learnt from; 0 or a store error. */
int es_loop_warm(sweep *sw, double before, es_err *err);

/* ---- The store under pressure (loop_db.c) --------------------------------- */

/* How long one statement waits for another connection's lock while the
 * loop runs: past it, the write is held and retried, trials keep running. */
#define ES_LOOP_BUSY_MS 200

/* The outcome rc (err) of a store write: 0 when it was written; 1 when the
 * database was locked (ES_EBUSY: nothing was written, the caller holds
 * what it meant to write and the retry starts); -1 for any other failure,
 * which es_loop_fatal has taken. */
int es_loop_db_rc(sweep *sw, int rc, const es_err *err);
/* Nonzero while writes wait for the retry: callers hold, and do not try. */
int es_loop_db_waiting(const sweep *sw);
/* " | waiting for the database 12s, 2 results held" for the status line,
 * or "" (into buf). */
void es_loop_db_status(const sweep *sw, char *buf, size_t cap);
void es_loop_db_init(sweep *sw);
void es_loop_db_close(sweep *sw);
/* Write what trials hold (loop.c): their ends, Slurm job ids, metric
 * values, progress; then launch again.  Called by the retry with writes
 * allowed; any of them finding the database locked again waits anew. */
void es_loop_write_held(sweep *sw);

/* ---- Trials' cgroups (loop_cgroup.c) ---------------------------------------- */

/* Make this coordinator's parent cgroup when trials run here and cgroup v2
 * can hold them, and say which containment the trials get. */
void es_loop_cgroup_start(sweep *sw);
/* Make trial t's cgroup (t->cgroup; "" when that fails: the trial is held
 * by its process group, and its result says so). */
void es_loop_cgroup_make(sweep *sw, trial *t);
/* Release a trial's cgroup; one still emptying waits in sw->cg_left. */
void es_loop_cgroup_release(sweep *sw, const char *path);
/* Kill what the lost trials of a resumed sweep left in their cgroups. */
void es_loop_cgroup_lost(sweep *sw);
/* Remove the cgroups that waited; with wait, give their processes up to
 * 2 s to exit, then remove the parent cgroup too (the sweep's end). */
void es_loop_cgroup_sweep_up(sweep *sw, int wait);

/* ---- loop_slurm.c ---- */

/* Slurm's state for a trial it ended itself, from what srun printed; NULL
 * when it did not (or the trial ran here). */
const char *es_loop_slurm_state(const trial *t);

/* Record a finished trial's job (id and state), then sacct's word on it in
 * the background. */
void es_loop_record_slurm_job(trial *t, es_trial_status status);

/* After a node failure or a preemption: the status to record (lost, the
 * number queued to run again) or status unchanged. */
es_trial_status es_loop_maybe_retry(trial *t, es_trial_status status, char *reason, size_t cap);

/* ---- A trial's output (loop_output.c) -------------------------------------- */

/* The launcher's stdout and stderr callbacks (ud is the trial): keep the
 * bytes in the trial's log and feed stdout's lines to the metric parser. */
void es_loop_on_stdout(void *ud, const char *buf, size_t n);
void es_loop_on_stderr(void *ud, const char *buf, size_t n);
/* One parsed metric point of a trial (ud): held for the store, and the
 * objective's reports fed to early termination. */
void es_loop_on_metric(void *ud, const es_metric_point *pt);
/* Store the trial's held metric values in one transaction / forget them. */
void es_loop_pend_flush(trial *t);
/* Move the late values (past the history's cap) to the pending rows, for
 * the trial's end; -ENOMEM (what is not moved stays late). */
int es_loop_late_to_pend(trial *t);
void es_loop_pend_clear(trial *t);
/* Close one of the trial's logs (nothing when it was never created). */
void es_loop_log_close(trial_log *lg);
/* The last non-empty line the trial wrote on stderr (Slurm's own lines
 * left out), control characters as spaces, cut to cap - 1 bytes, into buf;
 * "" when there is none.  What a failure's reason quotes:
 * "exited with code 1: ModuleNotFoundError: No module named 'torch'". */
void es_loop_stderr_line(const trial *t, char *buf, size_t cap);

#endif
