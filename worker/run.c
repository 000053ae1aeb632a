/*
 * run.c -- supervision of one trial by the worker (see run.h).
 *
 * The worker blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD and reads them from
 * a signalfd, so the whole supervision is one poll() loop whose timeout is
 * the next meter sample or the next escalation deadline: no handlers, no
 * global state, no busy waiting.  The trial is started (a vfork, see
 * start_trial) in its own process group (pgid == its pid).  The worker is a
 * child subreaper, so processes the trial daemonizes (setsid, double fork)
 * are re-parented to the worker instead of init, and it gets SIGTERM when
 * its own parent dies.
 *
 * Containment.  With --cgroup DIR the trial's first process also moves
 * itself into DIR, the cgroup v2 directory the coordinator made for this
 * trial alone, by writing "0" to DIR/cgroup.procs (opened by the worker
 * before the vfork) before it execs: from then on every process the trial
 * starts is born in the cgroup and stays there, whatever it does to its
 * session, group or parent.  If that write fails, the trial still runs,
 * contained by its process group and the subreaper alone, as it is without
 * --cgroup; a note on stderr and the result's containment=pgroup say so.
 *
 * Stopping: a stop signal, or the trial's main process exiting while other
 * processes of the tree remain, starts the teardown: SIGTERM (and SIGCONT)
 * to the trial's group, to every child of the worker and, in a cgroup, to
 * every process listed in its cgroup.procs, then after the grace period
 * SIGKILL to the group and the children, and cgroup.kill, which kills all
 * the cgroup holds in one step, repeated (every second, and whenever a
 * child exits) until the worker has no child left.  Because every
 * descendant either has a living parent inside the tree or was re-parented
 * to the worker, "no child left" means "nothing of the trial's tree is
 * left".  What the cgroup may still hold then descends from no child of the
 * worker (a process that joined the cgroup from outside the tree): before
 * it reports, the worker writes cgroup.kill once more and waits, at most
 * two seconds, for cgroup.events to say "populated 0".  A pid read from
 * cgroup.procs is signalled by number, so it could in principle be reused
 * between the read and the kill; the kernel hands out pids in sequence, so
 * that would take the whole pid space going round in that instant, and the
 * SIGKILL phase goes through cgroup.kill, which names no pid at all.  Should
 * the worker itself be killed, the coordinator can still write cgroup.kill.
 *
 * The main process is kept as an unreaped zombie (waitid WNOWAIT) until the
 * end: that pins its pid, so the pgid the worker signals can never be reused
 * by an unrelated process group.  Other children are reaped by pid, found in
 * /proc/self/task/TID/children (or, where the kernel lacks that file, by
 * scanning /proc for processes whose parent is the worker).
 *
 * Live CPU time.  Under shared attribution the meter needs the tree's CPU
 * time at every sample, not just at the end, and every sample line needs it
 * too.  In a cgroup it is the cgroup's own count, usage_usec of its cpu.stat
 * (less what it held before the trial), both live and in the result: that
 * counts every process that ever ran there, exactly, whether the worker
 * reaped it, another process did, or no one did (a parent that ignores
 * SIGCHLD lets the kernel discard its children's times).  Otherwise it is
 * the CPU of every live process of the tree (utime+stime+cutime+cstime of
 * /proc/PID/stat -- cutime holds the descendants it has reaped itself),
 * found by walking down from the worker's children through
 * /proc/PID/task/TID/children (children hang on the thread that forked
 * them), plus getrusage(RUSAGE_CHILDREN) for those the worker has reaped;
 * in a cgroup the same walk is still made, for the peak RSS.  The walk's
 * reads give each process's resident set, whose largest value so far (and
 * the reaped children's ru_maxrss) stands in for the peak RSS while the
 * trial runs.  A process can escape one walk (caught between exiting and
 * being counted in its parent), so the figure handed on never goes down.
 * The walk costs a few syscalls per process and runs only when a sample
 * line is due or, in shared mode, at a sample tick -- once when both fall
 * together; without the children files it falls back to one scan of /proc.
 *
 * Sample lines.  With a result descriptor and --report-ms > 0, every
 * report_ms the loop asks the meter for the energy so far (es_meter_peek,
 * which changes none of the final figures) and writes an "ecosweep-sample"
 * line (result.h).  Its timer is separate from the meter's --sample-ms
 * timer, so adding reports changes neither when nor how the back ends
 * sample.  A line is written only when the descriptor can take it at once:
 * a coordinator that is slow to read must never stall the supervision (stop
 * requests, reaping), and since samples are cumulative, the next one
 * replaces a skipped one.
 */
#include "run.h"

#include "cgroup.h"
#include "phases.h"
#include "relay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* While SIGKILL'ing, signal again this often in case a child escaped. */
#define REKILL_S 1.0
/* How long the last cgroup.kill may take to empty the cgroup. */
#define SWEEP_WAIT_S 2.0

typedef struct pidvec {
    pid_t *v;
    size_t n, cap;
} pidvec;

typedef enum phase { RUNNING, TERMINATING, KILLING } phase;

