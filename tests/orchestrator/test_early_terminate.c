/*
 * test_early_terminate.c -- early termination through the real `ecosweep`
 * and `ecosweep-worker` binaries, with tests/orchestrator/trial.sh in mode
 * curve as the trial (loss = x + 1/k at step k, so a large x is visibly bad
 * from the first step): hyperband, median and asha stop the losing trials,
 * record them as pruned with the step they reached, their last value and
 * their energy, leave no process behind, never count them as failures,
 * and the report's energy-saved figures add up; a resumed sweep's pruner
 * decides as an uninterrupted one would; the W&B documentation's example
 * spec runs unchanged.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "report_int.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4200];

/* Write a spec running trial.sh in mode curve with the parameters in
 * params (lines of the parameters block, x first; NULL: x uniform on
 * [0, 1], 9 steps 0.05 s apart), plus body; the database is dbname in the test's
 * directory. */
static const char *write_spec(const char *name, const char *dbname, const char *params,
                              const char *body)
{
    const char *path = es_sx_path(name);
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fprintf(f,
            "program: %s/tests/orchestrator/trial.sh\n"
            "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
            "metric: {name: loss, goal: minimize}\n"
            "parameters:\n%s  mode: {value: curve}\n%s",
            es_test_source_dir(),
            params ? params : "  x: {min: 0.0, max: 1.0}\n  sleep: {value: 0.05}\n", body);
    fclose(f);
    snprintf(db, sizeof db, "%s/%s", es_test_tmpdir(), dbname);
    return path;
}

/* `ecosweep ARGS --db DB`, plus run's options for a run. */
static pid_t start(const char *const *args)
{
    static const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    return es_sx_start(db, args, strcmp(args[0], "run") == 0 ? extra : NULL);
}

static int run(const char *const *args)
{
    int rc = es_sx_finish(start(args));
    if (rc != 0)
        es_sx_show_output();
    return rc;
}

static es_store_sweep *only_sweep(es_store_data *d)
{
    ES_CHECK(d->n_projects == 1 && d->projects[0].n_sweeps == 1);
    return &d->projects[0].sweeps[0];
}

static double param_x(const es_store_trial *t)
{
    double x = NAN;
    ES_CHECK(sscanf(t->params_json, "{\"x\":%lf", &x) == 1);
    return x;
}

static const es_store_metric *metric_of(const es_store_trial *t, const char *name)
{
    for (size_t i = 0; i < t->n_metrics; i++)
        if (strcmp(t->metrics[i].name, name) == 0)
            return &t->metrics[i];
    return NULL;
}

/* What every pruned trial of a finished sweep must show, and how many
 * there were: a step short of the end, a reason naming where the rule
 * applied (word: "bracket", "rung", "median"), its last value kept as its
 * objective and in the history, its energy; the best trial is the best
 * configuration (the curves never cross) and completed. */
static int check_pruned(const es_store_sweep *sw, const char *word, int steps)
{
    int pruned = 0;
    const es_store_trial *best = NULL;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (best == NULL || param_x(t) < param_x(best))
            best = t;
        if (strcmp(t->status, "pruned") != 0) {
            ES_CHECK_STR(t->status, "completed");
            ES_CHECK_INT(t->pruned_step, -1);
            ES_CHECK_INT(t->steps, steps);
            continue;
        }
        pruned++;
        ES_CHECK(t->pruned_step >= 1 && t->pruned_step < steps);
        ES_CHECK_CONTAINS(t->reason, word);
        const es_store_metric *m = metric_of(t, "loss");
        ES_CHECK(m != NULL);
        ES_CHECK_INT(m->step, t->pruned_step);
        ES_CHECK_NEAR(t->objective, m->value, 0);
        ES_CHECK_NEAR(t->objective, param_x(t) + 1.0 / (double)t->pruned_step, 1e-5);
        ES_CHECK_INT(t->cpu.method, ES_EM_ESTIMATE);
        ES_CHECK(t->cpu.j >= 0 && es_account_joules(&t->cpu, &t->dram, &t->gpu) > 0);
    }
    ES_CHECK_STR(best->status, "completed");
    return pruned;
}

