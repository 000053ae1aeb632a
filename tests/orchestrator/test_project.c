/*
 * test_project.c -- project budgets, reuse and forecasts in the store
 * (schema 4): caps round-trip through the store and `ecosweep project`,
 * what a project spent adds up its sweeps (each with its own factors) and
 * its imported jobs, a completed trial is found again by command and
 * parameters (and nothing else is), a v3 database upgrades in place, and
 * reports show forecasts, reuse and overshoot.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "cli_exec.h"
#include "es_test.h"
#include "report.h"
#include "store.h"

static es_spec *spec_from(const char *yaml)
{
    es_spec *sp;
    es_err err;
    if (es_spec_parse_string(yaml, strlen(yaml), "t.yaml", &sp, &err) != 0)
        ES_FAIL("spec: %s", err.msg);
    return sp;
}

static const char *yaml_a = "program: p.py\nmetric: {name: loss}\n"
                            "parameters:\n  lr: {min: 0.001, max: 0.1}\n"
                            "  opt: {values: [adam, sgd]}\n"
                            "energy: {pue: 1.2, carbon_intensity: 100, "
                            "electricity_usd_per_kwh: 0.5}\n";
static const char *yaml_b = "program: p.py\nmetric: {name: loss}\n"
                            "parameters:\n  lr: {min: 0.001, max: 0.1}\n"
                            "  opt: {values: [adam, sgd]}\n"
                            "energy: {pue: 2, carbon_intensity: 400, "
                            "electricity_usd_per_kwh: 0.1}\n";

static es_store *open_db(const char *name)
{
    es_store *st;
    es_err err;
    if (es_store_open(es_test_path(name), &st, &err) != 0)
        ES_FAIL("open: %s", err.msg);
    return st;
}

static int64_t new_sweep(es_store *st, const es_spec *sp, const char *project, const char *name)
{
    int64_t pid, sid;
    char *got;
    es_err err;
    ES_CHECK_INT(es_store_project_ensure(st, project, &pid, &err), 0);
    es_sweep_new sn = {.project_id = pid,
                       .name = name,
                       .spec = sp,
                       .seed = 1,
                       .parallel = 1,
                       .started = 1000,
                       .host = "h"};
    ES_CHECK_INT(es_store_sweep_create(st, &sn, &sid, &got, &err), 0);
    free(got);
    return sid;
}

/* What a test trial is. */
typedef struct trial_spec {
    int number;
    double lr;
    const char *opt;
    const char *status;
    double cpu_j; /* NAN: no energy known */
    const char *command;
    int64_t reused_from;
    double forecast_j;
} trial_spec;

static int64_t add_trial(es_store *st, const es_spec *sp, int64_t sweep, const trial_spec *ts)
{
    es_value vals[2] = {{.kind = ES_V_FLOAT, .f = ts->lr},
                        {.kind = ES_V_STR, .s = (char *)(ts->opt ? ts->opt : "adam")}};
    es_trial_new tn = {.sweep_id = sweep,
                       .number = ts->number,
                       .spec = sp,
                       .values = vals,
                       .command_json = ts->command ? ts->command : "[\"p.py\",\"--lr=0.01\"]",
                       .log_dir = "/tmp/x",
                       .started = 1000,
                       .host = "h",
                       .reused_from = ts->reused_from,
                       .forecast_j = ts->forecast_j,
                       .inputs_key = "k1"};
    int64_t id;
    es_err err;
    es_result r;
    ES_CHECK_INT(es_store_trial_start(st, &tn, &id, &err), 0);
    es_result_init(&r);
    r.wall_s = 60;
    if (isfinite(ts->cpu_j)) {
        r.cpu.j = ts->cpu_j;
        r.cpu.method = ES_EM_ESTIMATE;
    }
    int done = strcmp(ts->status, "completed") == 0;
    if (done)
        ES_CHECK_INT(es_store_metric_add(st, id, 0, "loss", -1, 0.5, 1050, &err), 0);
    es_trial_end e = {.status = (es_trial_status)es_trial_status_parse(ts->status),
                      .reason = done ? NULL : "exited with code 1",
                      .objective = done ? 0.5 : NAN,
                      .ended = 1060,
                      .result = &r};
    ES_CHECK_INT(es_store_trial_finish(st, id, &e, &err), 0);
    return id;
}

/* The reuse lookup of a trial of command cmd and parameters params with
 * the inputs add_trial records and the metric loss. */
