/*
 * result.h -- the record a worker sends its coordinator when a trial ends.
 *
 * The worker writes exactly one line on the result descriptor it inherited
 * (never on the trial's stdout), of the form
 *
 *   ecosweep-result v=1 status=exited exit_code=0 signal=0 wall_s=12.5 ...
 *
 * i.e. the word "ecosweep-result" followed by space-separated key=value
 * tokens with no spaces inside a value.  Unknown keys are ignored by the
 * parser so later versions can add fields.  Both sides use these two
 * functions, so the format is defined here only.
 *
 * Every energy component carries the method that produced it.  A component
 * whose method is ES_EM_NONE was not measured or estimated at all; its
 * joules are NAN and must never be shown as a measured 0.
 */
#ifndef ES_RESULT_H
#define ES_RESULT_H

#include <stddef.h>

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
    double worker_cpu_s;     /* the worker's own CPU time: the meter's overhead */
    long worker_peak_rss_kb; /* the worker's own peak resident set */
} es_result;

/* Reset r to "nothing known" (energy parts NAN / ES_EM_NONE). */
void es_result_init(es_result *r);

/* Write r as one '\n'-terminated line into buf.  Returns the length the
 * whole line needs (like snprintf); the line is complete only when that is
 * less than cap. */
int es_result_format(const es_result *r, char *buf, size_t cap);

/* Parse one line (with or without its '\n'), which may be preceded by the
 * worker's started line (below).  0, or ES_EPROTO when the line is not a
 * result record of a version this build understands. */
int es_result_parse(const char *line, size_t len, es_result *out /* OUT */);

/* Before the result, as soon as the trial runs, the worker writes
 *
 *   ecosweep-started v=1 pgid=1234
 *
 * naming the trial's process group, so that a coordinator whose worker was
 * killed outright (no chance to clean up) can still stop the trial.
 * Format: like es_result_format; parse: 0 or ES_EPROTO. */
int es_started_format(long pgid, char *buf, size_t cap);
int es_started_parse(const char *line, size_t len, long *pgid /* OUT */);

#endif
