/*
 * store.c -- the SQLite store: schema, migrations, and every SQL statement
 * ecosweep runs (see store.h for the contract), including the fixture that
 * lets the tests build a database at any earlier version and watch it
 * upgrade, the writing of sweeps, trials and imported jobs, and the small
 * reads the coordinator needs while it runs (project budgets and spending,
 * the reuse lookup).  Loading for reports is in store_read.c, which steps
 * the statements of this file's table.
 *
 * Statements live in one table, prepared once at open and reset after each
 * use; all values are bound, never spliced into SQL text.  Writes that belong
 * together (a trial and its parameters; a trial's end with its last metric
 * values; a batch of a running trial's metric values) happen in one
 * transaction.  WAL mode with synchronous=NORMAL keeps a committed trial
 * durable across a coordinator crash (a power cut may lose the last
 * commits, never corrupt the file), and lets readers run beside the writer.
 */
#include "store.h"
#include "account.h"
#include "store_int.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Joules at the device of trial alias T: the sum of the components that were
 * measured or estimated (a component with method 'none' is stored as NULL
 * and adds nothing, as in es_account_joules); NULL when none is known. */
#define TRIAL_JOULES(T)                                                                            \
    "CASE WHEN " T ".cpu_j IS NULL AND " T ".dram_j IS NULL AND " T ".gpu_j IS NULL THEN NULL"     \
    " ELSE coalesce(" T ".cpu_j, 0) + coalesce(" T ".dram_j, 0) + coalesce(" T ".gpu_j, 0) END"

