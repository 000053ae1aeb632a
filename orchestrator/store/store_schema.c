/*
 * store_schema.c -- the store's schema: the migrations that take a database
 * from each version to the next (PRAGMA user_version), applying them, and
 * the test writers that leave a database as an older ecosweep did.  The
 * statements a running store uses are in store.c's table.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

#include "store.h"
#include "store_int.h"

/* Migrations, in order: migrations[i] takes user_version i to i+1.  Each
 * runs in one transaction with its user_version bump, so a database is
 * always at one version or the next, never between. */
static const char *const migrations[] = {
    "CREATE TABLE project ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  created REAL NOT NULL);"
    "CREATE TABLE sweep ("
    "  id INTEGER PRIMARY KEY,"
    "  project_id INTEGER NOT NULL REFERENCES project(id),"
    "  name TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  reason TEXT,"
    "  spec_path TEXT, spec_text TEXT,"
    "  method TEXT NOT NULL, metric TEXT, goal TEXT,"
    "  seed INTEGER NOT NULL, parallel INTEGER NOT NULL,"
    "  started REAL NOT NULL, ended REAL, host TEXT,"
    "  pue REAL NOT NULL, carbon_g_per_kwh REAL NOT NULL,"
    "  electricity_usd_per_kwh REAL NOT NULL, cloud_usd_per_hour REAL NOT NULL,"
    "  cpu_watts_per_core REAL NOT NULL, dram_watts_per_gb REAL NOT NULL,"
    "  budget_kwh REAL, budget_usd REAL, budget_co2e_kg REAL, budget_wall_s REAL,"
    "  UNIQUE(project_id, name));"
    "CREATE TABLE trial ("
    "  id INTEGER PRIMARY KEY,"
    "  sweep_id INTEGER NOT NULL REFERENCES sweep(id),"
    "  number INTEGER NOT NULL,"
    "  status TEXT NOT NULL, reason TEXT,"
    "  objective REAL,"
    "  command TEXT, log_dir TEXT, host TEXT,"
    "  started REAL NOT NULL, ended REAL,"
    "  wall_s REAL, cpu_s REAL, peak_rss_kb INTEGER, exit_code INTEGER, signal INTEGER,"
    "  cpu_j REAL, cpu_method TEXT, cpu_source TEXT,"
    "  dram_j REAL, dram_method TEXT, dram_source TEXT,"
    "  gpu_j REAL, gpu_method TEXT, gpu_source TEXT,"
    "  metric_points INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(sweep_id, number));"
    "CREATE TABLE param ("
    "  trial_id INTEGER NOT NULL REFERENCES trial(id),"
    "  name TEXT NOT NULL,"
    "  ord INTEGER NOT NULL," /* position in the spec */
    "  value TEXT NOT NULL,"  /* JSON */
    "  PRIMARY KEY(trial_id, name)) WITHOUT ROWID;"
    "CREATE TABLE metric ("
    "  trial_id INTEGER NOT NULL REFERENCES trial(id),"
    "  seq INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  step INTEGER,"
    "  value REAL,"
    "  t REAL NOT NULL,"
    "  PRIMARY KEY(trial_id, seq)) WITHOUT ROWID;"
    "CREATE INDEX metric_by_name ON metric(trial_id, name, seq);",

    /* v2: the sweep's region (ISO alpha-3, NULL when none was given), where
     * its carbon intensity came from, the attribution of shared counters and
     * the GPU estimate.  Sweeps written by v1 get what the spec now resolves
     * by default: attribution shared when they ran trials in parallel (v1
     * metered by the estimate alone, which charges each trial its own CPU
     * time either way), carbon source 'default' when their intensity is the
     * world average and 'explicit' otherwise, no GPU estimate. */
    "ALTER TABLE sweep ADD COLUMN region TEXT;"
    "ALTER TABLE sweep ADD COLUMN carbon_source TEXT NOT NULL DEFAULT 'default';"
    "ALTER TABLE sweep ADD COLUMN attribution TEXT NOT NULL DEFAULT 'exclusive';"
    "ALTER TABLE sweep ADD COLUMN gpu_watts REAL NOT NULL DEFAULT 0;"
    "UPDATE sweep SET"
    "  carbon_source = CASE WHEN carbon_g_per_kwh = 475 THEN 'default' ELSE 'explicit' END,"
    "  attribution = CASE WHEN parallel > 1 THEN 'shared' ELSE 'exclusive' END;",

    /* v3: jobs that ran outside ecosweep (`ecosweep import`).  One job_import
     * row per imported file, holding the factors that price its jobs (as a
     * sweep does) and a hash of the file's bytes, so the same file is not
     * counted twice by mistake; one imported_job row per job, its energy in
     * joules at the devices (before PUE) with the method that produced it. */
    "CREATE TABLE job_import ("
    "  id INTEGER PRIMARY KEY,"
    "  project_id INTEGER NOT NULL REFERENCES project(id),"
    "  file TEXT NOT NULL, format TEXT NOT NULL, content_hash TEXT NOT NULL,"
    "  imported REAL NOT NULL,"
    "  pue REAL NOT NULL, carbon_g_per_kwh REAL NOT NULL,"
    "  electricity_usd_per_kwh REAL NOT NULL, cloud_usd_per_hour REAL NOT NULL,"
    "  region TEXT, carbon_source TEXT NOT NULL,"
    "  gpu_watts REAL NOT NULL, cpu_watts REAL NOT NULL);"
    "CREATE TABLE imported_job ("
    "  id INTEGER PRIMARY KEY,"
    "  import_id INTEGER NOT NULL REFERENCES job_import(id),"
    "  line INTEGER NOT NULL,"
    "  name TEXT NOT NULL, grp TEXT, status TEXT NOT NULL,"
    "  started REAL, ended REAL, hours REAL NOT NULL,"
    "  gpus INTEGER NOT NULL, cpus INTEGER NOT NULL,"
    "  energy_j REAL NOT NULL, method TEXT NOT NULL, source TEXT NOT NULL);"
    "CREATE INDEX imported_job_by_import ON imported_job(import_id, line);",

    /* v4: project budgets, reuse and forecasts.  project_budget holds a
     * project's caps (NULL: none), which every sweep of the project shares
     * with its imported jobs.  A trial may be the reuse of an earlier
     * completed trial with the same command and parameters (reused_from; it
     * then ran nothing) and records the energy forecast when it was launched
     * (forecast_j), so reports can say how good forecasts were.  A sweep
     * records how much energy it spent beyond its budget (overshoot_j; NULL
     * when it had no budget).  The partial index serves the reuse lookup. */
    "CREATE TABLE project_budget ("
    "  project_id INTEGER PRIMARY KEY REFERENCES project(id),"
    "  kwh REAL, usd REAL, co2e_kg REAL,"
    "  updated REAL NOT NULL);"
    "ALTER TABLE trial ADD COLUMN reused_from INTEGER REFERENCES trial(id);"
    "ALTER TABLE trial ADD COLUMN forecast_j REAL;"
    "ALTER TABLE sweep ADD COLUMN overshoot_j REAL;"
    "CREATE INDEX trial_completed_by_command ON trial(command) WHERE status = 'completed';",

    /* v5: resuming a sweep whose coordinator died.  A trial that was running
     * then is kept with status 'lost' and its number is run again, so a
     * number is unique only among the trials that are not lost.  SQLite
     * cannot drop a table constraint, so the trial table is rebuilt (the
     * migrations run with foreign keys off; the ids, which param, metric and
     * reused_from refer to, are kept). */
    "CREATE TABLE trial_v5 ("
    "  id INTEGER PRIMARY KEY,"
    "  sweep_id INTEGER NOT NULL REFERENCES sweep(id),"
    "  number INTEGER NOT NULL,"
    "  status TEXT NOT NULL, reason TEXT,"
    "  objective REAL,"
    "  command TEXT, log_dir TEXT, host TEXT,"
    "  started REAL NOT NULL, ended REAL,"
    "  wall_s REAL, cpu_s REAL, peak_rss_kb INTEGER, exit_code INTEGER, signal INTEGER,"
    "  cpu_j REAL, cpu_method TEXT, cpu_source TEXT,"
    "  dram_j REAL, dram_method TEXT, dram_source TEXT,"
    "  gpu_j REAL, gpu_method TEXT, gpu_source TEXT,"
    "  metric_points INTEGER NOT NULL DEFAULT 0,"
    "  reused_from INTEGER REFERENCES trial(id),"
    "  forecast_j REAL);"
    "INSERT INTO trial_v5 SELECT id, sweep_id, number, status, reason, objective, command,"
    "  log_dir, host, started, ended, wall_s, cpu_s, peak_rss_kb, exit_code, signal, cpu_j,"
    "  cpu_method, cpu_source, dram_j, dram_method, dram_source, gpu_j, gpu_method, gpu_source,"
    "  metric_points, reused_from, forecast_j FROM trial;"
    "DROP TABLE trial;"
    "ALTER TABLE trial_v5 RENAME TO trial;"
    "CREATE UNIQUE INDEX trial_number ON trial(sweep_id, number) WHERE status <> 'lost';"
    "CREATE INDEX trial_completed_by_command ON trial(command) WHERE status = 'completed';",
    /* v6: Slurm and early termination.  A trial run through Slurm keeps its
     * job id and Slurm's own account of it: its state (COMPLETED, TIMEOUT,
     * NODE_FAIL...) and, where accounting gathers energy, ConsumedEnergyRaw
     * in joules (valid for exclusive allocations only).  A trial stopped by
     * early termination ('pruned') keeps the step it reached.  A sweep
     * records the launcher it ran its trials with. */
    "ALTER TABLE trial ADD COLUMN slurm_job_id TEXT;"
    "ALTER TABLE trial ADD COLUMN slurm_state TEXT;"
    "ALTER TABLE trial ADD COLUMN slurm_energy_j REAL;"
    "ALTER TABLE trial ADD COLUMN pruned_step INTEGER;"
    "ALTER TABLE sweep ADD COLUMN launcher TEXT;",
    /* v7: the reuse lookup by one index.  Every launch looks for a completed
     * trial of the project with the same command and parameters; the index
     * on the command alone left every completed trial of a sweep whose
     * command does not vary (parameters passed in a file or the
     * environment) to be compared, so each launch cost more than the last.
     * Each trial keeps the key of its parameters (PARAMS_KEY), and the
     * index holds command and key of the trials a reuse may stand on. */
    "ALTER TABLE trial ADD COLUMN params_key TEXT;"
    "UPDATE trial SET params_key = " MIGRATED_PARAMS_KEY ";"
    "DROP INDEX trial_completed_by_command;"
    "CREATE INDEX trial_reuse ON trial(command, params_key)"
    " WHERE status = 'completed' AND reused_from IS NULL;"
    /* And a sweep's trials are read by sweep (reports, resume, Slurm): the
     * unique index on (sweep_id, number) is partial (lost attempts share a
     * number), so SQLite cannot use it for "WHERE sweep_id = ?" and read the
     * whole trial table once per sweep: quadratic in a project of many
     * sweeps.  A full index serves those reads. */
    "CREATE INDEX trial_by_sweep ON trial(sweep_id, number);",
    /* v8: reuse keyed on what produced a result.  The same command text
     * and parameters were taken for the same trial, so an edited training
     * script, another data file or another env.set reused stale results.
     * Each trial keeps the key of its inputs (es_inputs_key: the content
     * of the files its command names, the environment the spec sets); a
     * trial recorded before has none and is never reused, since what it
     * ran can no longer be told. */
    "ALTER TABLE trial ADD COLUMN inputs_key TEXT;"
    /* And sweeps of one project running at once share its budget: each
     * coordinator says when it was last alive, and the running trials of
     * the sweeps alive lately reserve their forecast energy for the others
     * (es_store_project_others). */
    "ALTER TABLE sweep ADD COLUMN alive_at REAL;"
    "DROP INDEX trial_reuse;"
    "CREATE INDEX trial_reuse ON trial(command, params_key, inputs_key)"
    " WHERE status = 'completed' AND reused_from IS NULL AND inputs_key IS NOT NULL;",
    /* v9: the run_cap `--more N` gave a sweep, beyond its spec's, so that
     * resuming it later keeps it (NULL: the spec's). */
    "ALTER TABLE sweep ADD COLUMN run_cap INTEGER;",
    /* v10: how a trial was contained (the worker's word: cgroup, pgroup;
     * NULL: not said), and the cgroup the coordinator made for it, so that
     * a resume can kill what a lost trial left there. */
    ("ALTER TABLE trial ADD COLUMN containment TEXT;"
     "ALTER TABLE trial ADD COLUMN cgroup TEXT;"),
    /* v11: a sweep's objectives and constraints (`objectives:`,
     * `constraints:`), in the spec's order, so that reports compute its
     * Pareto front from what the sweep was run for.  role is 'objective'
     * (goal, ref: NULL when taken from the data) or 'constraint' (min,
     * max: NULL when not bounded). */
    "CREATE TABLE sweep_objective ("
    "  sweep_id INTEGER NOT NULL REFERENCES sweep(id),"
    "  role TEXT NOT NULL, ord INTEGER NOT NULL,"
    "  name TEXT NOT NULL, goal TEXT, ref REAL, min REAL, max REAL,"
    "  PRIMARY KEY(sweep_id, role, ord)) WITHOUT ROWID;",
    /* v12: a trial's energy by phase (the worker's phase.NAME= fields),
     * with the items it reported in each: joules per part at the device
     * (NULL: the part is not known), seconds, times entered. */
    "CREATE TABLE trial_phase ("
    "  trial_id INTEGER NOT NULL REFERENCES trial(id),"
    "  ord INTEGER NOT NULL, name TEXT NOT NULL,"
    "  wall_s REAL, cpu_j REAL, dram_j REAL, gpu_j REAL, entries INTEGER, items REAL,"
    "  PRIMARY KEY(trial_id, ord)) WITHOUT ROWID;",
    /* v13: the file a sweep ran as its program, by its canonical path
     * (NULL: no program, or none found), so that a warm start knows the
     * same program whatever directory either sweep ran from. */
    "ALTER TABLE sweep ADD COLUMN program_file TEXT;",
};

