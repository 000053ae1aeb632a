/*
 * cli_ls.c -- `ecosweep ls`: the projects and sweeps in a database.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "cli.h"
#include "lock.h"
#include "report.h"
#include "store.h"

typedef struct ls_args {
    const char *db, *project;
} ls_args;

static const es_cli_opt ls_opts[] = {
    ES_CLI_STRING_OPT(ls_args, db, .name = "db", .arg = "FILE",
                      .help = "database (default $ECOSWEEP_DB, else ./ecosweep.db)"),
    ES_CLI_STRING_OPT(ls_args, project, .name = "project", .arg = "P", .help = "only project P"),
    {.name = NULL},
};

static const es_cli_group ls_groups[] = {{NULL, ls_opts, 0}, {NULL, NULL, 0}};

static int ls_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_ls = {
    .name = "ls",
    .summary = "list projects and sweeps",
    .about = "One line per sweep: project, name, id, status, trials, completed, kWh,\n"
             "start time (UTC).\n",
    .groups = ls_groups,
    .args_size = sizeof(ls_args),
    .exec = ls_exec,
};

static int ls_exec(const void *args, int n, char **operands)
{
    const ls_args *a = args;
    const char *db = es_cli_db_path(a->db), *project = a->project;
    es_store *st = NULL;
    es_store_data *data = NULL;
    es_err err;
    int rc;

    (void)n; /* no operands, as the table says */
    (void)operands;
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    if (es_store_load(st, project, NULL, &data, &err) != 0) {
        fprintf(stderr, "ecosweep ls: %s\n", err.msg);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    int abandoned = es_cli_mark_abandoned(db, data);
    if (abandoned < 0) {
        fprintf(stderr, "ecosweep ls: out of memory\n");
        es_store_data_free(data);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    printf("%-16s %-24s %5s  %-12s %6s %9s %12s  %s\n", "PROJECT", "SWEEP", "ID", "STATUS",
           "TRIALS", "COMPLETED", "KWH", "STARTED (UTC)");
    for (size_t i = 0; i < data->n_projects; i++) {
        const es_store_project *p = &data->projects[i];
        for (size_t j = 0; j < p->n_sweeps; j++) {
            const es_store_sweep *sw = &p->sweeps[j];
            double kwh = 0;
            int done = 0, unmeasured = 0;
            char when[32] = "-";
            for (size_t k = 0; k < sw->n_trials; k++) {
                const es_store_trial *t = &sw->trials[k];
                es_cost cost;
                es_account(&sw->factors, es_account_joules(&t->cpu, &t->dram, &t->gpu), 0, &cost);
                kwh += cost.kwh;
                done += es_trial_status_parse(t->status) == ES_TRIAL_COMPLETED;
                unmeasured += es_report_energy_unknown(t);
            }
            if (isfinite(sw->started)) {
                time_t s = (time_t)sw->started;
                struct tm tm;
                gmtime_r(&s, &tm);
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
            }
            /* Nothing measured: "-"; some trials not measured: the sum of
             * the others, marked "+". */
            char k[32] = "-";
            if (unmeasured < (int)sw->n_trials || sw->n_trials == 0)
                snprintf(k, sizeof k, "%.6f%s", kwh, unmeasured > 0 ? "+" : "");
            const char *status = sw->status;
            printf("%-16s %-24s %5lld  %-12s %6zu %9d %12s  %s\n", p->name, sw->name,
                   (long long)sw->id, status, sw->n_trials, done, k, when);
        }
    }
    if (abandoned > 0)
        printf("\nabandoned: recorded as running, but its coordinator is gone; `ecosweep resume "
               "SWEEP` takes it up\n");
    es_store_data_free(data);
    es_store_close(st);
    return ES_EXIT_OK;
}
