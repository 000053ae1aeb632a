/*
 * test_warm.c -- warm start through the real `ecosweep` and
 * `ecosweep-worker` binaries: a Bayesian sweep of a program the project
 * already swept learns from that sweep (and says so), starting at its best
 * configuration; not from another program's, not with `warm_start: none`;
 * a list naming a sweep that does not exist or ran something else is an
 * error before anything runs; a sweep taken up again with `--more` learns
 * what it learnt the first time, not the sweeps that started since.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"

static char db[4200];

/* loss = (x - 0.3)^2 + (y - 0.6)^2, from --x and --y. */
static void write_program(const char *file)
{
    es_test_write_file(file, "x=0; y=0\n"
                             "for a in \"$@\"; do case \"$a\" in --x=*) x=${a#--x=};; --y=*) "
                             "y=${a#--y=};; esac; done\n"
                             "awk -v x=\"$x\" -v y=\"$y\" 'BEGIN { printf \"loss=%.9f\\n\", "
                             "(x-0.3)^2 + (y-0.6)^2 }'\n");
}

static const char *write_spec(const char *file, const char *prog, const char *name,
                              const char *method, int cap, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "program: %s/%s\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "method: %s\nproject: p\nname: %s\nrun_cap: %d\n"
             "metric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n%s",
             es_test_tmpdir(), prog, method, name, cap, extra);
    es_test_write_file(file, text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    return es_sx_path(file);
}

static int run(const char *const *args)
{
    const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    return es_sx_finish(es_sx_start(db, args, strcmp(args[0], "run") == 0 ? extra : NULL));
}

static es_store_sweep *sweep_named(es_store_data *d, const char *name)
{
    for (size_t i = 0; i < d->n_projects; i++)
        for (size_t j = 0; j < d->projects[i].n_sweeps; j++)
            if (strcmp(d->projects[i].sweeps[j].name, name) == 0)
                return &d->projects[i].sweeps[j];
    return NULL;
}

/* The parameters of sweep name's best trial (lowest loss) and of its
 * trial number 0, as recorded. */
static void best_and_first(const char *name, char *best, char *first, size_t cap)
{
    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = sweep_named(d, name);
    ES_CHECK(sw != NULL && sw->n_trials > 0);
    double lo = INFINITY;
    for (size_t k = 0; k < sw->n_trials; k++) {
        const es_store_trial *t = &sw->trials[k];
        if (t->objective < lo) {
            lo = t->objective;
            snprintf(best, cap, "%s", t->params_json);
        }
        if (t->number == 0)
            snprintf(first, cap, "%s", t->params_json);
    }
    es_store_data_free(d);
}

