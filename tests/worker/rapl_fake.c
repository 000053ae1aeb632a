/*
 * rapl_fake.c -- fake powercap trees, /proc/stat and the worker pointed at
 * them, for the RAPL tests (see rapl_fake.h).
 */
#include "rapl_fake.h"

#include "es_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define POOL 48

static const char *pool_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into the next slot of a static pool (paths outlive the call). */
static const char *pool_printf(const char *fmt, ...)
{
    static char pool[POOL][4096];
    static int next;
    if (next == POOL)
        ES_FAIL("rapl_fake: more than %d paths", POOL);
    char *p = pool[next++];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p, 4096, fmt, ap);
    va_end(ap);
    if (n < 0 || n >= 4096)
        ES_FAIL("rapl_fake: path too long");
    return p;
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        ES_FAIL("open %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    if (pwrite(fd, text, len, 0) != (ssize_t)len)
        ES_FAIL("write %s: %s", path, strerror(errno));
    close(fd);
}

static void write_counter(const char *path, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%015llu\n", (unsigned long long)v);
    write_file(path, buf);
}

const char *fake_path(const char *name)
{
    return pool_printf("%s/%s", es_test_tmpdir(), name);
}

const char *fake_root(const char *label)
{
    const char *dir = fake_path(label);
    if (mkdir(dir, 0755) != 0)
        ES_FAIL("mkdir %s: %s", dir, strerror(errno));
    return dir;
}

const char *fake_zone(const char *root, const char *entry, const char *name, uint64_t uj,
                      uint64_t range)
{
    char path[4200], text[96];
    snprintf(path, sizeof path, "%s/%s", root, entry);
    if (mkdir(path, 0755) != 0)
        ES_FAIL("mkdir %s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s/name", root, entry);
    snprintf(text, sizeof text, "%s\n", name);
    write_file(path, text);
    snprintf(path, sizeof path, "%s/%s/max_energy_range_uj", root, entry);
    snprintf(text, sizeof text, "%llu\n", (unsigned long long)range);
    write_file(path, text);
    const char *e = pool_printf("%s/%s/energy_uj", root, entry);
    write_counter(e, uj);
    return e;
}

void fake_set(const char *path, uint64_t uj)
{
    write_counter(path, uj);
}

int fake_make_unreadable(const char *path)
{
    if (geteuid() != 0) {
        ES_CHECK(chmod(path, 0) == 0);
        return 1;
    }
    /* Root reads through any mode, but a sysctl with no read bit (mode
     * 0200, like vm.drop_caches) refuses reads to root too. */
    const char *wo = "/proc/sys/vm/drop_caches";
    int fd = open(wo, O_RDONLY | O_CLOEXEC);
    int eacces = fd < 0 && errno == EACCES;
    if (fd >= 0)
        close(fd);
    ES_CHECK(unlink(path) == 0);
    if (eacces) {
        ES_CHECK(symlink(wo, path) == 0);
        return 1;
    }
    ES_CHECK(mkdir(path, 0755) == 0);
    return 0;
}

/* ---- /proc ---------------------------------------------------------------- */

void fake_proc_init(fake_proc *p, const char *dir)
{
    snprintf(p->dir, sizeof p->dir, "%s", dir);
    snprintf(p->stat, sizeof p->stat, "%s/stat", dir);
    uint64_t zero[10] = {0};
    fake_proc_stat(p, zero);
}

void fake_proc_stat(fake_proc *p, const uint64_t f[10])
{
    char line[512];
    int n = snprintf(line, sizeof line, "cpu ");
    for (int i = 0; i < 10; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %015llu", (unsigned long long)f[i]);
    snprintf(line + n, sizeof line - (size_t)n, "\nintr 0\n");
    write_file(p->stat, line);
}

/* One process of a /proc scan. */
typedef struct proc_row {
    int pid, ppid;
    long long ticks; /* utime+stime+cutime+cstime */
    int in;          /* below the worker being summed */
} proc_row;

static int read_row(const char *pid, proc_row *r)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    unsigned long long ut, st, cut, cst;
    if (p == NULL || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
                            &r->ppid, &ut, &st, &cut, &cst) != 5)
        return -1;
    r->pid = atoi(pid);
    r->ticks = (long long)(ut + st + cut + cst);
    return 0;
}

