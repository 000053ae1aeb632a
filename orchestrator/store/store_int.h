/*
 * store_int.h -- the inside of the store, shared by store.c (schema,
 * statements, writing), store_read.c (loading), store_resume.c (resuming)
 * and store_columns.c (their check): the table of prepared statements, the
 * names of the columns they return, and a few helpers.  Nothing outside
 * the store includes it; the SQL text itself is only in store.c.
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
    Q_SWEEP_ALIVE,
    Q_SWEEP_RUN_CAP,
    Q_FIND_COMPLETED,
    Q_METRIC_COPY,
    Q_SWEEP_FIND,
    Q_TRIAL_LOSE,
    Q_SWEEP_BUDGET_SET,
    Q_SWEEP_SPEC_SET,
    Q_TRIAL_PROGRESS,
    Q_TRIAL_SLURM,
    Q_LOAD_SLURM,
    Q_RUNNING_JOBS,
    Q_RUNNING_CGROUPS,
    Q_TRIAL_MOVE_LOGS,
    Q_SWEEP_REOPEN,
    Q_SWEEP_HISTORY,
    Q_PARAM_VALUES,
    Q_TRIAL_PRUNED_STEP,
    Q_LOAD_TRIAL_STEPS,
    Q_OBJECTIVE_EVENTS,
    Q_EARLIER_SWEEPS,
    Q__COUNT
};

/*
 * Columns of the statements that return rows, by name.  Each list names a
 * SELECT's result columns in the order its text in store.c lists them, as
 * X(ENUM, "name"): the reading code uses the enum, never a bare number,
 * and "name" is the column's name as SQLite reports it (its AS alias, or
 * the column itself).  es_store_testing_check_columns() compares every
 * list with its prepared statement -- the count, and each name in its
 * place -- so a column added, dropped or moved in one place and not the
 * other fails test_store.columns_match_their_enums.  Where code reads a
 * run of columns from one index on (an energy part, the factor choices),
 * the list keeps them together in that order.
 */
#define ES_COL_ENUM(id, name) id,

#define ES_COLS_SWEEP_FIND(X)                                                                      \
    X(SF_ID, "id")                                                                                 \
    X(SF_NAME, "name")                                                                             \
    X(SF_STATUS, "status")                                                                         \
    X(SF_SEED, "seed")                                                                             \
    X(SF_PARALLEL, "parallel")                                                                     \
    X(SF_SPEC_PATH, "spec_path")                                                                   \
    X(SF_SPEC_TEXT, "spec_text")                                                                   \
    X(SF_PROJECT, "project")                                                                       \
    X(SF_REASON, "reason")                                                                         \
    X(SF_BUDGET_KWH, "budget_kwh")                                                                 \
    X(SF_BUDGET_USD, "budget_usd")                                                                 \
    X(SF_BUDGET_CO2E_KG, "budget_co2e_kg")                                                         \
    X(SF_NEXT_NUMBER, "next_number")                                                               \
    X(SF_RUN_CAP, "run_cap")
enum { ES_COLS_SWEEP_FIND(ES_COL_ENUM) SF__COUNT };

#define ES_COLS_LOAD_SLURM(X)                                                                      \
    X(LS_ID, "id")                                                                                 \
    X(LS_JOB, "slurm_job_id")                                                                      \
    X(LS_STATE, "slurm_state")                                                                     \
    X(LS_ENERGY_J, "slurm_energy_j")
enum { ES_COLS_LOAD_SLURM(ES_COL_ENUM) LS__COUNT };

#define ES_COLS_RUNNING_JOBS(X) X(RJ_JOB, "slurm_job_id")
enum { ES_COLS_RUNNING_JOBS(ES_COL_ENUM) RJ__COUNT };
#define ES_COLS_RUNNING_CGROUPS(X) X(RC_CGROUP, "cgroup")
enum { ES_COLS_RUNNING_CGROUPS(ES_COL_ENUM) RC__COUNT };

