/*
 * store_int.h -- the inside of the store, shared by store.c (schema,
 * statements, writing) and store_read.c (loading): the table of prepared
 * statements and a few helpers.  Nothing outside the store includes it;
 * the SQL text itself is only in store.c.
 */
#ifndef ES_STORE_INT_H
#define ES_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* Names of the statements in store.c's table, prepared at open. */
enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_BEGIN_READ,
    Q_PROJECT_GET,
    Q_PROJECT_ADD,
    Q_SWEEP_NAME_TAKEN,
    Q_SWEEP_ADD,
    Q_SWEEP_FINISH,
    Q_TRIAL_ADD,
    Q_PARAM_ADD,
    Q_TRIAL_PARAMS_KEY,
    Q_METRIC_ADD,
    Q_TRIAL_FINISH,
    Q_LOAD_PROJECTS,
    Q_LOAD_SWEEPS,
    Q_LOAD_TRIALS,
    Q_LOAD_PARAMS,
    Q_LOAD_LAST_METRICS,
    Q_IMPORT_FIND,
    Q_IMPORT_ADD,
    Q_JOB_ADD,
    Q_LOAD_IMPORTS,
    Q_LOAD_JOBS,
    Q_SWEEP_OVERSHOOT,
    Q_PROJECT_BUDGET_GET,
    Q_PROJECT_BUDGET_SET,
    Q_PROJECT_BUDGET_CLEAR,
    Q_PROJECT_SPENT,
    Q_FIND_COMPLETED,
    Q_SWEEP_FIND,
    Q_TRIAL_LOSE,
    Q_SWEEP_BUDGET_SET,
    Q_TRIAL_PROGRESS,
    Q_TRIAL_SLURM,
    Q_LOAD_SLURM,
    Q_RUNNING_JOBS,
    Q_TRIAL_MOVE_LOGS,
    Q_SWEEP_REOPEN,
    Q_SWEEP_HISTORY,
    Q_PARAM_VALUES,
    Q_TRIAL_PRUNED_STEP,
    Q_LOAD_TRIAL_STEPS,
    Q_OBJECTIVE_EVENTS,
    Q__COUNT
};

struct es_store {
    sqlite3 *db;
    char *path;
    int version; /* schema version found at open, before migrating */
    sqlite3_stmt *q[Q__COUNT];
};

/* Record "PATH: what: SQLite's message" in err; returns ES_ESTORE. */
int es_store__db_fail(es_store *st, es_err *err, const char *what);
/* Step statement q, which returns no rows; reset it and clear its
 * bindings either way.  0 or ES_ESTORE. */
int es_store__step_done(es_store *st, int q, es_err *err, const char *what);
/* Append one zeroed element to the array *arr_ptr of *n elements of sz
 * bytes (realloc); the new element, or NULL when out of memory (the array
 * is then unchanged). */
void *es_store__grow(void *arr_ptr, size_t *n, size_t sz);
/* Bind a double; NaN binds NULL. */
void es_store__bind_real(sqlite3_stmt *s, int i, double v);
/* A REAL column, NULL read as 0 (a budget cap not set). */
double es_store__col_cap(sqlite3_stmt *s, int i);
/* BEGIN IMMEDIATE; and COMMIT when rc is 0, else ROLLBACK, returning rc
 * (or the commit's failure). */
int es_store__tx_begin(es_store *st, es_err *err);
int es_store__tx_end(es_store *st, int rc, es_err *err);
/* Bind text (NULL binds NULL). */
void es_store__bind_text(sqlite3_stmt *s, int i, const char *v);

#endif
