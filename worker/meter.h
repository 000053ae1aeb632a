/*
 * meter.h -- how the worker measures (or estimates) the energy of one trial.
 *
 * Two layers live here.  A *back end* (es_meter_backend) is one way of getting
 * energy numbers -- the Green Algorithms estimate today (meter_estimate.c),
 * RAPL counters and NVML next -- each in its own file exporting one const
 * struct.  The *meter* (es_meter, meter.c) is what the worker uses: it probes
 * every back end it knows, starts the usable ones when the trial starts,
 * forwards timer samples to them, while it runs can tell the energy so far
 * (es_meter_peek, for the worker's sample lines), and when the trial is over
 * merges their answers into the cpu/dram/gpu parts of an es_result.
 *
 * Merging rule: for each part, a hardware counter beats an estimate, and
 * between equals the back end listed first in meter.c wins.  A part no back
 * end could measure stays ES_EM_NONE with NAN joules -- never 0.
 *
 * Ownership: es_meter_create() allocates the meter; es_meter_destroy() frees
 * it (NULL allowed) and destroys every started back end.  A back end's state
 * belongs to it from start() until destroy().
 */
#ifndef ES_METER_H
#define ES_METER_H

#include "err.h"
#include "result.h"

#include <sys/types.h>

/* Settings for all back ends.  New back ends add their fields here; a zeroed
 * field must mean "default". */
typedef enum es_attribution {
    ES_ATTR_EXCLUSIVE = 0, /* the trial is charged all its counters saw */
    ES_ATTR_SHARED         /* socket energy split by the trial's CPU share */
} es_attribution;

typedef struct es_meter_config {
    double cpu_watts_per_core; /* estimate: watts per fully busy core; 0 = from the
                                  CPU model table, else 12 */
    double dram_watts_per_gb;  /* estimate: watts per GiB resident (0.3725) */
    double gpu_watts;          /* estimate for each GPU the trial may use when no
                                  GPU counter is readable; 0 = no GPU estimate */
    es_attribution attribution;
    const char *powercap_root; /* RAPL tree; NULL = $ECOSWEEP_POWERCAP_ROOT, else
                                  /sys/class/powercap */
    const char *nvml_lib;      /* NVML library; NULL = $ECOSWEEP_NVML_LIB, else
                                  libnvidia-ml.so.1 */
    const char *gpus;          /* GPUs the trial may use, CUDA_VISIBLE_DEVICES syntax
                                  (indices or UUIDs); NULL = the variable as the
                                  trial inherits it; unset there = every GPU */
} es_meter_config;

/* Green Algorithms defaults (Lannelongue, Grealey & Inouye 2021): 12 W per
 * core when the CPU model is unknown, 0.3725 W per GB of memory. */
#define ES_METER_DEFAULT_CPU_W_PER_CORE 12.0
#define ES_METER_DEFAULT_DRAM_W_PER_GB 0.3725

/* Fill cfg with the defaults above. */
void es_meter_config_init(es_meter_config *cfg);

/* What the worker knows about the trial when it calls a back end. */
typedef struct es_meter_usage {
    pid_t trial_pgid; /* the trial's process group (== its main pid) */
    double wall_s;    /* monotonic seconds since the trial started */
    double cpu_s;     /* user+system CPU of the whole tree; NAN while it runs */
    /* Largest RSS of any process of the tree: at stop, the kernel's figure;
     * at a peek, the largest seen so far (the worker's own readings at its
     * reports, so a brief peak between them may be missed); -1 when not
     * known (at a sample that is not also a report). */
    long peak_rss_kb;
    /* user+system CPU the tree has used so far, never decreasing from one
     * call to the next: at a peek, always computed; at a sample, computed
     * under ES_ATTR_SHARED (walking the live tree costs a few syscalls per
     * process) or when the sample falls on a report; at stop, equal to
     * cpu_s.  NAN when not computed. */
    double live_cpu_s;
} es_meter_usage;

/* One way of metering.  Every function pointer is set (a back end with
 * nothing to do in sample() provides one that returns 0), except peek,
 * which is optional.  All return 0 or a negative code (-errno, ES_ENOTSUP)
 * and leave a message in err if given. */
