/*
 * rapl_fake.h -- fake hardware for the RAPL tests (test_rapl.c): powercap
 * zone trees and a /proc/stat in the test's temporary directory, a helper
 * process that drives them like a real machine, and the ecosweep-worker
 * binary (run by worker_runner.c) pointed at them.
 *
 * Counter files are written as fixed-width numbers ("%015llu\n") and always
 * rewritten in place with pwrite, never truncated or replaced, because the
 * worker keeps them open and re-reads them with pread, as it does on sysfs.
 * Every function stops the test (ES_FAIL) when the fake cannot be built.
 * Returned paths live in static storage valid for the whole test.
 */
#ifndef ES_TEST_RAPL_FAKE_H
#define ES_TEST_RAPL_FAKE_H

#include "result.h"
#include "worker_runner.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* tmpdir/name. */
const char *fake_path(const char *name);

/* A fresh directory tmpdir/label to use as a powercap or proc root. */
const char *fake_root(const char *label);

/* Create zone directory root/entry (entry may be nested, "intel-rapl:1/
 * intel-rapl:1:0", its parent made first) with name, energy_uj = uj and
 * max_energy_range_uj = range.  Returns the energy_uj path. */
const char *fake_zone(const char *root, const char *entry, const char *name, uint64_t uj,
                      uint64_t range);

/* Set the counter at path (an energy_uj) to uj, in place. */
void fake_set(const char *path, uint64_t uj);

/* Make the energy_uj at path unreadable even for root: chmod 000 when not
 * root, else a link to a write-only sysctl (EACCES for root too), else a
 * directory (EISDIR).  1 when reading it now fails with EACCES. */
int fake_make_unreadable(const char *path);

typedef struct fake_proc {
    char dir[4096];  /* the ECOSWEEP_PROC_ROOT */
    char stat[4200]; /* dir/stat */
} fake_proc;

/* Prepare dir as a proc root holding a stat file of zeros. */
void fake_proc_init(fake_proc *p, const char *dir);

/* Rewrite the first line of p's stat: "cpu  " and the ten fields user nice
 * system idle iowait irq softirq steal guest guest_nice (clock ticks). */
void fake_proc_stat(fake_proc *p, const uint64_t f[10]);

/* A process playing a machine that runs nothing but the given workers'
 * trials: every 3 ms it sets the busy time of p's stat (user) to the CPU
 * ticks of the workers' process trees (utime+stime+cutime+cstime of every
 * descendant, found by a scan of /proc) and the counter at energy_uj to
 * e0 + k_uj per tick.  Start it once the workers run (their pids are
 * needed): until then the counter stays at e0 and the stat at zero. */
#define FAKE_HELPER_MAX 4
typedef struct fake_helper {
    pid_t pid;
    int stop_fd;
    char energy[4096];
} fake_helper;

void fake_helper_start(fake_helper *h, fake_proc *p, const char *energy_uj, uint64_t e0,
                       uint64_t k_uj, const pid_t *workers, size_t n_workers);
/* Stop the helper after one last update; the counter's final value. */
uint64_t fake_helper_stop(fake_helper *h);

/* Start, or run to the end (worker_run), `ecosweep-worker --result-fd 9
 * OPTS... -- TRIAL...` with ECOSWEEP_POWERCAP_ROOT=root in its environment
 * (see worker_runner.h; finish a started one with worker_finish). */
void fake_worker_start(worker_proc *w, const char *root, const char *const *opts,
                       const char *const *trial);
void fake_worker_run(worker_proc *w, const char *root, const char *const *opts,
                     const char *const *trial);

#endif
