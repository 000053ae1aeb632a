/*
 * loop.c -- one sweep on one libuv loop (see loop.h).
 *
 * The loop owns a small set of handles: SIGINT/SIGTERM watchers, a 1 s tick
 * (status line, wall budget), and per trial a launch (worker process and
 * its pipes) plus a timeout timer.  Everything runs on this one thread, so
 * counters need no locks.  The life of a trial:
 *
 *   fill() -> trial_launch(): suggestion, argv, log dir, store row, spawn
 *   output  -> log files (capped) and the metric parser (bounded lines);
 *              with early_terminate, each report of the objective goes to
 *              the pruner, whose stop decision stops the trial (pruned)
 *   on_done -> trial_finish(): status and reason, store commit, counters,
 *              stop conditions, then fill() again
 *   close   -> the launch and the timer release their handles; freed
 *
 * The sweep ends when nothing runs and nothing more may be launched.
 */
#include "loop.h"
#include "loop_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "account.h"
#include "launch.h"
#include "launch_slurm.h"
#include "metric.h"
#include "prune.h"
#include "search.h"
#include "trial_setup.h"

static void maybe_end(sweep *sw);
static void fill(sweep *sw);

static void check_energy_budget(sweep *sw);

/* Record t's Slurm job id (held in job_unsaved) as running. */
static void save_job(trial *t)
{
    es_err err;
    int rc = es_store_trial_slurm(t->sw->st, t->id, t->job_unsaved, "RUNNING", NAN, &err);
    if (es_loop_db_rc(t->sw, rc, &err) == 0)
        t->job_unsaved[0] = '\0';
}

/* One line from the worker's descriptor: "started" names the trial's
 * process group, "sample" brings its energy so far, "result" ends it. */
static void worker_line(trial *t, const char *line, size_t len)
{
    long pgid;
    if (es_started_parse(line, len, &pgid) == 0) {
        t->pgid = pgid;
        /* On Slurm the job id goes on the record at once: a coordinator
         * that dies leaves jobs the next one must cancel. */
        char job[32];
        if (es_started_slurm_job(line, len, job, sizeof job) == 0) {
            snprintf(t->job_unsaved, sizeof t->job_unsaved, "%s", job);
            if (!es_loop_db_waiting(t->sw))
                save_job(t);
        }
    } else if (es_sample_parse(line, len, &t->live) == 0) {
        t->have_live = 1;
        t->live_saved = 0;
        check_energy_budget(t->sw);
    } else if (es_result_parse(line, len, &t->result) == 0) {
        t->have_r = 1;
    }
}

static void on_result(void *ud, const char *buf, size_t n)
{
    trial *t = ud;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            if (!t->res_overflow)
                worker_line(t, t->res, t->res_len);
            t->res_len = 0;
            t->res_overflow = 0;
        } else if (t->res_len < sizeof t->res - 1) {
            t->res[t->res_len++] = buf[i];
        } else {
            t->res_overflow = 1;
        }
    }
}

static void on_worker_exit(void *ud, int64_t status, int term_signal)
{
    trial *t = ud;
    t->worker_status = status;
    t->worker_signal = term_signal;
    if (term_signal != 0)
        es_loop_kill_orphans(t);
}

/* ---- The end of a trial ---------------------------------------------------- */

static void trial_free(trial *t)
{
    if (t->dirfd >= 0)
        close(t->dirfd);
    es_loop_cgroup_release(t->sw, t->cgroup);
    es_loop_log_close(&t->out);
    es_loop_log_close(&t->err);
    es_loop_pend_clear(t);
    es_loop_late_free(t);
    free(t->pend);
    es_values_free(t->values, t->sw->spec->n_params);
    free(t->line);
    free(t);
}

static void on_trial_handle_closed(trial *t)
{
    sweep *sw = t->sw;
    if (--t->closes_pending > 0)
        return;
    trial_free(t);
    maybe_end(sw);
}

static void on_launch_closed(void *ud)
{
    on_trial_handle_closed(ud);
}

static void on_timer_closed(uv_handle_t *h)
{
    on_trial_handle_closed(h->data);
}

/* The objective, if the spec has one, was last reported as a finite number. */
static int objective_ok(const trial *t)
{
    return t->sw->spec->metric_name == NULL || (t->have_obj && t->obj_number && isfinite(t->obj));
}

