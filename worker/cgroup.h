/*
 * cgroup.h -- the trial's cgroup v2 directory (ecosweep-worker --cgroup DIR).
 *
 * The coordinator creates one empty cgroup v2 directory per trial and names
 * it with --cgroup.  The worker moves the trial's first process into it
 * before that process can start any other (run.c), so every process of the
 * trial runs in it, however it detaches; at teardown the worker signals what
 * it holds and kills it through cgroup.kill, and it reads the trial's CPU
 * time from its cpu.stat, which counts every process that ever ran there,
 * reaped or not.  Should the worker itself die, the coordinator can still
 * write cgroup.kill: it uses the same functions (es_cgroup_attach), so both
 * programs handle a trial's cgroup the same way.
 *
 * Every file is reached through the directory descriptor es_cgroup_open()
 * checked, never by its path again, so what was checked is what is used.
 * Needs Linux >= 5.14 (cgroup.kill).
 *
 * Ownership: an es_cgroup is the caller's (on the stack or in a struct);
 * es_cgroup_init() makes it closed, es_cgroup_close() closes what it holds
 * and may be called on a closed one.  Functions return 0 or -errno.
 */
#ifndef ES_WORKER_CGROUP_H
#define ES_WORKER_CGROUP_H

#include "err.h"

#include <sys/types.h>

typedef struct es_cgroup {
    int dir_fd;   /* the cgroup's directory, or -1 */
    int procs_fd; /* its cgroup.procs open for writing (es_cgroup_open_procs), or -1 */
} es_cgroup;

/* Make cg closed (both descriptors -1). */
void es_cgroup_init(es_cgroup *cg);

/*
 * Open dir as a cgroup this module can work with: a directory on a cgroup2
 * filesystem (statfs f_type CGROUP2_SUPER_MAGIC) with cgroup.procs,
 * cgroup.kill, cgroup.events and cpu.stat -- so never the root cgroup,
 * which lacks cgroup.kill.  Processes may be in it: the coordinator
 * attaches to a trial's cgroup to kill what is left there.  0, or a
 * negative code with a message in err that begins with dir (cg is left
 * closed).
 */
int es_cgroup_attach(es_cgroup *cg /* OUT */, const char *dir, es_err *err);
/* The same on an opened directory fd (which cg then owns, or which is
 * closed on failure); dir names it in messages. */
int es_cgroup_attach_fd(es_cgroup *cg /* OUT */, int fd, const char *dir, es_err *err);

/*
 * es_cgroup_attach(), and check that dir can hold one trial: no process in
 * it or below it ("populated 0"), since cgroup.kill must never reach a
 * process that is not the trial's, the worker's own included.  As
 * es_cgroup_attach (-EBUSY when populated).  What --cgroup DIR must pass.
 */
int es_cgroup_open(es_cgroup *cg /* OUT */, const char *dir, es_err *err);

/* Open cg's cgroup.procs for writing into cg->procs_fd (close-on-exec): the
 * trial's first process writes "0" there to move itself in. */
int es_cgroup_open_procs(es_cgroup *cg);

/* Close cg->procs_fd only (after the trial has moved in, or failed to). */
void es_cgroup_close_procs(es_cgroup *cg);

/* Close both descriptors; cg is closed afterwards. */
void es_cgroup_close(es_cgroup *cg);

/* Call fn(ctx, pid) for each process now in the cgroup (cgroup.procs; a
 * process that has exited, zombie or not, is not listed).  0, -errno, or
 * the first nonzero value fn returns, which stops the listing. */
int es_cgroup_each_pid(const es_cgroup *cg, int (*fn)(void *ctx, pid_t pid), void *ctx);

/* SIGKILL every process in the cgroup and below it, at once and without
 * the races of signalling pids (writes "1" to cgroup.kill). */
int es_cgroup_kill(const es_cgroup *cg);

/* 1 when a live process is in the cgroup or below it, 0 when none is
 * ("populated" of cgroup.events), or -errno. */
int es_cgroup_populated(const es_cgroup *cg);

/* Wait until the cgroup is empty, at most timeout_s seconds: 1 once it is,
 * 0 when it is still populated at the deadline, or -errno. */
int es_cgroup_wait_empty(const es_cgroup *cg, double timeout_s);

/* The CPU time (user + system) of every process that ever ran in the
 * cgroup, in microseconds ("usage_usec" of cpu.stat), into *usec. */
int es_cgroup_cpu_usec(const es_cgroup *cg, long long *usec /* OUT */);

#endif
