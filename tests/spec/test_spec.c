/*
 * test_spec.c -- direct tests of spec parsing: the shipped examples, the
 * fields a parsed spec holds, value typing, durations, and errors that the
 * table of cases (test_cases.c) cannot show, such as a file that is missing.
 */
#include <errno.h>

#include "es_test.h"
#include "spec.h"

static es_spec *parse_ok(const char *yaml)
{
    es_spec *spec = NULL;
    es_err err;
    int rc = es_spec_parse_string(yaml, strlen(yaml), "t.yaml", &spec, &err);
    if (rc != 0)
        ES_FAIL("parse failed (%d): %s", rc, err.msg);
    return spec;
}

static const char *parse_err(const char *yaml)
{
    static es_err err;
    es_spec *spec = (es_spec *)&err;
    int rc = es_spec_parse_string(yaml, strlen(yaml), "t.yaml", &spec, &err);
    if (rc != ES_ESPEC)
        ES_FAIL("expected ES_ESPEC, got %d", rc);
    ES_CHECK(spec == NULL);
    return err.msg;
}

ES_TEST(example_branin)
{
    char path[4096];
    es_spec *spec;
    es_err err;
    snprintf(path, sizeof path, "%s/configs/examples/branin.yaml", es_test_source_dir());
    if (es_spec_parse_file(path, &spec, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_STR(spec->program, "branin.py");
    ES_CHECK_INT(spec->method, ES_METHOD_RANDOM);
    ES_CHECK_STR(spec->metric_name, "loss");
    ES_CHECK_INT(spec->goal, ES_GOAL_MINIMIZE);
    ES_CHECK_INT(spec->n_params, 2);
    ES_CHECK_STR(spec->params[0].name, "x1");
    ES_CHECK_INT(spec->params[0].dist, ES_DIST_UNIFORM);
    ES_CHECK_NEAR(spec->params[0].min, -5, 0);
    ES_CHECK_NEAR(spec->params[0].max, 10, 0);
    ES_CHECK_STR(spec->params[1].name, "x2");
    ES_CHECK_NEAR(spec->params[1].min, 0, 0);
    ES_CHECK_NEAR(spec->params[1].max, 15, 0);
    ES_CHECK_INT(spec->run_cap, 20);
    ES_CHECK_INT(spec->parallel, 2);
    ES_CHECK(spec->has_seed && spec->seed == 1);
    ES_CHECK_INT(spec->n_command, 4);
    ES_CHECK_STR(spec->command[1], "python3");
    ES_CHECK_STR(spec->path, path);
    ES_CHECK_CONTAINS(spec->text, "run_cap: 20");
    es_spec_free(spec);
}

ES_TEST(example_branin_grid)
{
    char path[4096];
    es_spec *spec;
    es_err err;
    snprintf(path, sizeof path, "%s/configs/examples/branin_grid.yaml", es_test_source_dir());
    if (es_spec_parse_file(path, &spec, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_INT(spec->method, ES_METHOD_GRID);
    ES_CHECK_INT(spec->params[0].n_values, 4);
    ES_CHECK_NEAR(spec->budget.kwh, 0.05, 0);
    ES_CHECK_NEAR(spec->budget.wall_s, 1800, 0);
    ES_CHECK_NEAR(spec->trial_timeout_s, 120, 0);
    ES_CHECK_NEAR(spec->energy.pue, 1.2, 0);
    ES_CHECK_NEAR(spec->energy.carbon_g_per_kwh, 370, 0);
    ES_CHECK_NEAR(spec->energy.cpu_watts_per_core, 0, 0); /* default: by CPU model */
    ES_CHECK(spec->has_target && spec->target == 0.5);
    es_spec_free(spec);
}

ES_TEST(parse_file_errors_name_the_file)
{
    char path[4096];
    es_spec *spec;
    es_err err;
    snprintf(path, sizeof path, "%s/missing.yaml", es_test_tmpdir());
    ES_CHECK_INT(es_spec_parse_file(path, &spec, &err), -ENOENT);
    ES_CHECK(spec == NULL);
    ES_CHECK_CONTAINS(err.msg, path);

    snprintf(path, sizeof path, "%s/sweep.yaml", es_test_tmpdir());
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fputs("program: t.py\nparameters:\n  lr:\n    mn: 1\n", f);
    fclose(f);
    ES_CHECK_INT(es_spec_parse_file(path, &spec, &err), ES_ESPEC);
    char want[4200];
    snprintf(want, sizeof want, "%s:4:5: parameters.lr: unknown key 'mn' (did you mean 'min'?)",
             path);
    ES_CHECK_STR(err.msg, want);
    ES_CHECK_INT(err.code, ES_ESPEC);
}

ES_TEST(defaults)
{
    es_spec *spec = parse_ok("program: t.py\nparameters: {x: {value: 1}}\n");
    es_energy_factors d;
    es_energy_factors_default(&d);
    ES_CHECK_NEAR(d.pue, 1.58, 0);
    ES_CHECK_NEAR(d.carbon_g_per_kwh, 475, 0);
    ES_CHECK_NEAR(d.electricity_usd_per_kwh, 0.12, 0);
    ES_CHECK_NEAR(d.cloud_usd_per_hour, 0, 0);
    ES_CHECK_NEAR(d.cpu_watts_per_core, 0, 0); /* the worker looks up the CPU model */
    ES_CHECK_NEAR(d.dram_watts_per_gb, 0.3725, 0);
    ES_CHECK(memcmp(&d, &spec->energy, sizeof d) == 0);
    ES_CHECK_INT(spec->method, ES_METHOD_RANDOM);
    ES_CHECK(spec->metric_name == NULL);
    ES_CHECK(spec->command == NULL);
    ES_CHECK_INT(spec->n_command, 0);
    ES_CHECK_INT(spec->parallel, 1);
    ES_CHECK_INT(spec->run_cap, 0);
    ES_CHECK_INT(spec->max_failed, 0);
    ES_CHECK_INT(spec->has_seed, 0);
    ES_CHECK(spec->trial_timeout_s == 0 && spec->budget.kwh == 0 && spec->budget.wall_s == 0);
    ES_CHECK(spec->name == NULL && spec->project == NULL && spec->entity == NULL);
    es_spec_free(spec);
    es_spec_free(NULL);
}

ES_TEST(value_typing)
{
    es_spec *spec = parse_ok("program: t.py\n"
                             "parameters:\n"
                             "  v:\n"
                             "    values: [1, -2, 1.5, 1e-5, '1', \"2.0\", true, True, FALSE,\n"
                             "             null, ~, adam, yes, .inf, 99999999999999999999]\n");
    const es_param *p = &spec->params[0];
    ES_CHECK_INT(p->dist, ES_DIST_CATEGORICAL);
    ES_CHECK_INT(p->n_values, 15);
    ES_CHECK(p->values[0].kind == ES_V_INT && p->values[0].i == 1);
    ES_CHECK(p->values[1].kind == ES_V_INT && p->values[1].i == -2);
    ES_CHECK(p->values[2].kind == ES_V_FLOAT && p->values[2].f == 1.5);
    ES_CHECK(p->values[3].kind == ES_V_FLOAT && p->values[3].f == 1e-5);
    ES_CHECK(p->values[4].kind == ES_V_STR);
    ES_CHECK_STR(p->values[4].s, "1");
    ES_CHECK(p->values[5].kind == ES_V_STR);
    ES_CHECK_STR(p->values[5].s, "2.0");
    ES_CHECK(p->values[6].kind == ES_V_BOOL && p->values[6].b == 1);
    ES_CHECK(p->values[7].kind == ES_V_BOOL && p->values[7].b == 1);
    ES_CHECK(p->values[8].kind == ES_V_BOOL && p->values[8].b == 0);
    ES_CHECK_INT(p->values[9].kind, ES_V_NULL);
    ES_CHECK_INT(p->values[10].kind, ES_V_NULL);
    ES_CHECK(p->values[11].kind == ES_V_STR);
    ES_CHECK_STR(p->values[11].s, "adam");
    ES_CHECK(p->values[12].kind == ES_V_STR); /* YAML 1.2: yes is a string */
    ES_CHECK(p->values[13].kind == ES_V_FLOAT && isinf(p->values[13].f));
    ES_CHECK(p->values[14].kind == ES_V_FLOAT && p->values[14].f == 1e20);
    ES_CHECK(p->probabilities == NULL);
    es_spec_free(spec);
}

ES_TEST(params_keep_line_column_and_flatten)
{
    es_spec *spec = parse_ok("program: t.py\n"
                             "parameters:\n"
                             "  optimizer:\n"
                             "    parameters:\n"
                             "      name: {values: [adam, sgd], probabilities: [0.75, 0.25]}\n"
                             "      lr:\n"
                             "        distribution: log_uniform_values\n"
                             "        min: 1e-5\n"
                             "        max: 0.1\n"
                             "  epochs: {value: 5}\n");
    ES_CHECK_INT(spec->n_params, 3);
    ES_CHECK_STR(spec->params[0].name, "optimizer.name");
    ES_CHECK_INT(spec->params[0].line, 5);
    ES_CHECK_INT(spec->params[0].column, 7);
    ES_CHECK_NEAR(spec->params[0].probabilities[0], 0.75, 0);
    ES_CHECK_STR(spec->params[1].name, "optimizer.lr");
    ES_CHECK_INT(spec->params[1].line, 6);
    ES_CHECK_INT(spec->params[1].dist, ES_DIST_LOG_UNIFORM_VALUES);
    ES_CHECK_NEAR(spec->params[1].min, 1e-5, 0);
    ES_CHECK_STR(spec->params[2].name, "epochs");
    ES_CHECK_INT(spec->params[2].line, 10);
    ES_CHECK_INT(spec->params[2].column, 3);
    ES_CHECK(spec->params[2].value.kind == ES_V_INT && spec->params[2].value.i == 5);
    ES_CHECK_INT(es_spec_param_index(spec, "optimizer.lr"), 1);
    ES_CHECK_INT(es_spec_param_index(spec, "epochs"), 2);
    ES_CHECK_INT(es_spec_param_index(spec, "lr"), -1);
    es_spec_free(spec);
}

ES_TEST(distribution_defaults)
{
    es_spec *spec = parse_ok("program: t.py\n"
                             "parameters:\n"
                             "  n: {distribution: normal}\n"
                             "  qn: {distribution: q_normal, mu: 2, sigma: 0.5}\n"
                             "  b: {distribution: beta}\n"
                             "  qb: {distribution: q_beta, a: 2, q: 0.1}\n"
                             "  qu: {distribution: q_uniform, min: 0, max: 10}\n"
                             "  i: {min: 1, max: 10}\n"
                             "  u: {min: 1, max: 10.0}\n"
                             "  m: {mu: 1}\n");
    const es_param *p = spec->params;
    ES_CHECK(p[0].dist == ES_DIST_NORMAL && p[0].mu == 0 && p[0].sigma == 1 && p[0].q == 0);
    ES_CHECK(p[1].dist == ES_DIST_Q_NORMAL && p[1].mu == 2 && p[1].sigma == 0.5 && p[1].q == 1);
    ES_CHECK(p[2].dist == ES_DIST_BETA && p[2].a == 1 && p[2].b == 1);
    ES_CHECK(p[3].dist == ES_DIST_Q_BETA && p[3].a == 2 && p[3].b == 1 && p[3].q == 0.1);
    ES_CHECK(p[4].dist == ES_DIST_Q_UNIFORM && p[4].q == 1 && p[4].max == 10);
    ES_CHECK(p[5].dist == ES_DIST_INT_UNIFORM && p[5].min == 1 && p[5].max == 10);
    ES_CHECK(p[6].dist == ES_DIST_UNIFORM);
    ES_CHECK(p[7].dist == ES_DIST_NORMAL && p[7].mu == 1 && p[7].sigma == 1);
    es_spec_free(spec);
}

ES_TEST(names)
{
    static const char *const want[ES_DIST__COUNT] = {"constant",
                                                     "categorical",
                                                     "int_uniform",
                                                     "uniform",
                                                     "q_uniform",
                                                     "log_uniform",
                                                     "log_uniform_values",
                                                     "q_log_uniform",
                                                     "q_log_uniform_values",
                                                     "inv_log_uniform",
                                                     "inv_log_uniform_values",
                                                     "normal",
                                                     "q_normal",
                                                     "log_normal",
                                                     "q_log_normal",
                                                     "beta",
                                                     "q_beta"};
    for (int i = 0; i < ES_DIST__COUNT; i++)
        ES_CHECK_STR(es_dist_name((es_dist)i), want[i]);
    ES_CHECK_STR(es_method_name(ES_METHOD_RANDOM), "random");
    ES_CHECK_STR(es_method_name(ES_METHOD_GRID), "grid");
    ES_CHECK_STR(es_method_name(ES_METHOD_BAYES), "bayes");
    ES_CHECK_STR(es_goal_name(ES_GOAL_MINIMIZE), "minimize");
    ES_CHECK_STR(es_goal_name(ES_GOAL_MAXIMIZE), "maximize");
}

ES_TEST(durations)
{
    static const struct {
        const char *text;
        double want;
    } ok[] = {{"90s", 90},    {"10m", 600},  {"2h", 7200},   {"1h30m", 5400},
              {"1.5h", 5400}, {"45", 45},    {"500ms", 0.5}, {"0", 0},
              {"2.5", 2.5},   {"1d", 86400}, {"1m30s", 90},  {"1h1m1s500ms", 3661.5},
              {".5m", 30}};
    static const char *const bad[] = {"", "-5", "-1m", "abc", "10x", "1h30", "h", "1 h", " 1s",
                                      "1s ", "nan", "inf", "1e3", "1.2.3s", "1mss", "m5", "+5",
                                      "0x10", "1hm",
                                      /* each unit once, largest first */
                                      "1h1h", "30m1h", "1s1m", "5ms1s", "1m30m"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double s = -1;
        if (es_parse_duration(ok[i].text, &s) != 0)
            ES_FAIL("'%s' rejected", ok[i].text);
        ES_CHECK_NEAR(s, ok[i].want, 1e-9);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double s = -1;
        if (es_parse_duration(bad[i], &s) != -EINVAL)
            ES_FAIL("'%s' accepted", bad[i]);
        ES_CHECK_NEAR(s, -1, 0);
    }
    ES_CHECK_INT(es_parse_duration(NULL, NULL), -EINVAL);
}

ES_TEST(trial_timeout_and_budget_read_durations)
{
    es_spec *spec = parse_ok("program: t.py\nparameters: {x: {value: 1}}\n"
                             "trial_timeout: 1h30m\nbudget: {wall: 90, usd: 2.5, co2e_kg: 1}\n");
    ES_CHECK_NEAR(spec->trial_timeout_s, 5400, 0);
    ES_CHECK_NEAR(spec->budget.wall_s, 90, 0);
    ES_CHECK_NEAR(spec->budget.usd, 2.5, 0);
    ES_CHECK_NEAR(spec->budget.co2e_kg, 1, 0);
    es_spec_free(spec);
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\ntrial_timeout: soon\n"),
                 "t.yaml:3:16: trial_timeout: expected a duration such as 90s, 10m, 2h, 1h30m "
                 "or a number of seconds, got 'soon'");
}

ES_TEST(error_unknown_key_suggests)
{
    ES_CHECK_STR(parse_err("program: t.py\nparameters:\n  lr:\n    mn: 0.1\n    max: 1\n"),
                 "t.yaml:4:5: parameters.lr: unknown key 'mn' (did you mean 'min'?)");
    ES_CHECK_STR(parse_err("program: t.py\nparamters: {}\n"),
                 "t.yaml:2:1: unknown key 'paramters' (did you mean 'parameters'?)");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nzzz: 1\n"),
                 "t.yaml:3:1: unknown key 'zzz'");
}

ES_TEST(error_bayes_and_early_terminate)
{
    ES_CHECK_STR(parse_err("program: t.py\nmethod: bayes\nparameters: {x: {value: 1}}\n"),
                 "t.yaml:2:9: method: bayes needs a metric to optimize: add 'metric: {name: ..., "
                 "goal: minimize or maximize}'");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\n"
                           "early_terminate: {type: hyperband, min_iter: 3}\n"),
                 "t.yaml:3:1: early_terminate: needs a metric to compare trials by: add 'metric: "
                 "{name: ..., goal: minimize or maximize}'");
}