static int find(es_store *st, int64_t project, const char *cmd, const char *params,
                es_store_reuse *r, es_err *err)
{
    es_store_reuse_query q = {
        .command_json = cmd, .params_json = params, .inputs_key = "k1", .metric = "loss"};
    return es_store_find_completed(st, project, &q, r, err);
}

static const char *report(const es_store_data *d, es_report_format fmt)
{
    static char buf[1 << 16];
    FILE *f = fopen(es_test_path("r.out"), "w+");
    ES_CHECK(f != NULL);
    ES_CHECK_INT(es_report_write(d, fmt, f), 0);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

ES_TEST(budget_roundtrip)
{
    es_store *st = open_db("b.db");
    es_budget b = {.kwh = 5, .co2e_kg = 0.25}, got;
    int64_t pid, other, none;
    es_err err;
    ES_CHECK_INT(es_store_project_ensure(st, "nlp", &pid, &err), 0);
    ES_CHECK_INT(es_store_project_ensure(st, "cv", &other, &err), 0);
    ES_CHECK_INT(es_store_project_budget(st, pid, &got, &err), 0);
    ES_CHECK(got.kwh == 0 && got.usd == 0 && got.co2e_kg == 0);
    ES_CHECK_INT(es_store_project_budget_set(st, pid, &b, &err), 0);
    ES_CHECK_INT(es_store_project_budget(st, pid, &got, &err), 0);
    ES_CHECK_NEAR(got.kwh, 5, 0);
    ES_CHECK_NEAR(got.usd, 0, 0);
    ES_CHECK_NEAR(got.co2e_kg, 0.25, 0);
    ES_CHECK_INT(es_store_project_budget(st, other, &got, &err), 0);
    ES_CHECK(got.kwh == 0 && got.co2e_kg == 0);
    b = (es_budget){.usd = 3};
    ES_CHECK_INT(es_store_project_budget_set(st, pid, &b, &err), 0);
    ES_CHECK_INT(es_store_project_budget(st, pid, &got, &err), 0);
    ES_CHECK(got.kwh == 0 && got.usd == 3 && got.co2e_kg == 0);
    b = (es_budget){0};
    ES_CHECK_INT(es_store_project_budget_set(st, pid, &b, &err), 0);
    ES_CHECK_INT(es_store_project_budget(st, pid, &got, &err), 0);
    ES_CHECK(got.kwh == 0 && got.usd == 0 && got.co2e_kg == 0);
    ES_CHECK_INT(es_store_project_find(st, "cv", &none, &err), 0);
    ES_CHECK_INT(none, other);
    ES_CHECK_INT(es_store_project_find(st, "nope", &none, &err), 0);
    ES_CHECK_INT(none, 0);
    es_store_close(st);
}

/* `ecosweep project set` and `show`: caps kept, one changed at a time,
 * --clear, and what remains. */
ES_TEST(cli_set_show_clear)
{
    const char *out, *err;
    const char *db = es_test_path("cli.db");
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"project", "show", "--db", db, NULL}, NULL, &out, &err),
        1); /* no database yet: not created by show */
    ES_CHECK(access(db, F_OK) != 0);
    ES_CHECK_INT(es_test_ecosweep(
                     (const char *[]){"project", "set", "nlp", "--max-kwh", "5", "--db", db, NULL},
                     NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "kWh      cap 5 ");
    ES_CHECK_INT(es_test_ecosweep(
                     (const char *[]){"project", "set", "nlp", "--max-usd", "2", "--db", db, NULL},
                     NULL, &out, &err),
                 0);
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"project", "show", "nlp", "--db", db, "--format",
                                                   "json", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "\"cap\": {\"kwh\": 5, \"usd\": 2, \"co2e_kg\": null}");
    ES_CHECK_CONTAINS(out, "\"remaining\": {\"kwh\": 5, \"usd\": 2, \"co2e_kg\": null}");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"project", "set", "nlp", "--clear",
                                                   "--max-co2e-kg", "0.5", "--db", db, NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"project", "show", "--db", db, "--format", "json", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "\"cap\": {\"kwh\": null, \"usd\": null, \"co2e_kg\": 0.5}");
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"project", "set", "nlp", "--clear", "--db", db, NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"project", "show", "--db", db, NULL}, NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "project nlp\n  kWh      no cap");
    ES_CHECK_INT(es_test_ecosweep(
                     (const char *[]){"project", "set", "nlp", "--max-kwh", "-1", "--db", db, NULL},
                     NULL, &out, &err),
                 2);
    ES_CHECK_CONTAINS(err, "--max-kwh: expected a number >= 0, got '-1'");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"project", "show", "nope", "--db", db, NULL},
                                  NULL, &out, &err),
                 1);
}

