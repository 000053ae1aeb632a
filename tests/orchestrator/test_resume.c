/*
 * test_resume.c -- crash safety through the real `ecosweep` and
 * `ecosweep-worker` binaries: a coordinator killed with SIGKILL at random
 * moments and started again resumes its sweep, and what the database holds
 * stays whole and exact; `ecosweep resume` by name; `--new`.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "rng.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4200];

static const char *path_in_tmp(const char *name)
{
    return es_sx_path(name);
}

/* A spec running trial.sh in mode okslow (0.05-0.2 s per trial). */
static const char *write_spec(const char *name, const char *body)
{
    const char *path = path_in_tmp(name);
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fprintf(f,
            "program: %s/tests/orchestrator/trial.sh\n"
            "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
            "metric: {name: loss, goal: minimize}\n"
            "method: random\nseed: 7\n"
            "parameters:\n  x: {min: 0.0, max: 1.0}\n  mode: {value: okslow}\n%s",
            es_test_source_dir(), body);
    fclose(f);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    return path;
}

/* Start `ecosweep ARGS... --db DB --no-status` in the test's directory,
 * its output in stdout / stderr there. */
static pid_t start(const char *const *args)
{
    static const char *const extra[] = {"--no-status", NULL};
    return es_sx_start(db, args, extra);
}

static int finish(pid_t pid)
{
    return es_sx_finish(pid);
}

static char *slurp(const char *path)
{
    return es_sx_slurp(path);
}

static void show_output(void)
{
    es_sx_show_output();
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* No process of this test's trials is left (sweep_exec.h). */
static void wait_orphans_gone(void)
{
    es_sx_wait_orphans_gone(db);
}

static es_store_data *load(void)
{
    return es_sx_load(db);
}

static const es_store_trial *ran(const es_store_sweep *sw, int64_t number)
{
    for (size_t i = 0; i < sw->n_trials; i++)
        if (sw->trials[i].number == number && strcmp(sw->trials[i].status, "lost") != 0)
            return &sw->trials[i];
    return NULL;
}

/* What a finished sweep of run_cap trials must look like, however often its
 * coordinator was killed: each number 0..cap-1 once among the trials that
 * are not lost, each completed with its metric and energy, no configuration
 * twice, each lost attempt recorded as such with the configuration its
 * number ran with again; returns the number of lost attempts. */
static int check_sweep(const es_store_sweep *sw, int cap)
{
    int kept = 0, lost = 0;
    ES_CHECK_STR(sw->status, "finished");
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        if (strcmp(t->status, "lost") == 0) {
            lost++;
            ES_CHECK_STR(t->reason, "the coordinator stopped while it ran");
            ES_CHECK(t->ended > 0);
            ES_CHECK(strstr(t->log_dir, ".lost-") != NULL);
            const es_store_trial *again = ran(sw, t->number);
            ES_CHECK(again != NULL);
            ES_CHECK_STR(again->params_json, t->params_json);
            continue;
        }
        kept++;
        ES_CHECK(t->number >= 0 && t->number < cap);
        ES_CHECK(ran(sw, t->number) == t);
        ES_CHECK_STR(t->status, "completed");
        ES_CHECK(isfinite(t->objective));
        int has_loss = 0;
        for (size_t m = 0; m < t->n_metrics; m++)
            has_loss |= strcmp(t->metrics[m].name, "loss") == 0;
        ES_CHECK(has_loss);
        ES_CHECK(t->cpu.method != ES_EM_NONE);
        /* The attempt that completed wrote its own logs, not appended to a
         * lost one's: two lines of output. */
        char path[4300];
        snprintf(path, sizeof path, "%s/stdout", t->log_dir);
        const char *out = slurp(path);
        ES_CHECK(out != NULL);
        int lines = 0;
        for (const char *p = out; *p; p++)
            lines += *p == '\n';
        ES_CHECK_INT(lines, 2);
        for (size_t j = 0; j < i; j++)
            if (strcmp(sw->trials[j].status, "lost") != 0)
                ES_CHECK(strcmp(sw->trials[j].params_json, t->params_json) != 0);
    }
    ES_CHECK_INT(kept, cap);
    return lost;
}

