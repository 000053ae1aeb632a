/*
 * store_read.c -- loading what the store keeps into the es_store_data tree
 * that reports print (es_store_load, see store.h; data.h frees it): the
 * projects, their sweeps (with their spec text and budget overshoot),
 * trials (with what they reused, their energy forecast, and how far they got
 * and where early termination stopped them), parameters and
 * last metric values, and their imported jobs, all in one read transaction.
 * The statements it steps are in store.c's table, prepared at open: no SQL
 * text lives here.
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

static void col_part(sqlite3_stmt *s, int i, es_energy_part *p)
{
    const unsigned char *m = sqlite3_column_text(s, i + 1);
    const unsigned char *src = sqlite3_column_text(s, i + 2);
    int method = m ? es_em_parse((const char *)m) : ES_EM_NONE;
    p->method = method < 0 ? ES_EM_NONE : (es_em)method;
    p->j = p->method == ES_EM_NONE ? NAN : col_real(s, i);
    snprintf(p->source, sizeof p->source, "%s", src ? (const char *)src : "");
}

/* region, carbon_source, attribution, gpu_watts from column i on.  Words
 * this version does not know read as the defaults. */
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
        t->params_json = col_text(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW)
        return ES_ESTORE;
    return t->params_json != NULL ? 0 : -ENOMEM;
}

static int load_metrics(es_store *st, es_store_trial *t)
{
    sqlite3_stmt *s = st->q[Q_LOAD_LAST_METRICS];
    int rc;
    sqlite3_bind_int64(s, 1, t->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        es_store_metric *m = es_store__grow(&t->metrics, &t->n_metrics, sizeof *m);
        if (m == NULL)
            break;
        m->name = col_text(s, 0);
        m->value = col_real(s, 1);
        m->step = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
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
        int64_t id = sqlite3_column_int64(s, 0);
        for (size_t i = 0; i < sw->n_trials; i++) {
            es_store_trial *t = &sw->trials[i];
            if (t->id != id)
                continue;
            t->slurm_job = col_text(s, 1);
            t->slurm_state = col_text(s, 2);
            t->slurm_energy_j = col_real(s, 3);
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : ES_ESTORE;
}

/* Early termination: the step a pruned trial reached, and how far the
 * trial got (for the energy a pruned trial saved). */
static int load_steps(es_store *st, es_store_trial *t)
{
    sqlite3_stmt *s = st->q[Q_LOAD_TRIAL_STEPS];
    int rc;
    t->pruned_step = -1;
    t->steps = 0;
    sqlite3_bind_int64(s, 1, t->id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(s, 0) != SQLITE_NULL)
            t->pruned_step = sqlite3_column_int64(s, 0);
        t->steps = sqlite3_column_int64(s, 1);
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
        t->id = sqlite3_column_int64(s, 0);
        t->number = sqlite3_column_int64(s, 1);
        t->status = col_text(s, 2);
        t->reason = col_text(s, 3);
        t->host = col_text(s, 4);
        t->log_dir = col_text(s, 5);
        t->command_json = col_text(s, 6);
        t->objective = col_real(s, 7);
        t->started = col_real(s, 8);
        t->ended = col_real(s, 9);
        t->wall_s = col_real(s, 10);
        t->cpu_s = col_real(s, 11);
        t->peak_rss_kb =
            sqlite3_column_type(s, 12) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 12);
        t->exit_code = col_int_or(s, 13, -1);
        t->term_signal = col_int_or(s, 14, -1);
        col_part(s, 15, &t->cpu);
        col_part(s, 18, &t->dram);
        col_part(s, 21, &t->gpu);
        t->reused_from =
            sqlite3_column_type(s, 24) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 24);
        t->forecast_j = col_real(s, 25);
        t->reused_j = col_real(s, 26);
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
    return 0;
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
        sw->id = sqlite3_column_int64(s, 0);
        sw->name = col_text(s, 1);
        sw->status = col_text(s, 2);
        sw->reason = col_text(s, 3);
        sw->method = col_text(s, 4);
        sw->metric = col_text(s, 5);
        sw->goal = col_text(s, 6);
        sw->spec_path = col_text(s, 7);
        sw->host = col_text(s, 8);
        sw->seed = (uint64_t)sqlite3_column_int64(s, 9);
        sw->started = col_real(s, 10);
        sw->ended = col_real(s, 11);
        sw->factors.pue = sqlite3_column_double(s, 12);
        sw->factors.carbon_g_per_kwh = sqlite3_column_double(s, 13);
        sw->factors.electricity_usd_per_kwh = sqlite3_column_double(s, 14);
        sw->factors.cloud_usd_per_hour = sqlite3_column_double(s, 15);
        sw->factors.cpu_watts_per_core = sqlite3_column_double(s, 16);
        sw->factors.dram_watts_per_gb = sqlite3_column_double(s, 17);
        sw->budget.kwh = col_cap(s, 18);
        sw->budget.usd = col_cap(s, 19);
        sw->budget.co2e_kg = col_cap(s, 20);
        sw->budget.wall_s = col_cap(s, 21);
        col_factor_choices(s, 22, &sw->factors);
        sw->parallel = sqlite3_column_int(s, 26);
        sw->overshoot_j = col_real(s, 27);
        sw->spec_text = col_text(s, 28);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return ES_ESTORE;
    for (size_t i = 0; i < p->n_sweeps; i++)
        if ((rc = load_trials(st, &p->sweeps[i])) != 0)
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
        j->id = sqlite3_column_int64(s, 0);
        j->line = sqlite3_column_int64(s, 1);
        j->name = col_text(s, 2);
        j->group = col_text(s, 3);
        j->status = col_text(s, 4);
        j->started = col_real(s, 5);
        j->ended = col_real(s, 6);
        j->hours = col_real(s, 7);
        j->gpus = sqlite3_column_int(s, 8);
        j->cpus = sqlite3_column_int(s, 9);
        col_part(s, 10, &j->energy);
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
        im->id = sqlite3_column_int64(s, 0);
        im->file = col_text(s, 1);
        im->format = col_text(s, 2);
        im->hash = col_text(s, 3);
        im->imported = col_real(s, 4);
        es_energy_factors_default(&im->factors);
        im->factors.pue = sqlite3_column_double(s, 5);
        im->factors.carbon_g_per_kwh = sqlite3_column_double(s, 6);
        im->factors.electricity_usd_per_kwh = sqlite3_column_double(s, 7);
        im->factors.cloud_usd_per_hour = sqlite3_column_double(s, 8);
        region = sqlite3_column_text(s, 9);
        snprintf(im->factors.region, sizeof im->factors.region, "%s",
                 region ? (const char *)region : "");
        src = es_carbon_source_parse((const char *)sqlite3_column_text(s, 10));
        im->factors.carbon_source = src < 0 ? ES_CARBON_DEFAULT : (es_carbon_source)src;
        im->factors.gpu_watts = sqlite3_column_double(s, 11);
        im->cpu_watts = sqlite3_column_double(s, 12);
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
        p->id = sqlite3_column_int64(s, 0);
        p->name = col_text(s, 1);
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
