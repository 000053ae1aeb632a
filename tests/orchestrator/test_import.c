/*
 * test_import.c -- `ecosweep import`: CSV and sacct files become jobs with
 * the energy method they deserve, errors name the file, line and field, an
 * import is all or nothing, the same file is not counted twice, imported
 * jobs enter the project's totals and tiers -- and Strubell et al.'s LISA
 * case study (4,789 jobs, 239,942 GPU-hours) reproduces the electricity
 * column of their Table 3 from the paper's own assumptions.
 */
#include <unistd.h>

#include "cli.h"
#include "es_test.h"
#include "import.h"
#include "report.h"
#include "store.h"

static es_import_opts defaults(void)
{
    es_import_opts o = {.format = ES_IMPORT_AUTO,
                        .gpu_watts = ES_IMPORT_GPU_WATTS,
                        .cpu_watts = ES_IMPORT_CPU_WATTS};
    return o;
}

static es_import_batch *parse_ok(const char *name, const char *text)
{
    es_import_opts o = defaults();
    es_import_batch *b;
    es_err err;
    if (es_import_parse(name, text, strlen(text), &o, &b, &err) != 0)
        ES_FAIL("parse %s: %s", name, err.msg);
    return b;
}

static const char *parse_err(const char *name, const char *text)
{
    static es_err err;
    es_import_opts o = defaults();
    es_import_batch *b = NULL;
    ES_CHECK(es_import_parse(name, text, strlen(text), &o, &b, &err) != 0);
    ES_CHECK(b == NULL);
    return err.msg;
}

ES_TEST(csv_columns_units_and_methods)
{
    es_import_batch *b =
        parse_ok("jobs.csv", "name,hours,gpus,cpus,energy_kwh,power_w,sweep,status,started,ended\n"
                             "measured,2,1,4,3.5,,g1,,,\n"
                             "\"bert, base\",10,2,8,,300,g1,FAILED,,\n"
                             "defaults,1.5,1,4,,,,timed_out,,\n"
                             "spans,,0,16,,,,,2019-03-01T10:00:00Z,2019-03-01 13:30:00\n");
    ES_CHECK_INT(b->format, ES_IMPORT_CSV);
    ES_CHECK_INT(b->n_jobs, 4);
    ES_CHECK_INT(b->n_counter, 1);
    ES_CHECK_INT(b->n_estimate, 3);
    const es_import_job *j = b->jobs;
    ES_CHECK_STR(j[0].name, "measured");
    ES_CHECK_INT(j[0].line, 2);
    ES_CHECK_STR(j[0].group, "g1");
    ES_CHECK_STR(j[0].status, "completed");
    ES_CHECK_INT(j[0].energy.method, ES_EM_COUNTER);
    ES_CHECK_NEAR(j[0].energy.j, 3.5 * 3.6e6, 1e-6); /* at the devices; PUE comes later */
    ES_CHECK_STR(j[0].energy.source, "import:energy_kwh");
    /* power_w is per device: 300 W x 2 GPUs x 10 h. */
    ES_CHECK_STR(j[1].name, "bert, base");
    ES_CHECK_STR(j[1].status, "failed");
    ES_CHECK_INT(j[1].energy.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(j[1].energy.j, 300.0 * 2 * 10 * 3600, 1e-6);
    /* Neither: 200 W per GPU + 12 W per core (Green Algorithms). */
    ES_CHECK_NEAR(j[2].energy.j, (200.0 + 4 * 12.0) * 1.5 * 3600, 1e-6);
    ES_CHECK_STR(j[2].energy.source, "default:200W/gpu+12W/cpu");
    ES_CHECK_STR(j[2].status, "timed_out");
    ES_CHECK(j[2].group == NULL);
    /* Hours from started and ended (UTC). */
    ES_CHECK_NEAR(j[3].hours, 3.5, 1e-12);
    ES_CHECK_NEAR(j[3].started, 1551434400, 0);
    ES_CHECK_NEAR(j[3].energy.j, 16 * 12.0 * 3.5 * 3600, 1e-6);
    es_import_batch_free(b);
}

/* Table-driven: a file and the error it must produce, file:line: field. */
ES_TEST(csv_errors_name_file_line_and_field)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"name,hours,gpus\na,1,1\nb,x,1\n", "jobs.csv:3: hours: expected a number, got 'x'"},
        {"name,hours,gpus\na,-2,1\n", "jobs.csv:2: hours: expected a number >= 0, got '-2'"},
        {"name,hours,gpus\na,1,two\n", "jobs.csv:2: gpus: expected a whole number >= 0, got 'two'"},
        {"name,hours,gpus,energy_kwh\na,1,1,lots\n",
         "jobs.csv:2: energy_kwh: expected a number >= 0, got 'lots'"},
        {"name,hours,gpus,power_w\na,1,1,-5\n",
         "jobs.csv:2: power_w: expected a number >= 0, got '-5'"},
        {"name,hours,gpus,status\na,1,1,exploded\n",
         "jobs.csv:2: status: expected completed, failed, timed_out, interrupted or running, "
         "got 'exploded'"},
        {"name,hours,gpus,started\na,1,1,yesterday\n",
         "jobs.csv:2: started: expected a time like 2019-03-01T10:00:00, got 'yesterday'"},
        {"name,hours,gpus\na,1\n", "jobs.csv:2: 2 fields, but the header has 3"},
        {"name,hours\na,1\n", "jobs.csv:2: no energy_kwh, power_w, gpus or cpus: nothing to "
                              "measure or estimate the energy from"},
        {"name,hours,energy_kw\n", "jobs.csv:1: unknown column 'energy_kw' (known: name, hours, "
                                   "gpus, cpus, energy_kwh, power_w, sweep, status, started, "
                                   "ended)"},
        {"hours,gpus\n1,1\n", "jobs.csv:1: no 'name' column"},
        {"name,gpus\na,1\n", "jobs.csv:1: no 'hours' column (nor both 'started' and 'ended')"},
        {"name,hours,gpus\n", "jobs.csv: no jobs in the file"},
        {"", "jobs.csv: empty file: expected a header line"},
        /* A quoted field spanning lines: the error is on the line where the record starts. */
        {"name,hours,gpus\n\"two\nlines\",1,1\nc,?,1\n",
         "jobs.csv:4: hours: expected a number, got '?'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ES_CHECK_STR(parse_err("jobs.csv", cases[i].text), cases[i].want);
}

