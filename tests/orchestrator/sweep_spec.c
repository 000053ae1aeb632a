/*
 * sweep_spec.c -- the helpers of the end-to-end sweep tests (test_sweep.c,
 * test_budget.c): a spec running tests/orchestrator/trial.sh, ecosweep run
 * in the background or to its end, the database loaded, the processes a
 * trial left checked gone.  See sweep_spec.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"
#include "store.h"
#include "sweep_exec.h"
#include "sweep_spec.h"

char db[4200];

const char *path_in_tmp(const char *name)
{
    return es_sx_path(name);
}

/* Write a spec whose command runs trial.sh with the parameters. */
const char *write_spec(const char *name, const char *body)
{
    const char *path = path_in_tmp(name);
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fprintf(f,
            "program: %s/tests/orchestrator/trial.sh\n"
            "command: [/bin/sh, \"${program}\", \"${args}\"]\n%s%s",
            es_test_source_dir(),
            strstr(body, "metric:") ? "" : "metric: {name: loss, goal: minimize}\n", body);
    fclose(f);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    return path;
}

/* Start `ecosweep ARGS... --db DB` in the test's directory; a run also
 * gets --no-status and, unless it names its own, --grace 0.5. */
pid_t start(const char *const *args)
{
    int run_cmd = strcmp(args[0], "run") == 0, has_grace = 0;
    for (int i = 0; args[i] != NULL; i++)
        has_grace |= strcmp(args[i], "--grace") == 0;
    const char *const run_extra[] = {"--no-status", has_grace ? NULL : "--grace", "0.5", NULL};
    return es_sx_start(db, args, run_cmd ? run_extra : NULL);
}

int finish(pid_t pid)
{
    return es_sx_finish(pid);
}

int run(const char *const *args)
{
    return finish(start(args));
}

char *slurp(const char *path)
{
    return es_sx_slurp(path);
}

es_store_data *load(void)
{
    return es_sx_load(db);
}

es_store_sweep *sweep_of(es_store_data *d, size_t i)
{
    ES_CHECK(d->n_projects == 1 && d->projects[0].n_sweeps > i);
    return &d->projects[0].sweeps[i];
}

void show_output(void)
{
    es_sx_show_output();
}

/* Process pid no longer runs: it does not exist, or is a zombie waiting
 * for its (new) parent to reap it.  Signals take a moment to land, so
 * allow up to 3 s. */
int gone(long pid)
{
    for (int i = 0; i < 150; i++) {
        char path[64], stat[256];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return 1;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        const char *rp = strrchr(stat, ')');
        if (rp != NULL && rp[1] == ' ' && rp[2] == 'Z')
            return 1;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Both pids a sleeping trial wrote are gone. */
void check_pids_gone(const es_store_trial *t)
{
    char path[4300];
    long a = 0, b = 0;
    snprintf(path, sizeof path, "%s/pids", t->log_dir);
    const char *s = slurp(path);
    ES_CHECK(s != NULL && sscanf(s, "%ld %ld", &a, &b) == 2);
    ES_CHECK(gone(a));
    ES_CHECK(gone(b));
}

double sweep_joules(const es_store_sweep *sw)
{
    double j = 0;
    for (size_t i = 0; i < sw->n_trials; i++)
        j += (sw->trials[i].cpu.method ? sw->trials[i].cpu.j : 0) +
             (sw->trials[i].dram.method ? sw->trials[i].dram.j : 0);
    return j;
}