ES_TEST(error_bad_types)
{
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nrun_cap: ten\n"),
                 "t.yaml:3:10: run_cap: expected a positive integer, got 'ten'");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nparallel: 0\n"),
                 "t.yaml:3:11: parallel: expected a positive integer, got '0'");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nseed: -1\n"),
                 "t.yaml:3:7: seed: expected a non-negative integer, got '-1'");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nmax_failed: [1]\n"),
                 "t.yaml:3:13: max_failed: expected a non-negative integer, got a list");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nenergy: {pue: 0.9}\n"),
                 "t.yaml:3:15: energy.pue: expected a number >= 1, got '0.9'");
    /* 0 stood for "not given" (the CPU model's figure) and was taken as that. */
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\n"
                           "energy: {cpu_watts_per_core: 0}\n"),
                 "t.yaml:3:30: energy.cpu_watts_per_core: expected a positive number (leave it "
                 "out for the CPU model's figure), got '0'");
    ES_CHECK_STR(parse_err("program: t.py\nparameters: {x: {value: 1}}\nbudget: {kwh: 0}\n"),
                 "t.yaml:3:15: budget.kwh: expected a positive number, got '0'");
    ES_CHECK_STR(parse_err("program: t.py\n"), "t.yaml:1:1: missing required key 'parameters'");
    ES_CHECK_STR(parse_err(""),
                 "t.yaml:1:1: the spec is empty; expected a mapping with at least 'parameters'");
    ES_CHECK_STR(parse_err("parameters: {x: {value: 1}}\n"),
                 "t.yaml:1:1: missing key 'program' (the default command, ${env} "
                 "${interpreter} ${program} ${args}, runs it); give program, or a command "
                 "without ${program}");
}