static const char sacct[] =
    "JobID|JobName|Elapsed|AllocTRES|ConsumedEnergyRaw|State|Start|End\n"
    "100|train|1-02:00:00|billing=8,cpu=8,gres/gpu=2,mem=64G,node=1|7200000|COMPLETED|"
    "2019-03-01T10:00:00|2019-03-02T12:00:00\n"
    "100.batch|batch|1-02:00:00|cpu=8,mem=64G,node=1|7000000|COMPLETED|2019-03-01T10:00:00|"
    "2019-03-02T12:00:00\n"
    "101_3|grid|02:00:00|cpu=4,gres/gpu:v100=1,mem=8G|0|TIMEOUT|2019-03-01T10:00:00|"
    "2019-03-01T12:00:00\n"
    "101_4|grid|30:00|cpu=4,gres/gpu:v100=1,mem=8G||CANCELLED by 1000|2019-03-01T10:00:00|"
    "2019-03-01T10:30:00\n"
    "102|wait|00:00:00|billing=1||PENDING|Unknown|Unknown\n";

ES_TEST(sacct_jobs_steps_arrays_and_energy)
{
    es_import_batch *b = parse_ok("sacct.txt", sacct);
    ES_CHECK_INT(b->format, ES_IMPORT_SACCT);
    ES_CHECK_INT(b->n_jobs, 3);
    ES_CHECK_INT(b->skipped, 2); /* the .batch step and the pending job */
    const es_import_job *j = b->jobs;
    ES_CHECK_STR(j[0].name, "100 train");
    ES_CHECK_INT(j[0].line, 2);
    ES_CHECK_NEAR(j[0].hours, 26, 1e-12);
    ES_CHECK_INT(j[0].gpus, 2);
    ES_CHECK_INT(j[0].cpus, 8);
    ES_CHECK_INT(j[0].energy.method, ES_EM_COUNTER);
    ES_CHECK_NEAR(j[0].energy.j, 7.2e6, 0);
    ES_CHECK_STR(j[0].energy.source, "slurm:ConsumedEnergyRaw");
    ES_CHECK(j[0].group == NULL);
    /* ConsumedEnergyRaw 0 is "not measured": the default estimate. */
    ES_CHECK_STR(j[1].group, "slurm-array-101");
    ES_CHECK_STR(j[1].status, "timed_out");
    ES_CHECK_INT(j[1].gpus, 1);
    ES_CHECK_INT(j[1].energy.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(j[1].energy.j, (200.0 + 4 * 12.0) * 2 * 3600, 1e-6);
    ES_CHECK_STR(j[2].status, "interrupted");
    ES_CHECK_NEAR(j[2].hours, 0.5, 1e-12);
    ES_CHECK_NEAR(j[2].ended - j[2].started, 1800, 0);
    es_import_batch_free(b);

    ES_CHECK_NEAR(es_import_parse_elapsed("1-02:03:04"), 93784, 0);
    ES_CHECK_NEAR(es_import_parse_elapsed("02:03:04"), 7384, 0);
    ES_CHECK_NEAR(es_import_parse_elapsed("03:04"), 184, 0);
    ES_CHECK_NEAR(es_import_parse_elapsed("00:01.500"), 1.5, 1e-12);
    ES_CHECK(es_import_parse_elapsed("soon") < 0);
    ES_CHECK(es_import_parse_elapsed("1:2:3:4") < 0);
    ES_CHECK_STR(parse_err("sacct.txt", "JobID|JobName|Elapsed\n7|x|ten\n"),
                 "sacct.txt:2: Elapsed: expected [DD-]HH:MM:SS, got 'ten'");
    ES_CHECK_STR(parse_err("sacct.txt", "JobID|JobName|Elapsed|AllocTRES\n7|x|01:00|\n"),
                 "sacct.txt:2: no ConsumedEnergyRaw and no cpu or gpu count in AllocTRES: "
                 "nothing to measure or estimate the energy from");
}

/* ---- Through the store and the command line ---------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char buf[8][4200];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 4200, "%s/%s", es_test_tmpdir(), name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

static int cli(const char **args)
{
    int argc = 0;
    char *argv[32];
    argv[argc++] = "ecosweep";
    for (; args[argc - 1] != NULL; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    fflush(stdout);
    return es_cli_main(argc, argv);
}

static es_store_data *load(const char *db, const char *project)
{
    es_store *st;
    es_store_data *d;
    es_err err;
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("open: %s", err.msg);
    ES_CHECK_INT(es_store_load(st, project, NULL, &d, &err), 0);
    es_store_close(st);
    return d;
}

static size_t count_jobs(const char *db)
{
    es_store_data *d = load(db, NULL);
    size_t n = 0;
    for (size_t i = 0; i < d->n_projects; i++)
        for (size_t j = 0; j < d->projects[i].n_imports; j++)
            n += d->projects[i].imports[j].n_jobs;
    es_store_data_free(d);
    return n;
}

ES_TEST(import_is_all_or_nothing_and_not_twice)
{
    const char *db = tmp_path("i.db"), *good = tmp_path("good.csv"), *bad = tmp_path("bad.csv");
    write_file(good, "name,hours,gpus,power_w\na,1,1,100\nb,2,1,100\n");
    write_file(bad, "name,hours,gpus,power_w\nc,1,1,100\nd,1,1,100\ne,oops,1,100\n");

    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "p", good, NULL}), 0);
    ES_CHECK_INT(count_jobs(db), 2);
    /* A bad line stops the whole file: the two good lines before it are not kept. */
    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "p", bad, NULL}), 2);
    ES_CHECK_INT(count_jobs(db), 2);
    /* The same bytes again: refused, unless --force. */
    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "p", good, NULL}), 1);
    ES_CHECK_INT(count_jobs(db), 2);
    ES_CHECK_INT(
        cli((const char *[]){"import", "--db", db, "--project", "p", "--force", good, NULL}), 0);
    ES_CHECK_INT(count_jobs(db), 4);
    /* Usage errors. */
    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, good, NULL}), 2);
    ES_CHECK_INT(
        cli((const char *[]){"import", "--db", db, "--project", "p", "--pue", "0.5", good, NULL}),
        2);
    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "p", "--dry-run",
                                      tmp_path("missing.csv"), NULL}),
                 1);

    /* A failure inside the store's transaction (a job the schema refuses)
     * rolls back the import row and the jobs already inserted. */
    es_store *st;
    es_err err;
    es_energy_factors f;
    es_energy_factors_default(&f);
    es_import_job jobs[2];
    memset(jobs, 0, sizeof jobs);
    jobs[0].name = "ok";
    jobs[0].status = "completed";
    jobs[0].hours = 1;
    jobs[0].energy.method = ES_EM_ESTIMATE;
    jobs[0].energy.j = 1;
    jobs[1] = jobs[0];
    jobs[1].status = NULL; /* NOT NULL in the schema */
    es_import_new in = {.project = "p2",
                        .file = "x.csv",
                        .format = "csv",
                        .hash = "h",
                        .imported = 1,
                        .factors = &f,
                        .cpu_watts = 12,
                        .jobs = jobs,
                        .n_jobs = 2};
    int64_t id = 7;
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("open: %s", err.msg);
    ES_CHECK(es_store_import_add(st, &in, &id, &err) != 0);
    ES_CHECK_INT(id, 0);
    es_store_close(st);
    ES_CHECK_INT(count_jobs(db), 4);
    es_store_data *d = load(db, "p2");
    ES_CHECK_INT(d->n_projects, 0); /* not even the project was created */
    es_store_data_free(d);
}

