/*
 * cgroup.c -- the trial's cgroup v2 directory (see cgroup.h).
 *
 * The interface files are small kernfs files that the kernel regenerates on
 * every read from offset 0, so each reading opens the file (openat on the
 * checked directory), reads it whole and closes it; only cgroup.procs can be
 * long (one line per process), and it is parsed as it is read.  Waiting for
 * the cgroup to empty uses the kernel's change notification on
 * cgroup.events (poll for POLLPRI), with a short timeout as a safety net.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* The files es_cgroup_open() requires, and what their absence suggests. */
static const struct {
    const char *name, *hint;
} required[] = {
    {"cgroup.procs", ""},
    {"cgroup.kill", " (the root cgroup has none, nor has Linux before 5.14)"},
    {"cgroup.events", " (the root cgroup has none)"},
    {"cpu.stat", ""},
};

void es_cgroup_init(es_cgroup *cg)
{
    cg->dir_fd = -1;
    cg->procs_fd = -1;
}

/* Read all of the interface file name (at most cap - 1 bytes) into buf,
 * NUL-terminated; its length, or -errno. */
static ssize_t read_small(const es_cgroup *cg, const char *name, char *buf, size_t cap)
{
    int fd = openat(cg->dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    buf[n] = '\0';
    return (ssize_t)n;
}

/* The value of "key N" in a flat-keyed file's text, into *v; 0 or -EPROTO. */
static int flat_key(const char *text, const char *key, long long *v)
{
    size_t k = strlen(key);
    for (const char *p = text; *p != '\0';) {
        if (strncmp(p, key, k) == 0 && p[k] == ' ') {
            char *end;
            errno = 0;
            long long x = strtoll(p + k + 1, &end, 10);
            if (end == p + k + 1 || errno != 0)
                return -EPROTO;
            *v = x;
            return 0;
        }
        const char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return -EPROTO;
}

int es_cgroup_populated(const es_cgroup *cg)
{
    char buf[256];
    ssize_t n = read_small(cg, "cgroup.events", buf, sizeof buf);
    if (n < 0)
        return (int)n;
    long long v;
    int rc = flat_key(buf, "populated", &v);
    return rc < 0 ? rc : v != 0;
}

int es_cgroup_attach_fd(es_cgroup *cg, int fd, const char *dir, es_err *err)
{
    es_cgroup_init(cg);
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0) {
        int e = errno;
        close(fd);
        return es_err_set(err, -e, "%s: statfs: %s", dir, strerror(e));
    }
    if (fs.f_type != CGROUP2_SUPER_MAGIC) {
        close(fd);
        return es_err_set(err, -EINVAL,
                          "%s: not a cgroup v2 directory (not on a cgroup2 filesystem)", dir);
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (faccessat(fd, required[i].name, F_OK, 0) != 0) {
            int e = errno;
            close(fd);
            if (e == ENOENT)
                return es_err_set(err, -e, "%s: no %s%s", dir, required[i].name, required[i].hint);
            return es_err_set(err, -e, "%s: %s: %s", dir, required[i].name, strerror(e));
        }
    }
    cg->dir_fd = fd;
    return 0;
}

int es_cgroup_attach(es_cgroup *cg, const char *dir, es_err *err)
{
    es_cgroup_init(cg);
    /* No O_NOFOLLOW: a symbolic link to a cgroup is as good as the cgroup,
     * since the checks are made on what was opened, and all later access
     * goes through this descriptor.  (A path that comes from a database
     * row is opened without following links by its caller, see
     * orchestrator/run/trial_cgroup.c.) */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return es_err_set(err, -errno, "%s: %s", dir, strerror(errno));
    return es_cgroup_attach_fd(cg, fd, dir, err);
}

int es_cgroup_open(es_cgroup *cg, const char *dir, es_err *err)
{
    int rc = es_cgroup_attach(cg, dir, err);
    if (rc != 0)
        return rc;
    int pop = es_cgroup_populated(cg);
    if (pop != 0) {
        es_cgroup_close(cg);
        if (pop > 0)
            return es_err_set(err, -EBUSY,
                              "%s: not empty (processes run in it or below it); the trial needs "
                              "a cgroup of its own",
                              dir);
        return es_err_set(err, pop, "%s: reading cgroup.events: %s", dir, strerror(-pop));
    }
    return 0;
}

int es_cgroup_open_procs(es_cgroup *cg)
{
    es_cgroup_close_procs(cg);
    cg->procs_fd = openat(cg->dir_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    return cg->procs_fd < 0 ? -errno : 0;
}

void es_cgroup_close_procs(es_cgroup *cg)
{
    if (cg->procs_fd >= 0)
        close(cg->procs_fd);
    cg->procs_fd = -1;
}

void es_cgroup_close(es_cgroup *cg)
{
    es_cgroup_close_procs(cg);
    if (cg->dir_fd >= 0)
        close(cg->dir_fd);
    cg->dir_fd = -1;
}

int es_cgroup_each_pid(const es_cgroup *cg, int (*fn)(void *ctx, pid_t pid), void *ctx)
{
    int fd = openat(cg->dir_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char buf[4096];
    long pid = 0;
    int digits = 0, bad = 0, rc = 0;
    while (rc == 0) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = -errno;
        if (got <= 0)
            break;
        /* One pid a line; a number may straddle two reads.  A line that is
         * not a pid (never seen) is skipped rather than misread. */
        for (ssize_t i = 0; i < got && rc == 0; i++) {
            char c = buf[i];
            if (c == '\n') {
                if (digits && !bad && pid > 0)
                    rc = fn(ctx, (pid_t)pid);
                pid = 0;
                digits = bad = 0;
            } else if (c >= '0' && c <= '9' && pid < 100000000L) {
                pid = pid * 10 + (c - '0');
                digits = 1;
            } else {
                bad = 1;
            }
        }
    }
    if (rc == 0 && digits && !bad && pid > 0)
        rc = fn(ctx, (pid_t)pid);
    close(fd);
    return rc;
}

int es_cgroup_kill(const es_cgroup *cg)
{
    int fd = openat(cg->dir_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    while ((n = write(fd, "1", 1)) < 0 && errno == EINTR)
        ;
    int rc = n == 1 ? 0 : n < 0 ? -errno : -EIO;
    close(fd);
    return rc;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int es_cgroup_wait_empty(const es_cgroup *cg, double timeout_s)
{
    /* A read arms the descriptor; poll then reports POLLPRI when the file
     * changes (the kernel's "file modified" event on cgroup.events). */
    int fd = openat(cg->dir_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    double deadline = mono_s() + timeout_s;
    int rc;
    for (;;) {
        char buf[256];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = -errno;
            break;
        }
        buf[n] = '\0';
        long long populated;
        if ((rc = flat_key(buf, "populated", &populated)) < 0)
            break;
        if (populated == 0) {
            rc = 1;
            break;
        }
        double left = deadline - mono_s();
        if (left <= 0) {
            rc = 0;
            break;
        }
        /* At most 50 ms at a time, in case an event is missed. */
        int ms = left < 0.05 ? (int)(left * 1000.0) + 1 : 50;
        struct pollfd p = {fd, POLLPRI, 0};
        (void)poll(&p, 1, ms);
    }
    close(fd);
    return rc;
}

int es_cgroup_cpu_usec(const es_cgroup *cg, long long *usec)
{
    char buf[2048];
    ssize_t n = read_small(cg, "cpu.stat", buf, sizeof buf);
    if (n < 0)
        return (int)n;
    return flat_key(buf, "usage_usec", usec);
}
