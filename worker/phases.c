/*
 * phases.c -- a trial's energy by phase (see phases.h).
 */
#include "phases.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void es_phase_clock_init(es_phase_clock *c)
{
    memset(c, 0, sizeof *c);
    c->cur = -1;
}

/* The running phase gets what was spent since it was entered. */
static void close_running(es_phase_clock *c, double t, const double j[3])
{
    if (c->cur < 0)
        return;
    es_result_phase *p = &c->p[c->cur];
    double *acc[3] = {&p->cpu_j, &p->dram_j, &p->gpu_j};
    p->wall_s += t > c->t0 ? t - c->t0 : 0;
    for (int k = 0; k < 3; k++) {
        /* A part that had no reading yet when the phase began (a meter's
         * first sample comes later) began at 0; one not known at its end
         * is not known. */
        double d = j[k] - (isnan(c->j0[k]) ? 0 : c->j0[k]);
        *acc[k] += isnan(d) ? NAN : d > 0 ? d : 0;
    }
}

int es_phase_clock_enter(es_phase_clock *c, const char *name, double t, const double j[3])
{
    size_t i = 0;
    while (i < c->n && strcmp(c->p[i].name, name) != 0)
        i++;
    if (i == ES_PHASES_MAX) {
        c->dropped++;
        return 1;
    }
    close_running(c, t, j);
    if (i == c->n) {
        es_result_phase *p = &c->p[c->n++];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", name);
    }
    c->p[i].entries++;
    c->cur = (int)i;
    c->t0 = t;
    memcpy(c->j0, j, sizeof c->j0);
    return 0;
}

void es_phase_clock_close(es_phase_clock *c, double t, const double j[3], es_result *out)
{
    close_running(c, t, j);
    c->cur = -1;
    memcpy(out->phases, c->p, c->n * sizeof c->p[0]);
    out->n_phases = c->n;
}