/* Imported jobs count in the project's totals and all-R&D tier, labelled. */
ES_TEST(imported_jobs_in_totals_and_tiers)
{
    const char *db = tmp_path("t.db"), *csv = tmp_path("jobs.csv");
    write_file(csv, "name,hours,gpus,energy_kwh,sweep\na,1,1,1,g\nb,1,1,2,g\nc,1,1,4,h\n");
    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "p", "--pue", "1.5",
                                      "--usd-per-kwh", "0.2", csv, NULL}),
                 0);
    es_store_data *d = load(db, "p");
    ES_CHECK_INT(d->projects[0].n_imports, 1);
    ES_CHECK_NEAR(d->projects[0].imports[0].factors.pue, 1.5, 0);
    es_footprint fp;
    ES_CHECK_INT(es_report_footprint(&d->projects[0], &fp), 0);
    ES_CHECK_NEAR(fp.all_rd.cost.kwh, 7 * 1.5, 1e-9);
    ES_CHECK_INT(fp.all_rd.imported, 3);
    ES_CHECK_NEAR(fp.one_model.cost.kwh, 2 * 1.5, 1e-9); /* median of 1, 2, 4 kWh */
    ES_CHECK_CONTAINS(fp.one_model.what, "imported job 'b' (");
    ES_CHECK_NEAR(fp.one_tune.cost.kwh, 3 * 1.5, 1e-9); /* groups g (3) and h (4): the lower */
    ES_CHECK_INT(fp.one_tune.jobs, 2);

    char path[4200];
    snprintf(path, sizeof path, "%s/r.json", es_test_tmpdir());
    FILE *f = fopen(path, "w+");
    ES_CHECK_INT(es_report_write(d, ES_REPORT_JSON, f), 0);
    static char buf[1 << 16];
    rewind(f);
    buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
    fclose(f);
    ES_CHECK_CONTAINS(buf, "\"totals\": {\"kwh\": 10.5,");
    ES_CHECK_CONTAINS(buf,
                      "\"energy_method\": \"counter\", \"unmeasured\": 0, \"imported_jobs\": 3}");
    ES_CHECK_CONTAINS(buf, "\"imports\": [\n    {\"id\": 1, \"file\": ");
    ES_CHECK_CONTAINS(buf, "\"method\": \"counter\", \"source\": \"import:energy_kwh\"");
    ES_CHECK_CONTAINS(buf, "\"all_rd\": {\"jobs\": 3, \"imported_jobs\": 3, \"hours\": 3,");
    es_store_data_free(d);
}