ES_TEST(program_optional_without_program_macro)
{
    es_spec *spec = parse_ok("command: [./run.sh, '${args_json}']\nparameters: {x: {value: 1}}\n");
    ES_CHECK(spec->program == NULL);
    es_spec_free(spec);
}

/* `validate` lists every error of a file, not only the first: each key and
 * each parameter is checked on its own, and the first is still err. */
ES_TEST(parse_file_all_lists_every_error)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/many.yaml", es_test_tmpdir());
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fputs("program: t.py\n"
          "method: rando\n"
          "parameters:\n"
          "  lr: {min: 5, max: 1}\n"
          "  ok: {values: [1, 2]}\n"
          "  mom: {distribution: uniform, mn: 0, max: 1}\n"
          "run_cap: -3\n"
          "colour: blue\n",
          f);
    fclose(f);
    es_spec *spec;
    char **errors;
    es_err err;
    ES_CHECK_INT(es_spec_parse_file_all(path, &spec, &errors, &err), ES_ESPEC);
    ES_CHECK(spec == NULL && errors != NULL);
    size_t n = 0;
    while (errors[n] != NULL)
        n++;
    ES_CHECK_INT(n, 5);
    ES_CHECK_CONTAINS(errors[0], "many.yaml:2:9: method: unknown method 'rando'");
    ES_CHECK_CONTAINS(errors[1], ":4:8: parameters.lr: min (5) must be less than max (1)");
    ES_CHECK_CONTAINS(errors[2], ":6:32: parameters.mom: unknown key 'mn'");
    ES_CHECK_CONTAINS(errors[3], ":7:10: run_cap:");
    ES_CHECK_CONTAINS(errors[4], ":8:1: unknown key 'colour'");
    ES_CHECK_STR(err.msg, errors[0]);
    es_strv_free(errors);

    /* A valid spec: no list, and the plain parser still stops at the first. */
    ES_CHECK_INT(es_spec_parse_file(path, &spec, &err), ES_ESPEC);
    ES_CHECK_CONTAINS(err.msg, "unknown method 'rando'");
}

