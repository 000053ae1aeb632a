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
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "store.h"

static int project_exec(int argc, char **argv);

const es_cli_cmd es_cli_project = {
    .name = "project",
    .summary = "set and show project-wide budgets (kWh, USD, CO2e)",
    .usage = "usage: ecosweep project set P [--db FILE] [--max-kwh X] [--max-usd X]\n"
             "                              [--max-co2e-kg X] [--clear]\n"
             "       ecosweep project show [P] [--db FILE] [--format text|json]\n"
             "\n"
             "A project's budget caps what all its sweeps and imported jobs may spend\n"
             "together; a sweep of the project launches a trial only if it fits both its\n"
             "own budget and what remains of the project's.\n"
             "\n"
             "set: record caps for project P (created when missing). Caps not named keep\n"
             "their value; 0 removes one cap; --clear removes all caps first.\n"
             "  --max-kwh X        kWh at the wall (PUE included)\n"
             "  --max-usd X        dollars of electricity (cloud dollars do not count)\n"
             "  --max-co2e-kg X    kg CO2e\n"
             "  --clear            remove every cap (then apply any given above)\n"
             "\n"
             "show: each project (or P) with its caps, what it has spent -- every ended trial\n"
             "of its sweeps priced with that sweep's factors, plus its imported jobs -- and\n"
             "what remains.\n"
             "  --format F         text (default) or json\n"
             "\n"
             "Both take --db FILE (default $ECOSWEEP_DB, else ./ecosweep.db).\n",
    .exec = project_exec,
};

/* The three capped quantities, in the order they are printed. */
enum { CAP_KWH, CAP_USD, CAP_CO2E, N_CAPS };
static const char *const cap_option[N_CAPS] = {"max-kwh", "max-usd", "max-co2e-kg"};
static const char *const cap_text[N_CAPS] = {"kWh", "USD", "kg CO2e"};
static const char *const cap_json[N_CAPS] = {"kwh", "usd", "co2e_kg"};

static double *cap_field(es_budget *b, int i)
{
    return i == CAP_KWH ? &b->kwh : i == CAP_USD ? &b->usd : &b->co2e_kg;
}

typedef struct project_row {
    const char *name;
    es_budget cap;
    double device_j;
    double spent[N_CAPS];
} project_row;

static int load_row(es_store *st, int64_t id, const char *name, project_row *r, es_err *err)
{
    int rc;
    memset(r, 0, sizeof *r);
    r->name = name;
    if ((rc = es_store_project_budget(st, id, &r->cap, err)) != 0)
        return rc;
    return es_store_project_spent(st, id, &r->device_j, &r->spent[CAP_KWH], &r->spent[CAP_CO2E],
                                  &r->spent[CAP_USD], err);
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
}

static void print_json(const project_row *r, int first)
{
    fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", stdout);
    es_cli_json_str(r->name);
    fputs(", \"device_j\": ", stdout);
    es_cli_json_num(r->device_j);
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

static int parse_amount(const char *option, const char *text, double *out)
{
    char *end;
    double x = strtod(text, &end);
    if (end == text || *end != '\0' || !(x >= 0) || !isfinite(x))
        return es_cli_usage_error(&es_cli_project, "--%s: expected a number >= 0, got '%s'", option,
                                  text);
    *out = x;
    return 0;
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

static int project_exec(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"max-kwh", required_argument, NULL, CAP_KWH},
                                         {"max-usd", required_argument, NULL, CAP_USD},
                                         {"max-co2e-kg", required_argument, NULL, CAP_CO2E},
                                         {"clear", no_argument, NULL, 'c'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *verb, *name;
    double given[N_CAPS] = {-1, -1, -1};
    int clear = 0, json = 0, any = 0, c, rc;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case CAP_KWH:
        case CAP_USD:
        case CAP_CO2E:
            if ((rc = parse_amount(cap_option[c], optarg, &given[c])) != 0)
                return rc;
            any = 1;
            break;
        case 'c':
            clear = any = 1;
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return es_cli_usage_error(&es_cli_project,
                                          "--format: expected text or json, got '%s'", optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        default:
            return es_cli_usage_error(&es_cli_project, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return es_cli_usage_error(&es_cli_project, "missing 'set' or 'show'");
    verb = argv[optind++];
    name = optind < argc ? argv[optind++] : NULL;
    if (optind < argc)
        return es_cli_usage_error(&es_cli_project, "unexpected argument '%s'", argv[optind]);
    db = es_cli_db_path(db);
    if (strcmp(verb, "set") == 0) {
        if (name == NULL)
            return es_cli_usage_error(&es_cli_project, "set: missing the project name");
        if (!any)
            return es_cli_usage_error(&es_cli_project,
                                      "set: nothing to set (give --max-kwh, --max-usd, "
                                      "--max-co2e-kg or --clear)");
        if (json)
            return es_cli_usage_error(&es_cli_project, "set: --format is for show");
        return project_set(db, name, given, clear);
    }
    if (strcmp(verb, "show") == 0) {
        if (any)
            return es_cli_usage_error(&es_cli_project, "show: caps are set with 'project set'");
        return project_show(db, name, json);
    }
    return es_cli_usage_error(&es_cli_project, "expected 'set' or 'show', got '%s'", verb);
}
