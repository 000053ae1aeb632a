/*
 * meter.c -- chooses and combines the energy back ends (see meter.h).
 *
 * The table below lists every back end in order of preference.  Adding RAPL
 * or NVML is one line here plus its own file; nothing else changes, because
 * the merge works per part: each back end reports the parts it knows, and a
 * counter reading replaces an estimate of the same part.
 */
#include "meter.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const es_meter_backend *const backends[] = {
    &es_meter_estimate,
};

#define N_BACKENDS (sizeof backends / sizeof backends[0])

struct es_meter {
    es_meter_config cfg;
    const es_meter_backend *use[N_BACKENDS]; /* probed OK, in preference order */
    void *state[N_BACKENDS];                 /* non-NULL once started */
    int started[N_BACKENDS];
    size_t n;
    char names[128];
};

void es_meter_config_init(es_meter_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cpu_watts_per_core = ES_METER_DEFAULT_CPU_W_PER_CORE;
    cfg->dram_watts_per_gb = ES_METER_DEFAULT_DRAM_W_PER_GB;
}

int es_meter_create(const es_meter_config *cfg, es_meter **out, es_err *err)
{
    es_meter *m = calloc(1, sizeof *m);
    if (m == NULL)
        return es_err_set(err, -ENOMEM, "meter: out of memory");
    m->cfg = *cfg;
    int last = ES_ENOTSUP;
    for (size_t i = 0; i < N_BACKENDS; i++) {
        last = backends[i]->probe(&m->cfg, err);
        if (last == 0)
            m->use[m->n++] = backends[i];
    }
    if (m->n == 0) {
        free(m);
        return last;
    }
    es_err_clear(err);
    *out = m;
    return 0;
}

static void refresh_names(es_meter *m)
{
    size_t len = 0;
    m->names[0] = '\0';
    for (size_t i = 0; i < m->n; i++) {
        if (!m->started[i])
            continue;
        int w = snprintf(m->names + len, sizeof m->names - len, "%s%s", len ? "," : "",
                         m->use[i]->name);
        if (w < 0 || (size_t)w >= sizeof m->names - len)
            break;
        len += (size_t)w;
    }
}

int es_meter_start(es_meter *m, es_err *err)
{
    int last = ES_ENOTSUP, any = 0;
    for (size_t i = 0; i < m->n; i++) {
        last = m->use[i]->start(&m->cfg, &m->state[i], err);
        m->started[i] = last == 0;
        any |= m->started[i];
    }
    refresh_names(m);
    if (!any)
        return last;
    es_err_clear(err);
    return 0;
}

void es_meter_sample(es_meter *m, const es_meter_usage *u)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->started[i])
            (void)m->use[i]->sample(m->state[i], u);
}

static void part_none(es_energy_part *p)
{
    p->j = NAN;
    p->method = ES_EM_NONE;
    p->source[0] = '\0';
}

/* Rank of a method: higher wins. */
static int rank(es_em m)
{
    return m == ES_EM_COUNTER ? 2 : m == ES_EM_ESTIMATE ? 1 : 0;
}

static void merge(es_energy_part *best, const es_energy_part *p)
{
    if (rank(p->method) > rank(best->method))
        *best = *p;
}

int es_meter_stop(es_meter *m, const es_meter_usage *u, es_result *r)
{
    es_energy_part cpu, dram, gpu;
    part_none(&r->cpu);
    part_none(&r->dram);
    part_none(&r->gpu);
    int rc = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (!m->started[i])
            continue;
        part_none(&cpu);
        part_none(&dram);
        part_none(&gpu);
        int one = m->use[i]->stop(m->state[i], u, &cpu, &dram, &gpu);
        if (one != 0) {
            rc = one;
            continue;
        }
        merge(&r->cpu, &cpu);
        merge(&r->dram, &dram);
        merge(&r->gpu, &gpu);
    }
    return rc;
}

const char *es_meter_names(const es_meter *m)
{
    return m->names;
}

void es_meter_destroy(es_meter *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++)
        if (m->started[i])
            m->use[i]->destroy(m->state[i]);
    free(m);
}
