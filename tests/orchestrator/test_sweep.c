/*
 * test_sweep.c -- whole sweeps through the real `ecosweep` and
 * `ecosweep-worker` binaries, with tests/orchestrator/trial.sh as the trial:
 * what a user sees in the database, the exit code, and the process table.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"

#include "sweep_spec.h"

ES_TEST(random_sweep_end_to_end)
{
    const char *spec = write_spec("s.yaml", "name: e2e\nproject: p\nmethod: random\n"
                                            "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                            "run_cap: 6\nparallel: 2\nseed: 3\n");
    int rc = run((const char *[]){"run", spec, NULL});
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "sweep e2e finished: run_cap reached (6");

    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(d->projects[0].name, "p");
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 6);
    for (size_t i = 0; i < sw->n_trials; i++) {
        es_store_trial *t = &sw->trials[i];
        double x;
        ES_CHECK_STR(t->status, "completed");
        ES_CHECK(sscanf(t->params_json, "{\"x\":%lf}", &x) == 1);
        ES_CHECK_NEAR(t->objective, x, 1e-9);
        ES_CHECK_INT(t->cpu.method, ES_EM_ESTIMATE);
        ES_CHECK(t->cpu.j >= 0);
        ES_CHECK_INT(t->gpu.method, ES_EM_NONE);
        ES_CHECK(t->wall_s > 0);
    }
    es_store_data_free(d);

    ES_CHECK_INT(run((const char *[]){"report", "--format", "json", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "\"trials_by_status\": {\"completed\": 6}");
    ES_CHECK_INT(run((const char *[]){"report", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "Sweep e2e");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "csv", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "project,sweep,trial_id");
    ES_CHECK_INT(run((const char *[]){"ls", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "e2e");
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "nope", NULL}), 1);
}

ES_TEST(same_seed_same_configurations)
{
    const char *spec = write_spec("s.yaml", "method: random\nrun_cap: 5\nparallel: 3\n"
                                            "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                            "  y: {values: [a, b, c]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, "--seed", "11", NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", spec, "--seed", "11", NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", spec, "--seed", "12", NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *a = sweep_of(d, 0), *b = sweep_of(d, 1), *c = sweep_of(d, 2);
    ES_CHECK_STR(b->name, "s-2");
    int differ = 0;
    for (size_t i = 0; i < 5; i++) {
        ES_CHECK_STR(a->trials[i].params_json, b->trials[i].params_json);
        differ |= strcmp(a->trials[i].params_json, c->trials[i].params_json) != 0;
    }
    ES_CHECK(differ);
    es_store_data_free(d);
}

ES_TEST(grid_runs_every_configuration_once)
{
    const char *spec = write_spec("g.yaml", "method: grid\nparallel: 2\n"
                                            "parameters:\n  x: {values: [1, 2, 3]}\n"
                                            "  mode: {values: [ok, steps]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "search space exhausted (6 configurations)");
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_INT(sw->n_trials, 6);
    for (size_t i = 0; i < 6; i++)
        for (size_t j = i + 1; j < 6; j++)
            ES_CHECK(strcmp(sw->trials[i].params_json, sw->trials[j].params_json) != 0);
    es_store_data_free(d);
}

static const es_store_trial *trial_with(const es_store_sweep *sw, const char *mode)
{
    char want[64];
    snprintf(want, sizeof want, "\"mode\":\"%s\"", mode);
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strstr(sw->trials[i].params_json, want))
            return &sw->trials[i];
    ES_FAIL("no trial with mode %s", mode);
}

ES_TEST(bad_trials_are_recorded_and_the_sweep_goes_on)
{
    const char *spec = write_spec(
        "f.yaml",
        "method: grid\nparallel: 2\nmax_initial_failures: 0\nparameters:\n  x: {value: 0.5}\n"
        "  mode: {values: [fail, nometric, nan, text, crash, noeol, steps, ok, import]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_INT(sw->n_trials, 9);
    ES_CHECK_STR(trial_with(sw, "fail")->reason, "exited with code 3");
    /* A failure quotes the trial's last line on stderr, control characters
     * as spaces: what a Python traceback names. */
    ES_CHECK_STR(trial_with(sw, "import")->reason,
                 "exited with code 1: ModuleNotFoundError: No module named 'torch' [31m");
    ES_CHECK_STR(trial_with(sw, "nometric")->reason, "never reported metric 'loss'");
    ES_CHECK_STR(trial_with(sw, "nan")->reason, "metric 'loss' was nan");
    ES_CHECK_STR(trial_with(sw, "text")->reason,
                 "reported 'abc' for metric 'loss', which is not a number");
    ES_CHECK_CONTAINS(trial_with(sw, "crash")->reason, "killed by signal 11");
    ES_CHECK_STR(trial_with(sw, "fail")->status, "failed");
    ES_CHECK_STR(trial_with(sw, "noeol")->status, "completed");
    ES_CHECK_NEAR(trial_with(sw, "noeol")->objective, 0.5, 0);
    const es_store_trial *st = trial_with(sw, "steps");
    ES_CHECK_STR(st->status, "completed");
    ES_CHECK_NEAR(st->objective, 0.5, 0);
    ES_CHECK_INT(st->metrics[0].step, 3);
    /* Failed trials still carry their energy and its method. */
    ES_CHECK_INT(trial_with(sw, "fail")->cpu.method, ES_EM_ESTIMATE);
    es_store_data_free(d);
}

