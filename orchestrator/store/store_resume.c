/*
 * store_resume.c -- what resuming a sweep reads and writes (see store.h):
 * finding a sweep by name, reopening it with its running trials lost,
 * its recorded trials and objective reports, the jobs of its running
 * trials, and the integrity check the fault-injection tests use.
 */
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The first column of statement q's rows for sweep_id, as a fresh
 * NULL-terminated vector. */
static int running_texts(es_store *st, int q, int64_t sweep_id, char ***out, size_t *n,
                         const char *what, es_err *err)
{
    sqlite3_stmt *s = st->q[q];
    char **v = calloc(1, sizeof *v);
    size_t k = 0;
    int rc = SQLITE_NOMEM, oom = v == NULL;
    sqlite3_bind_int64(s, 1, sweep_id);
    while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char **w = realloc(v, (k + 2) * sizeof *v);
        if (w == NULL || (w[k] = strdup((const char *)sqlite3_column_text(s, 0))) == NULL) {
            oom = 1;
            if (w != NULL)
                v = w;
            break;
        }
        v = w;
        v[++k] = NULL;
    }
    sqlite3_reset(s);
    if (oom || rc != SQLITE_DONE) {
        es_strv_free(v);
        return oom ? es_err_set(err, -ENOMEM, "out of memory") : es_store__db_fail(st, err, what);
    }
    *out = v;
    *n = k;
    return 0;
}

int es_store_sweep_running_jobs(es_store *st, int64_t sweep_id, char ***out, size_t *n, es_err *err)
{
    return running_texts(st, Q_RUNNING_JOBS, sweep_id, out, n, "reading the running trials' jobs",
                         err);
}

int es_store_sweep_running_cgroups(es_store *st, int64_t sweep_id, char ***out, size_t *n,
                                   es_err *err)
{
    return running_texts(st, Q_RUNNING_CGROUPS, sweep_id, out, n,
                         "reading the running trials' cgroups", err);
}

/* ---- Resuming a sweep --------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t != NULL ? strdup((const char *)t) : NULL;
}

/* A trial.status column.  Only this version's words are ever written; any
 * other reads as failed, as the summary has always counted it. */
static es_trial_status col_status(sqlite3_stmt *s, int i)
{
    int st = es_trial_status_parse((const char *)sqlite3_column_text(s, i));
    return st < 0 ? ES_TRIAL_FAILED : (es_trial_status)st;
}

void es_store_sweep_ref_clear(es_store_sweep_ref *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->status);
    free(r->spec_path);
    free(r->spec_text);
    free(r->project);
    free(r->reason);
    memset(r, 0, sizeof *r);
}

int es_store_sweep_find(es_store *st, const char *project, const char *sweep, const char *status,
                        es_store_sweep_ref *out, int *n_found, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_FIND];
    int rc, n = 0;

    memset(out, 0, sizeof *out);
    es_store__bind_text(s, 1, project);
    es_store__bind_text(s, 2, sweep);
    es_store__bind_text(s, 3, status);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n++ > 0)
            continue;
        out->id = sqlite3_column_int64(s, SF_ID);
        out->name = col_dup(s, SF_NAME);
        out->status = col_dup(s, SF_STATUS);
        out->seed = (uint64_t)sqlite3_column_int64(s, SF_SEED);
        out->parallel = sqlite3_column_int(s, SF_PARALLEL);
        out->spec_path = col_dup(s, SF_SPEC_PATH);
        out->spec_text = col_dup(s, SF_SPEC_TEXT);
        out->project = col_dup(s, SF_PROJECT);
        out->reason = col_dup(s, SF_REASON);
        out->budget.kwh = es_store__col_cap(s, SF_BUDGET_KWH);
        out->budget.usd = es_store__col_cap(s, SF_BUDGET_USD);
        out->budget.co2e_kg = es_store__col_cap(s, SF_BUDGET_CO2E_KG);
        out->next_number = sqlite3_column_int64(s, SF_NEXT_NUMBER);
        out->run_cap = sqlite3_column_type(s, SF_RUN_CAP) == SQLITE_NULL
                           ? 0
                           : (long)sqlite3_column_int64(s, SF_RUN_CAP);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    *n_found = n;
    if (rc != SQLITE_DONE) {
        es_store_sweep_ref_clear(out);
        return es_store__db_fail(st, err, "looking up sweep");
    }
    if (n > 0 && (out->name == NULL || out->status == NULL || out->project == NULL)) {
        es_store_sweep_ref_clear(out);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    return 0;
}