static const char *const sql[Q__COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_SWEEP_FIND] =
        "SELECT s.id, s.name, s.status, s.seed, s.parallel, s.spec_path, s.spec_text,"
        " p.name AS project,"
        " s.reason, s.budget_kwh, s.budget_usd, s.budget_co2e_kg,"
        " (SELECT coalesce(max(t.number) + 1, 0) FROM trial t WHERE t.sweep_id = s.id)"
        " AS next_number, s.run_cap"
        " FROM sweep s JOIN project p ON p.id = s.project_id"
        " WHERE (?1 IS NULL OR p.name = ?1) AND (s.name = ?2 OR CAST(s.id AS TEXT) = ?2"
        "      OR (?3 IN ('unfinished-family', 'latest-family')"
        "          AND length(s.name) > length(?2) + 1"
        "          AND substr(s.name, 1, length(?2) + 1) = ?2 || '-'"
        "          AND substr(s.name, length(?2) + 2) NOT GLOB '*[^0-9]*'))"
        " AND (?3 IS NULL OR ?3 = 'latest-family' OR s.status = ?3"
        "      OR (?3 IN ('unfinished', 'unfinished-family')"
        "          AND s.status IN ('running', 'interrupted')))"
        " ORDER BY CASE WHEN ?3 = 'latest-family' THEN -s.id ELSE s.id END",
    /* The lost attempt's logs move aside (es_store_sweep_reopen): its
     * log_dir gains ".lost-ID", unique per attempt.  A trial that was
     * stopped when its sweep was interrupted is an attempt of the same kind:
     * it keeps its reason, end and energy, and its number runs again. */
    [Q_TRIAL_LOSE] =
        "UPDATE trial SET status = 'lost',"
        " reason = CASE status WHEN 'running' THEN ?2 ELSE reason END,"
        " ended = CASE status WHEN 'running' THEN ?3 ELSE ended END,"
        " slurm_state = CASE slurm_state WHEN 'RUNNING' THEN 'CANCELLED' ELSE slurm_state END,"
        " log_dir = log_dir || '.lost-' || id WHERE sweep_id = ?1"
        " AND status IN ('running', 'interrupted')",
    [Q_SWEEP_BUDGET_SET] = "UPDATE sweep SET budget_kwh = ?2, budget_usd = ?3, budget_co2e_kg = ?4"
                           " WHERE id = ?1",
    [Q_SWEEP_SPEC_SET] = "UPDATE sweep SET spec_path = ?2, spec_text = ?3 WHERE id = ?1",
    /* Energy so far of a trial still running, from its worker's latest
     * sample: what a lost trial keeps.  Sources come only with the result. */
    /* Slurm's account of a trial's job; each value kept when not given. */
    [Q_TRIAL_SLURM] = "UPDATE trial SET slurm_job_id = coalesce(?2, slurm_job_id),"
                      " slurm_state = coalesce(?3, slurm_state),"
                      " slurm_energy_j = coalesce(?4, slurm_energy_j) WHERE id = ?1",
    [Q_LOAD_SLURM] = "SELECT id, slurm_job_id, slurm_state, slurm_energy_j FROM trial"
                     " WHERE sweep_id = ?1 AND slurm_job_id IS NOT NULL",
    [Q_RUNNING_JOBS] = "SELECT slurm_job_id FROM trial WHERE sweep_id = ?1 AND status = 'running'"
                       " AND slurm_job_id IS NOT NULL",
    [Q_RUNNING_CGROUPS] = "SELECT cgroup FROM trial WHERE sweep_id = ?1 AND status = 'running'"
                          " AND cgroup IS NOT NULL",
    [Q_TRIAL_MOVE_LOGS] = "UPDATE trial SET log_dir = ?2 WHERE id = ?1",
    [Q_TRIAL_PROGRESS] =
        "UPDATE trial SET wall_s = ?2, cpu_s = ?3, cpu_j = ?4, cpu_method = ?5, dram_j = ?6,"
        " dram_method = ?7, gpu_j = ?8, gpu_method = ?9 WHERE id = ?1 AND status = 'running'",
    [Q_SWEEP_REOPEN] =
        "UPDATE sweep SET status = 'running', reason = NULL, ended = NULL WHERE id = ?1",
    /* A reuse's configuration costs what its original (o) did. */
    [Q_SWEEP_HISTORY] = "SELECT t.id, t.number, t.status, t.objective, t.log_dir, " TRIAL_JOULES(
        "t") " AS joules,"
             " CASE WHEN o.id IS NULL THEN " TRIAL_JOULES("t") " ELSE " TRIAL_JOULES(
                 "o") " END"
                      " AS config_j, CASE WHEN o.id IS NULL THEN t.wall_s ELSE o.wall_s END AS "
                      "config_wall_s, t.reused_from IS NOT NULL AS reused, t.ended"
                      " FROM trial t LEFT JOIN trial o ON o.id = t.reused_from"
                      " WHERE t.sweep_id = ?1 ORDER BY t.number, t.id",
    [Q_PARAM_VALUES] = "SELECT name, json_type(value) AS type, json_extract(value, '$') AS value"
                       " FROM param"
                       " WHERE trial_id = ?1 ORDER BY ord",
    /* Early termination: the step a pruned trial reached; how far any
     * trial got (its objective's largest step, else its number of reports:
     * a trial that prints no step counts its reports, as W&B does); and
     * the objective's reports and the trials' ends of a sweep in the order
     * they happened, to replay into the pruner of a resumed sweep (lost
     * attempts left out: their numbers run again). */
    [Q_TRIAL_PRUNED_STEP] = "UPDATE trial SET pruned_step = ?2 WHERE id = ?1",
    [Q_LOAD_TRIAL_STEPS] =
        "SELECT t.pruned_step, coalesce(max(m.step), count(m.t)) AS steps,"
        " coalesce(min(m.step), 1) AS first_step, min(m.t) AS first_t, max(m.t) AS last_t,"
        " count(m.value) AS reports"
        " FROM trial t JOIN sweep s ON s.id = t.sweep_id"
        " LEFT JOIN metric m ON m.trial_id = t.id AND m.name = s.metric WHERE t.id = ?1",
    [Q_OBJECTIVE_EVENTS] =
        "SELECT 0 AS kind, m.trial_id AS tid, m.step, m.value, NULL AS status, m.t AS at,"
        " m.seq AS seq"
        " FROM metric m JOIN trial t ON t.id = m.trial_id WHERE t.sweep_id = ?1 AND m.name = ?2"
        " AND t.status <> 'lost' UNION ALL SELECT 1, id, NULL, NULL, status, ended, 0 FROM trial"
        " WHERE sweep_id = ?1 AND ended IS NOT NULL AND status <> 'lost'"
        " ORDER BY at, kind, tid, seq",
    /* Warm start: the sweeps of project ?1 started no later than ?3 (NULL:
     * than sweep ?2 itself), ?2 aside, the newest first. */
    [Q_EARLIER_SWEEPS] = "SELECT id, name, spec_text, spec_path, program_file, b.t AS before,"
                         " (SELECT program_file IS NULL FROM sweep WHERE id = ?2) AS self_older"
                         " FROM sweep,"
                         " (SELECT COALESCE(?3, (SELECT started FROM sweep WHERE id = ?2)) AS t) b"
                         " WHERE project_id = ?1 AND id <> ?2 AND started <= b.t ORDER BY id DESC",
    [Q_PROJECT_GET] = "SELECT id FROM project WHERE name = ?1",
    [Q_PROJECT_ADD] = "INSERT OR IGNORE INTO project(name, created) VALUES (?1, ?2)",
    [Q_SWEEP_NAME_TAKEN] = "SELECT 1 AS taken FROM sweep WHERE project_id = ?1 AND name = ?2",
    [Q_SWEEP_ADD] =
        "INSERT INTO sweep(project_id, name, status, spec_path, spec_text, method, metric, goal,"
        " seed, parallel, started, host, pue, carbon_g_per_kwh, electricity_usd_per_kwh,"
        " cloud_usd_per_hour, cpu_watts_per_core, dram_watts_per_gb, budget_kwh, budget_usd,"
        " budget_co2e_kg, budget_wall_s, region, carbon_source, attribution, gpu_watts,"
        " program_file) VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
        " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
    [Q_SWEEP_FINISH] = "UPDATE sweep SET status = ?2, reason = ?3, ended = ?4 WHERE id = ?1",
    [Q_TRIAL_ADD] = "INSERT INTO trial(sweep_id, number, status, command, log_dir, started, host,"
                    " reused_from, forecast_j, inputs_key, cgroup)"
                    " VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [Q_PARAM_ADD] = "INSERT INTO param(trial_id, name, ord, value) VALUES (?1, ?2, ?3, ?4)",
    [Q_TRIAL_PARAMS_KEY] = "UPDATE trial SET params_key = " TRIAL_PARAMS_KEY("?1") " WHERE id = ?1",
    [Q_METRIC_ADD] = "INSERT INTO metric(trial_id, seq, name, step, value, t)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_TRIAL_FINISH] =
        "UPDATE trial SET status = ?2, reason = ?3, objective = ?4, ended = ?5, wall_s = ?6,"
        " cpu_s = ?7, peak_rss_kb = ?8, exit_code = ?9, signal = ?10,"
        " cpu_j = ?11, cpu_method = ?12, cpu_source = ?13,"
        " dram_j = ?14, dram_method = ?15, dram_source = ?16,"
        " gpu_j = ?17, gpu_method = ?18, gpu_source = ?19, metric_points = ?20,"
        " host = coalesce(?21, host), containment = ?22"
        " WHERE id = ?1",
    [Q_LOAD_PROJECTS] = "SELECT id, name FROM project WHERE ?1 IS NULL OR name = ?1 ORDER BY id",
    [Q_LOAD_SWEEPS] =
        "SELECT id, name, status, reason, method, metric, goal, spec_path, host, seed, started,"
        " ended, pue, carbon_g_per_kwh, electricity_usd_per_kwh, cloud_usd_per_hour,"
        " cpu_watts_per_core, dram_watts_per_gb, budget_kwh, budget_usd, budget_co2e_kg,"
        " budget_wall_s, region, carbon_source, attribution, gpu_watts, parallel, overshoot_j,"
        " spec_text FROM sweep WHERE project_id = ?1"
        " AND (?2 IS NULL OR name = ?2 OR CAST(id AS TEXT) = ?2) ORDER BY id",
    [Q_LOAD_TRIALS] =
        "SELECT id, number, status, reason, host, log_dir, command, objective, started, ended,"
        " wall_s, cpu_s, peak_rss_kb, exit_code, signal,"
        " cpu_j, cpu_method, cpu_source, dram_j, dram_method, dram_source,"
        " gpu_j, gpu_method, gpu_source, reused_from, forecast_j, (SELECT " TRIAL_JOULES(
            "o") " FROM trial o WHERE o.id = t.reused_from) AS reused_j, containment,"
                 " (SELECT o.wall_s FROM trial o WHERE o.id = t.reused_from) AS reused_wall_s"
                 " FROM trial t WHERE sweep_id = ?1 ORDER BY number",
    [Q_LOAD_PARAMS] = "SELECT coalesce(json_group_object(name, json(value)), '{}') AS params"
                      " FROM (SELECT name, value FROM param WHERE trial_id = ?1 ORDER BY ord)",
    [Q_LOAD_LAST_METRICS] =
        "SELECT m.name, m.value, m.step FROM metric m"
        " JOIN (SELECT name, max(seq) AS seq FROM metric WHERE trial_id = ?1 GROUP BY name) l"
        " ON m.seq = l.seq WHERE m.trial_id = ?1 ORDER BY m.name",
    [Q_IMPORT_FIND] = "SELECT i.id, i.file, i.imported FROM job_import i JOIN project p"
                      " ON p.id = i.project_id WHERE p.name = ?1 AND i.content_hash = ?2"
                      " ORDER BY i.id LIMIT 1",
    [Q_IMPORT_ADD] =
        "INSERT INTO job_import(project_id, file, format, content_hash, imported, pue,"
        " carbon_g_per_kwh, electricity_usd_per_kwh, cloud_usd_per_hour, region, carbon_source,"
        " gpu_watts, cpu_watts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [Q_JOB_ADD] = "INSERT INTO imported_job(import_id, line, name, grp, status, started, ended,"
                  " hours, gpus, cpus, energy_j, method, source)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [Q_LOAD_IMPORTS] =
        "SELECT id, file, format, content_hash, imported, pue, carbon_g_per_kwh,"
        " electricity_usd_per_kwh, cloud_usd_per_hour, region, carbon_source, gpu_watts,"
        " cpu_watts FROM job_import WHERE project_id = ?1 ORDER BY id",
    [Q_LOAD_JOBS] = "SELECT id, line, name, grp, status, started, ended, hours, gpus, cpus,"
                    " energy_j, method, source FROM imported_job WHERE import_id = ?1"
                    " ORDER BY line, id",
    [Q_SWEEP_OVERSHOOT] = "UPDATE sweep SET overshoot_j = ?2 WHERE id = ?1",
    [Q_PROJECT_BUDGET_GET] = "SELECT kwh, usd, co2e_kg FROM project_budget WHERE project_id = ?1",
    [Q_PROJECT_BUDGET_SET] =
        "INSERT INTO project_budget(project_id, kwh, usd, co2e_kg, updated)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(project_id) DO UPDATE SET kwh = excluded.kwh,"
        " usd = excluded.usd, co2e_kg = excluded.co2e_kg, updated = excluded.updated",
    [Q_PROJECT_BUDGET_CLEAR] = "DELETE FROM project_budget WHERE project_id = ?1",
    /* The joules at the devices of every ended trial of each sweep of the
     * project and of every job of each of its imports, one row per sweep
     * or import with the factors that price it (es_account does, in C:
     * pricing is linear in joules, so a sum priced once is exact). */
    /* ?2: a sweep left out (NULL: none); ?3: running trials of running
     * sweeps heard from since then also count what their forecast says
     * they have still to use (NULL: none do). */
    [Q_PROJECT_SPENT] =
        "SELECT sum(j) AS device_j, sum(r) AS reserved_j, pue, g, usd FROM (SELECT 's' || s.id"
        " AS src, coalesce(" TRIAL_JOULES(
            "t") ", 0) AS j, CASE WHEN t.status = 'running'"
                 "   AND s.status = 'running' AND s.alive_at >= ?3"
                 "   THEN max(coalesce(t.forecast_j, 0) - coalesce(" TRIAL_JOULES(
                     "t") ", 0), 0)"
                          "   ELSE 0 END AS r, s.pue AS pue,"
                          "   s.carbon_g_per_kwh AS g, s.electricity_usd_per_kwh AS usd"
                          "   FROM trial t JOIN sweep s ON s.id = t.sweep_id WHERE s.project_id = "
                          "?1"
                          "   AND s.id IS NOT ?2"
                          " UNION ALL SELECT 'i' || i.id, CASE WHEN j.method = 'none' THEN 0 ELSE"
                          "   j.energy_j END, 0, i.pue, i.carbon_g_per_kwh, "
                          "i.electricity_usd_per_kwh"
                          "   FROM imported_job j JOIN job_import i ON i.id = j.import_id"
                          "   WHERE i.project_id = ?1) GROUP BY src",
    [Q_SWEEP_ALIVE] = "UPDATE sweep SET alive_at = ?2 WHERE id = ?1",
    [Q_SWEEP_RUN_CAP] = "UPDATE sweep SET run_cap = ?2 WHERE id = ?1",
    /* A completed trial that ran (not itself a reuse) in the project, with
     * the same argv and the same parameters: the same names, and for each a
     * value of the same JSON type and the same value, whatever the order of
     * the keys in ?3.  The latest such trial wins. */
    /* The objective is the new sweep's metric as the trial last reported
     * it (the objective a trial gets, see loop_output.c): a trial that never
     * reported that metric, or last reported no finite number for it, does
     * not match when the sweep has a metric (?5).  Its own sweep's metric
     * is its objective; another is read from its history, unless the
     * history may have been cut at ?6 rows (its last value then unknown). */
    [Q_FIND_COMPLETED] =
        "SELECT id, sweep_id, name, number, objective, joules, wall_s FROM ("
        " SELECT t.id AS id, s.id AS sweep_id, s.name AS name, t.number AS number,"
        " CASE WHEN s.metric = ?5 THEN t.objective WHEN t.metric_points < ?6 THEN"
        " (SELECT m.value FROM metric m WHERE m.trial_id = t.id AND m.name = ?5"
        "  ORDER BY m.seq DESC LIMIT 1) END AS objective, " TRIAL_JOULES(
            "t") " AS joules,"
                 " t.wall_s AS wall_s"
                 " FROM trial t JOIN sweep s ON s.id = t.sweep_id"
                 " WHERE t.command = ?2 AND t.status = 'completed' AND s.project_id = ?1"
                 " AND t.reused_from IS NULL AND t.inputs_key = ?4"
                 " AND t.params_key = " LOOKUP_PARAMS_KEY
                 " AND (SELECT count(*) FROM param p WHERE p.trial_id = t.id) ="
                 "     (SELECT count(*) FROM json_each(?3))"
                 " AND NOT EXISTS (SELECT 1 FROM json_each(?3) w WHERE NOT EXISTS ("
                 "     SELECT 1 FROM param p WHERE p.trial_id = t.id AND p.name = w.key"
                 "     AND json_type(p.value) = w.type AND json_extract(p.value, '$') IS w.value)))"
                 " WHERE ?5 IS NULL OR abs(objective) < 9e999"
                 " ORDER BY id DESC LIMIT 1",
    [Q_METRIC_COPY] = "INSERT INTO metric(trial_id, seq, name, step, value, t)"
                      " SELECT ?1, seq, name, step, value, t FROM metric WHERE trial_id = ?2",
};

