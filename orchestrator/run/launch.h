/*
 * launch.h -- starting one trial's worker and carrying its output back.
 *
 * A launcher starts `ecosweep-worker ... -- COMMAND` (on this machine
 * through libuv, or as a Slurm job through srun) and delivers four streams of events to
 * the loop: bytes of the trial's stdout and stderr, bytes of the worker's
 * result record, and the worker's exit.  When the worker has exited and all
 * three streams have reached end-of-file, on_done runs once; the loop then
 * calls es_launch_close(), and on_closed runs when every handle is released,
 * after which the launch object is gone.
 *
 * Ownership: the loop owns the es_launch from a successful es_launch_start()
 * until on_closed.  On failure nothing was started and no callback runs.
 */
#ifndef ES_LAUNCH_H
#define ES_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "err.h"
#include "spec.h"

typedef struct es_launch es_launch;

typedef struct es_launch_cbs {
    void (*on_stdout)(void *ud, const char *buf, size_t n);
    void (*on_stderr)(void *ud, const char *buf, size_t n);
    void (*on_result)(void *ud, const char *buf, size_t n);
    /* Worker exit: its status, or the signal that killed it (0 if none). */
    void (*on_exit)(void *ud, int64_t exit_status, int term_signal);
    void (*on_done)(void *ud);
    void (*on_closed)(void *ud);
} es_launch_cbs;

typedef struct es_launch_req {
    const char *worker;            /* path (or name on PATH) of ecosweep-worker */
    char *const *worker_args;      /* options for the worker, NULL-terminated */
    char *const *argv;             /* the trial's command, NULL-terminated */
    char *const *env;              /* full environment, NULL-terminated */
    const char *cwd;               /* NULL: the coordinator's */
    const es_spec_launcher *slurm; /* NULL: run the worker here; else run it
                                    * as a Slurm job through srun (see
                                    * launch_slurm.h): worker_args must then
                                    * ask for --inline-records */
    const char *job_name;          /* the job's name on Slurm, unique */
} es_launch_req;

int es_launch_start(uv_loop_t *loop, const es_launch_req *req, const es_launch_cbs *cbs, void *ud,
                    es_launch **out, es_err *err);

/* Ask the worker to stop its trial (SIGTERM: the worker terminates the
 * trial's process group, then kills it after its grace period); on Slurm,
 * whatever the signal, cancel the job (scancel: Slurm sends the worker
 * SIGTERM, then SIGKILL after its KillWait).  0 or -errno; -ESRCH once the
 * worker is gone. */
int es_launch_signal(es_launch *l, int signum);

/* Pid of the worker process (of srun, on Slurm). */
int es_launch_pid(const es_launch *l);

/* On Slurm: the job id once known ("" before, and for a local launch), and
 * the last error Slurm itself printed about the job ("" when none). */
const char *es_launch_slurm_job(const es_launch *l);
const char *es_launch_slurm_note(const es_launch *l);

/* Release the handles; on_closed follows.  Call once, after on_done (or
 * earlier when giving up on a trial). */
void es_launch_close(es_launch *l);

#endif