/*
 * Strubell, Ganesh & McCallum (2019), Table 3: developing LISA took 4,789
 * jobs and 239,942 GPU-hours; at $0.12/kWh with PUE 1.58 and
 * p_t = 1.58 (p_c + p_r + g p_g), its electricity cost $5 for one model
 * (120 h), $118 for one tune (24 jobs, 2,880 h) and $9,870 for all R&D.
 *
 * The power that reproduces it: $9,870 / 239,942 h / $0.12 / 1.58 = 217 W
 * per GPU-hour at the devices (p_c + p_r + p_g with g = 1, the GPU's share
 * of CPU and DRAM included), i.e. p_t = 343 W at the wall.  With 217 W:
 * one model 120 h -> $4.94 ($5), one tune 2,880 h -> $118.49 ($118), all
 * R&D -> $9,871.98 ($9,870 at the paper's three significant figures).
 *
 * The records: 4,789 single-GPU jobs with power_w 217 in 123 grid searches
 * (the paper's count): 62 searches of 24 completed 120-hour jobs (the
 * paper's tune), and 61 smaller ones holding 1,000 completed 40-hour jobs
 * and 2,301 crashed ones (2,300 of 9.29 h, one of 15 h), so that the hours
 * add up to 239,942 and the median completed job is a 120-hour one.
 */