/* Inside the energy and budget blocks each key is checked on its own too,
 * every duplicate key is listed, a budget past any sweep's is a slip of
 * units, and the list is in the file's order. */
/* Parse tmpdir/name with every error listed (it must fail); *n receives
 * their count. */
static char **all_errors(const char *name, size_t *n, es_err *err)
{
    char path[4096];
    es_spec *spec = NULL;
    char **errors = NULL;
    snprintf(path, sizeof path, "%s/%s", es_test_tmpdir(), name);
    ES_CHECK_INT(es_spec_parse_file_all(path, &spec, &errors, err), ES_ESPEC);
    ES_CHECK(spec == NULL && errors != NULL);
    for (*n = 0; errors[*n] != NULL;)
        ++*n;
    return errors;
}

ES_TEST(parse_file_all_lists_every_error_inside_blocks)
{
    es_test_write_file("blocks.yaml",
                       "program: t.py\n"
                       "run_cap: 5\n"
                       "energy: {pue: 0.5, carbon_intensity: -3, colour: 1, gpu_watts: x}\n"
                       "budget: {kwh: -1, usd: 2e9, on_exhaust: maybe}\n"
                       "run_cap: 6\n"
                       "parameters:\n"
                       "  lr: {min: 0.1, max: 1}\n"
                       "  lr: {min: 0.2, max: 1}\n");
    es_err err;
    size_t n;
    char **errors = all_errors("blocks.yaml", &n, &err);
    ES_CHECK_INT(n, 9);
    ES_CHECK_CONTAINS(errors[0], ":3:15: energy.pue: expected a number >= 1");
    ES_CHECK_CONTAINS(errors[1], ":3:38: energy.carbon_intensity:");
    ES_CHECK_CONTAINS(errors[2], ":3:42: energy: unknown key 'colour'");
    ES_CHECK_CONTAINS(errors[3], ":3:64: energy.gpu_watts:");
    ES_CHECK_CONTAINS(errors[4], ":4:15: budget.kwh:");
    ES_CHECK_CONTAINS(errors[5], ":4:24: budget.usd: 2e+09 is past the plausible 1e+07 for one "
                                 "sweep (a slip of units?)");
    ES_CHECK_CONTAINS(errors[6], ":4:41: budget.on_exhaust:");
    ES_CHECK_CONTAINS(errors[7], ":5:1: duplicate key 'run_cap' (first given at line 2)");
    ES_CHECK_CONTAINS(errors[8], ":8:3: parameters: duplicate key 'lr' (first given at line 7)");
    ES_CHECK_STR(err.msg, errors[0]);
    es_strv_free(errors);
}

