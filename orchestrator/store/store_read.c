/*
 * store_read.c -- loading what the store keeps into the es_store_data tree
 * that reports print (es_store_load, see store.h; data.h frees it): the
 * projects, their sweeps (with their spec text and budget overshoot),
 * trials (with what they reused, their energy forecast, and how far they got
 * and where early termination stopped them), parameters and
 * last metric values, and their imported jobs, all in one read transaction.
 * The statements it steps are in store.c's table, prepared at open: no SQL
 * text lives here, and columns are read by the names store_int.h gives
 * them.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

static char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

static double col_real(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static double col_cap(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_double(s, i);
}

static int col_int_or(sqlite3_stmt *s, int i, int dflt)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? dflt : sqlite3_column_int(s, i);
}

/* An energy part from its joules in column i and its method and source in
 * the two after (X_J, X_METHOD, X_SOURCE in the statement's column list). */
static void col_part(sqlite3_stmt *s, int i, es_energy_part *p)
{
    const unsigned char *m = sqlite3_column_text(s, i + 1);
    const unsigned char *src = sqlite3_column_text(s, i + 2);
    int method = m ? es_em_parse((const char *)m) : ES_EM_NONE;
    p->method = method < 0 ? ES_EM_NONE : (es_em)method;
    p->j = p->method == ES_EM_NONE ? NAN : col_real(s, i);
    snprintf(p->source, sizeof p->source, "%s", src ? (const char *)src : "");
}

/* region, carbon_source, attribution, gpu_watts from column i on (in that
 * order in the statement's column list).  Words this version does not know
 * read as the defaults. */
static void col_factor_choices(sqlite3_stmt *s, int i, es_energy_factors *f)
{
    const unsigned char *region = sqlite3_column_text(s, i);
    int src = es_carbon_source_parse((const char *)sqlite3_column_text(s, i + 1));
    int attr = es_energy_attribution_parse((const char *)sqlite3_column_text(s, i + 2));
    snprintf(f->region, sizeof f->region, "%s", region ? (const char *)region : "");
    f->carbon_source = src < 0 ? ES_CARBON_DEFAULT : (es_carbon_source)src;
    f->attribution = attr < 0 ? ES_ATTRIBUTION_EXCLUSIVE : (es_energy_attribution)attr;
    f->gpu_watts = col_cap(s, i + 3);
}

/* Grow *arr (of *n elements of size sz) by one zeroed element; NULL on OOM.
 * The array's room doubles each time *n reaches a power of two (its
 * capacity is implied by *n), so loading n rows costs O(n) copying. */
void *es_store__grow(void *arr_ptr, size_t *n, size_t sz)
{
    void **arr = arr_ptr;
    if (*n == 0 || (*n & (*n - 1)) == 0) {
        void *p = realloc(*arr, (*n ? 2 * *n : 1) * sz);
        if (p == NULL)
            return NULL;
        *arr = p;
    }
    void *p = *arr;
    memset((char *)p + *n * sz, 0, sz);
    return (char *)p + (*n)++ * sz;
}

/* The trial's parameters as one JSON object, built by SQLite's JSON1 from
 * the rows in the order they were written (spec order). */
static int load_params(es_store *st, es_store_trial *t)
{
    sqlite3_stmt *s = st->q[Q_LOAD_PARAMS];
    int rc;
    sqlite3_bind_int64(s, 1, t->id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        t->params_json = col_text(s, LA_PARAMS);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return ES_ESTORE;
    return t->params_json != NULL ? 0 : -ENOMEM;
}

/* The latest value of each metric trial_id reported, appended to
 * (*metrics, *n). */
static int load_metrics_of(es_store *st, int64_t trial_id, es_store_metric **metrics, size_t *n)
{
    sqlite3_stmt *s = st->q[Q_LOAD_LAST_METRICS];
    int rc;
    sqlite3_bind_int64(s, 1, trial_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_metric *m = es_store__grow(metrics, n, sizeof *m);
        if (m == NULL)
            break;
        m->name = col_text(s, LM_NAME);
        m->value = col_real(s, LM_VALUE);
        m->step =
            sqlite3_column_type(s, LM_STEP) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, LM_STEP);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

static int load_metrics(es_store *st, es_store_trial *t)
{
    return load_metrics_of(st, t->id, &t->metrics, &t->n_metrics);
}

int es_store_trial_last_metrics(es_store *st, int64_t trial_id, es_store_metric **out, size_t *n,
                                es_err *err)
{
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = es_store__step_done(st, Q_BEGIN_READ, err, "starting a read")) != 0)
        return rc;
    rc = load_metrics_of(st, trial_id, out, n);
    es_store__step_done(st, Q_COMMIT, NULL, "ending a read");
    if (rc != 0) {
        es_store_metrics_free(*out, *n);
        *out = NULL;
        *n = 0;
        return es_store__db_fail(st, err, "loading a trial's metrics");
    }
    return 0;
}