ES_TEST(lisa_reproduces_strubell_table_3)
{
    const char *db = tmp_path("lisa.db"), *csv = tmp_path("lisa.csv");
    FILE *f = fopen(csv, "w");
    int jobs = 0;
    double hours = 0;
    ES_CHECK(f != NULL);
    fputs("name,sweep,status,hours,gpus,power_w\n", f);
    for (int g = 0; g < 62; g++)
        for (int k = 0; k < 24; k++, jobs++, hours += 120)
            fprintf(f, "tune%d-%d,search%03d,completed,120,1,217\n", g, k, g);
    for (int k = 0; k < 3301; k++, jobs++) {
        double h = k < 1000 ? 40 : k < 3300 ? 9.29 : 15;
        fprintf(f, "small%d,search%03d,%s,%g,1,217\n", k, 62 + k % 61,
                k < 1000 ? "completed" : "failed", h);
        hours += h;
    }
    fclose(f);
    ES_CHECK_INT(jobs, 4789);
    ES_CHECK_NEAR(hours, 239942, 1e-6);

    ES_CHECK_INT(cli((const char *[]){"import", "--db", db, "--project", "lisa", "--pue", "1.58",
                                      "--usd-per-kwh", "0.12", csv, NULL}),
                 0);
    es_store_data *d = load(db, "lisa");
    es_footprint fp;
    ES_CHECK_INT(es_report_footprint(&d->projects[0], &fp), 0);

    ES_CHECK_INT(fp.all_rd.jobs, 4789);
    ES_CHECK_INT(fp.all_rd.imported, 4789);
    ES_CHECK_NEAR(fp.all_rd.cost.hours, 239942, 1e-6);
    ES_CHECK_NEAR(fp.all_rd.cost.kwh, 239942 * 0.217 * 1.58, 1e-6);
    ES_CHECK_NEAR(fp.all_rd.cost.usd_electricity, 9871.98, 0.01);
    ES_CHECK_NEAR(round(fp.all_rd.cost.usd_electricity / 10) * 10, 9870, 0); /* Table 3 */

    ES_CHECK_INT(fp.one_tune.jobs, 24);
    ES_CHECK_NEAR(fp.one_tune.cost.hours, 2880, 1e-9);
    ES_CHECK_NEAR(fp.one_tune.cost.usd_electricity, 118.49, 0.01);
    ES_CHECK_NEAR(round(fp.one_tune.cost.usd_electricity), 118, 0); /* Table 3 */

    ES_CHECK_INT(fp.one_model.jobs, 1);
    ES_CHECK_NEAR(fp.one_model.cost.hours, 120, 1e-9);
    ES_CHECK_NEAR(fp.one_model.cost.usd_electricity, 4.94, 0.01);
    ES_CHECK_NEAR(round(fp.one_model.cost.usd_electricity), 5, 0); /* Table 3 */
    es_store_data_free(d);
}

/* Values that made negative or infinite joules, hours that contradict the
 * job's times, timestamps and numbers no export holds: refused with the
 * line and field.  A UTF-8 byte-order mark is no part of the header, and
 * an AllocTRES count that overflows counts as none (it gave -120 J). */
ES_TEST(import_refuses_values_no_export_holds)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"name,hours,energy_kwh\na,1,1e308\n",
         "jobs.csv:2: energy_kwh: expected a number >= 0, got '1e308'"},
        {"name,hours,gpus\na,0x10,1\n", "jobs.csv:2: hours: expected a number, got '0x10'"},
        {"name,hours,power_w\na,1,inf\n", "jobs.csv:2: power_w: expected a number >= 0, got 'inf'"},
        {"name,gpus,started,ended\na,1,1e300,2e300\n",
         "jobs.csv:2: started: expected a time like 2019-03-01T10:00:00, got '1e300'"},
        {"name,hours,gpus,started,ended\na,5,1,2019-03-01T10:00:00,2019-03-01T11:00:00\n",
         "jobs.csv:2: hours: expected the hours between started and ended, got '5'"},
        {"name,gpus,started,ended\na,1,2019-03-01T11:00:00,2019-03-01T10:00:00\n",
         "jobs.csv:2: ended: expected a time after started, got '2019-03-01T10:00:00'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ES_CHECK_STR(parse_err("jobs.csv", cases[i].text), cases[i].want);

    es_import_batch *b = parse_ok("bom.csv", "\xef\xbb\xbfname,hours,gpus\na,1,1\n");
    ES_CHECK_INT(b->n_jobs, 1);
    es_import_batch_free(b);

    const char *sacct_line = "JobID|JobName|Elapsed|AllocTRES|ConsumedEnergyRaw|State|Start|End\n"
                             "7|x|01:00:00|cpu=99999999999999999999999|0|COMPLETED|Unknown|"
                             "Unknown\n";
    const char *err = parse_err("s.txt", sacct_line);
    ES_CHECK_CONTAINS(err, "s.txt:2: no ConsumedEnergyRaw and no cpu or gpu count in AllocTRES");
}
