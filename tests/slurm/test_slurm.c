/*
 * test_slurm.c -- the Slurm launcher against a real single-node cluster
 * (cluster.sh, started by ctest's "slurm" fixture): trials run as jobs with
 * their energy and job ids recorded, a timeout and Ctrl-C cancel the jobs
 * (squeue shows them gone), a trial failing on the node is failed.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4300];

/* Point Slurm's commands (srun, squeue, scancel, sacct) at the test
 * cluster, and write a spec running trial.sh as Slurm jobs (with more
 * appended; a launcher there replaces the default one). */
static const char *slurm_spec(const char *name, const char *mode, const char *more)
{
    setenv("SLURM_CONF", ES_SLURM_DIR "/slurm.conf", 1);
    char text[2048];
    snprintf(text, sizeof text,
             "name: %s\nprogram: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "metric: {name: loss, goal: minimize}\nmethod: random\nseed: 9\n%s"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n  mode: {value: %s}\n%s",
             name, es_test_source_dir(),
             strstr(more, "launcher:") ? "" : "launcher: {type: slurm, cpus_per_task: 1}\n", mode,
             more);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    return es_test_write_file("slurm.yaml", text);
}

static pid_t start(const char *spec)
{
    static const char *const extra[] = {"--no-status", "--grace", "1", NULL};
    return es_sx_start(db, (const char *[]){"run", spec, NULL}, extra);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    nanosleep(&ts, NULL);
}

/* Jobs in squeue whose name says coordinator pid launched them (all of
 * them when pid is 0), or the one job called job (when not NULL). */
static int jobs_in_queue(pid_t pid, const char *job)
{
    char cmd[256], line[256], prefix[64];
    int n = 0;
    snprintf(cmd, sizeof cmd, "squeue -h -o '%%A %%j' 2>/dev/null");
    snprintf(prefix, sizeof prefix, "ecosweep-%ld-", (long)pid);
    FILE *p = popen(cmd, "r");
    ES_CHECK(p != NULL);
    while (fgets(line, sizeof line, p) != NULL) {
        char id[64], name[128];
        if (sscanf(line, "%63s %127s", id, name) != 2)
            continue;
        if (job != NULL)
            n += strcmp(id, job) == 0;
        else
            n += pid == 0 || strncmp(name, prefix, strlen(prefix)) == 0;
    }
    pclose(p);
    return n;
}

/* Wait up to 15 s for squeue to stop showing them. */
static int wait_gone(pid_t pid, const char *job)
{
    for (int i = 0; i < 150; i++) {
        if (jobs_in_queue(pid, job) == 0)
            return 1;
        sleep_ms(100);
    }
    return 0;
}

/* Wait up to 20 s until the database names the jobs of n running trials
 * (the workers have started on the node and said which job they run in). */
static void wait_jobs_recorded(size_t n)
{
    for (int i = 0; i < 200; i++) {
        es_store_data *d = es_sx_load(db);
        size_t k = 0;
        if (d->n_projects > 0 && d->projects[0].n_sweeps > 0)
            for (size_t j = 0; j < d->projects[0].sweeps[0].n_trials; j++)
                k += d->projects[0].sweeps[0].trials[j].slurm_job != NULL;
        es_store_data_free(d);
        if (k >= n)
            return;
        sleep_ms(100);
    }
    ES_FAIL("the jobs of %zu trials were not recorded within 20 s", n);
}

/* Wait until coordinator pid has n jobs in squeue and the database names
 * them (their workers have started on the node). */
static void wait_running_jobs(pid_t pid, int n)
{
    int seen = 0;
    for (int i = 0; i < 200 && seen < n; i++) {
        sleep_ms(100);
        seen = jobs_in_queue(pid, NULL);
    }
    ES_CHECK_INT(seen, n);
    wait_jobs_recorded((size_t)n);
}