int es_store__read_version(es_store *st, int *version, es_err *err)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "reading schema version");
    int rc = sqlite3_step(s);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return es_store__db_fail(st, err, "reading schema version");
    /* A version no ecosweep writes (the migrations are indexed by it). */
    if (*version < 0)
        return es_err_set(err, ES_ESTORE,
                          "%s: database schema version %d is not one ecosweep writes (0 to %d): "
                          "not an ecosweep database, or a damaged one",
                          st->path, *version, ES_SCHEMA_VERSION);
    return 0;
}

int es_store__migrate(es_store *st, es_err *err)
{
    int version = 0, rc = es_store__read_version(st, &version, err);
    if (rc != 0)
        return rc;
    st->version = version;
    if (version > ES_SCHEMA_VERSION)
        return es_err_set(err, ES_ESTORE,
                          "%s: database schema version %d is newer than this ecosweep (%d): "
                          "use a newer ecosweep",
                          st->path, version, ES_SCHEMA_VERSION);
    while (version < ES_SCHEMA_VERSION) {
        char pragma[64];
        rc = es_store__exec_plain(st, "BEGIN IMMEDIATE", err);
        /* Read the version again under the write lock: another ecosweep
         * opening the same new database may have migrated it meanwhile. */
        if (rc == 0)
            rc = es_store__read_version(st, &version, err);
        if (rc == 0 && version >= ES_SCHEMA_VERSION) {
            es_store__exec_plain(st, "COMMIT", NULL);
            break;
        }
        if (rc == 0)
            rc = es_store__exec_plain(st, migrations[version], err);
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version + 1);
        if (rc == 0)
            rc = es_store__exec_plain(st, pragma, err);
        if (rc == 0)
            rc = es_store__exec_plain(st, "COMMIT", err);
        if (rc != 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
        version++;
    }
    return 0;
}

