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
#include <sys/stat.h>
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
    /* No result came (the worker was killed): the cgroup held it all the same. */
    ES_CHECK_STR(sw->trials[0].containment, "cgroup");
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
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"report", "--db", db, "--sweep", "b", "--format",
                                                   "json", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "\"containment\": {\"cgroup\": 1, \"pgroup\": 0}");
}

/* Start spec in a process group of its own and wait for its first trial
 * to write "WORKER DAEMON" to DB.d/sweep-1/held; the coordinator's pid. */
static pid_t start_held(const char *spec, long *worker, long *daemon)
{
    static const char *const extra[] = {"--no-status", NULL};
    pid_t pid = es_sx_start_group(db, (const char *[]){"run", spec, NULL}, extra);
    *worker = *daemon = 0;
    for (int i = 0; i < 1500 && !read_pair("held", worker, daemon); i++)
        usleep(10000);
    ES_CHECK(*worker > 1 && *daemon > 1);
    return pid;
}

/* A trial moves a daemon into a cgroup it made below its own, then the
 * coordinator and its worker die together.  Resume kills the daemon (the
 * cgroup is populated though its own cgroup.procs is empty) and removes
 * both cgroups; it used to leave them for good. */
ES_TEST(resume_kills_what_a_lost_trial_left_in_a_cgroup_of_its_own)
{
    const char *spec = write_spec("s.yaml", "name: s\nmethod: grid\nrun_cap: 1\n"
                                            "parameters:\n  mode: {value: subcg}\n"
                                            "  x: {value: 0.5}\n");
    if (!cgroups_here())
        return;
    long worker, daemon;
    pid_t pid = start_held(spec, &worker, &daemon);
    ES_CHECK_INT(kill(-pid, SIGKILL), 0);
    finish(pid);
    usleep(300000);
    ES_CHECK(kill((pid_t)daemon, 0) == 0);
    int rc = finish(start((const char *[]){"resume", "s", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK(gone(daemon));
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")),
                      " process(es) a lost trial left in its cgroup ");
}

/* A lost trial's row edited to name another sweep's cgroup: a live
 * coordinator's running trial (what a reused pid made of the name, or a
 * hand edit).  Resume leaves it alone and says so. */
ES_TEST(resume_leaves_a_live_coordinators_trial_alone)
{
    if (!cgroups_here())
        return;
    /* The victim: a sweep of its own, running, in its own database. */
    const char *vspec = write_spec("v.yaml", "name: v\nmethod: grid\nrun_cap: 1\n"
                                             "parameters:\n  mode: {value: bgonce}\n"
                                             "  x: {value: 0.5}\n");
    char vdb[4300];
    snprintf(vdb, sizeof vdb, "%s", db);
    long vworker, vchild;
    pid_t victim = start_held(vspec, &vworker, &vchild);

    /* The lost sweep, in another database. */
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/other", es_test_tmpdir());
    ES_CHECK(mkdir(dir, 0700) == 0);
    snprintf(db, sizeof db, "%s/other/o.db", es_test_tmpdir());
    const char *ospec = write_spec("o.yaml", "name: o\nmethod: grid\nrun_cap: 1\n"
                                             "parameters:\n  mode: {value: bgonce}\n"
                                             "  x: {value: 0.25}\n");
    snprintf(db, sizeof db, "%s/other/o.db", es_test_tmpdir());
    long oworker, ochild;
    static const char *const extra[] = {"--no-status", NULL};
    pid_t lost = es_sx_start_group(db, (const char *[]){"run", ospec, NULL}, extra);
    char held[4400];
    snprintf(held, sizeof held, "%s.d/sweep-1/held", db);
    for (int i = 0; i < 1500 && access(held, F_OK) != 0; i++)
        usleep(10000);
    ES_CHECK(access(held, F_OK) == 0);
    ES_CHECK_INT(kill(-lost, SIGKILL), 0);
    finish(lost);
    ES_CHECK(read_pair("held", &oworker, &ochild));

    char sql[9000];
    es_err err;
    snprintf(sql, sizeof sql,
             "ATTACH '%s' AS v; UPDATE main.trial SET cgroup = (SELECT cgroup FROM v.trial "
             "WHERE status = 'running') WHERE status = 'running';",
             vdb);
    if (es_store_testing_exec(db, sql, &err) != 0)
        ES_FAIL("%s", err.msg);
    int rc = finish(start((const char *[]){"resume", "o", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "left alone: ");
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "still runs");
    ES_CHECK(kill((pid_t)vchild, 0) == 0); /* the victim's trial lives */
    ES_CHECK(kill((pid_t)vworker, 0) == 0);
    kill(victim, SIGTERM);
    finish(victim);
    ES_CHECK(gone(vchild));
    /* The lost trial's own child: its row no longer names its cgroup. */
    kill((pid_t)ochild, SIGKILL);
    ES_CHECK(gone(ochild));
}
