/*
 * test_budget.c -- whole sweeps under energy budgets through the real
 * binaries: admission and exhaustion within one sweep, a project's budget
 * across its sweeps and shared by sweeps running at once (reservations,
 * waiting), and reuse and the first trials' failures counted across
 * sweeps.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"
#include "sweep_spec.h"

/* With an energy budget, a trial is launched only when its forecast fits
 * what is left: the sweep ends before spending more than the cap. */
ES_TEST(energy_budget_admits_only_what_fits)
{
    /* Each trial burns ~0.3 CPU-s = ~3.6 J at 12 W/core; the cap is ~11 J
     * at the device (5e-6 kWh at the wall, PUE 1.58). */
    const char *spec = write_spec("e.yaml", "method: random\nrun_cap: 20\n"
                                            "budget: {kwh: 0.000005}\n"
                                            "energy: {cpu_watts_per_core: 12}\n"
                                            "parameters:\n  mode: {value: burn}\n"
                                            "  x: {min: 0.0, max: 1.0}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    double cap = 0.000005 * 3.6e6 / 1.58;
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_CONTAINS(sw->reason, "budget would be exceeded");
    ES_CHECK_CONTAINS(sw->reason, "of the sweep's kWh cap of 5e-06 kWh");
    ES_CHECK(sw->n_trials >= 1 && sw->n_trials < 20);
    /* Admission trusts a 95% forecast learnt from the trials so far; on a
     * loaded machine a trial can use more CPU than the ones before it, and
     * then the sweep ends over the cap by less than one trial (0.3 CPU-s,
     * 3.6 J), recorded as its overshoot. */
    double spent = sweep_joules(sw);
    if (spent > cap) {
        ES_CHECK(spent - cap < 3.7);
        ES_CHECK_NEAR(sw->overshoot_j, spent - cap, 1e-6);
    } else {
        ES_CHECK_NEAR(sw->overshoot_j, 0, 0);
    }
    es_store_data_free(d);
}

/* on_exhaust: kill stops the running trial once spending reaches the cap,
 * within about one sampling interval. */
ES_TEST(energy_budget_kill_stops_running_trials)
{
    /* One trial would burn 6 CPU-s (~72 J); the cap is ~20 J. */
    const char *spec = write_spec("k.yaml", "method: random\nrun_cap: 3\n"
                                            "budget: {kwh: 0.00000878, on_exhaust: kill}\n"
                                            "energy: {cpu_watts_per_core: 12}\n"
                                            "parameters:\n  mode: {value: burn}\n"
                                            "  secs: {value: 6}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    double cap = 0.00000878 * 3.6e6 / 1.58;
    ES_CHECK_INT(sw->n_trials, 1);
    ES_CHECK_STR(sw->trials[0].status, "budget_stopped");
    ES_CHECK_CONTAINS(sw->reason, "energy budget reached");
    /* Overshoot: at most one 1 s sample of one busy core, plus the grace. */
    ES_CHECK(sweep_joules(sw) < cap + 12 * 1.5 + 12 * 0.5);
    ES_CHECK(sw->trials[0].cpu_s < 4.5); /* it would have burnt 6 s */
    es_store_data_free(d);
}

/* A configuration the project already completed is not run again: its
 * result is reused at no energy cost, unless --no-reuse. */
ES_TEST(completed_configurations_are_reused)
{
    const char *spec = write_spec("r.yaml", "method: grid\nproject: p\n"
                                            "parameters:\n  x: {values: [0.25, 0.75]}\n"
                                            "  mode: {value: burn}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", spec, NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "2 completed by reusing earlier results");
    /* Without --reuse (W&B and Optuna never reuse) every trial runs, and
     * the summary says once what reuse would have saved. */
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")),
                      "2 trials ran a configuration the project had already completed with the "
                      "same command and inputs; --reuse (or reuse: true) would have reused "
                      "their results");
    es_store_data *d = load();
    es_store_sweep *first = sweep_of(d, 0), *again = sweep_of(d, 1), *fresh = sweep_of(d, 2);
    for (size_t i = 0; i < 2; i++) {
        ES_CHECK_STR(again->trials[i].status, "completed");
        ES_CHECK_INT(again->trials[i].reused_from, first->trials[i].id);
        ES_CHECK_NEAR(again->trials[i].objective, first->trials[i].objective, 0);
        ES_CHECK_INT(again->trials[i].cpu.method, ES_EM_NONE); /* nothing was spent */
        ES_CHECK_NEAR(again->trials[i].reused_j, first->trials[i].cpu.j + first->trials[i].dram.j,
                      1e-9);
        ES_CHECK_INT(fresh->trials[i].reused_from, 0);
        ES_CHECK_INT(fresh->trials[i].cpu.method, ES_EM_ESTIMATE);
    }
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"report", "--sweep", "r-2", NULL}), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "energy saved by reuse");
}