#define ES_COLS_SWEEP_HISTORY(X)                                                                   \
    X(SH_ID, "id")                                                                                 \
    X(SH_NUMBER, "number")                                                                         \
    X(SH_STATUS, "status")                                                                         \
    X(SH_OBJECTIVE, "objective")                                                                   \
    X(SH_LOG_DIR, "log_dir")                                                                       \
    X(SH_JOULES, "joules")                                                                         \
    X(SH_CONFIG_J, "config_j")                                                                     \
    X(SH_CONFIG_WALL, "config_wall_s")                                                             \
    X(SH_REUSED, "reused")                                                                         \
    X(SH_ENDED, "ended")
enum { ES_COLS_SWEEP_HISTORY(ES_COL_ENUM) SH__COUNT };

#define ES_COLS_EARLIER_SWEEPS(X)                                                                  \
    X(EW_ID, "id")                                                                                 \
    X(EW_NAME, "name")                                                                             \
    X(EW_SPEC_TEXT, "spec_text")                                                                   \
    X(EW_SPEC_PATH, "spec_path")                                                                   \
    X(EW_PROGRAM_FILE, "program_file")                                                             \
    X(EW_BEFORE, "before")                                                                         \
    X(EW_SELF_OLDER, "self_older")
enum { ES_COLS_EARLIER_SWEEPS(ES_COL_ENUM) EW__COUNT };

#define ES_COLS_PARAM_VALUES(X)                                                                    \
    X(PV_NAME, "name")                                                                             \
    X(PV_TYPE, "type")                                                                             \
    X(PV_VALUE, "value")
enum { ES_COLS_PARAM_VALUES(ES_COL_ENUM) PV__COUNT };

#define ES_COLS_LOAD_TRIAL_STEPS(X)                                                                \
    X(TS_PRUNED_STEP, "pruned_step")                                                               \
    X(TS_STEPS, "steps")                                                                           \
    X(TS_FIRST_STEP, "first_step")                                                                 \
    X(TS_FIRST_T, "first_t")                                                                       \
    X(TS_LAST_T, "last_t")                                                                         \
    X(TS_REPORTS, "reports") /* finite values of the objective */
enum { ES_COLS_LOAD_TRIAL_STEPS(ES_COL_ENUM) TS__COUNT };

#define ES_COLS_OBJECTIVE_EVENTS(X)                                                                \
    X(OE_KIND, "kind") /* 0: a report, 1: an end */                                                \
    X(OE_TRIAL_ID, "tid")                                                                          \
    X(OE_STEP, "step")                                                                             \
    X(OE_VALUE, "value")                                                                           \
    X(OE_STATUS, "status")                                                                         \
    X(OE_AT, "at")                                                                                 \
    X(OE_SEQ, "seq")
enum { ES_COLS_OBJECTIVE_EVENTS(ES_COL_ENUM) OE__COUNT };

#define ES_COLS_PROJECT_GET(X) X(PG_ID, "id")
enum { ES_COLS_PROJECT_GET(ES_COL_ENUM) PG__COUNT };

#define ES_COLS_SWEEP_NAME_TAKEN(X) X(NT_TAKEN, "taken")
enum { ES_COLS_SWEEP_NAME_TAKEN(ES_COL_ENUM) NT__COUNT };

#define ES_COLS_LOAD_PROJECTS(X)                                                                   \
    X(LP_ID, "id")                                                                                 \
    X(LP_NAME, "name")
enum { ES_COLS_LOAD_PROJECTS(ES_COL_ENUM) LP__COUNT };