/* What went wrong, for a person: SQLite's message, and for the failures
 * that come from the system (a full disk, a file grown past its limit, a
 * read-only file or directory) the system's own words and what to do. */
static void explain(es_store *st, const char *msg, char *buf, size_t cap)
{
    int code = sqlite3_extended_errcode(st->db), primary = code & 0xff;
    int sys = sqlite3_system_errno(st->db);
    if (primary == SQLITE_READONLY)
        snprintf(buf, cap,
                 "%s: the database (or its directory) is read-only; ecosweep needs write access "
                 "to record sweeps (reports and `ls` can read it as it is)",
                 msg);
    else if (primary == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT)
        snprintf(buf, cap, "%s (%s): free some space and run the same command again", msg,
                 strerror(sys ? sys : ENOSPC));
    else if ((primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && sys != 0)
        snprintf(buf, cap, "%s (%s)", msg, strerror(sys));
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        snprintf(buf, cap,
                 "%s: another program holds the database's write lock; nothing was written, "
                 "and the same command can be run again once it lets go",
                 msg);
    else if (primary == SQLITE_IOERR) /* a short write leaves no errno */
        snprintf(buf, cap,
                 "%s (a full disk, or a file grown past its size limit, can cause this): fix it "
                 "and run the same command again",
                 msg);
    else
        snprintf(buf, cap, "%s", msg);
}

/* Locked by another connection: SQLITE_BUSY (another writer, or a
 * checkpoint) or SQLITE_LOCKED, in any of their extended forms. */
static int is_busy(es_store *st)
{
    int primary = sqlite3_extended_errcode(st->db) & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

int es_store__db_fail(es_store *st, es_err *err, const char *what)
{
    char msg[400];
    explain(st, sqlite3_errmsg(st->db), msg, sizeof msg);
    return es_err_set(err, is_busy(st) ? ES_EBUSY : ES_ESTORE, "%s: %s: %s", st->path, what, msg);
}

void es_store_set_busy_timeout(es_store *st, int ms)
{
    sqlite3_busy_timeout(st->db, ms);
}

int es_store__exec_plain(es_store *st, const char *text, es_err *err)
{
    char *msg = NULL, why[400];
    if (sqlite3_exec(st->db, text, NULL, NULL, &msg) != SQLITE_OK) {
        int code = is_busy(st) ? ES_EBUSY : ES_ESTORE;
        explain(st, msg ? msg : "SQL failed", why, sizeof why);
        es_err_set(err, code, "%s: %s", st->path, why);
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int prepare_all(es_store *st, es_err *err)
{
    for (int i = 0; i < Q__COUNT; i++)
        if (sqlite3_prepare_v3(st->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) !=
            SQLITE_OK)
            return es_store__db_fail(st, err, "preparing statement");
    return 0;
}

static es_store *store_new(const char *path, es_err *err)
{
    es_store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = strdup(path)) == NULL) {
        free(st);
        es_err_set(err, -ENOMEM, "out of memory");
        return NULL;
    }
    return st;
}

int es_store_open(const char *path, es_store **out, es_err *err)
{
    es_store *st = store_new(path, err);
    int rc;

    *out = NULL;
    if (st == NULL)
        return -ENOMEM;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = es_store__db_fail(st, err, "cannot open database");
        goto fail;
    }
    /* A busy timeout lets a report read while a sweep commits, and two
     * writers take turns instead of failing with "database is locked". */
    sqlite3_busy_timeout(st->db, 10000);
    /* Migrations run with foreign keys off (one rebuilds a table others
     * refer to, keeping its ids), as SQLite's ALTER TABLE advice says. */
    if ((rc = es_store__exec_plain(st, "PRAGMA journal_mode = WAL", err)) != 0 ||
        (rc = es_store__exec_plain(st, "PRAGMA synchronous = NORMAL", err)) != 0 ||
        (rc = es_store__migrate(st, err)) != 0 ||
        (rc = es_store__exec_plain(st, "PRAGMA foreign_keys = ON", err)) != 0 ||
        (rc = prepare_all(st, err)) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    es_store_close(st);
    return rc;
}

/* path as an SQLite URI ("file:" and the path with the characters that
 * URIs reserve escaped) with the query q; fresh string or NULL. */
static char *file_uri(const char *path, const char *q)
{
    size_t n = strlen(path);
    char *u = malloc(5 + 3 * n + strlen(q) + 2), *w = u;
    if (u == NULL)
        return NULL;
    w += sprintf(w, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        w += *p == '%' || *p == '?' || *p == '#' || *p < 0x20 ? sprintf(w, "%%%02X", *p)
                                                              : sprintf(w, "%c", *p);
    sprintf(w, "?%s", q);
    return u;
}

/* Open path read-only through URI query q, and read its schema version
 * (which fails when SQLite cannot read the file as it is). */
static int open_ro(es_store *st, const char *q, es_err *err)
{
    char *uri = file_uri(st->path, q);
    if (uri == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    sqlite3_close(st->db);
    st->db = NULL;
    int rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (rc != SQLITE_OK)
        return es_store__db_fail(st, err, "cannot open database");
    sqlite3_busy_timeout(st->db, 10000);
    return es_store__read_version(st, &st->version, err);
}

/* Is the file at path one that ecosweep wrote (or a new, empty one that it
 * may write)?  A read command must not turn another program's SQLite file,
 * or an empty file, into an ecosweep database.  0 when it is ecosweep's or
 * cannot be looked at without writing (the caller's open then says why). */
static int check_ours(const char *path, es_err *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && sb.st_size == 0)
        return es_err_set(err, ES_ESTORE, "%s: an empty file, not an ecosweep database", path);
    es_store *st = store_new(path, err);
    if (st == NULL)
        return -ENOMEM;
    int rc = open_ro(st, "mode=ro", err), version = st->version;
    es_store_close(st);
    if (rc == 0 && version == 0)
        return es_err_set(err, ES_ESTORE,
                          "%s: an SQLite database that ecosweep did not write (no ecosweep "
                          "schema); give the --db of a sweep",
                          path);
    es_err_clear(err);
    return 0;
}

int es_store_open_read(const char *path, es_store **out, es_err *err)
{
    es_err first;
    int rc;
    *out = NULL;
    if ((rc = check_ours(path, err)) != 0)
        return rc;
    rc = es_store_open(path, out, &first);
    if (rc == 0 || rc == -ENOMEM)
        return rc == 0 ? 0 : es_err_set(err, rc, "%s", first.msg);

    /* Not writable here: read it as it is.  A database in WAL mode needs
     * its -shm index, which a reader without write access can use only when
     * it exists; with no -wal file there is nothing beyond the main file,
     * and SQLite may read that as immutable. */
    es_store *st = store_new(path, err);
    char wal[4200];
    if (st == NULL)
        return -ENOMEM;
    snprintf(wal, sizeof wal, "%s-wal", path);
    rc = open_ro(st, "mode=ro", err);
    if (rc != 0 && access(wal, F_OK) != 0)
        rc = open_ro(st, "immutable=1", err);
    if (rc != 0) {
        /* The first error says why writing failed; keep it. */
        es_err_set(err, ES_ESTORE, "%s", first.msg);
        goto fail;
    }
    if (st->version > ES_SCHEMA_VERSION) {
        rc = es_err_set(err, ES_ESTORE,
                        "%s: database schema version %d is newer than this ecosweep (%d): "
                        "use a newer ecosweep",
                        path, st->version, ES_SCHEMA_VERSION);
        goto fail;
    }
    if (st->version != ES_SCHEMA_VERSION) {
        rc = es_err_set(err, ES_ESTORE,
                        "%s: read-only database at schema version %d, this ecosweep reads %d: "
                        "open it once with write access to upgrade it (%s)",
                        path, st->version, ES_SCHEMA_VERSION, first.msg);
        goto fail;
    }
    if ((rc = es_store__exec_plain(st, "PRAGMA foreign_keys = ON", err)) != 0 ||
        (rc = prepare_all(st, err)) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    es_store_close(st);
    return rc;
}

int es_store_schema_version(void)
{
    return ES_SCHEMA_VERSION;
}

int es_store_found_version(const es_store *st)
{
    return st->version;
}

/* ---- Test support ---------------------------------------------------------- */

long es_store_testing_reuse_steps(es_store *st)
{
    return sqlite3_stmt_status(st->q[Q_FIND_COMPLETED], SQLITE_STMTSTATUS_VM_STEP, 1);
}

void es_store_close(es_store *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(st->q[i]);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

/* Run a statement that returns no rows; reset it either way. */
int es_store__step_done(es_store *st, int q, es_err *err, const char *what)
{
    int rc = sqlite3_step(st->q[q]);
    sqlite3_reset(st->q[q]);
    sqlite3_clear_bindings(st->q[q]);
    if (rc != SQLITE_DONE)
        return es_store__db_fail(st, err, what);
    return 0;
}

void es_store__bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* NaN and "not set" (0 for budgets) are stored as NULL. */
void es_store__bind_real(sqlite3_stmt *s, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v);
}

static void bind_cap(sqlite3_stmt *s, int i, double v)
{
    es_store__bind_real(s, i, v > 0 ? v : NAN);
}

int es_store__tx_begin(es_store *st, es_err *err)
{
    if (st->tx_depth > 0) {
        st->tx_depth++;
        return 0;
    }
    int rc = es_store__step_done(st, Q_BEGIN, err, "starting a transaction");
    if (rc == 0)
        st->tx_depth = 1;
    return rc;
}

int es_store__tx_end(es_store *st, int rc, es_err *err)
{
    if (--st->tx_depth > 0)
        return rc;
    st->tx_depth = 0;
    if (rc == 0)
        rc = es_store__step_done(st, Q_COMMIT, err, "committing");
    /* A failed COMMIT (disk full, I/O error) can leave the transaction open;
     * roll it back so later statements do not pile into it. */
    if (rc != 0 && !sqlite3_get_autocommit(st->db))
        es_store__step_done(st, Q_ROLLBACK, NULL, "rolling back");
    return rc;
}

int es_store_project_find(es_store *st, const char *name, int64_t *id, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_PROJECT_GET];
    int rc;

    *id = 0;
    es_store__bind_text(s, 1, name);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, PG_ID);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
                                                 : es_store__db_fail(st, err, "looking up project");
}

int es_store_project_ensure(es_store *st, const char *name, int64_t *id, es_err *err)
{
    const char *why = es_name_problem(name);
    if (why != NULL) /* from --project or an import: the spec checked its own */
        return es_err_set(err, ES_EUSAGE, "project name is not usable: %s", why);
    int rc = es_store_project_find(st, name, id, err);
    if (rc != 0 || *id > 0)
        return rc;
    /* OR IGNORE: two sweeps may create the same project at once; either
     * way the row is there now, and the lookup below finds it. */
    es_store__bind_text(st->q[Q_PROJECT_ADD], 1, name);
    sqlite3_bind_double(st->q[Q_PROJECT_ADD], 2, (double)time(NULL));
    if ((rc = es_store__step_done(st, Q_PROJECT_ADD, err, "adding project")) != 0 ||
        (rc = es_store_project_find(st, name, id, err)) != 0)
        return rc;
    return *id > 0 ? 0 : es_store__db_fail(st, err, "looking up project");
}

static int sweep_name_taken(es_store *st, int64_t project_id, const char *name, int *taken)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_NAME_TAKEN];
    sqlite3_bind_int64(s, 1, project_id);
    es_store__bind_text(s, 2, name);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    *taken = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int es_store_sweep_create(es_store *st, const es_sweep_new *sw, int64_t *id, char **name_out,
                          es_err *err)
{
    const es_spec *sp = sw->spec;
    size_t cap = strlen(sw->name) + 24;
    char *name = malloc(cap);
    int rc, taken = 1;

    *name_out = NULL;
    if (name == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    const char *why = es_name_problem(sw->name);
    if (why != NULL) { /* from --name: the spec checked its own */
        free(name);
        return es_err_set(err, ES_EUSAGE, "sweep name is not usable: %s", why);
    }
    if ((rc = es_store__tx_begin(st, err)) != 0) {
        free(name);
        return rc;
    }
    snprintf(name, cap, "%s", sw->name);
    for (int n = 2; rc == 0; n++) {
        if (sweep_name_taken(st, sw->project_id, name, &taken) != 0)
            rc = es_store__db_fail(st, err, "looking up sweep names");
        if (rc != 0 || !taken)
            break;
        snprintf(name, cap, "%s-%d", sw->name, n);
    }
    if (rc == 0) {
        sqlite3_stmt *s = st->q[Q_SWEEP_ADD];
        sqlite3_bind_int64(s, 1, sw->project_id);
        es_store__bind_text(s, 2, name);
        es_store__bind_text(s, 3, sp->path);
        es_store__bind_text(s, 4, sp->text);
        es_store__bind_text(s, 5, es_method_name(sp->method));
        es_store__bind_text(s, 6, sp->metric_name);
        es_store__bind_text(s, 7, sp->metric_name ? es_goal_name(sp->goal) : NULL);
        sqlite3_bind_int64(s, 8, (sqlite3_int64)sw->seed);
        sqlite3_bind_int(s, 9, sw->parallel);
        sqlite3_bind_double(s, 10, sw->started);
        es_store__bind_text(s, 11, sw->host);
        sqlite3_bind_double(s, 12, sp->energy.pue);
        sqlite3_bind_double(s, 13, sp->energy.carbon_g_per_kwh);
        sqlite3_bind_double(s, 14, sp->energy.electricity_usd_per_kwh);
        sqlite3_bind_double(s, 15, sp->energy.cloud_usd_per_hour);
        sqlite3_bind_double(s, 16, sp->energy.cpu_watts_per_core);
        sqlite3_bind_double(s, 17, sp->energy.dram_watts_per_gb);
        bind_cap(s, 18, sp->budget.kwh);
        bind_cap(s, 19, sp->budget.usd);
        bind_cap(s, 20, sp->budget.co2e_kg);
        bind_cap(s, 21, sp->budget.wall_s);
        es_store__bind_text(s, 22, sp->energy.region[0] ? sp->energy.region : NULL);
        es_store__bind_text(s, 23, es_carbon_source_name(sp->energy.carbon_source));
        es_store__bind_text(s, 24, es_energy_attribution_name(sp->energy.attribution));
        sqlite3_bind_double(s, 25, sp->energy.gpu_watts);
        es_store__bind_text(s, 26, sw->program_file);
        rc = es_store__step_done(st, Q_SWEEP_ADD, err, "adding sweep");
        *id = sqlite3_last_insert_rowid(st->db);
        if (rc == 0)
            rc = es_store__objectives_add(st, *id, sp, err);
    }
    rc = es_store__tx_end(st, rc, err);
    if (rc != 0) {
        free(name);
        return rc;
    }
    *name_out = name;
    return 0;
}

int es_store_sweep_finish(es_store *st, int64_t sweep_id, const char *status, const char *reason,
                          double ended, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_FINISH];
    sqlite3_bind_int64(s, 1, sweep_id);
    es_store__bind_text(s, 2, status);
    es_store__bind_text(s, 3, reason);
    sqlite3_bind_double(s, 4, ended);
    return es_store__step_done(st, Q_SWEEP_FINISH, err, "recording the end of the sweep");
}

int es_store_trial_start(es_store *st, const es_trial_new *t, int64_t *id, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_TRIAL_ADD];
    int rc = es_store__tx_begin(st, err);

    if (rc != 0)
        return rc;
    sqlite3_bind_int64(s, 1, t->sweep_id);
    sqlite3_bind_int64(s, 2, t->number);
    es_store__bind_text(s, 3, t->command_json);
    es_store__bind_text(s, 4, t->log_dir);
    sqlite3_bind_double(s, 5, t->started);
    es_store__bind_text(s, 6, t->host);
    if (t->reused_from > 0)
        sqlite3_bind_int64(s, 7, t->reused_from);
    es_store__bind_real(s, 8, isfinite(t->forecast_j) && t->forecast_j > 0 ? t->forecast_j : NAN);
    es_store__bind_text(s, 9, t->inputs_key);
    es_store__bind_text(s, 10, t->cgroup);
    rc = es_store__step_done(st, Q_TRIAL_ADD, err, "adding trial");
    *id = sqlite3_last_insert_rowid(st->db);
    for (size_t i = 0; rc == 0 && i < t->spec->n_params; i++) {
        char *json = NULL;
        size_t len = 0, cap = 0;
        if (es_value_json(&t->values[i], &json, &len, &cap) != 0) {
            rc = es_err_set(err, -ENOMEM, "out of memory");
            break;
        }
        s = st->q[Q_PARAM_ADD];
        sqlite3_bind_int64(s, 1, *id);
        es_store__bind_text(s, 2, t->spec->params[i].name);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
        sqlite3_bind_text(s, 4, json, (int)len, SQLITE_TRANSIENT);
        free(json);
        rc = es_store__step_done(st, Q_PARAM_ADD, err, "adding trial parameters");
    }
    if (rc == 0) {
        sqlite3_bind_int64(st->q[Q_TRIAL_PARAMS_KEY], 1, *id);
        rc = es_store__step_done(st, Q_TRIAL_PARAMS_KEY, err, "adding trial parameters");
    }
    return es_store__tx_end(st, rc, err);
}