ES_TEST(max_failed_stops_the_sweep)
{
    const char *spec = write_spec("m.yaml", "method: random\nrun_cap: 10\nmax_failed: 2\n"
                                            "parameters:\n  mode: {value: fail}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "failed");
    ES_CHECK_STR(sw->reason, "max_failed reached: 2 trials failed");
    ES_CHECK_INT(sw->n_trials, 2);
    es_store_data_free(d);
}

/* A broken program under random search and no run_cap ran 632 failed
 * trials in 15 s: like a W&B agent, the sweep stops when its first 5
 * trials all fail, says why, and exits 3.  A completed trial resets the
 * count, and max_initial_failures: 0 goes on. */
ES_TEST(first_trials_all_failing_stop_the_sweep)
{
    const char *spec = write_spec("b.yaml", "method: random\nparameters:\n  mode: {value: fail}\n"
                                            "  x: {min: 0, max: 1}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "failed");
    ES_CHECK_CONTAINS(sw->reason, "the first 5 trials all failed (the last: exited with code 3)");
    ES_CHECK_INT(sw->n_trials, 5);
    es_store_data_free(d);

    spec = write_spec("b2.yaml", "method: random\nrun_cap: 7\nmax_initial_failures: 0\n"
                                 "parameters:\n  mode: {value: fail}\n  x: {min: 0, max: 1}\n");
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 3);
    d = load();
    sw = sweep_of(d, 1);
    ES_CHECK_INT(sw->n_trials, 7);
    ES_CHECK_STR(sw->status, "failed"); /* every trial failed: not "finished" */
    ES_CHECK_CONTAINS(sw->reason, "every trial failed (7; run_cap reached (7 trials))");
    es_store_data_free(d);
}

ES_TEST(timeout_kills_the_whole_trial)
{
    const char *spec = write_spec("t.yaml", "method: random\nrun_cap: 1\ntrial_timeout: 1s\n"
                                            "parameters:\n  mode: {value: sleep}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3); /* its one trial timed out */
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "timed_out");
    ES_CHECK_STR(t->reason, "exceeded trial_timeout of 1s");
    ES_CHECK(t->wall_s < 10);
    check_pids_gone(t);
    es_store_data_free(d);
}

/* A trial that stops its worker (kill -STOP $PPID) does not escape its
 * timeout: it was recorded completed after 41 s against a 3 s limit.  The
 * coordinator wakes the worker, and kills it and the trial's processes
 * when it does not end the trial within its grace period. */
ES_TEST(timeout_holds_when_the_trial_stops_its_worker)
{
    const char *spec = write_spec("sw.yaml", "method: random\nrun_cap: 1\ntrial_timeout: 1s\n"
                                             "max_initial_failures: 0\n"
                                             "parameters:\n  mode: {value: stopworker}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3); /* every trial failed */
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->trials[0].status, "timed_out");
    ES_CHECK_CONTAINS(sw->trials[0].reason, "exceeded trial_timeout of 1s");
    ES_CHECK(sw->trials[0].ended - sw->trials[0].started < 15);
    check_pids_gone(&sw->trials[0]);
    es_store_data_free(d);
}

/* A worker that does not end its trial when asked (here one that ignores
 * SIGTERM and never reports: a worker the trial keeps stopped, or a hung
 * one): the coordinator kills it after the grace period and a margin
 * (5 s) and records the timeout. */
ES_TEST(timeout_holds_when_the_worker_does_not_stop)
{
    const char *spec = write_spec("swl.yaml", "method: random\nrun_cap: 1\ntrial_timeout: 1s\n"
                                              "max_initial_failures: 0\n"
                                              "parameters:\n  mode: {value: ok}\n");
    char spec_path[4300], worker[4300];
    snprintf(spec_path, sizeof spec_path, "%s", spec);
    es_test_write_file("deaf-worker", "#!/bin/sh\ntrap '' TERM\nexec sleep 300\n");
    snprintf(worker, sizeof worker, "%s", path_in_tmp("deaf-worker"));
    ES_CHECK_INT(chmod(worker, 0755), 0);
    ES_CHECK_INT(run((const char *[]){"run", spec_path, "--worker", worker, NULL}), 3);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->trials[0].status, "timed_out");
    ES_CHECK(sw->trials[0].ended - sw->trials[0].started < 15);
    es_store_data_free(d);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "did not stop it within the grace period");
}

ES_TEST(timeout_kills_a_trial_that_ignores_sigterm)
{
    const char *spec = write_spec("t.yaml", "method: random\nrun_cap: 1\ntrial_timeout: 1s\n"
                                            "parameters:\n  mode: {value: stubborn}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3); /* its one trial timed out */
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "timed_out");
    check_pids_gone(t);
    es_store_data_free(d);
}

static int wait_for_file(const char *path, double seconds)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    for (int i = 0; i < seconds * 50; i++) {
        struct stat sb;
        if (stat(path, &sb) == 0 && sb.st_size > 0)
            return 0;
        nanosleep(&ts, NULL);
    }
    return -1;
}

ES_TEST(interrupt_stops_running_trials)
{
    const char *spec = write_spec("i.yaml", "name: intr\nmethod: random\nrun_cap: 4\n"
                                            "parallel: 2\nparameters:\n  mode: {value: sleep}\n");
    pid_t pid = start((const char *[]){"run", spec, NULL});
    char p0[4300], p1[4300];
    /* sweep 1, trials 0 and 1 */
    snprintf(p0, sizeof p0, "%s.d/sweep-1/trial-0/pids", db);
    snprintf(p1, sizeof p1, "%s.d/sweep-1/trial-1/pids", db);
    ES_CHECK(wait_for_file(p0, 10) == 0 && wait_for_file(p1, 10) == 0);
    kill(pid, SIGINT);
    ES_CHECK_INT(finish(pid), 130);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "interrupted");
    ES_CHECK_STR(sw->reason, "interrupted by SIGINT");
    ES_CHECK_INT(sw->n_trials, 2);
    for (size_t i = 0; i < 2; i++) {
        ES_CHECK_STR(sw->trials[i].status, "interrupted");
        check_pids_gone(&sw->trials[i]);
    }
    es_store_data_free(d);
}

/* A closed terminal (SIGHUP) stops the sweep as SIGTERM does: its
 * running trials stopped, the sweep interrupted and resumable, exit 129
 * (SIGHUP killed the coordinator outright, the sweep left running). */
