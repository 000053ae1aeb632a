/*
 * trial_status.h -- how a trial stands, as one enum, and the word each
 * value is written as.
 *
 * The words are part of the database (trial.status), of every report and
 * of the JSON output, so they never change: code compares the enum and
 * converts only where a status is read or written as text.  This lives in
 * configs/, the lowest module, so that every module above it -- the
 * worker, model, store, report, run and cli -- can use it; the store's
 * folder would be out of reach of the report, which depends on model/
 * alone.
 */
#ifndef ES_TRIAL_STATUS_H
#define ES_TRIAL_STATUS_H

typedef enum es_trial_status {
    ES_TRIAL_RUNNING = 0,    /* launched and not ended yet */
    ES_TRIAL_COMPLETED,      /* ran to the end with its objective (or reused a result) */
    ES_TRIAL_FAILED,         /* a non-zero exit, a signal, no usable metric: the reason says */
    ES_TRIAL_TIMED_OUT,      /* stopped at the spec's trial_timeout */
    ES_TRIAL_INTERRUPTED,    /* stopped by Ctrl-C, SIGTERM or a coordinator error */
    ES_TRIAL_BUDGET_STOPPED, /* stopped when the sweep's budget ran out */
    ES_TRIAL_PRUNED,         /* stopped by early_terminate */
    ES_TRIAL_LOST            /* an attempt whose number runs again (coordinator died,
                              * node failure, preemption) */
} es_trial_status;

/* How many statuses there are (the enum's values are 0 .. this - 1). */
#define ES_TRIAL_STATUS_COUNT 8

/* The status's word: "running", "completed", "failed", "timed_out",
 * "interrupted", "budget_stopped", "pruned", "lost"; "unknown" for a value
 * outside the enum.  A static string. */
const char *es_trial_status_name(es_trial_status s);

/* The inverse of es_trial_status_name: the status whose word is name, or
 * -1 when name is NULL or no status's word. */
int es_trial_status_parse(const char *name);

#endif
