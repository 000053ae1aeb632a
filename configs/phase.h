/*
 * phase.h -- the phases a trial says it enters, and the built-in names that
 * read their energy.
 *
 * A trial marks the start of a phase (training, evaluation, inference...)
 * by printing, on its stdout, a line of its own:
 *
 *   ecosweep-phase NAME
 *   {"_phase": "NAME"}            (a JSON object; other members are metrics)
 *
 * NAME is 1 to ES_PHASE_NAME_MAX letters, digits, '_' or '-'.  A phase
 * lasts until the next marker or the end of the trial; a name may come
 * back (train, eval, train, ...), and its intervals add up.  The worker
 * reads the energy counters at each marker (worker/run.c) and the
 * coordinator attributes `items=N` reports to the phase they fall in.
 *
 * The built-ins are phase.NAME.FIELD, FIELD one of es_phase_field: a name
 * objectives and constraints may use.
 *
 * Both sides use these functions, so the marker is defined here only.
 */
#ifndef ES_PHASE_H
#define ES_PHASE_H

#include <stddef.h>

#define ES_PHASE_NAME_MAX 32
/* Distinct phase names a trial keeps; a marker past them is ignored (the
 * phase before goes on), and the worker says so once on stderr. */
#define ES_PHASES_MAX 16
/* A marker line is at most this long (a longer line is not one). */
#define ES_PHASE_LINE_MAX 4096

/* Whether name[0..len) is a usable phase name. */
int es_phase_name_ok(const char *name, size_t len);

/* Whether line[0..len) (no newline; a trailing '\r' and blanks allowed) is
 * a phase marker; if so its NAME goes to name ('\0'-terminated).  1 or 0. */
int es_phase_marker(const char *line, size_t len, char name[ES_PHASE_NAME_MAX + 1]);

typedef enum es_phase_field {
    ES_PHASE_KWH = 0,      /* phase.NAME.kwh: its energy at the wall, PUE included */
    ES_PHASE_CO2E_KG,      /* phase.NAME.co2e_kg */
    ES_PHASE_USD,          /* phase.NAME.usd: its electricity */
    ES_PHASE_WALL_S,       /* phase.NAME.wall_s: its seconds */
    ES_PHASE_KWH_PER_ITEM, /* phase.NAME.kwh_per_item: kwh over the items it reported */
    ES_PHASE_N_FIELDS
} es_phase_field;

/* "kwh", "co2e_kg", "usd", "wall_s", "kwh_per_item" (NULL past them). */
const char *es_phase_field_name(es_phase_field f);

/* Split "phase.NAME.FIELD" into name (cap >= ES_PHASE_NAME_MAX + 1) and
 * *field: 0, or -1 when s is not such a name (then *why, when not NULL,
 * says what is wrong with it). */
int es_phase_builtin(const char *s, char *name, es_phase_field *field, const char **why);

#endif
