/*
 * launch_slurm.h -- what running a trial through Slurm needs beyond the
 * local launcher: the srun command line, scancel, and reading what Slurm
 * says about a job.
 *
 * A trial on Slurm is one job of one task: `srun [options] ecosweep-worker
 * --inline-records ... -- COMMAND`, started by the local launcher in place
 * of the worker.  srun carries the trial's stdout and stderr back, the
 * worker's lines ride on stderr (records.h), and the worker names the job
 * in its started line.  Stopping a trial (timeout, pruning, budget, Ctrl-C)
 * cancels its job with scancel: by id once known, else by its unique name.
 */
#ifndef ES_LAUNCH_SLURM_H
#define ES_LAUNCH_SLURM_H

#include <stddef.h>
#include <uv.h>

#include "spec.h"

/* srun and its options for one trial (NULL-terminated; free with
 * es_strv_free), the job called job_name; NULL when out of memory. */
char **es_slurm_srun_argv(const es_spec_launcher *l, const char *job_name);

/* Cancel a job with scancel, in the background (its exit is reaped by the
 * loop): by job id when job is not empty, else by name (this user's jobs
 * of that name).  0 or a libuv error. */
int es_slurm_cancel(uv_loop_t *loop, const char *job, const char *name);

/* What Slurm printed on a trial's stderr, line by line (without '\n'):
 * "srun: job N queued and waiting for resources" and "srun: job N has been
 * allocated resources" name the job; "srun: error: ..." and
 * "slurmstepd: error: *** ... CANCELLED ... DUE TO TIME LIMIT ***" say what
 * happened.  Updates job (when the line names one) and note (the latest
 * such error, trimmed); returns 1 when the line was Slurm's, else 0. */
int es_slurm_line(const char *line, size_t len, char *job, size_t job_cap, char *note,
                  size_t note_cap);

/* Slurm's job state for a trial, from its note: TIMEOUT, NODE_FAIL,
 * PREEMPTED, CANCELLED, OUT_OF_MEMORY, or NULL when the note says none of
 * these. */
const char *es_slurm_state_of_note(const char *note);

/* Ask sacct, in the background, for a finished job's state and
 * ConsumedEnergyRaw (joules; valid only for an exclusive allocation, as the
 * node's energy is the job's only when nothing else ran there).  cb runs
 * once with state NULL and energy NAN when sacct is missing, accounting is
 * off or the job is unknown; energy is NAN when not reported (0 too: that
 * is what sacct says without an energy plugin).  0, or a libuv error when
 * sacct could not be started (cb then never runs). */
typedef void (*es_slurm_acct_cb)(void *ud, const char *state, double energy_j);
int es_slurm_acct(uv_loop_t *loop, const char *job, es_slurm_acct_cb cb, void *ud);

#endif