int es_store_sweep_reopen(es_store *st, int64_t sweep_id, const char *reason, double now,
                          int *n_lost, es_err *err)
{
    int rc = es_store__tx_begin(st, err);
    *n_lost = 0;
    if (rc == 0) {
        sqlite3_bind_int64(st->q[Q_TRIAL_LOSE], 1, sweep_id);
        es_store__bind_text(st->q[Q_TRIAL_LOSE], 2, reason);
        sqlite3_bind_double(st->q[Q_TRIAL_LOSE], 3, now);
        rc = es_store__step_done(st, Q_TRIAL_LOSE, err, "marking lost trials");
        if (rc == 0)
            *n_lost = sqlite3_changes(st->db);
    }
    if (rc == 0) {
        sqlite3_bind_int64(st->q[Q_SWEEP_REOPEN], 1, sweep_id);
        rc = es_store__step_done(st, Q_SWEEP_REOPEN, err, "reopening sweep");
    }
    return es_store__tx_end(st, rc, err);
}

/* Decode the stored parameters of one trial into values (spec order).  The
 * JSON type of each stored value is the kind es_params_json wrote; null is
 * a float that was not finite, or a null constant. */
static int param_values(es_store *st, int64_t trial_id, const es_spec *spec, es_value *values,
                        es_err *err)
{
    sqlite3_stmt *s = st->q[Q_PARAM_VALUES];
    int rc, oom = 0;

    sqlite3_bind_int64(s, 1, trial_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int k = es_spec_param_index(spec, (const char *)sqlite3_column_text(s, PV_NAME));
        const char *type = (const char *)sqlite3_column_text(s, PV_TYPE);
        if (k < 0 || type == NULL)
            continue;
        es_value *v = &values[k];
        es_value_clear(v);
        if (strcmp(type, "integer") == 0) {
            v->kind = ES_V_INT;
            v->i = sqlite3_column_int64(s, PV_VALUE);
        } else if (strcmp(type, "real") == 0) {
            v->kind = ES_V_FLOAT;
            v->f = sqlite3_column_double(s, PV_VALUE);
        } else if (strcmp(type, "true") == 0 || strcmp(type, "false") == 0) {
            v->kind = ES_V_BOOL;
            v->b = type[0] == 't';
        } else if (strcmp(type, "text") == 0) {
            v->kind = ES_V_STR;
            oom |= (v->s = col_dup(s, PV_VALUE)) == NULL;
        } else if (spec->params[k].dist != ES_DIST_CONSTANT &&
                   spec->params[k].dist != ES_DIST_CATEGORICAL) {
            v->kind = ES_V_FLOAT;
            v->f = NAN;
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return es_store__db_fail(st, err, "loading parameters");
    return oom ? es_err_set(err, -ENOMEM, "out of memory") : 0;
}

void es_store_sweep_history_free(es_store_past_trial *h, size_t n, const es_spec *spec)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(h[i].log_dir);
        es_values_free(h[i].values, spec->n_params);
    }
    free(h);
}

int es_store_sweep_history(es_store *st, int64_t sweep_id, const es_spec *spec,
                           es_store_past_trial **out, size_t *n_out, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_HISTORY];
    es_store_past_trial *h = NULL;
    size_t n = 0;
    int rc, step;

    *out = NULL;
    *n_out = 0;
    if ((rc = es_store__step_done(st, Q_BEGIN_READ, err, "starting a read")) != 0)
        return rc;
    sqlite3_bind_int64(s, 1, sweep_id);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_past_trial *p = es_store__grow(&h, &n, sizeof *p);
        if (p == NULL) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
        p->id = sqlite3_column_int64(s, SH_ID);
        p->number = sqlite3_column_int64(s, SH_NUMBER);
        p->status = col_status(s, SH_STATUS);
        p->objective = sqlite3_column_type(s, SH_OBJECTIVE) == SQLITE_NULL
                           ? NAN
                           : sqlite3_column_double(s, SH_OBJECTIVE);
        p->log_dir = col_dup(s, SH_LOG_DIR);
        p->joules = sqlite3_column_type(s, SH_JOULES) == SQLITE_NULL
                        ? NAN
                        : sqlite3_column_double(s, SH_JOULES);
        p->config_j = sqlite3_column_type(s, SH_CONFIG_J) == SQLITE_NULL
                          ? NAN
                          : sqlite3_column_double(s, SH_CONFIG_J);
        p->config_wall_s = sqlite3_column_type(s, SH_CONFIG_WALL) == SQLITE_NULL
                               ? NAN
                               : sqlite3_column_double(s, SH_CONFIG_WALL);
        p->reused = sqlite3_column_int(s, SH_REUSED) != 0;
        p->ended = sqlite3_column_type(s, SH_ENDED) == SQLITE_NULL
                       ? NAN
                       : sqlite3_column_double(s, SH_ENDED);
        p->values = calloc(spec->n_params ? spec->n_params : 1, sizeof *p->values);
        if (p->values == NULL) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc == 0 && step != SQLITE_DONE)
        rc = es_store__db_fail(st, err, "loading the sweep's trials");
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = param_values(st, h[i].id, spec, h[i].values, err);
    es_store__step_done(st, Q_COMMIT, NULL, "ending a read");
    if (rc != 0) {
        es_store_sweep_history_free(h, n, spec);
        return rc;
    }
    *out = h;
    *n_out = n;
    return 0;
}