typedef struct sup {
    const es_worker_opts *opts;
    pid_t self;
    pid_t main_pid; /* also the trial's pgid */
    int main_done;
    phase phase;
    double deadline;    /* monotonic time of the next escalation */
    int stop_signal;    /* first stop signal received while the trial ran */
    int use_proc_scan;  /* kernel lacks /proc/PID/task/TID/children */
    pidvec kids;        /* the worker's children other than main_pid */
    pidvec termed;      /* kids and processes of cg already sent SIGTERM */
    pidvec foreign;     /* children from before the trial (an exec'ing shell's) */
    pidvec walk;        /* scratch for tree_usage() */
    long clk_tck;       /* units of /proc/PID/stat times */
    long page_kb;       /* units of /proc/PID/stat rss, in KiB */
    int report;         /* write sample lines (result_fd, report_ms > 0, trial started) */
    double cpu_hi;      /* largest live CPU time handed on so far */
    long rss_hi_kb;     /* largest RSS of a process of the tree seen so far; -1: none */
    es_cgroup cg;       /* the trial's cgroup (--cgroup), open while contained */
    int contained;      /* the trial's first process moved into cg */
    long long cg_usec0; /* cg's usage_usec before the trial started */
    pidvec cgpids;      /* processes in cg at the last listing (teardown only) */
    es_relay relay;     /* the trial's stdout, passed on (relaying set) */
    int relaying;
    int stdout_ok;         /* the worker's stdout was open for writing when it started */
    es_phase_clock phases; /* its energy by phase, from the markers relay sees */
    es_meter *meter;       /* for the readings at a marker; NULL without one */
    double t0;             /* the trial's start (monotonic) */
    double mark_t;         /* the time of the last reading at a marker, and it: */
    double mark_j[3];
    int over; /* the trial ended: mark_t and mark_j are its final figures */
} sup;

void es_worker_opts_init(es_worker_opts *o)
{
    memset(o, 0, sizeof *o);
    o->grace_s = 5.0;
    o->sample_ms = 1000;
    o->report_ms = 1000;
    o->result_fd = -1;
    o->phases = 1;
    es_meter_config_init(&o->meter);
}

int es_worker_exit_status(const es_result *r)
{
    switch (r->exit_kind) {
    case ES_EXIT_SIGNALED:
        return 128 + r->term_signal;
    case ES_EXIT_EXEC_FAILED:
        return 127;
    default:
        return r->exit_code & 0xff;
    }
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double mono_now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* ---- the worker's children -------------------------------------------- */

static int pidvec_push(pidvec *pv, pid_t pid)
{
    if (pv->n == pv->cap) {
        size_t cap = pv->cap ? pv->cap * 2 : 16;
        pid_t *v = realloc(pv->v, cap * sizeof *v);
        if (v == NULL)
            return -ENOMEM;
        pv->v = v;
        pv->cap = cap;
    }
    pv->v[pv->n++] = pid;
    return 0;
}

static int pidvec_has(const pidvec *pv, pid_t pid)
{
    for (size_t i = 0; i < pv->n; i++)
        if (pv->v[i] == pid)
            return 1;
    return 0;
}

static int add_kid(sup *s, pid_t pid)
{
    if (pid <= 0 || pid == s->main_pid || pidvec_has(&s->foreign, pid))
        return 0;
    return pidvec_push(&s->kids, pid);
}

/* Children of the worker by the kernel's own list.  The worker is single
 * threaded, so all its children (forked or re-parented) hang on its main
 * thread.  -ENOENT when the kernel was built without the file. */
static int list_from_children_file(sup *s)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)s->self);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    int pid, rc = 0;
    while (rc == 0 && fscanf(f, "%d", &pid) == 1)
        rc = add_kid(s, pid);
    fclose(f);
    return 0;
}

/* utime+stime+cutime+cstime (clock ticks), and ppid and rss (pages) of
 * pid when asked for; -1 when gone. */
static long long proc_ticks(const char *pid, int *ppid, long *rss_pages)
{
    char path[288], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime vsize rss ...": comm may hold spaces. */
    const char *p = strrchr(buf, ')');
    unsigned long long ut, st;
    long long cut, cst;
    long rss = 0;
    int pp;
    if (p == NULL ||
        sscanf(p + 1,
               " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld %*d %*d %*d %*d "
               "%*u %*u %ld",
               &pp, &ut, &st, &cut, &cst, &rss) < 5)
        return -1;
    if (ppid != NULL)
        *ppid = pp;
    if (rss_pages != NULL)
        *rss_pages = rss;
    return (long long)(ut + st) + cut + cst;
}

/* Children of the worker by scanning every process's parent. */
static int list_from_proc_scan(sup *s)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -errno;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        int ppid;
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && proc_ticks(e->d_name, &ppid, NULL) >= 0 &&
            ppid == s->self)
            rc = add_kid(s, (pid_t)atoi(e->d_name));
    }
    closedir(d);
    return 0;
}