/* A metric or objectives key given with a wrong value is that one error:
 * bayes and early_terminate do not add "needs a metric" to it (they used
 * to, which sent users to add a metric they had). */
ES_TEST(a_wrong_goal_is_one_error_not_also_a_missing_metric)
{
    static const char *const bodies[] = {
        "method: bayes\nobjectives:\n  - {name: a, goal: maximize}\n"
        "early_terminate: {type: hyperband, min_iter: 1}\n",
        "method: bayes\nobjectives:\n  - {name: a, goal: maximize}\n"
        "  - {name: a, goal: minimize}\n",
        "method: bayes\nobjectives: [{name: a, goal: minimize}, {name: b, goal: minimize}, "
        "{name: c, goal: minimize}, {name: d, goal: minimize}]\n",
        "method: bayes\nmetric: {name: loss, goal: lowest}\n"
        "early_terminate: {type: hyperband, min_iter: 1}\n",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "program: t.py\nparameters:\n  lr: {min: 0.1, max: 1}\n%s",
                 bodies[i]);
        es_test_write_file("goal.yaml", text);
        es_err err;
        size_t n;
        char **errors = all_errors("goal.yaml", &n, &err);
        ES_CHECK_INT(n, 1);
        ES_CHECK(strstr(errors[0], "needs a metric") == NULL);
        es_strv_free(errors);
    } /* Objectives that are all built-ins give early termination nothing to
       * compare trials by: that is said (it used to pass in silence). */
    es_test_write_file("goal.yaml", "program: t.py\nparameters:\n  lr: {min: 0.1, max: 1}\n"
                                    "objectives: [{name: energy.kwh, goal: minimize},"
                                    " {name: wall_s, goal: minimize}]\n"
                                    "early_terminate: {type: hyperband, min_iter: 3}\n");
    es_err err;
    size_t n;
    char **errors = all_errors("goal.yaml", &n, &err);
    ES_CHECK_INT(n, 1);
    ES_CHECK_CONTAINS(errors[0], "early_terminate: needs a metric");
    es_strv_free(errors);
}

/* W&B's log_uniform takes natural-log exponents: bounds that look like
 * values are a warning that names the fix; log exponents are not. */
ES_TEST(log_uniform_with_value_bounds_warns)
{
    static const char yaml[] = "program: t.py\n"
                               "parameters:\n"
                               "  lr: {distribution: log_uniform, min: 0.0001, max: 0.1}\n"
                               "  wd: {distribution: log_uniform, min: -9.2, max: -2.3}\n";
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "w.yaml", &spec, &err), 0);
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "w.yaml:3:3: parameters.lr: log_uniform takes min and "
                                         "max as natural logs");
    ES_CHECK_CONTAINS(spec->warnings[0], "use log_uniform_values");
    ES_CHECK(spec->warnings[1] == NULL); /* wd is fine */
    es_spec_free(spec);
}

/* Sweeps named to learn from where nothing learns (random, grid, several
 * objectives) are a warning; the default auto there says nothing. */
ES_TEST(warm_start_list_where_nothing_learns_warns)
{
    static const char yaml[] = "program: t.py\n"
                               "method: random\n"
                               "warm_start: [a]\n"
                               "parameters:\n"
                               "  lr: {min: 0.001, max: 0.1}\n";
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "w.yaml", &spec, &err), 0);
    ES_CHECK(spec->warm_start == ES_WARM_LIST && spec->n_warm_names == 1);
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "w.yaml:3:1: warm_start: random does not learn from "
                                         "earlier sweeps (only bayes with one objective does)");
    es_spec_free(spec);
    static const char quiet[] = "program: t.py\nmethod: random\nparameters:\n"
                                "  lr: {min: 0.001, max: 0.1}\n";
    ES_CHECK_INT(es_spec_parse_string(quiet, strlen(quiet), "q.yaml", &spec, &err), 0);
    ES_CHECK(spec->warm_start == ES_WARM_AUTO && spec->warnings == NULL);
    es_spec_free(spec);
}

