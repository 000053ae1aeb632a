/*
 * test_reuse.c -- reusing earlier results, and going on with a finished
 * sweep, through the real `ecosweep` and `ecosweep-worker` binaries: a
 * result is reused only when what produced it is the same (program and
 * the files the command names, by content; the environment the spec sets;
 * the metric), it takes the new sweep's metric from the stored history,
 * and `run --more N` or a raised run_cap adds trials to a finished sweep.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* Write an executable script at name in the test's directory. */
static void write_exe(const char *name, const char *text)
{
    es_test_write_file(name, text);
    ES_CHECK_INT(chmod(es_sx_path(name), 0755), 0);
}

/* Reused or not, trial 0 of sweep i. */
static int first_reused(size_t i)
{
    es_store_data *d = es_sx_load(db);
    int r = sweep_of(d, i)->trials[0].reused_from > 0;
    es_store_data_free(d);
    return r;
}

/* A `shell: true` script names its program by a bare word found through
 * $PATH, its data after '<' with no blank and in quotes with one, and the
 * spec's env.set PATH is the one the trial gets: an edit of any of them
 * is seen. */
ES_TEST(reuse_sees_the_files_a_shell_script_names)
{
    char text[2048];
    ES_CHECK_INT(mkdir(es_sx_path("bin"), 0755), 0);
    write_exe("bin/myprog", "#!/bin/sh\nread v; echo \"loss=$v\"\n");
    es_test_write_file("d d.txt", "2\n");
    snprintf(text, sizeof text,
             "shell: true\nmethod: grid\nproject: p\nname: sh\nreuse: true\n"
             "env: {set: {PATH: '%s/bin:/usr/bin:/bin'}}\n"
             "command: [\"myprog --x=${x}<'%s/d d.txt'\"]\n"
             "metric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {value: 1}\n",
             es_test_tmpdir(), es_test_tmpdir());
    es_test_write_file("sh.yaml", text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", es_sx_path("sh.yaml"));
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 0);
    ES_CHECK_INT(first_reused(1), 1); /* nothing changed */
    write_exe("bin/myprog", "#!/bin/sh\nread v; echo \"loss=1$v\"\n");
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 0);
    ES_CHECK_INT(first_reused(2), 0); /* the program on the spec's PATH */
    es_test_write_file("d d.txt", "3\n");
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 0);
    ES_CHECK_INT(first_reused(3), 0); /* the quoted data file */
}

/* A trial whose history was cut at the metric-row cap: its last value of
 * another metric is unknown, so a sweep on that metric does not reuse it
 * (its own metric is its objective, tracked past the cap). */
