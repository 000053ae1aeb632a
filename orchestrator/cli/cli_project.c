/*
 * cli_project.c -- `ecosweep project`: a project's budget, shared by all its
 * sweeps and imported jobs.  `project set P` records caps in kWh at the
 * wall, dollars of electricity and kg CO2e (es_store_project_budget_set);
 * `project show [P]` lists each project's caps beside what it has spent --
 * every sweep's trials priced with that sweep's factors, plus its imported
 * jobs (es_store_project_spent) -- and what remains.  The loop reads the same
 * caps before each launch; this file only records and shows them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "store.h"

/* The three capped quantities, in the order they are printed. */
enum { CAP_KWH, CAP_USD, CAP_CO2E, N_CAPS };
static const char *const cap_text[N_CAPS] = {"kWh", "USD", "kg CO2e"};
static const char *const cap_json[N_CAPS] = {"kwh", "usd", "co2e_kg"};

typedef struct project_args {
    const char *db;
    double given[N_CAPS]; /* -1: not given */
    int clear;
    int format; /* index in format_words */
} project_args;

static const char *const format_words[] = {"text", "json", NULL};

static const es_cli_opt set_opts[] = {
    ES_CLI_REAL_OPT(project_args, given[CAP_KWH], ES_CLI_NONNEG, .name = "max-kwh", .arg = "X",
                    .help = "kWh at the wall (PUE included)"),
    ES_CLI_REAL_OPT(project_args, given[CAP_USD], ES_CLI_NONNEG, .name = "max-usd", .arg = "X",
                    .help = "dollars of electricity (cloud dollars do not count)"),
    ES_CLI_REAL_OPT(project_args, given[CAP_CO2E], ES_CLI_NONNEG, .name = "max-co2e-kg", .arg = "X",
                    .help = "kg CO2e"),
    ES_CLI_FLAG_OPT(project_args, clear, .name = "clear",
                    .help = "remove every cap (then apply any given above)"),
    {.name = NULL},
};

static const es_cli_opt show_opts[] = {
    ES_CLI_CHOICE_OPT(project_args, format, .name = "format", .choices = format_words,
                      .help = "text (default) or json"),
    {.name = NULL},
};

static const es_cli_opt both_opts[] = {
    ES_CLI_STRING_OPT(project_args, db, .name = "db", .arg = "FILE",
                      .help = "database (default $ECOSWEEP_DB, else ./ecosweep.db)"),
    {.name = NULL},
};

static const es_cli_group project_groups[] = {
    {"set: record caps for project P (created when missing). Caps not named keep\n"
     "their value; 0 removes one cap; --clear removes all caps first.",
     set_opts, 0},
    {"show: each project (or P) with its caps, what it has spent -- every ended trial\n"
     "of its sweeps priced with that sweep's factors, plus its imported jobs -- and\n"
     "what remains.",
     show_opts, 0},
    {"Both:", both_opts, 0},
    {NULL, NULL, 0},
};

static const project_args project_defaults = {.given = {-1, -1, -1}};

static int project_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_project = {
    .name = "project",
    .summary = "set and show project-wide budgets (kWh, USD, CO2e)",
    .operands = "set P | show [P]",
    .missing = "'set' or 'show'",
    .min_operands = 1,
    .max_operands = 2,
    .about = "A project's budget caps what all its sweeps and imported jobs may spend\n"
             "together; a sweep of the project launches a trial only if it fits both its\n"
             "own budget and what remains of the project's.\n",
    .groups = project_groups,
    .args_size = sizeof(project_args),
    .defaults = &project_defaults,
    .exec = project_exec,
};

static double *cap_field(es_budget *b, int i)
{
    return i == CAP_KWH ? &b->kwh : i == CAP_USD ? &b->usd : &b->co2e_kg;
}

typedef struct project_row {
    const char *name;
    es_budget cap;
    double device_j;
    double spent[N_CAPS];
    int unmeasured; /* trials (reuses aside) and jobs nothing measured: in no figure */
} project_row;

static int load_row(es_store *st, int64_t id, const char *name, project_row *r, es_err *err)
{
    int rc;
    memset(r, 0, sizeof *r);
    r->name = name;
    if ((rc = es_store_project_budget(st, id, &r->cap, err)) != 0 ||
        (rc = es_store_project_spent(st, id, &r->device_j, &r->spent[CAP_KWH], &r->spent[CAP_CO2E],
                                     &r->spent[CAP_USD], err)) != 0)
        return rc;
    es_store_data *d = NULL;
    if ((rc = es_store_load(st, name, NULL, &d, err)) != 0)
        return rc;
    for (size_t p = 0; p < d->n_projects; p++) {
        const es_store_project *pr = &d->projects[p];
        for (size_t s = 0; s < pr->n_sweeps; s++)
            for (size_t k = 0; k < pr->sweeps[s].n_trials; k++) {
                const es_store_trial *t = &pr->sweeps[s].trials[k];
                r->unmeasured += es_report_energy_unknown(t);
            }
        for (size_t i = 0; i < pr->n_imports; i++)
            for (size_t k = 0; k < pr->imports[i].n_jobs; k++)
                r->unmeasured += pr->imports[i].jobs[k].energy.method == ES_EM_NONE;
    }
    es_store_data_free(d);
    return 0;
}