static int list_children(sup *s)
{
    s->kids.n = 0;
    if (!s->use_proc_scan) {
        int rc = list_from_children_file(s);
        if (rc != -ENOENT)
            return rc;
        s->use_proc_scan = 1;
    }
    return list_from_proc_scan(s);
}

/* Notice the main process's end (leaving it a zombie), reap every other
 * child that has ended, and leave the living ones in s->kids. */
static int reap(sup *s)
{
    if (!s->main_done) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)s->main_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid == s->main_pid)
            s->main_done = 1;
    }
    for (;;) {
        int rc = list_children(s);
        if (rc < 0)
            return rc;
        size_t reaped = 0;
        for (size_t i = 0; i < s->kids.n; i++)
            if (waitpid(s->kids.v[i], NULL, WNOHANG) > 0)
                reaped++;
        if (reaped == 0)
            break;
    }
    return 0;
}

/* ---- live CPU time and RSS of the tree (samples, shared attribution) ---- */

static double timeval_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* Push the children of pid (of all its threads) onto s->walk. */
static void push_children(sup *s, pid_t pid)
{
    char path[96];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return; /* gone meanwhile */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char cpath[160];
        snprintf(cpath, sizeof cpath, "/proc/%d/task/%.16s/children", (int)pid, e->d_name);
        FILE *f = fopen(cpath, "re");
        if (f == NULL)
            continue;
        int child;
        while (fscanf(f, "%d", &child) == 1 && pidvec_push(&s->walk, child) == 0)
            ;
        fclose(f);
    }
    closedir(d);
}

/* The roots of the tree: the main process (a zombie still counts, its pid
 * pinned) and the worker's other children, already listed by reap(). */
static void push_roots(sup *s)
{
    s->walk.n = 0;
    (void)pidvec_push(&s->walk, s->main_pid);
    for (size_t i = 0; i < s->kids.n; i++)
        (void)pidvec_push(&s->walk, s->kids.v[i]);
}

/* Clock ticks of the live tree, through the children files; *rss gets the
 * largest resident set (pages) of its processes. */
static long long walk_ticks(sup *s, long *rss)
{
    long long ticks = 0;
    size_t visited = 0;
    push_roots(s);
    /* Bounded in case pid reuse ever made the walk revisit a process. */
    while (s->walk.n > 0 && visited++ < 65536) {
        pid_t pid = s->walk.v[--s->walk.n];
        char name[16];
        snprintf(name, sizeof name, "%d", (int)pid);
        long pages = 0;
        long long t = proc_ticks(name, NULL, &pages);
        if (t < 0)
            continue;
        ticks += t;
        if (pages > *rss)
            *rss = pages;
        push_children(s, pid);
    }
    return ticks;
}

/* Clock ticks of the live tree, by one scan of /proc: a process belongs to
 * the tree when its parent does, so keep adding until nothing changes.
 * *rss as for walk_ticks(). */
static long long scan_ticks(sup *s, long *rss)
{
    typedef struct proc_row {
        pid_t pid, ppid;
        long long ticks;
        long rss;
        int in;
    } proc_row;
    proc_row *rows = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        int ppid = 0;
        long pages = 0;
        long long t = proc_ticks(e->d_name, &ppid, &pages);
        if (t < 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            proc_row *r = realloc(rows, ncap * sizeof *r);
            if (r == NULL)
                break;
            rows = r;
            cap = ncap;
        }
        rows[n++] = (proc_row){(pid_t)atoi(e->d_name), (pid_t)ppid, t, pages, 0};
    }
    closedir(d);
    push_roots(s);
    for (size_t i = 0; i < n; i++)
        rows[i].in = pidvec_has(&s->walk, rows[i].pid);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; !rows[i].in && j < n; j++)
                if (rows[j].in && rows[j].pid == rows[i].ppid)
                    rows[i].in = changed = 1;
    }
    long long ticks = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].in)
            continue;
        ticks += rows[i].ticks;
        if (rows[i].rss > *rss)
            *rss = rows[i].rss;
    }
    free(rows);
    return ticks;
}

/* The CPU seconds of every process that has run in the trial's cgroup,
 * into *cpu_s; 0, or -1 when not contained or cpu.stat is unreadable. */
static int cgroup_cpu_s(const sup *s, double *cpu_s)
{
    long long usec;
    if (!s->contained || es_cgroup_cpu_usec(&s->cg, &usec) != 0)
        return -1;
    *cpu_s = (double)(usec - s->cg_usec0) * 1e-6;
    return 0;
}

/* Put into u the user+system CPU seconds the trial's tree has used so far
 * (live processes plus the reaped ones, or the cgroup's count when
 * contained; never less than the last figure) and the largest RSS seen so
 * far.  Call right after reap(), which lists s->kids. */