ES_TEST(reuse_does_not_read_a_cut_history)
{
    char text[2048];
    write_exe("long.sh", "#!/bin/sh\necho acc=0.1\n"
                         "awk 'BEGIN { for (i = 0; i < 100005; i++) print \"loss=\" i }'\n"
                         "echo acc=0.9\necho loss=0.5\n");
    const char *const metrics[2] = {"metric: {name: loss, goal: minimize}",
                                    "metric: {name: acc, goal: maximize}"};
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text,
                 "program: %s/long.sh\ncommand: [/bin/sh, \"${program}\"]\nmethod: grid\n"
                 "project: p\nname: c%d\nreuse: true\n%s\nparameters:\n  x: {value: 1}\n",
                 es_test_tmpdir(), k, metrics[k]);
        es_test_write_file(k == 0 ? "c0.yaml" : "c1.yaml", text);
    }
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    char c0[4300], c1[4300];
    snprintf(c0, sizeof c0, "%s", es_sx_path("c0.yaml"));
    snprintf(c1, sizeof c1, "%s", es_sx_path("c1.yaml"));
    ES_CHECK_INT(run((const char *[]){"run", c0, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", c1, NULL}), 0);
    es_store_data *d = es_sx_load(db);
    ES_CHECK_INT(sweep_of(d, 1)->trials[0].reused_from, 0);
    ES_CHECK_NEAR(sweep_of(d, 1)->trials[0].objective, 0.9, 1e-12);
    es_store_data_free(d);
    ES_CHECK_INT(run((const char *[]){"run", "--new", c0, NULL}), 0);
    ES_CHECK_INT(first_reused(2), 1); /* the same metric: its objective */
}

/* A sweep that --more took past its run_cap, interrupted, goes on to the
 * cap --more gave it when resumed plainly; --more counts beyond the
 * run_cap of a sweep that has not reached it. */
ES_TEST(more_is_kept_when_resumed)
{
    char text[2048];
    snprintf(text, sizeof text,
             "program: %s/prog.sh\ncommand: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "method: random\nproject: p\nname: k\nseed: 5\nrun_cap: 2\n"
             "metric: {name: loss, goal: minimize}\nparameters:\n  x: {min: 0.0, max: 1.0}\n",
             es_test_tmpdir());
    write_program("v1");
    es_test_write_file("k.yaml", text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", es_sx_path("k.yaml"));
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    /* Stand for an interrupted --more: the cap recorded, the sweep left
     * running (as a coordinator killed with SIGKILL leaves it). */
    es_store *st;
    es_err err;
    ES_CHECK_INT(es_store_open(db, &st, &err), 0);
    ES_CHECK_INT(es_store_sweep_set_run_cap(st, 1, 5, &err), 0);
    ES_CHECK_INT(es_store_sweep_reopen(st, 1, "test", 0, &(int){0}, &err), 0);
    es_store_close(st);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    es_store_data *d = es_sx_load(db);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 5);
    es_store_data_free(d);
    /* 5 recorded, cap 5: --more 2 gives 7. */
    ES_CHECK_INT(run((const char *[]){"run", "--more", "2", spec, NULL}), 0);
    d = es_sx_load(db);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 7);
    es_store_data_free(d);

    /* A run_cap edited in the spec since wins over the one --more gave:
     * cap 20 recorded, the spec's 2 edited to 9, the sweep ends at 9. */
    ES_CHECK_INT(es_store_open(db, &st, &err), 0);
    ES_CHECK_INT(es_store_sweep_set_run_cap(st, 1, 20, &err), 0);
    ES_CHECK_INT(es_store_sweep_reopen(st, 1, "test", 0, &(int){0}, &err), 0);
    es_store_close(st);
    char *cap = strstr(text, "run_cap: 2");
    ES_CHECK(cap != NULL);
    cap[9] = '9';
    es_test_write_file("k.yaml", text);
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    d = es_sx_load(db);
    ES_CHECK_INT(sweep_of(d, 0)->n_trials, 9);
    es_store_data_free(d);
}

/* A file past 64 MiB is known by its identity (inode, size, times), not
 * read whole for every sweep: reused while it stays, not once rewritten
 * (even with the same bytes: a copy, or touch, is another file). */
ES_TEST(a_big_named_file_is_known_by_its_identity)
{
    char text[8192], big[2048];
    snprintf(big, sizeof big, "%s", es_sx_path("big.bin"));
    FILE *f = fopen(big, "w");
    ES_CHECK(f != NULL);
    ES_CHECK_INT(ftruncate(fileno(f), (off_t)100 << 20), 0); /* sparse: no disk used */
    fclose(f);
    write_exe("b.sh", "#!/bin/sh\necho loss=1\n");
    snprintf(text, sizeof text,
             "program: %s/b.sh\ncommand: [/bin/sh, \"${program}\", \"%s\"]\nmethod: grid\n"
             "project: p\nname: big\nreuse: true\nmetric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {value: 1}\n",
             es_test_tmpdir(), big);
    es_test_write_file("big.yaml", text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    char spec[4300];
    snprintf(spec, sizeof spec, "%s", es_sx_path("big.yaml"));
    ES_CHECK_INT(run((const char *[]){"run", spec, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 0);
    ES_CHECK_INT(first_reused(1), 1);
    struct timespec later[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ES_CHECK_INT(utimensat(AT_FDCWD, big, later, 0), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--new", spec, NULL}), 0);
    ES_CHECK_INT(first_reused(2), 0);
}

/* A path the command builds around a value: in a shell script
 * (data/${ds}.csv, the value passed as a parameter), and in an argument
 * whose value holds a blank (--data=${f}): an edit of the file is seen. */
ES_TEST(reuse_sees_paths_built_around_values)
{
    char text[2048], spec[2][4300];
    ES_CHECK_INT(mkdir(es_sx_path("data"), 0755), 0);
    es_test_write_file("data/a.csv", "1\n");
    es_test_write_file("sp ace.csv", "1\n");
    write_exe("rd.sh", "#!/bin/sh\nfor a in \"$@\"; do f=${a#--data=}; done\n"
                       "echo \"loss=$(head -n 1 \"$f\")\"\n");
    const char *const bodies[2] = {
        "shell: true\ncommand: [\"sh ./rd.sh data/${ds}.csv\"]\nparameters:\n  ds: {value: a}\n",
        "command: [sh, ./rd.sh, \"--data=${f}\"]\nparameters:\n  f: {value: sp ace.csv}\n"};
    for (int k = 0; k < 2; k++) {
        snprintf(text, sizeof text,
                 "method: grid\nproject: p\nname: b%d\nreuse: true\n"
                 "metric: {name: loss, goal: minimize}\n%s",
                 k, bodies[k]);
        char name[16];
        snprintf(name, sizeof name, "b%d.yaml", k);
        es_test_write_file(name, text);
        snprintf(spec[k], sizeof spec[k], "%s", es_sx_path(name));
    }
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(chdir(es_test_tmpdir()), 0); /* the paths are relative to where trials run */
    for (int k = 0; k < 2; k++) {
        ES_CHECK_INT(run((const char *[]){"run", spec[k], NULL}), 0);
        ES_CHECK_INT(run((const char *[]){"run", "--new", spec[k], NULL}), 0);
        ES_CHECK_INT(first_reused(3 * (size_t)k + 1), 1);
        es_test_write_file(k == 0 ? "data/a.csv" : "sp ace.csv", "2\n");
        ES_CHECK_INT(run((const char *[]){"run", "--new", spec[k], NULL}), 0);
        ES_CHECK_INT(first_reused(3 * (size_t)k + 2), 0);
    }
}