#define ES_COLS_LOAD_SWEEPS(X)                                                                     \
    X(LW_ID, "id")                                                                                 \
    X(LW_NAME, "name")                                                                             \
    X(LW_STATUS, "status")                                                                         \
    X(LW_REASON, "reason")                                                                         \
    X(LW_METHOD, "method")                                                                         \
    X(LW_METRIC, "metric")                                                                         \
    X(LW_GOAL, "goal")                                                                             \
    X(LW_SPEC_PATH, "spec_path")                                                                   \
    X(LW_HOST, "host")                                                                             \
    X(LW_SEED, "seed")                                                                             \
    X(LW_STARTED, "started")                                                                       \
    X(LW_ENDED, "ended")                                                                           \
    X(LW_PUE, "pue")                                                                               \
    X(LW_CARBON, "carbon_g_per_kwh")                                                               \
    X(LW_ELECTRICITY, "electricity_usd_per_kwh")                                                   \
    X(LW_CLOUD, "cloud_usd_per_hour")                                                              \
    X(LW_CPU_WATTS, "cpu_watts_per_core")                                                          \
    X(LW_DRAM_WATTS, "dram_watts_per_gb")                                                          \
    X(LW_BUDGET_KWH, "budget_kwh")                                                                 \
    X(LW_BUDGET_USD, "budget_usd")                                                                 \
    X(LW_BUDGET_CO2E_KG, "budget_co2e_kg")                                                         \
    X(LW_BUDGET_WALL_S, "budget_wall_s")                                                           \
    X(LW_REGION, "region")                                                                         \
    X(LW_CARBON_SOURCE, "carbon_source")                                                           \
    X(LW_ATTRIBUTION, "attribution")                                                               \
    X(LW_GPU_WATTS, "gpu_watts")                                                                   \
    X(LW_PARALLEL, "parallel")                                                                     \
    X(LW_OVERSHOOT_J, "overshoot_j")                                                               \
    X(LW_SPEC_TEXT, "spec_text")
enum { ES_COLS_LOAD_SWEEPS(ES_COL_ENUM) LW__COUNT };

#define ES_COLS_LOAD_TRIALS(X)                                                                     \
    X(LT_ID, "id")                                                                                 \
    X(LT_NUMBER, "number")                                                                         \
    X(LT_STATUS, "status")                                                                         \
    X(LT_REASON, "reason")                                                                         \
    X(LT_HOST, "host")                                                                             \
    X(LT_LOG_DIR, "log_dir")                                                                       \
    X(LT_COMMAND, "command")                                                                       \
    X(LT_OBJECTIVE, "objective")                                                                   \
    X(LT_STARTED, "started")                                                                       \
    X(LT_ENDED, "ended")                                                                           \
    X(LT_WALL_S, "wall_s")                                                                         \
    X(LT_CPU_S, "cpu_s")                                                                           \
    X(LT_PEAK_RSS_KB, "peak_rss_kb")                                                               \
    X(LT_EXIT_CODE, "exit_code")                                                                   \
    X(LT_SIGNAL, "signal")                                                                         \
    X(LT_CPU_J, "cpu_j")                                                                           \
    X(LT_CPU_METHOD, "cpu_method")                                                                 \
    X(LT_CPU_SOURCE, "cpu_source")                                                                 \
    X(LT_DRAM_J, "dram_j")                                                                         \
    X(LT_DRAM_METHOD, "dram_method")                                                               \
    X(LT_DRAM_SOURCE, "dram_source")                                                               \
    X(LT_GPU_J, "gpu_j")                                                                           \
    X(LT_GPU_METHOD, "gpu_method")                                                                 \
    X(LT_GPU_SOURCE, "gpu_source")                                                                 \
    X(LT_REUSED_FROM, "reused_from")                                                               \
    X(LT_FORECAST_J, "forecast_j")                                                                 \
    X(LT_REUSED_J, "reused_j")                                                                     \
    X(LT_CONTAINMENT, "containment")                                                               \
    X(LT_REUSED_WALL_S, "reused_wall_s")
enum { ES_COLS_LOAD_TRIALS(ES_COL_ENUM) LT__COUNT };

#define ES_COLS_LOAD_PARAMS(X) X(LA_PARAMS, "params")
enum { ES_COLS_LOAD_PARAMS(ES_COL_ENUM) LA__COUNT };

#define ES_COLS_LOAD_LAST_METRICS(X)                                                               \
    X(LM_NAME, "name")                                                                             \
    X(LM_VALUE, "value")                                                                           \
    X(LM_STEP, "step")
enum { ES_COLS_LOAD_LAST_METRICS(ES_COL_ENUM) LM__COUNT };

#define ES_COLS_IMPORT_FIND(X)                                                                     \
    X(IF_ID, "id")                                                                                 \
    X(IF_FILE, "file")                                                                             \
    X(IF_IMPORTED, "imported")
