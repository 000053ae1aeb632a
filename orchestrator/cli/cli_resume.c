/*
 * cli_resume.c -- `ecosweep resume SWEEP`: take up, by name or id, a sweep
 * that was interrupted or whose coordinator died, with the spec text and seed the sweep recorded
 * (see loop.h for what resuming does to its trials).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "loop.h"
#include "store.h"

/* What `resume` takes: the options it shares with `run`, and --project. */
typedef struct resume_args {
    es_cli_sweep_args sweep;
    const char *project;
} resume_args;

static const resume_args resume_defaults = {.sweep = ES_CLI_SWEEP_ARGS_DEFAULT};

static const es_cli_opt resume_opts[] = {
    ES_CLI_STRING_OPT(resume_args, project, .name = "project", .arg = "NAME",
                      .help = "the sweep's project, when several have a sweep SWEEP"),
    {.name = NULL},
};

static const es_cli_group resume_groups[] = {
    {NULL, resume_opts, 0},
    {"Options shared with `ecosweep run`:", es_cli_sweep_opts, offsetof(resume_args, sweep)},
    {NULL, NULL, 0},
};

static int resume_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_resume = {
    .name = "resume",
    .summary = "resume an interrupted sweep, or one whose coordinator died",
    .operands = "SWEEP",
    .missing = "SWEEP",
    .min_operands = 1,
    .max_operands = 1,
    .about = "Resume SWEEP (a name or a numeric id), a sweep that was interrupted (Ctrl-C,\n"
             "SIGTERM) or is still recorded as running because its coordinator died\n"
             "(killed, crashed, the machine went down). The spec is the text the sweep\n"
             "recorded when it started, the seed and budget its own. Completed trials are\n"
             "kept; trials it was running are marked lost and run again; the search goes\n"
             "on from every recorded result. A sweep whose coordinator is alive is refused.\n"
             "With --more N, a finished sweep goes on too, with N more trials.\n",
    .groups = resume_groups,
    .epilogue = "Exit codes as for `ecosweep run`; 1 also when SWEEP is not unfinished (and no\n"
                "--more is given).\n",
    .args_size = sizeof(resume_args),
    .defaults = &resume_defaults,
    .exec = resume_exec,
};

static int resume_exec(const void *args, int n, char **operands)
{
    const resume_args *a = args;
    const char *db = es_cli_db_path(a->sweep.db), *which = operands[0];
    es_store *st = NULL;
    es_store_sweep_ref ref;
    es_spec *spec = NULL;
    es_err err;
    char worker[PATH_MAX];
    int n_found = 0, rc;

    (void)n; /* one SWEEP, as the table says */
    es_err_clear(&err);
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    es_lock *lock = es_cli_lock_begin("resume", db);
    if ((rc = es_store_sweep_find(st, a->project, which, NULL, &ref, &n_found, &err)) != 0) {
        fprintf(stderr, "ecosweep resume: %s\n", err.msg);
        es_lock_close(lock);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    /* With --more, any sweep goes on, a finished one included. */
    int unfinished = n_found == 1 && (strcmp(ref.status, "running") == 0 ||
                                      strcmp(ref.status, "interrupted") == 0 || a->sweep.more > 0);
    if (!unfinished || ref.spec_text == NULL) {
        if (n_found == 0)
            fprintf(stderr, "ecosweep resume: no sweep '%s' in %s\n", which, db);
        else if (n_found > 1)
            fprintf(stderr,
                    "ecosweep resume: %d sweeps are called '%s'; name one by id or with "
                    "--project\n",
                    n_found, which);
        else if (!unfinished)
            fprintf(stderr,
                    "ecosweep resume: sweep %s is %s (%s); only an interrupted sweep, or one "
                    "whose coordinator stopped, can be resumed (--more N runs N more trials "
                    "in it)\n",
                    ref.name, ref.status, ref.reason ? ref.reason : "no reason recorded");
        else
            fprintf(stderr, "ecosweep resume: sweep %s did not record its spec\n", ref.name);
        es_store_sweep_ref_clear(&ref);
        es_lock_close(lock);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    if ((rc = es_spec_parse_string(ref.spec_text, strlen(ref.spec_text),
                                   ref.spec_path ? ref.spec_path : ref.name, &spec, &err)) != 0) {
        fprintf(stderr, "ecosweep resume: the recorded spec of sweep %s: %s\n", ref.name, err.msg);
        es_store_sweep_ref_clear(&ref);
        es_lock_close(lock);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    /* A run_cap --more raised stays. */
    if (ref.run_cap > spec->run_cap && spec->run_cap > 0)
        spec->run_cap = ref.run_cap;
    /* The caps it was started with, a command line's included. */
    spec->budget.kwh = ref.budget.kwh;
    spec->budget.usd = ref.budget.usd;
    spec->budget.co2e_kg = ref.budget.co2e_kg;
    if (es_cli_resolve_program(spec) != 0) {
        fprintf(stderr, "ecosweep resume: out of memory\n");
        rc = ES_EXIT_ERROR;
        goto out;
    }
    es_run_opts ro = {
        .db_path = db,
        .project = ref.project,
        .sweep_name = ref.name,
        .seed = ref.seed,
        .out = stderr,
        .resume_id = ref.id,
        .lock = lock,
    };
    es_cli_sweep_apply(&a->sweep, spec, ref.parallel, worker, sizeof worker, &ro);
    rc = es_cli_run_sweep("resume", st, spec, &ro, NULL);
out:
    es_lock_close(lock);
    es_spec_free(spec);
    es_store_sweep_ref_clear(&ref);
    es_store_close(st);
    return rc;
}
