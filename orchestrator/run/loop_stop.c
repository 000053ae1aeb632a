/*
 * loop_stop.c -- stopping: no further launches, asking a trial's worker to
 * stop it (and killing both when it does not in time), stopping every
 * running trial, and a coordinator error that ends the sweep resumable.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "launch_slurm.h"
#include "loop_int.h"
#include "trial_cgroup.h"

/* ---- Stopping ------------------------------------------------------------- */

/* No further launches; the first reason given is the one recorded. */
void es_loop_stop_launching(sweep *sw, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void es_loop_stop_launching(sweep *sw, const char *status, const char *fmt, ...)
{
    va_list ap;
    if (sw->stopping)
        return;
    sw->stopping = 1;
    snprintf(sw->end_status, sizeof sw->end_status, "%s", status);
    va_start(ap, fmt);
    vsnprintf(sw->end_reason, sizeof sw->end_reason, fmt, ap);
    va_end(ap);
}

/* The worker did not end its trial in time (it was stopped, SIGSTOP, or
 * hangs): the coordinator kills it and the trial's process group itself. */
static void on_overdue(uv_timer_t *h)
{
    trial *t = h->data;
    es_loop_say(t->sw,
                "trial %lld: its worker did not stop it within the grace period; "
                "killing the worker and the trial's processes",
                (long long)t->number);
    es_launch_signal(t->launch, SIGKILL);
    es_loop_kill_orphans(t);
}

/* Seconds the worker gets, after the stop it was asked for, to end its
 * trial (its grace period) and report, before the coordinator kills it. */
#define OVERDUE_MARGIN_S 5.0

/* Ask the worker to stop its trial (SIGTERM; see es_launch_signal), wake
 * it should it be stopped itself (the trial can SIGSTOP its parent, and
 * the SIGTERM would wait), and kill it and the trial's group should it
 * still not end the trial in time: every stop the coordinator asks for is
 * its own to keep.  0, or -errno when the worker is gone. */
int es_loop_ask_to_stop(trial *t)
{
    int rc = es_launch_signal(t->launch, SIGTERM);
    if (rc != 0)
        return rc;
    if (t->sw->spec->launcher.type == ES_LAUNCHER_LOCAL)
        es_launch_signal(t->launch, SIGCONT);
    if (!t->overdue_armed) {
        t->overdue_armed = 1;
        uv_timer_start(&t->timer, on_overdue,
                       (uint64_t)((t->sw->opts->grace_s + OVERDUE_MARGIN_S) * 1000), 0);
    }
    return 0;
}

/* Ask every running trial's worker to stop it; each is recorded with
 * status (interrupted, budget_stopped) and reason when it ends. */
void es_loop_stop_running(sweep *sw, es_trial_status status, const char *reason)
{
    for (trial *t = sw->running_list; t != NULL; t = t->next) {
        if (t->stop_status != ES_TRIAL_RUNNING || t->timed_out)
            continue;
        /* A worker that already exited has its result on the way: the
         * trial ended on its own and is judged by that. */
        if (es_loop_ask_to_stop(t) != 0)
            continue;
        t->stop_status = status;
        snprintf(t->stop_reason, sizeof t->stop_reason, "%s", reason);
    }
}

void es_loop_fatal(sweep *sw, const es_err *err)
{
    if (!sw->fatal) {
        sw->fatal = 1;
        sw->fatal_err = *err;
        es_loop_say(sw, "error: %s", err->msg);
    }
    /* Recorded as interrupted, not failed: once the cause is fixed (space
     * freed, the worker installed), `run` or `resume` takes it up again.
     * It overrides a reason given earlier (run_cap reached while the last
     * trials ran): those trials are stopped, and a sweep recorded
     * finished would never run them again. */
    es_loop_stop_launching(sw, "interrupted", "coordinator error: %s", err->msg);
    if (strcmp(sw->end_status, "interrupted") != 0 && sw->stop_signal == 0) {
        snprintf(sw->end_status, sizeof sw->end_status, "interrupted");
        snprintf(sw->end_reason, sizeof sw->end_reason, "coordinator error: %.200s", err->msg);
    }
    es_loop_stop_running(sw, ES_TRIAL_INTERRUPTED, "the sweep stopped on a coordinator error");
}

/* A worker killed outright could not stop its trial: do it here.  The
 * group id cannot have been reused while any member of the group lives,
 * so this reaches the trial's processes or nothing. */
void es_loop_kill_orphans(trial *t)
{
    /* On Slurm the group is on the compute node: cancel the job instead. */
    if (t->sw->spec->launcher.type == ES_LAUNCHER_SLURM) {
        if (t->launch != NULL)
            es_slurm_cancel(&t->sw->loop, es_launch_slurm_job(t->launch), t->job_name);
        return;
    }
    if (t->pgid > 1)
        kill(-(pid_t)t->pgid, SIGKILL);
    /* What detached from the group (setsid) is still in the cgroup. */
    if (t->cgroup[0] != '\0')
        (void)es_tcg_kill(t->cgroup);
}