/* Two sweeps with different factors and an import: raw joules add up, and
 * each part is priced with its own factors. */
ES_TEST(spent_sums_sweeps_and_imports)
{
    es_spec *a = spec_from(yaml_a), *b = spec_from(yaml_b);
    es_store *st = open_db("s.db");
    es_err err;
    int64_t sa = new_sweep(st, a, "p", "a"), sb = new_sweep(st, b, "p", "b");
    int64_t elsewhere = new_sweep(st, a, "other", "x");
    add_trial(st, a, sa, &(trial_spec){0, 0.01, 0, "completed", 3.6e6, 0, 0, NAN});
    add_trial(st, a, sa, &(trial_spec){1, 0.02, 0, "failed", 1.8e6, 0, 0, NAN});
    add_trial(st, a, sa, &(trial_spec){2, 0.03, 0, "failed", NAN, 0, 0, NAN}); /* no energy */
    add_trial(st, b, sb, &(trial_spec){0, 0.01, 0, "completed", 7.2e6, 0, 0, NAN});
    add_trial(st, a, elsewhere, &(trial_spec){0, 0.01, 0, "completed", 9e9, 0, 0, NAN});

    es_energy_factors f;
    es_energy_factors_default(&f);
    f.pue = 1.5;
    f.carbon_g_per_kwh = 200;
    f.electricity_usd_per_kwh = 0.2;
    es_import_job jobs[2] = {{.line = 2,
                              .name = "j1",
                              .status = "completed",
                              .started = NAN,
                              .ended = NAN,
                              .hours = 1,
                              .energy = {.j = 3.6e6, .method = ES_EM_COUNTER}},
                             {.line = 3,
                              .name = "j2",
                              .status = "failed",
                              .started = NAN,
                              .ended = NAN,
                              .hours = 1,
                              .energy = {.j = 7.2e6, .method = ES_EM_ESTIMATE}}};
    es_import_new im = {.project = "p",
                        .file = "jobs.csv",
                        .format = "csv",
                        .hash = "h",
                        .imported = 5,
                        .factors = &f,
                        .jobs = jobs,
                        .n_jobs = 2};
    int64_t imid, pid;
    ES_CHECK_INT(es_store_import_add(st, &im, &imid, &err), 0);
    ES_CHECK_INT(es_store_project_find(st, "p", &pid, &err), 0);

    double j, kwh, co2e, usd;
    ES_CHECK_INT(es_store_project_spent(st, pid, &j, &kwh, &co2e, &usd, &err), 0);
    ES_CHECK_NEAR(j, 3.6e6 + 1.8e6 + 7.2e6 + 3.6e6 + 7.2e6, 1e-6);
    double ka = 1.5 * 1.2, kb = 2 * 2.0, ki = 3 * 1.5; /* kWh at the wall of each part */
    ES_CHECK_NEAR(kwh, ka + kb + ki, 1e-9);
    ES_CHECK_NEAR(co2e, ka * 0.1 + kb * 0.4 + ki * 0.2, 1e-9);
    ES_CHECK_NEAR(usd, ka * 0.5 + kb * 0.1 + ki * 0.2, 1e-9);

    /* The same figures as the report's project totals (electricity only). */
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, "p", NULL, &d, &err), 0);
    char want[128];
    snprintf(want, sizeof want, "\"kwh\": %.10g, \"co2e_kg\": %.10g", kwh, co2e);
    ES_CHECK_CONTAINS(report(d, ES_REPORT_JSON), want);
    es_store_data_free(d);

    int64_t empty;
    ES_CHECK_INT(es_store_project_ensure(st, "empty", &empty, &err), 0);
    ES_CHECK_INT(es_store_project_spent(st, empty, &j, &kwh, &co2e, &usd, &err), 0);
    ES_CHECK(j == 0 && kwh == 0 && co2e == 0 && usd == 0);
    es_store_close(st);
    es_spec_free(a);
    es_spec_free(b);
}

