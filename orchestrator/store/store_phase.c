/*
 * store_phase.c -- a trial's energy by phase in the store (table
 * trial_phase, schema v12): written with the trial's end, copied with a
 * reuse, read back into the tree reports print and by a resumed or reusing
 * sweep.  Rows are few (at most ES_PHASES_MAX a trial), so the statements
 * are prepared when used, once per call, and all live here.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

int es_store__phases_insert(es_store *st, int64_t trial_id, const es_store_phase *ph, size_t n,
                            es_err *err)
{
    if (n == 0)
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO trial_phase(trial_id, ord, name, wall_s, cpu_j,"
                           " dram_j, gpu_j, entries, items) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                           " ?8, ?9)",
                           -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "recording a trial's phases");
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
        sqlite3_bind_int64(s, 1, trial_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        es_store__bind_text(s, 3, ph[i].name);
        es_store__bind_real(s, 4, ph[i].wall_s);
        es_store__bind_real(s, 5, ph[i].cpu_j);
        es_store__bind_real(s, 6, ph[i].dram_j);
        es_store__bind_real(s, 7, ph[i].gpu_j);
        sqlite3_bind_int(s, 8, ph[i].entries);
        es_store__bind_real(s, 9, ph[i].items);
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : es_store__db_fail(st, err, "recording a trial's phases");
}

int es_store__phases_copy(es_store *st, int64_t to, int64_t from, es_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO trial_phase(trial_id, ord, name, wall_s, cpu_j, dram_j,"
                           " gpu_j, entries, items) SELECT ?1, ord, name, wall_s, cpu_j, dram_j,"
                           " gpu_j, entries, items FROM trial_phase WHERE trial_id = ?2",
                           -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "copying a trial's phases");
    sqlite3_bind_int64(s, 1, to);
    sqlite3_bind_int64(s, 2, from);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : es_store__db_fail(st, err, "copying a trial's phases");
}

static double real_or_nan(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* Step s (columns trial_id, name, wall_s, cpu_j, dram_j, gpu_j, entries,
 * items) and hand each row's phase to the trial at(ud, trial_id) gives
 * (NULL: none). */
static int read_rows(sqlite3_stmt *s, es_store_trial *(*at)(void *ud, int64_t id), void *ud)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_trial *t = at(ud, sqlite3_column_int64(s, 0));
        if (t == NULL)
            continue;
        es_store_phase *p = es_store__grow(&t->phases, &t->n_phases, sizeof *p);
        const unsigned char *name = sqlite3_column_text(s, 1);
        if (p == NULL || (p->name = strdup(name ? (const char *)name : "")) == NULL)
            return -ENOMEM;
        p->wall_s = real_or_nan(s, 2);
        p->cpu_j = real_or_nan(s, 3);
        p->dram_j = real_or_nan(s, 4);
        p->gpu_j = real_or_nan(s, 5);
        p->entries = sqlite3_column_int(s, 6);
        p->items = real_or_nan(s, 7);
    }
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

#define PHASE_COLUMNS "trial_id, name, wall_s, cpu_j, dram_j, gpu_j, entries, items"

static es_store_trial *trial_by_id(void *ud, int64_t id)
{
    es_store_sweep *sw = ud;
    /* Trials are loaded in the order of their ids. */
    size_t lo = 0, hi = sw->n_trials;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sw->trials[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sw->n_trials && sw->trials[lo].id == id)
        return &sw->trials[lo];
    for (size_t i = 0; i < sw->n_trials; i++) /* another order: look through */
        if (sw->trials[i].id == id)
            return &sw->trials[i];
    return NULL;
}

int es_store__load_phases(es_store *st, es_store_sweep *sw)
{
    if (sw->n_trials == 0)
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " PHASE_COLUMNS " FROM trial_phase WHERE trial_id IN (SELECT id"
                           " FROM trial WHERE sweep_id = ?1) ORDER BY trial_id, ord",
                           -1, &s, NULL) != SQLITE_OK)
        return ES_ESTORE;
    sqlite3_bind_int64(s, 1, sw->id);
    int rc = read_rows(s, trial_by_id, sw);
    sqlite3_finalize(s);
    return rc;
}

static es_store_trial *the_trial(void *ud, int64_t id)
{
    (void)id;
    return ud;
}

int es_store_trial_phases(es_store *st, int64_t trial_id, es_store_phase **out, size_t *n,
                          es_err *err)
{
    es_store_trial t;
    memset(&t, 0, sizeof t);
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT " PHASE_COLUMNS " FROM trial_phase WHERE trial_id = ?1"
                           " ORDER BY ord",
                           -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "loading a trial's phases");
    sqlite3_bind_int64(s, 1, trial_id);
    int rc = read_rows(s, the_trial, &t);
    sqlite3_finalize(s);
    if (rc != 0) {
        es_store_phases_free(t.phases, t.n_phases);
        return rc == -ENOMEM ? es_err_set(err, rc, "out of memory")
                             : es_store__db_fail(st, err, "loading a trial's phases");
    }
    *out = t.phases;
    *n = t.n_phases;
    return 0;
}

void es_store_phases_free(es_store_phase *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].name);
    free(p);
}

int es_store_trial_reused(es_store *st, const es_trial_new *t, int64_t from, es_trial_end *e,
                          int64_t *id, es_err *err)
{
    int rc = es_store__tx_begin(st, err);
    if (rc != 0)
        return rc;
    if ((rc = es_store_trial_start(st, t, id, err)) == 0 &&
        (rc = es_store_trial_copy_metrics(st, *id, from, &e->metric_points, err)) == 0 &&
        (rc = es_store__phases_copy(st, *id, from, err)) == 0)
        rc = es_store_trial_finish(st, *id, e, err);
    return es_store__tx_end(st, rc, err);
}
