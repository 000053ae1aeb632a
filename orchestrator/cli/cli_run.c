/*
 * cli_run.c -- `ecosweep run SPEC`: parse the spec, open the store, run the
 * sweep, print what it found and what it cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "loop.h"
#include "store.h"

static int run_exec(int argc, char **argv);

const es_cli_cmd es_cli_run = {
    .name = "run",
    .summary = "run a sweep from a YAML spec",
    .usage = "usage: ecosweep run SPEC [options]\n"
             "\n"
             "Run the sweep described by SPEC (W&B sweep YAML plus ecosweep's energy keys),\n"
             "recording every trial in the database. Progress goes to stderr (a live status\n"
             "line on a terminal), the summary to stdout.\n"
             "\n"
             "Options:\n"
             "  --db FILE          database (default $ECOSWEEP_DB, else ./ecosweep.db);\n"
             "                     trial logs go to FILE.d/\n"
             "  --parallel N       trials at once (overrides the spec's `parallel`)\n"
             "  --seed N           seed of the search (overrides the spec's `seed`)\n"
             "  --project NAME     project (overrides the spec's `project`; default 'default')\n"
             "  --name NAME        sweep name (default: the spec's `name`, else the file name)\n"
             "  --grace SECONDS    time a stopped trial gets between SIGTERM and SIGKILL (5)\n"
             "  --max-kwh X        energy budget in kWh at the wall (overrides budget.kwh)\n"
             "  --max-usd X        budget in dollars of electricity (overrides budget.usd)\n"
             "  --max-co2e-kg X    budget in kg CO2e (overrides budget.co2e_kg)\n"
             "  --worker PATH      ecosweep-worker to use (default $ECOSWEEP_WORKER, else the\n"
             "                     one installed beside ecosweep, else PATH)\n"
             "  --launcher TYPE    local (default) or slurm: run each trial as a Slurm job\n"
             "                     through srun (overrides the spec's launcher.type)\n"
             "  --no-status        plain progress lines even on a terminal\n"
             "  --no-reuse         run configurations the project already completed, instead\n"
             "                     of reusing their results\n"
             "  --new              start a new sweep even when one of this name was left\n"
             "                     unfinished (by default that one is resumed)\n"
             "\n"
             "A sweep of the same project and name that was interrupted (Ctrl-C) or whose\n"
             "coordinator died (still recorded as running) is resumed: its completed trials\n"
             "are kept, the trials it was running are marked lost and run again, and the\n"
             "search goes on from what was recorded, with the sweep's stored seed and the\n"
             "budget it was started with (unless --max-* gives a new one). A sweep whose\n"
             "coordinator is still alive is never taken over: run refuses (exit 1).\n"
             "\n"
             "Exit: 0 the sweep ran to its end; 1 runtime error; 2 usage or spec error;\n"
             "3 stopped by max_failed; 130/143 interrupted (running trials are stopped).\n",
    .exec = run_exec,
};

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static uint64_t fresh_seed(void)
{
    uint32_t v = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v)
        v = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
    if (fd >= 0)
        close(fd);
    return v;
}

static void default_sweep_name(const es_spec *spec, char *buf, size_t cap)
{
    char tmp[PATH_MAX];
    if (spec->name != NULL) {
        snprintf(buf, cap, "%s", spec->name);
        return;
    }
    snprintf(tmp, sizeof tmp, "%s", spec->path);
    snprintf(buf, cap, "%s", basename(tmp));
    char *dot = strrchr(buf, '.');
    if (dot != NULL && dot != buf)
        *dot = '\0';
}

static void print_summary(const es_spec *spec, const es_run_summary *s, const char *db)
{
    char el[32];
    long t = (long)(s->elapsed_s + 0.5);
    snprintf(el, sizeof el, "%ldm%02lds", t / 60, t % 60);
    printf("sweep %s %s: %s\n", s->sweep_name, s->status, s->reason);
    printf("  %d trials: %d completed, %d failed, %d timed out", s->launched, s->completed,
           s->failed, s->timed_out);
    if (s->interrupted)
        printf(", %d interrupted", s->interrupted);
    if (s->budget_stopped)
        printf(", %d budget_stopped", s->budget_stopped);
    if (s->pruned)
        printf(", %d pruned", s->pruned);
    if (s->reused)
        printf(" (%d completed by reusing earlier results)", s->reused);
    if (s->lost)
        printf("; %d lost when the sweep stopped, run again", s->lost);
    printf("\n");
    if (s->best_number >= 0)
        printf("  best: trial %lld, %s=%.6g\n", (long long)s->best_number, spec->metric_name,
               s->best_objective);
    printf("  energy: %.6f kWh, %.4f g CO2e, $%.6f, in %s\n", s->kwh, s->co2e_kg * 1000, s->usd,
           el);
    printf("  details: ecosweep report --db %s --sweep %s\n", db, s->sweep_name);
}

static int run_exec(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"parallel", required_argument, NULL, 'p'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"project", required_argument, NULL, 'P'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"grace", required_argument, NULL, 'g'},
                                         {"worker", required_argument, NULL, 'w'},
                                         {"no-status", no_argument, NULL, 'q'},
                                         {"launcher", required_argument, NULL, 'L'},
                                         {"max-kwh", required_argument, NULL, 'K'},
                                         {"max-usd", required_argument, NULL, 'U'},
                                         {"max-co2e-kg", required_argument, NULL, 'C'},
                                         {"no-reuse", no_argument, NULL, 'R'},
                                         {"new", no_argument, NULL, 'N'},
                                         {NULL, 0, NULL, 0}};
    const char *db_opt = NULL, *project = NULL, *name = NULL, *worker_opt = NULL;
    long parallel = 0, seed = -1;
    double grace = 5.0, max_kwh = 0, max_usd = 0, max_co2e = 0;
    int no_status = 0, no_reuse = 0, fresh = 0, launcher = 0, c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_opt = optarg;
            break;
        case 'p':
            if (parse_long(optarg, 1, 4096, &parallel) != 0)
                return es_cli_usage_error(&es_cli_run, "--parallel: expected 1..4096, got '%s'",
                                          optarg);
            break;
        case 's':
            if (parse_long(optarg, 0, LONG_MAX, &seed) != 0)
                return es_cli_usage_error(
                    &es_cli_run, "--seed: expected a non-negative integer, got '%s'", optarg);
            break;
        case 'P':
            project = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'g':
            if (es_parse_duration(optarg, &grace) != 0)
                return es_cli_usage_error(&es_cli_run, "--grace: expected seconds, got '%s'",
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
        case 'N':
            fresh = 1;
            break;
        case 'L':
            if (strcmp(optarg, "local") != 0 && strcmp(optarg, "slurm") != 0)
                return es_cli_usage_error(&es_cli_run,
                                          "--launcher: expected local or slurm, got '%s'", optarg);
            launcher = strcmp(optarg, "slurm") == 0 ? 2 : 1;
            break;
        case 'K':
        case 'U':
        case 'C': {
            char *end;
            double x = strtod(optarg, &end);
            if (end == optarg || *end != '\0' || !(x > 0) || !isfinite(x))
                return es_cli_usage_error(&es_cli_run, "--%s: expected a positive number, got '%s'",
                                          c == 'K'   ? "max-kwh"
                                          : c == 'U' ? "max-usd"
                                                     : "max-co2e-kg",
                                          optarg);
            *(c == 'K' ? &max_kwh : c == 'U' ? &max_usd : &max_co2e) = x;
            break;
        }
        default:
            return es_cli_usage_error(&es_cli_run, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return es_cli_usage_error(&es_cli_run,
                                  optind >= argc ? "missing SPEC" : "expected one SPEC, got more");

    es_spec *spec = NULL;
    es_store *st = NULL;
    es_err err;
    char worker[PATH_MAX], sweep_name[256];
    const char *db = es_cli_db_path(db_opt);
    int rc;

    es_err_clear(&err);
    if ((rc = es_spec_parse_file(argv[optind], &spec, &err)) != 0) {
        fprintf(stderr, "ecosweep run: %s\n", err.msg);
        return rc == ES_ESPEC || rc == ES_ENOTSUP ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    }
    if (launcher != 0)
        spec->launcher.type = launcher == 2 ? ES_LAUNCHER_SLURM : ES_LAUNCHER_LOCAL;
    if (max_kwh > 0)
        spec->budget.kwh = max_kwh;
    if (max_usd > 0)
        spec->budget.usd = max_usd;
    if (max_co2e > 0)
        spec->budget.co2e_kg = max_co2e;
    if (es_cli_resolve_program(spec) != 0) {
        es_spec_free(spec);
        fprintf(stderr, "ecosweep run: out of memory\n");
        return ES_EXIT_ERROR;
    }
    if ((rc = es_store_open(db, &st, &err)) != 0) {
        es_spec_free(spec);
        fprintf(stderr, "ecosweep run: %s\n", err.msg);
        return ES_EXIT_ERROR;
    }
    es_cli_find_worker(worker_opt, worker, sizeof worker);
    default_sweep_name(spec, sweep_name, sizeof sweep_name);

    es_run_opts ro = {
        .db_path = db,
        .worker_path = worker,
        .project = project         ? project
                   : spec->project ? spec->project
                                   : "default",
        .sweep_name = name ? name : sweep_name,
        .parallel = parallel > 0         ? (int)parallel
                    : spec->parallel > 0 ? spec->parallel
                                         : 1,
        .seed = seed >= 0        ? (uint64_t)seed
                : spec->has_seed ? spec->seed
                                 : fresh_seed(),
        .grace_s = grace,
        .live = !no_status && isatty(STDERR_FILENO),
        .no_reuse = no_reuse,
        .out = stderr,
    };
    if (spec->run_cap == 0 && spec->method == ES_METHOD_RANDOM && spec->budget.wall_s == 0)
        fprintf(stderr, "note: no run_cap or budget.wall: random search runs until "
                        "interrupted (Ctrl-C stops it cleanly)\n");

    /* A sweep of this name left running: its coordinator died; go on with
     * it, with its own seed, unless --new asks for a fresh one. */
    es_store_sweep_ref ref;
    int n_found = 0;
    ro.lock = es_cli_lock_begin("run", db);
    if (!fresh) {
        if ((rc = es_store_sweep_find(st, ro.project, ro.sweep_name, "unfinished", &ref, &n_found,
                                      &err)) != 0) {
            fprintf(stderr, "ecosweep run: %s\n", err.msg);
            es_lock_close(ro.lock);
            es_store_close(st);
            es_spec_free(spec);
            return ES_EXIT_ERROR;
        }
    }
    if (n_found > 0) {
        snprintf(sweep_name, sizeof sweep_name, "%s", ref.name);
        ro.sweep_name = sweep_name;
        ro.seed = ref.seed;
        ro.resume_id = ref.id;
        /* The caps it was started with stay, unless given again now. */
        if (!(max_kwh > 0))
            spec->budget.kwh = ref.budget.kwh;
        if (!(max_usd > 0))
            spec->budget.usd = ref.budget.usd;
        if (!(max_co2e > 0))
            spec->budget.co2e_kg = ref.budget.co2e_kg;
        es_store_sweep_ref_clear(&ref);
    }
    rc = es_cli_run_sweep("run", st, spec, &ro);
    es_lock_close(ro.lock);
    es_store_close(st);
    es_spec_free(spec);
    return rc;
}

