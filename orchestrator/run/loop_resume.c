/*
 * loop_resume.c -- taking up a sweep whose coordinator died or that was
 * interrupted (see loop.h): the Slurm jobs its lost trials left are
 * cancelled, its running trials become lost attempts, what it recorded
 * feeds the search (and the pruner), and the numbers to run again are
 * queued.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account.h"
#include "loop_int.h"
#include "trial_setup.h"

/* ---- Resuming ------------------------------------------------------------------ */

/* Move a lost attempt's log directory to the name its row now records
 * (DIR.lost-ID), so the number's next attempt starts in a fresh DIR.  Done
 * for the latest attempt of a number only when no other attempt took the
 * directory since, and only when not done before: a coordinator killed
 * between the store's commit and the rename does it on the next resume. */
static void move_lost_dir(const sweep *sw, const es_store_past_trial *p)
{
    /* Only a directory of this sweep's own, named as ecosweep names it,
     * is ever moved, and within its sweep's directory (no link followed):
     * a row edited to point elsewhere moves nothing. */
    char prefix[PATH_MAX], from[64], to[96];
    snprintf(prefix, sizeof prefix, "%s/sweep-%lld/", sw->log_root, (long long)sw->id);
    snprintf(from, sizeof from, "trial-%lld", (long long)p->number);
    snprintf(to, sizeof to, "trial-%lld.lost-%lld", (long long)p->number, (long long)p->id);
    size_t n = strlen(prefix);
    if (p->log_dir == NULL || strncmp(p->log_dir, prefix, n) != 0 ||
        strcmp(p->log_dir + n, to) != 0)
        return;
    char rel[64];
    snprintf(rel, sizeof rel, "sweep-%lld", (long long)sw->id);
    int fd;
    struct stat sb;
    if (es_dir_open_under(sw->log_root, rel, sw->private_logs, &fd) != 0)
        return;
    if (fstatat(fd, to, &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
        fstatat(fd, from, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode))
        (void)renameat(fd, from, fd, to);
    close(fd);
}

/* A resumed sweep's pruner learns what the first run's saw, in the order
 * it happened: every report of the objective and every trial's end, lost
 * attempts left out (their numbers run again), so that its rungs, medians
 * and decisions go on as if the sweep had run without the lost attempts. */
typedef struct seen_trial {
    int64_t id, number;
} seen_trial;

static int resume_pruner(sweep *sw, const seen_trial *seen, size_t n_seen, es_err *err)
{
    es_store_objective_event *ev = NULL;
    size_t n = 0;
    int rc;
    if (sw->pruner == NULL)
        return 0;
    if ((rc = es_store_objective_history(sw->st, sw->id, sw->spec->metric_name, &ev, &n, err)) != 0)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint64_t id = (uint64_t)ev[i].trial_id;
        if (ev[i].ended) {
            rc = es_pruner_trial_done(sw->pruner, id, ev[i].status == ES_TRIAL_COMPLETED);
        } else {
            int64_t step = ev[i].step >= 0 ? ev[i].step : es_pruner_last_step(sw->pruner, id) + 1;
            rc = es_pruner_report(sw->pruner, id, step, ev[i].value, NULL);
        }
        if (rc == -EINVAL)
            rc = 0; /* refused now as it was then */
    }
    free(ev);
    if (rc != 0)
        return es_err_set(err, rc, "out of memory");
    /* Then the search learns the levels of the trials it observed, as it
     * did when each of them ended. */
    for (size_t i = 0; i < n_seen && rc == 0; i++)
        rc = es_loop_observe_levels(sw, seen[i].id, seen[i].number, err);
    return rc;
}

/* The Slurm jobs of the trials a dead coordinator left running may still
 * run (srun lost with its coordinator does not always take its job along):
 * cancel them before their numbers run again. */
extern char **environ;

static void cancel_lost_jobs(sweep *sw)
{
    char **jobs = NULL;
    size_t n = 0;
    es_err err;
    if (es_store_sweep_running_jobs(sw->st, sw->id, &jobs, &n, &err) != 0 || n == 0) {
        es_strv_free(jobs);
        return;
    }
    char **argv = calloc(n + 2, sizeof *argv);
    if (argv != NULL) {
        argv[0] = "scancel";
        memcpy(argv + 1, jobs, n * sizeof *argv);
        pid_t pid;
        int status;
        if (posix_spawnp(&pid, "scancel", NULL, NULL, argv, environ) == 0)
            waitpid(pid, &status, 0);
        es_loop_say(sw, "cancelled %zu Slurm job(s) of lost trials", n);
    }
    free(argv);
    es_strv_free(jobs);
}

/* Every parameter of the spec has a stored value (a spec changed since
 * could leave one out). */
static int complete_values(const es_spec *sp, const es_value *v)
{
    for (size_t k = 0; v != NULL && k < sp->n_params; k++)
        if (v[k].kind == ES_V_NULL && sp->params[k].dist != ES_DIST_CONSTANT &&
            sp->params[k].dist != ES_DIST_CATEGORICAL)
            return 0;
    return v != NULL;
}

/* Take up sweep opts->resume_id: lose its running trials, learn what the
 * others found, and queue the numbers that must run again. */
/* What the search learns of a completed trial of the earlier run beside
 * its metric (several objectives or constraints). */