ES_TEST(find_completed_matches_command_and_params)
{
    es_spec *a = spec_from(yaml_a);
    es_store *st = open_db("f.db");
    es_err err;
    es_store_reuse r;
    int64_t p, other;
    int64_t s1 = new_sweep(st, a, "p", "first");
    int64_t s2 = new_sweep(st, a, "other", "x");
    const char *cmd = "[\"p.py\",\"--lr=0.01\"]";
    add_trial(st, a, s1, &(trial_spec){0, 0.02, "sgd", "completed", 5e3, cmd, 0, NAN});
    int64_t want =
        add_trial(st, a, s1, &(trial_spec){1, 0.01, "adam", "completed", 4e3, cmd, 0, NAN});
    add_trial(st, a, s1, &(trial_spec){2, 0.03, "adam", "failed", 1e3, cmd, 0, NAN});
    add_trial(st, a, s2, &(trial_spec){0, 0.03, "adam", "completed", 1e3, cmd, 0, NAN});
    ES_CHECK_INT(es_store_project_find(st, "p", &p, &err), 0);
    ES_CHECK_INT(es_store_project_find(st, "other", &other, &err), 0);

    /* Found, whatever the order of the keys. */
    ES_CHECK_INT(find(st, p, cmd, "{\"opt\":\"adam\",\"lr\":0.01}", &r, &err), 0);
    ES_CHECK_INT(r.found, 1);
    ES_CHECK_INT(r.trial_id, want);
    ES_CHECK_INT(r.sweep_id, s1);
    ES_CHECK_STR(r.sweep_name, "first");
    ES_CHECK_INT(r.number, 1);
    ES_CHECK_NEAR(r.objective, 0.5, 0);
    ES_CHECK_NEAR(r.joules, 4e3, 0);
    ES_CHECK_NEAR(r.wall_s, 60, 0);
    ES_CHECK_INT(find(st, p, cmd, "{\"lr\": 0.01, \"opt\": \"adam\"}", &r, &err), 0);
    ES_CHECK_INT(r.trial_id, want);

    /* A different value, type, name set or command; a failed trial; another
     * project: nothing. */
    const char *miss[] = {"{\"lr\":0.011,\"opt\":\"adam\"}",
                          "{\"lr\":0.01,\"opt\":\"sgd\"}",
                          "{\"lr\":\"0.01\",\"opt\":\"adam\"}",
                          "{\"lr\":0.01}",
                          "{\"lr\":0.01,\"opt\":\"adam\",\"extra\":1}",
                          "{\"lr\":0.03,\"opt\":\"adam\"}"};
    for (size_t i = 0; i < sizeof miss / sizeof miss[0]; i++) {
        ES_CHECK_INT(find(st, p, cmd, miss[i], &r, &err), 0);
        if (r.found)
            ES_FAIL("params %s matched trial %lld", miss[i], (long long)r.trial_id);
    }
    ES_CHECK_INT(
        find(st, p, "[\"q.py\",\"--lr=0.01\"]", "{\"lr\":0.01,\"opt\":\"adam\"}", &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    ES_CHECK(isnan(r.objective) && isnan(r.joules));
    ES_CHECK_INT(find(st, other, cmd, "{\"lr\":0.01,\"opt\":\"adam\"}", &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    ES_CHECK_INT(find(st, other, cmd, "{\"lr\":0.03,\"opt\":\"adam\"}", &r, &err), 0);
    ES_CHECK_INT(r.found, 1);

    /* Other inputs (an edited program), a metric never reported: nothing. */
    es_store_reuse_query q = {.command_json = cmd,
                              .params_json = "{\"lr\":0.01,\"opt\":\"adam\"}",
                              .inputs_key = "k2",
                              .metric = "loss"};
    ES_CHECK_INT(es_store_find_completed(st, p, &q, &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    q.inputs_key = NULL;
    ES_CHECK_INT(es_store_find_completed(st, p, &q, &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    q.inputs_key = "k1";
    q.metric = "acc";
    ES_CHECK_INT(es_store_find_completed(st, p, &q, &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    q.metric = NULL; /* a sweep without a metric: no objective */
    ES_CHECK_INT(es_store_find_completed(st, p, &q, &r, &err), 0);
    ES_CHECK_INT(r.trial_id, want);
    ES_CHECK(isnan(r.objective));

    /* A reuse is never itself reused: the original is found. */
    add_trial(st, a, s1, &(trial_spec){3, 0.01, "adam", "completed", NAN, cmd, want, NAN});
    ES_CHECK_INT(find(st, p, cmd, "{\"lr\":0.01,\"opt\":\"adam\"}", &r, &err), 0);
    ES_CHECK_INT(r.trial_id, want);
    es_store_close(st);
    es_spec_free(a);
}

/* The reuse lookup, run before every launch, does about the same work
 * however many completed trials share its command: a sweep whose command
 * does not vary (parameters passed in a file or the environment) would
 * otherwise pay more for each launch than for the one before. */
ES_TEST(find_completed_work_does_not_grow_with_the_sweep)
{
    es_spec *a = spec_from(yaml_a);
    es_store *st = open_db("g.db");
    es_err err;
    es_store_reuse r;
    int64_t p;
    int64_t s = new_sweep(st, a, "p", "grow");
    const char *cmd = "[\"p.py\"]";
    ES_CHECK_INT(es_store_project_find(st, "p", &p, &err), 0);
    long steps[2];
    int n = 0;
    for (int round = 0; round < 2; round++) {
        for (int end = round == 0 ? 20 : 1000; n < end; n++)
            add_trial(st, a, s,
                      &(trial_spec){n, 0.001 + n * 1e-5, "adam", "completed", 1, cmd, 0, NAN});
        (void)es_store_testing_reuse_steps(st);
        ES_CHECK_INT(find(st, p, cmd, "{\"lr\":0.5,\"opt\":\"adam\"}", &r, &err), 0);
        ES_CHECK_INT(r.found, 0);
        ES_CHECK_INT(find(st, p, cmd, "{\"opt\":\"adam\",\"lr\":0.00101}", &r, &err), 0);
        ES_CHECK_INT(r.found, 1);
        ES_CHECK_INT(r.number, 1);
        steps[round] = es_store_testing_reuse_steps(st);
    }
    /* 50 times the trials: far less than 50 times the work (it was). */
    if (steps[1] > 2 * steps[0] + 100)
        ES_FAIL("lookups took %ld steps with 20 trials, %ld with 1000", steps[0], steps[1]);
    es_store_close(st);
    es_spec_free(a);
}

/* A database left at schema 3 by the previous ecosweep is upgraded in
 * place: rows kept, the new columns empty, and the new features work. */
ES_TEST(v3_database_upgrades_in_place)
{
    const char *path = es_test_path("v3.db");
    es_store *st;
    es_store_data *d;
    es_err err;
    es_budget b;
    int64_t pid;
    ES_CHECK_INT(es_store_testing_write_at(path, 3, &err), 0);
    if (es_store_open(path, &st, &err) != 0)
        ES_FAIL("open v3: %s", err.msg);
    ES_CHECK_INT(es_store_found_version(st), 3);
    ES_CHECK_INT(es_store_schema_version(), 13);
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->name, "legacy");
    ES_CHECK(isnan(sw->overshoot_j));
    ES_CHECK_STR(sw->spec_text, "program: p.py");
    ES_CHECK_INT(sw->n_trials, 1);
    ES_CHECK_INT(sw->trials[0].reused_from, 0);
    ES_CHECK(isnan(sw->trials[0].forecast_j));
    ES_CHECK(isnan(sw->trials[0].reused_j));
    ES_CHECK_NEAR(sw->trials[0].cpu.j, 3.6e6, 0);
    es_store_data_free(d);

    ES_CHECK_INT(es_store_project_find(st, "old", &pid, &err), 0);
    ES_CHECK_INT(es_store_project_budget(st, pid, &b, &err), 0);
    ES_CHECK(b.kwh == 0 && b.usd == 0 && b.co2e_kg == 0);
    double j, kwh, co2e, usd;
    ES_CHECK_INT(es_store_project_spent(st, pid, &j, &kwh, &co2e, &usd, &err), 0);
    ES_CHECK_NEAR(j, 3.96e6, 1e-6);
    ES_CHECK_NEAR(kwh, 1.65, 1e-12);
    b.kwh = 10;
    ES_CHECK_INT(es_store_project_budget_set(st, pid, &b, &err), 0);
    es_store_reuse r;
    /* What the legacy trial ran (its program's content) was not recorded:
     * it is never reused. */
    ES_CHECK_INT(find(st, pid, "[\"p.py\"]", "{\"lr\":0.1}", &r, &err), 0);
    ES_CHECK_INT(r.found, 0);
    es_store_close(st);
    if (es_store_open(path, &st, &err) != 0)
        ES_FAIL("reopen: %s", err.msg);
    ES_CHECK_INT(es_store_found_version(st), es_store_schema_version());
    ES_CHECK_INT(es_store_project_budget(st, pid, &b, &err), 0);
    ES_CHECK_NEAR(b.kwh, 10, 0);
    es_store_close(st);
}

/* Forecasts, reuse and overshoot reach the JSON, text and Markdown reports. */
ES_TEST(report_shows_forecast_reuse_overshoot)
{
    es_spec *a = spec_from(yaml_a);
    es_store *st = open_db("r.db");
    es_err err;
    int64_t s = new_sweep(st, a, "p", "s");
    int64_t t0 = add_trial(st, a, s, &(trial_spec){0, 0.01, 0, "completed", 1200, 0, 0, 1000});
    add_trial(st, a, s, &(trial_spec){1, 0.02, 0, "completed", 900, 0, 0, 1000});
    add_trial(st, a, s, &(trial_spec){2, 0.03, 0, "completed", 1000, 0, 0, 800});
    add_trial(st, a, s, &(trial_spec){3, 0.03, 0, "failed", 100, 0, 0, 1000}); /* not in median */
    add_trial(st, a, s, &(trial_spec){4, 0.01, 0, "completed", NAN, 0, t0, NAN});
    ES_CHECK_INT(es_store_sweep_set_overshoot(st, s, 12.5, &err), 0);

    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_NEAR(sw->overshoot_j, 12.5, 0);
    ES_CHECK_INT(sw->trials[4].reused_from, t0);
    ES_CHECK_NEAR(sw->trials[4].reused_j, 1200, 0);
    ES_CHECK_NEAR(sw->trials[0].forecast_j, 1000, 0);

    const char *json = report(d, ES_REPORT_JSON);
    ES_CHECK_CONTAINS(json, "\"overshoot_j\": 12.5, \"forecast_error_median\": 0.2, "
                            "\"reuse\": {\"trials\": 1, \"saved_j\": 1200, \"unmeasured\": 0}");
    ES_CHECK_CONTAINS(json,
                      "\"reused_from\": null, \"forecast_j\": 1000, \"forecast_error\": 0.2,");
    ES_CHECK_CONTAINS(json,
                      "\"reused_from\": null, \"forecast_j\": 1000, \"forecast_error\": -0.1,");
    ES_CHECK_CONTAINS(json,
                      "\"reused_from\": null, \"forecast_j\": 1000, \"forecast_error\": -0.9,");
    char want[128];
    snprintf(want, sizeof want,
             "\"reused_from\": %lld, \"forecast_j\": null, "
             "\"forecast_error\": null,",
             (long long)t0);
    ES_CHECK_CONTAINS(json, want);
    const char *text = report(d, ES_REPORT_TEXT);
    ES_CHECK_CONTAINS(text, "    budget overshoot: 12.5 J (");
    ES_CHECK_CONTAINS(text,
                      "    forecast error: median +20.0% (3 completed trials with a forecast)");
    ES_CHECK_CONTAINS(text, "    energy saved by reuse: 1200 J (1 trial)");
    snprintf(want, sizeof want, "(reused trial #%lld)", (long long)t0);
    ES_CHECK_CONTAINS(text, want);
    ES_CHECK_CONTAINS(report(d, ES_REPORT_MARKDOWN), "- energy saved by reuse: 1200 J (1 trial)");
    es_store_data_free(d);

    /* Without any of it, no such lines, and null in JSON. */
    int64_t s2 = new_sweep(st, a, "p", "plain");
    add_trial(st, a, s2, &(trial_spec){0, 0.01, 0, "completed", 1200, 0, 0, NAN});
    ES_CHECK_INT(es_store_load(st, "p", "plain", &d, &err), 0);
    text = report(d, ES_REPORT_TEXT);
    ES_CHECK(strstr(text, "forecast error") == NULL && strstr(text, "overshoot") == NULL &&
             strstr(text, "saved by reuse") == NULL);
    ES_CHECK_CONTAINS(report(d, ES_REPORT_JSON),
                      "\"overshoot_j\": null, "
                      "\"forecast_error_median\": null, \"reuse\": "
                      "{\"trials\": 0, \"saved_j\": 0, \"unmeasured\": 0}");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(a);
}

/* ---- `ecosweep report` on databases a user did not expect ----------------------- */

/* A read command never turns another program's SQLite file, or an empty
 * file, into an ecosweep database: it refuses, and the file is unchanged. */
ES_TEST(report_refuses_a_database_ecosweep_did_not_write)
{
    const char *out, *err;
    FILE *f = fopen(es_test_path("empty.db"), "w");
    ES_CHECK(f != NULL);
    fclose(f);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"report", "--db", "empty.db", NULL}, NULL, &out, &err),
        1);
    ES_CHECK_CONTAINS(err, "an empty file, not an ecosweep database");
    struct stat sb;
    ES_CHECK_INT(stat(es_test_path("empty.db"), &sb), 0);
    ES_CHECK_INT(sb.st_size, 0);

    /* An SQLite file of someone else's (a page of its own, no ecosweep
     * schema): built with the store's test writer at version 1, then its
     * user_version cleared by rewriting the header field. */
    es_err e;
    ES_CHECK_INT(es_store_testing_write_v1(es_test_path("other.db"), &e), 0);
    f = fopen(es_test_path("other.db"), "r+b");
    ES_CHECK(f != NULL);
    ES_CHECK_INT(fseek(f, 60, SEEK_SET), 0); /* user_version: 4 bytes at offset 60 */
    ES_CHECK_INT(fwrite("\0\0\0\0", 1, 4, f), 4);
    fclose(f);
    ES_CHECK_INT(stat(es_test_path("other.db"), &sb), 0);
    off_t size = sb.st_size;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"report", "--db", "other.db", NULL}, NULL, &out, &err),
        1);
    ES_CHECK_CONTAINS(err, "an SQLite database that ecosweep did not write");
    ES_CHECK_INT(stat(es_test_path("other.db"), &sb), 0);
    ES_CHECK_INT(sb.st_size, size);
}

/* --sweep with a name two projects use is refused, naming both; a number
 * is that sweep; --project with no sweep yet is reported, not "no project";
 * a sweep recorded as running with no coordinator is "abandoned". */
ES_TEST(report_sweep_and_project_filters_say_what_they_mean)
{
    es_spec *sp = spec_from(yaml_a);
    es_store *st = open_db("f.db");
    es_err e;
    int64_t a = new_sweep(st, sp, "p1", "alpha");
    int64_t b = new_sweep(st, sp, "p2", "alpha");
    int64_t two = new_sweep(st, sp, "p2", "2"); /* a name that reads as a number */
    int64_t empty;
    ES_CHECK_INT(es_store_project_ensure(st, "quiet", &empty, &e), 0);
    ES_CHECK_INT(es_store_sweep_finish(st, b, "finished", "run_cap reached", 2000, &e), 0);
    ES_CHECK_INT(es_store_sweep_finish(st, two, "finished", "run_cap reached", 2000, &e), 0);
    es_store_close(st);
    es_spec_free(sp);
    const char *out, *err;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"report", "--db", "f.db", "--sweep", "alpha", NULL}, NULL,
                         &out, &err),
        2);
    ES_CHECK_CONTAINS(err, "2 sweeps are called 'alpha':");
    ES_CHECK_CONTAINS(err, "in project p1");
    ES_CHECK_CONTAINS(err, "in project p2");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"report", "--db", "f.db", "--project", "p2",
                                                   "--sweep", "alpha", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "Project p2: 1 sweep");
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)a);
    ES_CHECK(a == 1); /* so that "--sweep 2" below is sweep b's id, not the sweep named 2 */
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"report", "--db", "f.db", "--sweep", "2", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "Sweep alpha (#2");
    ES_CHECK(strstr(out, "Sweep 2 (#") == NULL);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"report", "--db", "f.db", "--project", "quiet", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "Project quiet: 0 sweeps");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"report", "--db", "f.db", "--sweep", num, NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "Sweep alpha (#1, random, seed 1, started 1970-01-01T00:16:40Z): "
                           "abandoned - recorded as running, but its coordinator is gone");
}

