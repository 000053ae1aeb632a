/*
 * test_storage.c -- the database under pressure, through the real binary:
 * a disk that fills up in the middle of a sweep (a file-size limit makes
 * the writes fail, root or not), and a database its user may not write.
 * Each must end with a clear error and an exit code, never a corrupt
 * database or a lost record, and what was recorded must stay readable.
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_exec.h"
#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4300];

/* A sweep of quick trial.sh trials. */
static const char *write_spec_mode(const char *name, int run_cap, const char *mode)
{
    const char *path = es_test_path(name);
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fprintf(f,
            "program: %s/tests/orchestrator/trial.sh\n"
            "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
            "metric: {name: loss, goal: minimize}\n"
            "method: random\nseed: 11\nparallel: 2\nrun_cap: %d\n"
            "parameters:\n  x: {min: 0.0, max: 1.0}\n  mode: {value: %s}\n",
            es_test_source_dir(), run_cap, mode);
    fclose(f);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    return path;
}

static const char *write_spec(const char *name, int run_cap)
{
    return write_spec_mode(name, run_cap, "ok");
}

/* Every completed trial has its metric and energy; returns how many. */
static int check_completed(const es_store_sweep *sw)
{
    int n = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (strcmp(t->status, "completed") != 0)
            continue;
        n++;
        ES_CHECK(t->n_metrics == 1);
        ES_CHECK(t->cpu.method != ES_EM_NONE);
    }
    return n;
}

/* Files may grow to 400 KiB: the database's first dozen trials fit, then
 * writing it fails as on a full disk.  SIGXFSZ keeps its default action
 * (it kills): ecosweep itself ignores it, so that the write fails with
 * EFBIG and the sweep stops with its reason, resumable. */
static void limit_file_size(void *ud)
{
    (void)ud;
    struct rlimit rl = {400 * 1024, 400 * 1024};
    signal(SIGXFSZ, SIG_DFL);
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
        _exit(125);
}

/* Run spec under the file-size limit: it stops (exit 1), the database
 * whole, the sweep unfinished and resumable.  Its output in *out, *err;
 * the database's contents returned. */
static es_store_data *run_under_file_limit(const char *spec, const char **out, const char **err)
{
    int rc = es_test_ecosweep_with((const char *[]){"run", spec, "--db", db, "--no-status", NULL},
                                   NULL, limit_file_size, NULL, out, err);
    if (rc != 1)
        fprintf(stderr, "%s%s", *out, *err);
    ES_CHECK_INT(rc, 1);
    es_sx_check_integrity(db);
    es_store_data *d = es_sx_load(db);
    /* Interrupted, or left running when even that could not be written:
     * either way unfinished, and resumable. */
    const char *status = d->projects[0].sweeps[0].status;
    if (strcmp(status, "interrupted") != 0)
        ES_CHECK_STR(status, "running");
    return d;
}