ES_TEST(sweep_runs_each_trial_as_a_job)
{
    const char *spec = slurm_spec("jobs", "okslow", "run_cap: 4\nparallel: 2\n");
    int rc = es_sx_finish(start(spec));
    if (rc != 0)
        es_sx_show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 4);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        ES_CHECK_STR(t->status, "completed");
        ES_CHECK(isfinite(t->objective));
        /* The worker metered it on the node, and said which job it was. */
        ES_CHECK(t->cpu.method == ES_EM_ESTIMATE);
        ES_CHECK(t->slurm_job != NULL && t->slurm_job[0] != '\0');
        ES_CHECK_STR(t->slurm_state, "COMPLETED");
        /* Without an energy plugin sacct's ConsumedEnergyRaw is 0: not
         * recorded as a measurement. */
        ES_CHECK(isnan(t->slurm_energy_j));
        for (size_t j = 0; j < i; j++)
            ES_CHECK(strcmp(sw->trials[j].slurm_job, t->slurm_job) != 0);
        /* The trial's stdout came back through srun, with no worker line
         * in its stderr. */
        char path[4400];
        snprintf(path, sizeof path, "%s/stderr", t->log_dir);
        const char *err = es_sx_slurp(path);
        ES_CHECK(err == NULL || strstr(err, "ecosweep-") == NULL);
    }
    es_store_data_free(d);

    /* The report says what Slurm says, beside the worker's energy. */
    ES_CHECK_INT(es_sx_finish(es_sx_start(db, (const char *[]){"report", NULL}, NULL)), 0);
    const char *out = es_sx_slurp(es_sx_path("stdout"));
    ES_CHECK_CONTAINS(out, "Slurm: 4 trials ran as jobs (COMPLETED 4)");
    ES_CHECK_CONTAINS(out, "Slurm's ConsumedEnergyRaw: not reported");
    ES_CHECK_INT(
        es_sx_finish(es_sx_start(db, (const char *[]){"report", "--format", "json", NULL}, NULL)),
        0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stdout")), "\"slurm\": {\"job\": \"");
}

ES_TEST(timeout_cancels_the_job)
{
    const char *spec = slurm_spec("slow", "hang", "run_cap: 1\ntrial_timeout: 2s\n");
    time_t t0 = time(NULL);
    int rc = es_sx_finish(start(spec));
    if (rc != 3) /* its one trial timed out: the sweep failed */
        es_sx_show_output();
    ES_CHECK_INT(rc, 3);
    ES_CHECK(time(NULL) - t0 < 30);
    es_store_data *d = es_sx_load(db);
    const es_store_trial *t = &d->projects[0].sweeps[0].trials[0];
    ES_CHECK_STR(t->status, "timed_out");
    ES_CHECK(t->slurm_job != NULL && t->slurm_job[0] != '\0');
    ES_CHECK_STR(t->slurm_state, "CANCELLED");
    ES_CHECK(wait_gone(0, t->slurm_job));
    es_store_data_free(d);
}

ES_TEST(interrupt_cancels_every_running_job)
{
    const char *spec = slurm_spec("ctrlc", "hang", "run_cap: 4\nparallel: 2\n");
    pid_t pid = start(spec);
    wait_running_jobs(pid, 2);
    kill(pid, SIGINT);
    ES_CHECK_INT(es_sx_finish(pid), 130);
    ES_CHECK(wait_gone(pid, NULL));
    es_store_data *d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "interrupted");
    ES_CHECK_INT(sw->n_trials, 2);
    for (size_t i = 0; i < sw->n_trials; i++) {
        ES_CHECK_STR(sw->trials[i].status, "interrupted");
        ES_CHECK(sw->trials[i].slurm_job != NULL);
        ES_CHECK_STR(sw->trials[i].slurm_state, "CANCELLED");
    }
    es_store_data_free(d);
}

ES_TEST(trial_failing_on_the_node_is_failed)
{
    const char *spec = slurm_spec("bad", "fail", "run_cap: 1\n");
    ES_CHECK_INT(es_sx_finish(start(spec)), 3); /* every trial failed */
    es_store_data *d = es_sx_load(db);
    const es_store_trial *t = &d->projects[0].sweeps[0].trials[0];
    ES_CHECK_STR(t->status, "failed");
    ES_CHECK_STR(t->reason, "exited with code 3");
    ES_CHECK_STR(t->slurm_state, "FAILED");
    es_store_data_free(d);
}

/* A coordinator killed outright leaves jobs that srun may not take along;
 * resuming the sweep cancels them before their numbers run again. */