/* Decide status and reason of a trial from what the worker reported. */
static es_trial_status judge(trial *t, const es_result *r, int have_r, char *reason, size_t cap)
{
    const es_spec *sp = t->sw->spec;

    reason[0] = '\0';
    /* A trial whose main process exited 0 with its objective reported is
     * complete, even if a stop request arrived while the worker was still
     * cleaning up processes the trial left behind. */
    if (have_r && r->exit_kind == ES_EXIT_EXITED && r->exit_code == 0 && objective_ok(t))
        return ES_TRIAL_COMPLETED;
    if (t->stop_status != ES_TRIAL_RUNNING) {
        snprintf(reason, cap, "%s", t->stop_reason);
        return t->stop_status;
    }
    if (t->timed_out) {
        char d[32];
        es_loop_fmt_duration(sp->trial_timeout_s, d, sizeof d);
        snprintf(reason, cap, "exceeded trial_timeout of %s", d);
        return ES_TRIAL_TIMED_OUT;
    }
    /* Slurm ended the job itself: its time limit, a node failure, a
     * preemption, a cancellation by someone else. */
    const char *state = es_loop_slurm_state(t);
    if (state != NULL) {
        snprintf(reason, cap, "Slurm ended job %s: %s (%s)", es_launch_slurm_job(t->launch), state,
                 es_launch_slurm_note(t->launch));
        return ES_TRIAL_FAILED;
    }
    if (have_r && (r->stop_signal == SIGINT || r->stop_signal == SIGTERM)) {
        /* The worker was stopped by someone else: Ctrl-C on the terminal
         * reaches the workers too, sometimes before this process. */
        snprintf(reason, cap, "stopped by %s", r->stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        return ES_TRIAL_INTERRUPTED;
    }
    if (!have_r) {
        if (t->worker_signal)
            snprintf(reason, cap, "the worker was killed by signal %d (%s) without a result",
                     t->worker_signal, strsignal(t->worker_signal));
        else
            snprintf(reason, cap, "the worker exited with status %lld without a result",
                     (long long)t->worker_status);
        return ES_TRIAL_FAILED;
    }
    if (r->exit_kind == ES_EXIT_EXEC_FAILED) {
        snprintf(reason, cap, "cannot run the command: %s", strerror(r->exec_errno));
        return ES_TRIAL_FAILED;
    }
    /* A crash or a non-zero exit quotes what the trial said last on
     * stderr (a Python traceback's last line names the error). */
    char said[200];
    es_loop_stderr_line(t, said, sizeof said);
    if (r->exit_kind == ES_EXIT_SIGNALED) {
        snprintf(reason, cap, "killed by signal %d (%s)%s%s", r->term_signal,
                 strsignal(r->term_signal), said[0] ? ": " : "", said);
        return ES_TRIAL_FAILED;
    }
    if (r->exit_code != 0) {
        snprintf(reason, cap, "exited with code %d%s%s", r->exit_code, said[0] ? ": " : "", said);
        return ES_TRIAL_FAILED;
    }
    if (sp->metric_name == NULL)
        return ES_TRIAL_COMPLETED;
    if (!t->have_obj) {
        snprintf(reason, cap, "never reported metric '%s'", sp->metric_name);
        return ES_TRIAL_FAILED;
    }
    if (!t->obj_number) {
        snprintf(reason, cap, "reported '%.40s' for metric '%s', which is not a number",
                 t->obj_text, sp->metric_name);
        return ES_TRIAL_FAILED;
    }
    if (!isfinite(t->obj)) {
        snprintf(reason, cap, "metric '%s' was %s", sp->metric_name, t->obj_text);
        return ES_TRIAL_FAILED;
    }
    return ES_TRIAL_COMPLETED;
}

static void trial_ended(trial *t);
static void trial_release(trial *t);

/* Record t's end (decided by trial_finish) with its last metric values, in
 * one transaction, and go on with trial_ended; or, with the database
 * locked by another connection, hold it for the retry (loop_db.c). */
static void trial_commit(trial *t)
{
    sweep *sw = t->sw;
    es_err err;
    t->held = 1;
    if (es_loop_db_waiting(sw))
        return;
    if (es_loop_late_to_pend(t) != 0) {
        es_err_set(&err, -ENOMEM, "out of memory");
        es_loop_fatal(sw, &err);
    }
    es_trial_end e = {
        .status = t->end_status,
        .reason = t->end_reason[0] ? t->end_reason : NULL,
        .objective = t->end_objective,
        .ended = t->end_at,
        .result = t->have_r ? &t->result : NULL,
        .partial = !t->have_r && t->have_live ? &t->live : NULL,
        .metric_points = t->metric_seq,
        .pruned_step = t->prune_step,
        .metrics = t->pend,
        .n_metrics = t->n_pend,
        /* A worker killed outright sent nothing: what held the trial is
         * then the cgroup this coordinator made and killed. */
        .containment = t->cgroup[0] ? ES_CONTAIN_CGROUP : ES_CONTAIN_UNKNOWN,
        .phases = t->phases,
        .n_phases = t->n_phases,
    };
    if (es_loop_db_rc(sw, es_store_trial_finish(sw->st, t->id, &e, &err), &err) > 0)
        return;
    t->held = 0;
    es_loop_pend_clear(t);
    trial_ended(t);
}

/* The worker is gone: judge the trial once, then record it. */
static void trial_finish(trial *t)
{
    const es_spec *sp = t->sw->spec;
    const es_result *rp = &t->result;
    char reason[256];
    int have_r;
    es_trial_status status;

    /* The last line may lack its newline. */
    if (t->line_len > 0 && !t->line_overflow)
        es_loop_on_line(t, t->line, t->line_len);
    t->line_len = 0;

    /* A last line without its newline. */
    if (t->res_len > 0 && !t->res_overflow)
        worker_line(t, t->res, t->res_len);
    t->res_len = 0;
    have_r = t->have_r;
    es_loop_phases_end(t);
    if (!have_r)
        es_loop_kill_orphans(t);
    status = judge(t, rp, have_r, reason, sizeof reason);
    status = es_loop_maybe_retry(t, status, reason, sizeof reason);
    int completed = status == ES_TRIAL_COMPLETED, pruned = status == ES_TRIAL_PRUNED;
    /* A pruned trial keeps its last value as its objective (reports and the
     * search only rank completed trials by it). */
    t->end_status = status;
    snprintf(t->end_reason, sizeof t->end_reason, "%s", reason);
    t->end_objective = (completed && sp->metric_name) || pruned ? t->obj : NAN;
    t->end_at = es_loop_now();
    /* Nothing may signal the trial's group from now on: the worker is gone,
     * and the group id may be reused. */
    uv_timer_stop(&t->timer);
    trial_commit(t);
}

/* After t's end is recorded: counters, what the search learns, the stop
 * conditions, then fill() again. */
static void trial_ended(trial *t)
{
    sweep *sw = t->sw;
    const es_spec *sp = sw->spec;
    es_run_summary *s = sw->sum;
    const es_result *rp = &t->result;
    es_trial_status status = t->end_status;
    const char *reason = t->end_reason;
    int have_r = t->have_r;
    int completed = status == ES_TRIAL_COMPLETED, pruned = status == ES_TRIAL_PRUNED;
    double obj = completed && sp->metric_name ? t->obj : NAN;
    es_trial_end e = {.objective = t->end_objective, .ended = t->end_at};
    es_cost cost;
    es_err err;
    int counts = 0;

    if (sp->launcher.type == ES_LAUNCHER_SLURM)
        es_loop_record_slurm_job(t, status);

    /* Without a result, the latest sample is what the trial is known to
     * have used. */
    double joules = have_r         ? es_account_joules(&rp->cpu, &rp->dram, &rp->gpu)
                    : t->have_live ? es_account_joules(&t->live.cpu, &t->live.dram, &t->live.gpu)
                                   : 0;
    /* What the search and the objectives learn: the result's energy, or
     * NAN where there is no result or nothing measured it (not 0 J). */
    int metered = have_r         ? es_account_measured(&rp->cpu, &rp->dram, &rp->gpu)
                  : t->have_live ? es_account_measured(&t->live.cpu, &t->live.dram, &t->live.gpu)
                                 : 0;
    double known_j = have_r && metered ? joules : NAN;
    es_account(&sp->energy, joules, have_r ? rp->wall_s : e.ended - t->started, &cost);
    sw->spent_j += joules;
    if (t->reusable && metered) {
        sw->sum->reusable_j += joules;
        sw->sum->reusable_metered++;
    }
    /* What the search learns: a result, a partial one (pruned), or a
     * failure it should steer away from.  Interrupted trials say nothing
     * about their configuration. */
    if (completed || pruned || status == ES_TRIAL_FAILED || status == ES_TRIAL_TIMED_OUT) {
        es_obs_status os = completed ? ES_OBS_COMPLETED : pruned ? ES_OBS_PRUNED : ES_OBS_FAILED;
        if (es_search_observe(sw->search, (uint64_t)t->number, t->values, os, e.objective, known_j,
                              &err) != 0 ||
            es_loop_observe_levels(sw, t->id, t->number, &err) != 0)
            es_loop_fatal(sw, &err);
        else if (completed)
            (void)es_loop_observe_late(t, known_j, have_r ? rp->wall_s : NAN, &counts);
    }
    if (sw->pruner != NULL &&
        es_pruner_trial_done(sw->pruner, (uint64_t)t->id, completed) == -ENOMEM) {
        es_err_set(&err, -ENOMEM, "out of memory");
        es_loop_fatal(sw, &err);
    }
    s->kwh += cost.kwh;
    s->co2e_kg += cost.co2e_kg;
    s->usd += cost.usd;
    s->metered += metered;
    es_loop_count_status(s, status);

    es_loop_say_ended(t, status, obj, cost.kwh);

    /* Stop conditions that a finished trial can trigger. */
    if (status == ES_TRIAL_INTERRUPTED && t->stop_status == ES_TRIAL_RUNNING)
        es_loop_stop_launching(sw, "interrupted", "interrupted: trial %lld was %s",
                               (long long)t->number, reason);
    if (sp->max_failed > 0 && s->failed + s->timed_out >= sp->max_failed)
        es_loop_stop_launching(sw, "failed", "max_failed reached: %d trials failed",
                               s->failed + s->timed_out);
    /* A cap on energy nothing here measures cannot be kept: it ran on as
     * if every trial cost 0 J. */
    if (!isnan(sw->budget_j) && have_r && !metered)
        es_loop_stop_launching(sw, "finished",
                               "the energy budget (%s) cannot be kept: nothing measured or "
                               "estimated trial %lld's energy",
                               sw->budget_what, (long long)t->number);
    es_loop_count_initial(sw, t->number, status, reason);
    es_loop_after_result(sw, t->number, obj, counts);

    trial_release(t);
    fill(sw);
}

/* Counted and past: unlink t from the running list and release its
 * handles (it is freed once they are closed). */
static void trial_release(trial *t)
{
    sweep *sw = t->sw;
    for (trial **pp = &sw->running_list; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    sw->running--;
    es_loop_log_close(&t->out);
    es_loop_log_close(&t->err);
    t->closes_pending = 2;
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, on_timer_closed);
    es_launch_close(t->launch);
}

static void on_done(void *ud)
{
    trial_finish(ud);
}

static void on_timeout(uv_timer_t *h)
{
    trial *t = h->data;
    if (t->stop_status != ES_TRIAL_RUNNING)
        return;
    if (es_loop_ask_to_stop(t) == 0)
        t->timed_out = 1;
}

/* ---- Launching --------------------------------------------------------------- */

/* environ, less what the spec's env.remove names and our own variables,
 * plus the spec's env.set and this trial's ECOSWEEP_* (which win). */
static char **trial_env(const trial *t, const char *params_file)
{
    static const char *const names[] = {
        "ECOSWEEP_TRIAL_ID", "ECOSWEEP_TRIAL_NUMBER", "ECOSWEEP_SWEEP_ID", "ECOSWEEP_SWEEP",
        "ECOSWEEP_PROJECT",  "ECOSWEEP_PARAMS_FILE",  "ECOSWEEP_TRIAL_DIR"};
    char num[3][32];
    snprintf(num[0], sizeof num[0], "%lld", (long long)t->id);
    snprintf(num[1], sizeof num[1], "%lld", (long long)t->number);
    snprintf(num[2], sizeof num[2], "%lld", (long long)t->sw->id);
    const char *values[] = {num[0],      num[1], num[2], t->sw->name, t->sw->opts->project,
                            params_file, t->dir};
    return es_env_build(NULL, &t->sw->spec->env, names, values, sizeof names / sizeof names[0]);
}

/* Launch trial `index`; 0 when it runs, 1 when a completed trial of the
 * project was reused instead, negative on error. */
static int trial_launch(sweep *sw, uint64_t index, es_value *values, double forecast_j)
{
    const es_spec *sp = sw->spec;
    trial *t = calloc(1, sizeof *t);
    char params_file[PATH_MAX + 16];
    char **argv = NULL, **env = NULL, *cmd_json = NULL, *params = NULL;
    char grace[32], cpu_w[32], dram_w[32], gpu_w[32], ppid[32];
    char inputs_key[ES_INPUTS_KEY_SIZE];
    es_err err;
    int rc;

    es_err_clear(&err);
    if (t == NULL || (t->line = malloc(LINE_CAP)) == NULL) {
        free(t);
        es_values_free(values, sp->n_params);
        es_err_set(&err, -ENOMEM, "out of memory");
        es_loop_fatal(sw, &err);
        return -ENOMEM;
    }
    t->sw = sw;
    t->dirfd = -1;
    t->number = (int64_t)index;
    t->values = values;
    t->obj = NAN;
    t->forecast_j = forecast_j;
    t->started = es_loop_now();
    snprintf(t->dir, sizeof t->dir, "%s/sweep-%lld/trial-%lld", sw->log_root, (long long)sw->id,
             (long long)index);
    snprintf(params_file, sizeof params_file, "%s/params.json", t->dir);

    es_command_ctx ctx = {.interpreter = NULL, .args_json_file = params_file};
    {
        /* Below DB.d every directory and file is opened without following
         * a link: one planted there (DB.d may be shared with a group) is
         * refused, never written through. */
        char rel[64];
        snprintf(rel, sizeof rel, "sweep-%lld/trial-%lld", (long long)sw->id, (long long)index);
        if ((rc = es_dir_open_under(sw->log_root, rel, sw->private_logs, &t->dirfd)) != 0) {
            es_err_set(&err, rc, "cannot create %s: %s", t->dir,
                       rc == -ELOOP ? "a symbolic link or not a directory is in the way"
                                    : strerror(-rc));
            goto fail;
        }
    }
    if ((rc = es_command_build(sp, values, &ctx, &argv, &err)) != 0)
        goto fail;
    params = es_params_json(sp, values);
    cmd_json = es_argv_json(argv);
    if (params == NULL || cmd_json == NULL) {
        rc = es_err_set(&err, -ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = es_write_fileat(t->dirfd, "params.json", params)) != 0) {
        es_err_set(&err, rc, "cannot write %s: %s", params_file,
                   rc == -ELOOP || rc == -EPERM ? "a link is in the way" : strerror(-rc));
        goto fail;
    }
    {
        /* Reuse is asked for (W&B and Optuna never reuse): without it the
         * lookup only counts what reuse would have saved. */
        es_store_reuse ru;
        es_store_reuse_query q = {.command_json = cmd_json,
                                  .params_json = params,
                                  .inputs_key = inputs_key,
                                  .metric = sp->metric_name,
                                  .history_cap = METRIC_ROWS_CAP};
        if ((rc = es_inputs_key(sw->inputs, sp, argv, inputs_key, &err)) != 0 ||
            (rc = es_store_find_completed(sw->st, sw->project_id, &q, &ru, &err)) != 0)
            goto fail;
        if (ru.found && !sw->opts->reuse) {
            sw->sum->reusable++;
            t->reusable = 1; /* what it spends is what reuse would have saved */
        } else if (ru.found) {
            rc = es_loop_trial_reuse(sw, t, &ru, cmd_json, inputs_key);
            es_strv_free(argv);
            free(cmd_json);
            free(params);
            trial_free(t);
            return rc == ES_EBUSY ? rc : 1;
        }
    }
    /* The logs are created at their first byte (keep_log); logs left in
     * the directory from before (a database started afresh beside its old
     * DB.d) must not pass for this attempt's. */
    (void)unlinkat(t->dirfd, "stdout", 0);
    (void)unlinkat(t->dirfd, "stderr", 0);

    char host[64] = "";
    gethostname(host, sizeof host - 1);
    es_loop_cgroup_make(sw, t);
    es_trial_new tn = {
        .sweep_id = sw->id,
        .number = t->number,
        .spec = sp,
        .values = values,
        .command_json = cmd_json,
        .log_dir = t->dir,
        .started = t->started,
        .host = host,
        .forecast_j = t->forecast_j,
        .inputs_key = inputs_key,
        .cgroup = t->cgroup[0] ? t->cgroup : NULL,
    };
    if ((rc = es_store_trial_start(sw->st, &tn, &t->id, &err)) != 0)
        goto fail;
    if ((env = trial_env(t, params_file)) == NULL) {
        rc = es_err_set(&err, -ENOMEM, "out of memory");
        goto fail_recorded;
    }

    snprintf(grace, sizeof grace, "%g", sw->opts->grace_s);
    /* The worker stops its trial when this process dies, even if that
     * happens before the worker has set itself up. */
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    snprintf(cpu_w, sizeof cpu_w, "%g", sp->energy.cpu_watts_per_core);
    snprintf(dram_w, sizeof dram_w, "%g", sp->energy.dram_watts_per_gb);
    snprintf(gpu_w, sizeof gpu_w, "%g", sp->energy.gpu_watts);
    int slurm = sp->launcher.type == ES_LAUNCHER_SLURM;
    char *wargs[] = {"--attribution", (char *)es_energy_attribution_name(sp->energy.attribution),
                     "--gpu-watts", gpu_w, "--cpu-watts-per-core", cpu_w, "--dram-watts-per-gb",
                     dram_w, "--grace", grace,
                     /* Here: the lines on descriptor 3, the worker watches this process,
                      * and puts the trial in its cgroup when it has one.  On Slurm: the
                      * lines on stderr (srun carries no other descriptor), and the
                      * worker's parent is slurmstepd; a lost job is cancelled. */
                     slurm ? "--inline-records" : "--result-fd", slurm ? NULL : "3", "--parent-pid",
                     ppid, t->cgroup[0] ? "--cgroup" : NULL, t->cgroup, NULL};
    /* A name unique to this coordinator and trial, to cancel the job by
     * before Slurm has said its id. */
    snprintf(t->job_name, sizeof t->job_name, "ecosweep-%ld-%lld", (long)getpid(),
             (long long)t->id);
    es_launch_req req = {.worker = sw->opts->worker_path,
                         .worker_args = wargs,
                         .argv = argv,
                         .env = env,
                         .slurm = slurm ? &sp->launcher : NULL,
                         .job_name = t->job_name};
    es_launch_cbs cbs = {es_loop_on_stdout, es_loop_on_stderr, on_result,
                         on_worker_exit,    on_done,           on_launch_closed};
    if ((rc = es_launch_start(&sw->loop, &req, &cbs, t, &t->launch, &err)) != 0)
        goto fail_recorded;

    uv_timer_init(&sw->loop, &t->timer);
    t->timer.data = t;
    if (sp->trial_timeout_s > 0)
        uv_timer_start(&t->timer, on_timeout, (uint64_t)(sp->trial_timeout_s * 1000), 0);
    if ((rc = es_search_observe(sw->search, (uint64_t)t->number, values, ES_OBS_PENDING, NAN, NAN,
                                &err)) != 0)
        es_loop_fatal(sw, &err);
    t->next = sw->running_list;
    sw->running_list = t;
    sw->running++;
    sw->sum->launched++;
    es_strv_free(argv);
    es_strv_free(env);
    free(cmd_json);
    free(params);
    return 0;

fail_recorded : {
    /* The trial row exists: record why it never ran.  A failure of this
     * trial's own (a value too long for exec, E2BIG; out of descriptors or
     * processes, EMFILE, ENFILE, EAGAIN) fails the trial, and the sweep
     * goes on, a launch a tick at most while it lasts; anything else stops
     * the sweep. */
    es_trial_end e = {
        .status = ES_TRIAL_FAILED, .reason = err.msg, .objective = NAN, .ended = es_loop_now()};
    es_err err2;
    int own = rc == -E2BIG || rc == -EMFILE || rc == -ENFILE || rc == -EAGAIN;
    if (es_store_trial_finish(sw->st, t->id, &e, &err2) != 0) {
        err = err2;
        own = 0;
    }
    sw->sum->launched++;
    sw->sum->failed++;
    if (own) {
        es_loop_say(sw, "trial %lld failed: %s", (long long)t->number, err.msg);
        if (es_search_observe(sw->search, (uint64_t)t->number, values, ES_OBS_FAILED, NAN, NAN,
                              &err2) != 0)
            es_loop_fatal(sw, &err2);
        es_loop_count_initial(sw, t->number, ES_TRIAL_FAILED, err.msg);
        if (sp->max_failed > 0 && sw->sum->failed + sw->sum->timed_out >= sp->max_failed)
            es_loop_stop_launching(sw, "failed", "max_failed reached: %d trials failed",
                                   sw->sum->failed + sw->sum->timed_out);
        sw->launch_retry = 1;
        es_strv_free(argv);
        es_strv_free(env);
        free(cmd_json);
        free(params);
        trial_free(t);
        return -EAGAIN; /* fill stops; the tick tries again */
    }
}
fail:
    /* The database locked (nothing was recorded): the same number is
     * launched again by the retry. */
    if (rc != ES_EBUSY)
        es_loop_fatal(sw, &err);
    else
        (void)es_loop_db_rc(sw, rc, &err);
    es_strv_free(argv);
    es_strv_free(env);
    free(cmd_json);
    free(params);
    trial_free(t);
    return rc;
}

/* Called whenever a sample arrives: once the energy budget is spent, stop
 * launching, and with on_exhaust: kill stop the running trials too.  The
 * overshoot is then bounded by one sampling interval of those trials. */
static void check_energy_budget(sweep *sw)
{
    if (isnan(sw->budget_j) || sw->budget_exhausted)
        return;
    double used = es_loop_spent_live(sw);
    if (used < sw->budget_j)
        return;
    sw->budget_exhausted = 1;
    es_loop_stop_launching(sw, "finished",
                           "energy budget reached (%.4g J of %.4g J at the device: %s)", used,
                           sw->budget_j, sw->budget_what);
    if (sw->spec->budget.kill_on_exhaust)
        es_loop_stop_running(sw, ES_TRIAL_BUDGET_STOPPED, "the sweep's energy budget ran out");
}

/* The first trial beyond what the sweep would have run launches (trials
 * below that, lost or never started, do not count): the cap --more gave
 * becomes the sweep's.  0, or -1 when the store did not take it (locked:
 * es_loop_db_rc holds the launch for the retry; else the sweep is ended). */
static int more_taken(sweep *sw)
{
    es_err err;
    int rc = es_store_sweep_set_run_cap(sw->st, sw->id, sw->run_cap, &err);
    if (es_loop_db_rc(sw, rc, &err) != 0)
        return -1;
    sw->more_unsaved = 0;
    es_loop_say(sw, "sweep %s goes on with %ld more trial%s (to %ld)", sw->name, sw->opts->more,
                sw->opts->more == 1 ? "" : "s", sw->run_cap);
    return 0;
}

/* Launch trials until `parallel` run or something says stop. */
static void fill_now(sweep *sw)
{
    const es_spec *sp = sw->spec;
    while (!sw->stopping && sw->running < sw->opts->parallel && !es_loop_db_waiting(sw)) {
        es_value *values;
        es_err err;
        int rc;

        int redo = sw->redo_pos < sw->n_redo;
        uint64_t index = redo ? sw->redo[sw->redo_pos] : sw->next_index;
        if (redo && sw->run_cap > 0 && index >= (uint64_t)sw->run_cap) {
            sw->redo_pos++; /* the cap was lowered since it ran */
            continue;
        }
        if (!redo && sw->run_cap > 0 && sw->next_index >= (uint64_t)sw->run_cap) {
            es_loop_stop_launching(sw, "finished", "run_cap reached (%ld trials)", sw->run_cap);
            break;
        }
        if (sp->budget.wall_s > 0 && es_loop_elapsed(sw) >= sp->budget.wall_s) {
            es_loop_stop_launching(sw, "finished", "wall budget of %gs reached", sp->budget.wall_s);
            break;
        }
        values = calloc(sp->n_params ? sp->n_params : 1, sizeof *values);
        if (values == NULL) {
            es_err_set(&err, -ENOMEM, "out of memory");
            es_loop_fatal(sw, &err);
            break;
        }
        /* The search proposes what would fit once the project's other
         * sweeps release what their running trials reserve: whether it
         * fits now, or waits for them, is the admission's decision below
         * (with only what is left now, a Bayesian sweep ended where a
         * random one waited). */
        if (!isnan(sw->budget_j))
            es_search_set_energy_budget(sw->search, es_loop_remaining_budget(sw) + sw->reserved_j,
                                        sw->budget_j);
        /* A lost number runs the configuration it ran with, whatever the
         * search would suggest now (Bayesian suggestions depend on what
         * was observed since). */
        const es_value *again = redo && index < sw->n_redo_values ? sw->redo_values[index] : NULL;
        rc = 0;
        for (size_t k = 0; again != NULL && k < sp->n_params && rc == 0; k++)
            if (es_value_copy(&values[k], &again[k]) != 0)
                rc = es_err_set(&err, -ENOMEM, "out of memory");
        if (again == NULL && (rc = es_search_suggest(sw->search, index, values, &err)) == 0)
            es_loop_say_fidelity(sw);
        if (rc == ES_EBUDGET) {
            free(values);
            es_loop_stop_launching(sw, "finished", "%s (%s)", err.msg, sw->budget_what);
            break;
        }
        if (rc == ES_EEXHAUSTED) {
            free(values);
            es_loop_stop_launching(sw, "finished", "%s", err.msg);
            break;
        }
        if (rc != 0) {
            es_values_free(values, sp->n_params);
            es_loop_fatal(sw, &err);
            break;
        }
        double median = NAN, upper = NAN;
        int have_forecast = es_search_forecast(sw->search, values, &median, &upper) == 0;
        if (!have_forecast)
            median = NAN;
        if (!isnan(sw->budget_j)) {
            /* Admission: launch only what the forecast says fits.  With no
             * energy history yet, the first trial runs alone as a pilot. */
            double left = es_loop_remaining_budget(sw);
            if (!have_forecast) {
                if (sw->running > 0) {
                    es_values_free(values, sp->n_params);
                    break; /* wait for the pilot; the same index comes again */
                }
            } else if (upper > left && upper <= left + sw->reserved_j) {
                /* It fits once the project's other sweeps end the trials
                 * that reserve the rest: wait for them (the tick tries
                 * again), rather than end the sweep. */
                es_values_free(values, sp->n_params);
                if (!sw->waiting_reserved)
                    es_loop_say(sw,
                                "waiting: trial %llu is forecast at %.4g J (95%% bound), %.4g J "
                                "remain of %s once the %.4g J the project's other sweeps' "
                                "running trials reserve is released",
                                (unsigned long long)index, upper, left > 0 ? left : 0,
                                sw->budget_what, sw->reserved_j);
                sw->waiting_reserved = 1;
                break; /* the same index comes again */
            } else if (upper > left) {
                es_values_free(values, sp->n_params);
                es_loop_stop_launching(
                    sw, "finished",
                    "budget would be exceeded: trial %llu is forecast at %.4g J (95%% "
                    "bound), %.4g J remain of %s",
                    (unsigned long long)index, upper, left > 0 ? left : 0, sw->budget_what);
                break;
            }
        }
        sw->waiting_reserved = 0;
        if (!redo && sw->more_unsaved && index >= sw->more_base && more_taken(sw) != 0) {
            es_values_free(values, sp->n_params);
            break;
        }
        if (redo)
            sw->redo_pos++;
        else
            sw->next_index++;
        rc = trial_launch(sw, index, values, median);
        if (rc == ES_EBUSY) {
            if (redo)
                sw->redo_pos--;
            else
                sw->next_index--;
        }
        if (rc < 0)
            break;
    }
    maybe_end(sw);
}

/* Under a project budget, coordinators of one database take turns: each
 * reads what the others spent and reserved and records the trials it
 * launches (with their forecasts) under the lock that serialises their
 * decisions, so two of them never both spend the same remainder. */
static void fill(sweep *sw)
{
    es_lock *lk = NULL;
    es_err err;
    if (sw->project_capped && !sw->stopping && sw->running < sw->opts->parallel &&
        !es_loop_db_waiting(sw)) {
        if (sw->opts->lock != NULL && es_lock_decide_begin(sw->opts->lock, &err) == 0)
            lk = sw->opts->lock;
        (void)es_loop_db_rc(sw, es_loop_refresh_budget(sw, &err), &err);
    }
    fill_now(sw);
    if (lk != NULL)
        es_lock_decide_end(lk);
}

/* ---- Sweep-level handles ---------------------------------------------------- */

/* Trials that ended and whose end waits for the database. */
static int count_held(const sweep *sw)
{
    int n = 0;
    for (const trial *t = sw->running_list; t != NULL; t = t->next)
        n += t->held;
    return n;
}

/* A second stop signal while the database stays locked: the held ends are
 * given up (the trials are recorded as running, so `resume` takes them as
 * lost and runs them again), and the sweep may end. */
static void give_up_held(sweep *sw)
{
    for (trial *t = sw->running_list, *next; t != NULL; t = next) {
        next = t->next;
        if (!t->held)
            continue;
        es_loop_say(sw,
                    "trial %lld: its end was not recorded (the database stayed locked); "
                    "resume runs it again",
                    (long long)t->number);
        t->held = 0;
        trial_release(t);
    }
}

static void on_signal(uv_signal_t *h, int signum)
{
    sweep *sw = h->data;
    int held = count_held(sw), live = sw->running - held;
    if (sw->stop_signal != 0) {
        if (held > 0 && es_loop_db_waiting(sw))
            give_up_held(sw);
        if (live > 0)
            es_loop_say(sw,
                        "still stopping %d trial(s); they are killed after the %gs grace period",
                        live, sw->opts->grace_s);
        maybe_end(sw);
        return;
    }
    sw->stop_signal = signum;
    es_loop_say(sw, "%s: stopping %d running trial(s)",
                signum == SIGINT ? "interrupted" : "terminated", live);
    if (held > 0)
        es_loop_say(sw,
                    "%d ended trial(s) wait for the database to record them; stop again to give "
                    "them up (resume then runs them again)",
                    held);
    /* A signal overrides a reason given earlier (say, run_cap reached while
     * the last trials still ran): what the user did is what happened. */
    sw->stopping = 1;
    snprintf(sw->end_status, sizeof sw->end_status, "interrupted");
    const char *name = signum == SIGINT ? "SIGINT" : signum == SIGHUP ? "SIGHUP" : "SIGTERM";
    char why[64];
    snprintf(sw->end_reason, sizeof sw->end_reason, "interrupted by %s", name);
    snprintf(why, sizeof why, "sweep %s by %s", signum == SIGINT ? "interrupted" : "terminated",
             name);
    es_loop_stop_running(sw, ES_TRIAL_INTERRUPTED, why);
    maybe_end(sw);
}

/* Every few seconds the running trials' energy so far goes to the store,
 * so a trial lost with its coordinator keeps what it used (up to this
 * interval); one small commit per trial that sampled since. */
#define PROGRESS_EVERY_TICKS 5

static void save_progress(sweep *sw)
{
    es_err err;
    for (trial *t = sw->running_list; t != NULL && !sw->fatal && !es_loop_db_waiting(sw);
         t = t->next) {
        if (!t->have_live || t->live_saved || t->id <= 0 || t->held)
            continue;
        if (es_loop_db_rc(sw, es_store_trial_progress(sw->st, t->id, &t->live, &err), &err) == 0)
            t->live_saved = 1;
    }
}

static void on_tick(uv_timer_t *h)
{
    sweep *sw = h->data;
    for (trial *t = sw->running_list; t != NULL && !sw->fatal; t = t->next)
        if (!t->held)
            es_loop_pend_flush(t);
    if (!es_loop_db_waiting(sw)) {
        /* A project budget shared with other coordinators: say this one is
         * alive, let them see its trials' progress every tick, and read
         * what they spent (a budget set meanwhile binds from now on). */
        es_err err;
        int was_capped = sw->project_capped;
        int rc = es_loop_refresh_budget(sw, &err);
        if (rc == 0 && sw->project_capped)
            rc = es_store_sweep_alive(sw->st, sw->id, es_loop_now(), &err);
        (void)es_loop_db_rc(sw, rc, &err);
        if (++sw->ticks % PROGRESS_EVERY_TICKS == 0 || sw->project_capped || was_capped)
            save_progress(sw);
        if (sw->project_capped)
            check_energy_budget(sw);
        if ((sw->waiting_reserved || sw->launch_retry) && !sw->stopping && !sw->fatal) {
            sw->launch_retry = 0;
            fill(sw);
        }
        /* The other sweeps' spending may have ended this one while it ran
         * nothing (it was waiting): nothing else would close it. */
        maybe_end(sw);
    }
    if (sw->spec->budget.wall_s > 0 && es_loop_elapsed(sw) >= sw->spec->budget.wall_s &&
        sw->running > 0) {
        char d[32];
        es_loop_fmt_duration(sw->spec->budget.wall_s, d, sizeof d);
        char reason[96];
        snprintf(reason, sizeof reason, "the sweep's wall budget of %s ran out", d);
        es_loop_stop_launching(sw, "finished", "wall budget of %s reached", d);
        es_loop_stop_running(sw, ES_TRIAL_BUDGET_STOPPED, reason);
    }
    if (sw->n_cg_left > 0)
        es_loop_cgroup_sweep_up(sw, 0);
    if (sw->opts->live)
        es_loop_status_line(sw);
}

static void maybe_end(sweep *sw)
{
    if (sw->closed || !sw->stopping || sw->running > 0 || sw->running_list != NULL)
        return;
    sw->closed = 1;
    uv_close((uv_handle_t *)&sw->sig_int, NULL);
    uv_close((uv_handle_t *)&sw->sig_term, NULL);
    uv_close((uv_handle_t *)&sw->sig_hup, NULL);
    uv_close((uv_handle_t *)&sw->tick, NULL);
    es_loop_db_close(sw);
}

/* Hold the sweep's lock for the rest of this process's life (see lock.h):
 * -EBUSY, with a message naming the holder, when another coordinator runs
 * it. */
static int lock_sweep(sweep *sw, int64_t id, es_err *err)
{
    pid_t holder;
    if (sw->opts->lock == NULL)
        return 0;
    int rc = es_lock_sweep(sw->opts->lock, id, &holder, err);
    if (rc == -EBUSY) {
        char who[64] = "";
        if (holder > 0)
            snprintf(who, sizeof who, " (process %ld)", (long)holder);
        return es_err_set(err, -EBUSY,
                          "sweep %s is being run by another coordinator%s; wait for it to end, "
                          "stop it, or start a separate sweep with --new",
                          sw->name, who);
    }
    return rc;
}

/* Every trial is recorded; record the sweep's end, waiting (10 s a try,
 * up to RECORD_END_TRIES, with a line each) while another connection holds
 * the database.  When it never frees, the sweep stays `running` in the
 * store, which the next `resume` takes up as after a crash: nothing of its
 * trials is lost. */
#define RECORD_END_TRIES 30

static int record_end(sweep *sw, es_err *err)
{
    int rc = ES_EBUSY;
    for (int i = 0; i < RECORD_END_TRIES && rc == ES_EBUSY; i++) {
        rc = es_store_sweep_finish(sw->st, sw->id, sw->end_status, sw->end_reason, es_loop_now(),
                                   err);
        if (rc == ES_EBUSY)
            es_loop_say(sw, "waiting for the database to record the sweep's end: %s", err->msg);
    }
    return rc;
}

/* ---- What waits for the database ------------------------------------------------ */

void es_loop_write_held(sweep *sw)
{
    for (trial *t = sw->running_list, *next; t != NULL && !es_loop_db_waiting(sw); t = next) {
        next = t->next; /* a committed end unlinks t */
        if (t->job_unsaved[0] != '\0')
            save_job(t);
        if (t->held && !es_loop_db_waiting(sw))
            trial_commit(t);
        else if (!t->held && !es_loop_db_waiting(sw))
            es_loop_pend_flush(t);
    }
    if (!es_loop_db_waiting(sw))
        save_progress(sw);
    if (!es_loop_db_waiting(sw) && !sw->stopping && !sw->fatal)
        fill(sw);
    maybe_end(sw);
}

int es_sweep_run(es_store *st, const es_spec *spec, const es_run_opts *opts, es_run_summary *out,
                 es_err *err)
{
    sweep *sw = calloc(1, sizeof *sw);
    char host[64] = "";
    int64_t project_id;
    char *name = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    out->best_number = -1;
    out->best_objective = NAN;
    if (sw == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    sw->st = st;
    sw->spec = spec;
    sw->opts = opts;
    sw->run_cap = spec->run_cap;
    sw->sum = out;
    sw->t0 = uv_hrtime();
    sw->own_budget_j = sw->budget_j = es_account_budget_joules(&spec->energy, &spec->budget);
    {
        char which[96];
        es_loop_tightest_cap(&spec->energy, &spec->budget, which, sizeof which);
        snprintf(sw->own_budget_what, sizeof sw->own_budget_what, "the sweep's %s", which);
        snprintf(sw->budget_what, sizeof sw->budget_what, "%s", sw->own_budget_what);
    }
    snprintf(sw->log_root, sizeof sw->log_root, "%s.d", opts->db_path);
    {
        /* Logs as private as the database: 0700 when it is not
         * group-readable, else 0755 (never writable by the group). */
        struct stat dbst;
        sw->private_logs = stat(opts->db_path, &dbst) == 0 && (dbst.st_mode & S_IRGRP) == 0;
    }
    gethostname(host, sizeof host - 1);

    if ((sw->inputs = es_inputs_new()) == NULL) {
        rc = es_err_set(err, -ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = es_search_create(spec, opts->seed, &sw->search, err)) != 0)
        goto out;
    if (spec->early_terminate.type != ES_PRUNE_NONE) {
        es_prune_config pc = spec->early_terminate;
        pc.metric_name = spec->metric_name;
        if ((rc = es_pruner_create(&pc, spec->goal == ES_GOAL_MAXIMIZE, &sw->pruner, err)) != 0)
            goto out;
    }
    if ((rc = es_store_project_ensure(st, opts->project, &project_id, err)) != 0)
        goto out;
    sw->project_id = project_id;
    if (opts->resume_id > 0) {
        snprintf(sw->name, sizeof sw->name, "%s", opts->sweep_name);
        sw->id = opts->resume_id; /* learns what it learnt when it started */
        if ((rc = lock_sweep(sw, opts->resume_id, err)) != 0 ||
            (rc = es_loop_warm(sw, NAN, err)) != 0 ||
            (rc = es_store_sweep_set_budget(st, opts->resume_id, &spec->budget, err)) != 0 ||
            (rc = es_loop_resume(sw, err)) != 0 || (rc = es_loop_refresh_budget(sw, err)) != 0)
            goto out;
    } else {
        /* The earlier sweeps are those started by now, the sweep's start. */
        double started = es_loop_now();
        if ((rc = es_loop_refresh_budget(sw, err)) != 0 ||
            (rc = es_loop_warm(sw, started, err)) != 0)
            goto out;
        es_sweep_new sn = {.project_id = project_id,
                           .name = opts->sweep_name,
                           .spec = spec,
                           .seed = opts->seed,
                           .parallel = opts->parallel,
                           .started = started,
                           .host = host,
                           .program_file = sw->program_file};
        if ((rc = es_store_sweep_create(st, &sn, &sw->id, &name, err)) != 0)
            goto out;
        snprintf(sw->name, sizeof sw->name, "%s", name);
        free(name);
        if ((rc = lock_sweep(sw, sw->id, err)) != 0)
            goto out;
    }
    if (opts->lock != NULL)
        es_lock_decide_end(opts->lock);
    out->sweep_id = sw->id;
    snprintf(out->sweep_name, sizeof out->sweep_name, "%s", sw->name);
    if (sw->project_capped && (rc = es_store_sweep_alive(st, sw->id, es_loop_now(), err)) != 0) {
        es_store_sweep_finish(st, sw->id, "failed", err->msg, es_loop_now(), NULL);
        goto out;
    }

    if ((rc = uv_loop_init(&sw->loop)) != 0) {
        es_err_set(err, rc, "cannot start the event loop: %s", uv_strerror(rc));
        /* Out of descriptors, most likely: nothing ran, and once the cause
         * is gone the sweep is taken up again, as after any coordinator
         * error. */
        es_store_sweep_finish(st, sw->id, "interrupted", err->msg, es_loop_now(), NULL);
        goto out;
    }
    uv_signal_init(&sw->loop, &sw->sig_int);
    uv_signal_init(&sw->loop, &sw->sig_term);
    uv_signal_init(&sw->loop, &sw->sig_hup);
    uv_timer_init(&sw->loop, &sw->tick);
    es_loop_db_init(sw);
    sw->sig_int.data = sw->sig_term.data = sw->sig_hup.data = sw->tick.data = sw;
    uv_signal_start(&sw->sig_int, on_signal, SIGINT);
    uv_signal_start(&sw->sig_term, on_signal, SIGTERM);
    /* A closed terminal (SIGHUP) stops the sweep as SIGTERM does: it was
     * killed outright, its sweep left running. */
    uv_signal_start(&sw->sig_hup, on_signal, SIGHUP);
    uv_timer_start(&sw->tick, on_tick, 1000, 1000);

    es_loop_say(
        sw, "sweep %s (project %s): method %s, seed %llu, %d in parallel, logs in %s/sweep-%lld",
        sw->name, opts->project, es_method_name(spec->method), (unsigned long long)opts->seed,
        opts->parallel, sw->log_root, (long long)sw->id);
    if (sw->warm_note[0] != '\0')
        es_loop_say(sw, "%s", sw->warm_note);
    /* While trials run, a locked database holds writes for a retry
     * (loop_db.c) rather than stalling the loop in SQLite's busy wait. */
    es_store_set_busy_timeout(st, ES_LOOP_BUSY_MS);
    es_loop_cgroup_start(sw);
    fill(sw);
    uv_run(&sw->loop, UV_RUN_DEFAULT);
    uv_loop_close(&sw->loop);
    es_loop_cgroup_sweep_up(sw, 1);
    es_store_set_busy_timeout(st, 10000);
    if (opts->live) {
        fputs("\r\033[K", opts->out);
        fflush(opts->out);
    }

    /* A sweep every trial of which failed or timed out found nothing: it
     * did not finish its work, whatever ended it (run_cap, say).  Trials a
     * budget, a signal or early termination stopped did not fail. */
    if (strcmp(sw->end_status, "finished") == 0 && sw->sum->launched > 0 &&
        sw->sum->failed + sw->sum->timed_out == sw->sum->launched) {
        char why[sizeof sw->end_reason];
        snprintf(why, sizeof why, "%s", sw->end_reason);
        snprintf(sw->end_status, sizeof sw->end_status, "failed");
        snprintf(sw->end_reason, sizeof sw->end_reason, "every trial failed (%d; %.200s)",
                 sw->sum->launched, why);
    }
    out->elapsed_s = es_loop_elapsed(sw);
    out->stop_signal = sw->stop_signal;
    snprintf(out->status, sizeof out->status, "%s", sw->end_status);
    snprintf(out->reason, sizeof out->reason, "%s", sw->end_reason);
    rc = record_end(sw, err);
    if (rc == ES_EBUSY) {
        snprintf(out->status, sizeof out->status, "running");
        snprintf(out->reason, sizeof out->reason,
                 "the database stayed locked: the sweep's end is not recorded (its trials are); "
                 "`ecosweep resume %.100s` finishes it",
                 sw->name);
    }
    if (rc == 0 && !isnan(sw->budget_j))
        rc = es_store_sweep_set_overshoot(st, sw->id, fmax(0.0, sw->spent_j - sw->budget_j), err);
    if (sw->fatal) {
        *err = sw->fatal_err;
        rc = sw->fatal_err.code ? sw->fatal_err.code : ES_ESTORE;
    }
out:
    if (opts->lock != NULL)
        es_lock_decide_end(opts->lock); /* when an error came first */
    es_search_destroy(sw->search);
    es_pruner_destroy(sw->pruner);
    es_inputs_free(sw->inputs);
    free(sw->redo);
    for (size_t k = 0; k < sw->n_redo_values; k++)
        es_values_free(sw->redo_values[k], spec->n_params);
    free(sw->redo_values);
    free(sw->retried);
    free(sw);
    return rc;
}
