/*
 * cli_report.c -- `ecosweep report`: trials, sweeps, imported jobs and
 * projects with what they cost -- each project's R&D footprint in Strubell
 * et al.'s tiers, each sweep's expected best result and sensitivity -- as
 * text, JSON, CSV, CodeCarbon's emissions.csv, Markdown or HTML, priced with
 * each sweep's own factors or with some replaced on the command line
 * (--pue, --region, ...; validated by es_factor_override_set).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "report.h"
#include "store.h"

typedef struct report_args {
    const char *db, *project, *sweep;
    int format; /* es_report_format */
    es_factor_override ov;
} report_args;

/* es_report_format_parse knows the formats (and "md" for markdown). */
static int format_set(const es_cli_opt *opt, const char *value, void *field, es_err *err)
{
    int fmt = es_report_format_parse(value);
    if (fmt < 0)
        return es_err_set(err, ES_EUSAGE,
                          "--%s: expected text, json, csv, codecarbon, markdown or html, got '%s'",
                          opt->name, value);
    *(int *)field = fmt;
    return 0;
}

static const es_cli_opt report_opts[] = {
    ES_CLI_STRING_OPT(report_args, db, .name = "db", .arg = "FILE",
                      .help = "database (default $ECOSWEEP_DB, else ./ecosweep.db)"),
    ES_CLI_STRING_OPT(report_args, project, .name = "project", .arg = "P",
                      .help = "only project P"),
    ES_CLI_STRING_OPT(report_args, sweep, .name = "sweep", .arg = "S",
                      .help = "only sweep S (a name or a numeric id)"),
    ES_CLI_CUSTOM_OPT(report_args, format, int, .name = "format", .arg = "F", .parse = format_set,
                      .help = "text (default), json (stable, see README), csv, codecarbon "
                              "(CodeCarbon's emissions.csv columns), markdown (or md), or html "
                              "(one self-contained page with SVG plots)"),
    {.name = NULL},
};

static const es_cli_group report_groups[] = {
    {NULL, report_opts, 0},
    {"Re-pricing: each option replaces that factor of every sweep in the report,\n"
     "and every figure is recomputed from the stored joules.",
     es_cli_factor_opts, offsetof(report_args, ov)},
    {NULL, NULL, 0},
};

static const report_args report_defaults = {.format = ES_REPORT_TEXT};

static int report_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_report = {
    .name = "report",
    .summary = "report trials, sweeps and projects with their energy, CO2e and cost",
    .about = "Per-trial rows, per-sweep and per-project totals (trials by status,\n"
             "trial-hours, kWh with PUE, kg CO2e, electricity and cloud dollars) and the\n"
             "best trial of each sweep. Every energy figure names its method.\n"
             "Per project: the R&D footprint in Strubell et al.'s tiers (one model = the\n"
             "median completed trial or imported job by kWh, one tune = the median sweep,\n"
             "all R&D = everything, imported jobs included) with everyday equivalents.\n"
             "Per sweep: the expected best result of n trials and of n trials' kWh\n"
             "(Dodge et al. 2019) and which parameters moved the metric and the energy.\n",
    .groups = report_groups,
    .args_size = sizeof(report_args),
    .defaults = &report_defaults,
    .exec = report_exec,
};

/* Open an existing database, read-only when it cannot be written; shared
 * with `ls`, `project show` and `resume` (see cli.h). */
int es_cli_open_existing(const char *db, es_store **st)
{
    es_err err;
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "ecosweep: no database at %s (run a sweep first, or pass --db)\n", db);
        return ES_EXIT_ERROR;
    }
    if (es_store_open_read(db, st, &err) != 0) {
        fprintf(stderr, "ecosweep: %s\n", err.msg);
        return ES_EXIT_ERROR;
    }
    return 0;
}

static int report_exec(const void *args, int n, char **operands)
{
    const report_args *a = args;
    const char *db = es_cli_db_path(a->db), *project = a->project, *sweep = a->sweep;
    int fmt = a->format, rc;
    es_store *st = NULL;
    es_store_data *data = NULL;
    es_err err;

    (void)n; /* no operands, as the table says */
    (void)operands;
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    if (es_store_load(st, project, sweep, &data, &err) != 0) {
        fprintf(stderr, "ecosweep report: %s\n", err.msg);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    size_t sweeps = 0;
    for (size_t i = 0; i < data->n_projects; i++)
        sweeps += data->projects[i].n_sweeps;
    if (es_cli_mark_abandoned(db, data) < 0) {
        fprintf(stderr, "ecosweep report: out of memory\n");
        rc = ES_EXIT_ERROR;
    } else if ((sweep != NULL && sweeps == 0) || (project != NULL && data->n_projects == 0)) {
        fprintf(stderr, "ecosweep report: no %s '%s' in %s\n", sweep ? "sweep" : "project",
                sweep ? sweep : project, db);
        rc = ES_EXIT_ERROR;
    } else if (sweep != NULL && sweeps > 1) {
        /* One name in several projects: say which, rather than mix them. */
        fprintf(stderr, "ecosweep report: %zu sweeps are called '%s':", sweeps, sweep);
        for (size_t i = 0; i < data->n_projects; i++)
            for (size_t j = 0; j < data->projects[i].n_sweeps; j++)
                fprintf(stderr, " #%lld in project %s%s", (long long)data->projects[i].sweeps[j].id,
                        data->projects[i].name,
                        i + 1 == data->n_projects && j + 1 == data->projects[i].n_sweeps ? ""
                                                                                         : ",");
        fprintf(stderr, "; add --project P, or give the sweep's number (--sweep %lld)\n",
                (long long)data->projects[0].sweeps[0].id);
        rc = ES_EXIT_USAGE;
    } else {
        es_report_opts ro = {
            .format = (es_report_format)fmt, .override = &a->ov, .partial = sweep != NULL};
        /* CSV has no header to say so; text and JSON say it themselves. */
        if (a->ov.set != 0 && (fmt == ES_REPORT_CSV || fmt == ES_REPORT_CODECARBON))
            fprintf(stderr, "ecosweep report: factors overridden for every sweep; figures "
                            "recomputed from the stored joules\n");
        if ((rc = es_report_write_opts(data, &ro, stdout)) == -EPIPE) {
            rc = ES_EXIT_OK; /* the reader stopped reading (`| head`): as cat would, quietly */
        } else if (rc != 0) {
            fprintf(stderr, "ecosweep report: cannot write the report: %s\n", strerror(-rc));
            rc = ES_EXIT_ERROR;
        }
    }
    es_store_data_free(data);
    es_store_close(st);
    return rc;
}
