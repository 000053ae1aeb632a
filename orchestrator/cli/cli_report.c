/*
 * cli_report.c -- `ecosweep report`: trials, sweeps, imported jobs and
 * projects with what they cost -- each project's R&D footprint in Strubell
 * et al.'s tiers, each sweep's expected best result and sensitivity -- as
 * text, JSON, CSV, CodeCarbon's emissions.csv, Markdown or HTML, priced with
 * each sweep's own factors or with some replaced on the command line
 * (--pue, --region, ...; validated by es_factor_override_set).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "report.h"
#include "store.h"

static int report_exec(int argc, char **argv);

const es_cli_cmd es_cli_report = {
    .name = "report",
    .summary = "report trials, sweeps and projects with their energy, CO2e and cost",
    .usage = "usage: ecosweep report [--db FILE] [--project P] [--sweep S] [--format F]\n"
             "                       [--pue X] [--region CODE] [--carbon-intensity G]\n"
             "                       [--usd-per-kwh X] [--cloud-usd-per-hour X]\n"
             "\n"
             "Per-trial rows, per-sweep and per-project totals (trials by status,\n"
             "trial-hours, kWh with PUE, kg CO2e, electricity and cloud dollars) and the\n"
             "best trial of each sweep. Every energy figure names its method.\n"
             "Per project: the R&D footprint in Strubell et al.'s tiers (one model = the\n"
             "median completed trial or imported job by kWh, one tune = the median sweep,\n"
             "all R&D = everything, imported jobs included) with everyday equivalents.\n"
             "Per sweep: the expected best result of n trials and of n trials' kWh\n"
             "(Dodge et al. 2019) and which parameters moved the metric and the energy.\n"
             "\n"
             "Options:\n"
             "  --db FILE      database (default $ECOSWEEP_DB, else ./ecosweep.db)\n"
             "  --project P    only project P\n"
             "  --sweep S      only sweep S (a name or a numeric id)\n"
             "  --format F     text (default), json (stable, see README), csv,\n"
             "                 codecarbon (CodeCarbon's emissions.csv columns),\n"
             "                 markdown, or html (one self-contained page with SVG plots)\n"
             "\n"
             "Re-pricing: each option replaces that factor of every sweep in the report,\n"
             "and every figure is recomputed from the stored joules.\n"
             "  --pue X                 power usage effectiveness (>= 1)\n"
             "  --region CODE           country code (FR, FRA, usa...): its grid intensity\n"
             "  --carbon-intensity G    g CO2e per kWh (wins over --region's value)\n"
             "  --usd-per-kwh X         electricity price\n"
             "  --cloud-usd-per-hour X  instance price per trial-hour\n",
    .exec = report_exec,
};

/* Open an existing database, read-only when it cannot be written; shared
 * with `ls`, `project show` and `resume`. */
int es_cli_open_existing(const char *db, es_store **st);
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

static int report_exec(int argc, char **argv)
{
    /* Factor options return 'F'; longindex says which. */
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"project", required_argument, NULL, 'p'},
                                         {"sweep", required_argument, NULL, 's'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"pue", required_argument, NULL, 'F'},
                                         {"region", required_argument, NULL, 'F'},
                                         {"carbon-intensity", required_argument, NULL, 'F'},
                                         {"usd-per-kwh", required_argument, NULL, 'F'},
                                         {"cloud-usd-per-hour", required_argument, NULL, 'F'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *project = NULL, *sweep = NULL;
    int fmt = ES_REPORT_TEXT, c, rc, which = 0;
    es_factor_override ov = {0};
    es_store *st = NULL;
    es_store_data *data = NULL;
    es_err err;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, &which)) != -1) {
        switch (c) {
        case 'F':
            if (es_factor_override_set(&ov, opts[which].name, optarg, &err) != 0)
                return es_cli_usage_error(&es_cli_report, "%s", err.msg);
            break;
        case 'd':
            db = optarg;
            break;
        case 'p':
            project = optarg;
            break;
        case 's':
            sweep = optarg;
            break;
        case 'f':
            if ((fmt = es_report_format_parse(optarg)) < 0)
                return es_cli_usage_error(&es_cli_report,
                                          "--format: expected text, json, csv, codecarbon, "
                                          "markdown or html, got '%s'",
                                          optarg);
            break;
        default:
            return es_cli_usage_error(&es_cli_report, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc)
        return es_cli_usage_error(&es_cli_report, "unexpected argument '%s'", argv[optind]);
    db = es_cli_db_path(db);
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    if (es_store_load(st, project, sweep, &data, &err) != 0) {
        fprintf(stderr, "ecosweep report: %s\n", err.msg);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    int nothing = 1;
    for (size_t i = 0; i < data->n_projects; i++)
        nothing &= data->projects[i].n_sweeps == 0 && data->projects[i].n_imports == 0;
    if ((project != NULL || sweep != NULL) && nothing) {
        fprintf(stderr, "ecosweep report: no %s '%s' in %s\n", sweep ? "sweep" : "project",
                sweep ? sweep : project, db);
        rc = ES_EXIT_ERROR;
    } else {
        es_report_opts ro = {
            .format = (es_report_format)fmt, .override = &ov, .partial = sweep != NULL};
        /* CSV has no header to say so; text and JSON say it themselves. */
        if (ov.set != 0 && (fmt == ES_REPORT_CSV || fmt == ES_REPORT_CODECARBON))
            fprintf(stderr, "ecosweep report: factors overridden for every sweep; figures "
                            "recomputed from the stored joules\n");
        if ((rc = es_report_write_opts(data, &ro, stdout)) != 0) {
            fprintf(stderr, "ecosweep report: cannot write the report: %s\n", strerror(-rc));
            rc = ES_EXIT_ERROR;
        }
    }
    es_store_data_free(data);
    es_store_close(st);
    return rc;
}