static int observe_stored_values(sweep *sw, const es_store_past_trial *p, int *counts, es_err *err)
{
    es_loop_stored ms = {.factors = &sw->spec->energy};
    es_store_metric *rows = NULL;
    es_store_phase *ph = NULL;
    int rc = es_store_trial_last_metrics(sw->st, p->id, &rows, &ms.n, err);
    if (rc == 0 && (rc = es_store_trial_phases(sw->st, p->id, &ph, &ms.n_ph, err)) != 0)
        es_store_metrics_free(rows, ms.n);
    if (rc != 0)
        return rc;
    ms.m = rows;
    ms.ph = ph;
    rc = es_loop_observe_values(sw, p->number, es_loop_stored_metric, &ms, p->config_j,
                                p->config_wall_s, counts, err);
    es_store_metrics_free(rows, ms.n);
    es_store_phases_free(ph, ms.n_ph);
    return rc;
}

int es_loop_resume(sweep *sw, es_err *err)
{
    const es_spec *sp = sw->spec;
    es_run_summary *s = sw->sum;
    es_store_past_trial *h = NULL;
    size_t n = 0;
    int n_lost, rc;

    sw->id = sw->opts->resume_id;
    cancel_lost_jobs(sw);
    es_loop_cgroup_lost(sw);
    if ((rc = es_store_sweep_reopen(sw->st, sw->id, "the coordinator stopped while it ran",
                                    es_loop_now(), &n_lost, err)) != 0 ||
        (rc = es_store_sweep_history(sw->st, sw->id, sp, &h, &n, err)) != 0)
        return rc;
    uint64_t next = 0;
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)h[i].number + 1 > next)
            next = (uint64_t)h[i].number + 1;
    unsigned char *done = calloc(next ? next : 1, 1);
    sw->redo = calloc(next ? next : 1, sizeof *sw->redo);
    sw->redo_values = calloc(next ? next : 1, sizeof *sw->redo_values);
    sw->n_redo_values = sw->redo_values != NULL ? next : 0;
    seen_trial *seen = malloc((n ? n : 1) * sizeof *seen); /* the trials observed */
    size_t n_seen = 0;
    if (done == NULL || sw->redo == NULL || sw->redo_values == NULL || seen == NULL) {
        free(done);
        free(seen);
        es_store_sweep_history_free(h, n, sp);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const es_store_past_trial *p = &h[i];
        /* Every attempt spent its energy, lost ones included (as far as
         * their last saved sample tells). */
        double joules = isnan(p->joules) ? 0 : p->joules;
        es_cost cost;
        es_account(&sp->energy, joules, 0, &cost);
        sw->spent_j += joules;
        s->kwh += cost.kwh;
        s->co2e_kg += cost.co2e_kg;
        s->usd += cost.usd;
        if (p->status == ES_TRIAL_LOST) {
            s->lost++;
            /* Its configuration, for the number to run again with (the
             * latest attempt's, when it was lost more than once). */
            if (complete_values(sp, p->values)) {
                es_values_free(sw->redo_values[p->number], sp->n_params);
                sw->redo_values[p->number] = p->values;
                h[i].values = NULL;
            }
            if (i + 1 == n || h[i + 1].number != p->number)
                move_lost_dir(sw, p);
            continue;
        }
        done[p->number] = 1;
        s->launched++;
        s->reused += p->reused && p->status == ES_TRIAL_COMPLETED;
        s->metered += !p->reused && !isnan(p->joules);
        es_loop_count_status(s, p->status);
        es_loop_count_initial(sw, p->number, p->status, "recorded before the sweep was resumed");
        int completed = p->status == ES_TRIAL_COMPLETED, pruned = p->status == ES_TRIAL_PRUNED;
        if (completed || pruned || p->status == ES_TRIAL_FAILED ||
            p->status == ES_TRIAL_TIMED_OUT) {
            seen[n_seen++] = (seen_trial){p->id, p->number};
            rc = es_search_observe(sw->search, (uint64_t)p->number, p->values,
                                   completed ? ES_OBS_COMPLETED
                                   : pruned  ? ES_OBS_PRUNED
                                             : ES_OBS_FAILED,
                                   completed || pruned ? p->objective : NAN, p->joules, err);
        }
        int counts = 1;
        if (rc == 0 && completed && sp->n_objectives + sp->n_constraints > 0)
            rc = observe_stored_values(sw, p, &counts, err);
        if (completed)
            es_loop_after_result(sw, p->number, p->objective, counts);
    }
    for (uint64_t k = 0; k < next; k++) {
        if (!done[k])
            sw->redo[sw->n_redo++] = k;
        else if (sw->redo_values[k] != NULL) { /* lost, then ran again */
            es_values_free(sw->redo_values[k], sp->n_params);
            sw->redo_values[k] = NULL;
        }
    }
    sw->next_index = next;
    if (sw->opts->more > 0) {
        /* N beyond what it would have run: its run_cap, or the numbers it
         * recorded when it ran past it (an earlier --more) or has none. */
        long base = sw->run_cap > (long)next ? sw->run_cap : (long)next;
        sw->run_cap = base + sw->opts->more;
        sw->more_base = (uint64_t)base;
        sw->more_unsaved = 1; /* a --more that runs nothing banks nothing */
    }
    free(done);
    es_store_sweep_history_free(h, n, sp);
    if (rc == 0)
        rc = resume_pruner(sw, seen, n_seen, err);
    free(seen);
    if (rc != 0)
        return rc;
    if (sp->max_failed > 0 && s->failed + s->timed_out >= sp->max_failed)
        es_loop_stop_launching(sw, "failed", "max_failed reached: %d trials failed",
                               s->failed + s->timed_out);
    es_loop_say(sw, "resuming sweep %s: %d completed, %d lost", sw->name, s->completed, n_lost);
    return 0;
}
