/*
 * test_store.c -- the store keeps what a sweep records (region and
 * attribution included), a v1 database upgrades in place, and reports add
 * up: with each sweep's own factors, with factors overridden, and in
 * CodeCarbon's emissions.csv layout; every SELECT's columns match the
 * enums its readers use.
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

static es_spec *spec_from(const char *yaml)
{
    es_spec *sp;
    es_err err;
    if (es_spec_parse_string(yaml, strlen(yaml), "t.yaml", &sp, &err) != 0)
        ES_FAIL("spec: %s", err.msg);
    return sp;
}

static es_spec *spec(void)
{
    return spec_from(spec_yaml);
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
    es_trial_end e = {.status = (es_trial_status)es_trial_status_parse(status),
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

/* Every statement that returns rows agrees with the column list its
 * readers' enums come from (store_int.h): as many columns, each named as
 * the list says in its place.  A column added to a SELECT but not to its
 * list, or moved in one and not the other, fails here. */
ES_TEST(columns_match_their_enums)
{
    es_store *st = open_db();
    es_err err;
    es_err_clear(&err);
    if (es_store_testing_check_columns(st, &err) != 0)
        ES_FAIL("%s", err.msg);
    es_store_close(st);
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

/* Early termination in the store: a pruned trial keeps the step it
 * reached; every trial says how far it got; the objective's history comes
 * back in the order it was recorded, with each trial's end after its
 * reports and lost attempts left out. */
ES_TEST(pruned_step_and_objective_history)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sid = new_sweep(st, sp, "s", &name);
    free(name);
    int64_t a = add_trial(st, sp, sid, 0, 0.01, "completed", 0.25, 10); /* steps 1, 2 */
    es_value vals[2] = {{.kind = ES_V_FLOAT, .f = 0.05}, {.kind = ES_V_STR, .s = "sgd"}};
    es_trial_new tn = {.sweep_id = sid,
                       .number = 1,
                       .spec = sp,
                       .values = vals,
                       .command_json = "[]",
                       .started = 1003};
    int64_t b, c;
    ES_CHECK_INT(es_store_trial_start(st, &tn, &b, &err), 0);
    /* Reports without a step: counted. */
    ES_CHECK_INT(es_store_metric_add(st, b, 0, "loss", -1, 3.0, 1003.5, &err), 0);
    ES_CHECK_INT(es_store_metric_add(st, b, 1, "acc", -1, 0.1, 1003.6, &err), 0);
    ES_CHECK_INT(es_store_metric_add(st, b, 2, "loss", -1, NAN, 1004, &err), 0);
    es_trial_end e = {.status = ES_TRIAL_PRUNED,
                      .reason = "not in the top 1/3 at bracket 2",
                      .objective = 2.5,
                      .ended = 1004.5,
                      .metric_points = 3,
                      .pruned_step = 2};
    ES_CHECK_INT(es_store_trial_finish(st, b, &e, &err), 0);
    tn.number = 2;
    ES_CHECK_INT(es_store_trial_start(st, &tn, &c, &err), 0); /* still running */
    ES_CHECK_INT(es_store_metric_add(st, c, 0, "loss", 7, 9.0, 1004.2, &err), 0);

    es_store_objective_event *ev;
    size_t n;
    ES_CHECK_INT(es_store_objective_history(st, sid, "loss", &ev, &n, &err), 0);
    /* a: reports at 1001, 1002, end at 5000; b: 1003.5, 1004, end 1004.5;
     * c: a report at 1004.2, no end. */
    ES_CHECK_INT(n, 7);
    int64_t want_id[7] = {a, a, b, b, c, b, a};
    int want_end[7] = {0, 0, 0, 0, 0, 1, 1};
    int64_t want_step[7] = {1, 2, -1, -1, 7, -1, -1};
    for (size_t i = 0; i < n; i++) {
        ES_CHECK_INT(ev[i].trial_id, want_id[i]);
        ES_CHECK_INT(ev[i].ended, want_end[i]);
        ES_CHECK_INT(ev[i].step, want_step[i]);
    }
    ES_CHECK_NEAR(ev[0].value, 1.25, 0);
    ES_CHECK(isnan(ev[3].value));
    ES_CHECK_INT(ev[0].status, ES_TRIAL_RUNNING); /* a report */
    ES_CHECK_INT(ev[5].status, ES_TRIAL_PRUNED);
    ES_CHECK_INT(ev[6].status, ES_TRIAL_COMPLETED);
    free(ev);

    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(sw->n_trials, 3);
    ES_CHECK_INT(sw->trials[0].pruned_step, -1);
    ES_CHECK_INT(sw->trials[0].steps, 2);
    ES_CHECK_STR(sw->trials[1].status, "pruned");
    ES_CHECK_INT(sw->trials[1].pruned_step, 2);
    ES_CHECK_INT(sw->trials[1].steps, 2); /* two reports, no step */
    ES_CHECK_NEAR(sw->trials[1].objective, 2.5, 0);
    ES_CHECK_INT(sw->trials[2].steps, 7);
    es_store_data_free(d);

    /* Lost attempts are left out of the history. */
    int n_lost;
    ES_CHECK_INT(es_store_sweep_reopen(st, sid, "lost", 6000, &n_lost, &err), 0);
    ES_CHECK_INT(n_lost, 1);
    ES_CHECK_INT(es_store_objective_history(st, sid, "loss", &ev, &n, &err), 0);
    ES_CHECK_INT(n, 6);
    for (size_t i = 0; i < n; i++)
        ES_CHECK(ev[i].trial_id != c);
    free(ev);
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

/* A sweep filter loads the projects that hold such a sweep and no other:
 * `report --sweep S` once printed every other project as "0 sweeps". */
ES_TEST(sweep_filter_leaves_out_other_projects)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    int64_t other;
    char *a;
    es_err err;
    new_sweep(st, sp, "one", &a);
    free(a);
    ES_CHECK_INT(es_store_project_ensure(st, "other", &other, &err), 0);
    es_sweep_new sn = {.project_id = other, .name = "elsewhere", .spec = sp, .started = 1000};
    int64_t sid;
    ES_CHECK_INT(es_store_sweep_create(st, &sn, &sid, &a, &err), 0);
    free(a);
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, "one", &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 1);
    ES_CHECK_STR(d->projects[0].name, "proj");
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    es_store_data_free(d);
    ES_CHECK_INT(es_store_load(st, NULL, "nothing-called-so", &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 0);
    es_store_data_free(d);
    /* Without a sweep filter, a project with no sweep is still listed. */
    ES_CHECK_INT(es_store_project_ensure(st, "empty", &other, &err), 0);
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 3);
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* Write the report of d in fmt (with override o, may be NULL) into a
 * static buffer. */