static void print_text(const project_row *r)
{
    printf("project %s\n", r->name);
    for (int i = 0; i < N_CAPS; i++) {
        double cap = *cap_field((es_budget *)&r->cap, i);
        double left = cap - r->spent[i];
        if (cap > 0)
            printf("  %-8s cap %-12.6g spent %-12.6g remaining %.6g", cap_text[i], cap, r->spent[i],
                   left > 0 ? left : 0);
        else
            printf("  %-8s no cap           spent %.6g", cap_text[i], r->spent[i]);
        if (cap > 0 && left < 0)
            printf(" (exceeded by %.6g)", -left);
        putchar('\n');
    }
    printf("  energy at the devices: %.6g J (every trial of its sweeps and its imported jobs)\n",
           r->device_j);
    if (r->unmeasured > 0)
        printf("  not in these figures: %d trials and imported jobs whose energy nothing "
               "measured\n",
               r->unmeasured);
}

static void print_json(const project_row *r, int first)
{
    fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", stdout);
    es_cli_json_str(r->name);
    fputs(", \"device_j\": ", stdout);
    es_cli_json_num(r->device_j);
    printf(", \"unmeasured\": %d", r->unmeasured);
    const char *part[3] = {"cap", "spent", "remaining"};
    for (int k = 0; k < 3; k++) {
        printf(", \"%s\": {", part[k]);
        for (int i = 0; i < N_CAPS; i++) {
            double c = *cap_field((es_budget *)&r->cap, i);
            double v = k == 0   ? (c > 0 ? c : NAN)
                       : k == 1 ? r->spent[i]
                       : c > 0  ? fmax(c - r->spent[i], 0)
                                : NAN;
            printf("%s\"%s\": ", i ? ", " : "", cap_json[i]);
            es_cli_json_num(v);
        }
        putchar('}');
    }
    putchar('}');
}

static int project_set(const char *db, const char *name, const double *given, int clear)
{
    es_store *st = NULL;
    es_budget b;
    es_err err;
    int64_t id;
    project_row row;

    es_err_clear(&err);
    if (es_store_open(db, &st, &err) != 0 || es_store_project_ensure(st, name, &id, &err) != 0 ||
        es_store_project_budget(st, id, &b, &err) != 0)
        goto fail;
    if (clear)
        memset(&b, 0, sizeof b);
    for (int i = 0; i < N_CAPS; i++)
        if (given[i] >= 0)
            *cap_field(&b, i) = given[i];
    if (es_store_project_budget_set(st, id, &b, &err) != 0 ||
        load_row(st, id, name, &row, &err) != 0)
        goto fail;
    print_text(&row);
    es_store_close(st);
    return ES_EXIT_OK;
fail:
    fprintf(stderr, "ecosweep project: %s\n", err.msg);
    es_store_close(st);
    return ES_EXIT_ERROR;
}

static int project_show(const char *db, const char *name, int json)
{
    es_store *st = NULL;
    es_store_project_ref *list = NULL;
    size_t n = 0, shown = 0;
    es_err err;
    int rc;

    es_err_clear(&err);
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    if (es_store_project_list(st, &list, &n, &err) != 0)
        goto fail;
    if (json)
        fputs("{\"ecosweep_projects\": 1, \"projects\": [", stdout);
    for (size_t i = 0; i < n; i++) {
        project_row row;
        if (name != NULL && strcmp(name, list[i].name) != 0)
            continue;
        if (load_row(st, list[i].id, list[i].name, &row, &err) != 0)
            goto fail;
        if (json)
            print_json(&row, shown == 0);
        else
            print_text(&row);
        shown++;
    }
    if (json)
        fputs("]}\n", stdout);
    else if (shown == 0 && name == NULL)
        printf("No projects in %s yet.\n", db);
    es_store_project_list_free(list, n);
    es_store_close(st);
    if (name != NULL && shown == 0) {
        fprintf(stderr, "ecosweep project: no project '%s' in %s\n", name, db);
        return ES_EXIT_ERROR;
    }
    return ES_EXIT_OK;
fail:
    fprintf(stderr, "ecosweep project: %s\n", err.msg);
    es_store_project_list_free(list, n);
    es_store_close(st);
    return ES_EXIT_ERROR;
}

static int project_exec(const void *args, int n, char **operands)
{
    const project_args *a = args;
    const char *db = es_cli_db_path(a->db), *verb = operands[0], *name = n > 1 ? operands[1] : NULL;
    int json = a->format == 1, any = a->clear;
    for (int i = 0; i < N_CAPS; i++)
        any |= a->given[i] >= 0;
    if (strcmp(verb, "set") == 0) {
        if (name == NULL)
            return es_cli_usage_error(&es_cli_project, "set: missing the project name");
        if (!any)
            return es_cli_usage_error(&es_cli_project,
                                      "set: nothing to set (give --max-kwh, --max-usd, "
                                      "--max-co2e-kg or --clear)");
        if (json)
            return es_cli_usage_error(&es_cli_project, "set: --format is for show");
        return project_set(db, name, a->given, a->clear);
    }
    if (strcmp(verb, "show") == 0) {
        if (any)
            return es_cli_usage_error(&es_cli_project, "show: caps are set with 'project set'");
        return project_show(db, name, json);
    }
    return es_cli_usage_error(&es_cli_project, "expected 'set' or 'show', got '%s'", verb);
}
