/*
 * result.h -- the record a worker sends its coordinator when a trial ends.
 *
 * The worker writes one result line on the result descriptor it inherited
 * (never on the trial's stdout), of the form
 *
 *   ecosweep-result v=1 status=exited exit_code=0 signal=0 wall_s=12.5 ...
 *
 * i.e. the word "ecosweep-result" followed by space-separated key=value
 * tokens with no spaces inside a value.  Unknown keys are ignored by the
 * parser so later versions can add fields.  Before it come a started line
 * and, while the trial runs, sample lines (both below), in the same syntax:
 *
 *   ecosweep-started v=1 pgid=...     once, as soon as the trial runs
 *   ecosweep-sample v=1 wall_s=...    every --report-ms, energy so far
 *   ecosweep-result v=1 status=...    once, last
 *
 * Both sides use the functions here, so the format is defined here only.
 *
 * Every energy component carries the method that produced it.  A component
 * whose method is ES_EM_NONE was not measured or estimated at all; its
 * joules are NAN and must never be shown as a measured 0.
 */
#ifndef ES_RESULT_H
#define ES_RESULT_H

#include <stddef.h>

#include "phase.h"

#define ES_RESULT_VERSION 1
#define ES_RESULT_TAG "ecosweep-result"
#define ES_STARTED_TAG "ecosweep-started"

typedef enum es_em {
    ES_EM_NONE = 0, /* nothing known */
    ES_EM_COUNTER,  /* a hardware energy counter (RAPL, NVML) */
    ES_EM_ESTIMATE  /* power model x time; see the source string */
} es_em;

/* "none", "counter", "estimate" */
const char *es_em_name(es_em m);
/* Inverse of es_em_name; -1 when unknown. */
int es_em_parse(const char *name);

typedef struct es_energy_part {
    double j; /* joules, NAN when method == ES_EM_NONE */
    es_em method;
    char source[48]; /* e.g. "green-algorithms-12W/core", "rapl", "nvml" */
} es_energy_part;

typedef enum es_exit_kind {
    ES_EXIT_EXITED = 0, /* the trial's main process exited; see exit_code */
    ES_EXIT_SIGNALED,   /* the trial's main process died of term_signal */
    ES_EXIT_EXEC_FAILED /* the command could not be started; see exec_errno */
} es_exit_kind;

/* How the worker kept the trial's processes together, so that it could stop
 * every one of them and count their CPU time: in the trial's own cgroup v2
 * (--cgroup), or by its process group and the worker being their subreaper
 * (without --cgroup, or when moving the trial into the cgroup failed).
 * ES_CONTAIN_UNKNOWN: a line from a worker before the field, or a value this
 * build does not know (read as unknown rather than rejected, so a later
 * worker may add kinds). */
typedef enum es_containment {
    ES_CONTAIN_UNKNOWN = 0,
    ES_CONTAIN_PGROUP, /* process group + subreaper; CPU time from /proc and getrusage */
    ES_CONTAIN_CGROUP  /* the trial's cgroup; CPU time from its cpu.stat */
} es_containment;

/* "unknown", "pgroup", "cgroup" */
const char *es_containment_name(es_containment c);
/* Inverse of es_containment_name; -1 when unknown. */
int es_containment_parse(const char *name);

/* The energy of one phase of the trial (phase.h): every interval it ran,
 * from its marker to the next marker or the trial's end, added up.  The
 * parts' methods are the trial's own (one meter measures both); NAN where
 * the trial's part is not known. */
typedef struct es_result_phase {
    char name[ES_PHASE_NAME_MAX + 1];
    double wall_s; /* monotonic seconds in the phase */
    double cpu_j, dram_j, gpu_j;
    int entries; /* how many times the trial entered it */
} es_result_phase;

typedef struct es_result {
    es_exit_kind exit_kind;
    int exit_code;
    int term_signal;
    int exec_errno;
    int stop_signal;   /* signal the worker got asking it to stop the trial, or 0 */
    double start_unix; /* wall-clock start and end, seconds since the epoch */
    double end_unix;
    double wall_s;    /* monotonic duration */
    double cpu_s;     /* user + system CPU of the whole process tree */
    long peak_rss_kb; /* largest resident set of any process of the trial */
    es_energy_part cpu, dram, gpu;
    char host[64];
    double worker_cpu_s;        /* the worker's own CPU time: the meter's overhead */
    long worker_peak_rss_kb;    /* the worker's own peak resident set */
    es_containment containment; /* "containment=" on the line */
    /* "phase.NAME=WALL_S,CPU_J,DRAM_J,GPU_J,ENTRIES" on the line, one per
     * phase, in the order the trial first entered them.  The energy before
     * the first marker is in no phase: the parts less their sum. */
    es_result_phase phases[ES_PHASES_MAX];
    size_t n_phases;
} es_result;