ES_TEST(sighup_interrupts_the_sweep)
{
    const char *spec = write_spec("hup.yaml", "name: hup\nmethod: random\nrun_cap: 4\n"
                                              "parameters:\n  mode: {value: sleep}\n");
    pid_t pid = start((const char *[]){"run", spec, NULL});
    char p0[4300];
    snprintf(p0, sizeof p0, "%s.d/sweep-1/trial-0/pids", db);
    ES_CHECK(wait_for_file(p0, 10) == 0);
    kill(pid, SIGHUP);
    ES_CHECK_INT(finish(pid), 128 + SIGHUP);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "interrupted");
    ES_CHECK_STR(sw->reason, "interrupted by SIGHUP");
    ES_CHECK_STR(sw->trials[0].status, "interrupted");
    check_pids_gone(&sw->trials[0]);
    es_store_data_free(d);
}

ES_TEST(hostile_values_never_reach_a_shell)
{
    const char *spec = write_spec(
        "h.yaml", "method: grid\nparameters:\n  mode: {value: argv}\n"
                  "  v: {values: [\"$(touch pwned)\", \"a b\", \"'; touch pwned2 \\\"\", "
                  "\"`touch pwned3`\", \"x\\ny\"]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    const char *want[] = {"$(touch pwned)", "a b", "'; touch pwned2 \"", "`touch pwned3`", "x\ny"};
    ES_CHECK_INT(sw->n_trials, 5);
    for (size_t i = 0; i < 5; i++) {
        char path[4300], expect[128];
        snprintf(path, sizeof path, "%s/argv", sw->trials[i].log_dir);
        snprintf(expect, sizeof expect, "--mode=argv\n--v=%s\n", want[i]);
        ES_CHECK_STR(slurp(path), expect);
    }
    ES_CHECK(access(path_in_tmp("pwned"), F_OK) != 0);
    ES_CHECK(access(path_in_tmp("pwned2"), F_OK) != 0);
    ES_CHECK(access(path_in_tmp("pwned3"), F_OK) != 0);
    es_store_data_free(d);
}

ES_TEST(trial_sees_its_id_and_params_file)
{
    const char *spec = write_spec("e.yaml", "method: random\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: env}\n"
                                            "  n: {value: 7}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    char path[4300], want[4400];
    snprintf(path, sizeof path, "%s/env", t->log_dir);
    snprintf(want, sizeof want, "id=%lld\nfile=%s/params.json\n{\"mode\": \"env\", \"n\": 7}\n",
             (long long)t->id, t->log_dir);
    ES_CHECK_STR(slurp(path), want);
    es_store_data_free(d);
}

ES_TEST(wall_budget_stops_the_sweep)
{
    const char *spec = write_spec("w.yaml", "method: random\nrun_cap: 5\n"
                                            "budget: {wall: 2s}\n"
                                            "parameters:\n  mode: {value: sleep}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_STR(sw->reason, "wall budget of 2s reached");
    ES_CHECK_INT(sw->n_trials, 1);
    ES_CHECK_STR(sw->trials[0].status, "budget_stopped");
    check_pids_gone(&sw->trials[0]);
    es_store_data_free(d);
}

ES_TEST(metric_target_ends_the_sweep)
{
    const char *spec = write_spec("g.yaml", "method: grid\n"
                                            "metric: {name: loss, goal: minimize, target: 0.2}\n"
                                            "parameters:\n  x: {values: [0.9, 0.1, 0.5]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_INT(sw->n_trials, 2);
    ES_CHECK_CONTAINS(sw->reason, "metric target reached: loss=0.1");
    es_store_data_free(d);
}

ES_TEST(invalid_spec_is_rejected_with_its_position)
{
    const char *spec = write_spec("bad.yaml", "method: random\nparameters:\n"
                                              "  x: {mn: 0, max: 1}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 2);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "bad.yaml:6:");
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "'mn'");
    ES_CHECK(access(db, F_OK) != 0); /* nothing was created */
}

ES_TEST(missing_worker_is_a_clear_error)
{
    const char *spec = write_spec("s.yaml", "method: random\nrun_cap: 2\n"
                                            "parameters:\n  x: {value: 1}\n");
    int rc = run((const char *[]){"run", spec, "--worker", "/nonexistent/ecosweep-worker", NULL});
    ES_CHECK_INT(rc, 1);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "/nonexistent/ecosweep-worker");
    es_store_data *d = load();
    /* Interrupted, not failed: with the worker found, the same command
     * takes the sweep up again. */
    ES_CHECK_STR(sweep_of(d, 0)->status, "interrupted");
    ES_CHECK_STR(sweep_of(d, 0)->trials[0].status, "failed");
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "resuming sweep");
    d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_STR(sweep_of(d, 0)->status, "finished");
    es_store_data_free(d);
}

/* A trial that floods its stdout with one endless line and binary bytes is
 * recorded, its log is capped, and its metric is still read. */
ES_TEST(flooding_trial_is_bounded)
{
    const char *spec = write_spec("fl.yaml", "method: random\nrun_cap: 1\n"
                                             "parameters:\n  mode: {value: flood}\n"
                                             "  x: {value: 0.25}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "completed");
    ES_CHECK_NEAR(t->objective, 0.25, 0);
    char path[4300];
    struct stat sb;
    snprintf(path, sizeof path, "%s/stdout", t->log_dir);
    ES_CHECK(stat(path, &sb) == 0);
    ES_CHECK(sb.st_size > 64LL * 1024 * 1024 && sb.st_size < 64LL * 1024 * 1024 + 200);
    es_store_data_free(d);
}

/* Past the cap on a trial's stored reports, the last value of every name
 * the spec ranks trials by still counts: the metric and the objectives,
 * in the store and on the front.  They used to stop at the 100,000th
 * report, so the front was built from a value the trial had moved on
 * from. */
ES_TEST(objectives_keep_their_last_value_past_the_history_cap)
{
    const char *spec = write_spec("cap.yaml", "method: random\nrun_cap: 1\n"
                                              "objectives:\n"
                                              "  - {name: loss, goal: minimize}\n"
                                              "  - {name: a, goal: minimize}\n"
                                              "parameters:\n  mode: {value: manyreports}\n"
                                              "  x: {value: 0.5}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "completed");
    ES_CHECK_NEAR(t->objective, 0.5, 0);
    int found = 0;
    for (size_t i = 0; i < t->n_metrics; i++)
        if (strcmp(t->metrics[i].name, "a") == 0) {
            ES_CHECK_NEAR(t->metrics[i].value, 5, 0);
            found = 1;
        } else if (strcmp(t->metrics[i].name, "loss") == 0) {
            ES_CHECK_NEAR(t->metrics[i].value, 0.5, 0);
        }
    ES_CHECK(found);
    es_store_data_free(d);
}

/* A trial that breaks a constraint is not the sweep's best and does not
 * reach its target: the first trial (loss 0.1, below the constraint's
 * min 0.3) used to end the sweep as "target reached". */
ES_TEST(a_trial_that_breaks_a_constraint_does_not_reach_the_target)
{
    const char *spec = write_spec("ct.yaml", "method: grid\n"
                                             "metric: {name: loss, goal: minimize, target: 0.2}\n"
                                             "constraints: [{name: loss, min: 0.3}]\n"
                                             "parameters:\n  x: {values: [0.1, 0.5, 0.9]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 3);
    es_store_data_free(d);
}

/* Past 64 constraints the coordinator judged none of them: every trial
 * counted as feasible and the summary named the trial breaking the 65th
 * the best. */
ES_TEST(the_65th_constraint_is_kept_too)
{
    char body[8192];
    int k = snprintf(body, sizeof body, "method: grid\nconstraints:\n");
    for (int i = 0; i < 64; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "  - {name: loss, min: 0.0}\n");
    snprintf(body + k, sizeof body - (size_t)k,
             "  - {name: loss, min: 0.3}\nparameters:\n  x: {values: [0.1, 0.5, 0.9]}\n");
    const char *spec = write_spec("c65.yaml", body);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "loss=0.5");
    ES_CHECK(strstr(out, "loss=0.1") == NULL);
}

/* An objective no trial reports leaves no feasible trial: neither the
 * run's summary nor the report names a best trial or the cheapest near
 * it, and both say which objective is missing, out of how many completed
 * trials (the report used to say "0 trials of 0 completed" and still
 * recommend the best loss). */
ES_TEST(an_objective_no_trial_reports_leaves_no_best)
{
    const char *spec = write_spec("ghost.yaml", "name: ghost\nmethod: random\nrun_cap: 4\n"
                                                "objectives:\n"
                                                "  - {name: loss, goal: minimize}\n"
                                                "  - {name: nothere, goal: maximize}\n"
                                                "parameters:\n  x: {min: 0.0, max: 1.0}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK(strstr(out, "best") == NULL || strstr(out, "best by") == NULL);
    ES_CHECK_CONTAINS(out, "0 trials of 4 completed");
    ES_CHECK_CONTAINS(out, "no completed trial reports a number for nothere");
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "ghost", NULL}), 0);
    out = slurp(path_in_tmp("stdout"));
    ES_CHECK(strstr(out, "best: trial") == NULL);
    ES_CHECK(strstr(out, "cheapest within") == NULL);
    ES_CHECK_CONTAINS(out, "0 trials of 4 completed");
    ES_CHECK_CONTAINS(out, "no completed trial reports a number for nothere");
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "ghost", "--format", "json", NULL}), 0);
    out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "\"unreported_objectives\": [\"nothere\"]");
    ES_CHECK_CONTAINS(out, "\"best\": null");
    /* Run again, resumed with more trials: the trials it takes up from
     * the store are no best either. */
    ES_CHECK_INT(run((const char *[]){"resume", "ghost", "--more", "1", NULL}), 0);
    out = slurp(path_in_tmp("stdout"));
    ES_CHECK(strstr(out, "best by") == NULL);
    ES_CHECK_CONTAINS(out, "0 trials of 5 completed");
}