/* A project's budget binds its sweeps: a later sweep gets what the earlier
 * ones left.  The cap is set from what the first sweep really spent (CPU
 * time, and so energy, varies with the machine's load), leaving room for
 * about one and a half more trials. */
ES_TEST(project_budget_spans_sweeps)
{
    const char *spec = write_spec("pb.yaml", "method: random\nproject: lab\nrun_cap: 4\n"
                                             "energy: {cpu_watts_per_core: 12}\n"
                                             "parameters:\n  mode: {value: burn}\n"
                                             "  x: {min: 0.0, max: 1.0}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    double spent = sweep_joules(sweep_of(d, 0));
    es_store_data_free(d);
    double cap_j = spent * (1 + 1.5 / 4);
    char cap[64];
    snprintf(cap, sizeof cap, "%.10g", cap_j * 1.58 / 3.6e6);
    ES_CHECK_INT(run((const char *[]){"project", "set", "lab", "--max-kwh", cap, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    d = load();
    es_store_sweep *a = sweep_of(d, 0), *b = sweep_of(d, 1);
    /* The second sweep's first trial runs as a pilot (it has no energy
     * history of its own); after it, a trial is admitted only when its
     * forecast fits what the project has left, and any overshoot is
     * recorded. */
    ES_CHECK_CONTAINS(b->reason, "budget would be exceeded");
    /* It says which budget stopped it: the project's, not the sweep's. */
    ES_CHECK_CONTAINS(b->reason, "remain of project lab's kWh cap of");
    ES_CHECK(b->n_trials >= 1 && b->n_trials <= 2);
    ES_CHECK(isnan(a->overshoot_j)); /* no budget when it ran */
    ES_CHECK(!isnan(b->overshoot_j));
    ES_CHECK_NEAR(b->overshoot_j, fmax(0, sweep_joules(a) + sweep_joules(b) - cap_j), 0.01);
    /* Every trial after the first was launched with a forecast. */
    ES_CHECK(!isnan(a->trials[1].forecast_j) && a->trials[1].forecast_j > 0);
    es_store_data_free(d);
}

/* "The first trials" are the first by number, not by the order they end
 * in: with trials in parallel, trial 0 (slow, completing) ends after
 * trials 1 to 5 failed, and the sweep must go on. */
ES_TEST(first_failures_count_by_trial_number)
{
    const char *spec = write_spec("o.yaml", "method: grid\nparallel: 3\nparameters:\n"
                                            "  mode: {values: [okslow, fail, fail, fail, fail, "
                                            "fail, ok, fail]}\n");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = load();
    es_store_sweep *sw = sweep_of(d, 0);
    ES_CHECK_STR(sw->status, "finished");
    ES_CHECK_INT(sw->n_trials, 8);
    es_store_data_free(d);
}

/* Two sweeps of one project started together share its cap: each sees
 * what the other spent and what its running trials are forecast to use,
 * so together they stay within about one trial of the cap (each alone
 * would have spent all of it: together twice the cap). */
ES_TEST(concurrent_sweeps_share_the_project_budget)
{
    const char *cal = write_spec("cal.yaml", "method: random\nproject: cal\nrun_cap: 3\n"
                                             "energy: {cpu_watts_per_core: 12}\n"
                                             "parameters:\n  mode: {value: burn}\n"
                                             "  secs: {value: 0.6}\n"
                                             "  x: {min: 0.0, max: 1.0}\n");
    ES_CHECK_INT(run((const char *[]){"run", cal, NULL}), 0);
    es_store_data *d = load();
    double per_trial = sweep_joules(sweep_of(d, 0)) / 3;
    es_store_data_free(d);

    const char *spec = write_spec("sh.yaml", "method: random\nproject: shared\nrun_cap: 12\n"
                                             "energy: {cpu_watts_per_core: 12}\n"
                                             "parameters:\n  mode: {value: burn}\n"
                                             "  secs: {value: 0.6}\n"
                                             "  x: {min: 0.0, max: 1.0}\n");
    double cap_j = 6 * per_trial;
    char cap[64];
    snprintf(cap, sizeof cap, "%.10g", cap_j * 1.58 / 3.6e6);
    ES_CHECK_INT(run((const char *[]){"project", "set", "shared", "--max-kwh", cap, NULL}), 0);
    pid_t a = start((const char *[]){"run", spec, "--name", "a", NULL});
    pid_t b = start((const char *[]){"run", spec, "--name", "b", NULL});
    ES_CHECK_INT(finish(a), 0);
    ES_CHECK_INT(finish(b), 0);
    d = load();
    double total = 0;
    int trials = 0;
    for (size_t p = 0; p < d->n_projects; p++)
        if (strcmp(d->projects[p].name, "shared") == 0)
            for (size_t i = 0; i < d->projects[p].n_sweeps; i++) {
                total += sweep_joules(&d->projects[p].sweeps[i]);
                trials += (int)d->projects[p].sweeps[i].n_trials;
                ES_CHECK_CONTAINS(d->projects[p].sweeps[i].reason, "project shared's kWh cap");
            }
    es_store_data_free(d);
    if (getenv("ES_TEST_VERBOSE"))
        fprintf(stderr, "spent %.1f J in %d trials, cap %.1f J, %.1f J a trial\n", total, trials,
                cap_j, per_trial);
    /* Two pilots (no forecast yet) and forecast errors: a trial and a half
     * beyond the cap at most, against six trials beyond it before. */
    if (total > cap_j + 1.5 * per_trial)
        ES_FAIL("the two sweeps spent %.1f J (%d trials) of a %.1f J cap (%.1f J a trial)", total,
                trials, cap_j, per_trial);
}

/* The sweep called name in project, or NULL. */
static es_store_sweep *named(es_store_data *d, const char *project, const char *name)
{
    for (size_t p = 0; p < d->n_projects; p++)
        for (size_t i = 0; strcmp(d->projects[p].name, project) == 0 && i < d->projects[p].n_sweeps;
             i++)
            if (strcmp(d->projects[p].sweeps[i].name, name) == 0)
                return &d->projects[p].sweeps[i];
    return NULL;
}

/* Sweep a (three 2 s trials) runs its third, reserved at its forecast F;
 * then the project's cap is set from what a really spent and forecast
 * (CPU time, and so energy, varies with the machine's load): a's first
 * two trials, F, b's pilot (1 s trials, about F / 2 each) and 0.55 F,
 * short of b's next trial's 95% bound (about 1.5 times its pilot, one
 * observation) until a's reservation is released; then b starts.  Its
 * pid into *b; a's is returned. */
static pid_t a_reserves_b_waits(pid_t *b, const char *b_method)
{
    const char *slow = write_spec("wa.yaml", "method: random\nproject: w\nrun_cap: 3\n"
                                             "energy: {cpu_watts_per_core: 12}\n"
                                             "parameters:\n  mode: {value: burn}\n"
                                             "  secs: {value: 2}\n  x: {min: 0.0, max: 1.0}\n");
    char slow_spec[4300];
    snprintf(slow_spec, sizeof slow_spec, "%s", slow);
    char quick_body[512];
    snprintf(quick_body, sizeof quick_body,
             "method: %s\nproject: w\nrun_cap: 4\n"
             "energy: {cpu_watts_per_core: 12}\n"
             "parameters:\n  mode: {value: burn}\n"
             "  secs: {value: 1}\n  x: {min: 0.0, max: 1.0}\n",
             b_method);
    const char *quick = write_spec("wb.yaml", quick_body);
    char quick_spec[4300];
    snprintf(quick_spec, sizeof quick_spec, "%s", quick);
    pid_t a = start((const char *[]){"run", slow_spec, "--name", "a", NULL});
    double spent = 0, forecast = NAN;
    for (int i = 0; i < 600 && isnan(forecast); i++) { /* until a's third trial runs */
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (access(db, F_OK) != 0)
            continue;
        es_store_data *d = load();
        es_store_sweep *sa = named(d, "w", "a");
        if (sa != NULL && sa->n_trials >= 3 && isfinite(sa->trials[2].forecast_j)) {
            spent = sweep_joules(sa);
            forecast = sa->trials[2].forecast_j;
        }
        es_store_data_free(d);
    }
    ES_CHECK(isfinite(forecast));
    char cap[64];
    snprintf(cap, sizeof cap, "%.10g", (spent + 2.05 * forecast) * 1.58 / 3.6e6);
    ES_CHECK_INT(run((const char *[]){"project", "set", "w", "--max-kwh", cap, NULL}), 0);
    *b = start((const char *[]){"run", quick_spec, "--name", "b", NULL});
    return a;
}

/* Wait up to 10 s for b to say it waits (1), or to end without (0). */
static int b_waits(void)
{
    for (int i = 0; i < 400; i++) {
        const char *err = es_sx_slurp(path_in_tmp("stderr"));
        if (err != NULL && strstr(err, "waiting: trial") != NULL)
            return 1;
        const char *out = es_sx_slurp(path_in_tmp("stdout"));
        if (out != NULL && strstr(out, "sweep b ") != NULL)
            return 0;
        struct timespec ts = {0, 25 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* A trial that does not fit only because another sweep's running trial
 * reserves the rest of the project's budget waits for it, rather than
 * ending its sweep (it ended, its first trial the only one).  Once b says
 * it waits, the cap is raised: b, still there, goes on.  (On a machine so
 * loaded that b's next trial fits at once, there is nothing to wait for.) */
static void waits_for_another_sweeps_reservation(const char *b_method)
{
    pid_t b, a = a_reserves_b_waits(&b, b_method);
    int waited = b_waits();
    if (waited)
        ES_CHECK_INT(run((const char *[]){"project", "set", "w", "--max-kwh", "1", NULL}), 0);
    ES_CHECK_INT(finish(b), 0);
    kill(a, SIGINT);
    finish(a);
    es_store_data *d = load();
    es_store_sweep *sb = named(d, "w", "b");
    ES_CHECK(sb != NULL);
    if (sb->n_trials < 2)
        ES_FAIL("sweep b ran %zu trials and stopped: %s", sb->n_trials, sb->reason);
    es_store_data_free(d);
}

ES_TEST(a_trial_waits_for_another_sweeps_reservation)
{
    waits_for_another_sweeps_reservation("random");
}

/* The same with a Bayesian sweep: its search was told only what was left
 * now, answered that nothing fits, and the sweep ended. */
ES_TEST(a_bayes_trial_waits_for_another_sweeps_reservation)
{
    waits_for_another_sweeps_reservation("bayes");
}

/* A sweep that waits, running nothing, ends when the project's budget is
 * spent meanwhile (here a cap lowered under what was spent): it hung,
 * its loop kept alive by nothing but its timer. */
ES_TEST(a_waiting_sweep_ends_when_the_budget_is_spent)
{
    pid_t b, a = a_reserves_b_waits(&b, "random");
    int waited = b_waits();
    ES_CHECK_INT(run((const char *[]){"project", "set", "w", "--max-kwh", "1e-9", NULL}), 0);
    ES_CHECK_INT(finish(b), 0); /* a still runs its trial */
    kill(a, SIGINT);
    finish(a);
    es_store_data *d = load();
    es_store_sweep *sb = named(d, "w", "b");
    ES_CHECK(sb != NULL);
    if (waited)
        ES_CHECK_CONTAINS(sb->reason, "energy budget reached");
    es_store_data_free(d);
}
