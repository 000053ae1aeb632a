/*
 * import.h -- reading jobs that ran outside ecosweep, so that a project's
 * R&D footprint counts them: a CSV file with a header, or Slurm's
 * `sacct --parsable2` output.  Pure parsing: text in, es_import_job rows out;
 * the caller stores them (es_store_import_add, one transaction).
 *
 * CSV columns (header names, any case, any order):
 *   name        required; the job's name
 *   hours       wall-clock hours of the job (required unless started and
 *               ended are both given)
 *   gpus, cpus  devices allocated (non-negative integers; empty = 0)
 *   energy_kwh  energy measured at the devices, before PUE -> method counter
 *   power_w     average power per device -> method estimate:
 *               kWh = power_w x devices x hours / 1000, devices = gpus when
 *               gpus > 0, else cpus, else 1
 *   sweep       (alias group) the sweep or grid search the job belonged to
 *   status      completed (default), failed, timed_out, interrupted,
 *               running, or Slurm's words (COMPLETED, TIMEOUT, CANCELLED...)
 *   started, ended   2019-03-01T10:00:00 (UTC; a trailing Z is allowed) or
 *               unix seconds
 * A row with energy_kwh uses it (power_w is then ignored); a row with
 * neither is estimated from the defaults: gpus x gpu_watts + cpus x
 * cpu_watts.  Unknown columns are an error (a typo must not silently turn
 * a measurement into an estimate).
 *
 * sacct: the header names the columns; JobID and Elapsed (or ElapsedRaw)
 * are required; JobName, State, Start, End, AllocTRES (cpu=N, gres/gpu=N),
 * AllocCPUS and ConsumedEnergyRaw (joules -> method counter; empty or 0
 * means not measured) are used when present, other columns ignored.  Step
 * rows (JobID with a '.': 123.batch, 123.0) and PENDING jobs are skipped;
 * array tasks (123_4) are grouped by their array job (123), as one sweep.
 *
 * Errors name the file, line and column: "jobs.csv:17: hours: expected a
 * number, got 'x'".
 */
#ifndef ES_IMPORT_H
#define ES_IMPORT_H

#include <stddef.h>

#include "err.h"
#include "store.h"

typedef enum es_import_format {
    ES_IMPORT_AUTO = 0, /* sacct when the first line has '|' and JobID, else CSV */
    ES_IMPORT_CSV,
    ES_IMPORT_SACCT
} es_import_format;

/* "csv", "sacct" */
const char *es_import_format_name(es_import_format f);

#define ES_IMPORT_GPU_WATTS 200.0 /* Green Algorithms: an unknown GPU */
#define ES_IMPORT_CPU_WATTS 12.0  /* Green Algorithms: a core of an unknown CPU */

typedef struct es_import_opts {
    es_import_format format;
    double gpu_watts; /* per GPU, for jobs with neither energy nor power */
    double cpu_watts; /* per CPU core, likewise */
} es_import_opts;

/* What a file held.  Free with es_import_batch_free (NULL allowed). */
typedef struct es_import_batch {
    es_import_format format; /* the one detected or asked for */
    es_import_job *jobs;
    size_t n_jobs;
    size_t skipped; /* sacct step rows and pending jobs */
    size_t n_counter, n_estimate;
} es_import_batch;

/* Parse text (len bytes of the file called name) into *out.  0, or
 * ES_EUSAGE with err naming the file, line and field, or -ENOMEM. */
int es_import_parse(const char *name, const char *text, size_t len, const es_import_opts *o,
                    es_import_batch **out /* OUT */, es_err *err);
void es_import_batch_free(es_import_batch *b);

/* A hash of the file's bytes (FNV-1a, 64 bits, as 16 hex digits), so the
 * same file imported twice into a project can be noticed. */
void es_import_hash(const char *text, size_t len, char out[17]);

/* Parse sacct's Elapsed, [DD-][HH:]MM:SS[.fff], into seconds; -1 when it is
 * not one. */
double es_import_parse_elapsed(const char *s);

#endif