/* Scan /proc into rows (at most cap); the count. */
static size_t scan_proc(proc_row *rows, size_t cap)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    struct dirent *e;
    while (d != NULL && n < cap && (e = readdir(d)) != NULL)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && read_row(e->d_name, &rows[n]) == 0)
            n++;
    if (d != NULL)
        closedir(d);
    return n;
}

/* CPU ticks of every live descendant of worker (not the worker itself):
 * its trial's whole tree, the CPU of reaped members included through their
 * parents' cutime.  An independent twin of what the worker computes. */
static long long tree_ticks(proc_row *rows, size_t n, pid_t worker)
{
    for (size_t i = 0; i < n; i++)
        rows[i].in = rows[i].ppid == worker;
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; !rows[i].in && j < n; j++)
                if (rows[j].in && rows[j].pid == rows[i].ppid)
                    rows[i].in = changed = 1;
    }
    long long t = 0;
    for (size_t i = 0; i < n; i++)
        t += rows[i].in ? rows[i].ticks : 0;
    return t;
}

#define HELPER_ROWS 4096

static void __attribute__((noreturn))
helper_main(int stop_fd, fake_proc *p, const char *energy, uint64_t e0, uint64_t k_uj,
            const pid_t *workers, size_t n_workers)
{
    static proc_row rows[HELPER_ROWS];
    long long last[FAKE_HELPER_MAX] = {0};
    uint64_t f[10] = {0};
    for (int done = 0; !done;) {
        struct pollfd pfd = {stop_fd, POLLIN, 0};
        done = poll(&pfd, 1, 3) > 0; /* the parent closed its end */
        size_t n = scan_proc(rows, HELPER_ROWS);
        f[0] = 0;
        for (size_t w = 0; w < n_workers; w++) {
            /* Never step back: a trial reaped by its worker leaves the
             * scan, and a process can be missed while it is reaped. */
            long long t = tree_ticks(rows, n, workers[w]);
            last[w] = t > last[w] ? t : last[w];
            f[0] += (uint64_t)last[w];
        }
        write_counter(energy, e0 + k_uj * f[0]);
        fake_proc_stat(p, f);
    }
    _exit(0);
}

void fake_helper_start(fake_helper *h, fake_proc *p, const char *energy_uj, uint64_t e0,
                       uint64_t k_uj, const pid_t *workers, size_t n_workers)
{
    int fds[2];
    ES_CHECK(n_workers <= FAKE_HELPER_MAX);
    ES_CHECK(pipe2(fds, O_CLOEXEC) == 0);
    snprintf(h->energy, sizeof h->energy, "%s", energy_uj);
    h->pid = fork();
    ES_CHECK(h->pid >= 0);
    if (h->pid == 0) {
        close(fds[1]);
        helper_main(fds[0], p, energy_uj, e0, k_uj, workers, n_workers);
    }
    close(fds[0]);
    h->stop_fd = fds[1];
}

uint64_t fake_helper_stop(fake_helper *h)
{
    int status = 0;
    close(h->stop_fd);
    ES_CHECK(waitpid(h->pid, &status, 0) == h->pid);
    ES_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    FILE *f = fopen(h->energy, "re");
    ES_CHECK(f != NULL);
    unsigned long long v = 0;
    ES_CHECK(fscanf(f, "%llu", &v) == 1);
    fclose(f);
    return (uint64_t)v;
}

/* ---- the worker ------------------------------------------------------------ */

void fake_worker_start(worker_proc *w, const char *root, const char *const *opts,
                       const char *const *trial)
{
    char env[4200];
    snprintf(env, sizeof env, "ECOSWEEP_POWERCAP_ROOT=%s", root);
    const char *const entries[] = {env, NULL};
    const worker_setup setup = {.env = entries};
    worker_start_with(w, &setup, opts, trial);
}

void fake_worker_run(worker_proc *w, const char *root, const char *const *opts,
                     const char *const *trial)
{
    fake_worker_start(w, root, opts, trial);
    worker_finish(w);
}