/* A sweep left unfinished, its spec edited, run again: it said "resuming"
 * and ran the new space inside the old sweep, keeping the old metric.  Now
 * a changed space, metric or method is refused, naming what changed and
 * offering --new; a changed run_cap is allowed, said and recorded. */
static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(es_test_path(name), "w");
    ES_CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

ES_TEST(resume_refuses_a_spec_that_would_mix_two_sweeps)
{
    static const char base[] =
        "name: s\ncommand: [/bin/echo, \"loss=${x}\"]\nmetric: {name: loss}\n"
        "run_cap: 2\nparameters:\n  x: {min: 0, max: 1}\n";
    write_text("s.yaml", base);
    es_spec *sp;
    es_err e;
    ES_CHECK_INT(es_spec_parse_file(es_test_path("s.yaml"), &sp, &e), 0);
    es_store *st = open_db("r.db");
    new_sweep(st, sp, "default", "s"); /* recorded as running, no coordinator: unfinished */
    es_store_close(st);
    es_spec_free(sp);

    write_text("s.yaml", "name: s\ncommand: [/bin/echo, \"acc=${x}\"]\n"
                         "metric: {name: acc, goal: maximize}\nrun_cap: 2\nmethod: bayes\n"
                         "parameters:\n  x: {min: 0, max: 10}\n");
    const char *out, *err;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"run", "--db", "r.db", "s.yaml", NULL}, NULL, &out, &err),
        2);
    ES_CHECK_CONTAINS(err, "sweep s (#1) was started from another spec");
    ES_CHECK_CONTAINS(err, "method: random -> bayes; metric: loss -> acc; metric.goal: minimize "
                           "-> maximize; command: /bin/echo loss=${x} -> /bin/echo acc=${x}; "
                           "parameters.x: max 1 -> 10");
    ES_CHECK_CONTAINS(err, "Run with --new");

    /* Only run_cap raised: the sweep goes on, and says so. */
    write_text("s.yaml", "name: s\ncommand: [/bin/echo, \"loss=${x}\"]\nmetric: {name: loss}\n"
                         "run_cap: 3\nparameters:\n  x: {min: 0, max: 1}\n");
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"run", "--db", "r.db", "--no-status", "s.yaml", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(err, "resuming sweep s with run_cap 2 -> 3");
    ES_CHECK_CONTAINS(out, "run_cap reached (3 trials)");
}

