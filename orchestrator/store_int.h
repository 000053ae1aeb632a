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
/* Bind text (NULL binds NULL). */
void es_store__bind_text(sqlite3_stmt *s, int i, const char *v);

#endif