/* The report's early-termination figures add up: per trial used + saved
 * = estimated full cost, and the sweep's figures are the sums over its
 * pruned trials; the text and JSON reports say so. */
static void check_energy_saved(const es_store_sweep *sw, int pruned, int steps)
{
    es_rep_prune p;
    double used = 0, saved = 0, full = 0, low = 0, high = 0;
    int own = 0;
    es_rep_prune_of(sw, &p);
    ES_CHECK_INT(p.pruned, pruned);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        double j = es_account_joules(&t->cpu, &t->dram, &t->gpu);
        es_rep_prune_est e;
        es_rep_prune_trial(&p, t, &e);
        double f = e.full_j, s = e.saved_j;
        if (strcmp(t->status, "pruned") != 0) {
            ES_CHECK(isnan(f) && isnan(s));
            continue;
        }
        ES_CHECK_NEAR(j + s, f, 1e-9 * f);
        /* At its own pace, or at the median; within its range. */
        if (!e.own)
            ES_CHECK_NEAR(s, p.j_per_step * (steps - t->pruned_step), 1e-9 * s);
        ES_CHECK(s > 0 && e.low_j <= s * (1 + 1e-12) && s <= e.high_j * (1 + 1e-12));
        used += j;
        saved += s;
        full += f;
        low += e.low_j;
        high += e.high_j;
        own += e.own;
    }
    ES_CHECK(p.j_per_step > 0);
    ES_CHECK_NEAR(p.final_step, steps, 0);
    ES_CHECK_INT(p.own_pace, own);
    ES_CHECK_NEAR(p.used_j, used, 1e-9 * used);
    ES_CHECK_NEAR(p.saved_j, saved, 1e-9 * saved);
    ES_CHECK_NEAR(p.saved_low_j, low, 1e-9 * saved);
    ES_CHECK_NEAR(p.saved_high_j, high, 1e-9 * saved);
    ES_CHECK_NEAR(p.full_j, full, 1e-9 * full);
    ES_CHECK_NEAR(p.used_j + p.saved_j, p.full_j, 1e-9 * full);

    const char *const text_args[] = {"report", NULL};
    ES_CHECK_INT(run(text_args), 0);
    char line[160];
    snprintf(line, sizeof line, "early termination: %d trials pruned, which used", pruned);
    const char *text = es_sx_slurp(es_sx_path("stdout"));
    ES_CHECK_CONTAINS(text, line);
    ES_CHECK_CONTAINS(text, "energy saved by early termination: about");
    ES_CHECK_CONTAINS(text, "(an estimate per configuration: each pruned trial's power");
    ES_CHECK_CONTAINS(text, "energy by rung (estimate): before ");
    const char *const json_args[] = {"report", "--format", "json", NULL};
    ES_CHECK_INT(run(json_args), 0);
    text = es_sx_slurp(es_sx_path("stdout"));
    snprintf(line, sizeof line, "\"rungs\": [{\"at\": 0, \"reached\": %zu, ", sw->n_trials);
    ES_CHECK_CONTAINS(text, line);
    snprintf(line, sizeof line, "\"early_termination\": {\"pruned\": %d, \"used_j\": ", pruned);
    ES_CHECK_CONTAINS(text, line);
    ES_CHECK_CONTAINS(text, "\"statistic\": \"median\"");
}

ES_TEST(hyperband_prunes_losing_trials)
{
    /* max_failed: 1 -- pruned trials are no failures and never end the sweep. */
    const char *spec = write_spec("hb.yaml", "hb.db", NULL,
                                  "name: hb\nmethod: random\nseed: 4\nrun_cap: 12\nparallel: 2\n"
                                  "max_failed: 1\n"
                                  "early_terminate: {type: hyperband, min_iter: 1, eta: 3}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    const char *out = es_sx_slurp(es_sx_path("stdout"));
    ES_CHECK_CONTAINS(out, "sweep hb finished: run_cap reached (12 trials)");
    ES_CHECK_CONTAINS(out, " 0 failed, 0 timed out, ");
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 12);
    int pruned = check_pruned(sw, "bracket", 9);
    ES_CHECK(pruned >= 4);
    char summary[64];
    snprintf(summary, sizeof summary, ", %d pruned", pruned);
    ES_CHECK_CONTAINS(out, summary);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "pruned at step ");
    es_sx_wait_orphans_gone(db);
    check_energy_saved(sw, pruned, 9);
    es_store_data_free(d);
}

