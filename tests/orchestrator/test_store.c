/*
 * test_store.c -- the store keeps what a sweep records, and reports add up.
 */
#include <unistd.h>

#include "account.h"
#include "es_test.h"
#include "report.h"
#include "store.h"

static const char *spec_yaml = "name: s\n"
                               "method: random\n"
                               "metric: {name: loss, goal: minimize}\n"
                               "program: p.py\n"
                               "parameters:\n"
                               "  lr: {min: 0.001, max: 0.1}\n"
                               "  opt: {values: [adam, sgd]}\n"
                               "energy: {pue: 1.2, carbon_intensity: 100, "
                               "electricity_usd_per_kwh: 0.5, cloud_usd_per_hour: 2}\n";

static es_spec *spec(void)
{
    es_spec *sp;
    es_err err;
    if (es_spec_parse_string(spec_yaml, strlen(spec_yaml), "t.yaml", &sp, &err) != 0)
        ES_FAIL("spec: %s", err.msg);
    return sp;
}

static int64_t add_trial(es_store *st, const es_spec *sp, int64_t sweep, int n, double lr,
                         const char *status, double obj, double cpu_j)
{
    es_value vals[2] = {{.kind = ES_V_FLOAT, .f = lr}, {.kind = ES_V_STR, .s = "adam"}};
    es_trial_new tn = {.sweep_id = sweep,
                       .number = n,
                       .spec = sp,
                       .values = vals,
                       .command_json = "[\"p.py\"]",
                       .log_dir = "/tmp/x",
                       .started = 1000 + n,
                       .host = "h"};
    int64_t id;
    es_err err;
    ES_CHECK_INT(es_store_trial_start(st, &tn, &id, &err), 0);
    ES_CHECK_INT(es_store_metric_add(st, id, 0, "loss", 1, obj + 1, 1001, &err), 0);
    ES_CHECK_INT(es_store_metric_add(st, id, 1, "loss", 2, obj, 1002, &err), 0);
    es_result r;
    es_result_init(&r);
    r.wall_s = 3600;
    r.cpu_s = 10;
    r.cpu.j = cpu_j;
    r.cpu.method = ES_EM_ESTIMATE;
    snprintf(r.cpu.source, sizeof r.cpu.source, "estimate:12W/core");
    r.dram.j = 0.5 * cpu_j;
    r.dram.method = ES_EM_ESTIMATE;
    es_trial_end e = {.status = status,
                      .reason = strcmp(status, "completed") ? "exited with code 1" : NULL,
                      .objective = strcmp(status, "completed") ? NAN : obj,
                      .ended = 5000,
                      .result = &r,
                      .metric_points = 2};
    ES_CHECK_INT(es_store_trial_finish(st, id, &e, &err), 0);
    return id;
}

static es_store *open_db(void)
{
    char path[4200];
    es_store *st;
    es_err err;
    snprintf(path, sizeof path, "%s/t.db", es_test_tmpdir());
    if (es_store_open(path, &st, &err) != 0)
        ES_FAIL("open: %s", err.msg);
    return st;
}

static int64_t new_sweep(es_store *st, const es_spec *sp, const char *name, char **got)
{
    int64_t pid, sid;
    es_err err;
    ES_CHECK_INT(es_store_project_ensure(st, "proj", &pid, &err), 0);
    es_sweep_new sn = {.project_id = pid,
                       .name = name,
                       .spec = sp,
                       .seed = 42,
                       .parallel = 2,
                       .started = 1000,
                       .host = "h"};
    ES_CHECK_INT(es_store_sweep_create(st, &sn, &sid, got, &err), 0);
    return sid;
}