static void tree_usage(sup *s, es_meter_usage *u)
{
    struct rusage ru;
    double reaped = 0;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        reaped = timeval_s(ru.ru_utime) + timeval_s(ru.ru_stime);
        if (ru.ru_maxrss > 0 && ru.ru_maxrss > s->rss_hi_kb)
            s->rss_hi_kb = ru.ru_maxrss;
    }
    long pages = 0;
    long long ticks = s->use_proc_scan ? scan_ticks(s, &pages) : walk_ticks(s, &pages);
    double cpu = reaped + (double)ticks / (double)s->clk_tck;
    (void)cgroup_cpu_s(s, &cpu); /* exact where it can be read */
    if (cpu > s->cpu_hi)
        s->cpu_hi = cpu;
    if (pages > 0 && pages * s->page_kb > s->rss_hi_kb)
        s->rss_hi_kb = pages * s->page_kb;
    u->live_cpu_s = s->cpu_hi;
    u->peak_rss_kb = s->rss_hi_kb;
}

/* ---- stopping ------------------------------------------------------------ */

/* SIGTERM, then SIGCONT so that a stopped process can act on it (a SIGTERM
 * stays pending in a stopped process; SIGKILL needs no such help). */
static void term_one(pid_t target)
{
    if (kill(target, SIGTERM) == 0)
        (void)kill(target, SIGCONT);
}

static int push_cgroup_pid(void *ctx, pid_t pid)
{
    sup *s = ctx;
    if (pid == s->self || pidvec_has(&s->foreign, pid))
        return 0; /* never the worker's own, whatever the cgroup holds */
    return pidvec_push(&s->cgpids, pid);
}

/* List the processes in the trial's cgroup into s->cgpids (none when not
 * contained; a failed listing leaves the kill to cgroup.kill). */
static void list_cgroup(sup *s)
{
    s->cgpids.n = 0;
    if (s->contained)
        (void)es_cgroup_each_pid(&s->cg, push_cgroup_pid, s);
}

/* Note as asked the processes of pv still in the trial's group, which the
 * group's SIGTERM has just reached: do not ask them twice (a second SIGTERM
 * can cut short a graceful exit). */
static void mark_group_asked(sup *s, const pidvec *pv)
{
    for (size_t i = 0; i < pv->n; i++)
        if (getpgid(pv->v[i]) == s->main_pid && !pidvec_has(&s->termed, pv->v[i]))
            (void)pidvec_push(&s->termed, pv->v[i]);
}

static void begin_teardown(sup *s, double now)
{
    s->phase = TERMINATING;
    s->deadline = now + s->opts->grace_s;
    term_one(-s->main_pid);
    list_cgroup(s);
    mark_group_asked(s, &s->kids);
    mark_group_asked(s, &s->cgpids);
}

/* Forget SIGTERMs sent to processes that are gone, neither a child nor in
 * the cgroup (their pids may be reused by new processes, which deserve a
 * SIGTERM of their own).  Call with both lists fresh. */
static void forget_gone(sup *s)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->termed.n; i++) {
        pid_t pid = s->termed.v[i];
        if (pidvec_has(&s->kids, pid) || pidvec_has(&s->cgpids, pid))
            s->termed.v[keep++] = pid;
    }
    s->termed.n = keep;
}

/* SIGTERM every process of pv not yet asked, e.g. a child re-parented
 * since, or a process of the cgroup that left the tree and the group. */
static void term_new(sup *s, const pidvec *pv)
{
    for (size_t i = 0; i < pv->n; i++) {
        pid_t pid = pv->v[i];
        if (!pidvec_has(&s->termed, pid) && pidvec_push(&s->termed, pid) == 0)
            term_one(pid);
    }
}

static void kill_all(sup *s)
{
    (void)kill(-s->main_pid, SIGKILL);
    for (size_t i = 0; i < s->kids.n; i++)
        (void)kill(s->kids.v[i], SIGKILL);
    if (s->contained)
        (void)es_cgroup_kill(&s->cg); /* everything in it, whatever its parent */
}

/* Move the teardown along; called after every reap. */
static void escalate(sup *s, double now)
{
    if (s->phase == RUNNING && s->main_done)
        begin_teardown(s, now);
    if (s->phase == TERMINATING && now >= s->deadline) {
        s->phase = KILLING;
        s->deadline = now; /* fall through to the first SIGKILL */
    }
    if (s->phase == TERMINATING) {
        list_cgroup(s);
        forget_gone(s);
        term_new(s, &s->kids);
        term_new(s, &s->cgpids);
    } else if (s->phase == KILLING) {
        kill_all(s);
        if (now >= s->deadline)
            s->deadline = now + REKILL_S;
    }
}

/* ---- starting ------------------------------------------------------------ */

/* The trial's first process, started by start_trial(): what it execs, and
 * where it leaves the reason when exec fails. */
typedef struct trial_exec {
    char *const *argv;
    int result_fd;
    pid_t worker;
    int procs_fd;   /* the trial's cgroup.procs, to write "0" to; or -1 */
    int stdout_fd;  /* the relay's pipe, to become its stdout; or -1 */
    int join_errno; /* 0 unless writing procs_fd failed */
    int exec_errno; /* 0 unless exec failed */
} trial_exec;

/* Stack of the trial's first process until it execs. */
#define TRIAL_STACK (64 * 1024)