/* A pruned trial that ignores SIGTERM, as does the child it sleeps in,
 * is killed after the grace period and leaves nothing behind: the stop
 * goes to the trial's whole process group.  Trial 0 (x = 0) runs to the
 * end; trial 1 (x = 0.9) is pruned at its first report (1.9 against trial
 * 0's 1.0 at bracket 1), in a 2 s sleep. */
ES_TEST(pruned_trial_leaves_no_process)
{
    const char *spec = write_spec("slow.yaml", "slow.db",
                                  "  x: {values: [0.0, 0.9]}\n  steps: {value: 2}\n"
                                  "  sleep: {value: 2}\n  stubborn: {value: true}\n",
                                  "name: slow\nmethod: grid\n"
                                  "early_terminate: {type: hyperband, min_iter: 1, eta: 3}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_sx_wait_orphans_gone(db);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    ES_CHECK_INT(sw->n_trials, 2);
    ES_CHECK_STR(sw->trials[0].status, "completed");
    const es_store_trial *t = &sw->trials[1];
    ES_CHECK_STR(t->status, "pruned");
    ES_CHECK_INT(t->pruned_step, 1);
    ES_CHECK_NEAR(t->objective, 1.9, 1e-9);
    ES_CHECK_CONTAINS(t->reason, "at bracket 1 (cutoff 1 over 2 trials)");
    ES_CHECK_INT(t->term_signal, SIGKILL); /* SIGTERM was ignored */
    ES_CHECK(t->wall_s < 2.5);             /* stopped, not run to its 4 s */
    ES_CHECK(t->cpu.method == ES_EM_ESTIMATE);
    es_store_data_free(d);
}

ES_TEST(median_rule_end_to_end)
{
    const char *spec =
        write_spec("med.yaml", "med.db", NULL,
                   "name: med\nmethod: random\nseed: 3\nrun_cap: 8\n"
                   "early_terminate: {type: median, min_steps: 2, startup_trials: 2}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_sx_wait_orphans_gone(db);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    ES_CHECK_INT(sw->n_trials, 8);
    int pruned = check_pruned(sw, "the median", 9);
    ES_CHECK(pruned >= 1);
    /* No stop before two trials completed, nor before step 2. */
    ES_CHECK_STR(sw->trials[0].status, "completed");
    ES_CHECK_STR(sw->trials[1].status, "completed");
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strcmp(sw->trials[i].status, "pruned") == 0)
            ES_CHECK(sw->trials[i].pruned_step >= 2);
    check_energy_saved(sw, pruned, 9);
    es_store_data_free(d);
}

ES_TEST(asha_end_to_end)
{
    /* Rungs at steps 1 and 3 (9 = max_iter is where survivors finish). */
    const char *spec =
        write_spec("asha.yaml", "asha.db", NULL,
                   "name: asha\nmethod: random\nseed: 5\nrun_cap: 9\nparallel: 2\n"
                   "early_terminate: {type: asha, min_iter: 1, eta: 3, max_iter: 9}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_sx_wait_orphans_gone(db);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    ES_CHECK_INT(sw->n_trials, 9);
    int pruned = check_pruned(sw, "rung", 9);
    ES_CHECK(pruned >= 3);
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strcmp(sw->trials[i].status, "pruned") == 0)
            ES_CHECK(sw->trials[i].pruned_step == 1 || sw->trials[i].pruned_step == 3);
    check_energy_saved(sw, pruned, 9);
    es_store_data_free(d);
}

/* Reports without a step are counted (W&B's hyperband counts reports). */
ES_TEST(unstepped_reports_are_counted)
{
    const char *spec =
        write_spec("ns.yaml", "ns.db",
                   "  x: {min: 0.0, max: 1.0}\n  sleep: {value: 0.05}\n  nostep: {value: true}\n",
                   "name: ns\nmethod: random\nseed: 4\nrun_cap: 6\n"
                   "early_terminate: {type: hyperband, min_iter: 2, eta: 3}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    int pruned = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (strcmp(t->status, "pruned") == 0) {
            pruned++;
            /* Counted reports, up to the lines that came after the stop. */
            ES_CHECK(t->pruned_step >= 2 && t->pruned_step < 9);
            ES_CHECK(strstr(t->reason, "at bracket 2 ") || strstr(t->reason, "at bracket 6 "));
            ES_CHECK_INT(metric_of(t, "loss")->step, -1);
        } else {
            ES_CHECK_INT(t->steps, 9); /* its 9 reports */
        }
    }
    ES_CHECK(pruned >= 1);
    es_store_data_free(d);
}