/* An abandoned NAME-2 (started while NAME was taken) is resumed by `run`
 * like any other; run started NAME-3 and left NAME-2's trials running. */
ES_TEST(run_resumes_an_abandoned_numbered_sweep)
{
    static const char text[] =
        "name: n\ncommand: [/bin/echo, \"loss=${x}\"]\nmetric: {name: loss}\n"
        "run_cap: 2\nparameters:\n  x: {min: 0, max: 1}\n";
    write_text("n.yaml", text);
    es_spec *sp;
    es_err e;
    ES_CHECK_INT(es_spec_parse_file(es_test_path("n.yaml"), &sp, &e), 0);
    es_store *st = open_db("n.db");
    int64_t first = new_sweep(st, sp, "default", "n");
    ES_CHECK_INT(es_store_sweep_finish(st, first, "finished", "run_cap reached", 2000, &e), 0);
    new_sweep(st, sp, "default", "n"); /* recorded as n-2, running, no coordinator */
    es_store_close(st);
    es_spec_free(sp);
    const char *out, *err;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"run", "--db", "n.db", "--no-status", "n.yaml", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(err, "resuming sweep n-2");
    ES_CHECK_CONTAINS(out, "sweep n-2 finished");
}

/* A database whose user_version no ecosweep writes: negative (it indexed
 * the migrations out of bounds: -2147483648 crashed ls, report and run,
 * -1 ran a stray migration) or newer than this ecosweep.  Every command
 * says so and changes nothing. */
