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
 * PUE is not applied here (the coordinator's accounting does that).
 *
 * Watts per core: the configured value when set; else TDP / cores of the
 * CPU model named in /proc/cpuinfo when cpu_models.c knows it; else 12 W.
 *
 * GPUs: only when gpu_watts is configured and the trial's GPUs are known
 * (CUDA_VISIBLE_DEVICES, as the trial inherits it), gpu_j = gpu_watts x GPUs x
 * wall_s -- Green Algorithms' n_gpu x P_gpu x usage with usage taken as 1,
 * an upper bound.  Otherwise the gpu part stays ES_EM_NONE.  A GPU counter
 * (NVML) always replaces this estimate.
 *
 * While the trial runs (peek, for the worker's sample lines) the same
 * formulas give the energy so far, from the tree's CPU time so far, the
 * largest RSS the worker has seen so far and the wall time so far.  Both
 * grow, so successive samples never go down, and the final figures (the
 * kernel's totals) are at least the last sample's.
 *
 * The source strings name the constants used, e.g. "estimate:12W/core",
 * "estimate:7.5W/core:Xeon Gold 6148", "estimate:0.3725W/GiB" and
 * "estimate:300W/gpu:2gpu", so a stored result explains itself.
 */
#include "meter.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_models.h"

typedef struct estimate_state {
    double cpu_w_per_core;
    char cpu_source[48];
    double dram_w_per_gib;
    double gpu_w;
    int n_gpus; /* -1: unknown */
} estimate_state;

/* GPUs named by a CUDA_VISIBLE_DEVICES-style list; -1 when the list is
 * absent (then any number of GPUs may be in use). */
static int count_gpus(const char *list)
{
    int n = 0;
    if (list == NULL)
        return -1;
    if (strcmp(list, "-1") == 0 || strcmp(list, "NoDevFiles") == 0)
        return 0;
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        n += len > 0;
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

static void cpu_watts(const es_meter_config *cfg, estimate_state *s)
{
    char model[256];
    const es_cpu_model *m;
    if (cfg->cpu_watts_per_core > 0) {
        s->cpu_w_per_core = cfg->cpu_watts_per_core;
        snprintf(s->cpu_source, sizeof s->cpu_source, "estimate:%gW/core", s->cpu_w_per_core);
    } else if (es_cpu_model_name(NULL, model, sizeof model) == 0 &&
               (m = es_cpu_model_find(model)) != NULL) {
        s->cpu_w_per_core = m->tdp_w / m->cores;
        /* A long model name is cut to fit the record; the watts come first. */
        if (snprintf(s->cpu_source, sizeof s->cpu_source, "estimate:%.3gW/core:%s",
                     s->cpu_w_per_core, m->key) >= (int)sizeof s->cpu_source)
            s->cpu_source[sizeof s->cpu_source - 1] = '\0';
    } else {
        s->cpu_w_per_core = ES_METER_DEFAULT_CPU_W_PER_CORE;
        snprintf(s->cpu_source, sizeof s->cpu_source, "estimate:%gW/core", s->cpu_w_per_core);
    }
}

static int valid_watts(double w)
{
    return isfinite(w) && w >= 0;
}

static int estimate_probe(const es_meter_config *cfg, es_err *err)
{
    if (!valid_watts(cfg->cpu_watts_per_core) || !valid_watts(cfg->dram_watts_per_gb) ||
        !valid_watts(cfg->gpu_watts))
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
    cpu_watts(cfg, s);
    s->dram_w_per_gib = cfg->dram_watts_per_gb;
    s->gpu_w = cfg->gpu_watts;
    s->n_gpus = count_gpus(cfg->gpus ? cfg->gpus : getenv("CUDA_VISIBLE_DEVICES"));
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
    if (isfinite(u->cpu_s) && u->cpu_s >= 0) {
        cpu->j = s->cpu_w_per_core * u->cpu_s;
        cpu->method = ES_EM_ESTIMATE;
        snprintf(cpu->source, sizeof cpu->source, "%s", s->cpu_source);
    }
    if (s->gpu_w > 0 && s->n_gpus > 0 && isfinite(u->wall_s) && u->wall_s >= 0) {
        gpu->j = s->gpu_w * s->n_gpus * u->wall_s;
        gpu->method = ES_EM_ESTIMATE;
        snprintf(gpu->source, sizeof gpu->source, "estimate:%gW/gpu:%dgpu", s->gpu_w, s->n_gpus);
    }
    if (u->peak_rss_kb >= 0 && isfinite(u->wall_s) && u->wall_s >= 0) {
        double gib = (double)u->peak_rss_kb / (1024.0 * 1024.0);
        dram->j = s->dram_w_per_gib * gib * u->wall_s;
        dram->method = ES_EM_ESTIMATE;
        snprintf(dram->source, sizeof dram->source, "estimate:%gW/GiB", s->dram_w_per_gib);
    }
    return 0;
}

static int estimate_peek(void *state, const es_meter_usage *u, es_energy_part *cpu,
                         es_energy_part *dram, es_energy_part *gpu)
{
    /* The final formulas over the figures so far; stop() keeps no state. */
    es_meter_usage so_far = *u;
    so_far.cpu_s = u->live_cpu_s;
    return estimate_stop(state, &so_far, cpu, dram, gpu);
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
    .peek = estimate_peek,
    .destroy = estimate_destroy,
};
