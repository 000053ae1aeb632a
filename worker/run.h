/*
 * run.h -- the worker's supervision of one trial: start it in its own
 * process group, meter it, stop it on request, and make sure that nothing it
 * started outlives the call.
 *
 * es_worker_run() changes process-wide state (signal mask and dispositions,
 * the child-subreaper and parent-death-signal attributes) and relies on
 * getrusage(RUSAGE_CHILDREN), so it is meant to be called once, from the
 * single thread of the ecosweep-worker process.  Linux only (prctl, signalfd,
 * /proc).
 *
 * The meter's notes (es_meter_notes: a counter present but unreadable, and
 * what is used instead) go to stderr once, before the trial starts, as
 * "ecosweep-worker: note: ..." lines.  Under shared attribution
 * (opts->meter.attribution == ES_ATTR_SHARED) every sample also carries the
 * tree's live CPU time (es_meter_usage.live_cpu_s), read from /proc, or
 * from the trial's cgroup (below).
 *
 * With opts->cgroup_dir, the trial runs in that cgroup (cgroup.h): its first
 * process moves itself in before it execs, teardown also signals and kills
 * what the cgroup holds, and the trial's CPU time comes from the cgroup's
 * cpu.stat.  If the move fails, the trial still runs, contained by its
 * process group only, with a note on stderr; out->containment tells which
 * (ES_CONTAIN_CGROUP or ES_CONTAIN_PGROUP).
 *
 * Output on opts->result_fd: the "ecosweep-started" line as soon as the
 * trial runs, then, every opts->report_ms while it runs, an
 * "ecosweep-sample" line with its energy so far (result.h) -- never without
 * a result descriptor, never when the command could not be started, and
 * only when the descriptor can take the line without blocking.  The result
 * line itself is the caller's to write.  Reporting does not change the
 * result's figures.
 */
#ifndef ES_WORKER_RUN_H
#define ES_WORKER_RUN_H

#include "err.h"
#include "meter.h"
#include "result.h"

#include <sys/types.h>

typedef struct es_worker_opts {
    double grace_s;         /* seconds between SIGTERM and SIGKILL (5) */
    int sample_ms;          /* period of the meter's sampling timer, > 0 (1000) */
    int report_ms;          /* period of the sample lines on result_fd; 0: none (1000).
                               Each costs one walk of the trial's processes in /proc. */
    int result_fd;          /* descriptor kept from the trial (closed there), or -1 */
    int phases;             /* pass the trial's stdout on through the worker, reading the
                               energy at each phase marker (phase.h); 0: the trial writes
                               to the worker's stdout itself, no phases (1) */
    int mark_records;       /* start each line with ES_RECORD_MARK (result_fd then
                               shares its stream with the trial's stderr) */
    pid_t parent_pid;       /* the process whose death stops the trial; 0: getppid() at the call */
    const char *cgroup_dir; /* --cgroup: the trial's own empty cgroup v2 directory, or NULL
                               (checked by es_cgroup_open, cgroup.h) */
    es_meter_config meter;
} es_worker_opts;

/* Defaults as shown above. */
void es_worker_opts_init(es_worker_opts *o);

/*
 * Run argv (argv[0] searched in PATH) as the trial and fill out.  Returns 0
 * once the trial and every process it left behind have been reaped -- also
 * when the command could not be executed (out->exit_kind ==
 * ES_EXIT_EXEC_FAILED) or was stopped by SIGTERM, SIGINT or SIGHUP sent to
 * this process (out->stop_signal).  Returns a negative code, with a message
 * in err, only when the worker itself cannot work (no /proc, no signalfd,
 * fork failing is reported as an exec failure instead).
 */
int es_worker_run(const es_worker_opts *opts, char *const argv[], es_result *out /* OUT */,
                  es_err *err);

/* Write all of buf to fd, retrying short writes and EINTR: 0, or -errno
 * (-EIO when the descriptor takes nothing).  For the worker's lines. */
int es_worker_write_all(int fd, const char *buf, size_t len);

/* Write one of the worker's lines to fd, with ES_RECORD_MARK before it when
 * o->mark_records, in a single write when it fits in PIPE_BUF.  As
 * es_worker_write_all. */
int es_worker_write_record(const es_worker_opts *o, int fd, const char *line, size_t len);

/* The exit status the worker process should end with for r: the trial's
 * exit code, 128 + signal when it was killed, 127 when it could not start. */
int es_worker_exit_status(const es_result *r);

#endif
