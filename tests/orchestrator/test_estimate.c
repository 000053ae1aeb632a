/*
 * test_estimate.c -- `ecosweep estimate` through the real binary: from a
 * project's history (known trials, so the printed figures are exact), and
 * from a pilot trial of tests/orchestrator/trial.sh that leaves the user's
 * database as it was (or absent) and nothing behind in $TMPDIR.
 */
#include <dirent.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_exec.h"
#include "es_test.h"
#include "store.h"

/* The spec of the history tests: PUE 1.5, 10 trials. */
static const char *hist_yaml = "name: h\nproject: vision\nprogram: train.py\n"
                               "command: [/usr/bin/python3, \"${program}\", \"${args}\"]\n"
                               "method: random\nrun_cap: 10\nmetric: {name: loss}\n"
                               "parameters:\n  lr: {min: 0.001, max: 0.1}\n"
                               "energy: {pue: 1.5, carbon_intensity: 100, "
                               "electricity_usd_per_kwh: 0.2}\n";

static es_spec *spec_from(const char *yaml)
{
    es_spec *sp;
    es_err err;
    if (es_spec_parse_string(yaml, strlen(yaml), "h.yaml", &sp, &err) != 0)
        ES_FAIL("spec: %s", err.msg);
    return sp;
}

/* CPU seconds of each history trial per wall second (NAN: not recorded). */
static double cpu_per_wall = NAN;

static int64_t sweep_with(es_store *st, const char *yaml, const char *project, const double *js,
                          const char *const *status, size_t n)
{
    es_spec *sp = spec_from(yaml);
    int64_t pid, sid;
    char *name;
    es_err err;
    ES_CHECK_INT(es_store_project_ensure(st, project, &pid, &err), 0);
    es_sweep_new sn = {.project_id = pid,
                       .name = "h",
                       .spec = sp,
                       .seed = 1,
                       .parallel = 1,
                       .started = 1000,
                       .host = "h"};
    ES_CHECK_INT(es_store_sweep_create(st, &sn, &sid, &name, &err), 0);
    free(name);
    for (size_t i = 0; i < n; i++) {
        es_value v = {.kind = ES_V_FLOAT, .f = 0.01 * (double)(i + 1)};
        es_trial_new tn = {.sweep_id = sid,
                           .number = (int64_t)i,
                           .spec = sp,
                           .values = &v,
                           .command_json = "[]",
                           .log_dir = "/tmp/x",
                           .started = 1000,
                           .host = "h",
                           .forecast_j = NAN};
        int64_t id;
        es_result r;
        ES_CHECK_INT(es_store_trial_start(st, &tn, &id, &err), 0);
        es_result_init(&r);
        r.wall_s = 60.0 * (double)(i + 1);
        r.cpu_s = cpu_per_wall * r.wall_s;
        r.cpu.j = js[i];
        r.cpu.method = ES_EM_ESTIMATE;
        int done = strcmp(status[i], "completed") == 0;
        es_trial_end e = {.status = (es_trial_status)es_trial_status_parse(status[i]),
                          .reason = done ? NULL : "exited with code 1",
                          .objective = done ? 0.5 : NAN,
                          .ended = 2000,
                          .result = &r};
        ES_CHECK_INT(es_store_trial_finish(st, id, &e, &err), 0);
    }
    es_spec_free(sp);
    return sid;
}

/* A database whose project "vision" ran train.py five times (1..5 MJ, 60..300
 * s), failed once at 100 MJ, and ran another program at 50 MJ; its budget is
 * 100 kWh. */
static const char *history_db(void)
{
    const char *db = es_test_path("hist.db");
    static const double js[] = {3e6, 1e6, 5e6, 2e6, 4e6, 100e6};
    static const char *const st6[] = {"completed", "completed", "completed",
                                      "completed", "completed", "failed"};
    static const double other_j[] = {50e6};
    static const char *const st1[] = {"completed"};
    es_store *st;
    es_err err;
    int64_t pid;
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("%s", err.msg);
    sweep_with(st, hist_yaml, "vision", js, st6, 6);
    char other[1024];
    snprintf(other, sizeof other, "%s", hist_yaml);
    memcpy(strstr(other, "train.py"), "other.py", 8);
    sweep_with(st, other, "vision", other_j, st1, 1);
    sweep_with(st, hist_yaml, "elsewhere", other_j, st1, 1);
    ES_CHECK_INT(es_store_project_find(st, "vision", &pid, &err), 0);
    es_budget b = {.kwh = 100};
    ES_CHECK_INT(es_store_project_budget_set(st, pid, &b, &err), 0);
    es_store_close(st);
    return db;
}