es_lock *es_cli_lock_begin(const char *cmd, const char *db)
{
    es_lock *lk = NULL;
    es_err err;
    es_err_clear(&err);
    if (es_lock_open(db, &lk, &err) != 0 || es_lock_decide_begin(lk, &err) != 0) {
        fprintf(stderr,
                "ecosweep %s: note: %s; running without protection against a second "
                "coordinator on this sweep\n",
                cmd, err.msg);
        es_lock_close(lk);
        return NULL;
    }
    return lk;
}

int es_cli_run_sweep(const char *cmd, es_store *st, const es_spec *spec, const es_run_opts *ro)
{
    es_run_summary sum;
    es_err err;
    int rc;

    es_err_clear(&err);
    rc = es_sweep_run(st, spec, ro, &sum, &err);
    if (rc != 0) {
        fprintf(stderr, "ecosweep %s: %s\n", cmd, err.msg);
        if (sum.sweep_id > 0)
            print_summary(spec, &sum, ro->db_path);
        return rc == ES_ESPEC || rc == ES_ENOTSUP ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    }
    print_summary(spec, &sum, ro->db_path);
    if (sum.stop_signal != 0)
        return 128 + sum.stop_signal;
    if (strcmp(sum.status, "failed") == 0)
        return ES_EXIT_FAILED_TRIALS;
    return ES_EXIT_OK;
}