static int metrics_insert(es_store *st, int64_t trial_id, const es_metric_row *rows, size_t n,
                          es_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = es_store_metric_add(st, trial_id, rows[i].seq, rows[i].name, rows[i].step,
                                 rows[i].value, rows[i].t, err);
    return rc;
}

int es_store_metrics_add(es_store *st, int64_t trial_id, const es_metric_row *rows, size_t n,
                         es_err *err)
{
    int rc = es_store__tx_begin(st, err);
    if (rc != 0)
        return rc;
    return es_store__tx_end(st, metrics_insert(st, trial_id, rows, n, err), err);
}

int es_store_metric_add(es_store *st, int64_t trial_id, int64_t seq, const char *name, int64_t step,
                        double value, double t, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_METRIC_ADD];
    sqlite3_bind_int64(s, 1, trial_id);
    sqlite3_bind_int64(s, 2, seq);
    es_store__bind_text(s, 3, name);
    if (step >= 0)
        sqlite3_bind_int64(s, 4, step);
    else
        sqlite3_bind_null(s, 4);
    es_store__bind_real(s, 5, isfinite(value) ? value : NAN);
    sqlite3_bind_double(s, 6, t);
    return es_store__step_done(st, Q_METRIC_ADD, err, "adding a metric value");
}

static void bind_part(sqlite3_stmt *s, int i, const es_energy_part *p)
{
    es_store__bind_real(s, i, p->method == ES_EM_NONE ? NAN : p->j);
    es_store__bind_text(s, i + 1, es_em_name(p->method));
    es_store__bind_text(s, i + 2, p->source[0] ? p->source : NULL);
}