/* Reset r to "nothing known" (energy parts NAN / ES_EM_NONE, containment
 * ES_CONTAIN_UNKNOWN). */
void es_result_init(es_result *r);

/* Write r as one '\n'-terminated line into buf.  Returns the length the
 * whole line needs (like snprintf); the line is complete only when that is
 * less than cap. */
int es_result_format(const es_result *r, char *buf, size_t cap);

/*
 * Parse the result record in line[0..len).  Accepted, and nothing else:
 *
 *   zero or more complete lines ('\n'-terminated) that begin with
 *   "ecosweep-started " or "ecosweep-sample ", in any order -- skipped by
 *   their tag alone, not checked (parse them with their own functions) --
 *   then exactly one result line, with or without its final '\n' (a
 *   trailing "\r\n" is also dropped).
 *
 * So a caller may hand over everything the worker wrote on its descriptor,
 * as long as the result is its last line.  0, or ES_EPROTO when the last
 * line is not a result record of a version this build understands, when any
 * line before it is not a started or sample line, or when anything (even an
 * empty line) follows the result line.
 */
int es_result_parse(const char *line, size_t len, es_result *out /* OUT */);

/* Before the result, as soon as the trial runs, the worker writes
 *
 *   ecosweep-started v=1 pgid=1234
 *
 * naming the trial's process group, so that a coordinator whose worker was
 * killed outright (no chance to clean up) can still stop the trial.
 * Format: like es_result_format; parse: 0 or ES_EPROTO. */
int es_started_format(long pgid, const char *slurm_job, char *buf, size_t cap);

/* The Slurm job id a started line names ("slurm_job=1234", added when the
 * worker runs inside a Slurm job: digits, '_' and '+' for array and
 * heterogeneous jobs), into job (cap bytes, '\0'-terminated).  0, or
 * ES_EPROTO when the line names none. */
int es_started_slurm_job(const char *line, size_t len, char *job /* OUT */, size_t cap);

/* Written before each worker line when the lines share a stream with the
 * trial's own stderr (--inline-records, for launchers such as srun that
 * carry only stdout and stderr): an ASCII record separator, so a reader can
 * find a line even right after a trial's unfinished one.  Each line with its
 * mark is one write() of under PIPE_BUF bytes, so it is never interleaved
 * with the trial's output. */
#define ES_RECORD_MARK '\x1e'
int es_started_parse(const char *line, size_t len, long *pgid /* OUT */);

/*
 * While the trial runs, every --report-ms milliseconds (only on the result
 * descriptor, between the started line and the result line), the worker
 * writes the trial's energy so far:
 *
 *   ecosweep-sample v=1 wall_s=2.003 cpu_s=1.95 cpu_j=23.4 cpu_method=estimate
 *       dram_j=0.12 dram_method=estimate gpu_j=nan gpu_method=none
 *
 * (one line).  Every value is cumulative since the trial started, so a
 * reader needs only the latest sample and a lost one costs nothing; the
 * joules follow the same merge rule as the result (a counter beats an
 * estimate, per part) but are not final: the result line's parts, which
 * may come from other readings (e.g. the tree's CPU time from the kernel's
 * accounting of reaped processes), replace them.  Doubles are written as
 * in the result record (reading back bit for bit; "nan" when unknown).  A
 * part with method ES_EM_NONE has NAN joules, never 0.  Energy sources are
 * not repeated here: they are in the result line.
 */
#define ES_SAMPLE_TAG "ecosweep-sample"

typedef struct es_sample {
    double wall_s;                 /* monotonic seconds since the trial started */
    double cpu_s;                  /* user+system CPU of the whole tree so far; NAN when unknown */
    es_energy_part cpu, dram, gpu; /* joules so far (sources: not on the line) */
} es_sample;

/* Reset s to "nothing known" (NAN times, parts NAN / ES_EM_NONE). */
void es_sample_init(es_sample *s);

/* Write s as one '\n'-terminated line; return value as es_result_format. */
int es_sample_format(const es_sample *s, char *buf, size_t cap);

/* Parse one sample line (with or without its '\n').  0, or ES_EPROTO when
 * the first token is not ES_SAMPLE_TAG, when "v" is missing or not
 * ES_RESULT_VERSION, when "wall_s" is missing, or when a known key has a
 * value of the wrong type.  Unknown keys are ignored (later workers may add
 * some); keys left out read as "not known".  *out is written only on 0. */
int es_sample_parse(const char *line, size_t len, es_sample *out /* OUT */);

#endif