ES_TEST(sigkill_at_random_moments_then_resume)
{
    char spec[4300], name[32];
    snprintf(spec, sizeof spec, "%s",
             write_spec("fault.yaml", "name: fault\nrun_cap: 12\nparallel: 2\n"));
    const char *args[] = {"run", spec, "--grace", "0.5", "--no-reuse", "--name", name, NULL};
    es_rng rng;
    int kills = 0, rounds = 1, rc;
    double t0 = now_s();

    /* Kill at random moments until 22 kills have landed on a live
     * coordinator.  How far a sweep gets between kills is up to chance: one
     * that runs to its end first is checked below like the last, and the
     * kills go on with a sweep of the next name. */
    es_rng_seed(&rng, 20240607);
    snprintf(name, sizeof name, "fault-%d", rounds);
    while (kills < 22) {
        pid_t pid = start(args);
        int st;
        sleep_ms(20 + (long)(es_rng_uniform(&rng) * 280));
        if (waitpid(pid, &st, WNOHANG) == pid) {
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                show_output();
            ES_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
            snprintf(name, sizeof name, "fault-%d", ++rounds);
            continue;
        }
        ES_CHECK_INT(kill(pid, SIGKILL), 0);
        int fst = finish(pid);
        if (fst == 0) {
            /* It ended on its own between the look and the kill (a
             * zombie takes the signal): a finished run, as above. */
            snprintf(name, sizeof name, "fault-%d", ++rounds);
            continue;
        }
        kills++;
        ES_CHECK_INT(fst, 128 + SIGKILL);
        wait_orphans_gone();
        es_sx_check_integrity(db);
        /* Killed after it recorded its end (printing its summary): the
         * sweep is finished, and the kills go on with the next name. */
        es_store_data *d = access(db, F_OK) == 0 ? load() : NULL;
        for (size_t i = 0; d != NULL && d->n_projects > 0 && i < d->projects[0].n_sweeps; i++)
            if (strcmp(d->projects[0].sweeps[i].name, name) == 0 &&
                strcmp(d->projects[0].sweeps[i].status, "finished") == 0) {
                snprintf(name, sizeof name, "fault-%d", ++rounds);
                break;
            }
        es_store_data_free(d);
    }
    double t_kills = now_s() - t0;
    if ((rc = finish(start(args))) != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "finished: run_cap reached (12 trials)");
    es_sx_check_integrity(db);

    es_store_data *d = load();
    int lost = 0;
    ES_CHECK_INT(d->n_projects, 1);
    ES_CHECK_INT(d->projects[0].n_sweeps, rounds);
    for (int r = 0; r < rounds; r++) {
        snprintf(name, sizeof name, "fault-%d", r + 1);
        ES_CHECK_STR(d->projects[0].sweeps[r].name, name);
        lost += check_sweep(&d->projects[0].sweeps[r], 12);
    }
    ES_CHECK(lost >= 1);
    fprintf(stderr,
            "%d SIGKILLs in %.1fs over %d sweep(s), %d trials lost and run again, %.1fs in all\n",
            kills, t_kills, rounds, lost, now_s() - t0);
    es_store_data_free(d);
}

/* Wait until the database records at least n completed trials. */
static void wait_completed(int n)
{
    for (int i = 0; i < 500; i++) {
        if (access(db, F_OK) == 0) {
            es_store_data *d = load();
            int done = 0;
            for (size_t s = 0; d->n_projects > 0 && s < d->projects[0].n_sweeps; s++)
                for (size_t k = 0; k < d->projects[0].sweeps[s].n_trials; k++)
                    done += strcmp(d->projects[0].sweeps[s].trials[k].status, "completed") == 0;
            es_store_data_free(d);
            if (done >= n)
                return;
        }
        sleep_ms(20);
    }
    show_output();
    ES_FAIL("no %d completed trials after 10 s", n);
}