ES_TEST(full_disk_stops_cleanly_and_resumes)
{
    const char *spec = write_spec("full.yaml", 60);
    const char *out, *err;
    es_store_data *d = run_under_file_limit(spec, &out, &err);
    ES_CHECK_CONTAINS(err, "run the same command again");
    ES_CHECK_CONTAINS(out, "interrupted: coordinator error");
    int before = check_completed(&d->projects[0].sweeps[0]);
    ES_CHECK(before >= 1 && before < 60);
    es_store_data_free(d);

    /* With room again, the same command takes the sweep up and ends it. */
    int rc = es_test_ecosweep((const char *[]){"run", spec, "--db", db, "--no-status", NULL}, NULL,
                              &out, &err);
    if (rc != 0)
        fprintf(stderr, "%s%s", out, err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(err, "resuming sweep full: ");
    es_sx_check_integrity(db);
    d = es_sx_load(db);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(check_completed(sw), 60);
    for (size_t i = 0; i < sw->n_trials; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(sw->trials[i].status, "completed") == 0 &&
                strcmp(sw->trials[j].status, "completed") == 0)
                ES_CHECK(sw->trials[i].number != sw->trials[j].number);
    es_store_data_free(d);
}

/* Root reads and writes everything: it takes another user to see a
 * read-only database.  The binary is copied where that user can run it. */
static void become_nobody(void *ud)
{
    setenv("ES_BUILD_DIR", ud, 1);
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
        _exit(125);
}

static void copy_file(const char *from, const char *to)
{
    char buf[1 << 16];
    ssize_t n;
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    ES_CHECK(in >= 0 && out >= 0);
    while ((n = read(in, buf, sizeof buf)) > 0)
        ES_CHECK(write(out, buf, (size_t)n) == n);
    close(in);
    close(out);
}

ES_TEST(read_only_database_reads_but_refuses_writes)
{
    const char *spec = write_spec("ro.yaml", 3);
    const char *out, *err;
    int rc = es_test_ecosweep((const char *[]){"run", spec, "--db", db, "--no-status", NULL}, NULL,
                              &out, &err);
    ES_CHECK_INT(rc, 0);

    /* Read-only to whoever runs the commands below. */
    char bin[4300], from[4300];
    void (*as)(void *) = NULL;
    if (geteuid() == 0) {
        snprintf(bin, sizeof bin, "%s/bin", es_test_tmpdir());
        snprintf(from, sizeof from, "%s/ecosweep", es_test_build_dir());
        ES_CHECK_INT(mkdir(bin, 0755), 0);
        copy_file(from, es_test_path("bin/ecosweep"));
        ES_CHECK_INT(chmod(es_test_tmpdir(), 0755), 0);
        as = become_nobody;
    } else {
        ES_CHECK_INT(chmod(db, 0444), 0);
        ES_CHECK_INT(chmod(es_test_tmpdir(), 0555), 0);
    }

    const char *const reads[][6] = {
        {"ls", "--db", db, NULL},
        {"report", "--db", db, NULL},
        {"report", "--db", db, "--format", "json", NULL},
        {"project", "show", "default", "--db", db, NULL},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        rc = es_test_ecosweep_with(reads[i], NULL, as, bin, &out, &err);
        if (rc != 0)
            fprintf(stderr, "ecosweep %s: %s%s", reads[i][0], out, err);
        ES_CHECK_INT(rc, 0);
        ES_CHECK(strstr(out, "ro") != NULL || strstr(out, "default") != NULL);
    }
    rc = es_test_ecosweep_with(
        (const char *[]){"run", spec, "--db", db, "--no-status", "--new", NULL}, NULL, as, bin,
        &out, &err);
    ES_CHECK_INT(rc, 1);
    ES_CHECK_CONTAINS(err, "read-only");

    if (geteuid() != 0) {
        ES_CHECK_INT(chmod(es_test_tmpdir(), 0755), 0);
        ES_CHECK_INT(chmod(db, 0644), 0);
    }
    es_sx_check_integrity(db);
    es_store_data *d = es_sx_load(db);
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_STR(d->projects[0].sweeps[0].status, "finished");
    ES_CHECK_INT(check_completed(&d->projects[0].sweeps[0]), 3);
    es_store_data_free(d);
}

/* A trial log that cannot be written (here the file-size limit) stops the
 * sweep with the system's reason, resumable: it was cut off without a
 * word and the sweep "finished". */
ES_TEST(a_log_that_cannot_be_written_stops_the_sweep)
{
    const char *spec = write_spec_mode("flood.yaml", 1, "flood");
    const char *out, *err;
    es_store_data *d = run_under_file_limit(spec, &out, &err);
    ES_CHECK_CONTAINS(err, "cannot write trial 0's stdout in ");
    ES_CHECK_CONTAINS(err, "File too large");
    es_store_data_free(d);
}

/* Another program holds the database's write lock (BEGIN EXCLUSIVE) for
 * longer than SQLite's 10 s busy wait.  The sweep goes on: the trials that
 * end meanwhile are held, each recorded with every metric value it
 * reported once the lock is released, and the status says it is waiting.
 * It used to stop the coordinator, a trial recorded without its last
 * reports. */
ES_TEST(a_locked_database_holds_results_until_it_is_free)
{
    const char *spec = write_spec_mode("lock.yaml", 4, "lines");
    pid_t pid = es_sx_start(db, (const char *[]){"run", spec, "--no-status", NULL}, NULL);
    char first[4400];
    snprintf(first, sizeof first, "%s.d/sweep-1/trial-0", db);
    for (int i = 0; i < 3000 && access(first, F_OK) != 0; i++)
        usleep(5000);
    ES_CHECK(access(first, F_OK) == 0);
    pid_t holder = fork();
    ES_CHECK(holder >= 0);
    if (holder == 0)
        _exit(es_store_testing_hold_lock(db, 11000, NULL) == 0 ? 0 : 1);
    int rc = es_sx_finish(pid), hs;
    ES_CHECK(waitpid(holder, &hs, 0) == holder);
    if (rc != 0)
        es_sx_show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK(WIFEXITED(hs) && WEXITSTATUS(hs) == 0);
    const char *out = es_sx_slurp(es_sx_path("stderr"));
    ES_CHECK_CONTAINS(out, "waiting for the database: ");
    ES_CHECK_CONTAINS(out, "another program holds its write lock");
    ES_CHECK_CONTAINS(out, "the database is free again after ");

    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 4);
    ES_CHECK_INT(check_completed(sw), 4);
    es_store *st;
    es_err err;
    ES_CHECK(es_store_open(db, &st, &err) == 0);
    es_store_objective_event *ev;
    size_t n;
    ES_CHECK(es_store_objective_history(st, sw->id, "loss", &ev, &n, &err) == 0);
    for (size_t k = 0; k < sw->n_trials; k++) {
        int reports = 0;
        for (size_t i = 0; i < n; i++)
            reports += ev[i].trial_id == sw->trials[k].id && !ev[i].ended;
        ES_CHECK_INT(reports, 300);
        ES_CHECK_INT(sw->trials[k].steps, 300);
    }
    free(ev);
    es_store_close(st);
    es_store_data_free(d);
}

