/*
 * cli_import.c -- `ecosweep import`: add jobs that ran outside ecosweep (a
 * CSV file, or Slurm's `sacct --parsable2` output) to a project, so that its
 * R&D footprint counts them.  The file is parsed whole first (import.c);
 * then the jobs are stored in one transaction with the factors that price
 * them, so an import is all or nothing.  The same file (by content) is not
 * imported twice into a project unless --force says so.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "cli.h"
#include "import.h"
#include "store.h"

typedef struct import_args {
    const char *db, *project;
    int format; /* es_import_format: the index of its word */
    double gpu_watts, cpu_watts;
    int dry, force;
    es_factor_override ov;
} import_args;

/* In es_import_format's order. */
static const char *const format_words[] = {"auto", "csv", "sacct", NULL};
_Static_assert(ES_IMPORT_AUTO == 0 && ES_IMPORT_CSV == 1 && ES_IMPORT_SACCT == 2,
               "format_words follows es_import_format");

static const es_cli_opt import_opts[] = {
    ES_CLI_STRING_OPT(import_args, project, .name = "project", .arg = "P", .required = 1,
                      .help = "project to add the jobs to (created when missing)"),
    ES_CLI_STRING_OPT(import_args, db, .name = "db", .arg = "FILE",
                      .help = "database (default $ECOSWEEP_DB, else ./ecosweep.db)"),
    ES_CLI_CHOICE_OPT(import_args, format, .name = "format", .choices = format_words,
                      .help = "auto (default: sacct when the header starts with JobID|), csv or "
                              "sacct"),
    ES_CLI_REAL_OPT(import_args, gpu_watts, ES_CLI_NONNEG, .name = "gpu-watts", .arg = "W",
                    .expect = "a number of watts >= 0",
                    .help = "per GPU for jobs with no energy or power (default 200)"),
    ES_CLI_REAL_OPT(import_args, cpu_watts, ES_CLI_NONNEG, .name = "cpu-watts", .arg = "W",
                    .expect = "a number of watts >= 0",
                    .help = "per CPU core, likewise (default 12)"),
    ES_CLI_FLAG_OPT(import_args, dry, .name = "dry-run",
                    .help = "parse and summarize; store nothing"),
    ES_CLI_FLAG_OPT(import_args, force, .name = "force",
                    .help = "import even if this file was imported into P before"),
    {.name = NULL},
};

static const es_cli_group import_groups[] = {
    {NULL, import_opts, 0},
    {"Pricing: the factors that price these jobs, as a spec's energy block (defaults:\n"
     "PUE 1.58, world average 475 g/kWh, $0.12/kWh, cloud $0/job-hour).",
     es_cli_factor_opts, offsetof(import_args, ov)},
    {NULL, NULL, 0},
};

static const import_args import_defaults = {
    .format = ES_IMPORT_AUTO, .gpu_watts = ES_IMPORT_GPU_WATTS, .cpu_watts = ES_IMPORT_CPU_WATTS};

static int import_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_import = {
    .name = "import",
    .summary = "add jobs that ran outside ecosweep (CSV, Slurm sacct) to a project",
    .operands = "FILE",
    .missing = "FILE",
    .min_operands = 1,
    .max_operands = 1,
    .about = "Adds each job of FILE ('-' for stdin) to project P; reports count them in the\n"
             "project's totals and its all-R&D tier, labelled as imported.\n"
             "\n"
             "CSV (a header line, then one job per line): name, hours (wall-clock), gpus,\n"
             "cpus, and energy_kwh (measured at the devices, before PUE: method counter)\n"
             "or power_w (average watts per device: kWh = power_w x devices x hours / 1000,\n"
             "devices = gpus, else cpus: method estimate); optional sweep (or group), status,\n"
             "started, ended (2019-03-01T10:00:00, UTC).\n"
             "sacct: `sacct --parsable2 --format=JobID,JobName,Elapsed,AllocTRES,\n"
             "ConsumedEnergyRaw,State,Start,End`; ConsumedEnergyRaw (J) is a counter.\n"
             "A job with neither is estimated: gpus x --gpu-watts + cpus x --cpu-watts.\n",
    .groups = import_groups,
    .args_size = sizeof(import_args),
    .defaults = &import_defaults,
    .exec = import_exec,
};

