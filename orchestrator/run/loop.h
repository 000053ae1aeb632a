/*
 * loop.h -- running one sweep: the libuv event loop that keeps up to
 * `parallel` trials going, records each as it ends, and decides when the
 * sweep is over.
 *
 * A sweep ends when its run_cap is reached, its search space is exhausted,
 * its metric target is reached, its wall budget runs out, max_failed trials
 * have failed, or the coordinator gets SIGINT/SIGTERM.  Each finished trial
 * is committed to the store before the next launch decision.  No trial
 * process outlives es_sweep_run(): on interrupt or wall budget each running
 * trial's worker is asked to stop it, and the loop waits for them.
 *
 * Resuming (opts->resume_id): a sweep still recorded as running has lost
 * its coordinator (opts->lock tells a live one from a dead one), and an
 * interrupted one was stopped on purpose.  Its running trials, and those
 * the interruption stopped, are marked 'lost' (their log directories moved
 * to trial-N.lost-ID; the energy they used, as far as their workers'
 * samples were saved, is kept and counted), the trials it recorded are counted
 * and fed to the search as observations, and the sweep goes on: the lost
 * numbers first (random and grid suggest by number, so each gets the same
 * configuration again), then from the highest number + 1.  run_cap counts
 * the trials that are not lost; no number is ever recorded twice except as
 * lost attempts.  A sweep that finished can be taken up the same way to
 * run more trials (opts->more, or a spec whose run_cap is higher).
 */
#ifndef ES_LOOP_H
#define ES_LOOP_H

#include <stdint.h>
#include <stdio.h>

#include "lock.h"
#include "spec.h"
#include "store.h"

typedef struct es_run_opts {
    const char *db_path;     /* trial logs go under DB_PATH.d/ */
    const char *worker_path; /* ecosweep-worker to launch */
    const char *project;     /* project name */
    const char *sweep_name;  /* wanted sweep name */
    int parallel;            /* trials at once (>= 1) */
    uint64_t seed;           /* seed of the search */
    double grace_s;          /* SIGTERM -> SIGKILL grace for a trial's processes */
    int live;                /* redraw a status line on `out` (a terminal) */
    int reuse;               /* reuse the results of configurations the project already
                              * completed (spec `reuse: true` or --reuse); off by default */
    FILE *out;               /* progress messages */
    int64_t resume_id;       /* > 0: take up this unfinished sweep instead of
                              * creating one (see below); sweep_name is then
                              * its name, and seed should be its stored seed */
    long more;               /* > 0 (with resume_id): run this many trials more than
                              * the sweep would have run (its run_cap, or the numbers
                              * it recorded when past it or without one); the new cap
                              * is recorded (es_store_sweep_set_run_cap) */
    es_lock *lock;           /* NULL: no protection against a second
                              * coordinator.  Else the caller holds its
                              * decision lock (es_lock_decide_begin) while it
                              * picks the sweep; es_sweep_run locks the sweep,
                              * or fails with -EBUSY when another live
                              * coordinator runs it, and then releases the
                              * decision lock. */
} es_run_opts;

typedef struct es_run_summary {
    int64_t sweep_id;
    char sweep_name[256];
    char status[32]; /* finished, failed, interrupted */
    char reason[256];
    int stop_signal; /* SIGINT / SIGTERM when interrupted, else 0 */
    int launched, completed, failed, timed_out, interrupted, budget_stopped;
    int reused;           /* completed trials whose result came from an earlier sweep */
    int reusable;         /* reuse off: trials whose configuration the project had already
                           * completed (they ran again) */
    double reusable_j;    /* and the joules they took (at the devices): what reuse would
                           * have saved */
    int reusable_metered; /* those of them whose energy was measured: reusable_j's */
    int pruned;           /* stopped by early_terminate; never counted as failed */
    int lost;             /* trials found running when the sweep was resumed */
    int metered;          /* launched trials (reuses aside) whose energy something measured
                           * or estimated: the kWh below is theirs */
    int64_t best_number;  /* -1 when no trial completed */
    double best_objective;
    double kwh, co2e_kg, usd, elapsed_s;
} es_run_summary;

/* Run the sweep described by spec.  Returns 0 when the sweep ran (whatever
 * happened to its trials; see out->status), or a negative code when it
 * could not run or the store failed (err says why). */
int es_sweep_run(es_store *st, const es_spec *spec, const es_run_opts *opts,
                 es_run_summary *out /* OUT */, es_err *err);

#endif