/* In the child: become the trial.  It runs in the worker's memory (see
 * start_trial), so only system calls, and nothing written but its own
 * stack, te->join_errno and te->exec_errno. */
static int exec_trial(void *arg)
{
    trial_exec *te = arg;
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);

    (void)setpgid(0, 0);
    /* If the worker is SIGKILLed, at least the main process follows. */
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != te->worker)
        _exit(127);
    /* Into the trial's cgroup before it can start anything, so that all it
     * ever starts is there too.  If that fails, it still runs, contained by
     * its group only; the worker says so. */
    if (te->procs_fd >= 0) {
        ssize_t n = write(te->procs_fd, "0", 1);
        if (n != 1)
            te->join_errno = n < 0 ? errno : EIO;
    }
    if (te->result_fd >= 0)
        (void)close(te->result_fd);
    if (te->stdout_fd >= 0 && dup2(te->stdout_fd, STDOUT_FILENO) < 0)
        _exit(127);
    for (int sig = 1; sig < NSIG; sig++)
        (void)sigaction(sig, &dfl, NULL);
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(te->argv[0], te->argv);
    te->exec_errno = errno;
    _exit(127);
}

/* Say on stderr that the trial runs without its cgroup, and why. */
static void note_uncontained(const char *why)
{
    fprintf(stderr,
            "ecosweep-worker: --cgroup %s; the trial runs contained by its process group only\n",
            why);
}

/* Open the trial's cgroup (opts->cgroup_dir) into s->cg for start_trial(),
 * noting where it began counting CPU time; its cgroup.procs for the child
 * to write, or -1, with a note, when it cannot be used (it was checked at
 * startup, but may have gone since). */
static int prepare_cgroup(sup *s)
{
    const char *dir = s->opts->cgroup_dir;
    es_err err;
    int rc = es_cgroup_open(&s->cg, dir, &err);
    if (rc == 0 && (rc = es_cgroup_cpu_usec(&s->cg, &s->cg_usec0)) < 0)
        es_err_set(&err, rc, "%s: reading cpu.stat: %s", dir, strerror(-rc));
    if (rc == 0 && (rc = es_cgroup_open_procs(&s->cg)) < 0)
        es_err_set(&err, rc, "%s: opening cgroup.procs: %s", dir, strerror(-rc));
    if (rc < 0) {
        note_uncontained(err.msg);
        es_cgroup_close(&s->cg);
        return -1;
    }
    return s->cg.procs_fd;
}

/* Start the trial in its own process group -- and, with --cgroup, in its
 * cgroup (s->contained says whether it got there); the pid, or -errno with
 * nothing started.  *exec_errno is set when the child could not exec.
 * The child shares the worker's memory and the worker waits until it has
 * exec'd or exited (a vfork, CLONE_VM | CLONE_VFORK): nothing of the worker
 * is copied, and the reasons the move or exec failed are simply read from
 * te.  The child's own setpgid and cgroup move run before its exec, so the
 * group exists, and the trial is in the cgroup, when this returns. */
static pid_t start_trial(sup *s, char *const argv[], int *exec_errno)
{
    const es_worker_opts *opts = s->opts;
    trial_exec te = {argv, opts->result_fd, getpid(), -1, -1, 0, 0};
    if (opts->cgroup_dir != NULL)
        te.procs_fd = prepare_cgroup(s);
    if (opts->phases && s->stdout_ok) {
        int rc = es_relay_open(&s->relay, STDOUT_FILENO, &te.stdout_fd);
        s->relaying = rc == 0;
        if (rc < 0)
            fprintf(stderr, "ecosweep-worker: no pipe for the trial's stdout (%s): no phases\n",
                    strerror(-rc));
        if (rc == 2)
            fprintf(stderr, "ecosweep-worker: note: stdout is a terminal, a device or a datagram "
                            "socket: the trial writes there itself, and its phases are not "
                            "measured\n");
    }
    char *stack = malloc(TRIAL_STACK);
    pid_t pid = -1;
    int e = ENOMEM;
    if (stack != NULL) {
        pid = clone(exec_trial, stack + TRIAL_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &te);
        e = errno;
        free(stack);
    }
    if (te.stdout_fd >= 0)
        (void)close(te.stdout_fd); /* the trial's end alone */
    if (te.procs_fd >= 0) {
        es_cgroup_close_procs(&s->cg);
        s->contained = pid > 0 && te.join_errno == 0;
        if (pid > 0 && !s->contained) {
            char why[ES_ERR_MSG_MAX + 64];
            snprintf(why, sizeof why, "%s: moving the trial into it: %s", opts->cgroup_dir,
                     strerror(te.join_errno));
            note_uncontained(why);
        }
        if (!s->contained)
            es_cgroup_close(&s->cg);
    }
    if (pid < 0)
        return -e;
    *exec_errno = te.exec_errno;
    if (*exec_errno == 0 && opts->result_fd >= 0) {
        /* Tell the coordinator the trial's group at once: if this worker is
         * killed outright, the coordinator stops the trial itself. */
        char line[128];
        int len = es_started_format((long)pid, getenv("SLURM_JOB_ID"), line, sizeof line);
        if (len > 0 && (size_t)len < sizeof line)
            (void)es_worker_write_record(opts, opts->result_fd, line, (size_t)len);
        /* (a failure shows again with the result line) */
    }
    return pid;
}

