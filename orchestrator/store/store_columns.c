/*
 * store_columns.c -- test support: the column lists of store_int.h checked
 * against the statements store.c prepared (es_store_testing_check_columns,
 * see store.h), so that a SELECT and the enum its reader uses cannot
 * disagree unnoticed.
 */
#include <sqlite3.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

/* Every statement that returns rows, with the column names its list in
 * store_int.h gives, in order. */
#define ES_COL_NAME(id, name) name,
#define COLUMNS(q, list)                                                                           \
    {                                                                                              \
        q, #q, (const char *const[]){list(ES_COL_NAME)},                                           \
            sizeof((const char *const[]){list(ES_COL_NAME)}) / sizeof(const char *)                \
    }
static const struct {
    int q;
    const char *q_name;
    const char *const *names;
    size_t n;
} columns[] = {
    COLUMNS(Q_SWEEP_FIND, ES_COLS_SWEEP_FIND),
    COLUMNS(Q_LOAD_SLURM, ES_COLS_LOAD_SLURM),
    COLUMNS(Q_RUNNING_JOBS, ES_COLS_RUNNING_JOBS),
    COLUMNS(Q_RUNNING_CGROUPS, ES_COLS_RUNNING_CGROUPS),
    COLUMNS(Q_SWEEP_HISTORY, ES_COLS_SWEEP_HISTORY),
    COLUMNS(Q_EARLIER_SWEEPS, ES_COLS_EARLIER_SWEEPS),
    COLUMNS(Q_PARAM_VALUES, ES_COLS_PARAM_VALUES),
    COLUMNS(Q_LOAD_TRIAL_STEPS, ES_COLS_LOAD_TRIAL_STEPS),
    COLUMNS(Q_OBJECTIVE_EVENTS, ES_COLS_OBJECTIVE_EVENTS),
    COLUMNS(Q_PROJECT_GET, ES_COLS_PROJECT_GET),
    COLUMNS(Q_SWEEP_NAME_TAKEN, ES_COLS_SWEEP_NAME_TAKEN),
    COLUMNS(Q_LOAD_PROJECTS, ES_COLS_LOAD_PROJECTS),
    COLUMNS(Q_LOAD_SWEEPS, ES_COLS_LOAD_SWEEPS),
    COLUMNS(Q_LOAD_TRIALS, ES_COLS_LOAD_TRIALS),
    COLUMNS(Q_LOAD_PARAMS, ES_COLS_LOAD_PARAMS),
    COLUMNS(Q_LOAD_LAST_METRICS, ES_COLS_LOAD_LAST_METRICS),
    COLUMNS(Q_IMPORT_FIND, ES_COLS_IMPORT_FIND),
    COLUMNS(Q_LOAD_IMPORTS, ES_COLS_LOAD_IMPORTS),
    COLUMNS(Q_LOAD_JOBS, ES_COLS_LOAD_JOBS),
    COLUMNS(Q_PROJECT_BUDGET_GET, ES_COLS_PROJECT_BUDGET_GET),
    COLUMNS(Q_PROJECT_SPENT, ES_COLS_PROJECT_SPENT),
    COLUMNS(Q_FIND_COMPLETED, ES_COLS_FIND_COMPLETED),
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

int es_store_testing_check_columns(es_store *st, es_err *err)
{
    for (int q = 0; q < Q__COUNT; q++) {
        sqlite3_stmt *s = st->q[q];
        size_t k = 0, n = (size_t)sqlite3_column_count(s);
        while (k < N_COLUMNS && columns[k].q != q)
            k++;
        if (k == N_COLUMNS) {
            if (n > 0)
                return es_err_set(err, ES_ESTORE,
                                  "statement %d (%.60s...) returns %zu columns but store_int.h "
                                  "names none",
                                  q, sqlite3_sql(s), n);
            continue;
        }
        if (n != columns[k].n)
            return es_err_set(err, ES_ESTORE,
                              "%s returns %zu columns, its list in store_int.h names %zu",
                              columns[k].q_name, n, columns[k].n);
        for (size_t i = 0; i < n; i++) {
            const char *got = sqlite3_column_name(s, (int)i);
            if (got == NULL || strcmp(got, columns[k].names[i]) != 0)
                return es_err_set(err, ES_ESTORE,
                                  "%s: column %zu is '%s', its list in store_int.h says '%s'",
                                  columns[k].q_name, i, got ? got : "(none)", columns[k].names[i]);
        }
    }
    return 0;
}
