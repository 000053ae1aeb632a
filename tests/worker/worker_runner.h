/*
 * worker_runner.h -- the one way the worker tests run the built
 * ecosweep-worker binary ($ES_BUILD_DIR/ecosweep-worker) and collect what it
 * wrote.  test_run.c, test_nvml.c, test_estimate.c and the RAPL fakes
 * (rapl_fake.c) all start it here: `ecosweep-worker [--result-fd 9] OPTS...
 * -- TRIAL...` with stdin on /dev/null and its stdout, stderr and result
 * descriptor (fd 9) on pipes, optionally with extra environment entries set
 * in the child only.  worker_finish() reads all three streams (polling, so
 * no pipe fills up), waits for the worker -- at most 10 s in all, after which
 * it kills the worker and fails the test -- and parses the result line,
 * which on the result descriptor follows the "ecosweep-started v=1 pgid=N"
 * line and any "ecosweep-sample" lines.  Every function stops the test
 * (ES_FAIL) on failure.
 */
#ifndef ES_TEST_WORKER_RUNNER_H
#define ES_TEST_WORKER_RUNNER_H

#include "result.h"

#include <stddef.h>
#include <sys/types.h>

/* The descriptor the worker gets as --result-fd. */
#define WORKER_RESULT_FD 9
/* Each stream keeps its first WORKER_BUF - 1 bytes (NUL-terminated); room
 * for a few hundred sample lines before the result. */
#define WORKER_BUF 65536

/* How to start the worker, beyond its options and the trial. */
typedef struct worker_setup {
    /* 1: pass no --result-fd, so the worker writes its result on stderr. */
    int no_result_fd;
    /* NULL-terminated entries applied in the child only, in order: NAME=VALUE
     * sets NAME, a bare NAME unsets it.  NULL: the test's own environment. */
    const char *const *env;
} worker_setup;

/* One run of the worker. */
typedef struct worker_proc {
    pid_t pid;
    int fd_res, fd_out, fd_err; /* read ends; -1 once at EOF (or not used) */
    double started;             /* worker_now_s() when it was started */
    /* Filled by worker_collect() / worker_finish(). */
    int status;      /* as waitpid() gives it */
    int exit_status; /* its exit code, or 1000 + the signal that killed it */
    double elapsed;  /* seconds from start until it was reaped */
    char res[WORKER_BUF], out[WORKER_BUF], err[WORKER_BUF];
    size_t n_res, n_out, n_err;
    es_result r; /* the parsed result line (worker_finish() only) */
} worker_proc;

/* Monotonic seconds, the clock of started and elapsed. */
double worker_now_s(void);

/* Shell text that saves a pid (e.g. "$$", "$!") to the file named by "$1"
 * without a reader ever seeing a partial file (see worker_wait_pid_file). */
#define SAVE_PID(var) "echo " var " > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"; "

/* Write text to a new file at path (a script for a trial). */
void worker_write_file(const char *path, const char *text);

/* Sleep s seconds (s >= 0). */
void worker_sleep_s(double s);

/* Wait (at most 3 s) for a trial to write a pid to path (written whole, by
 * a rename); that pid. */
pid_t worker_wait_pid_file(const char *path);

/* 1 when no process has that pid any more (a zombie still has it). */
int worker_pid_gone(pid_t pid);

/* $ES_BUILD_DIR/ecosweep-worker. */
const char *worker_path(void);

/* Start `ecosweep-worker --result-fd 9 OPTS... -- TRIAL...` (both lists
 * NULL-terminated; opts may be NULL).  setup may be NULL. */
void worker_start_with(worker_proc *w, const worker_setup *setup, const char *const *opts,
                       const char *const *trial);
void worker_start(worker_proc *w, const char *const *opts, const char *const *trial);

/* Read all the worker writes and wait for it (at most 10 s), no parsing. */
void worker_collect(worker_proc *w);

/* worker_collect(), then parse the result line from the result descriptor
 * (from stderr when there is none); no result line fails the test. */
void worker_finish(worker_proc *w);

/* Start and finish. */
void worker_run_with(worker_proc *w, const worker_setup *setup, const char *const *opts,
                     const char *const *trial);
void worker_run(worker_proc *w, const char *const *opts, const char *const *trial);

#endif