/* With several objectives the run's summary says the front: its size and
 * hypervolume, as the report does, beside the best by the metric. */
ES_TEST(the_run_summary_says_the_front)
{
    const char *spec = write_spec("pair.yaml", "name: pair\nmethod: random\nrun_cap: 5\nseed: 2\n"
                                               "objectives:\n"
                                               "  - {name: loss, goal: minimize}\n"
                                               "  - {name: b, goal: minimize}\n"
                                               "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                               "  y: {value: 0}\n  mode: {value: pair}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "best by loss: trial");
    ES_CHECK_CONTAINS(out, "Pareto front of loss (minimize) and b (minimize): 5 trials of 5 "
                           "completed");
    ES_CHECK_CONTAINS(out, "; hypervolume ");
}

/* Energy by phase, end to end: the worker reads the meters at each
 * marker, the coordinator counts the items of each phase, the store keeps
 * both, the report prices them, and phase.NAME.kwh_per_item is an
 * objective the search and the front use; a reuse keeps the original's
 * phases. */
ES_TEST(phases_are_measured_stored_and_ranked)
{
    char spec[4096];
    snprintf(spec, sizeof spec, "%s",
             write_spec("ph.yaml", "name: ph\nmethod: random\nrun_cap: 3\nseed: 4\n"
                                   "objectives:\n"
                                   "  - {name: loss, goal: minimize}\n"
                                   "  - {name: phase.infer.kwh_per_item, goal: minimize}\n"
                                   "constraints: [{name: phase.train.wall_s, max: 600}]\n"
                                   "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                   "  mode: {value: phases}\n"));
    int rc = run((const char *[]){"run", spec, NULL});
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), " of 3 completed; hypervolume ");
    es_store_data *d = load();
    const es_store_sweep *sw = sweep_of(d, 0);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        ES_CHECK_INT((long long)t->n_phases, 2);
        ES_CHECK_STR(t->phases[0].name, "train");
        ES_CHECK_STR(t->phases[1].name, "infer");
        ES_CHECK_INT(t->phases[0].entries, 2);
        ES_CHECK_INT(t->phases[1].entries, 2);
        ES_CHECK(isnan(t->phases[0].items));
        ES_CHECK_NEAR(t->phases[1].items, 120, 0);
        double j = t->phases[0].cpu_j + t->phases[1].cpu_j;
        ES_CHECK(t->phases[0].cpu_j > 0 && j <= t->cpu.j + 1e-9);
        /* No metric "_phase", and the marker's items are an ordinary metric. */
        for (size_t m = 0; m < t->n_metrics; m++)
            ES_CHECK(strcmp(t->metrics[m].name, "_phase") != 0);
    }
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"report", "--format", "json", NULL}), 0);
    const char *json = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(json, "\"phases\": {\"train\": {\"kwh\": ");
    ES_CHECK_CONTAINS(json, "\"items\": 120, \"kwh_per_item\": ");
    ES_CHECK_CONTAINS(json, "\"energy_method\": \"estimate\"}");
    ES_CHECK(strstr(json, "\"objective_values\": [") != NULL);
    ES_CHECK(strstr(json, "\"pareto_rank\": 1") != NULL);
    ES_CHECK_INT(run((const char *[]){"report", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "Energy by phase");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "markdown", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "| trial | phase | kWh |");
    ES_CHECK_INT(run((const char *[]){"report", "--format", "csv", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "\"{\"\"train\"\": ");
    /* Again with reuse: every trial reused, each with its original's phases. */
    rc = run((const char *[]){"run", spec, "--new", "--reuse", NULL});
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), " of 3 completed; hypervolume ");
    d = load();
    sw = sweep_of(d, 1);
    ES_CHECK_INT((long long)sw->n_trials, 3);
    for (size_t i = 0; i < sw->n_trials; i++) {
        ES_CHECK(sw->trials[i].reused_from > 0);
        ES_CHECK_INT((long long)sw->trials[i].n_phases, 2);
        ES_CHECK_NEAR(sw->trials[i].phases[1].items, 120, 0);
    }
    es_store_data_free(d);
}