int es_store_trial_move_logs(es_store *st, int64_t trial_id, const char *log_dir, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_TRIAL_MOVE_LOGS];
    sqlite3_bind_int64(s, 1, trial_id);
    es_store__bind_text(s, 2, log_dir);
    return es_store__step_done(st, Q_TRIAL_MOVE_LOGS, err, "recording a trial's log directory");
}

int es_store_trial_slurm(es_store *st, int64_t trial_id, const char *job, const char *state,
                         double energy_j, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_TRIAL_SLURM];
    sqlite3_bind_int64(s, 1, trial_id);
    es_store__bind_text(s, 2, job && job[0] ? job : NULL);
    es_store__bind_text(s, 3, state && state[0] ? state : NULL);
    es_store__bind_real(s, 4, isfinite(energy_j) ? energy_j : NAN);
    return es_store__step_done(st, Q_TRIAL_SLURM, err, "recording a trial's Slurm job");
}

int es_store_trial_progress(es_store *st, int64_t trial_id, const es_sample *sm, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_TRIAL_PROGRESS];
    sqlite3_bind_int64(s, 1, trial_id);
    es_store__bind_real(s, 2, sm->wall_s);
    es_store__bind_real(s, 3, sm->cpu_s);
    const es_energy_part *parts[3] = {&sm->cpu, &sm->dram, &sm->gpu};
    for (int i = 0; i < 3; i++) {
        es_store__bind_real(s, 4 + 2 * i, parts[i]->method == ES_EM_NONE ? NAN : parts[i]->j);
        es_store__bind_text(s, 5 + 2 * i, es_em_name(parts[i]->method));
    }
    return es_store__step_done(st, Q_TRIAL_PROGRESS, err, "recording a trial's energy so far");
}