/* Block the signals the loop reads, and return a signalfd for them. */
static int setup_signals(es_err *err)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* An inherited SIG_IGN for SIGCHLD would make the kernel reap the trial
     * behind our back; a closed result pipe must not kill the worker. */
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGXFSZ, &sa, NULL); /* a file-size limit fails a write (EFBIG), no more */
    /* A background worker writing to a terminal with tostop must not be
     * stopped (the trial would run on unsupervised): the write fails. */
    sigaction(SIGTTOU, &sa, NULL);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
        return es_err_set(err, -errno, "sigprocmask: %s", strerror(errno));
    int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0)
        return es_err_set(err, -errno, "signalfd: %s", strerror(errno));
    return fd;
}

/* Become a subreaper, and ask for SIGTERM when the parent dies.  If the
 * parent is already gone, queue that SIGTERM ourselves. */
static int setup_parent_death(pid_t parent, es_err *err)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return es_err_set(err, -errno, "prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        return es_err_set(err, -errno, "prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    if (getppid() != parent)
        (void)kill(getpid(), SIGTERM);
    return 0;
}

/* ---- the loop ------------------------------------------------------------ */

static void on_signals(sup *s, int sfd, double now)
{
    struct signalfd_siginfo si[16];
    ssize_t n;
    while ((n = read(sfd, si, sizeof si)) > 0) {
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
            int sig = (int)si[i].ssi_signo;
            if (sig == SIGCHLD)
                continue; /* the loop reaps on every wake-up */
            if (s->phase == RUNNING && !s->main_done) {
                s->stop_signal = sig;
                begin_teardown(s, now);
            }
        }
    }
}

static int poll_timeout_ms(double until, double now)
{
    double ms = ceil((until - now) * 1000.0);
    if (ms < 0)
        return 0;
    return ms > 3600e3 ? 3600 * 1000 : (int)ms;
}

/* The next time of a periodic timer that was due at *next. */
static void advance(double *next, double period, double now)
{
    *next += period;
    if (*next <= now)
        *next = now + period;
}

int es_worker_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int es_worker_write_record(const es_worker_opts *o, int fd, const char *line, size_t len)
{
    char buf[4096];
    if (!o->mark_records)
        return es_worker_write_all(fd, line, len);
    if (len + 1 <= sizeof buf) {
        buf[0] = ES_RECORD_MARK;
        memcpy(buf + 1, line, len);
        return es_worker_write_all(fd, buf, len + 1);
    }
    char mark = ES_RECORD_MARK;
    int rc = es_worker_write_all(fd, &mark, 1);
    return rc != 0 ? rc : es_worker_write_all(fd, line, len);
}

/* Write one sample line with the energy so far, unless the result
 * descriptor cannot take it now (see the top of this file). */
static void report_sample(const sup *s, es_meter *meter, const es_meter_usage *u)
{
    es_sample smp;
    if (meter != NULL) {
        (void)es_meter_peek(meter, u, &smp); /* a failing back end leaves its parts to others */
    } else {
        es_sample_init(&smp);
        smp.wall_s = u->wall_s;
        smp.cpu_s = u->live_cpu_s;
    }
    char line[512];
    int len = es_sample_format(&smp, line, sizeof line);
    if (len <= 0 || (size_t)len >= sizeof line)
        return;
    /* A pipe that polls writable has room for a line this short (under
     * PIPE_BUF, so also written whole). */
    struct pollfd p = {s->opts->result_fd, POLLOUT, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0)
        (void)es_worker_write_record(s->opts, s->opts->result_fd, line, (size_t)len);
}

/* The trial printed a phase marker: read the energy so far (once for the
 * markers of one read) and start the phase. */
static void on_marker(void *ud, const char *name)
{
    sup *s = ud;
    double now = mono_now();
    if (!s->over && !(now - s->mark_t < 1e-3)) {
        es_meter_usage u = {.trial_pgid = s->main_pid,
                            .wall_s = now - s->t0,
                            .cpu_s = NAN,
                            .peak_rss_kb = -1,
                            .live_cpu_s = NAN};
        es_sample smp;
        es_sample_init(&smp);
        if (s->meter != NULL) {
            tree_usage(s, &u);
            es_meter_sample(s->meter, &u);
            (void)es_meter_peek(s->meter, &u, &smp);
        }
        s->mark_t = now;
        s->mark_j[0] = smp.cpu.method == ES_EM_NONE ? NAN : smp.cpu.j;
        s->mark_j[1] = smp.dram.method == ES_EM_NONE ? NAN : smp.dram.j;
        s->mark_j[2] = smp.gpu.method == ES_EM_NONE ? NAN : smp.gpu.j;
    }
    if (es_phase_clock_enter(&s->phases, name, s->mark_t - s->t0, s->mark_j) != 0 &&
        s->phases.dropped == 1)
        fprintf(stderr,
                "ecosweep-worker: phase '%s' is past the %d phase names a trial keeps: its "
                "markers are ignored\n",
                name, ES_PHASES_MAX);
}