/* Past the sixteen phase names a trial keeps, a JSON marker is still a
 * metric line (its loss was lost, and the trial failed), and the phase
 * before goes on, its items with it; a count that is no finite number of
 * 0 or more is no count.  A phase objective no trial marked is named, as
 * a metric no trial reports is. */
ES_TEST(a_seventeenth_phase_keeps_its_metrics)
{
    char spec[4096];
    snprintf(spec, sizeof spec, "%s",
             write_spec("mp.yaml", "name: mp\nmethod: grid\n"
                                   "objectives:\n"
                                   "  - {name: loss, goal: minimize}\n"
                                   "  - {name: phase.nope.kwh, goal: minimize}\n"
                                   "parameters:\n  x: {value: 0.25}\n"
                                   "  mode: {value: manyphases}\n"));
    int rc = run((const char *[]){"run", spec, NULL});
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = load();
    const es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "completed");
    ES_CHECK_NEAR(t->objective, 0.25, 0);
    ES_CHECK_INT((long long)t->n_phases, 16);
    ES_CHECK_STR(t->phases[15].name, "p15");
    ES_CHECK_INT(t->phases[15].entries, 1);
    ES_CHECK_NEAR(t->phases[15].items, 10, 0);
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"report", "--format", "json", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "\"unreported_objectives\": [\"phase.nope.kwh\"]");
}

/* A resumed sweep's summary counts the reuses its earlier run made: it
 * said "(1 completed by reusing ...)" of a sweep that reused 4. */