/* ---- Test support ---------------------------------------------------------- */

/* Rows as ecosweep 0.1 (schema v1) wrote them; see store.h. */
static const char v1_fixture[] =
    "INSERT INTO project(id, name, created) VALUES (1, 'old', 1000);"
    "INSERT INTO sweep(id, project_id, name, status, reason, spec_path, spec_text, method,"
    " metric, goal, seed, parallel, started, ended, host, pue, carbon_g_per_kwh,"
    " electricity_usd_per_kwh, cloud_usd_per_hour, cpu_watts_per_core, dram_watts_per_gb)"
    " VALUES (1, 1, 'legacy', 'finished', 'run_cap reached (1 trials)', 'old.yaml',"
    " 'program: p.py', 'random', 'loss', 'minimize', 7, 2, 1000, 3000, 'h', 1.5, 300, 0.1,"
    " 1, 12, 0.3725);"
    "INSERT INTO trial(id, sweep_id, number, status, objective, command, log_dir, host,"
    " started, ended, wall_s, cpu_s, peak_rss_kb, exit_code, cpu_j, cpu_method, cpu_source,"
    " dram_j, dram_method, dram_source, gpu_j, gpu_method, metric_points)"
    " VALUES (1, 1, 0, 'completed', 0.5, '[\"p.py\"]', '/tmp/x', 'h', 1000, 2800, 1800, 900,"
    " 1024, 0, 3600000, 'estimate', 'estimate:12W/core', 360000, 'estimate',"
    " 'estimate:0.3725W/GB', NULL, 'none', 1);"
    "INSERT INTO param(trial_id, name, ord, value) VALUES (1, 'lr', 0, '0.1');"
    "INSERT INTO metric(trial_id, seq, name, step, value, t) VALUES (1, 0, 'loss', 1, 0.5, 2700);";

