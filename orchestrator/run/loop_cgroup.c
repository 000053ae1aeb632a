/*
 * loop_cgroup.c -- the sweep's side of its trials' cgroups (see
 * trial_cgroup.h): the parent made at the start, one cgroup per trial, each
 * removed when its trial ends (killing what is left, should the worker
 * have been killed outright), the stragglers at the end, and on resume what
 * the lost trials of a dead coordinator left.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop_int.h"
#include "trial_cgroup.h"

void es_loop_cgroup_start(sweep *sw)
{
    es_err err;
    sw->cg_parent[0] = '\0';
    if (sw->spec->launcher.type != ES_LAUNCHER_LOCAL)
        return; /* Slurm holds a job's processes in its own cgroups */
    if (es_tcg_parent_create(sw->cg_parent, sizeof sw->cg_parent, &err) != 0) {
        sw->cg_parent[0] = '\0';
        es_loop_say(sw, "containment: each trial's process group (no cgroup v2 here: %s)", err.msg);
        return;
    }
    es_loop_say(sw, "containment: each trial in its own cgroup, below %s", sw->cg_parent);
}

void es_loop_cgroup_make(sweep *sw, trial *t)
{
    es_err err;
    t->cgroup[0] = '\0';
    if (sw->cg_parent[0] == '\0')
        return;
    if (es_tcg_trial_create(sw->cg_parent, (long long)t->number, sw->cg_made++, t->cgroup,
                            sizeof t->cgroup, &err) != 0) {
        t->cgroup[0] = '\0';
        es_loop_say(sw, "trial %lld: held by its process group only: %s", (long long)t->number,
                    err.msg);
    }
}

void es_loop_cgroup_release(sweep *sw, const char *path)
{
    if (path[0] == '\0')
        return;
    int rc = es_tcg_release(path, NULL, NULL);
    if (rc != -EBUSY)
        return;
    char **grown = realloc(sw->cg_left, (sw->n_cg_left + 1) * sizeof *grown);
    char *copy = strdup(path);
    if (grown != NULL)
        sw->cg_left = grown;
    if (grown == NULL || copy == NULL) {
        free(copy); /* out of memory: the cgroup stays, empty once its processes exit */
        return;
    }
    sw->cg_left[sw->n_cg_left++] = copy;
}

/* Try to remove every waiting cgroup once; how many remain. */
static size_t sweep_once(sweep *sw)
{
    size_t k = 0;
    for (size_t i = 0; i < sw->n_cg_left; i++) {
        if (es_tcg_release(sw->cg_left[i], NULL, NULL) == -EBUSY)
            sw->cg_left[k++] = sw->cg_left[i];
        else
            free(sw->cg_left[i]);
    }
    sw->n_cg_left = k;
    return k;
}

void es_loop_cgroup_sweep_up(sweep *sw, int wait)
{
    for (int i = 0; sweep_once(sw) > 0 && wait && i < 100; i++)
        usleep(20000);
    if (!wait)
        return;
    for (size_t i = 0; i < sw->n_cg_left; i++)
        free(sw->cg_left[i]);
    free(sw->cg_left);
    sw->cg_left = NULL;
    sw->n_cg_left = 0;
    if (sw->cg_parent[0] != '\0')
        es_tcg_parent_remove(sw->cg_parent);
}

void es_loop_cgroup_lost(sweep *sw)
{
    char **paths = NULL;
    size_t n = 0;
    es_err err;
    if (es_store_sweep_running_cgroups(sw->st, sw->id, &paths, &n, &err) != 0) {
        es_strv_free(paths);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int killed = 0, rc = es_tcg_release(paths[i], &killed, &err);
        for (int k = 0; rc == -EBUSY && k < 100; k++) {
            usleep(20000);
            rc = es_tcg_release(paths[i], NULL, &err);
        }
        if (killed > 0)
            es_loop_say(sw, "killed %d process(es) a lost trial left in its cgroup %s", killed,
                        paths[i]);
        if (rc == -EPERM || rc == -ELOOP || rc == -EINVAL)
            es_loop_say(sw, "left alone: %s", err.msg);
        if (rc == 0 || rc == -ENOENT)
            (void)rmdir(dirname(paths[i])); /* its coordinator's parent, once empty */
    }
    es_strv_free(paths);
}
