/*
 * meter.c -- chooses and combines the energy back ends (see meter.h).
 *
 * The table below lists every back end in order of preference.  Adding RAPL
 * or NVML is one line here plus its own file; nothing else changes, because
 * the merge works per part: each back end reports the parts it knows, and a
 * counter reading replaces an estimate of the same part.
 *
 * A back end that is present but unusable (a probe or start failing with
 * anything but ES_ENOTSUP, e.g. RAPL counters readable by root only) leaves
 * its message in the meter's notes, which the worker prints once per trial:
 * falling back to an estimate must never happen silently.
 */
#include "meter.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const es_meter_backend *const backends[] = {
    &es_meter_rapl,
    &es_meter_nvml,
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
    char notes[2 * ES_ERR_MSG_MAX]; /* see es_meter_notes() */
};

void es_meter_config_init(es_meter_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cpu_watts_per_core = 0; /* by CPU model, else the default */
    cfg->dram_watts_per_gb = ES_METER_DEFAULT_DRAM_W_PER_GB;
}

/* Keep the message of a back end that is present but unusable (any code
 * but ES_ENOTSUP, which means absent) as a note for the user. */
static void add_note(es_meter *m, int code, const es_err *why)
{
    if (code == ES_ENOTSUP || why->msg[0] == '\0')
        return;
    size_t len = strlen(m->notes);
    snprintf(m->notes + len, sizeof m->notes - len, "%s%s", len ? "\n" : "", why->msg);
}

int es_meter_create(const es_meter_config *cfg, es_meter **out, es_err *err)
{
    es_meter *m = calloc(1, sizeof *m);
    if (m == NULL)
        return es_err_set(err, -ENOMEM, "meter: out of memory");
    m->cfg = *cfg;
    int last = ES_ENOTSUP;
    es_err why;
    for (size_t i = 0; i < N_BACKENDS; i++) {
        es_err_clear(&why);
        int rc = backends[i]->probe(&m->cfg, &why);
        if (rc == 0) {
            m->use[m->n++] = backends[i];
            continue;
        }
        last = rc;
        add_note(m, rc, &why);
        if (err != NULL)
            *err = why;
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
    es_err why;
    for (size_t i = 0; i < m->n; i++) {
        es_err_clear(&why);
        int rc = m->use[i]->start(&m->cfg, &m->state[i], &why);
        m->started[i] = rc == 0;
        any |= m->started[i];
        if (rc == 0)
            continue;
        last = rc;
        add_note(m, rc, &why);
        if (err != NULL)
            *err = why;
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

typedef int (*parts_fn)(void *state, const es_meter_usage *u, es_energy_part *cpu,
                        es_energy_part *dram, es_energy_part *gpu);

/* Ask every started back end for its parts (stop, or peek when peek is
 * set) and merge them into out[0..2] = cpu, dram, gpu.  A back end without
 * a peek is left out of a peek; one that fails leaves its parts to the
 * others.  The last error, or 0. */
static int collect(es_meter *m, const es_meter_usage *u, int peek, es_energy_part out[3])
{
    es_energy_part cpu, dram, gpu;
    part_none(&out[0]);
    part_none(&out[1]);
    part_none(&out[2]);
    int rc = 0;
    for (size_t i = 0; i < m->n; i++) {
        parts_fn fn = peek ? m->use[i]->peek : m->use[i]->stop;
        if (!m->started[i] || fn == NULL)
            continue;
        part_none(&cpu);
        part_none(&dram);
        part_none(&gpu);
        int one = fn(m->state[i], u, &cpu, &dram, &gpu);
        if (one != 0) {
            rc = one;
            continue;
        }
        merge(&out[0], &cpu);
        merge(&out[1], &dram);
        merge(&out[2], &gpu);
    }
    return rc;
}

int es_meter_peek(es_meter *m, const es_meter_usage *u, es_sample *out)
{
    es_energy_part p[3];
    int rc = collect(m, u, 1, p);
    es_sample_init(out);
    out->wall_s = u->wall_s;
    out->cpu_s = u->live_cpu_s;
    out->cpu = p[0];
    out->dram = p[1];
    out->gpu = p[2];
    return rc;
}

int es_meter_stop(es_meter *m, const es_meter_usage *u, es_result *r)
{
    es_energy_part p[3];
    int rc = collect(m, u, 0, p);
    r->cpu = p[0];
    r->dram = p[1];
    r->gpu = p[2];
    return rc;
}

const char *es_meter_names(const es_meter *m)
{
    return m->names;
}

const char *es_meter_notes(const es_meter *m)
{
    return m->notes;
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