int es_store_trial_finish(es_store *st, int64_t trial_id, const es_trial_end *e, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_TRIAL_FINISH];
    const es_result *r = e->result;

    sqlite3_bind_int64(s, 1, trial_id);
    es_store__bind_text(s, 2, es_trial_status_name(e->status));
    es_store__bind_text(s, 3, e->reason);
    es_store__bind_real(s, 4, e->objective);
    sqlite3_bind_double(s, 5, e->ended);
    if (r != NULL) {
        es_store__bind_real(s, 6, r->wall_s);
        es_store__bind_real(s, 7, r->cpu_s);
        if (r->peak_rss_kb >= 0)
            sqlite3_bind_int64(s, 8, r->peak_rss_kb);
        if (r->exit_kind == ES_EXIT_EXITED)
            sqlite3_bind_int(s, 9, r->exit_code);
        if (r->exit_kind == ES_EXIT_SIGNALED)
            sqlite3_bind_int(s, 10, r->term_signal);
        bind_part(s, 11, &r->cpu);
        bind_part(s, 14, &r->dram);
        bind_part(s, 17, &r->gpu);
        es_store__bind_text(s, 21, r->host[0] ? r->host : NULL);
    } else if (e->partial != NULL) {
        es_store__bind_real(s, 6, e->partial->wall_s);
        es_store__bind_real(s, 7, e->partial->cpu_s);
        bind_part(s, 11, &e->partial->cpu);
        bind_part(s, 14, &e->partial->dram);
        bind_part(s, 17, &e->partial->gpu);
    } else {
        es_energy_part none = {.j = NAN, .method = ES_EM_NONE};
        bind_part(s, 11, &none);
        bind_part(s, 14, &none);
        bind_part(s, 17, &none);
    }
    sqlite3_bind_int64(s, 20, e->metric_points);
    es_containment held = r != NULL ? r->containment : e->containment;
    if (held != ES_CONTAIN_UNKNOWN)
        es_store__bind_text(s, 22, es_containment_name(held));
    int pruned = e->status == ES_TRIAL_PRUNED;
    int tx = pruned || e->n_metrics > 0 || e->n_phases > 0;
    int rc = tx ? es_store__tx_begin(st, err) : 0;
    if (rc == 0)
        rc = metrics_insert(st, trial_id, e->metrics, e->n_metrics, err);
    if (rc == 0)
        rc = es_store__phases_insert(st, trial_id, e->phases, e->n_phases, err);
    if (rc != 0) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return tx ? es_store__tx_end(st, rc, err) : rc;
    }
    rc = es_store__step_done(st, Q_TRIAL_FINISH, err, "recording the end of a trial");
    if (!tx)
        return rc;
    if (rc == 0 && pruned) {
        sqlite3_bind_int64(st->q[Q_TRIAL_PRUNED_STEP], 1, trial_id);
        sqlite3_bind_int64(st->q[Q_TRIAL_PRUNED_STEP], 2, e->pruned_step);
        rc = es_store__step_done(st, Q_TRIAL_PRUNED_STEP, err, "recording a pruned trial's step");
    }
    return es_store__tx_end(st, rc, err);
}