/* Run the sweep of body whole, then again cut by SIGTERM once `cut`
 * trials have ended and resumed; every number of the whole run's trials
 * must have run with the same configuration (params_json) to the same
 * status and step in the resumed one; the whole run said each of says
 * (NULL-terminated; NULL: nothing to check).  Returns how many were
 * pruned. */
static int check_resumed_as_whole(const char *body, int cut, const char *const *says)
{
    const char *spec = write_spec("rs.yaml", "whole.db", NULL, body);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    for (; says != NULL && *says != NULL; says++)
        ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), *says);
    es_store_data *whole = es_sx_load(db);

    char cut_spec[4400];
    snprintf(cut_spec, sizeof cut_spec, "%s", write_spec("rs.yaml", "cut.db", NULL, body));
    spec = cut_spec;              /* es_sx_path's buffers rotate */
    unlink(es_sx_path("stderr")); /* not the first run's */
    pid_t pid = start((const char *[]){"run", spec, NULL});
    for (int i = 0; i < 3000; i++) {
        const char *err = es_sx_slurp(es_sx_path("stderr"));
        int ended = 0;
        for (const char *p = err; p != NULL && (p = strstr(p, "\ntrial ")) != NULL; p++)
            ended++;
        if (ended >= cut)
            break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGTERM);
    ES_CHECK_INT(es_sx_finish(pid), 143);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "resuming sweep rs");
    es_sx_wait_orphans_gone(db);
    es_store_data *cutd = es_sx_load(db);

    const es_store_sweep *a = only_sweep(whole), *b = only_sweep(cutd);
    int pruned = 0, lost = 0;
    for (size_t i = 0; i < a->n_trials; i++) {
        const es_store_trial *ta = &a->trials[i], *tb = NULL;
        for (size_t k = 0; k < b->n_trials; k++)
            if (b->trials[k].number == ta->number && strcmp(b->trials[k].status, "lost") != 0)
                tb = &b->trials[k];
        ES_CHECK(tb != NULL);
        if (strcmp(tb->params_json, ta->params_json) != 0)
            ES_FAIL("trial %lld ran %s resumed, %s whole", (long long)ta->number, tb->params_json,
                    ta->params_json);
        ES_CHECK_STR(tb->status, ta->status);
        ES_CHECK_INT(tb->pruned_step, ta->pruned_step);
        pruned += strcmp(ta->status, "pruned") == 0;
    }
    for (size_t k = 0; k < b->n_trials; k++)
        lost += strcmp(b->trials[k].status, "lost") == 0;
    ES_CHECK_INT(b->n_trials, a->n_trials + (size_t)lost);
    es_store_data_free(whole);
    es_store_data_free(cutd);
    return pruned;
}

/* Interrupted and resumed, a sweep prunes exactly the trials an
 * uninterrupted one prunes: the resumed pruner is fed the stored history
 * (parallel 1 and random search: the same configurations in the same
 * order, and the curves are deterministic). */