ES_TEST(from_history)
{
    const char *db = history_db();
    const char *spec = es_test_write_file("h.yaml", hist_yaml);
    const char *out, *err;
    int rc =
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, NULL}, NULL, &out, &err);
    if (rc != 0)
        fprintf(stderr, "%s%s", out, err);
    ES_CHECK_INT(rc, 0);
    /* Per trial: 1..5 MJ -> p10 1.4 MJ, median 3 MJ, p90 4.6 MJ; 60..300 s ->
     * 84, 180, 276 s.  Ten trials at PUE 1.5: 3e7 J = 12.5 kWh at the
     * median; 0.5 trial-hours = 0.5 hours (1 in parallel). */
    ES_CHECK_CONTAINS(out, "from history: 5 completed trials of 1 earlier sweep of project vision");
    ES_CHECK_CONTAINS(out, "per trial (p10 / median / p90): 1.4e+06 / 3e+06 / 4.6e+06 J at the "
                           "devices, 84 / 180 / 276 s");
    ES_CHECK_CONTAINS(out, "    median            0.5          0.5         12.5         1.25"
                           "          2.5\n");
    ES_CHECK_CONTAINS(out, "    low            0.2333       0.2333        5.833");
    ES_CHECK_CONTAINS(out, "    high           0.7667       0.7667        19.17");
    /* The project spent (1+2+3+4+5+100+50) MJ x 1.5 = 68.75 kWh of its 100:
     * 31.25 kWh = 75 MJ at the devices remain, 25 trials at 3 MJ, 16 at 4.6. */
    ES_CHECK_CONTAINS(out, "project budget remaining: 7.5e+07 J at the devices (31.25 kWh): 25 "
                           "trials at the median, 25 at the mean, 16 at the high");
    /* The mean, 3 MJ here too, is what the campaign is expected to cost. */
    ES_CHECK_CONTAINS(out, "    mean              0.5          0.5         12.5");

    rc = es_test_ecosweep(
        (const char *[]){"estimate", spec, "--db", db, "--format", "json", "--no-pilot", NULL},
        NULL, &out, &err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(out, "\"source\": \"history\", \"samples\": 5, \"history_sweeps\": 1");
    ES_CHECK_CONTAINS(out, "\"trials\": 10, \"trials_basis\": \"run_cap\"");
    ES_CHECK_CONTAINS(out, "\"campaign\": {\"low\": ");
    ES_CHECK_CONTAINS(out, "\"median\": {\"hours\": 0.5, \"trial_hours\": 0.5, \"joules\": "
                           "30000000, \"kwh\": 12.5, \"co2e_kg\": 1.25, \"usd\": 2.5");
    ES_CHECK_CONTAINS(out, "{\"what\": \"project_remaining\", \"joules\": 75000000, \"kwh\": "
                           "31.25, \"trials_at_median\": 25, \"trials_at_mean\": 25, "
                           "\"trials_at_high\": 16}");

    /* Another project has no history of train.py... except "elsewhere". */
    rc = es_test_ecosweep(
        (const char *[]){"estimate", spec, "--db", db, "--project", "nlp", "--no-pilot", NULL},
        NULL, &out, &err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(out, "no estimate: no completed trial of program train.py in project nlp");
}

/* Without run_cap: a grid counts its combinations; random is unbounded and
 * priced per 100 trials. */
ES_TEST(trials_from_grid_or_unbounded)
{
    const char *db = history_db();
    const char *out, *err;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%s", hist_yaml);
    char *cap = strstr(yaml, "run_cap: 10\n");
    memmove(cap, cap + 12, strlen(cap + 12) + 1);
    const char *spec = es_test_write_file("u.yaml", yaml);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, "--format", "json", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "\"trials\": null, \"trials_basis\": \"unbounded\"");
    ES_CHECK_CONTAINS(out, "\"campaign\": null, \"per_100_trials\": {\"low\": ");
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, NULL}, NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "unbounded (no run_cap)");
    ES_CHECK_CONTAINS(out, "per 100 trials:");

    char *m = strstr(yaml, "method: random");
    memcpy(m, "method: grid  ", 14);
    char *lr = strstr(yaml, "lr: {min: 0.001, max: 0.1}");
    snprintf(lr, 200,
             "lr: {values: [0.1, 0.01, 0.001]}\n  b: {values: [1, 2]}\n"
             "energy: {pue: 1.5}\n");
    spec = es_test_write_file("g.yaml", yaml);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, NULL}, NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "method grid, 6 trials (the grid's size)");
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    ES_CHECK(d != NULL);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