ES_TEST(warm_start_learns_from_the_same_programs_earlier_sweep)
{
    write_program("prog.sh");
    write_program("other.sh");
    const char *a = write_spec("a.yaml", "prog.sh", "a", "random", 8, "");
    ES_CHECK_INT(run((const char *[]){"run", a, NULL}), 0);
    const char *o = write_spec("o.yaml", "other.sh", "o", "random", 3, "");
    ES_CHECK_INT(run((const char *[]){"run", o, NULL}), 0);

    const char *b = write_spec("b.yaml", "prog.sh", "b", "bayes", 3, "");
    ES_CHECK_INT(run((const char *[]){"run", b, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "warm start: learns from 8 trials of 1 earlier sweep of this program: a (8)");
    char best[512], first[512];
    best_and_first("a", best, first, sizeof best);
    char b_best[512], b_first[512];
    best_and_first("b", b_best, b_first, sizeof b_best);
    ES_CHECK_STR(b_first, best); /* its first trial: the earlier sweep's best */

    /* A cold start says nothing of earlier sweeps and starts elsewhere. */
    const char *c = write_spec("c.yaml", "prog.sh", "c", "bayes", 2, "warm_start: none\n");
    ES_CHECK_INT(run((const char *[]){"run", c, NULL}), 0);
    ES_CHECK(strstr(es_sx_slurp(es_sx_path("stderr")), "warm start") == NULL);
    best_and_first("c", b_best, b_first, sizeof b_best);
    ES_CHECK(strcmp(b_first, best) != 0);

    /* Another program's sweep is never learnt from: named, it is an
     * error that says why, and nothing is recorded. */
    const char *n = write_spec("n.yaml", "prog.sh", "n", "bayes", 2, "warm_start: [o]\n");
    ES_CHECK(run((const char *[]){"run", n, NULL}) != 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "n.yaml:11:14: warm_start: cannot learn "
                                                         "from this sweep: 'o' (it ran program");
    const char *m = write_spec("m.yaml", "prog.sh", "m", "bayes", 2, "warm_start: [a, nope]\n");
    ES_CHECK(run((const char *[]){"run", m, NULL}) != 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "m.yaml:11:17: warm_start: cannot learn from this sweep: 'nope' (project p "
                      "has no such sweep started before this one)");
    /* Every name that cannot be learnt from, at the first one's place. */
    const char *k = write_spec("k.yaml", "prog.sh", "k", "bayes", 2, "warm_start: [x, a, o]\n");
    ES_CHECK(run((const char *[]){"run", k, NULL}) != 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "k.yaml:11:14: warm_start: cannot learn from these sweeps: 'x' (project p "
                      "has no such sweep started before this one); 'o' (it ran program");
    es_store_data *d = es_sx_load(db);
    ES_CHECK(sweep_named(d, "n") == NULL && sweep_named(d, "m") == NULL &&
             sweep_named(d, "k") == NULL);
    es_store_data_free(d);

    /* Named, the sweeps it lists; with auto, every matching one (the
     * newest first). */
    const char *l = write_spec("l.yaml", "prog.sh", "l", "bayes", 2, "warm_start: [b, a]\n");
    ES_CHECK_INT(run((const char *[]){"run", l, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "learns from 11 trials of 2 earlier sweeps of this program: b (3), a (8)");
}

ES_TEST(warm_start_taken_up_again_learns_what_it_learnt_first)
{
    write_program("prog.sh");
    const char *a = write_spec("a.yaml", "prog.sh", "a", "random", 5, "");
    ES_CHECK_INT(run((const char *[]){"run", a, NULL}), 0);
    char b[4200]; /* es_sx_path's buffers rotate */
    snprintf(b, sizeof b, "%s", write_spec("b.yaml", "prog.sh", "b", "bayes", 2, ""));
    ES_CHECK_INT(run((const char *[]){"run", b, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")), "learns from 5 trials of 1 earlier sweep");
    /* A sweep started after b: not among what b learns from. */
    const char *c = write_spec("c.yaml", "prog.sh", "c", "random", 4, "warm_start: none\n");
    ES_CHECK_INT(run((const char *[]){"run", c, NULL}), 0);
    ES_CHECK_INT(run((const char *[]){"run", "--more", "2", b, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "learns from 5 trials of 1 earlier sweep of this program: a (5)");
}

/* One program however the spec names it: beside the spec, from the
 * current directory or by its absolute path.  With nothing to learn from,
 * run says it starts cold. */
ES_TEST(warm_start_knows_a_program_however_it_is_named)
{
    write_program("prog.sh");
    char text[1024];
    snprintf(text, sizeof text,
             "program: prog.sh\ncommand: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "method: bayes\nproject: p\nname: rel\nrun_cap: 3\n"
             "metric: {name: loss, goal: minimize}\n"
             "parameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n");
    es_test_write_file("rel.yaml", text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(run((const char *[]){"run", es_sx_path("rel.yaml"), NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "warm start: no earlier sweep of project p ran this program for loss: a "
                      "cold start");
    const char *abs = write_spec("abs.yaml", "prog.sh", "abs", "bayes", 2, "");
    ES_CHECK_INT(run((const char *[]){"run", abs, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "learns from 3 trials of 1 earlier sweep of this program: rel (3)");
}

/* Two programs of one name in two directories, each run from its own:
 * not one program (the text `f.sh` is the same, the files are not).  The
 * same file named from another directory is. */
ES_TEST(warm_start_tells_two_programs_of_one_name_apart)
{
    char d1[4300], d2[4300], text[1024];
    snprintf(d1, sizeof d1, "%s/d1", es_test_tmpdir());
    snprintf(d2, sizeof d2, "%s/d2", es_test_tmpdir());
    ES_CHECK(mkdir(d1, 0755) == 0 && mkdir(d2, 0755) == 0);
    write_program("d1/f.sh");
    write_program("d2/f.sh");
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    const char *methods[] = {"random", "bayes", "bayes"}, *names[] = {"r", "b", "c"};
    for (int i = 0; i < 3; i++) {
        char file[16];
        snprintf(file, sizeof file, "%s.yaml", names[i]);
        snprintf(text, sizeof text,
                 "program: %s\ncommand: [/bin/sh, \"${program}\", \"${args}\"]\n"
                 "method: %s\nproject: p\nname: %s\nrun_cap: 3\n"
                 "metric: {name: loss, goal: minimize}\n"
                 "parameters:\n  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n",
                 i == 2 ? "../d1/f.sh" : "f.sh", methods[i], names[i]);
        es_test_write_file(file, text);
        char spec[4300];
        snprintf(spec, sizeof spec, "%s", es_sx_path(file));
        ES_CHECK_INT(es_sx_finish(es_sx_start_in(i == 0 ? d1 : d2, db,
                                                 (const char *[]){"run", spec, NULL}, extra)),
                     0);
        if (i == 1)
            ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                              "warm start: no earlier sweep of project p ran this program");
    }
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "learns from 3 trials of 1 earlier sweep of this program: r (3)");
}

/* With an energy budget, a warm-started sweep forecasts its first trial
 * from the earlier sweep's energies: one that cannot fit is never run.  A
 * cold one must run a trial to learn what a trial costs. */
ES_TEST(warm_start_keeps_a_budget_from_the_first_trial)
{
    es_test_write_file("busy.sh",
                       "x=0\n"
                       "for a in \"$@\"; do case \"$a\" in --x=*) x=${a#--x=};; esac; done\n"
                       "i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done\n"
                       "echo \"loss=$x\"\n");
    const char *r = write_spec("r.yaml", "busy.sh", "r", "random", 4, "");
    ES_CHECK_INT(run((const char *[]){"run", r, NULL}), 0);
    const char *b = write_spec("b.yaml", "busy.sh", "b", "bayes", 3, "budget: {kwh: 1e-12}\n");
    ES_CHECK_INT(run((const char *[]){"run", b, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stdout")), "budget would be exceeded");
    const char *c = write_spec("c.yaml", "busy.sh", "c", "bayes", 3,
                               "warm_start: none\nbudget: {kwh: 1e-12}\n");
    ES_CHECK_INT(run((const char *[]){"run", c, NULL}), 0);
    es_store_data *d = es_sx_load(db);
    ES_CHECK_INT((int)sweep_named(d, "b")->n_trials, 0);
    ES_CHECK_INT((int)sweep_named(d, "c")->n_trials, 1);
    es_store_data_free(d);
}

/* A sweep recorded before ecosweep learnt from earlier sweeps began cold:
 * taken up again, it goes on cold. */
ES_TEST(warm_start_leaves_a_sweep_that_began_cold_cold)
{
    write_program("prog.sh");
    const char *a = write_spec("a.yaml", "prog.sh", "a", "random", 4, "");
    ES_CHECK_INT(run((const char *[]){"run", a, NULL}), 0);
    char b[4200];
    snprintf(b, sizeof b, "%s", write_spec("b.yaml", "prog.sh", "b", "bayes", 2, ""));
    ES_CHECK_INT(run((const char *[]){"run", b, NULL}), 0);
    es_err err;
    ES_CHECK_INT(
        es_store_testing_exec(db, "UPDATE sweep SET program_file = NULL WHERE name = 'b'", &err),
        0);
    ES_CHECK_INT(run((const char *[]){"run", "--more", "1", b, NULL}), 0);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "warm start: none (the sweep began before ecosweep learnt from earlier "
                      "sweeps)");
}
