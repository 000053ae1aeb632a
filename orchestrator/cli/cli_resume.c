/*
 * cli_resume.c -- `ecosweep resume SWEEP`: take up, by name or id, a sweep
 * that was interrupted or whose coordinator died, with the spec text and seed the sweep recorded
 * (see loop.h for what resuming does to its trials).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "loop.h"
#include "store.h"

static int resume_exec(int argc, char **argv);

const es_cli_cmd es_cli_resume = {
    .name = "resume",
    .summary = "resume an interrupted sweep, or one whose coordinator died",
    .usage = "usage: ecosweep resume SWEEP [options]\n"
             "\n"
             "Resume SWEEP (a name or a numeric id), a sweep that was interrupted (Ctrl-C,\n"
             "SIGTERM) or is still recorded as running because its coordinator died\n"
             "(killed, crashed, the machine went down). The spec is the text the sweep\n"
             "recorded when it started, the seed and budget its own. Completed trials are\n"
             "kept; trials it was running are marked lost and run again; the search goes\n"
             "on from every recorded result. A sweep whose coordinator is alive is refused.\n"
             "\n"
             "Options:\n"
             "  --db FILE          database (default $ECOSWEEP_DB, else ./ecosweep.db)\n"
             "  --project NAME     the sweep's project, when several have a sweep SWEEP\n"
             "  --parallel N       trials at once (default: as the sweep ran)\n"
             "  --grace SECONDS    time a stopped trial gets between SIGTERM and SIGKILL (5)\n"
             "  --worker PATH      ecosweep-worker to use\n"
             "  --no-status        plain progress lines even on a terminal\n"
             "  --no-reuse         run configurations the project already completed\n"
             "\n"
             "Exit codes as for `ecosweep run`; 1 also when SWEEP is not unfinished.\n",
    .exec = resume_exec,
};

static int resume_exec(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"project", required_argument, NULL, 'P'},
        {"parallel", required_argument, NULL, 'p'}, {"grace", required_argument, NULL, 'g'},
        {"worker", required_argument, NULL, 'w'},   {"no-status", no_argument, NULL, 'q'},
        {"no-reuse", no_argument, NULL, 'R'},       {NULL, 0, NULL, 0}};
    const char *db_opt = NULL, *project = NULL, *worker_opt = NULL;
    long parallel = 0;
    double grace = 5.0;
    int no_status = 0, no_reuse = 0, c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 'P':
            project = optarg;
            break;
        case 'p': {
            char *end;
            errno = 0;
            parallel = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || parallel < 1 || parallel > 4096)
                return es_cli_usage_error(&es_cli_resume, "--parallel: expected 1..4096, got '%s'",
                                          optarg);
            break;
        }
        case 'g':
            if (es_parse_duration(optarg, &grace) != 0)
                return es_cli_usage_error(&es_cli_resume, "--grace: expected seconds, got '%s'",
                                          optarg);
            break;
        case 'w':
            worker_opt = optarg;
            break;
        case 'q':
            no_status = 1;
            break;
        case 'R':
            no_reuse = 1;
            break;
        default:
            return es_cli_usage_error(&es_cli_resume, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return es_cli_usage_error(&es_cli_resume, optind >= argc ? "missing SWEEP"
                                                                 : "expected one SWEEP, got more");

    const char *db = es_cli_db_path(db_opt), *which = argv[optind];
    es_store *st = NULL;
    es_store_sweep_ref ref;
    es_spec *spec = NULL;
    es_err err;
    char worker[PATH_MAX];
    int n_found = 0, rc;

    es_err_clear(&err);
    if ((rc = es_cli_open_existing(db, &st)) != 0)
        return rc;
    es_lock *lock = es_cli_lock_begin("resume", db);
    if ((rc = es_store_sweep_find(st, project, which, NULL, &ref, &n_found, &err)) != 0) {
        fprintf(stderr, "ecosweep resume: %s\n", err.msg);
        es_lock_close(lock);
        es_store_close(st);
        return ES_EXIT_ERROR;
    }
    int unfinished = n_found == 1 &&
                     (strcmp(ref.status, "running") == 0 || strcmp(ref.status, "interrupted") == 0);
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
                    "whose coordinator stopped, can be resumed\n",
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
    /* The caps it was started with, a command line's included. */
    spec->budget.kwh = ref.budget.kwh;
    spec->budget.usd = ref.budget.usd;
    spec->budget.co2e_kg = ref.budget.co2e_kg;
    if (es_cli_resolve_program(spec) != 0) {
        fprintf(stderr, "ecosweep resume: out of memory\n");
        rc = ES_EXIT_ERROR;
        goto out;
    }
    es_cli_find_worker(worker_opt, worker, sizeof worker);
    es_run_opts ro = {
        .db_path = db,
        .worker_path = worker,
        .project = ref.project,
        .sweep_name = ref.name,
        .parallel = parallel > 0       ? (int)parallel
                    : ref.parallel > 0 ? ref.parallel
                                       : 1,
        .seed = ref.seed,
        .grace_s = grace,
        .live = !no_status && isatty(STDERR_FILENO),
        .no_reuse = no_reuse,
        .out = stderr,
        .resume_id = ref.id,
        .lock = lock,
    };
    rc = es_cli_run_sweep("resume", st, spec, &ro);
out:
    es_lock_close(lock);
    es_spec_free(spec);
    es_store_sweep_ref_clear(&ref);
    es_store_close(st);
    return rc;
}