/* A value listed twice (W&B takes it) reads differently by method: a
 * warning says how.  1 and 1.0 are the same setting; "1" is not. */
ES_TEST(a_value_listed_twice_warns)
{
    static const char yaml[] = "program: t.py\n"
                               "parameters:\n"
                               "  x: {values: [0.1, 0.5, 0.1]}\n"
                               "  n: {values: [1, 1.0]}\n"
                               "  s: {values: ['1', 1]}\n"
                               "  b: {values: [1, true, 0, false]}\n";
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "d.yaml", &spec, &err), 0);
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL && spec->warnings[1] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "d.yaml:3:3: parameters.x: values lists 0.1 more than "
                                         "once (items 1 and 3)");
    ES_CHECK_CONTAINS(spec->warnings[0], "the Bayesian search counts it once");
    ES_CHECK_CONTAINS(spec->warnings[1], "d.yaml:4:3: parameters.n: values lists 1.0 more than "
                                         "once (items 1 and 2)");
    ES_CHECK(spec->warnings[2] == NULL); /* s and b are fine: True is not 1 to a program */
    es_spec_free(spec);
}

/* Every bad entry of objectives and constraints is listed, not only the
 * first (validate stopped at objectives[0]). */
ES_TEST(parse_file_all_lists_every_bad_entry_of_a_list)
{
    es_test_write_file("lists.yaml", "program: t.py\n"
                                     "parameters:\n  lr: {min: 0.1, max: 1}\n"
                                     "objectives: [{name: a}, {name: b}]\n"
                                     "constraints: [{name: a}, {name: b, min: 2, max: 1}]\n");
    es_err err;
    size_t n;
    char **errors = all_errors("lists.yaml", &n, &err);
    ES_CHECK_INT(n, 4);
    ES_CHECK_CONTAINS(errors[0], "objectives[0]: missing required key 'goal'");
    ES_CHECK_CONTAINS(errors[1], "objectives[1]: missing required key 'goal'");
    ES_CHECK_CONTAINS(errors[2], "constraints[0]: constrains nothing");
    ES_CHECK_CONTAINS(errors[3], "constraints[1]: min 2 is above max 1");
    es_strv_free(errors);
}

/* A name only a JSON line can carry is a warning that says so (trials
 * printing acc@1=0.9 failed with "never reported"); a name the text form
 * reads is not. */
ES_TEST(a_name_only_json_can_report_warns)
{
    static const char yaml[] = "program: t.py\n"
                               "parameters: {lr: {min: 0.1, max: 1}}\n"
                               "objectives:\n"
                               "  - {name: acc@1, goal: maximize}\n"
                               "  - {name: val/loss-2.b, goal: minimize}\n"
                               "constraints: [{name: val loss, max: 3}, {name: acc@1, min: 0}]\n";
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "w.yaml", &spec, &err), 0);
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL && spec->warnings[1] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "w.yaml: 'acc@1' cannot be reported on a name=value line");
    ES_CHECK_CONTAINS(spec->warnings[0], "{\"acc@1\": 0.5}");
    ES_CHECK_CONTAINS(spec->warnings[1], "'val loss'");
    ES_CHECK(spec->warnings[2] == NULL);
    es_spec_free(spec);
}

/* A constraint said twice, and one only an exact value keeps, are said;
 * the name check reaches the 65th constraint too (a 68-name array once
 * stopped before it). */
ES_TEST(constraints_repeated_or_exact_warn)
{
    char yaml[8192];
    int k = snprintf(yaml, sizeof yaml,
                     "program: t.py\nmetric: {name: loss, goal: minimize}\n"
                     "parameters: {lr: {min: 0.1, max: 1}}\nconstraints:\n"
                     "  - {name: c, max: 1}\n  - {name: c, max: 1}\n"
                     "  - {name: r, min: 0.7, max: 0.7}\n");
    for (int i = 0; i < 64; i++)
        k += snprintf(yaml + k, sizeof yaml - (size_t)k, "  - {name: k%d, max: 1}\n", i);
    snprintf(yaml + k, sizeof yaml - (size_t)k, "  - {name: bad name, max: 1}\n");
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "w.yaml", &spec, &err), 0);
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL && spec->warnings[1] != NULL &&
             spec->warnings[2] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "'bad name' cannot be reported");
    ES_CHECK_CONTAINS(spec->warnings[1], "constraints[1] repeats constraints[0] (c)");
    ES_CHECK_CONTAINS(spec->warnings[2], "constraints[2]: min and max of r are both 0.7");
    ES_CHECK(spec->warnings[3] == NULL);
    es_spec_free(spec);
}

/* Early termination beside several objectives watches one: said where
 * the key is, with the objective's name. */