enum { ES_COLS_IMPORT_FIND(ES_COL_ENUM) IF__COUNT };

#define ES_COLS_LOAD_IMPORTS(X)                                                                    \
    X(LI_ID, "id")                                                                                 \
    X(LI_FILE, "file")                                                                             \
    X(LI_FORMAT, "format")                                                                         \
    X(LI_HASH, "content_hash")                                                                     \
    X(LI_IMPORTED, "imported")                                                                     \
    X(LI_PUE, "pue")                                                                               \
    X(LI_CARBON, "carbon_g_per_kwh")                                                               \
    X(LI_ELECTRICITY, "electricity_usd_per_kwh")                                                   \
    X(LI_CLOUD, "cloud_usd_per_hour")                                                              \
    X(LI_REGION, "region")                                                                         \
    X(LI_CARBON_SOURCE, "carbon_source")                                                           \
    X(LI_GPU_WATTS, "gpu_watts")                                                                   \
    X(LI_CPU_WATTS, "cpu_watts")
enum { ES_COLS_LOAD_IMPORTS(ES_COL_ENUM) LI__COUNT };

#define ES_COLS_LOAD_JOBS(X)                                                                       \
    X(LJ_ID, "id")                                                                                 \
    X(LJ_LINE, "line")                                                                             \
    X(LJ_NAME, "name")                                                                             \
    X(LJ_GROUP, "grp")                                                                             \
    X(LJ_STATUS, "status")                                                                         \
    X(LJ_STARTED, "started")                                                                       \
    X(LJ_ENDED, "ended")                                                                           \
    X(LJ_HOURS, "hours")                                                                           \
    X(LJ_GPUS, "gpus")                                                                             \
    X(LJ_CPUS, "cpus")                                                                             \
    X(LJ_ENERGY_J, "energy_j")                                                                     \
    X(LJ_METHOD, "method")                                                                         \
    X(LJ_SOURCE, "source")
enum { ES_COLS_LOAD_JOBS(ES_COL_ENUM) LJ__COUNT };

#define ES_COLS_PROJECT_BUDGET_GET(X)                                                              \
    X(PB_KWH, "kwh")                                                                               \
    X(PB_USD, "usd")                                                                               \
    X(PB_CO2E_KG, "co2e_kg")
enum { ES_COLS_PROJECT_BUDGET_GET(ES_COL_ENUM) PB__COUNT };

#define ES_COLS_PROJECT_SPENT(X)                                                                   \
    X(PS_DEVICE_J, "device_j")                                                                     \
    X(PS_RESERVED_J, "reserved_j")                                                                 \
    X(PS_PUE, "pue")                                                                               \
    X(PS_CARBON, "g")                                                                              \
    X(PS_USD_PER_KWH, "usd")
enum { ES_COLS_PROJECT_SPENT(ES_COL_ENUM) PS__COUNT };

#define ES_COLS_FIND_COMPLETED(X)                                                                  \
    X(FC_TRIAL_ID, "id")                                                                           \
    X(FC_SWEEP_ID, "sweep_id")                                                                     \
    X(FC_SWEEP_NAME, "name")                                                                       \
    X(FC_NUMBER, "number")                                                                         \
    X(FC_OBJECTIVE, "objective")                                                                   \
    X(FC_JOULES, "joules")                                                                         \
    X(FC_WALL_S, "wall_s")
enum { ES_COLS_FIND_COMPLETED(ES_COL_ENUM) FC__COUNT };

struct es_store {
    sqlite3 *db;
    char *path;
    int version;  /* schema version found at open, before migrating */
    int tx_depth; /* es_store__tx_begin calls not yet ended (see there) */
    sqlite3_stmt *q[Q__COUNT];
};

/* The schema version this ecosweep writes (store_schema.c holds the
 * migrations up to it). */
#define ES_SCHEMA_VERSION 13