ES_TEST(a_resumed_summary_counts_earlier_reuses)
{
    char spec[4096];
    snprintf(spec, sizeof spec, "%s",
             write_spec("ru.yaml", "name: ru\nmethod: random\nrun_cap: 3\nseed: 8\nreuse: true\n"
                                   "metric: {name: loss, goal: minimize}\n"
                                   "parameters:\n  x: {min: 0.0, max: 1.0}\n"));
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", spec, "--new", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "(3 completed by reusing earlier results)");
    ES_CHECK_INT(run((const char *[]){"resume", "ru-2", "--more", "1", NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "4 trials: 4 completed");
    ES_CHECK_CONTAINS(out, "(3 completed by reusing earlier results)");
}

/* What a walk of a log directory found. */
static long walk_files, walk_empty, walk_bytes, walk_dirs;

static int walk_log(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (type == FTW_D) {
        walk_dirs++;
    } else if (type == FTW_F) {
        walk_files++;
        walk_empty += st->st_size == 0;
        walk_bytes += (long)st->st_size;
    }
    return 0;
}

/* Logs cost what the trials printed plus a bounded constant per trial: a
 * sweep of trials that print nothing leaves no empty stdout or stderr
 * file, only each trial's directory with its params.json; a trial that
 * writes one stream gets that log alone. */
ES_TEST(silent_trials_leave_no_empty_logs)
{
    const int n = 12;
    char text[512];
    snprintf(text, sizeof text,
             "name: quiet\ncommand: [/bin/true]\nmethod: random\nparallel: 2\nrun_cap: %d\n"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n",
             n);
    const char *spec = es_test_write_file("quiet.yaml", text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, n);
    es_store_data_free(d);

    char logs[4300];
    snprintf(logs, sizeof logs, "%s.d", db);
    walk_files = walk_empty = walk_bytes = walk_dirs = 0;
    ES_CHECK_INT(nftw(logs, walk_log, 16, FTW_PHYS), 0);
    if (walk_empty != 0)
        ES_FAIL("%ld of %ld files under %s are empty", walk_empty, walk_files, logs);
    ES_CHECK_INT(walk_files, n);    /* params.json each */
    ES_CHECK_INT(walk_dirs, n + 2); /* DB.d, sweep-1, a directory per trial */
    ES_CHECK(walk_bytes <= n * 64L);

    /* A trial that prints only on stdout has that log, and no stderr. */
    spec = write_spec("loud.yaml", "method: random\nrun_cap: 1\nparameters:\n  x: {value: 0.5}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    d = load();
    const es_store_trial *t = &sweep_of(d, 1)->trials[0];
    char path[4400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/stdout", t->log_dir);
    ES_CHECK_STR(slurp(path), "loss=0.5\n");
    snprintf(path, sizeof path, "%s/stderr", t->log_dir);
    ES_CHECK(stat(path, &sb) != 0 && errno == ENOENT);
    es_store_data_free(d);
}

/* The minor page faults process pid took itself (its children's not
 * counted), read from its /proc entry once it has exited, before it is
 * reaped. */
static long own_minor_faults(pid_t pid)
{
    siginfo_t si;
    char path[64], stat[1024];
    unsigned long minflt = 0;
    ES_CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0);
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    ES_CHECK(f != NULL);
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *p = strrchr(stat, ')');
    ES_CHECK(p != NULL && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lu", &minflt) == 1);
    return (long)minflt;
}

/* Launching a trial does not copy the coordinator: a fork would share its
 * pages copy-on-write, so that every page it wrote afterwards faulted (some
 * 180 per trial here), and each launch cost more as the coordinator grew. */
ES_TEST(launches_do_not_copy_the_coordinator)
{
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer's allocator takes fresh pages for its quarantine
     * all the time: the faults say nothing about copies there. */
    fprintf(stderr, "built with AddressSanitizer: nothing to measure\n");
    return;
#endif
    const int trials[2] = {20, 120};
    long faults[2];
    for (int k = 0; k < 2; k++) {
        char text[256], name[32];
        snprintf(text, sizeof text,
                 "name: cow%d\ncommand: [/bin/true]\nmethod: random\nparallel: 2\nrun_cap: %d\n"
                 "parameters:\n  x: {min: 0.0, max: 1.0}\n",
                 k, trials[k]);
        snprintf(name, sizeof name, "cow%d.yaml", k);
        const char *spec = es_test_write_file(name, text);
        snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
        pid_t pid = start((const char *[]){"run", spec, NULL});
        faults[k] = own_minor_faults(pid);
        ES_CHECK_INT(finish(pid), 0);
    }
    double per_trial = (double)(faults[1] - faults[0]) / (trials[1] - trials[0]);
    fprintf(stderr, "%.1f minor page faults per trial\n", per_trial);
    if (per_trial > 30)
        ES_FAIL("the coordinator took %.0f minor page faults per trial (%ld for %d trials, %ld for "
                "%d)",
                per_trial, faults[0], trials[0], faults[1], trials[1]);
}

/* The SigIgn mask of /proc/self/status in text (its hex digits). */
static void sig_ignored(const char *status, char *out, size_t cap)
{
    const char *p = status != NULL ? strstr(status, "SigIgn:") : NULL;
    ES_CHECK(p != NULL);
    p += strlen("SigIgn:");
    while (*p == ' ' || *p == '\t')
        p++;
    snprintf(out, cap, "%.*s", (int)strcspn(p, "\n"), p);
}

/* A trial starts with no signal ignored: those glibc keeps for itself (32
 * and 33) included, which posix_spawn leaves ignored unless told. */
ES_TEST(trial_starts_with_no_signal_ignored)
{
    char mine[32], got[32];
    sig_ignored(slurp("/proc/self/status"), mine, sizeof mine);
    if (strcmp(mine, "0000000000000000") != 0) {
        fprintf(stderr, "this test runs with signals ignored (%s): nothing to compare\n", mine);
        return;
    }
    const char *spec = es_test_write_file(
        "sig.yaml", "name: sig\ncommand: [/bin/cat, /proc/self/status]\nmethod: random\n"
                    "run_cap: 1\nparameters:\n  x: {min: 0.0, max: 1.0}\n");
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    char path[4400];
    snprintf(path, sizeof path, "%s/stdout", sweep_of(d, 0)->trials[0].log_dir);
    es_store_data_free(d);
    sig_ignored(slurp(path), got, sizeof got);
    ES_CHECK_STR(got, "0000000000000000");
}

/* Reports of the objective `loss` stored for sweep 1 of db so far. */
static size_t stored_reports(void)
{
    es_store *st;
    es_err err;
    es_store_objective_event *ev;
    size_t n = 0, reports = 0;
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_INT(es_store_objective_history(st, 1, "loss", &ev, &n, &err), 0);
    for (size_t i = 0; i < n; i++)
        reports += !ev[i].ended;
    free(ev);
    es_store_close(st);
    return reports;
}

/* Metric values are stored in batches, not in a transaction each: every
 * value of a chatty trial reaches the store, those of a running trial
 * within the second (so a lost trial keeps them), in the order reported. */
ES_TEST(metric_values_are_stored_in_batches)
{
    const char *spec = es_test_write_file(
        "chatty.yaml",
        "name: chatty\nmethod: random\nrun_cap: 1\nmetric: {name: loss}\n"
        "parameters:\n  x: {value: 1}\n"
        "command: [/bin/sh, -c, 'i=0; while [ $i -lt 600 ]; do echo loss=$i step=$i; "
        "i=$((i+1)); done; sleep 2.5; echo loss=0.5']\n");
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    pid_t pid = start((const char *[]){"run", spec, NULL});
    size_t seen = 0;
    for (int i = 0; i < 40 && seen < 600; i++) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (access(db, F_OK) == 0)
            seen = stored_reports();
    }
    ES_CHECK_INT(seen, 600); /* while the trial still sleeps */
    ES_CHECK_INT(finish(pid), 0);
    es_store_data *d = load();
    const es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "completed");
    ES_CHECK_NEAR(t->objective, 0.5, 0);
    es_store_data_free(d);
    ES_CHECK_INT(stored_reports(), 601);
    es_store *st;
    es_err err;
    es_store_objective_event *ev;
    size_t n;
    ES_CHECK_INT(es_store_open(db, &st, &err), 0);
    ES_CHECK_INT(es_store_objective_history(st, 1, "loss", &ev, &n, &err), 0);
    for (size_t i = 0; i < 600; i++)
        ES_CHECK(!ev[i].ended && ev[i].step == (int64_t)i && ev[i].value == (double)i);
    free(ev);
    es_store_close(st);
}

/* A trial that exited 0 with its metric is completed even when the timeout
 * fires while the worker still cleans up what it left behind. */
ES_TEST(clean_exit_beats_a_late_timeout)
{
    /* The trial exits at once; its leftover child ignores SIGTERM, so the
     * worker's cleanup lasts the 3 s grace, and the 1 s timeout fires in
     * the middle of it. */
    const char *spec = write_spec("lo.yaml", "method: random\nrun_cap: 1\ntrial_timeout: 1s\n"
                                             "parameters:\n  mode: {value: leftover}\n"
                                             "  x: {value: 0.5}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, "--grace", "3", NULL}), 0);
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "completed");
    ES_CHECK_NEAR(t->objective, 0.5, 0);
    es_store_data_free(d);
}

/* Deeply nested metric-looking lines do not stall the coordinator. */
ES_TEST(nested_brace_lines_are_cheap)
{
    const char *spec = write_spec("n.yaml", "method: random\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: nested}\n"
                                            "  x: {value: 0.5}\n");
    time_t t0 = time(NULL);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK(time(NULL) - t0 < 10);
    es_store_data *d = load();
    ES_CHECK_STR(sweep_of(d, 0)->trials[0].status, "completed");
    es_store_data_free(d);
}

/* Ctrl-C while the last trials run (run_cap already reached) is still
 * recorded as an interruption. */
ES_TEST(interrupt_after_run_cap_is_an_interruption)
{
    const char *spec = write_spec("i.yaml", "method: random\nrun_cap: 1\nparallel: 2\n"
                                            "parameters:\n  mode: {value: sleep}\n");
    pid_t pid = start((const char *[]){"run", spec, NULL});
    char p0[4300];
    snprintf(p0, sizeof p0, "%s.d/sweep-1/trial-0/pids", db);
    ES_CHECK(wait_for_file(p0, 10) == 0);
    kill(pid, SIGINT);
    ES_CHECK_INT(finish(pid), 130);
    es_store_data *d = load();
    ES_CHECK_STR(sweep_of(d, 0)->status, "interrupted");
    ES_CHECK_STR(sweep_of(d, 0)->reason, "interrupted by SIGINT");
    ES_CHECK_STR(sweep_of(d, 0)->trials[0].status, "interrupted");
    es_store_data_free(d);
}

/* The pid of the first child of process pid, or 0. */
static pid_t first_child(pid_t pid)
{
    char path[64];
    long child = 0;
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fscanf(f, "%ld", &child) != 1)
            child = 0;
        fclose(f);
    }
    return (pid_t)child;
}