ES_TEST(schema_versions_outside_the_known_range_are_refused)
{
    static const struct {
        unsigned char bytes[4];
        const char *says;
    } cases[] = {
        {{0xff, 0xff, 0xff, 0xff}, "schema version -1 is not one ecosweep writes"},
        {{0x80, 0x00, 0x00, 0x00}, "schema version -2147483648 is not one ecosweep writes"},
        {{0x00, 0x00, 0x03, 0xe8}, "schema version 1000 is newer than this ecosweep"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        es_err e;
        const char *path = es_test_path("odd.db");
        unlink(path);
        ES_CHECK_INT(es_store_testing_write_v1(path, &e), 0);
        FILE *f = fopen(path, "r+b");
        ES_CHECK(f != NULL);
        ES_CHECK_INT(fseek(f, 60, SEEK_SET), 0); /* user_version, big-endian */
        ES_CHECK_INT(fwrite(cases[i].bytes, 1, 4, f), 4);
        fclose(f);
        static const char *const cmds[][6] = {{"ls", "--db", "odd.db", NULL},
                                              {"report", "--db", "odd.db", NULL},
                                              {"project", "show", "--db", "odd.db", NULL}};
        for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
            const char *out, *err;
            ES_CHECK_INT(es_test_ecosweep((const char *const *)cmds[k], NULL, &out, &err), 1);
            ES_CHECK_CONTAINS(err, cases[i].says);
        }
        es_store *st;
        ES_CHECK(es_store_open(path, &st, &e) != 0);
        ES_CHECK_CONTAINS(e.msg, cases[i].says);
    }
}