typedef struct es_meter_backend {
    const char *name; /* "estimate", "rapl", "nvml" */
    /* 0 when this back end can work on this machine with cfg; cheap and
     * side-effect free (may open and close files, not keep them).
     * ES_ENOTSUP means "nothing to meter here" (no such hardware or
     * library) and stays silent; any other failure means the hardware is
     * there but unusable, and its message is shown to the user as a note
     * (see es_meter_notes), so it must read as one line for them and say
     * what is used instead. The same holds for a failing start(). */
    int (*probe)(const es_meter_config *cfg, es_err *err);
    /* The trial is about to start: read initial counters, allocate state. */
    int (*start)(const es_meter_config *cfg, void **state /* OUT */, es_err *err);
    /* Called from the worker's timer (--sample-ms) while the trial runs;
     * counter back ends read here so that a counter cannot wrap twice
     * between reads.  Must not block for long. */
    int (*sample)(void *state, const es_meter_usage *u);
    /* The whole process tree is gone and u holds the final totals.  Fill the
     * parts this back end measures (method, j, source) and leave the others
     * untouched; they come in as ES_EM_NONE / NAN. */
    int (*stop)(void *state, const es_meter_usage *u, es_energy_part *cpu /* OUT */,
                es_energy_part *dram /* OUT */, es_energy_part *gpu /* OUT */);
    /* Optional (NULL: this back end contributes nothing to sample lines).
     * While the trial runs: the energy so far, filled like stop() fills its
     * parts (cumulative since start(), never a made-up 0), from u's live
     * figures (wall_s, live_cpu_s, peak_rss_kb so far; cpu_s is NAN).  It
     * must not change what a later sample() or stop() computes, so that the
     * final figures are the same whether or not anyone peeked; it may read
     * counters, but keeps nothing it read.  An error leaves the parts
     * untouched (the next back end's figures stand in for this sample). */
    int (*peek)(void *state, const es_meter_usage *u, es_energy_part *cpu /* OUT */,
                es_energy_part *dram /* OUT */, es_energy_part *gpu /* OUT */);
    /* Free state (NULL allowed). */
    void (*destroy)(void *state);
} es_meter_backend;

/* The back ends, one per file. */
extern const es_meter_backend es_meter_rapl;
extern const es_meter_backend es_meter_nvml;
extern const es_meter_backend es_meter_estimate;

typedef struct es_meter es_meter;

/* Probe every back end with cfg (copied) and keep the usable ones.  Fails
 * only when no back end at all is usable or memory runs out. */
int es_meter_create(const es_meter_config *cfg, es_meter **out /* OUT */, es_err *err);

/* Start every kept back end; one that fails to start is dropped (and its
 * parts fall back to the next back end).  Fails only when none started. */
int es_meter_start(es_meter *m, es_err *err);

/* Forward a timer tick to every started back end.  Errors are not fatal:
 * a back end that fails to sample is expected to say so in stop(). */
void es_meter_sample(es_meter *m, const es_meter_usage *u);

/* The energy so far, merged by the same rule as es_meter_stop() from every
 * started back end that has a peek: fills out entirely (wall_s from
 * u->wall_s, cpu_s from u->live_cpu_s, parts with their sources).  Does not
 * change the figures es_meter_stop() will give.  Returns the last back end
 * error (its parts left to the others), or 0. */
int es_meter_peek(es_meter *m, const es_meter_usage *u, es_sample *out /* OUT */);

/* Stop every started back end and write the merged cpu/dram/gpu parts into
 * r (the other fields of r are not touched). */
int es_meter_stop(es_meter *m, const es_meter_usage *u, es_result *r /* OUT */);

/* Comma-separated names of the back ends in use, e.g. "estimate". */
const char *es_meter_names(const es_meter *m);

/* Why a back end present on this machine is not used, one line per back
 * end ('\n'-separated, no trailing newline), e.g. "RAPL energy counters are
 * not readable (...); using the estimate"; "" when there is nothing to say.
 * Collected by es_meter_create() and es_meter_start(); the worker prints
 * each line once.  Owned by m. */
const char *es_meter_notes(const es_meter *m);

void es_meter_destroy(es_meter *m);

#endif