ES_TEST(resume_by_name_and_new)
{
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", write_spec("byname.yaml", "run_cap: 4\nparallel: 1\n"));
    pid_t pid = start((const char *[]){"run", spec, NULL});
    wait_completed(1);
    kill(pid, SIGKILL);
    finish(pid);
    wait_orphans_gone();

    /* Still running, as the coordinator left it: resume it by name. */
    int rc = finish(start((const char *[]){"resume", "byname", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "resuming sweep byname: ");
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "sweep byname finished: run_cap reached");
    es_store_data *d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    check_sweep(&d->projects[0].sweeps[0], 4);
    es_store_data_free(d);

    /* A finished sweep has nothing to resume. */
    ES_CHECK_INT(finish(start((const char *[]){"resume", "byname", NULL})), 1);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "sweep byname is finished");
    ES_CHECK_INT(finish(start((const char *[]){"resume", "nosuch", NULL})), 1);

    /* Killed again, a run with --new leaves it and starts byname-2. */
    pid = start((const char *[]){"run", spec, "--new", "--no-reuse", NULL});
    wait_completed(5);
    kill(pid, SIGKILL);
    finish(pid);
    wait_orphans_gone();
    ES_CHECK_INT(finish(start((const char *[]){"run", spec, "--new", "--no-reuse", NULL})), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "sweep byname-3 finished");
    d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 3);
    ES_CHECK_STR(d->projects[0].sweeps[1].name, "byname-2");
    ES_CHECK_STR(d->projects[0].sweeps[1].status, "running");
    es_store_data_free(d);

    /* byname-2 is found by its own name. */
    ES_CHECK_INT(finish(start((const char *[]){"resume", "byname-2", "--no-reuse", NULL})), 0);
    d = load();
    check_sweep(&d->projects[0].sweeps[1], 4);
    es_store_data_free(d);
}

/* A second coordinator never takes over a sweep whose coordinator is
 * alive, by `run` or by `resume`: it refuses, naming the process, and
 * changes nothing.  Once that coordinator is dead, the sweep resumes. */