/* A lock that is not released while the sweep's trials have ended: a stop
 * signal says their ends wait for the database, a second gives them up
 * (the trials stay recorded as running, and resume runs them again as
 * lost).  It used to wait for ever, deaf to both. */
ES_TEST(a_second_stop_gives_up_what_a_locked_database_holds)
{
    /* Two trials that report at once and end a second later. */
    const char *spec = write_spec_mode("lock2.yaml", 2, "lines");
    pid_t holder = -1;
    /* The lock from when both trials run (each has written its first line)
     * to well after both ended. */
    pid_t pid = es_sx_start(db, (const char *[]){"run", spec, "--no-status", NULL}, NULL);
    char first[4400], second[4400];
    snprintf(first, sizeof first, "%s.d/sweep-1/trial-0/stdout", db);
    snprintf(second, sizeof second, "%s.d/sweep-1/trial-1/stdout", db);
    for (int i = 0; i < 3000 && (access(first, F_OK) != 0 || access(second, F_OK) != 0); i++)
        usleep(2000);
    ES_CHECK(access(first, F_OK) == 0 && access(second, F_OK) == 0);
    holder = fork();
    ES_CHECK(holder >= 0);
    if (holder == 0)
        _exit(es_store_testing_hold_lock(db, 60000, NULL) == 0 ? 0 : 1);
    const char *err = NULL;
    for (int i = 0; i < 1000; i++) {
        err = es_sx_slurp(es_sx_path("stderr"));
        if (err != NULL && strstr(err, "waiting for the database: ") != NULL)
            break;
        usleep(10000);
    }
    ES_CHECK_CONTAINS(err, "waiting for the database: ");
    sleep(3); /* both trials have ended and are held */
    kill(pid, SIGINT);
    usleep(500000);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "wait for the database to record them");
    kill(pid, SIGINT);
    usleep(500000);
    ES_CHECK_CONTAINS(
        es_sx_slurp(es_sx_path("stderr")),
        "its end was not recorded (the database stayed locked); resume runs it again");
    kill(holder, SIGKILL); /* the lock goes: the sweep's end is recorded */
    waitpid(holder, NULL, 0);
    ES_CHECK_INT(es_sx_finish(pid), 130);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "interrupted");
    int running = 0;
    for (size_t i = 0; i < sw->n_trials; i++)
        running += strcmp(sw->trials[i].status, "running") == 0;
    ES_CHECK(running >= 1);
    es_store_data_free(d);
    /* Resume takes them as lost and runs them again. */
    const char *out;
    int rc = es_test_ecosweep((const char *[]){"resume", "lock2", "--db", db, "--no-status", NULL},
                              NULL, &out, &err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(out, " lost");
}
