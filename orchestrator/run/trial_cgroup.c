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

/* The start time of process pid (clock ticks since boot, field 22 of
 * /proc/PID/stat): with the pid, what names a process for good, since a
 * pid is reused and a start time never goes back.  0 when it is gone. */
static unsigned long long start_time(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command may hold spaces */
    unsigned long long t = 0;
    if (p == NULL || sscanf(p + 1,
                            " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
                            "%*d %*d %*d %*d %llu",
                            &t) != 1)
        return 0;
    return t;
}

/* Is name "ecosweep-PID.START" (a parent this module makes)?  Its pid and
 * start time. */
static int parent_name(const char *name, long *pid, unsigned long long *start)
{
    char tail;
    return sscanf(name, "ecosweep-%ld.%llu%c", pid, start, &tail) == 2 && *pid > 0;
}

/* "ecosweep-PID", the name a parent had before it carried the start
 * time: gone when no process has that pid. */
static int old_parent_gone(const char *name)
{
    long pid;
    char tail;
    return sscanf(name, "ecosweep-%ld%c", &pid, &tail) == 1 && pid > 0 &&
           kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Does the coordinator that made parent `name` still run? */
static int maker_alive(long pid, unsigned long long start)
{
    return start_time(pid) == start;
}

/* Remove the cgroup `name` below the directory dirfd and every cgroup
 * below it (a trial may make its own), deepest first; what the kernel
 * refuses (a cgroup that still holds a process) stays.  Never follows a
 * link, and stops 16 levels down. */
static void remove_tree(int dirfd, const char *name, int depth)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = depth < 16 ? fdopendir(dup(fd)) : NULL;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_tree(fd, e->d_name, depth + 1);
    if (d != NULL)
        closedir(d);
    close(fd);
    (void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Kill what a coordinator that is gone left in parent `name` below own
 * (dirfd), and remove it. */
static void remove_parent(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(dup(fd));
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        long long n;
        unsigned k;
        char tail;
        if (e->d_type != DT_DIR || sscanf(e->d_name, "trial-%lld-%u%c", &n, &k, &tail) != 2)
            continue;
        /* A trial cgroup that still holds processes belongs to a lost trial,
         * which `resume` of its sweep kills; only empty ones go here. */
        int tfd = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        es_cgroup cg;
        if (tfd >= 0 && es_cgroup_attach_fd(&cg, tfd, e->d_name, NULL) == 0) {
            if (es_cgroup_populated(&cg) == 0)
                remove_tree(fd, e->d_name, 0);
            es_cgroup_close(&cg);
        }
    }
    if (d != NULL)
        closedir(d);
    close(fd);
    (void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Remove what coordinators that are gone left beside this one: their
 * parents' empty trial cgroups (with whatever cgroups the trials made in
 * them), and the parents once empty. */
static void remove_stale(const char *own)
{
    int fd = open(own, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(dup(fd));
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        long pid;
        unsigned long long start;
        if (e->d_type == DT_DIR &&
            ((parent_name(e->d_name, &pid, &start) && !maker_alive(pid, start)) ||
             old_parent_gone(e->d_name)))
            remove_parent(fd, e->d_name);
    }
    if (d != NULL)
        closedir(d);
    close(fd);
}

int es_tcg_parent_create(char *out, size_t cap, es_err *err)
{
    char own[4096];
    int rc = own_cgroup(own, sizeof own, err);
    if (rc != 0)
        return rc;
    remove_stale(own);
    unsigned long long start = start_time((long)getpid());
    if ((size_t)snprintf(out, cap, "%s/ecosweep-%ld.%llu", own, (long)getpid(), start) >= cap)
        return es_err_set(err, -ENAMETOOLONG, "the cgroup path %s is too long", own);
    if (mkdir(out, 0755) != 0) {
        int e = errno;
        return es_err_set(err, -e, "cannot create the cgroup %s: %s%s", out, strerror(e),
                          e == EACCES || e == EPERM || e == EROFS
                              ? " (cgroup v2 is there but not writable by this user; a delegated "
                                "subtree, e.g. systemd-run --user --scope -p Delegate=yes, makes "
                                "it so)"
                              : "");
    }
    es_cgroup cg;
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

/* Open the trial cgroup at path -- ".../ecosweep-PID.START/trial-N-K", a
 * name this module gives -- without following any link on the way (a
 * path from a database row could lead anywhere), into cg, with its
 * parent's directory in *parent_fd and its name in *base.  Refused
 * (-EPERM) when the coordinator that made it still runs and is not this
 * process: its trials are its own to stop, whatever a row says. */
static int open_trial(const char *path, es_cgroup *cg, int *parent_fd, const char **base,
                      es_err *err)
{
    long long n;
    unsigned k;
    long pid;
    unsigned long long start;
    char tail, comp[256];
    const char *b = strrchr(path, '/');
    *parent_fd = -1;
    es_cgroup_init(cg);
    if (path[0] != '/' || b == NULL || b == path ||
        sscanf(b + 1, "trial-%lld-%u%c", &n, &k, &tail) != 2)
        return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
    const char *pb = b - 1;
    while (pb > path && *pb != '/')
        pb--;
    if ((size_t)(b - pb - 1) >= sizeof comp)
        return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
    memcpy(comp, pb + 1, (size_t)(b - pb - 1));
    comp[b - pb - 1] = '\0';
    if (!parent_name(comp, &pid, &start))
        return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
    if (pid != (long)getpid() && maker_alive(pid, start))
        return es_err_set(err, -EPERM, "%s: its coordinator (process %ld) still runs", path, pid);
    /* Component by component from the root, no link followed. */
    int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (const char *p = path + 1; fd >= 0;) {
        const char *slash = strchr(p, '/');
        size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || len >= sizeof comp || (len == 2 && strncmp(p, "..", 2) == 0)) {
            close(fd);
            return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
        }
        memcpy(comp, p, len);
        comp[len] = '\0';
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (slash == NULL) { /* the trial's own directory */
            *parent_fd = fd;
            *base = b + 1;
            if (next < 0)
                return es_err_set(err, -e, "%s: %s", path, strerror(e));
            return es_cgroup_attach_fd(cg, next, path, err);
        }
        close(fd);
        if (next < 0)
            return es_err_set(err, e == ELOOP || e == ENOTDIR ? -ELOOP : -e, "%s: %s", path,
                              e == ELOOP || e == ENOTDIR ? "a link or not a directory is on the way"
                                                         : strerror(e));
        fd = next;
        p = slash + 1;
    }
    if (fd >= 0)
        close(fd);
    return es_err_set(err, -EINVAL, "%s: not a trial cgroup of ecosweep's", path);
}

static int count_one(void *ctx, pid_t pid)
{
    (void)pid;
    ++*(int *)ctx;
    return 0;
}

/* Every process of the cgroup and of the cgroups below it. */
static int count_tree(int fd, int depth)
{
    es_cgroup cg;
    int n = 0, dfd = dup(fd);
    if (dfd < 0 || es_cgroup_attach_fd(&cg, dfd, "", NULL) != 0)
        return 0;
    (void)es_cgroup_each_pid(&cg, count_one, &n);
    es_cgroup_close(&cg);
    DIR *d = depth < 16 ? fdopendir(dup(fd)) : NULL;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            n += count_tree(sub, depth + 1);
            close(sub);
        }
    }
    if (d != NULL)
        closedir(d);
    return n;
}