ES_TEST(second_coordinator_refuses_a_live_sweep)
{
    char spec[4300], other[4300], pidtext[64];
    snprintf(other, sizeof other, "%s", write_spec("other.yaml", "run_cap: 2\n"));
    snprintf(spec, sizeof spec, "%s", write_spec("twice.yaml", "run_cap: 30\nparallel: 1\n"));
    pid_t first = start((const char *[]){"run", spec, "--no-reuse", NULL});
    wait_completed(1);

    snprintf(pidtext, sizeof pidtext, "(process %ld)", (long)first);
    ES_CHECK_INT(finish(start((const char *[]){"run", spec, NULL})), 1);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")),
                      "sweep twice is being run by another coordinator");
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), pidtext);
    ES_CHECK_INT(finish(start((const char *[]){"resume", "twice", NULL})), 1);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), pidtext);

    /* The first one went on undisturbed: nothing of it was marked lost. */
    es_store_data *d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_STR(d->projects[0].sweeps[0].status, "running");
    for (size_t k = 0; k < d->projects[0].sweeps[0].n_trials; k++)
        ES_CHECK(strcmp(d->projects[0].sweeps[0].trials[k].status, "lost") != 0);
    es_store_data_free(d);

    ES_CHECK_INT(finish(es_sx_start(db, (const char *[]){"ls", NULL}, NULL)), 0);
    ES_CHECK(strstr(slurp(path_in_tmp("stdout")), "abandoned") == NULL);

    /* --new starts a separate sweep beside it. */
    ES_CHECK_INT(finish(start((const char *[]){"run", other, "--no-reuse", NULL})), 0);

    kill(first, SIGKILL);
    finish(first);
    wait_orphans_gone();
    /* `ls` tells a sweep whose coordinator is gone from a live one. */
    ES_CHECK_INT(finish(es_sx_start(db, (const char *[]){"ls", NULL}, NULL)), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "abandoned");
    int rc = finish(start((const char *[]){"run", spec, "--no-reuse", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "resuming sweep twice: ");
    d = load();
    check_sweep(&d->projects[0].sweeps[0], 30);
    es_store_data_free(d);
}

/* A sweep stopped with Ctrl-C is resumed by the next `run` of its spec (or
 * `resume`): the trial the interruption stopped is kept as a lost attempt,
 * with its reason, and runs again; the budget given on the command line
 * the first time still binds. */
ES_TEST(interrupted_sweep_resumes_with_its_budget)
{
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", write_spec("intr.yaml", "run_cap: 8\nparallel: 2\n"));
    pid_t pid = start((const char *[]){"run", spec, "--max-kwh", "2.5", NULL});
    wait_completed(2);
    kill(pid, SIGINT);
    ES_CHECK_INT(finish(pid), 130);
    es_store_data *d = load();
    ES_CHECK_STR(d->projects[0].sweeps[0].status, "interrupted");
    ES_CHECK(fabs(d->projects[0].sweeps[0].budget.kwh - 2.5) < 1e-12);
    int stopped = 0;
    for (size_t k = 0; k < d->projects[0].sweeps[0].n_trials; k++)
        stopped += strcmp(d->projects[0].sweeps[0].trials[k].status, "interrupted") == 0;
    es_store_data_free(d);

    int rc = finish(start((const char *[]){"run", spec, "--no-reuse", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "resuming sweep intr: ");
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "sweep intr finished: run_cap reached");
    d = load();
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK(fabs(sw->budget.kwh - 2.5) < 1e-12);
    int lost = 0, kept = 0;
    for (size_t k = 0; k < sw->n_trials; k++) {
        const es_store_trial *t = &sw->trials[k];
        if (strcmp(t->status, "lost") == 0) {
            lost++;
            ES_CHECK_STR(t->reason, "sweep interrupted by SIGINT");
            ES_CHECK(ran(sw, t->number) != NULL);
        } else {
            kept++;
            ES_CHECK_STR(t->status, "completed");
        }
    }
    ES_CHECK_INT(lost, stopped);
    ES_CHECK_INT(kept, 8);
    es_store_data_free(d);

    /* A new cap on the command line replaces the recorded one. */
    pid = start((const char *[]){"run", spec, "--new", "--name", "intr2", "--no-reuse", NULL});
    wait_completed(9);
    kill(pid, SIGINT);
    finish(pid);
    ES_CHECK_INT(
        finish(start((const char *[]){"run", spec, "--name", "intr2", "--max-kwh", "7", NULL})), 0);
    d = load();
    ES_CHECK(fabs(d->projects[0].sweeps[1].budget.kwh - 7) < 1e-12);
    es_store_data_free(d);
}

/* A budget edited in the spec between the interruption and the resume is
 * the one the resumed sweep keeps to: the resume said "budget.kwh none ->
 * 5" and went on with none (and a lowered cap with the old one). */
ES_TEST(resume_applies_a_budget_edited_in_the_spec)
{
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", write_spec("bud.yaml", "run_cap: 8\nparallel: 2\n"));
    pid_t pid = start((const char *[]){"run", spec, NULL});
    wait_completed(2);
    kill(pid, SIGINT);
    ES_CHECK_INT(finish(pid), 130);
    snprintf(spec, sizeof spec, "%s",
             write_spec("bud.yaml", "run_cap: 8\nparallel: 2\nbudget: {kwh: 5}\n"));
    ES_CHECK_INT(finish(start((const char *[]){"run", spec, "--no-reuse", NULL})), 0);
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stderr")), "budget.kwh none -> 5");
    es_store_data *d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK(fabs(d->projects[0].sweeps[0].budget.kwh - 5) < 1e-12);
    es_store_data_free(d);

    /* Lowered in the spec of a finished sweep going on with --more. */
    snprintf(spec, sizeof spec, "%s",
             write_spec("bud.yaml", "run_cap: 8\nparallel: 2\nbudget: {kwh: 4}\n"));
    ES_CHECK_INT(finish(start((const char *[]){"run", spec, "--more", "1", "--no-reuse", NULL})),
                 0);
    d = load();
    ES_CHECK(fabs(d->projects[0].sweeps[0].budget.kwh - 4) < 1e-12);
    es_store_data_free(d);
}

/* A --more interrupted before any trial past the old cap started banks
 * nothing: three such sessions stored caps of 8, 10 and 12 on a sweep of
 * 6 whose 6 trials had not all run, and a plain resume then ran 12. */
ES_TEST(interrupted_more_banks_no_trials)
{
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", write_spec("im.yaml", "run_cap: 6\nparallel: 1\n"));
    pid_t pid = start((const char *[]){"run", spec, NULL});
    wait_completed(1);
    kill(pid, SIGINT);
    ES_CHECK_INT(finish(pid), 130);
    for (int i = 0; i < 2; i++) {
        pid = start((const char *[]){"run", spec, "--more", "2", "--no-reuse", NULL});
        wait_completed(2 + i);
        kill(pid, SIGINT);
        ES_CHECK_INT(finish(pid), 130);
    }
    ES_CHECK_INT(finish(start((const char *[]){"resume", "im", NULL})), 0);
    es_store_data *d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    size_t completed = 0;
    for (size_t k = 0; k < d->projects[0].sweeps[0].n_trials; k++)
        completed += strcmp(d->projects[0].sweeps[0].trials[k].status, "completed") == 0;
    ES_CHECK_INT(completed, 6); /* its own cap: no trial past it had started */
    es_store_data_free(d);
}

/* A trial lost with its coordinator keeps the energy its worker's samples
 * had reported (saved every few seconds), and the resumed sweep counts it
 * as spent. */
ES_TEST(lost_trial_keeps_its_energy_so_far)
{
    const char *path = path_in_tmp("burn.yaml");
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fprintf(f,
            "name: burn\nprogram: %s/tests/orchestrator/trial.sh\n"
            "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
            "metric: {name: loss, goal: minimize}\nmethod: grid\nrun_cap: 1\n"
            "parameters:\n  x: {value: 0.5}\n  mode: {value: burn}\n  secs: {value: 7}\n",
            es_test_source_dir());
    fclose(f);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    pid_t pid = start((const char *[]){"run", path, NULL});

    /* Wait for the first saved sample. */
    double saved = NAN;
    for (int i = 0; i < 600 && isnan(saved); i++) {
        sleep_ms(20);
        if (access(db, F_OK) != 0)
            continue;
        es_store_data *d = load();
        if (d->n_projects > 0 && d->projects[0].n_sweeps > 0 &&
            d->projects[0].sweeps[0].n_trials > 0 &&
            d->projects[0].sweeps[0].trials[0].cpu.method != ES_EM_NONE)
            saved = d->projects[0].sweeps[0].trials[0].cpu.j;
        es_store_data_free(d);
    }
    ES_CHECK(saved > 0);
    kill(pid, SIGKILL);
    finish(pid);
    wait_orphans_gone();

    int rc = finish(start((const char *[]){"resume", "burn", NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = load();
    const es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(sw->n_trials, 2);
    const es_store_trial *lost = &sw->trials[0], *again = &sw->trials[1];
    if (strcmp(lost->status, "lost") != 0) {
        const es_store_trial *tmp = lost;
        lost = again;
        again = tmp;
    }
    ES_CHECK_STR(lost->status, "lost");
    ES_CHECK(lost->cpu.method == ES_EM_ESTIMATE);
    ES_CHECK(lost->cpu.j >= saved);
    ES_CHECK(lost->wall_s >= 4);
    ES_CHECK_STR(again->status, "completed");
    /* The summary counts both attempts' energy. */
    ES_CHECK_CONTAINS(slurp(path_in_tmp("stdout")), "1 lost");
    es_store_data_free(d);
}

/* A lost number runs its own configuration again under Bayesian search
 * too (its suggestions depend on what was observed, so suggesting the
 * number again gave another configuration): the lost attempts' parameters
 * come back from the store. */
ES_TEST(lost_bayes_trials_run_their_configuration_again)
{
    char text[1024], spec[4300];
    snprintf(text, sizeof text,
             "program: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "metric: {name: loss, goal: minimize}\n"
             "method: bayes\nseed: 3\nrun_cap: 12\nparallel: 2\n"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n"
             "  mode: {value: okslow}\n",
             es_test_source_dir());
    es_test_write_file("bl.yaml", text);
    snprintf(spec, sizeof spec, "%s", path_in_tmp("bl.yaml"));
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    pid_t pid = start((const char *[]){"run", spec, NULL});
    wait_completed(7); /* past the initial design (5): the model suggests */
    kill(pid, SIGKILL);
    finish(pid);
    wait_orphans_gone();
    int rc = finish(start((const char *[]){"run", spec, NULL}));
    if (rc != 0)
        show_output();
    ES_CHECK_INT(rc, 0);
    es_store_data *d = load();
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    /* check_sweep: each lost attempt's number ran again with its
     * parameters. */
    ES_CHECK(check_sweep(&d->projects[0].sweeps[0], 12) > 0);
    es_store_data_free(d);
}

/* A resumed sweep with several objectives suggests what an uninterrupted
 * one does: the search is told each earlier trial's values of every
 * objective, not only its metric (without them, a resumed multi-objective
 * search took the earlier trials for failures). */
ES_TEST(resumed_bayes_with_several_objectives_suggests_the_same)
{
    char text[1024], spec[4300], params[2][14][256];
    for (int pass = 0; pass < 2; pass++) {
        snprintf(text, sizeof text,
                 "program: %s/tests/orchestrator/trial.sh\n"
                 "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
                 "name: mo\nmethod: bayes\nseed: 5\nrun_cap: %d\n"
                 "objectives:\n  - {name: loss, goal: minimize}\n"
                 "  - {name: b, goal: minimize}\n"
                 "constraints: [{name: b, max: 0.9}]\n"
                 "parameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n"
                 "  mode: {value: pair}\n",
                 es_test_source_dir(), pass == 0 ? 14 : 10);
        es_test_write_file("mo.yaml", text);
        snprintf(spec, sizeof spec, "%s", path_in_tmp("mo.yaml"));
        snprintf(db, sizeof db, "%s/mo%d.db", es_test_tmpdir(), pass);
        int rc = finish(start((const char *[]){"run", spec, NULL}));
        if (rc == 0 && pass == 1)
            rc = finish(start((const char *[]){"resume", "mo", "--more", "4", NULL}));
        if (rc != 0)
            show_output();
        ES_CHECK_INT(rc, 0);
        es_store_data *d = load();
        const es_store_sweep *sw = &d->projects[0].sweeps[0];
        ES_CHECK_INT((long long)sw->n_trials, 14);
        for (size_t i = 0; i < sw->n_trials && i < 14; i++) {
            ES_CHECK_STR(sw->trials[i].status, "completed");
            snprintf(params[pass][i], sizeof params[pass][i], "%s", sw->trials[i].params_json);
        }
        es_store_data_free(d);
    }
    for (int i = 0; i < 14; i++)
        ES_CHECK_STR(params[1][i], params[0][i]);
}
