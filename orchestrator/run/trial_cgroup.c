/*
 * trial_cgroup.c -- the cgroups a coordinator makes for its trials (see
 * trial_cgroup.h).
 *
 * The cgroup this process runs in is the "0::PATH" line of
 * /proc/self/cgroup, below the mount point of the cgroup2 filesystem that
 * /proc/self/mountinfo lists (on a hybrid system, /sys/fs/cgroup/unified).
 * New cgroups there enable no controller: cgroup.kill, cgroup.events and
 * cpu.stat's usage are core files, present in every cgroup, so nothing of
 * the machine's resource control changes.  The rest (opening a cgroup
 * through one checked descriptor, killing, waiting) is the worker's
 * cgroup.h, so both programs handle cgroups the same way.
 */
#include "trial_cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

/* The cgroup2 filesystem's mount point (and the cgroup path it shows as
 * its root) from /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNT OPTS
 * ... - cgroup2 SOURCE SUPEROPTS".  A mount point with escaped characters
 * (\040 for a space) is not used. */
static int cgroup2_mount(char *mnt, size_t mcap, char *root, size_t rcap)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return -errno;
    char line[4096];
    int rc = -ENOENT;
    while (rc == -ENOENT && fgets(line, sizeof line, f) != NULL) {
        char r[1024], m[1024];
        const char *sep = strstr(line, " - ");
        if (sep == NULL || strncmp(sep, " - cgroup2 ", 11) != 0)
            continue;
        if (sscanf(line, "%*s %*s %*s %1023s %1023s", r, m) != 2 || strchr(m, '\\') != NULL ||
            strchr(r, '\\') != NULL)
            continue;
        if ((size_t)snprintf(mnt, mcap, "%s", m) < mcap &&
            (size_t)snprintf(root, rcap, "%s", r) < rcap)
            rc = 0;
    }
    fclose(f);
    return rc;
}

/* The directory of the cgroup v2 this process runs in, into out. */
static int own_cgroup(char *out, size_t cap, es_err *err)
{
    char line[4096], path[4096] = "", mnt[1024], root[1024];
    FILE *f = fopen("/proc/self/cgroup", "re");
    if (f == NULL)
        return es_err_set(err, -errno, "/proc/self/cgroup: %s", strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(path, sizeof path, "%s", line + 3);
        }
    }
    fclose(f);
    if (path[0] != '/')
        return es_err_set(err, -ENOENT, "this process is in no cgroup v2 hierarchy");
    if (cgroup2_mount(mnt, sizeof mnt, root, sizeof root) != 0)
        return es_err_set(err, -ENOENT, "no cgroup2 filesystem is mounted");
    /* A mount of a subtree shows that subtree as its root. */
    const char *rel = path;
    size_t rl = strlen(root);
    if (strcmp(root, "/") != 0) {
        if (strncmp(path, root, rl) != 0 || (path[rl] != '\0' && path[rl] != '/'))
            return es_err_set(err, -ENOENT, "this process's cgroup %s is outside the mount of %s",
                              path, mnt);
        rel = path + rl;
    }
    if (strcmp(rel, "/") == 0)
        rel = "";
    if ((size_t)snprintf(out, cap, "%s%s", mnt, rel) >= cap)
        return es_err_set(err, -ENAMETOOLONG, "the cgroup path %s%s is too long", mnt, rel);
    return 0;
}

/* Remove what coordinators killed outright left beside this one: the
 * empty cgroups of "ecosweep-PID" parents whose process is gone (rmdir
 * removes only an empty cgroup; one that still holds a lost trial's
 * processes stays for `resume`, which kills them). */