/* A worker killed outright (say, by the OOM killer) leaves its trial's
 * children holding the output pipes; the sweep records the trial and
 * ends instead of waiting for them. */
ES_TEST(killed_worker_does_not_hang_the_sweep)
{
    const char *spec = write_spec("k.yaml", "method: random\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: sleep}\n");
    pid_t pid = start((const char *[]){"run", spec, NULL});
    char pids[4300];
    snprintf(pids, sizeof pids, "%s.d/sweep-1/trial-0/pids", db);
    ES_CHECK(wait_for_file(pids, 10) == 0);
    pid_t worker = first_child(pid);
    ES_CHECK(worker > 0);
    kill(worker, SIGKILL);
    time_t t0 = time(NULL);
    ES_CHECK_INT(finish(pid), 3); /* its one trial failed */
    ES_CHECK(time(NULL) - t0 < 8);
    es_store_data *d = load();
    es_store_trial *t = &sweep_of(d, 0)->trials[0];
    ES_CHECK_STR(t->status, "failed");
    ES_CHECK_STR(t->reason, "the worker was killed by signal 9 (Killed) without a result");
    /* Whatever the trial left is stopped by now. */
    check_pids_gone(t);
    es_store_data_free(d);
}

/* Bayesian search runs as a sweep: every trial completes, none repeats. */
ES_TEST(bayes_sweep_end_to_end)
{
    const char *spec = write_spec("b.yaml", "method: bayes\nrun_cap: 8\nseed: 5\n"
                                            "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                            "  mode: {value: ok}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->method, "bayes");
    ES_CHECK_INT(sw->n_trials, 8);
    for (size_t i = 0; i < sw->n_trials; i++) {
        ES_CHECK_STR(sw->trials[i].status, "completed");
        for (size_t j = i + 1; j < sw->n_trials; j++)
            ES_CHECK(strcmp(sw->trials[i].params_json, sw->trials[j].params_json) != 0);
    }
    es_store_data_free(d);
}

/* A bayes sweep of a discrete space ends when each configuration was
 * tried, instead of repeating one until run_cap. */
ES_TEST(bayes_sweep_ends_when_a_discrete_space_is_exhausted)
{
    const char *spec = write_spec("bx.yaml", "method: bayes\nrun_cap: 20\nparallel: 2\nseed: 5\n"
                                             "parameters:\n  x: {values: [0.25, 0.5, 0.75]}\n"
                                             "  mode: {value: ok}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "search space exhausted (3 configurations, every one tried)");
    es_store_data *d = load();
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 3);
    es_store_data_free(d);
}

/* A sweep without a metric (objectives all built-in) says each trial's
 * energy as it ends, as one with a metric does: it said only "trial 0
 * completed (log: ...)". */
