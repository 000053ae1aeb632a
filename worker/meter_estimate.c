/*
 * meter_estimate.c -- the Green Algorithms estimate, the back end that works
 * everywhere (VMs, containers, CI) because it reads no counter.
 *
 * Lannelongue, Grealey & Inouye, "Green Algorithms: Quantifying the Carbon
 * Footprint of Computation" (Adv. Sci. 2021) model power as
 * n_cores * P_core * usage + mem_GB * P_mem.  The worker knows the trial's
 * CPU time directly, and n_cores * usage * t is exactly that CPU time, so
 *
 *   cpu_j  = cpu_watts_per_core * cpu_s                       (default 12 W)
 *   dram_j = dram_watts_per_gb  * peak_rss_GiB * wall_s       (default 0.3725 W)
 *
 * Green Algorithms charges memory *allocated* to the job; a local trial has
 * no allocation, so the peak resident set of any process of the tree stands
 * in for it, counted in GiB (2^30 bytes) -- the unit Linux reports RSS in.
 * This under-counts a tree of many simultaneously large processes and
 * over-counts a trial whose peak is brief; it is an estimate and says so.
 * PUE is not applied here (the coordinator's accounting does that).  There is
 * no GPU model: the gpu part stays ES_EM_NONE.
 *
 * The source strings name the constants used, e.g. "estimate:12W/core" and
 * "estimate:0.3725W/GiB", so a stored result explains itself.
 */
#include "meter.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct estimate_state {
    double cpu_w_per_core;
    double dram_w_per_gib;
} estimate_state;

static int valid_watts(double w)
{
    return isfinite(w) && w >= 0;
}

static int estimate_probe(const es_meter_config *cfg, es_err *err)
{
    if (!valid_watts(cfg->cpu_watts_per_core) || !valid_watts(cfg->dram_watts_per_gb))
        return es_err_set(err, -EINVAL, "estimate: watts must be finite and >= 0");
    return 0;
}

static int estimate_start(const es_meter_config *cfg, void **state, es_err *err)
{
    int rc = estimate_probe(cfg, err);
    if (rc != 0)
        return rc;
    estimate_state *s = malloc(sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "estimate: out of memory");
    s->cpu_w_per_core = cfg->cpu_watts_per_core;
    s->dram_w_per_gib = cfg->dram_watts_per_gb;
    *state = s;
    return 0;
}

static int estimate_sample(void *state, const es_meter_usage *u)
{
    /* The estimate needs only the final totals. */
    (void)state, (void)u;
    return 0;
}

static int estimate_stop(void *state, const es_meter_usage *u, es_energy_part *cpu,
                         es_energy_part *dram, es_energy_part *gpu)
{
    const estimate_state *s = state;
    (void)gpu;
    if (isfinite(u->cpu_s) && u->cpu_s >= 0) {
        cpu->j = s->cpu_w_per_core * u->cpu_s;
        cpu->method = ES_EM_ESTIMATE;
        snprintf(cpu->source, sizeof cpu->source, "estimate:%gW/core", s->cpu_w_per_core);
    }
    if (u->peak_rss_kb >= 0 && isfinite(u->wall_s) && u->wall_s >= 0) {
        double gib = (double)u->peak_rss_kb / (1024.0 * 1024.0);
        dram->j = s->dram_w_per_gib * gib * u->wall_s;
        dram->method = ES_EM_ESTIMATE;
        snprintf(dram->source, sizeof dram->source, "estimate:%gW/GiB", s->dram_w_per_gib);
    }
    return 0;
}

static void estimate_destroy(void *state)
{
    free(state);
}

const es_meter_backend es_meter_estimate = {
    .name = "estimate",
    .probe = estimate_probe,
    .start = estimate_start,
    .sample = estimate_sample,
    .stop = estimate_stop,
    .destroy = estimate_destroy,
};