int es_store_testing_write_v1(const char *path, es_err *err)
{
    return es_store_testing_write_at(path, 1, err);
}

int es_store_testing_write_at(const char *path, int version, es_err *err)
{
    es_store st = {.path = (char *)path};
    char pragma[64];
    int rc;

    if (version < 1 || version > ES_SCHEMA_VERSION)
        return es_err_set(err, -EINVAL, "%s: no schema version %d", path, version);
    if (sqlite3_open_v2(path, &st.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = es_store__db_fail(&st, err, "cannot create database");
        sqlite3_close(st.db);
        return rc;
    }
    rc = es_store__exec_plain(&st, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        rc = es_store__exec_plain(&st, migrations[0], err);
    if (rc == 0)
        rc = es_store__exec_plain(&st, v1_fixture, err);
    for (int v = 1; rc == 0 && v < version; v++)
        rc = es_store__exec_plain(&st, migrations[v], err);
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
    if (rc == 0)
        rc = es_store__exec_plain(&st, pragma, err);
    if (rc == 0)
        rc = es_store__exec_plain(&st, "COMMIT", err);
    sqlite3_close(st.db);
    return rc;
}

/* Test support: the database at path opened as another program would,
 * with a 10 s busy timeout, into st; 0 or the store's error. */
static int testing_open(es_store *st, const char *path, es_err *err)
{
    *st = (es_store){.path = (char *)path};
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "cannot open database");
    sqlite3_busy_timeout(st->db, 10000);
    return 0;
}

int es_store_testing_hold_lock(const char *path, int ms, es_err *err)
{
    es_store st;
    int rc = testing_open(&st, path, err);
    if (rc == 0)
        rc = es_store__exec_plain(&st, "BEGIN EXCLUSIVE", err);
    if (rc == 0) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        rc = es_store__exec_plain(&st, "COMMIT", err);
    }
    sqlite3_close(st.db);
    return rc;
}

int es_store_testing_exec(const char *path, const char *sql, es_err *err)
{
    es_store st;
    int rc = testing_open(&st, path, err);
    if (rc == 0)
        rc = es_store__exec_plain(&st, sql, err);
    sqlite3_close(st.db);
    return rc;
}