ES_TEST(early_termination_with_objectives_warns)
{
    static const char yaml[] = "program: t.py\n"
                               "parameters: {lr: {min: 0.1, max: 1}}\n"
                               "objectives:\n"
                               "  - {name: energy.kwh, goal: minimize}\n"
                               "  - {name: val_loss, goal: minimize}\n"
                               "early_terminate: {type: median}\n";
    es_spec *spec;
    es_err err;
    ES_CHECK_INT(es_spec_parse_string(yaml, strlen(yaml), "w.yaml", &spec, &err), 0);
    ES_CHECK_STR(spec->metric_name, "val_loss");
    ES_CHECK(spec->warnings != NULL && spec->warnings[0] != NULL);
    ES_CHECK_CONTAINS(spec->warnings[0], "w.yaml:6:1: early_terminate: compares trials on "
                                         "val_loss alone");
    es_spec_free(spec);
}

/* A resume refused for its objectives names each change, as for the
 * parameters; it used to say only "objectives or constraints changed". */
ES_TEST(spec_diff_names_objective_changes)
{
    static const char a_yaml[] = "program: t.py\nparameters: {lr: {min: 0.1, max: 1}}\n"
                                 "objectives: [{name: loss, goal: minimize}, "
                                 "{name: energy.kwh, goal: minimize}]\n"
                                 "constraints: [{name: wall_s, max: 60}]\n";
    static const char b_yaml[] = "program: t.py\nparameters: {lr: {min: 0.1, max: 1}}\n"
                                 "objectives: [{name: loss, goal: minimize}, "
                                 "{name: energy.kwh, goal: maximize, ref: 2}]\n"
                                 "constraints: [{name: wall_s, max: 90}]\n";
    es_spec *a, *b;
    es_err err;
    char changed[512], safe[256];
    ES_CHECK_INT(es_spec_parse_string(a_yaml, strlen(a_yaml), "a.yaml", &a, &err), 0);
    ES_CHECK_INT(es_spec_parse_string(b_yaml, strlen(b_yaml), "b.yaml", &b, &err), 0);
    ES_CHECK_INT(es_spec_diff(a, b, changed, sizeof changed, safe, sizeof safe), 3);
    ES_CHECK_CONTAINS(changed, "objectives[1].goal: minimize -> maximize");
    ES_CHECK_CONTAINS(changed, "objectives[1].ref: none -> 2");
    ES_CHECK_CONTAINS(changed, "constraints[0].max: 60 -> 90");
    es_spec_free(b);
    /* One added, and a bound moved by less than %g shows. */
    static const char c_yaml[] = "program: t.py\nparameters: {lr: {min: 0.1, max: 1}}\n"
                                 "objectives: [{name: loss, goal: minimize}, "
                                 "{name: energy.kwh, goal: minimize}, {name: wall_s, goal: "
                                 "minimize}]\n"
                                 "constraints: [{name: wall_s, max: 60.0000001}]\n";
    ES_CHECK_INT(es_spec_parse_string(c_yaml, strlen(c_yaml), "c.yaml", &b, &err), 0);
    es_spec_diff(a, b, changed, sizeof changed, safe, sizeof safe);
    ES_CHECK_CONTAINS(changed, "objectives[2]: wall_s added");
    ES_CHECK_CONTAINS(changed, "constraints[0].max: 60 -> 60.0000001");
    es_spec_free(a);
    es_spec_free(b);
}

/* What may change on resume and what may not, as es_spec_diff says it:
 * parallel (and the attribution that follows it) and metric.target may,
 * and are said; env in another order is the same env; a seed, a
 * constant's value or the early-termination rule may not, and are said
 * with both sides. */
