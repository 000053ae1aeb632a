/*
 * test_reuse.c -- reusing earlier results, and going on with a finished
 * sweep, through the real `ecosweep` and `ecosweep-worker` binaries: a
 * result is reused only when what produced it is the same (program and
 * the files the command names, by content; the environment the spec sets;
 * the metric), it takes the new sweep's metric from the stored history,
 * and `run --more N` or a raised run_cap adds trials to a finished sweep.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4200];

/* A program reporting loss and acc from --x, and the first line of the
 * data file it is given, so an edit of either changes what it reports. */
static void write_program(const char *version)
{
    char text[512];
    snprintf(text, sizeof text,
             "# %s\n"
             "x=0; data=/dev/null\n"
             "for a in \"$@\"; do case \"$a\" in --x=*) x=${a#--x=};; --data=*) "
             "data=${a#--data=};; esac; done\n"
             "d=$(head -n 1 \"$data\")\n"
             "echo \"loss=$x step=1\"\n"
             "echo \"loss=$x acc=0.${d:-0} step=2\"\n",
             version);
    es_test_write_file("prog.sh", text);
}

static const char *write_spec(const char *name, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "program: %s/prog.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\", \"--data=%s/data.txt\"]\n"
             "method: grid\nproject: p\nname: s\n"
             "parameters:\n  x: {values: [0.25, 0.75]}\n%s%s",
             es_test_tmpdir(), es_test_tmpdir(),
             strstr(extra, "metric:") ? "" : "metric: {name: loss, goal: minimize}\n", extra);
    es_test_write_file(name, text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    /* Its own buffer: es_sx_path's rotate. */
    static char paths[8][4200];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", es_test_tmpdir(), name);
    return path;
}

static int run(const char *const *args)
{
    const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    return es_sx_finish(es_sx_start(db, args, strcmp(args[0], "run") == 0 ? extra : NULL));
}

static es_store_sweep *sweep_of(es_store_data *d, size_t i)
{
    ES_CHECK(d->n_projects == 1 && d->projects[0].n_sweeps > i);
    return &d->projects[0].sweeps[i];
}

/* How many trials of sweep i reused a result. */
static int reused_in(size_t i)
{
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = sweep_of(d, i);
    int n = 0;
    for (size_t k = 0; k < sw->n_trials; k++)
        n += sw->trials[k].reused_from > 0;
    es_store_data_free(d);
    return n;
}

/* An edited program, an edited data file, another env.set: no reuse. */
ES_TEST(reuse_requires_the_same_program_files_and_environment)
{
    write_program("v1");
    es_test_write_file("data.txt", "5\n");
    const char *spec = write_spec("a.yaml", "");
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", spec, NULL}), 0);
    ES_CHECK_INT(reused_in(1), 2); /* nothing changed */

    write_program("v2"); /* a bug fixed in the training script */
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", spec, NULL}), 0);
    ES_CHECK_INT(reused_in(2), 0);
    ES_CHECK(strstr(es_sx_slurp(es_sx_path("stdout")), "would have reused") == NULL);

    es_test_write_file("data.txt", "6\n"); /* the data it is given */
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", spec, NULL}), 0);
    ES_CHECK_INT(reused_in(3), 0);

    const char *env = write_spec("b.yaml", "env: {set: {OMP_NUM_THREADS: '4'}}\n");
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", env, NULL}), 0);
    ES_CHECK_INT(reused_in(4), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", env, NULL}), 0);
    ES_CHECK_INT(reused_in(5), 2); /* the same again: reused */
}

/* Another metric on the same program: the reused trial's objective is
 * the new metric's last value from the stored history, which it copies;
 * a metric the earlier trials never reported matches nothing. */
ES_TEST(reuse_takes_the_new_metric_from_the_history)
{
    write_program("v1");
    es_test_write_file("data.txt", "5\n");
    const char *loss = write_spec("a.yaml", "");
    ES_CHECK_INT(run((const char *[]){"run", loss, NULL}), 0);
    const char *acc = write_spec("c.yaml", "metric: {name: acc, goal: maximize}\n");
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", acc, NULL}), 0);
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = sweep_of(d, 1);
    ES_CHECK_INT(sw->n_trials, 2);
    for (size_t k = 0; k < sw->n_trials; k++) {
        const es_store_trial *t = &sw->trials[k];
        ES_CHECK(t->reused_from > 0);
        ES_CHECK_NEAR(t->objective, 0.5, 1e-12); /* acc, not the old loss */
        int have_acc = 0, have_loss = 0;
        for (size_t m = 0; m < t->n_metrics; m++) {
            have_acc |= strcmp(t->metrics[m].name, "acc") == 0 && t->metrics[m].step == 2;
            have_loss |= strcmp(t->metrics[m].name, "loss") == 0;
        }
        ES_CHECK(have_acc && have_loss);
    }
    es_store_data_free(d);

    const char *f1 = write_spec("d.yaml", "metric: {name: f1, goal: maximize}\n");
    ES_CHECK_INT(run((const char *[]){"run", "--reuse", f1, NULL}), 3); /* f1 never reported */
    ES_CHECK_INT(reused_in(2), 0);
}

/* A finished sweep goes on: --more N runs N more trials in it, and a
 * raised run_cap continues it where a rerun would have started afresh. */
ES_TEST(a_finished_sweep_takes_more_trials)
{
    write_program("v1");
    es_test_write_file("data.txt", "5\n");
    const char *spec = write_spec("m.yaml", "");
    char text[2048];
    snprintf(text, sizeof text,
             "program: %s/prog.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "method: random\nproject: p\nname: m\nseed: 7\nrun_cap: 3\n"
             "metric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n",
             es_test_tmpdir());
    es_test_write_file("m.yaml", text);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--more", "2", spec, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "2 more trials");
    es_store_data *d = es_sx_load(db);
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 5);
    ES_CHECK_STR(sweep_of(d, 0)->status, "finished");
    es_store_data_free(d);

    /* run_cap raised from 3 to 8 in the spec: the sweep goes on to 8. */
    char *cap = strstr(text, "run_cap: 3");
    ES_CHECK(cap != NULL);
    cap[9] = '8';
    es_test_write_file("m.yaml", text);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "run_cap raised");
    d = es_sx_load(db);
    ES_CHECK_INT(d->projects[0].n_sweeps, 1);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 8);
    es_store_data_free(d);

    /* The same spec once more: the cap is reached, so a new sweep. */
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    d = es_sx_load(db);
    ES_CHECK_INT(d->projects[0].n_sweeps, 2);
    ES_CHECK_STR(sweep_of(d, 1)->name, "m-2");
    es_store_data_free(d);

    /* --more on another spec is refused: it would mix two sweeps. */
    snprintf(text, sizeof text,
             "program: %s/prog.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "method: random\nproject: p\nname: m\nseed: 7\nrun_cap: 3\n"
             "metric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {min: 0.0, max: 2.0}\n",
             es_test_tmpdir());
    es_test_write_file("m.yaml", text);
    ES_CHECK_INT(run((const char *[]){"run", "--more", "2", spec, NULL}), 2);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "parameters.x");
    ES_CHECK_INT(run((const char *[]){"resume", "--more", "1", "m", NULL}), 0);
    d = es_sx_load(db);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 9);
    es_store_data_free(d);
}