void es_store_metrics_free(es_store_metric *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].name);
    free(m);
}

/* The Slurm columns of the sweep's trials that ran as jobs. */
static int load_slurm(es_store *st, es_store_sweep *sw)
{
    sqlite3_stmt *s = st->q[Q_LOAD_SLURM];
    int rc;
    for (size_t i = 0; i < sw->n_trials; i++)
        sw->trials[i].slurm_energy_j = NAN;
    sqlite3_bind_int64(s, 1, sw->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s, LS_ID);
        for (size_t i = 0; i < sw->n_trials; i++) {
            es_store_trial *t = &sw->trials[i];
            if (t->id != id)
                continue;
            t->slurm_job = col_text(s, LS_JOB);
            t->slurm_state = col_text(s, LS_STATE);
            t->slurm_energy_j = col_real(s, LS_ENERGY_J);
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

/* Early termination: the step a pruned trial reached, how far the trial
 * got, and when its objective was first and last reported (its pace, for
 * the energy a pruned trial saved). */
static int load_steps(es_store *st, es_store_trial *t)
{
    sqlite3_stmt *s = st->q[Q_LOAD_TRIAL_STEPS];
    int rc;
    t->pruned_step = -1;
    t->steps = t->reports = 0;
    t->first_step = 1;
    t->first_report_t = t->last_report_t = NAN;
    sqlite3_bind_int64(s, 1, t->id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(s, TS_PRUNED_STEP) != SQLITE_NULL)
            t->pruned_step = sqlite3_column_int64(s, TS_PRUNED_STEP);
        t->steps = sqlite3_column_int64(s, TS_STEPS);
        t->first_step = sqlite3_column_int64(s, TS_FIRST_STEP);
        t->reports = sqlite3_column_int64(s, TS_REPORTS);
        if (sqlite3_column_type(s, TS_FIRST_T) != SQLITE_NULL) {
            t->first_report_t = sqlite3_column_double(s, TS_FIRST_T);
            t->last_report_t = sqlite3_column_double(s, TS_LAST_T);
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

static int load_trials(es_store *st, es_store_sweep *sw)
{
    sqlite3_stmt *s = st->q[Q_LOAD_TRIALS];
    int rc;
    sqlite3_bind_int64(s, 1, sw->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_trial *t = es_store__grow(&sw->trials, &sw->n_trials, sizeof *t);
        if (t == NULL)
            break;
        t->id = sqlite3_column_int64(s, LT_ID);
        t->number = sqlite3_column_int64(s, LT_NUMBER);
        t->status = col_text(s, LT_STATUS);
        t->reason = col_text(s, LT_REASON);
        t->host = col_text(s, LT_HOST);
        t->log_dir = col_text(s, LT_LOG_DIR);
        t->command_json = col_text(s, LT_COMMAND);
        t->objective = col_real(s, LT_OBJECTIVE);
        t->started = col_real(s, LT_STARTED);
        t->ended = col_real(s, LT_ENDED);
        t->wall_s = col_real(s, LT_WALL_S);
        t->cpu_s = col_real(s, LT_CPU_S);
        t->peak_rss_kb = sqlite3_column_type(s, LT_PEAK_RSS_KB) == SQLITE_NULL
                             ? -1
                             : sqlite3_column_int64(s, LT_PEAK_RSS_KB);
        t->exit_code = col_int_or(s, LT_EXIT_CODE, -1);
        t->term_signal = col_int_or(s, LT_SIGNAL, -1);
        col_part(s, LT_CPU_J, &t->cpu);
        col_part(s, LT_DRAM_J, &t->dram);
        col_part(s, LT_GPU_J, &t->gpu);
        t->reused_from = sqlite3_column_type(s, LT_REUSED_FROM) == SQLITE_NULL
                             ? 0
                             : sqlite3_column_int64(s, LT_REUSED_FROM);
        t->forecast_j = col_real(s, LT_FORECAST_J);
        t->reused_j = col_real(s, LT_REUSED_J);
        t->reused_wall_s = col_real(s, LT_REUSED_WALL_S);
        t->containment = col_text(s, LT_CONTAINMENT);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ES_ESTORE;
    if ((rc = load_slurm(st, sw)) != 0)
        return rc;
    for (size_t i = 0; i < sw->n_trials; i++) {
        if ((rc = load_params(st, &sw->trials[i])) != 0 ||
            (rc = load_metrics(st, &sw->trials[i])) != 0 ||
            (rc = load_steps(st, &sw->trials[i])) != 0)
            return rc;
    }
    return es_store__load_phases(st, sw);
}

static int load_sweeps(es_store *st, es_store_project *p, const char *sweep)
{
    sqlite3_stmt *s = st->q[Q_LOAD_SWEEPS];
    int rc;
    sqlite3_bind_int64(s, 1, p->id);
    es_store__bind_text(s, 2, sweep);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_sweep *sw = es_store__grow(&p->sweeps, &p->n_sweeps, sizeof *sw);
        if (sw == NULL)
            break;
        sw->id = sqlite3_column_int64(s, LW_ID);
        sw->name = col_text(s, LW_NAME);
        sw->status = col_text(s, LW_STATUS);
        sw->reason = col_text(s, LW_REASON);
        sw->method = col_text(s, LW_METHOD);
        sw->metric = col_text(s, LW_METRIC);
        sw->goal = col_text(s, LW_GOAL);
        sw->spec_path = col_text(s, LW_SPEC_PATH);
        sw->host = col_text(s, LW_HOST);
        sw->seed = (uint64_t)sqlite3_column_int64(s, LW_SEED);
        sw->started = col_real(s, LW_STARTED);
        sw->ended = col_real(s, LW_ENDED);
        sw->factors.pue = sqlite3_column_double(s, LW_PUE);
        sw->factors.carbon_g_per_kwh = sqlite3_column_double(s, LW_CARBON);
        sw->factors.electricity_usd_per_kwh = sqlite3_column_double(s, LW_ELECTRICITY);
        sw->factors.cloud_usd_per_hour = sqlite3_column_double(s, LW_CLOUD);
        sw->factors.cpu_watts_per_core = sqlite3_column_double(s, LW_CPU_WATTS);
        sw->factors.dram_watts_per_gb = sqlite3_column_double(s, LW_DRAM_WATTS);
        sw->budget.kwh = col_cap(s, LW_BUDGET_KWH);
        sw->budget.usd = col_cap(s, LW_BUDGET_USD);
        sw->budget.co2e_kg = col_cap(s, LW_BUDGET_CO2E_KG);
        sw->budget.wall_s = col_cap(s, LW_BUDGET_WALL_S);
        col_factor_choices(s, LW_REGION, &sw->factors);
        sw->parallel = sqlite3_column_int(s, LW_PARALLEL);
        sw->overshoot_j = col_real(s, LW_OVERSHOOT_J);
        sw->spec_text = col_text(s, LW_SPEC_TEXT);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return ES_ESTORE;
    for (size_t i = 0; i < p->n_sweeps; i++)
        if ((rc = load_trials(st, &p->sweeps[i])) != 0 ||
            (rc = es_store__objectives_load(st, &p->sweeps[i])) != 0)
            return rc;
    return 0;
}

static int load_jobs(es_store *st, es_store_import *im)
{
    sqlite3_stmt *s = st->q[Q_LOAD_JOBS];
    int rc;
    sqlite3_bind_int64(s, 1, im->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_job *j = es_store__grow(&im->jobs, &im->n_jobs, sizeof *j);
        if (j == NULL)
            break;
        j->id = sqlite3_column_int64(s, LJ_ID);
        j->line = sqlite3_column_int64(s, LJ_LINE);
        j->name = col_text(s, LJ_NAME);
        j->group = col_text(s, LJ_GROUP);
        j->status = col_text(s, LJ_STATUS);
        j->started = col_real(s, LJ_STARTED);
        j->ended = col_real(s, LJ_ENDED);
        j->hours = col_real(s, LJ_HOURS);
        j->gpus = sqlite3_column_int(s, LJ_GPUS);
        j->cpus = sqlite3_column_int(s, LJ_CPUS);
        col_part(s, LJ_ENERGY_J, &j->energy);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

static int load_imports(es_store *st, es_store_project *p)
{
    sqlite3_stmt *s = st->q[Q_LOAD_IMPORTS];
    int rc;
    sqlite3_bind_int64(s, 1, p->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_import *im = es_store__grow(&p->imports, &p->n_imports, sizeof *im);
        const unsigned char *region;
        int src;
        if (im == NULL)
            break;
        im->id = sqlite3_column_int64(s, LI_ID);
        im->file = col_text(s, LI_FILE);
        im->format = col_text(s, LI_FORMAT);
        im->hash = col_text(s, LI_HASH);
        im->imported = col_real(s, LI_IMPORTED);
        es_energy_factors_default(&im->factors);
        im->factors.pue = sqlite3_column_double(s, LI_PUE);
        im->factors.carbon_g_per_kwh = sqlite3_column_double(s, LI_CARBON);
        im->factors.electricity_usd_per_kwh = sqlite3_column_double(s, LI_ELECTRICITY);
        im->factors.cloud_usd_per_hour = sqlite3_column_double(s, LI_CLOUD);
        region = sqlite3_column_text(s, LI_REGION);
        snprintf(im->factors.region, sizeof im->factors.region, "%s",
                 region ? (const char *)region : "");
        src = es_carbon_source_parse((const char *)sqlite3_column_text(s, LI_CARBON_SOURCE));
        im->factors.carbon_source = src < 0 ? ES_CARBON_DEFAULT : (es_carbon_source)src;
        im->factors.gpu_watts = sqlite3_column_double(s, LI_GPU_WATTS);
        im->cpu_watts = sqlite3_column_double(s, LI_CPU_WATTS);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ES_ESTORE;
    for (size_t i = 0; i < p->n_imports; i++)
        if ((rc = load_jobs(st, &p->imports[i])) != 0)
            return rc;
    return 0;
}

int es_store_load(es_store *st, const char *project, const char *sweep, es_store_data **out,
                  es_err *err)
{
    es_store_data *d = calloc(1, sizeof *d);
    sqlite3_stmt *s = st->q[Q_LOAD_PROJECTS];
    int rc;

    *out = NULL;
    if (d == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    /* One read transaction: a consistent snapshot of a database that a
     * running sweep may be writing. */
    if (es_store__step_done(st, Q_BEGIN_READ, err, "starting to read") != 0) {
        free(d);
        return ES_ESTORE;
    }
    es_store__bind_text(s, 1, project);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_project *p = es_store__grow(&d->projects, &d->n_projects, sizeof *p);
        if (p == NULL)
            break;
        p->id = sqlite3_column_int64(s, LP_ID);
        p->name = col_text(s, LP_NAME);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    rc = rc == SQLITE_DONE ? 0 : es_store__db_fail(st, err, "reading projects");
    for (size_t i = 0; rc == 0 && i < d->n_projects; i++) {
        if (load_sweeps(st, &d->projects[i], sweep) != 0)
            rc = es_store__db_fail(st, err, "reading sweeps and trials");
        /* Imported jobs belong to no sweep: a report of one sweep omits them. */
        else if (sweep == NULL && load_imports(st, &d->projects[i]) != 0)
            rc = es_store__db_fail(st, err, "reading imported jobs");
    }
    es_store__step_done(st, Q_COMMIT, NULL, "ending the read");
    if (rc != 0) {
        es_store_data_free(d);
        return rc;
    }
    /* A sweep named by its id is that sweep, whatever other sweeps are
     * called: ids are unique, names only within a project. */
    char *end;
    long long want = sweep != NULL ? strtoll(sweep, &end, 10) : 0;
    int by_id = 0;
    if (sweep != NULL && *sweep != '\0' && *end == '\0')
        for (size_t i = 0; i < d->n_projects; i++)
            for (size_t j = 0; j < d->projects[i].n_sweeps; j++)
                by_id |= d->projects[i].sweeps[j].id == want;
    for (size_t i = 0; by_id && i < d->n_projects; i++) {
        es_store_project *p = &d->projects[i];
        size_t kept = 0;
        for (size_t j = 0; j < p->n_sweeps; j++) {
            if (p->sweeps[j].id == want) {
                p->sweeps[kept++] = p->sweeps[j];
                continue;
            }
            es_store_sweep_clear(&p->sweeps[j]);
        }
        p->n_sweeps = kept;
    }
    /* A report of some sweeps is about the projects that hold them. */
    if (sweep != NULL) {
        size_t kept = 0;
        for (size_t i = 0; i < d->n_projects; i++) {
            es_store_project *p = &d->projects[i];
            if (p->n_sweeps > 0) {
                d->projects[kept++] = *p;
            } else {
                free(p->name);
                free(p->sweeps);
            }
        }
        d->n_projects = kept;
    }
    *out = d;
    return 0;
}