ES_TEST(spec_diff_tells_safe_from_unsafe)
{
    static const char a_yaml[] = "program: t.py\nmetric: {name: loss}\n"
                                 "env: {remove: [B, C], set: {A: '1', D: '2'}}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n";
    static const char b_yaml[] = "program: t.py\nmetric: {name: loss, target: 0.1}\nparallel: 2\n"
                                 "env: {remove: [C, B], set: {D: '2', A: '1'}}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n";
    static const char c_yaml[] = "program: t.py\nmetric: {name: loss}\nseed: 5\n"
                                 "env: {remove: [B, C], set: {A: '1', D: '3'}}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n";
    es_spec *a, *b, *c;
    es_err err;
    char changed[512], safe[512];
    ES_CHECK_INT(es_spec_parse_string(a_yaml, strlen(a_yaml), "a.yaml", &a, &err), 0);
    ES_CHECK_INT(es_spec_parse_string(b_yaml, strlen(b_yaml), "b.yaml", &b, &err), 0);
    ES_CHECK_INT(es_spec_parse_string(c_yaml, strlen(c_yaml), "c.yaml", &c, &err), 0);
    ES_CHECK_INT(es_spec_diff(a, b, changed, sizeof changed, safe, sizeof safe), 0);
    ES_CHECK_STR(changed, "");
    ES_CHECK_CONTAINS(safe, "attribution exclusive -> shared");
    ES_CHECK_CONTAINS(safe, "metric.target none -> set");
    ES_CHECK_CONTAINS(safe, "parallel 1 -> 2");
    ES_CHECK_INT(es_spec_diff(a, c, changed, sizeof changed, safe, sizeof safe), 2);
    ES_CHECK_CONTAINS(changed, "seed none -> 5");
    ES_CHECK_CONTAINS(changed, "env.set changed");
    es_spec_free(b);
    /* A constant's value and the rule are named with both sides. */
    static const char e_yaml[] = "program: t.py\nmetric: {name: loss}\n"
                                 "env: {remove: [B, C], set: {A: '1', D: '2'}}\n"
                                 "early_terminate: {type: hyperband, max_iter: 27, s: 2}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n  epochs: {value: 27}\n";
    static const char f_yaml[] = "program: t.py\nmetric: {name: loss}\n"
                                 "env: {remove: [B, C], set: {A: '1', D: '2'}}\n"
                                 "early_terminate: {type: asha, min_iter: 3}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n  epochs: {value: 18}\n";
    es_spec *e, *f;
    ES_CHECK_INT(es_spec_parse_string(e_yaml, strlen(e_yaml), "e.yaml", &e, &err), 0);
    ES_CHECK_INT(es_spec_parse_string(f_yaml, strlen(f_yaml), "f.yaml", &f, &err), 0);
    ES_CHECK_INT(es_spec_diff(e, f, changed, sizeof changed, safe, sizeof safe), 2);
    ES_CHECK_CONTAINS(changed, "early_terminate: hyperband max_iter=27 s=2 eta=3 strict=false -> "
                               "asha min_iter=3 eta=3");
    ES_CHECK_CONTAINS(changed, "parameters.epochs: value 27 -> 18");
    ES_CHECK_INT(es_spec_diff(a, e, changed, sizeof changed, safe, sizeof safe), 2);
    ES_CHECK_CONTAINS(changed, "early_terminate: none -> hyperband");
    es_spec_free(e);
    es_spec_free(f);
    /* What a sweep learnt from chose its first trials: another warm_start
     * is another sweep. */
    static const char w_yaml[] = "program: t.py\nmetric: {name: loss}\nwarm_start: [s1]\n"
                                 "env: {remove: [B, C], set: {A: '1', D: '2'}}\n"
                                 "parameters:\n  x: {min: 0, max: 1}\n";
    ES_CHECK_INT(es_spec_parse_string(w_yaml, strlen(w_yaml), "w.yaml", &b, &err), 0);
    ES_CHECK_INT(es_spec_diff(a, b, changed, sizeof changed, safe, sizeof safe), 1);
    ES_CHECK_CONTAINS(changed, "warm_start auto -> [s1]");
    es_spec_free(a);
    es_spec_free(b);
    es_spec_free(c);
}

/* Shapes that made the parser take minutes, refused at once with their
 * place: flow collections nested past ES_SPEC_MAX_DEPTH (libyaml is
 * quadratic in the depth: 100,000 levels took 49 s), nested parameter
 * blocks that aliases multiply (each level twice the one below), and more
 * than ES_SPEC_MAX_PARAMS parameters (a flat 100k took 53 s: the
 * duplicate-key check was quadratic). */
ES_TEST(hostile_spec_shapes_are_refused_at_once)
{
    es_spec *spec;
    es_err err;
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    ES_CHECK(text != NULL);

    int n = snprintf(text, cap, "program: p.py\nparameters:\n  x: ");
    for (int i = 0; i < 100000; i++)
        text[n++] = '[';
    for (int i = 0; i < 100000; i++)
        text[n++] = ']';
    text[n] = '\0';
    ES_CHECK_INT(es_spec_parse_string(text, (size_t)n, "deep.yaml", &spec, &err), ES_ESPEC);
    ES_CHECK_STR(err.msg, "deep.yaml:3:70: lists and mappings nested deeper than 64 levels");

    n = snprintf(text, cap,
                 "program: p.py\nparameters:\n"
                 "  b0: &b0 {parameters: {a: {value: 1}, b: {value: 2}}}\n");
    for (int i = 1; i <= 40; i++)
        n += snprintf(text + n, cap - (size_t)n, "  b%d: &b%d {parameters: {x: *b%d, y: *b%d}}\n",
                      i, i, i - 1, i - 1);
    ES_CHECK_INT(es_spec_parse_string(text, (size_t)n, "laughs.yaml", &spec, &err), ES_ESPEC);
    ES_CHECK_CONTAINS(err.msg, "more than 10000 parameters");

    n = snprintf(text, cap, "program: p.py\nparameters:\n");
    for (int i = 0; i < 20000; i++)
        n += snprintf(text + n, cap - (size_t)n, "  p%d: {value: %d}\n", i, i);
    ES_CHECK_INT(es_spec_parse_string(text, (size_t)n, "flat.yaml", &spec, &err), ES_ESPEC);
    ES_CHECK_CONTAINS(err.msg, "flat.yaml:10003:3: parameters.p10000: more than 10000 parameters");

    /* Duplicates among many keys are still each named, in order. */
    n = snprintf(text, cap, "program: p.py\nparameters:\n");
    for (int i = 0; i < 5000; i++)
        n += snprintf(text + n, cap - (size_t)n, "  p%d: {value: %d}\n", i % 4000, i);
    char **errors, path[4096];
    es_test_write_file("dup.yaml", text);
    snprintf(path, sizeof path, "%s/dup.yaml", es_test_tmpdir());
    ES_CHECK_INT(es_spec_parse_file_all(path, &spec, &errors, &err), ES_ESPEC);
    size_t k = 0;
    while (errors[k] != NULL)
        k++;
    ES_CHECK_INT(k, 1000);
    ES_CHECK_CONTAINS(errors[0], "dup.yaml:4003:3: parameters: duplicate key 'p0' (first given "
                                 "at line 3)");
    es_strv_free(errors);
    free(text);
}