/* The reuse key of a set of parameters: each parameter as its name, its
 * JSON type and its value quoted as SQL (the same double always quotes
 * alike), sorted by name and joined; '' when there are none.  The rows come
 * FROM a query giving NAME, TYPE and VALUE (an SQL value, as json_extract
 * or json_each give it).  Equal parameters have equal keys, so the key
 * finds the candidates through an index; the reuse lookup still compares
 * the values themselves. */
#define PARAMS_KEY(NAME, TYPE, VALUE, FROM)                                                        \
    "(SELECT coalesce(group_concat(k, char(30)), '') FROM (SELECT " NAME " || char(31) || " TYPE   \
    " || char(31) || quote(" VALUE ") AS k FROM " FROM " ORDER BY " NAME "))"
/* The key of trial T's stored parameters; of every trial, in the migration;
 * of the JSON object ?3, in the lookup. */
#define TRIAL_PARAMS_KEY(T)                                                                        \
    PARAMS_KEY("name", "json_type(value)", "json_extract(value, '$')", "param WHERE trial_id = " T)
#define MIGRATED_PARAMS_KEY TRIAL_PARAMS_KEY("trial.id")
#define LOOKUP_PARAMS_KEY PARAMS_KEY("key", "type", "value", "json_each(?3)")

/* Run SQL text that returns no rows.  0 or ES_ESTORE. */
int es_store__exec_plain(es_store *st, const char *text, es_err *err);
/* PRAGMA user_version into *version.  0 or ES_ESTORE. */
int es_store__read_version(es_store *st, int *version, es_err *err);
/* Bring the schema up to ES_SCHEMA_VERSION, one migration a transaction
 * (store_schema.c); st->version receives the version found. */
int es_store__migrate(es_store *st, es_err *err);
/* Record "PATH: what: SQLite's message" in err; returns ES_EBUSY when the
 * database was locked by another connection past the busy timeout (nothing
 * of the failed statement or transaction was written: the same call may be
 * made again), else ES_ESTORE. */
int es_store__db_fail(es_store *st, es_err *err, const char *what);
/* Step statement q, which returns no rows; reset it and clear its
 * bindings either way.  0 or ES_ESTORE. */
int es_store__step_done(es_store *st, int q, es_err *err, const char *what);
/* Grow *arr (of *n elements of size sz, NULL when *n is 0) by one zeroed
 * element and return it; NULL on OOM.  The room doubles whenever *n
 * reaches a power of two, so an array must only ever grow through this
 * function (its capacity is implied by *n). */
void *es_store__grow(void *arr_ptr, size_t *n, size_t sz);
/* store_phase.c: a trial's phases written, copied from the trial a reuse
 * took, and loaded for every trial of a sweep. */
int es_store__phases_insert(es_store *st, int64_t trial_id, const es_store_phase *ph, size_t n,
                            es_err *err);
int es_store__phases_copy(es_store *st, int64_t to, int64_t from, es_err *err);
int es_store__load_phases(es_store *st, es_store_sweep *sw);
/* Bind a double; NaN binds NULL. */
void es_store__bind_real(sqlite3_stmt *s, int i, double v);
/* A REAL column, NULL read as 0 (a budget cap not set). */
double es_store__col_cap(sqlite3_stmt *s, int i);
/* BEGIN IMMEDIATE; and COMMIT when rc is 0, else ROLLBACK, returning rc
 * (or the commit's failure).  They nest: only the outermost pair begins and
 * ends the transaction, so a function that writes in one transaction can
 * be part of a larger one; an inner failure is returned up to the outer
 * end, which rolls everything back. */
/* A sweep's objectives and constraints (store_objectives.c): recorded
 * with it (inside the caller's transaction), and loaded into sw (0,
 * -ENOMEM or ES_ESTORE). */
int es_store__objectives_add(es_store *st, int64_t sweep_id, const es_spec *sp, es_err *err);
int es_store__objectives_load(es_store *st, es_store_sweep *sw);

int es_store__tx_begin(es_store *st, es_err *err);
int es_store__tx_end(es_store *st, int rc, es_err *err);
/* Bind text (NULL binds NULL). */
void es_store__bind_text(sqlite3_stmt *s, int i, const char *v);

#endif
