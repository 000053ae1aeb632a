/*
 * loop_slurm.c -- Slurm's side of a trial in the sweep loop: the state
 * Slurm ended a job with, the job's record (id, state, then sacct's State
 * and ConsumedEnergyRaw in the background), and running a number again
 * after a node failure or a preemption.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch_slurm.h"
#include "loop_int.h"
#include "trial_setup.h"

/* Slurm's state for a trial it ended itself, from what srun printed; NULL
 * when it did not (or the trial ran here). */
const char *es_loop_slurm_state(const trial *t)
{
    if (t->launch == NULL || t->sw->spec->launcher.type != ES_LAUNCHER_SLURM)
        return NULL;
    return es_slurm_state_of_note(es_launch_slurm_note(t->launch));
}

/* sacct's word on a finished job, when accounting is on. */
typedef struct acct_req {
    sweep *sw;
    int64_t trial_id;
} acct_req;

static void on_acct(void *ud, const char *state, double energy_j)
{
    acct_req *a = ud;
    es_err err;
    if ((state != NULL || !isnan(energy_j)) && !a->sw->fatal &&
        es_store_trial_slurm(a->sw->st, a->trial_id, NULL, state, energy_j, &err) != 0)
        es_loop_fatal(a->sw, &err);
    free(a);
}

/* A trial that ran as a Slurm job: its id and state as srun showed them,
 * then sacct's state and ConsumedEnergyRaw (beside the worker's figures)
 * when the cluster keeps accounts. */
void es_loop_record_slurm_job(trial *t, es_trial_status status)
{
    sweep *sw = t->sw;
    const char *job = es_launch_slurm_job(t->launch), *state = es_loop_slurm_state(t);
    es_err err;
    if (state == NULL)
        state = t->stop_status != ES_TRIAL_RUNNING || t->timed_out ? "CANCELLED"
                : status == ES_TRIAL_COMPLETED                     ? "COMPLETED"
                                                                   : "FAILED";
    if (es_store_trial_slurm(sw->st, t->id, job, state, NAN, &err) != 0) {
        es_loop_fatal(sw, &err);
        return;
    }
    acct_req *a = job[0] ? malloc(sizeof *a) : NULL;
    if (a == NULL)
        return;
    a->sw = sw;
    a->trial_id = t->id;
    if (es_slurm_acct(&sw->loop, job, on_acct, a) != 0)
        free(a);
}

/* A job Slurm ended by a node failure or a preemption says nothing about
 * its configuration: up to launcher.retries times per number, the attempt
 * is recorded as lost (its logs moved to trial-N.lost-ID) and the number
 * runs again first.  Returns the status to record. */
es_trial_status es_loop_maybe_retry(trial *t, es_trial_status status, char *reason, size_t cap)
{
    sweep *sw = t->sw;
    const char *state = es_loop_slurm_state(t);
    size_t used = 0;
    if (state == NULL || (strcmp(state, "NODE_FAIL") != 0 && strcmp(state, "PREEMPTED") != 0) ||
        t->stop_status != ES_TRIAL_RUNNING || sw->stopping)
        return status;
    for (size_t i = 0; i < sw->n_retried; i++)
        used += sw->retried[i] == (uint64_t)t->number;
    if (used >= (size_t)sw->spec->launcher.retries)
        return status;
    uint64_t *r = realloc(sw->retried, (sw->n_retried + 1) * sizeof *r);
    uint64_t *q = realloc(sw->redo, (sw->n_redo + 1) * sizeof *q);
    if (r != NULL)
        sw->retried = r;
    if (q != NULL)
        sw->redo = q;
    if (r == NULL || q == NULL)
        return status;
    sw->retried[sw->n_retried++] = (uint64_t)t->number;
    sw->redo[sw->n_redo++] = (uint64_t)t->number;
    size_t n = strlen(reason);
    snprintf(reason + n, cap - n, "; run again (retry %zu of %d)", used + 1,
             sw->spec->launcher.retries);
    char moved[PATH_MAX + 32];
    es_err err;
    snprintf(moved, sizeof moved, "%s.lost-%lld", t->dir, (long long)t->id);
    if (es_store_trial_move_logs(sw->st, t->id, moved, &err) != 0)
        es_loop_fatal(sw, &err);
    else {
        /* Within the sweep's directory, no link followed; the files stay
         * open, their writes follow. */
        char rel[64], from[48], to[96];
        snprintf(rel, sizeof rel, "sweep-%lld", (long long)sw->id);
        snprintf(from, sizeof from, "trial-%lld", (long long)t->number);
        snprintf(to, sizeof to, "trial-%lld.lost-%lld", (long long)t->number, (long long)t->id);
        (void)es_rename_under(sw->log_root, rel, from, to, sw->private_logs);
    }
    return ES_TRIAL_LOST;
}