/* ---- Imported jobs -------------------------------------------------------- */

static int import_jobs(es_store *st, int64_t import_id, const es_import_new *im, es_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < im->n_jobs; i++) {
        const es_import_job *j = &im->jobs[i];
        sqlite3_stmt *s = st->q[Q_JOB_ADD];
        sqlite3_bind_int64(s, 1, import_id);
        sqlite3_bind_int64(s, 2, j->line);
        es_store__bind_text(s, 3, j->name);
        es_store__bind_text(s, 4, j->group);
        es_store__bind_text(s, 5, j->status);
        es_store__bind_real(s, 6, isfinite(j->started) ? j->started : NAN);
        es_store__bind_real(s, 7, isfinite(j->ended) ? j->ended : NAN);
        es_store__bind_real(s, 8, j->hours);
        sqlite3_bind_int(s, 9, j->gpus);
        sqlite3_bind_int(s, 10, j->cpus);
        es_store__bind_real(s, 11, j->energy.j);
        es_store__bind_text(s, 12, es_em_name(j->energy.method));
        es_store__bind_text(s, 13, j->energy.source);
        rc = es_store__step_done(st, Q_JOB_ADD, err, "adding an imported job");
    }
    return rc;
}

int es_store_import_add(es_store *st, const es_import_new *im, int64_t *id, es_err *err)
{
    const es_energy_factors *f = im->factors;
    int64_t project_id = 0;
    int rc = es_store__tx_begin(st, err);

    *id = 0;
    if (rc != 0)
        return rc;
    rc = es_store_project_ensure(st, im->project, &project_id, err);
    if (rc == 0) {
        sqlite3_stmt *s = st->q[Q_IMPORT_ADD];
        sqlite3_bind_int64(s, 1, project_id);
        es_store__bind_text(s, 2, im->file);
        es_store__bind_text(s, 3, im->format);
        es_store__bind_text(s, 4, im->hash);
        sqlite3_bind_double(s, 5, im->imported);
        sqlite3_bind_double(s, 6, f->pue);
        sqlite3_bind_double(s, 7, f->carbon_g_per_kwh);
        sqlite3_bind_double(s, 8, f->electricity_usd_per_kwh);
        sqlite3_bind_double(s, 9, f->cloud_usd_per_hour);
        es_store__bind_text(s, 10, f->region[0] ? f->region : NULL);
        es_store__bind_text(s, 11, es_carbon_source_name(f->carbon_source));
        sqlite3_bind_double(s, 12, f->gpu_watts);
        sqlite3_bind_double(s, 13, im->cpu_watts);
        rc = es_store__step_done(st, Q_IMPORT_ADD, err, "adding an import");
    }
    if (rc == 0) {
        *id = sqlite3_last_insert_rowid(st->db);
        rc = import_jobs(st, *id, im, err);
    }
    rc = es_store__tx_end(st, rc, err);
    if (rc != 0)
        *id = 0;
    return rc;
}

int es_store_import_find(es_store *st, const char *project, const char *hash, int64_t *id,
                         char **file, double *when, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_IMPORT_FIND];
    int rc;

    *id = 0;
    *file = NULL;
    *when = NAN;
    es_store__bind_text(s, 1, project);
    es_store__bind_text(s, 2, hash);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, IF_FILE);
        *id = sqlite3_column_int64(s, IF_ID);
        *file = t ? strdup((const char *)t) : NULL;
        *when = sqlite3_column_double(s, IF_IMPORTED);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
                                                 : es_store__db_fail(st, err, "looking up imports");
}

/* ---- Budgets, reuse and overshoot ------------------------------------------ */

int es_store_sweep_set_overshoot(es_store *st, int64_t sweep_id, double overshoot_j, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_OVERSHOOT];
    sqlite3_bind_int64(s, 1, sweep_id);
    es_store__bind_real(s, 2, isfinite(overshoot_j) ? overshoot_j : NAN);
    return es_store__step_done(st, Q_SWEEP_OVERSHOOT, err, "recording the budget overshoot");
}

double es_store__col_cap(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_double(s, i);
}

int es_store_sweep_set_budget(es_store *st, int64_t sweep_id, const es_budget *b, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_BUDGET_SET];
    sqlite3_bind_int64(s, 1, sweep_id);
    bind_cap(s, 2, b->kwh);
    bind_cap(s, 3, b->usd);
    bind_cap(s, 4, b->co2e_kg);
    return es_store__step_done(st, Q_SWEEP_BUDGET_SET, err, "recording the sweep's budget");
}

int es_store_sweep_set_spec(es_store *st, int64_t sweep_id, const char *path, const char *text,
                            es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_SPEC_SET];
    sqlite3_bind_int64(s, 1, sweep_id);
    es_store__bind_text(s, 2, path);
    es_store__bind_text(s, 3, text);
    return es_store__step_done(st, Q_SWEEP_SPEC_SET, err, "recording the sweep's spec");
}

int es_store_project_budget(es_store *st, int64_t project_id, es_budget *out, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_PROJECT_BUDGET_GET];
    int rc;

    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(s, 1, project_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->kwh = es_store__col_cap(s, PB_KWH);
        out->usd = es_store__col_cap(s, PB_USD);
        out->co2e_kg = es_store__col_cap(s, PB_CO2E_KG);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0
               : es_store__db_fail(st, err, "reading the project budget");
}