ES_TEST(resumed_sweep_prunes_as_before)
{
    ES_CHECK(check_resumed_as_whole("name: rs\nmethod: random\nseed: 9\nrun_cap: 10\n"
                                    "early_terminate: {type: hyperband, min_iter: 1, eta: 2}\n",
                                    4, NULL) >= 3);
}

/* Bayes with hyperband learns the pruned trials' values at the brackets
 * (model-based multi-fidelity), and says which level it learns from;
 * resumed, its search is fed them again, so that it suggests what the
 * uninterrupted sweep did, trial for trial. */
ES_TEST(resumed_bayes_learns_the_levels_as_before)
{
    ES_CHECK(check_resumed_as_whole(
                 "name: rs\nmethod: bayes\nseed: 4\nrun_cap: 14\n"
                 "early_terminate: {type: hyperband, min_iter: 1, eta: 2}\n",
                 8,
                 (const char *[]){"bayes learns loss from the completed trials' results", NULL}) >=
             3);
}

/* The W&B documentation's example spec, early_terminate included, exactly
 * as W&B shows it (plus run_cap, what `wandb agent --count` sets), with a
 * train.py that logs val_loss once per epoch. */
ES_TEST(wandb_example_spec_runs_unchanged)
{
    const char *train = es_sx_path("train.py");
    FILE *f = fopen(train, "w");
    ES_CHECK(f != NULL);
    fputs("import argparse, math, time\n"
          "ap = argparse.ArgumentParser()\n"
          "ap.add_argument('--learning_rate', type=float)\n"
          "ap.add_argument('--optimizer')\n"
          "a = ap.parse_args()\n"
          "floor = abs(math.log10(a.learning_rate) + 2) + (0.3 if a.optimizer == 'sgd' else 0)\n"
          "for epoch in range(1, 10):\n"
          "    time.sleep(0.03)\n"
          "    print(f'val_loss={floor + 1.0 / epoch:.6f}', flush=True)\n",
          f);
    fclose(f);
    const char *spec = es_sx_path("sweep.yaml");
    f = fopen(spec, "w");
    ES_CHECK(f != NULL);
    fputs("program: train.py\n"
          "method: bayes\n"
          "metric:\n"
          "  name: val_loss\n"
          "  goal: minimize\n"
          "parameters:\n"
          "  learning_rate:\n"
          "    min: 0.0001\n"
          "    max: 0.1\n"
          "  optimizer:\n"
          "    values: [\"adam\", \"sgd\"]\n"
          "early_terminate:\n"
          "  type: hyperband\n"
          "  min_iter: 3\n"
          "run_cap: 8\n",
          f);
    fclose(f);
    snprintf(db, sizeof db, "%s/wandb.db", es_test_tmpdir());
    es_spec *parsed = NULL;
    es_err err;
    if (es_spec_parse_file(spec, &parsed, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_INT(parsed->early_terminate.type, ES_PRUNE_HYPERBAND);
    ES_CHECK_INT(parsed->early_terminate.min_iter, 3);
    ES_CHECK_NEAR(parsed->early_terminate.eta, 3, 0);
    es_spec_free(parsed);
    /* The spec has no seed (W&B's has none): a fixed one from the command
     * line makes the sweep the same every time. */
    ES_CHECK_INT(run((const char *[]){"run", spec, "--seed", "1", NULL}), 0);
    es_sx_wait_orphans_gone(db);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = only_sweep(d);
    ES_CHECK_INT(sw->n_trials, 8);
    int pruned = 0, completed = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        pruned += strcmp(t->status, "pruned") == 0;
        completed += strcmp(t->status, "completed") == 0;
        if (strcmp(t->status, "pruned") == 0) {
            ES_CHECK(t->pruned_step == 3 || t->pruned_step == 4 || t->pruned_step == 9);
            ES_CHECK_CONTAINS(t->reason, "at bracket");
        }
    }
    ES_CHECK_INT(pruned + completed, 8);
    ES_CHECK(pruned >= 1 && completed >= 1);
    es_store_data_free(d);
}
