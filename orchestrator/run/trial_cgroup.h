/*
 * trial_cgroup.h -- the cgroups a coordinator makes for its trials.
 *
 * Where cgroup v2 is writable (root, or a subtree delegated to the user),
 * the coordinator makes a parent cgroup beside itself, "ecosweep-PID.START"
 * in the cgroup it runs in (START its start time in clock ticks since
 * boot: with the pid, a name no later process can take), and one child
 * per trial, "trial-N-K" (N the
 * trial's number, K a count within this coordinator, so that a number run
 * again never meets its earlier attempt's cgroup); the worker puts the
 * trial in it (`ecosweep-worker --cgroup DIR`).  Whatever the trial starts
 * stays in it however it detaches (setsid, double fork), so writing
 * cgroup.kill stops all of it: the worker does at teardown, the
 * coordinator does when the worker was killed outright, and a resume does
 * for the trials a dead coordinator lost.  Without cgroups every trial is
 * held by its process group and the worker as a subreaper, as before, and
 * each trial's record says which containment it had.
 *
 * Paths are the caller's buffers; functions return 0 or a negative code
 * with a message in err.
 */
#ifndef ES_TRIAL_CGROUP_H
#define ES_TRIAL_CGROUP_H

#include <stddef.h>

#include "err.h"

/* Make this coordinator's parent cgroup (0755) and put its path in out:
 * 0; or a negative code when cgroup v2 cannot hold trials here (not
 * mounted, not writable, a kernel without cgroup.kill), err saying why. */
int es_tcg_parent_create(char *out, size_t cap, es_err *err);

/* Remove the parent cgroup (once its trials' cgroups are gone). */
void es_tcg_parent_remove(const char *parent);

/* Make the cgroup of trial `number` (the k-th of this coordinator) below
 * parent, its path in out. */
int es_tcg_trial_create(const char *parent, long long number, unsigned k, char *out, size_t cap,
                        es_err *err);

/* Kill every process in the trial cgroup at path and in the cgroups below
 * it (a trial may make its own), and remove them all.  Only a cgroup this
 * module made is touched: its name and its parent's are checked, no link
 * is followed on the way to it (a path from a database row could lead
 * anywhere), it must be a cgroup v2 directory, and the coordinator that
 * made it must be this process or gone (-EPERM otherwise: a live
 * coordinator's trials are its own).  *killed (when not NULL) receives how
 * many processes were still there.  0; -EBUSY when they have not all
 * exited yet (call again); -ENOENT when it is gone already; another
 * negative code. */
int es_tcg_release(const char *path, int *killed /* OUT */, es_err *err);

/* Kill what is in the trial cgroup at path (checked as above), leaving it
 * in place. */
int es_tcg_kill(const char *path);

#endif