static int supervise(sup *s, int sfd, es_meter *meter, double t0, es_err *err)
{
    const double period = s->opts->sample_ms / 1000.0;
    const double report_period = s->opts->report_ms / 1000.0;
    const int shared = s->opts->meter.attribution == ES_ATTR_SHARED;
    double next_sample = t0 + period;
    double next_report = s->report ? t0 + report_period : INFINITY;
    for (;;) {
        int rc = reap(s);
        if (rc < 0)
            return es_err_set(err, rc, "listing the trial's processes: %s", strerror(-rc));
        if (s->main_done && s->kids.n == 0)
            return 0;
        double now = mono_now();
        escalate(s, now);
        int sample_due = now >= next_sample, report_due = now >= next_report;
        if (sample_due || report_due) {
            es_meter_usage u = {.trial_pgid = s->main_pid,
                                .wall_s = now - t0,
                                .cpu_s = NAN,
                                .peak_rss_kb = -1,
                                .live_cpu_s = NAN};
            /* One walk of the tree serves both when they fall together. */
            if (report_due || (sample_due && shared && meter != NULL))
                tree_usage(s, &u);
            /* Sample first, so that a peek at the same moment includes it. */
            if (sample_due && meter != NULL)
                es_meter_sample(meter, &u);
            if (report_due)
                report_sample(s, meter, &u);
            if (sample_due)
                advance(&next_sample, period, now);
            if (report_due)
                advance(&next_report, report_period, now);
        }
        double until = next_sample < next_report ? next_sample : next_report;
        if (s->phase != RUNNING && s->deadline < until)
            until = s->deadline;
        struct pollfd pfd[3] = {{sfd, POLLIN, 0}, {-1, 0, 0}, {-1, 0, 0}};
        if (s->relaying) {
            pfd[1] = (struct pollfd){s->relay.in_fd, es_relay_in_events(&s->relay), 0};
            pfd[2] =
                (struct pollfd){es_relay_poll_fd(&s->relay), es_relay_out_events(&s->relay), 0};
            pfd[1].fd = pfd[1].events ? pfd[1].fd : -1;
            pfd[2].fd = pfd[2].events ? pfd[2].fd : -1;
        }
        if (poll(pfd, 3, poll_timeout_ms(until, now)) > 0) {
            if (pfd[0].revents != 0)
                on_signals(s, sfd, mono_now());
            if (pfd[1].revents != 0 || pfd[2].revents != 0)
                es_relay_pump(&s->relay, on_marker, s);
        }
    }
}

/* Whatever is still in the trial's cgroup once the worker has no child
 * left descends from no child of the worker, so the teardown could not
 * count on reaching it: kill it through the cgroup, and wait for the
 * cgroup to empty -- briefly, never forever. */
static void sweep_cgroup(const sup *s)
{
    if (!s->contained || es_cgroup_populated(&s->cg) != 1)
        return;
    (void)es_cgroup_kill(&s->cg);
    if (es_cgroup_wait_empty(&s->cg, SWEEP_WAIT_S) == 0)
        fprintf(stderr, "ecosweep-worker: --cgroup %s: still populated %g s after cgroup.kill\n",
                s->opts->cgroup_dir, SWEEP_WAIT_S);
}

static void fill_usage(const sup *s, es_result *out, double t0, double real0)
{
    struct rusage ru;
    out->wall_s = mono_now() - t0;
    out->start_unix = real0;
    out->end_unix = clock_s(CLOCK_REALTIME);
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        out->cpu_s = timeval_s(ru.ru_utime) + timeval_s(ru.ru_stime);
        out->peak_rss_kb = ru.ru_maxrss;
    }
    /* The cgroup also counts what the worker never reaped (processes
     * reaped by a parent that ignores SIGCHLD, ones outside the tree). */
    (void)cgroup_cpu_s(s, &out->cpu_s);
    if (gethostname(out->host, sizeof out->host) != 0)
        out->host[0] = '\0';
    out->host[sizeof out->host - 1] = '\0';
}

static void fill_status(es_result *out, int status, int exec_errno)
{
    if (exec_errno != 0) {
        out->exit_kind = ES_EXIT_EXEC_FAILED;
        out->exec_errno = exec_errno;
        out->exit_code = 127;
    } else if (WIFSIGNALED(status)) {
        out->exit_kind = ES_EXIT_SIGNALED;
        out->term_signal = WTERMSIG(status);
    } else {
        out->exit_kind = ES_EXIT_EXITED;
        out->exit_code = WEXITSTATUS(status);
    }
}

/* Each line of notes as "ecosweep-worker: note: LINE" on stderr. */
static void print_notes(const char *notes)
{
    while (*notes != '\0') {
        size_t len = strcspn(notes, "\n");
        fprintf(stderr, "ecosweep-worker: note: %.*s\n", (int)len, notes);
        notes += len + (notes[len] == '\n');
    }
}