static const char *burn_spec(void)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: burn\nproject: vision\nprogram: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\nmetric: {name: loss}\n"
             "method: random\nrun_cap: 8\nparameters:\n  mode: {value: burn}\n"
             "  x: {min: 0.0, max: 1.0}\nbudget: {kwh: 0.001}\n",
             es_test_source_dir());
    return es_test_write_file("burn.yaml", yaml);
}

/* No history: one pilot trial runs in a temporary database, measures a
 * non-zero energy, and leaves neither the user's database nor anything in
 * $TMPDIR behind. */
ES_TEST(pilot_leaves_no_database)
{
    const char *spec = burn_spec(), *db = es_test_path("absent.db");
    const char *tmp = es_test_path("tmp");
    const char *out, *err;
    double j = 0;
    ES_CHECK_INT(mkdir(tmp, 0700), 0);
    int rc = es_test_ecosweep(
        (const char *[]){"estimate", spec, "--db", db, "--format", "json", NULL}, tmp, &out, &err);
    if (rc != 0)
        fprintf(stderr, "%s%s", out, err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(out, "\"source\": \"pilot\", \"samples\": 3"); /* 3 by default */
    ES_CHECK_CONTAINS(out, "\"pilot\": {\"status\": \"completed\", \"reason\": null}");
    const char *p = strstr(out, "\"per_trial\": {\"joules\": {\"p10\": ");
    ES_CHECK(p != NULL);
    ES_CHECK(sscanf(p + strlen("\"per_trial\": {\"joules\": {\"p10\": "), "%lf", &j) == 1);
    ES_CHECK(j > 0);
    ES_CHECK_CONTAINS(out, "\"trials\": 8");
    ES_CHECK_CONTAINS(out, "{\"what\": \"spec\", \"joules\": ");
    ES_CHECK(access(db, F_OK) != 0);
    ES_CHECK(dir_is_empty(tmp));
    ES_CHECK_CONTAINS(err, "running 3 pilot trials");
}

static void count_rows(const char *db, size_t *sweeps, size_t *trials)
{
    es_store *st;
    es_store_data *d;
    es_err err;
    *sweeps = *trials = 0;
    if (es_store_open(db, &st, &err) != 0 || es_store_load(st, NULL, NULL, &d, &err) != 0)
        ES_FAIL("%s", err.msg);
    for (size_t i = 0; i < d->n_projects; i++)
        for (size_t k = 0; k < d->projects[i].n_sweeps; k++) {
            (*sweeps)++;
            *trials += d->projects[i].sweeps[k].n_trials;
        }
    es_store_data_free(d);
    es_store_close(st);
}

/* --pilot with a database that has history: the pilot is used, and the
 * database holds exactly what it held. */
ES_TEST(pilot_leaves_database_untouched)
{
    const char *db = history_db(), *spec = burn_spec(), *tmp = es_test_path("tmp2");
    const char *out, *err;
    size_t sweeps, trials, sweeps2, trials2;
    ES_CHECK_INT(mkdir(tmp, 0700), 0);
    count_rows(db, &sweeps, &trials);
    int rc = es_test_ecosweep(
        (const char *[]){"estimate", spec, "--db", db, "--pilot", "--pilot-trials", "1", NULL}, tmp,
        &out, &err);
    if (rc != 0)
        fprintf(stderr, "%s%s", out, err);
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(out, "from one pilot trial (completed)");
    ES_CHECK_CONTAINS(out, "project budget remaining: ");
    count_rows(db, &sweeps2, &trials2);
    ES_CHECK_INT(sweeps2, sweeps);
    ES_CHECK_INT(trials2, trials);
    ES_CHECK(dir_is_empty(tmp));
    char logs[4300];
    snprintf(logs, sizeof logs, "%s.d", db);
    ES_CHECK(access(logs, F_OK) != 0);
}

ES_TEST(spec_error_exits_2)
{
    const char *spec =
        es_test_write_file("bad.yaml", "program: p.py\nparameters:\n  lr: {mn: 1}\n");
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"estimate", spec, NULL}, NULL, &out, &err), 2);
    ES_CHECK_CONTAINS(err, "unknown key 'mn'");
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"estimate", spec, "--pilot", "--no-pilot", NULL},
                                  NULL, &out, &err),
                 2);
}

