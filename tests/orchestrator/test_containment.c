/*
 * test_containment.c -- what a trial starts cannot outlive it, through the
 * real binaries, where cgroup v2 can hold trials (root, or a delegated
 * subtree; elsewhere each test says SKIP and passes): a daemon of its own
 * session dies with a worker killed outright, a lost trial's background
 * child left by a coordinator and worker killed together dies when the
 * sweep is resumed, and the report says which containment held the trials.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_exec.h"
#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"
#include "sweep_spec.h"
#include "trial_cgroup.h"

/* Can cgroup v2 hold trials here?  Asked of this test process (making and
 * removing a parent cgroup as a coordinator would), not of the sweep: a
 * coordinator that stopped using cgroups where it could must fail the
 * test, not skip it.  Prints SKIP when it cannot. */
static int cgroups_here(void)
{
    char parent[4200];
    es_err err;
    if (es_tcg_parent_create(parent, sizeof parent, &err) != 0) {
        printf("SKIP: %s\n", err.msg);
        return 0;
    }
    es_tcg_parent_remove(parent);
    return 1;
}

/* The sweep said its trials run in cgroups. */
static void check_contained(void)
{
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "containment: each trial in its own cgroup");
}

/* A file of the test's sweep (DB.d/sweep-1/REL) holding "A B": both. */
static int read_pair(const char *rel, long *a, long *b)
{
    char path[4400];
    snprintf(path, sizeof path, "%s.d/sweep-1/%s", db, rel);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int n = fscanf(f, "%ld %ld", a, b);
    fclose(f);
    return n == 2;
}

/* A trial starts a daemon in a session of its own (setsid), then kills its
 * worker with SIGKILL: the coordinator kills the trial's cgroup, and the
 * daemon, out of the trial's process group and no child of a worker any
 * longer, dies with it.  It used to live on. */
ES_TEST(a_daemon_dies_with_a_worker_killed_outright)
{
    const char *spec = write_spec("d.yaml", "method: grid\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: daemonkill}\n");
    if (!cgroups_here())
        return;
    int rc = finish(start((const char *[]){"run", spec, NULL}));
    check_contained();
    ES_CHECK_INT(rc, 3); /* every trial failed */
    long daemon = 0, unused;
    char path[4400];
    snprintf(path, sizeof path, "%s.d/sweep-1/trial-0/daemon", db);
    FILE *f = fopen(path, "r");
    ES_CHECK(f != NULL && fscanf(f, "%ld", &daemon) == 1);
    fclose(f);
    (void)unused;
    ES_CHECK(daemon > 1);
    ES_CHECK(gone(daemon));
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->trials[0].status, "failed");
    es_store_data_free(d);
}

/* The coordinator and the worker die together (as with `kill -9 -PGID` of
 * the coordinator's group) while the trial has a background child: the
 * child outlives both, in the trial's cgroup.  Resuming the sweep kills it
 * and removes the cgroup before the number runs again; the report then
 * says the trials ran in cgroups. */
ES_TEST(resume_kills_what_a_lost_trial_left)
{
    const char *spec = write_spec("b.yaml", "name: b\nmethod: grid\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: bgonce}\n"
                                            "  x: {value: 0.25}\n");
    if (!cgroups_here())
        return;
    static const char *const extra[] = {"--no-status", NULL};
    pid_t pid = es_sx_start_group(db, (const char *[]){"run", spec, NULL}, extra);
    long worker = 0, child = 0;
    for (int i = 0; i < 1500 && !read_pair("held", &worker, &child); i++)
        usleep(10000);
    ES_CHECK(worker > 1 && child > 1);
    check_contained();
    ES_CHECK_INT(kill(-pid, SIGKILL), 0); /* the coordinator's group: it and its worker */
    finish(pid);
    usleep(300000);
    ES_CHECK(kill((pid_t)child, 0) == 0); /* it outlived both */

    int rc = finish(start((const char *[]){"resume", "b", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK(gone(child));
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")),
                      "killed 1 process(es) a lost trial left in its cgroup ");
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_INT(sw->n_trials, 2);
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strcmp(sw->trials[i].status, "completed") == 0)
            ES_CHECK_STR(sw->trials[i].containment, "cgroup");
    es_store_data_free(d);

    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"report", "--db", db, "--sweep", "b", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "containment: 1 trial in its own cgroup v2");
}