static const char *report(const es_store_data *d, es_report_format fmt, const es_factor_override *o)
{
    static char buf[1 << 16];
    char path[4200];
    es_report_opts opts = {.format = fmt, .override = o};
    snprintf(path, sizeof path, "%s/r.out", es_test_tmpdir());
    FILE *f = fopen(path, "w+");
    ES_CHECK(f != NULL);
    ES_CHECK_INT(es_report_write_opts(d, &opts, f), 0);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void set_override(es_factor_override *o, const char *option, const char *value)
{
    es_err err;
    if (es_factor_override_set(o, option, value, &err) != 0)
        ES_FAIL("--%s %s: %s", option, value, err.msg);
}

/* Region, carbon source, attribution and GPU estimate survive the store. */
ES_TEST(region_and_attribution_roundtrip)
{
    es_spec *sp = spec_from("program: p.py\nparameters: {lr: {min: 0.1, max: 1}}\nparallel: 3\n"
                            "energy: {region: fr, gpu_watts: 250}\n");
    es_store *st = open_db();
    char *name;
    es_err err;
    new_sweep(st, sp, "s", &name);
    free(name);
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    const es_energy_factors *f = &d->projects[0].sweeps[0].factors;
    ES_CHECK_STR(f->region, "FRA");
    ES_CHECK_INT(f->carbon_source, ES_CARBON_REGION);
    ES_CHECK_NEAR(f->carbon_g_per_kwh, sp->energy.carbon_g_per_kwh, 0);
    ES_CHECK_INT(f->attribution, ES_ATTRIBUTION_SHARED);
    ES_CHECK_NEAR(f->gpu_watts, 250, 0);
    ES_CHECK_INT(es_store_found_version(st), 0);
    const char *text = report(d, ES_REPORT_TEXT, NULL);
    ES_CHECK_CONTAINS(text, "gCO2e/kWh (region FRA, France, Ember ");
    ES_CHECK_CONTAINS(text, "attribution shared");
    ES_CHECK_CONTAINS(report(d, ES_REPORT_JSON, NULL),
                      "\"region\": \"FRA\", \"carbon_source\": \"region\", \"attribution\": "
                      "\"shared\", \"gpu_watts\": 250}");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* A sweep's objectives and constraints come back as the spec gave them,
 * and a report computes its front from them and from what was stored. */
ES_TEST(objectives_and_constraints_roundtrip)
{
    es_spec *sp = spec_from("program: p.py\nparameters: {lr: {min: 0.1, max: 1}}\n"
                            "objectives:\n"
                            "  - {name: loss, goal: minimize}\n"
                            "  - {name: energy.kwh, goal: minimize, ref: 0.5}\n"
                            "constraints:\n"
                            "  - {name: wall_s, max: 4000}\n"
                            "  - {name: loss, min: 0.1, max: 0.9}\n");
    ES_CHECK_STR(sp->metric_name, "loss");
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sw = new_sweep(st, sp, "mo", &name);
    free(name);
    add_trial(st, sp, sw, 0, 0.2, "completed", 0.5, 1e5);
    add_trial(st, sp, sw, 1, 0.3, "completed", 0.3, 3e5);
    add_trial(st, sp, sw, 2, 0.4, "completed", 0.6, 4e5);  /* behind #1 */
    add_trial(st, sp, sw, 3, 0.5, "completed", 0.05, 1e5); /* loss below the constraint's min */
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    const es_store_sweep *s = &d->projects[0].sweeps[0];
    ES_CHECK_INT(s->n_objectives, 2);
    ES_CHECK_STR(s->objectives[0].name, "loss");
    ES_CHECK_INT(s->objectives[1].kind, ES_OBJ_KWH);
    ES_CHECK_INT(s->objectives[1].has_ref, 1);
    ES_CHECK_NEAR(s->objectives[1].ref, 0.5, 0);
    ES_CHECK_INT(s->n_constraints, 2);
    ES_CHECK_STR(s->constraints[0].name, "wall_s");
    ES_CHECK_INT(s->constraints[0].has_min, 0);
    ES_CHECK_NEAR(s->constraints[0].max, 4000, 0);
    ES_CHECK_NEAR(s->constraints[1].min, 0.1, 0);
    const char *json = report(d, ES_REPORT_JSON, NULL);
    ES_CHECK_CONTAINS(json, "\"pareto\": [1, 0]");
    ES_CHECK_CONTAINS(json, "\"reference_point_from\": [\"data\", \"spec\"]");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* A database written by ecosweep 0.1 (schema v1) is upgraded in place on
 * open: its rows are kept, the new columns get the documented defaults, and
 * new sweeps record the new fields. */
ES_TEST(v1_database_upgrades_in_place)
{
    char path[4200];
    es_store *st;
    es_store_data *d;
    es_err err;
    snprintf(path, sizeof path, "%s/v1.db", es_test_tmpdir());
    ES_CHECK_INT(es_store_testing_write_v1(path, &err), 0);
    if (es_store_open(path, &st, &err) != 0)
        ES_FAIL("open v1: %s", err.msg);
    ES_CHECK_INT(es_store_found_version(st), 1);
    ES_CHECK_INT(es_store_schema_version(), 13);
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    ES_CHECK_INT(d->n_projects, 1);
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_STR(sw->name, "legacy");
    ES_CHECK_INT(sw->parallel, 2);
    ES_CHECK_NEAR(sw->factors.pue, 1.5, 0);
    ES_CHECK_NEAR(sw->factors.carbon_g_per_kwh, 300, 0);
    ES_CHECK_STR(sw->factors.region, "");
    ES_CHECK_INT(sw->factors.carbon_source, ES_CARBON_EXPLICIT);  /* 300 is not the default */
    ES_CHECK_INT(sw->factors.attribution, ES_ATTRIBUTION_SHARED); /* it ran 2 in parallel */
    ES_CHECK_NEAR(sw->factors.gpu_watts, 0, 0);
    ES_CHECK_INT(sw->n_trials, 1);
    ES_CHECK_STR(sw->trials[0].params_json, "{\"lr\":0.1}");
    ES_CHECK_NEAR(sw->trials[0].cpu.j, 3.6e6, 0);
    ES_CHECK_NEAR(sw->trials[0].metrics[0].value, 0.5, 0);
    /* Old trials are re-priced like new ones: 1.1 kWh at the device x PUE 1.5. */
    ES_CHECK_CONTAINS(report(d, ES_REPORT_JSON, NULL),
                      "\"totals\": {\"kwh\": 1.65, \"co2e_kg\": 0.495, \"usd\": 0.665");
    es_store_data_free(d);

    /* The upgraded database takes new sweeps with the new fields. */
    es_spec *sp = spec_from("program: p.py\nparameters: {lr: {min: 0.1, max: 1}}\n"
                            "energy: {region: in}\n");
    char *name;
    new_sweep(st, sp, "fresh", &name);
    free(name);
    es_store_close(st);
    if (es_store_open(path, &st, &err) != 0)
        ES_FAIL("reopen: %s", err.msg);
    ES_CHECK_INT(es_store_found_version(st), es_store_schema_version());
    ES_CHECK_INT(es_store_load(st, "proj", "fresh", &d, &err), 0);
    ES_CHECK_STR(d->projects[0].sweeps[0].factors.region, "IND");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* --pue and --region re-price every trial from its stored joules; totals
 * stay the sums of the rows, and the report says factors were overridden. */
ES_TEST(report_recomputes_with_overridden_factors)
{
    es_spec *sp = spec(); /* PUE 1.2, 100 g/kWh, $0.5/kWh, cloud $2/h */
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sid = new_sweep(st, sp, "s", &name);
    free(name);
    double js[] = {1e6, 2.5e6, 4e5};
    for (int i = 0; i < 3; i++)
        add_trial(st, sp, sid, i, 0.01 * (i + 1), "completed", 1.0 / (i + 1), js[i]);
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);

    es_factor_override o = {0};
    set_override(&o, "pue", "1.5");
    set_override(&o, "region", "fr");
    es_region fr;
    ES_CHECK_INT(es_region_lookup("FRA", &fr), 0);

    double kwh = 0, rows[3];
    for (int i = 0; i < 3; i++) {
        rows[i] = js[i] * 1.5 / 3.6e6 * 1.5; /* cpu + dram (half), PUE 1.5 */
        kwh += rows[i];
    }
    double co2 = kwh * fr.g_co2e_per_kwh / 1000, usd = kwh * 0.5 + 3 * 2.0;
    char want[512];
    const char *json = report(d, ES_REPORT_JSON, &o);
    snprintf(want, sizeof want, "\"totals\": {\"kwh\": %.10g, \"co2e_kg\": %.10g, \"usd\": %.10g",
             kwh, co2, usd);
    ES_CHECK_CONTAINS(json, want);
    for (int i = 0; i < 3; i++) { /* each row, priced the same way */
        snprintf(want, sizeof want, "\"kwh\": %.10g, \"co2e_kg\": %.10g", rows[i],
                 rows[i] * fr.g_co2e_per_kwh / 1000);
        ES_CHECK_CONTAINS(json, want);
    }
    ES_CHECK_CONTAINS(json, "\"overrides\": {\"pue\": 1.5, \"region\": \"FRA\", "
                            "\"carbon_g_per_kwh\": null, \"electricity_usd_per_kwh\": null, "
                            "\"cloud_usd_per_hour\": null}");
    ES_CHECK_CONTAINS(json, "\"region\": \"FRA\", \"carbon_source\": \"region\"");
    const char *text = report(d, ES_REPORT_TEXT, &o);
    ES_CHECK(strncmp(text, "Factors overridden for every sweep below", 40) == 0);
    ES_CHECK_CONTAINS(text, "PUE 1.5, region FRA (France, ");
    ES_CHECK_CONTAINS(text, "(region FRA, France, Ember ");

    /* Without overrides the stored factors price it, and JSON says so. */
    json = report(d, ES_REPORT_JSON, NULL);
    ES_CHECK_CONTAINS(json, "\"overrides\": null");
    snprintf(want, sizeof want, "\"totals\": {\"kwh\": %.10g,", kwh / 1.5 * 1.2);
    ES_CHECK_CONTAINS(json, want);

    /* An explicit intensity wins over the region, which is still shown. */
    set_override(&o, "carbon-intensity", "10");
    json = report(d, ES_REPORT_JSON, &o);
    snprintf(want, sizeof want, "\"totals\": {\"kwh\": %.10g, \"co2e_kg\": %.10g,", kwh,
             kwh * 10 / 1000);
    ES_CHECK_CONTAINS(json, want);
    ES_CHECK_CONTAINS(json, "\"region\": \"FRA\", \"carbon_source\": \"explicit\"");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* Split a CSV line without quoting into fields; returns the count. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p != '\0' && *p != '\n'; p++) {
        if (*p == ',' && n < max) {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    char *nl = strchr(fields[n - 1], '\n');
    if (nl != NULL)
        *nl = '\0';
    return n;
}

ES_TEST(codecarbon_csv_header_and_row)
{
    es_spec *sp = spec_from("name: cc\nprogram: p.py\nparameters: {lr: {min: 0.1, max: 1}, "
                            "opt: {values: [adam]}}\n"
                            "energy: {pue: 1.2, region: FRA, electricity_usd_per_kwh: 0.5}\n");
    es_store *st = open_db();
    char *name;
    es_err err;
    int64_t sid = new_sweep(st, sp, "cc", &name);
    free(name);
    add_trial(st, sp, sid, 0, 0.5, "completed", 0.25,
              3.6e6); /* 3600 s, cpu 3.6e6 J, dram 1.8e6 J */
    es_store_data *d;
    ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
    static char out[1 << 14];
    snprintf(out, sizeof out, "%s", report(d, ES_REPORT_CODECARBON, NULL));

    char *row = strchr(out, '\n');
    ES_CHECK(row != NULL);
    *row++ = '\0';
    ES_CHECK_STR(out, "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,"
                      "gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,"
                      "country_name,country_iso_code,region,cloud_provider,cloud_region,os,"
                      "python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,"
                      "longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue");
    char *fl[40];
    ES_CHECK_INT(split_csv(row, fl, 40), 31);
    es_region fr;
    ES_CHECK_INT(es_region_lookup("FR", &fr), 0);
    double kwh = 5.4e6 / 3.6e6 * 1.2, kg = kwh * fr.g_co2e_per_kwh / 1000;
    char want[64];
    ES_CHECK_STR(fl[0], "1970-01-01T01:23:20"); /* ended = 5000 s after the epoch, UTC */
    ES_CHECK_STR(fl[1], "proj");
    ES_CHECK_STR(fl[2], "sweep-1/trial-0");
    ES_CHECK_STR(fl[3], "3600");
    snprintf(want, sizeof want, "%.10g", kg);
    ES_CHECK_STR(fl[4], want);
    snprintf(want, sizeof want, "%.10g", kg / 3600);
    ES_CHECK_STR(fl[5], want);
    ES_CHECK_STR(fl[6], "1000"); /* cpu W: 3.6e6 J over 3600 s */
    ES_CHECK_STR(fl[7], "");     /* gpu not measured: empty, not 0 */
    ES_CHECK_STR(fl[8], "500");  /* ram W */
    ES_CHECK_STR(fl[9], "1.2");  /* cpu kWh with PUE 1.2 */
    ES_CHECK_STR(fl[10], "");
    ES_CHECK_STR(fl[11], "0.6");
    snprintf(want, sizeof want, "%.10g", kwh);
    ES_CHECK_STR(fl[12], want); /* energy_consumed = cpu + ram energy */
    ES_CHECK_NEAR(strtod(fl[12], NULL), strtod(fl[9], NULL) + strtod(fl[11], NULL), 1e-9);
    ES_CHECK_STR(fl[13], "France");
    ES_CHECK_STR(fl[14], "FRA");
    for (int i = 15; i <= 27; i++)
        ES_CHECK_STR(fl[i], "");
    ES_CHECK_STR(fl[28], "process"); /* estimated from the trial's own CPU time */
    ES_CHECK_STR(fl[29], "N");
    ES_CHECK_STR(fl[30], "1.2");

    /* Overrides reach this format too. */
    es_factor_override o = {0};
    set_override(&o, "pue", "2");
    set_override(&o, "cloud-usd-per-hour", "3");
    snprintf(out, sizeof out, "%s", report(d, ES_REPORT_CODECARBON, &o));
    row = strchr(out, '\n') + 1;
    ES_CHECK_INT(split_csv(row, fl, 40), 31);
    ES_CHECK_STR(fl[9], "2");
    ES_CHECK_STR(fl[29], "Y");
    ES_CHECK_STR(fl[30], "2");
    es_store_data_free(d);
    es_store_close(st);
    es_spec_free(sp);
}

/* A database from each earlier schema opens at the current one with its
 * rows: the sweep and its completed trial are all there. */
ES_TEST(every_older_schema_upgrades_in_place)
{
    for (int v = 1; v < es_store_schema_version(); v++) {
        char path[4200];
        es_store *st;
        es_store_data *d;
        es_err err;
        snprintf(path, sizeof path, "%s/at-%d.db", es_test_tmpdir(), v);
        ES_CHECK_INT(es_store_testing_write_at(path, v, &err), 0);
        if (es_store_open(path, &st, &err) != 0)
            ES_FAIL("open v%d: %s", v, err.msg);
        ES_CHECK_INT(es_store_found_version(st), v);
        ES_CHECK_INT(es_store_load(st, NULL, NULL, &d, &err), 0);
        ES_CHECK_INT(d->n_projects, 1);
        ES_CHECK_STR(d->projects[0].sweeps[0].name, "legacy");
        ES_CHECK_INT(d->projects[0].sweeps[0].n_trials, 1);
        ES_CHECK_STR(d->projects[0].sweeps[0].trials[0].status, "completed");
        es_store_data_free(d);
        es_store_close(st);
        /* Opened again, nothing is left to upgrade. */
        ES_CHECK_INT(es_store_open(path, &st, &err), 0);
        ES_CHECK_INT(es_store_found_version(st), es_store_schema_version());
        es_store_close(st);
    }
}

/* A name with a control character (ESC, CR, a newline) would rewrite a
 * terminal or break a table wherever it is printed: the store refuses it
 * from --project, --name or an import, as the spec parser does. */
ES_TEST(names_with_control_characters_are_refused)
{
    es_spec *sp = spec();
    es_store *st = open_db();
    int64_t pid;
    char *got = NULL;
    es_err err;
    ES_CHECK_INT(es_store_project_ensure(st, "p\x1b[31mred", &pid, &err), ES_EUSAGE);
    ES_CHECK_CONTAINS(err.msg, "project name is not usable: it holds a control character");
    ES_CHECK_INT(es_store_project_ensure(st, "", &pid, &err), ES_EUSAGE);
    ES_CHECK_INT(es_store_project_ensure(st, "fine name", &pid, &err), 0);
    es_sweep_new sn = {.project_id = pid, .name = "a\rb", .spec = sp, .started = 1000};
    int64_t sid;
    ES_CHECK_INT(es_store_sweep_create(st, &sn, &sid, &got, &err), ES_EUSAGE);
    ES_CHECK_CONTAINS(err.msg, "sweep name is not usable");
    ES_CHECK(got == NULL);
    es_store_close(st);
    es_spec_free(sp);
}

/* C1 controls, invalid UTF-8 and bidirectional overrides rewrite what a
 * terminal shows as much as ESC does. */
ES_TEST(names_with_c1_controls_or_bidi_overrides_are_refused)
{
    static const char *const bad[] = {"a\xc2\x9b"
                                      "31mb",
                                      "a\xc2\x85z", "p\x9b",
                                      "ab\xe2\x80\xae"
                                      "cd"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ES_CHECK(es_name_problem(bad[i]) != NULL);
    ES_CHECK(es_name_problem("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac") == NULL); /* café 日本 */
}