ES_TEST(resume_cancels_the_jobs_of_lost_trials)
{
    const char *spec = slurm_spec("killed", "hang", "run_cap: 2\nparallel: 2\ntrial_timeout: 3s\n");
    pid_t pid = start(spec);
    wait_running_jobs(pid, 2);
    kill(pid, SIGKILL);
    es_sx_finish(pid);

    es_store_data *d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    char jobs[2][32];
    ES_CHECK_INT(sw->n_trials, 2);
    for (size_t i = 0; i < 2; i++) {
        ES_CHECK_STR(sw->trials[i].status, "running");
        ES_CHECK(sw->trials[i].slurm_job != NULL);
        snprintf(jobs[i], sizeof jobs[i], "%s", sw->trials[i].slurm_job);
    }
    es_store_data_free(d);

    static const char *const extra[] = {"--no-status", NULL};
    int rc = es_sx_finish(es_sx_start(db, (const char *[]){"resume", "killed", NULL}, extra));
    if (rc != 3) /* its trials hang until their timeout: every one fails */
        es_sx_show_output();
    ES_CHECK_INT(rc, 3);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "cancelled 2 Slurm job(s) of lost trials");
    ES_CHECK(wait_gone(0, jobs[0]));
    ES_CHECK(wait_gone(0, jobs[1]));
    d = es_sx_load(db);
    sw = &d->projects[0].sweeps[0];
    int lost = 0;
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strcmp(sw->trials[i].status, "lost") == 0) {
            lost++;
            ES_CHECK_STR(sw->trials[i].slurm_state, "CANCELLED");
        }
    ES_CHECK_INT(lost, 2);
    es_store_data_free(d);
}

/* Run scontrol on the test cluster's node. */
static void node_state(const char *state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "scontrol update nodename=$(sinfo -h -o %%N) state=%s reason=es-test >/dev/null 2>&1",
             state);
    ES_CHECK(system(cmd) != -1);
}

/* A node that fails under a job: the attempt is lost with Slurm's reason,
 * and the number runs again once the node is back. */
ES_TEST(node_failure_is_recorded_and_retried)
{
    const char *spec = slurm_spec("nodefail", "burn", "  secs: {value: 3}\nrun_cap: 1\n");
    pid_t pid = start(spec);
    wait_running_jobs(pid, 1);
    node_state("down");
    sleep_ms(1500);
    node_state("resume");
    int rc = es_sx_finish(pid);
    if (rc != 0)
        es_sx_show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(sw->n_trials, 2);
    const es_store_trial *lost = &sw->trials[0], *again = &sw->trials[1];
    if (strcmp(lost->status, "lost") != 0) {
        lost = &sw->trials[1];
        again = &sw->trials[0];
    }
    ES_CHECK_STR(lost->status, "lost");
    ES_CHECK_CONTAINS(lost->reason, "NODE_FAIL");
    ES_CHECK_CONTAINS(lost->reason, "run again (retry 1 of 1)");
    ES_CHECK(strstr(lost->log_dir, ".lost-") != NULL);
    ES_CHECK_STR(lost->slurm_state, "NODE_FAIL");
    ES_CHECK_STR(again->status, "completed");
    ES_CHECK(strcmp(again->slurm_job, lost->slurm_job) != 0);
    es_store_data_free(d);
}

/* gres: gpu:1 -- Slurm picks a GPU and sets CUDA_VISIBLE_DEVICES; the
 * worker meters that GPU, not the node's others.  The cluster's two
 * stand-in GPUs answer through the fake libnvidia-ml at 100 W and 300 W,
 * so the two trials running at once must each see one of them alone. */
ES_TEST(gres_gpu_meters_the_gpu_slurm_assigned)
{
    const char *spec = slurm_spec("gpus", "burn",
                                  "  secs: {value: 2}\nrun_cap: 2\nparallel: 2\n"
                                  "launcher: {type: slurm, cpus_per_task: 1, gres: \"gpu:1\"}\n");
    setenv("ECOSWEEP_NVML_LIB", FAKE_NVML_PATH, 1);
    setenv("FAKE_NVML_COUNT", "2", 1);
    setenv("FAKE_NVML_MODE", "energy", 1);
    setenv("FAKE_NVML_WATTS", "100,300", 1);
    int rc = es_sx_finish(start(spec));
    if (rc != 0)
        es_sx_show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(sw->n_trials, 2);
    double watts[2];
    for (size_t i = 0; i < 2; i++) {
        const es_store_trial *t = &sw->trials[i];
        ES_CHECK_STR(t->status, "completed");
        ES_CHECK(t->gpu.method == ES_EM_COUNTER);
        ES_CHECK(t->wall_s > 1);
        watts[i] = t->gpu.j / t->wall_s;
        ES_CHECK((watts[i] > 85 && watts[i] < 115) || (watts[i] > 255 && watts[i] < 345));
    }
    /* One trial had each GPU. */
    ES_CHECK((watts[0] < 200) != (watts[1] < 200));
    es_store_data_free(d);
}