static void remove_stale(const char *own)
{
    DIR *d = opendir(own);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char tail;
        if (sscanf(e->d_name, "ecosweep-%ld%c", &pid, &tail) != 1 || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its coordinator lives (or the pid is someone else's now) */
        char parent[4096 + 300];
        if ((size_t)snprintf(parent, sizeof parent, "%s/%s", own, e->d_name) >= sizeof parent)
            continue;
        DIR *p = opendir(parent);
        struct dirent *c;
        while (p != NULL && (c = readdir(p)) != NULL) {
            char child[sizeof parent + 300];
            long long n;
            unsigned k;
            if (sscanf(c->d_name, "trial-%lld-%u%c", &n, &k, &tail) != 2)
                continue;
            snprintf(child, sizeof child, "%s/%s", parent, c->d_name);
            (void)rmdir(child);
        }
        if (p != NULL)
            closedir(p);
        (void)rmdir(parent);
    }
    closedir(d);
}

int es_tcg_parent_create(char *out, size_t cap, es_err *err)
{
    char own[4096];
    int rc = own_cgroup(own, sizeof own, err);
    if (rc != 0)
        return rc;
    remove_stale(own);
    if ((size_t)snprintf(out, cap, "%s/ecosweep-%ld", own, (long)getpid()) >= cap)
        return es_err_set(err, -ENAMETOOLONG, "the cgroup path %s is too long", own);
    /* One left by an earlier process of this pid goes, when empty. */
    (void)rmdir(out);
    if (mkdir(out, 0755) != 0)
        return es_err_set(err, -errno, "cannot create the cgroup %s: %s", out, strerror(errno));
    es_cgroup cg;
    es_cgroup_init(&cg);
    rc = es_cgroup_attach(&cg, out, err);
    es_cgroup_close(&cg);
    if (rc != 0)
        (void)rmdir(out);
    return rc;
}

void es_tcg_parent_remove(const char *parent)
{
    (void)rmdir(parent);
}

int es_tcg_trial_create(const char *parent, long long number, unsigned k, char *out, size_t cap,
                        es_err *err)
{
    if ((size_t)snprintf(out, cap, "%s/trial-%lld-%u", parent, number, k) >= cap)
        return es_err_set(err, -ENAMETOOLONG, "the cgroup path %s is too long", parent);
    if (mkdir(out, 0755) != 0)
        return es_err_set(err, -errno, "cannot create the cgroup %s: %s", out, strerror(errno));
    return 0;
}

/* Is path ".../ecosweep-PID/trial-N-K", a name this module gives? */
static int ours(const char *path)
{
    const char *base = strrchr(path, '/');
    if (path[0] != '/' || base == NULL || base == path)
        return 0;
    long long n;
    unsigned k;
    char tail;
    if (sscanf(base, "/trial-%lld-%u%c", &n, &k, &tail) != 2)
        return 0;
    const char *pb = base - 1;
    while (pb > path && *pb != '/')
        pb--;
    long pid;
    return sscanf(pb, "/ecosweep-%ld%c", &pid, &tail) == 2 && tail == '/';
}

static int count_one(void *ctx, pid_t pid)
{
    (void)pid;
    ++*(int *)ctx;
    return 0;
}

int es_tcg_kill(const char *path)
{
    es_cgroup cg;
    es_cgroup_init(&cg);
    if (!ours(path))
        return -EINVAL;
    int rc = es_cgroup_attach(&cg, path, NULL);
    if (rc == 0)
        rc = es_cgroup_kill(&cg);
    es_cgroup_close(&cg);
    return rc;
}

int es_tcg_release(const char *path, int *killed, es_err *err)
{
    es_cgroup cg;
    int n = 0, rc;
    if (killed != NULL)
        *killed = 0;
    if (!ours(path))
        return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
    es_cgroup_init(&cg);
    if ((rc = es_cgroup_attach(&cg, path, err)) != 0)
        return rc;
    (void)es_cgroup_each_pid(&cg, count_one, &n);
    if (n > 0)
        rc = es_cgroup_kill(&cg);
    es_cgroup_close(&cg);
    if (killed != NULL)
        *killed = n;
    if (rc != 0)
        return es_err_set(err, rc, "%s: cgroup.kill: %s", path, strerror(-rc));
    if (rmdir(path) != 0)
        return es_err_set(err, -errno, "cannot remove the cgroup %s: %s", path, strerror(errno));
    return 0;
}