int es_worker_run(const es_worker_opts *opts, char *const argv[], es_result *out, es_err *err)
{
    sup s;
    memset(&s, 0, sizeof s);
    s.opts = opts;
    s.self = getpid();
    s.clk_tck = sysconf(_SC_CLK_TCK);
    if (s.clk_tck <= 0)
        s.clk_tck = 100; /* USER_HZ on every Linux architecture */
    long page = sysconf(_SC_PAGESIZE);
    s.page_kb = page >= 1024 ? page / 1024 : 4;
    s.rss_hi_kb = -1;
    es_cgroup_init(&s.cg);
    es_result_init(out);

    /* Before any descriptor is made: a closed stdout would be taken by the
     * first (the signalfd), and the relay would write there. */
    int out_fl = fcntl(STDOUT_FILENO, F_GETFL);
    s.stdout_ok = out_fl >= 0 && (out_fl & O_ACCMODE) != O_RDONLY;
    pid_t parent = opts->parent_pid > 0 ? opts->parent_pid : getppid();
    if (opts->result_fd >= 0 && fcntl(opts->result_fd, F_SETFD, FD_CLOEXEC) != 0)
        return es_err_set(err, -errno, "--result-fd %d: %s", opts->result_fd, strerror(errno));
    int sfd = setup_signals(err);
    if (sfd < 0)
        return sfd;
    int rc = setup_parent_death(parent, err);
    s.main_pid = -1;
    if (rc == 0 && (rc = list_children(&s)) < 0)
        es_err_set(err, rc, "cannot list child processes (is /proc mounted?): %s", strerror(-rc));
    /* Children the process had before it became the worker (a shell that
     * exec'd it may leave some) are not the trial's: never signal them. */
    pidvec tmp = s.foreign;
    s.foreign = s.kids;
    s.kids = tmp;
    if (rc < 0) {
        close(sfd);
        free(s.foreign.v);
        return rc;
    }
    es_meter *meter = NULL;
    es_err merr;
    es_err_clear(&merr);
    if (es_meter_create(&opts->meter, &meter, &merr) != 0 || es_meter_start(meter, &merr) != 0) {
        fprintf(stderr, "ecosweep-worker: no energy meter: %s\n", merr.msg);
        es_meter_destroy(meter);
        meter = NULL;
    } else {
        print_notes(es_meter_notes(meter));
    }
    double real0 = clock_s(CLOCK_REALTIME);
    double t0 = mono_now();
    int exec_errno = 0, status = 0;
    s.meter = meter;
    s.t0 = t0;
    s.mark_t = -INFINITY;
    es_phase_clock_init(&s.phases);
    pid_t pid = start_trial(&s, argv, &exec_errno);
    if (pid < 0) {
        exec_errno = (int)-pid;
    } else {
        s.main_pid = pid;
        s.report = exec_errno == 0 && opts->result_fd >= 0 && opts->report_ms > 0;
        es_err serr;
        es_err_clear(&serr);
        if (supervise(&s, sfd, meter, t0, &serr) != 0) {
            /* Cannot see the tree any more: take down what we can reach,
             * and still report the trial. */
            fprintf(stderr, "ecosweep-worker: %s\n", serr.msg);
            (void)kill(-pid, SIGKILL);
        }
        sweep_cgroup(&s);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    free(s.kids.v);
    free(s.termed.v);
    free(s.foreign.v);
    free(s.walk.v);
    free(s.cgpids.v);

    fill_usage(&s, out, t0, real0);
    fill_status(out, status, exec_errno);
    out->stop_signal = s.stop_signal;
    out->containment = s.contained ? ES_CONTAIN_CGROUP : ES_CONTAIN_PGROUP;
    es_cgroup_close(&s.cg);
    if (meter != NULL) {
        es_meter_usage u = {.trial_pgid = pid > 0 ? pid : 0,
                            .wall_s = out->wall_s,
                            .cpu_s = out->cpu_s,
                            .peak_rss_kb = out->peak_rss_kb,
                            .live_cpu_s = out->cpu_s};
        es_meter_stop(meter, &u, out);
        es_meter_destroy(meter);
    }
    /* The trial is over, its figures final: what its output still holds
     * is passed on now (the time a slow reader takes is not the trial's),
     * and a marker in it starts a phase at the end. */
    s.meter = NULL;
    s.over = 1;
    s.mark_t = t0 + out->wall_s;
    s.mark_j[0] = out->cpu.method == ES_EM_NONE ? NAN : out->cpu.j;
    s.mark_j[1] = out->dram.method == ES_EM_NONE ? NAN : out->dram.j;
    s.mark_j[2] = out->gpu.method == ES_EM_NONE ? NAN : out->gpu.j;
    if (s.relaying)
        es_relay_finish(&s.relay, sfd, s.stop_signal ? (opts->grace_s > 1 ? opts->grace_s : 1) : -1,
                        on_marker, &s);
    close(sfd);
    es_phase_clock_close(&s.phases, out->wall_s, s.mark_j, out);
    return 0;
}
