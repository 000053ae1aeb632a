/*
 * sweep_exec.h -- running `ecosweep` in the background from an end-to-end
 * test (to kill or signal it), reading what it printed, and loading the
 * database it wrote, and checking that no trial process outlives it.
 * Shared by test_sweep.c, test_resume.c and test_prune.c; for a plain
 * run-and-wait, cli_exec.h serves.
 */
#ifndef ES_TEST_SWEEP_EXEC_H
#define ES_TEST_SWEEP_EXEC_H

#include <sys/types.h>

#include "store.h"

/* "<es_test_tmpdir()>/name", in one of four rotating static buffers. */
const char *es_sx_path(const char *name);

/* Start `ecosweep ARGS... --db DB EXTRA...` (both lists NULL-terminated;
 * extra may be NULL) in es_test_tmpdir(), its output in the files stdout
 * and stderr there.  Returns the child's pid. */
pid_t es_sx_start(const char *db, const char *const *args, const char *const *extra);
/* es_sx_start from directory dir instead (its outputs still in
 * es_test_tmpdir()). */
pid_t es_sx_start_in(const char *dir, const char *db, const char *const *args,
                     const char *const *extra);
/* The same in a process group of its own (its pid), which the workers it
 * starts share, so that kill(-pid, SIGKILL) kills them together. */
pid_t es_sx_start_group(const char *db, const char *const *args, const char *const *extra);

/* Wait for pid; its exit code, or 128 + the signal that killed it. */
int es_sx_finish(pid_t pid);

/* A file's text (up to 64 KiB) in a static buffer, or NULL. */
char *es_sx_slurp(const char *path);

/* Print the last command's stdout and stderr to stderr. */
void es_sx_show_output(void);

/* Everything in the database at db (the test fails if it cannot). */
es_store_data *es_sx_load(const char *db);

/* The database at db passes PRAGMA integrity_check (else the test fails). */
void es_sx_check_integrity(const char *db);

/* Live processes (workers and trials; zombies excluded) whose environment
 * names a trial directory of the database db (ECOSWEEP_TRIAL_DIR=db.d/...);
 * with show, each one is printed to stderr with its command line. */
int es_sx_trial_processes(const char *db, int show);

/* Wait up to 15 s for every trial process of db to be gone, seen gone on
 * three scans 20 ms apart (workers stop their trials themselves, and a
 * sanitizer build under a parallel test run is slow to), then fail the
 * test naming any that outlives the wait. */
void es_sx_wait_orphans_gone(const char *db);

#endif
