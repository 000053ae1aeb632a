/*
 * metric.h -- reading the metrics a trial prints on its stdout.
 *
 * Two line formats are understood:
 *   - Katib-style text: `val_loss=0.41 step=3` (any number of name=value
 *     tokens separated by spaces, tabs, commas or semicolons);
 *   - JSON lines: {"val_loss": 0.31, "step": 5}.
 * The keys "step" and "_step" give the step of the other values on the same
 * line; "_phase" names a phase (phase.h) and is no metric.  Every other name=value pair is reported
 * to the callback: ok is 1 when the text is a number (NaN and inf included, as strtod reads them)
 * and 0 when it is not (then value is NAN), so the caller can tell a trial
 * that reported text for its objective from one that never reported it.
 * Lines are examined one at a time and never stored.
 */
#ifndef ES_METRIC_H
#define ES_METRIC_H

#include <stddef.h>
#include <stdint.h>

typedef struct es_metric_point {
    const char *name; /* valid during the callback only */
    const char *text; /* the value as printed, valid during the callback */
    double value;     /* NAN unless ok */
    int ok;           /* the text was a number */
    int64_t step;     /* -1 when the line had no step */
} es_metric_point;

typedef void (*es_metric_cb)(void *ud, const es_metric_point *pt);

/* Parse one line (without its newline).  Returns the number of points
 * reported. */
int es_metric_parse_line(const char *line, size_t len, es_metric_cb cb, void *ud);

#endif