int es_store_project_budget_set(es_store *st, int64_t project_id, const es_budget *b, es_err *err)
{
    sqlite3_stmt *s;
    if (!(b->kwh > 0) && !(b->usd > 0) && !(b->co2e_kg > 0)) {
        sqlite3_bind_int64(st->q[Q_PROJECT_BUDGET_CLEAR], 1, project_id);
        return es_store__step_done(st, Q_PROJECT_BUDGET_CLEAR, err, "clearing the project budget");
    }
    s = st->q[Q_PROJECT_BUDGET_SET];
    sqlite3_bind_int64(s, 1, project_id);
    bind_cap(s, 2, b->kwh);
    bind_cap(s, 3, b->usd);
    bind_cap(s, 4, b->co2e_kg);
    sqlite3_bind_double(s, 5, (double)time(NULL));
    return es_store__step_done(st, Q_PROJECT_BUDGET_SET, err, "recording the project budget");
}

/* Price device joules j with the factors of the row s is on. */
static void price(sqlite3_stmt *s, double j, es_budget *out)
{
    es_energy_factors fa;
    es_cost c;
    es_energy_factors_default(&fa);
    fa.pue = sqlite3_column_double(s, PS_PUE);
    fa.carbon_g_per_kwh = sqlite3_column_double(s, PS_CARBON);
    fa.electricity_usd_per_kwh = sqlite3_column_double(s, PS_USD_PER_KWH);
    fa.cloud_usd_per_hour = 0; /* budget.usd is electricity only */
    es_account(&fa, j, 0, &c);
    out->kwh += c.kwh;
    out->co2e_kg += c.co2e_kg;
    out->usd += c.usd_electricity;
}

/* What project_id spent, less sweep `without` (0: none), into *spent, and
 * what the running trials of the sweeps alive since alive_after are
 * forecast to use still into *reserved (NAN: nothing is). */
static int project_use(es_store *st, int64_t project_id, int64_t without, double alive_after,
                       double *device_j, es_budget *spent, es_budget *reserved, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_PROJECT_SPENT];
    int rc;

    *device_j = 0;
    memset(spent, 0, sizeof *spent);
    memset(reserved, 0, sizeof *reserved);
    sqlite3_bind_int64(s, 1, project_id);
    if (without > 0)
        sqlite3_bind_int64(s, 2, without);
    es_store__bind_real(s, 3, alive_after);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *device_j += sqlite3_column_double(s, PS_DEVICE_J);
        price(s, sqlite3_column_double(s, PS_DEVICE_J), spent);
        price(s, sqlite3_column_double(s, PS_RESERVED_J), reserved);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : es_store__db_fail(st, err, "adding up what the project spent");
}

int es_store_project_spent(es_store *st, int64_t project_id, double *device_j, double *kwh,
                           double *co2e_kg, double *usd, es_err *err)
{
    es_budget spent, reserved;
    int rc = project_use(st, project_id, 0, NAN, device_j, &spent, &reserved, err);
    *kwh = spent.kwh;
    *co2e_kg = spent.co2e_kg;
    *usd = spent.usd;
    return rc;
}

int es_store_project_others(es_store *st, int64_t project_id, int64_t sweep_id, double alive_after,
                            es_budget *spent, es_budget *reserved, es_err *err)
{
    double device_j;
    return project_use(st, project_id, sweep_id, alive_after, &device_j, spent, reserved, err);
}

int es_store_sweep_set_run_cap(es_store *st, int64_t sweep_id, long run_cap, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_RUN_CAP];
    sqlite3_bind_int64(s, 1, sweep_id);
    sqlite3_bind_int64(s, 2, run_cap);
    return es_store__step_done(st, Q_SWEEP_RUN_CAP, err, "recording the sweep's run_cap");
}

int es_store_sweep_alive(es_store *st, int64_t sweep_id, double now, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_SWEEP_ALIVE];
    sqlite3_bind_int64(s, 1, sweep_id);
    sqlite3_bind_double(s, 2, now);
    return es_store__step_done(st, Q_SWEEP_ALIVE, err, "recording that the sweep runs");
}

int es_store_find_completed(es_store *st, int64_t project_id, const es_store_reuse_query *q,
                            es_store_reuse *out, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_FIND_COMPLETED];
    int rc;

    memset(out, 0, sizeof *out);
    out->objective = out->joules = out->wall_s = NAN;
    if (q->inputs_key == NULL)
        return 0; /* what it ran cannot be told: never reused */
    sqlite3_bind_int64(s, 1, project_id);
    es_store__bind_text(s, 2, q->command_json);
    es_store__bind_text(s, 3, q->params_json ? q->params_json : "{}");
    es_store__bind_text(s, 4, q->inputs_key);
    es_store__bind_text(s, 5, q->metric);
    sqlite3_bind_int64(s, 6, q->history_cap > 0 ? q->history_cap : INT64_MAX);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(s, FC_SWEEP_NAME);
        out->found = 1;
        out->trial_id = sqlite3_column_int64(s, FC_TRIAL_ID);
        out->sweep_id = sqlite3_column_int64(s, FC_SWEEP_ID);
        snprintf(out->sweep_name, sizeof out->sweep_name, "%s", name ? (const char *)name : "");
        out->number = sqlite3_column_int64(s, FC_NUMBER);
        if (sqlite3_column_type(s, FC_OBJECTIVE) != SQLITE_NULL)
            out->objective = sqlite3_column_double(s, FC_OBJECTIVE);
        if (sqlite3_column_type(s, FC_JOULES) != SQLITE_NULL)
            out->joules = sqlite3_column_double(s, FC_JOULES);
        if (sqlite3_column_type(s, FC_WALL_S) != SQLITE_NULL)
            out->wall_s = sqlite3_column_double(s, FC_WALL_S);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0
               : es_store__db_fail(st, err, "looking up a completed trial to reuse");
}

int es_store_trial_copy_metrics(es_store *st, int64_t to, int64_t from, int64_t *n, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_METRIC_COPY];
    sqlite3_bind_int64(s, 1, to);
    sqlite3_bind_int64(s, 2, from);
    int rc = es_store__step_done(st, Q_METRIC_COPY, err, "copying a reused trial's metrics");
    *n = rc == 0 ? sqlite3_changes64(st->db) : 0;
    return rc;
}

int es_store_project_list(es_store *st, es_store_project_ref **out, size_t *n, es_err *err)
{
    sqlite3_stmt *s = st->q[Q_LOAD_PROJECTS];
    es_store_project_ref *list = NULL;
    size_t count = 0;
    int rc;

    *out = NULL;
    *n = 0;
    sqlite3_bind_null(s, 1);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(s, LP_NAME);
        es_store_project_ref *p = realloc(list, (count + 1) * sizeof *list);
        if (p == NULL)
            break;
        list = p;
        list[count].id = sqlite3_column_int64(s, LP_ID);
        list[count].name = strdup(name ? (const char *)name : "");
        if (list[count++].name == NULL)
            break;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) {
        es_store_project_list_free(list, count);
        return rc == SQLITE_ROW ? es_err_set(err, -ENOMEM, "out of memory")
                                : es_store__db_fail(st, err, "listing projects");
    }
    *out = list;
    *n = count;
    return 0;
}

void es_store_project_list_free(es_store_project_ref *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].name);
    free(list);
}