void es_store_earlier_sweeps_free(es_store_earlier_sweep *list, size_t n)
{
    for (size_t i = 0; list != NULL && i < n; i++) {
        free(list[i].name);
        free(list[i].spec_text);
        free(list[i].spec_path);
        free(list[i].program_file);
    }
    free(list);
}

int es_store_earlier_sweeps(es_store *st, int64_t project_id, int64_t self, double before,
                            size_t max, es_store_earlier_sweep **out, size_t *n_out,
                            double *before_out, int *self_older, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_EARLIER_SWEEPS];
    es_store_earlier_sweep *list = NULL;
    size_t n = 0;
    int rc, step = SQLITE_DONE;

    *out = NULL;
    *n_out = 0;
    *before_out = before;
    *self_older = 0;
    if ((rc = es_store__step_done(st, Q_BEGIN_READ, err, "starting a read")) != 0)
        return rc;
    sqlite3_bind_int64(s, 1, project_id);
    sqlite3_bind_int64(s, 2, self);
    es_store__bind_real(s, 3, before);
    while (n < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_earlier_sweep *e = es_store__grow(&list, &n, sizeof *e);
        if (e == NULL) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
        e->id = sqlite3_column_int64(s, EW_ID);
        e->name = col_dup(s, EW_NAME);
        e->spec_text = col_dup(s, EW_SPEC_TEXT);
        e->spec_path = col_dup(s, EW_SPEC_PATH);
        e->program_file = col_dup(s, EW_PROGRAM_FILE);
        *before_out = sqlite3_column_double(s, EW_BEFORE);
        *self_older = sqlite3_column_int(s, EW_SELF_OLDER);
        if (e->name == NULL ||
            (e->spec_text == NULL && sqlite3_column_type(s, EW_SPEC_TEXT) != SQLITE_NULL) ||
            (e->spec_path == NULL && sqlite3_column_type(s, EW_SPEC_PATH) != SQLITE_NULL) ||
            (e->program_file == NULL && sqlite3_column_type(s, EW_PROGRAM_FILE) != SQLITE_NULL)) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = es_store__db_fail(st, err, "listing the project's earlier sweeps");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    es_store__step_done(st, Q_COMMIT, NULL, "ending a read");
    if (rc != 0) {
        es_store_earlier_sweeps_free(list, n);
        return rc;
    }
    *out = list;
    *n_out = n;
    return 0;
}

int es_store_objective_history(es_store *st, int64_t sweep_id, const char *metric,
                               es_store_objective_event **out, size_t *n_out, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_OBJECTIVE_EVENTS];
    es_store_objective_event *ev = NULL;
    size_t n = 0;
    int rc, step;

    *out = NULL;
    *n_out = 0;
    if ((rc = es_store__step_done(st, Q_BEGIN_READ, err, "starting a read")) != 0)
        return rc;
    sqlite3_bind_int64(s, 1, sweep_id);
    es_store__bind_text(s, 2, metric);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_objective_event *e = es_store__grow(&ev, &n, sizeof *e);
        if (e == NULL) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
        e->ended = sqlite3_column_int(s, OE_KIND);
        e->trial_id = sqlite3_column_int64(s, OE_TRIAL_ID);
        e->step =
            sqlite3_column_type(s, OE_STEP) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, OE_STEP);
        e->value = sqlite3_column_type(s, OE_VALUE) == SQLITE_NULL
                       ? NAN
                       : sqlite3_column_double(s, OE_VALUE);
        e->status = e->ended ? col_status(s, OE_STATUS) : ES_TRIAL_RUNNING;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc == 0 && step != SQLITE_DONE)
        rc = es_store__db_fail(st, err, "loading the objective's history");
    es_store__step_done(st, Q_COMMIT, NULL, "ending a read");
    if (rc != 0) {
        free(ev);
        return rc;
    }
    *out = ev;
    *n_out = n;
    return 0;
}

int es_store_integrity_check(es_store *st, char *msg, size_t cap, es_err *err)
{
    sqlite3_stmt *s;
    int rc, ok = 1;
    size_t len = 0;

    if (cap > 0)
        msg[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "checking integrity");
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(s, 0);
        if (line == NULL)
            continue;
        ok &= strcmp(line, "ok") == 0;
        if (cap > len + 1) {
            int w = snprintf(msg + len, cap - len, "%s%s", len ? "\n" : "", line);
            len = w > 0 && (size_t)w < cap - len ? len + (size_t)w : cap - 1;
        }
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return es_store__db_fail(st, err, "checking integrity");
    return ok ? 0 : es_err_set(err, ES_ESTORE, "%s: integrity check failed: %s", st->path, msg);
}