ES_TEST(roundtrip)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sid = new_sweep(st, sp, "s", &name);
    ES_CHECK_STR(name, "s");
    free(name);
    add_trial(st, sp, sid, 0, 0.01, "completed", 0.25, 3.6e6);
    add_trial(st, sp, sid, 1, 0.02, "failed", 0, 7.2e6);
    ES_CHECK_INT(
        es_store_sweep_finish(st, sid, "finished", "run_cap reached (2 trials)", 6000, &err), 0);

    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 1);
    ES_CHECK_STR(d->projects[0].name, "proj");
    es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->seed, 42);
    ES_CHECK_NEAR(sw->factors.pue, 1.2, 1e-12);
    ES_CHECK_INT(sw->n_trials, 2);
    ES_CHECK_STR(sw->trials[0].params_json, "{\"lr\":0.01,\"opt\":\"adam\"}");
    ES_CHECK_INT(sw->trials[0].n_metrics, 1);
    ES_CHECK_NEAR(sw->trials[0].metrics[0].value, 0.25, 0);
    ES_CHECK_INT(sw->trials[0].metrics[0].step, 2);
    ES_CHECK_NEAR(sw->trials[0].objective, 0.25, 0);
    ES_CHECK(isnan(sw->trials[1].objective));
    ES_CHECK_STR(sw->trials[1].reason, "exited with code 1");
    ES_CHECK_INT(sw->trials[0].cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_STR(sw->trials[0].cpu.source, "estimate:12W/core");
    ES_CHECK_INT(sw->trials[0].gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(sw->trials[0].gpu.j));
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

ES_TEST(sweep_names_are_made_unique)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    char *a, *b, *c;
    new_sweep(st, sp, "tune", &a);
    new_sweep(st, sp, "tune", &b);
    new_sweep(st, sp, "tune", &c);
    ES_CHECK_STR(a, "tune");
    ES_CHECK_STR(b, "tune-2");
    ES_CHECK_STR(c, "tune-3");
    free(a);
    free(b);
    free(c);
    es_store_close(st);
    es_spec_free(sp);
}

/* The JSON report's totals equal the sum of its trials, priced with the
 * sweep's own factors. */
ES_TEST(report_totals_equal_sum_of_trials)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sid = new_sweep(st, sp, "s", &name);
    free(name);
    double js[] = {1e6, 2.5e6, 4e5, 9e6};
    for (int i = 0; i < 4; i++)
        add_trial(st, sp, sid, i, 0.01 * (i + 1), i == 2 ? "failed" : "completed", 1.0 / (i + 1),
                  js[i]);
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);

    char path[4200];
    snprintf(path, sizeof path, "%s/r.json", es_test_tmpdir());
    FILE *f = fopen(path, "w+");
    ES_CHECK_INT(es_report_write(d, ES_REPORT_JSON, f), 0);
    rewind(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);

    double kwh = 0;
    for (int i = 0; i < 4; i++)
        kwh += js[i] * 1.5 / 3.6e6 * 1.2;              /* cpu + dram (half), PUE 1.2 */
    double co2 = kwh * 0.1, usd = kwh * 0.5 + 4 * 2.0; /* 4 trial-hours at $2 */
    char want[256];
    snprintf(want, sizeof want, "\"totals\": {\"kwh\": %.10g, \"co2e_kg\": %.10g, \"usd\": %.10g",
             kwh, co2, usd);
    ES_CHECK_CONTAINS(buf, want);
    ES_CHECK_CONTAINS(buf, "\"trials_by_status\": {\"completed\": 3, \"failed\": 1}");
    ES_CHECK_CONTAINS(buf, "\"best\": {\"id\": 4, \"number\": 3, \"objective\": 0.25,");
    ES_CHECK_CONTAINS(buf, "\"gpu_j\": null, \"gpu_method\": \"none\"");
    ES_CHECK_CONTAINS(buf, "\"energy_method\": \"estimate\"");

    /* Text and CSV render the same data without failing. */
    f = fopen(path, "w");
    ES_CHECK_INT(es_report_write(d, ES_REPORT_TEXT, f), 0);
    ES_CHECK_INT(es_report_write(d, ES_REPORT_CSV, f), 0);
    fclose(f);
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

ES_TEST(filters_by_project_and_sweep)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    char *a, *b;
    es_err err;
    new_sweep(st, sp, "one", &a);
    int64_t id2 = new_sweep(st, sp, "two", &b);
    free(a);
    free(b);
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, "proj", "two", &d, &err), 0);
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_STR(d->projects[0].sweeps[0].name, "two");
    es_store_data_free(d);
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)id2);
    ES_CHECK_INT(es_store_load(st, NULL, num, &d, &err), 0);
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    es_store_data_free(d);
    ES_CHECK_INT(es_store_load(st, "nope", NULL, &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 0);
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}