/* Trials that keep two cores busy each, as many at once as there are
 * cores: the sweep takes twice what trial-hours / parallel says, the CPU
 * time over the cores (the pilot ran alone, and the estimate once
 * divided by parallel whatever the machine). */
ES_TEST(parallel_trials_share_the_cores)
{
    cpu_set_t set;
    ES_CHECK_INT(sched_getaffinity(0, sizeof set, &set), 0);
    int cores = CPU_COUNT(&set);
    cpu_per_wall = 2;
    const char *db = history_db();
    cpu_per_wall = NAN;
    char yaml[1024], want[256];
    snprintf(yaml, sizeof yaml, "%sparallel: %d\n", hist_yaml, cores);
    const char *spec = es_test_write_file("c.yaml", yaml);
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, "--format", "json",
                                                   "--no-pilot", NULL},
                                  NULL, &out, &err),
                 0);
    /* Median trial 180 s wall, 360 s CPU: 10 trials take 3600 s / cores. */
    snprintf(want, sizeof want, "\"median\": {\"hours\": %.15g, \"trial_hours\": 0.5,",
             1.0 / cores);
    ES_CHECK_CONTAINS(out, want);
    snprintf(want, sizeof want, "\"cores\": %d", cores);
    ES_CHECK_CONTAINS(out, want);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, "--no-pilot", NULL}, NULL,
                         &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "hours = the larger of trial-hours");
    ES_CHECK_CONTAINS(out, "(a trial keeps 2 cores busy at the median)");
}

/* With early termination and a history that never pruned, the estimate
 * takes what the rule is designed to save off the low and median ends
 * (hyperband, max_iter 27, s 2: brackets 3 and 9, a third and a ninth of
 * the trials going on: 7 of 27 steps), not off the high one; a history
 * under the same rule counts its pruned trials instead. */
ES_TEST(early_termination_lowers_the_estimate)
{
    const char *db = history_db();
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%searly_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 3}\n", hist_yaml);
    const char *spec = es_test_write_file("p.yaml", yaml);
    const char *out, *err;
    ES_CHECK_INT(es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, "--format", "json",
                                                   "--no-pilot", NULL},
                                  NULL, &out, &err),
                 0);
    ES_CHECK_CONTAINS(out, "\"early_termination\": {\"rule\": \"hyperband\", \"basis\": "
                           "\"rule\", \"fraction_low\": 0.259259259259259}");
    char want[256];
    snprintf(want, sizeof want,
             "\"joules\": {\"p10\": %.15g, \"median\": %.15g, \"p90\": 4600000, \"mean\": %.15g}",
             1.4e6 * 7 / 27, 3e6 * (1 + 7.0 / 27) / 2, 3e6 * (1 + 7.0 / 27) / 2);
    ES_CHECK_CONTAINS(out, want);
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", db, "--no-pilot", NULL}, NULL,
                         &out, &err),
        0);
    ES_CHECK_CONTAINS(out, "early termination (hyperband): a trial runs 26% of its steps");
}

/* Pilot trials that all fail give no estimate (a 2 ms failure was priced
 * as what a trial costs), and a sweep of 2 trials gets at most 2 pilot
 * trials, not 3. */
ES_TEST(failing_pilots_give_no_estimate_and_pilots_stay_within_run_cap)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: f\nproject: vision\nprogram: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\nmetric: {name: loss}\n"
             "method: random\nrun_cap: 2\nparameters:\n  mode: {value: fail}\n"
             "  x: {min: 0.0, max: 1.0}\n",
             es_test_source_dir());
    const char *spec = es_test_write_file("f.yaml", yaml), *out, *err;
    ES_CHECK_INT(
        es_test_ecosweep((const char *[]){"estimate", spec, "--db", es_test_path("none.db"),
                                          "--pilot-trials", "5", NULL},
                         NULL, &out, &err),
        0);
    ES_CHECK_CONTAINS(err, "running 2 pilot trials");
    ES_CHECK_CONTAINS(out, "no estimate: no completed trial of program");
    ES_CHECK_CONTAINS(out, "no pilot trial completed with a known energy");
    ES_CHECK_CONTAINS(out, "pilot trial: failed - exited with code 3");
}