int es_tcg_kill(const char *path)
{
    es_cgroup cg;
    int parent, rc;
    const char *base;
    if ((rc = open_trial(path, &cg, &parent, &base, NULL)) == 0)
        rc = es_cgroup_kill(&cg);
    es_cgroup_close(&cg);
    if (parent >= 0)
        close(parent);
    return rc;
}

int es_tcg_release(const char *path, int *killed, es_err *err)
{
    es_cgroup cg;
    int parent, rc;
    const char *base;
    if (killed != NULL)
        *killed = 0;
    if ((rc = open_trial(path, &cg, &parent, &base, err)) != 0) {
        if (parent >= 0)
            close(parent);
        return rc;
    }
    /* populated covers the cgroups a trial made below its own, which
     * cgroup.kill reaches too. */
    int pop = es_cgroup_populated(&cg);
    if (pop > 0) {
        if (killed != NULL)
            *killed = count_tree(cg.dir_fd, 0);
        rc = es_cgroup_kill(&cg);
    }
    es_cgroup_close(&cg);
    if (rc != 0) {
        close(parent);
        return es_err_set(err, rc, "%s: cgroup.kill: %s", path, strerror(-rc));
    }
    remove_tree(parent, base, 0);
    struct stat sb;
    rc = fstatat(parent, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 ? -EBUSY : 0;
    close(parent);
    return rc == 0 ? 0 : es_err_set(err, rc, "%s: its processes have not all exited yet", path);
}