ES_TEST(progress_without_a_metric_says_the_energy)
{
    const char *spec = write_spec("nm.yaml", "# no metric: built-in objectives only\n"
                                             "method: grid\nobjectives:\n"
                                             "  - {name: energy.kwh, goal: minimize}\n"
                                             "  - {name: wall_s, goal: minimize}\n"
                                             "parameters:\n  x: {values: [0.25, 0.75]}\n"
                                             "  mode: {value: ok}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = slurp(path_in_tmp("stderr"));
    ES_CHECK_CONTAINS(out, "trial 0 completed: ");
    ES_CHECK_CONTAINS(out, " kWh (estimate), ");
    ES_CHECK(strstr(out, "trial 0 completed (log:") == NULL);
}

/* A --more that runs nothing (the space still exhausted, max_failed still
 * reached) neither raises the sweep's cap nor says it goes on: each such
 * call banked N trials, which a later resume that could run then ran. */
ES_TEST(more_that_runs_nothing_banks_no_trials)
{
    const char *spec = write_spec("bm.yaml", "method: bayes\nrun_cap: 20\nseed: 5\n"
                                             "parameters:\n  x: {values: [0.25, 0.5, 0.75]}\n"
                                             "  mode: {value: ok}\n");
    char path[4300];
    snprintf(path, sizeof path, "%s", spec);
    ES_CHECK_INT(run((const char *[]){"run", path, NULL}), 0);
    for (int i = 0; i < 2; i++) {
        ES_CHECK_INT(run((const char *[]){"run", path, "--more", "2", NULL}), 0);
        const char *out = slurp(path_in_tmp("stdout"));
        ES_CHECK_CONTAINS(out, "search space exhausted (3 configurations, every one tried)");
        ES_CHECK(strstr(out, "goes on with") == NULL);
    }
    es_store_data *d = load();
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 3);
    es_store_data_free(d);

    spec = write_spec("bf.yaml", "method: random\nrun_cap: 6\nmax_failed: 2\n"
                                 "max_initial_failures: 0\nseed: 5\n"
                                 "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                 "  mode: {value: fail}\n");
    snprintf(path, sizeof path, "%s", spec);
    ES_CHECK_INT(run((const char *[]){"run", path, NULL}), 3);
    for (int i = 0; i < 2; i++) {
        ES_CHECK_INT(run((const char *[]){"run", path, "--more", "2", NULL}), 3);
        ES_CHECK(strstr(slurp(path_in_tmp("stdout")), "goes on with") == NULL);
    }
    /* With max_failed raised, --more 1 goes on to its cap of 6 and one
     * more, not to the 11 that the two --more before would have banked. */
    spec = write_spec("bf.yaml", "method: random\nrun_cap: 6\nmax_failed: 20\n"
                                 "max_initial_failures: 0\nseed: 5\n"
                                 "parameters:\n  x: {min: 0.0, max: 1.0}\n"
                                 "  mode: {value: fail}\n");
    ES_CHECK_INT(run((const char *[]){"run", path, "--more", "1", NULL}), 3);
    d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 2);
    ES_CHECK_INT(sweep_of(d, 1)->n_trials, 7);
    es_store_data_free(d);
}

/* Total device joules of a sweep's trials. */
/* After a sweep, `run` sets what `estimate` would have forecast from the
 * project's earlier sweeps beside what the sweep took. */
ES_TEST(run_reports_its_forecast_against_what_it_took)
{
    const char *spec = write_spec("fc.yaml", "method: grid\nproject: fc\n"
                                             "parameters:\n  x: {values: [0.25, 0.75]}\n"
                                             "  mode: {value: burn}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK(strstr(slurp(path_in_tmp("stdout")), "forecast (") == NULL); /* no history yet */
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = slurp(path_in_tmp("stdout"));
    ES_CHECK_CONTAINS(out, "forecast (as `ecosweep estimate` from 2 trials of earlier sweeps): ");
    ES_CHECK_CONTAINS(out, "kWh a trial, ");
    ES_CHECK_CONTAINS(out, "times the forecast; the sweep ");
    /* Taken up again, a sweep is not its own history: the first sweep's 2
     * trials, not those and its own. */
    ES_CHECK_INT(
        run((const char *[]){"run", path_in_tmp("fc.yaml"), "--more", "1", "--no-reuse", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "forecast (as `ecosweep estimate` from 2 trials of earlier sweeps): ");
}

/* One trial that cannot be launched (a value longer than exec takes,
 * E2BIG) fails with the reason, and the sweep goes on: it stopped the
 * whole sweep. */
ES_TEST(a_trial_that_cannot_launch_fails_alone)
{
    size_t n = 200 * 1024;
    char *body = malloc(n + 256);
    ES_CHECK(body != NULL);
    int len = snprintf(body, 256,
                       "method: grid\nparameters:\n  mode: {value: ok}\n"
                       "  v: {values: [a, \"");
    memset(body + len, 'x', n);
    snprintf(body + len + n, 256, "\", b]}\n");
    const char *spec = write_spec("big.yaml", body);
    free(body);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 3);
    ES_CHECK_STR(sw->trials[0].status, "completed");
    ES_CHECK_STR(sw->trials[1].status, "failed");
    ES_CHECK_CONTAINS(sw->trials[1].reason, "cannot start worker");
    ES_CHECK_STR(sw->trials[2].status, "completed");
    es_store_data_free(d);
}

/* A worker stopped by someone else's SIGTERM interrupts the sweep, which
 * stays resumable, and run says so by its exit status (it was 0). */
ES_TEST(a_worker_stopped_from_outside_interrupts_the_sweep)
{
    const char *spec = write_spec("tw.yaml", "method: random\nrun_cap: 2\n"
                                             "parameters:\n  mode: {value: termworker}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 1);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "interrupted");
    ES_CHECK_STR(sw->trials[0].status, "interrupted");
    ES_CHECK_CONTAINS(sw->trials[0].reason, "stopped by SIGTERM");
    es_store_data_free(d);
}

/* A metric's text reaches the failure reason as text: a trial's terminal
 * escapes (an OSC title, a C1 CSI) were echoed raw by run and report. */
ES_TEST(a_metric_text_with_escapes_reaches_the_reason_as_text)
{
    const char *spec = write_spec("esc.yaml", "method: random\nrun_cap: 1\n"
                                              "max_initial_failures: 0\n"
                                              "parameters:\n  mode: {value: escape}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 3);
    es_store_data *d = load();
    const char *reason = sweep_of(d, 0)->trials[0].reason;
    ES_CHECK(reason != NULL);
    for (const unsigned char *p = (const unsigned char *)reason; *p; p++)
        ES_CHECK(*p >= 0x20 && *p != 0x7f && !(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f));
    ES_CHECK_CONTAINS(reason, "for metric 'loss', which is not a number");
    es_store_data_free(d);
    const char *err = slurp(path_in_tmp("stderr"));
    ES_CHECK(strchr(err, 0x1b) == NULL);
}