/* The whole of path ("-": stdin) in a fresh buffer. */
static int read_all(const char *path, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *buf;
    int rc = 0;

    if (f == NULL)
        return -errno;
    if ((buf = malloc(cap)) == NULL)
        rc = -ENOMEM;
    while (rc == 0) {
        size_t got;
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (b == NULL) {
                rc = -ENOMEM;
                break;
            }
            buf = b;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = -EIO;
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return 0;
}

static void summarize(const char *verb, const char *file, const char *project, int64_t id,
                      const es_import_batch *b, const es_energy_factors *f)
{
    double joules = 0, hours = 0;
    size_t grouped = 0;
    es_cost c;
    for (size_t i = 0; i < b->n_jobs; i++) {
        joules += b->jobs[i].energy.j;
        hours += b->jobs[i].hours;
        grouped += b->jobs[i].group != NULL;
    }
    es_account(f, joules, hours * 3600, &c);
    printf("%s %zu jobs from %s (%s) into project %s", verb, b->n_jobs, file,
           es_import_format_name(b->format), project);
    if (id > 0)
        printf(" (import #%lld)", (long long)id);
    printf(":\n  %.6g job-hours, %.6g kWh with PUE %.3g, %.6g kg CO2e, electricity $%.6g, "
           "cloud $%.6g\n  energy: %zu measured (counter), %zu estimated; %zu in a sweep or "
           "array; %zu rows skipped (job steps, pending jobs)\n",
           c.hours, c.kwh, f->pue, c.co2e_kg, c.usd_electricity, c.usd_cloud, b->n_counter,
           b->n_estimate, grouped, b->skipped);
}

static int import_exec(const void *args, int n, char **operands)
{
    const import_args *a = args;
    const char *db = a->db, *project = a->project, *file = operands[0];
    es_import_opts io = {.format = (es_import_format)a->format,
                         .gpu_watts = a->gpu_watts,
                         .cpu_watts = a->cpu_watts};
    es_energy_factors factors;
    int rc;
    es_import_batch *b = NULL;
    es_store *st = NULL;
    char *text = NULL, hash[17];
    size_t len = 0;
    es_err err;

    (void)n; /* one FILE, as the table says */
    if (project[0] == '\0')
        return es_cli_usage_error(&es_cli_import, "--project: expected a project name, got ''");
    es_energy_factors_default(&factors);
    es_factor_override_apply(&a->ov, &factors);
    factors.gpu_watts = io.gpu_watts;

    if ((rc = read_all(file, &text, &len)) != 0) {
        fprintf(stderr, "ecosweep import: %s: %s\n", file, strerror(-rc));
        return ES_EXIT_ERROR;
    }
    if (es_import_parse(strcmp(file, "-") == 0 ? "stdin" : file, text, len, &io, &b, &err) != 0) {
        fprintf(stderr, "ecosweep import: %s\n", err.msg);
        free(text);
        return err.code == ES_EUSAGE ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    }
    es_import_hash(text, len, hash);
    free(text);
    if (a->dry) {
        summarize("would import", file, project, 0, b, &factors);
        es_import_batch_free(b);
        return ES_EXIT_OK;
    }

    db = es_cli_db_path(db);
    if (es_store_open(db, &st, &err) != 0) {
        fprintf(stderr, "ecosweep import: %s\n", err.msg);
        es_import_batch_free(b);
        return ES_EXIT_ERROR;
    }
    int64_t id = 0;
    char *before = NULL;
    double when = NAN;
    rc = es_store_import_find(st, project, hash, &id, &before, &when, &err);
    if (rc == 0 && id > 0 && !a->force) {
        char day[32] = "?";
        time_t t = (time_t)when;
        struct tm tm;
        if (gmtime_r(&t, &tm) != NULL)
            strftime(day, sizeof day, "%Y-%m-%d %H:%M UTC", &tm);
        fprintf(stderr,
                "ecosweep import: %s: this file was already imported into project %s as "
                "import #%lld (%s, on %s); nothing imported (--force imports it again)\n",
                file, project, (long long)id, before ? before : "?", day);
        rc = ES_EXIT_ERROR;
    } else if (rc == 0) {
        es_import_new in = {.project = project,
                            .file = file,
                            .format = es_import_format_name(b->format),
                            .hash = hash,
                            .imported = (double)time(NULL),
                            .factors = &factors,
                            .cpu_watts = io.cpu_watts,
                            .jobs = b->jobs,
                            .n_jobs = b->n_jobs};
        if ((rc = es_store_import_add(st, &in, &id, &err)) == 0) {
            summarize("imported", file, project, id, b, &factors);
        } else {
            fprintf(stderr, "ecosweep import: %s; nothing imported\n", err.msg);
            rc = ES_EXIT_ERROR;
        }
    } else {
        fprintf(stderr, "ecosweep import: %s\n", err.msg);
        rc = ES_EXIT_ERROR;
    }
    free(before);
    es_import_batch_free(b);
    es_store_close(st);
    return rc;
}
