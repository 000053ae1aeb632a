/*
 * phases.h -- adding up a trial's energy by phase (phase.h), from the
 * cumulative readings the worker takes at each marker.
 *
 * Pure arithmetic: the worker hands each marker's time and the energy so
 * far of the cpu, dram and gpu parts (NAN: not known), then the trial's
 * final figures; each interval's share goes to the phase it belongs to.
 * Closing with the final figures makes the phases and the energy before
 * the first marker add up to the trial's energy exactly.  A reading below
 * the one before (a process that escaped one walk of the tree) counts as
 * no energy, never as a negative one; a part with no reading yet when a
 * phase began (a back end's first sample comes later) counts from 0.
 */
#ifndef ES_WORKER_PHASES_H
#define ES_WORKER_PHASES_H

#include "result.h"

typedef struct es_phase_clock {
    es_result_phase p[ES_PHASES_MAX];
    size_t n;
    int cur;      /* the phase running, or -1 before the first marker */
    double t0;    /* when it was entered (seconds since the trial started) */
    double j0[3]; /* the energy so far when it was entered */
    long dropped; /* markers of names past ES_PHASES_MAX, ignored */
} es_phase_clock;

void es_phase_clock_init(es_phase_clock *c);

/* The trial entered phase name at t (seconds since it started), with j
 * joules so far.  0, or 1 when the name was one too many (ignored: the
 * phase before goes on). */
int es_phase_clock_enter(es_phase_clock *c, const char *name, double t, const double j[3]);

/* The trial ended at t with j joules: close the phase running and copy the
 * phases into out (out->phases, out->n_phases). */
void es_phase_clock_close(es_phase_clock *c, double t, const double j[3], es_result *out);

#endif
