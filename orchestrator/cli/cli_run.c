/*
 * cli_run.c -- `ecosweep run SPEC`: parse the spec, open the store, run the
 * sweep, print what it found and what it cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "loop.h"
#include "report.h"
#include "store.h"

/* What `run` takes: the options it shares with `resume`, and its own. */
typedef struct run_args {
    es_cli_sweep_args sweep;
    long seed; /* -1: the spec's, else a fresh one */
    const char *project, *name;
    double max_kwh, max_usd, max_co2e; /* 0: the spec's budget */
    int fresh;                         /* --new */
} run_args;

static const run_args run_defaults = {.sweep = ES_CLI_SWEEP_ARGS_DEFAULT, .seed = -1};

static const es_cli_opt run_opts[] = {
    ES_CLI_LONG_OPT(run_args, seed, .name = "seed", .arg = "N",
                    .help = "seed of the search (overrides the spec's `seed`)", .lo = 0,
                    .hi = LONG_MAX, .expect = "a non-negative integer"),
    ES_CLI_STRING_OPT(run_args, project, .name = "project", .arg = "NAME",
                      .help = "project (overrides the spec's `project`; default 'default')"),
    ES_CLI_STRING_OPT(run_args, name, .name = "name", .arg = "NAME",
                      .help = "sweep name (default: the spec's `name`, else the file name)"),
    ES_CLI_REAL_OPT(run_args, max_kwh, ES_CLI_POSITIVE, .name = "max-kwh", .arg = "X",
                    .help = "energy budget in kWh at the wall (overrides budget.kwh)",
                    .max = ES_BUDGET_KWH_MAX),
    ES_CLI_REAL_OPT(run_args, max_usd, ES_CLI_POSITIVE, .name = "max-usd", .arg = "X",
                    .help = "budget in dollars of electricity (overrides budget.usd)",
                    .max = ES_BUDGET_USD_MAX),
    ES_CLI_REAL_OPT(run_args, max_co2e, ES_CLI_POSITIVE, .name = "max-co2e-kg", .arg = "X",
                    .help = "budget in kg CO2e (overrides budget.co2e_kg)",
                    .max = ES_BUDGET_CO2E_KG_MAX),
    ES_CLI_FLAG_OPT(run_args, fresh, .name = "new",
                    .help = "start a new sweep even when one of this name was left unfinished "
                            "(by default that one is resumed)"),
    {.name = NULL},
};

static const es_cli_group run_groups[] = {
    {NULL, run_opts, 0},
    {"Options shared with `ecosweep resume`:", es_cli_sweep_opts, offsetof(run_args, sweep)},
    {NULL, NULL, 0},
};

static int run_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_run = {
    .name = "run",
    .summary = "run a sweep from a YAML spec",
    .operands = "SPEC",
    .missing = "SPEC",
    .min_operands = 1,
    .max_operands = 1,
    .about = "Run the sweep described by SPEC (W&B sweep YAML plus ecosweep's energy keys),\n"
             "recording every trial in the database. Progress goes to stderr (a live status\n"
             "line on a terminal), the summary to stdout.\n",
    .groups = run_groups,
    .epilogue = "A sweep of the same project and name that was interrupted (Ctrl-C) or whose\n"
                "coordinator died (still recorded as running) is resumed: its completed trials\n"
                "are kept, the trials it was running are marked lost and run again, and the\n"
                "search goes on from what was recorded, with the sweep's stored seed and the\n"
                "budget it was started with (unless --max-* gives a new one). A sweep whose\n"
                "coordinator is still alive is never taken over: run refuses (exit 1).\n"
                "A finished sweep goes on with --more N (N more trials), or when it stopped at\n"
                "its run_cap and the spec's run_cap is now higher; --new starts afresh.\n"
                "\n"
                "Exit: 0 the sweep ran to its end; 1 runtime error, or the sweep was\n"
                "interrupted from outside (a worker stopped by someone's SIGTERM); 2 usage or\n"
                "spec error; 3 the sweep failed (max_failed, its first trials all failed);\n"
                "130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (running trials are\n"
                "stopped; the sweep is resumable).\n",
    .args_size = sizeof(run_args),
    .defaults = &run_defaults,
    .exec = run_exec,
};

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

/* The forecast fc made before the sweep, beside what it cost: per trial
 * (the sweep may have run fewer trials than forecast: a budget, a
 * target) and, when it ran them all, for the campaign. */
static void print_forecast(const es_spec *spec, const es_run_summary *s, const es_cli_forecast *fc)
{
    int ran = s->launched - s->reused;
    if (fc == NULL || !fc->have || ran <= 0 || !(fc->trial_mean_j > 0))
        return;
    es_cost lo, mean, hi;
    es_account(&spec->energy, fc->trial_low_j, 0, &lo);
    es_account(&spec->energy, fc->trial_mean_j, 0, &mean);
    es_account(&spec->energy, fc->trial_high_j, 0, &hi);
    printf("  forecast (as `ecosweep estimate` from %zu trial%s of earlier sweeps): %.4g kWh a "
           "trial (p10-p90 %.4g-%.4g); ",
           fc->samples, fc->samples == 1 ? "" : "s", mean.kwh, lo.kwh, hi.kwh);
    /* What it took, per trial whose energy is known: an unmeasured trial
     * is not a trial of 0 kWh. */
    if (s->metered == 0) {
        printf("what it took is not known: no trial's energy was measured\n");
        return;
    }
    double actual = s->kwh / s->metered;
    printf("it took %.4g kWh a trial, %.2f times the forecast", actual, actual / mean.kwh);
    if (s->metered < ran)
        printf(" (over the %d of %d trials whose energy was measured)", s->metered, ran);
    else if (fc->trials > 0 && ran == fc->trials)
        printf("; the sweep %.4g kWh against %.4g forecast", s->kwh, mean.kwh * (double)fc->trials);
    printf("\n");
}

/* The cost, and with several objectives or constraints the front and the
 * constraints, as the report says them, from what the store holds: one
 * home for the sentence that names the energy's method. */
static void print_stored(es_store *st, const es_run_summary *s)
{
    char id[32];
    es_store_data *d = NULL;
    es_err err;
    snprintf(id, sizeof id, "%lld", (long long)s->sweep_id);
    if (es_store_load(st, NULL, id, &d, &err) != 0) {
        printf("  cost: %.4g kWh by the coordinator's count (the methods and the front are in the "
               "report: %s)\n",
               s->kwh, err.msg);
        return;
    }
    fflush(stdout);
    if (es_report_write_summary(d, "  ", stdout) == -ENOMEM)
        printf("  (the cost and the front are in the report: out of memory)\n");
    es_store_data_free(d);
}

static void print_summary(es_store *st, const es_spec *spec, const es_run_summary *s,
                          const char *db, const es_cli_forecast *fc)
{
    char el[32];
    long t = (long)(s->elapsed_s + 0.5);
    snprintf(el, sizeof el, "%ldm%02lds", t / 60, t % 60);
    printf("sweep %s %s: %s, in %s\n", s->sweep_name, s->status, s->reason, el);
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
        printf("  best%s%s: trial %lld, %s=%.6g\n", spec->n_objectives >= 2 ? " by " : "",
               spec->n_objectives >= 2 ? spec->metric_name : "", (long long)s->best_number,
               spec->metric_name, s->best_objective);
    print_stored(st, s);
    if (s->reusable > 0) {
        printf("  %d trial%s ran a configuration the project had already completed with the same "
               "command and inputs; %s would have reused %s results",
               s->reusable, s->reusable == 1 ? "" : "s",
               spec->reuse ? "the spec's reuse: true, without --no-reuse,"
                           : "--reuse (or reuse: true)",
               s->reusable == 1 ? "its" : "their");
        if (s->reusable_metered == 0)
            printf(" (what that would have saved is not known: their energy was not measured)\n");
        else if (s->reusable_metered < s->reusable)
            printf(" and saved more than %.4g J (what the %d of them whose energy was measured "
                   "took in this sweep)\n",
                   s->reusable_j, s->reusable_metered);
        else
            printf(" and saved about %.4g J (what they took in this sweep)\n", s->reusable_j);
    }
    print_forecast(spec, s, fc);
    /* By number: a name can be shared by sweeps of other projects. */
    printf("  details: ecosweep report --db %s --sweep %lld\n", db, (long long)s->sweep_id);
}

static int run_exec(const void *args, int n, char **operands)
{
    const run_args *a = args;
    es_spec *spec = NULL;
    es_store *st = NULL;
    es_err err;
    char worker[PATH_MAX], sweep_name[256];
    const char *db = es_cli_db_path(a->sweep.db);
    int rc;

    (void)n; /* one SPEC, as the table says */
    es_err_clear(&err);
    if ((rc = es_spec_parse_file(operands[0], &spec, &err)) != 0) {
        fprintf(stderr, "ecosweep run: %s\n", err.msg);
        return rc == ES_ESPEC || rc == ES_ENOTSUP ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    }
    if (a->max_kwh > 0)
        spec->budget.kwh = a->max_kwh;
    if (a->max_usd > 0)
        spec->budget.usd = a->max_usd;
    if (a->max_co2e > 0)
        spec->budget.co2e_kg = a->max_co2e;
    /* The history `estimate` reads matches the program as written. */
    char program_buf[PATH_MAX];
    const char *program_as_written = NULL;
    if (spec->program != NULL) {
        snprintf(program_buf, sizeof program_buf, "%s", spec->program);
        program_as_written = program_buf;
    }
    if (es_cli_resolve_program(spec) != 0) {
        es_spec_free(spec);
        fprintf(stderr, "ecosweep run: out of memory\n");
        return ES_EXIT_ERROR;
    }
    es_cli_print_warnings("run", spec);
    {
        char msg[ES_ERR_MSG_MAX + PATH_MAX];
        if (es_cli_check_program(spec, msg, sizeof msg) != 0 && es_spec_uses_program(spec)) {
            /* Every trial would fail at once: say so before the first. */
            fprintf(stderr, "ecosweep run: %s\n", msg);
            es_spec_free(spec);
            return ES_EXIT_USAGE;
        }
    }
    if ((rc = es_store_open(db, &st, &err)) != 0) {
        es_spec_free(spec);
        fprintf(stderr, "ecosweep run: %s\n", err.msg);
        return ES_EXIT_ERROR;
    }
    default_sweep_name(spec, sweep_name, sizeof sweep_name);

    es_run_opts ro = {
        .db_path = db,
        .project = a->project      ? a->project
                   : spec->project ? spec->project
                                   : "default",
        .sweep_name = a->name ? a->name : sweep_name,
        .seed = a->seed >= 0     ? (uint64_t)a->seed
                : spec->has_seed ? spec->seed
                                 : fresh_seed(),
        .out = stderr,
    };
    es_cli_sweep_apply(&a->sweep, spec, spec->parallel, worker, sizeof worker, &ro);
    if (spec->run_cap == 0 && spec->method == ES_METHOD_RANDOM && spec->budget.wall_s == 0)
        fprintf(stderr, "note: no run_cap or budget.wall: random search runs until "
                        "interrupted (Ctrl-C stops it cleanly)\n");

    /* A sweep of this name left running: its coordinator died; go on with
     * it, with its own seed, unless --new asks for a fresh one.  --more
     * takes up the latest sweep of the name, finished or not. */
    es_store_sweep_ref ref;
    int n_found = 0, raised = 0, cap_edited = 0, kwh_edited = 0, usd_edited = 0, co2e_edited = 0;
    ro.lock = es_cli_lock_begin("run", db);
    if (!a->fresh) {
        /* NAME-2 (a sweep started while NAME was taken) is resumed too. */
        const char *which = a->sweep.more > 0 ? "latest-family" : "unfinished-family";
        if ((rc = es_store_sweep_find(st, ro.project, ro.sweep_name, which, &ref, &n_found,
                                      &err)) == 0 &&
            n_found == 0 && a->sweep.more == 0 && spec->run_cap > 0) {
            /* A finished sweep whose run_cap the spec raised goes on, as an
             * Optuna study loaded again takes more trials. */
            if ((rc = es_store_sweep_find(st, ro.project, ro.sweep_name, "latest-family", &ref,
                                          &n_found, &err)) == 0 &&
                n_found > 0 &&
                !(strcmp(ref.status, "finished") == 0 && ref.reason != NULL &&
                  strncmp(ref.reason, "run_cap reached", 15) == 0 &&
                  spec->run_cap > ref.next_number)) {
                es_store_sweep_ref_clear(&ref);
                n_found = 0;
            }
            raised = n_found > 0;
        }
        if (rc != 0) {
            fprintf(stderr, "ecosweep run: %s\n", err.msg);
            es_lock_close(ro.lock);
            es_store_close(st);
            es_spec_free(spec);
            return ES_EXIT_ERROR;
        }
    }
    if (a->sweep.more > 0 && n_found == 0) {
        if (a->fresh)
            fprintf(stderr, "ecosweep run: --more runs more trials in a sweep, --new starts a "
                            "new one: give one of them\n");
        else
            fprintf(stderr,
                    "ecosweep run: --more: project %s has no sweep %s to run more trials in\n",
                    ro.project, ro.sweep_name);
        es_lock_close(ro.lock);
        es_store_close(st);
        es_spec_free(spec);
        return ES_EXIT_USAGE;
    }
    if (n_found > 0 && ref.spec_text != NULL) {
        /* Resuming runs the stored sweep on: refuse a spec that would make
         * it another sweep (space, metric, method, command...). */
        es_spec *old = NULL;
        char changed[1024], safe[512];
        if (es_spec_parse_string(ref.spec_text, strlen(ref.spec_text),
                                 ref.spec_path ? ref.spec_path : spec->path, &old, &err) != 0 ||
            es_cli_resolve_program(old) != 0) {
            es_spec_free(old);
            old = NULL; /* a spec this version no longer reads: nothing to compare */
        }
        int n_changed =
            old != NULL ? es_spec_diff(old, spec, changed, sizeof changed, safe, sizeof safe) : 0;
        /* A run_cap the user edited wins over one --more gave; a budget
         * cap edited in the spec wins over the one the sweep kept. */
        cap_edited = old != NULL && old->run_cap != spec->run_cap;
        if (old != NULL) {
            kwh_edited = old->budget.kwh != spec->budget.kwh;
            usd_edited = old->budget.usd != spec->budget.usd;
            co2e_edited = old->budget.co2e_kg != spec->budget.co2e_kg;
        }
        es_spec_free(old);
        if (n_changed > 0 && raised) {
            /* Another sweep with a higher cap: a new sweep, as always. */
            es_store_sweep_ref_clear(&ref);
            n_found = raised = 0;
        } else if (n_changed > 0) {
            fprintf(stderr,
                    "ecosweep run: sweep %s (#%lld) was started from another spec, and going on "
                    "with this one would mix two sweeps in one: %s.\n"
                    "Run with --new to start a new sweep with this spec, or put those keys back "
                    "to %s it.\n",
                    ref.name, (long long)ref.id, changed,
                    a->sweep.more > 0 ? "run more trials in" : "resume");
            es_store_sweep_ref_clear(&ref);
            es_lock_close(ro.lock);
            es_store_close(st);
            es_spec_free(spec);
            return ES_EXIT_USAGE;
        } else if (old != NULL && safe[0] != '\0') {
            fprintf(stderr, "ecosweep run: resuming sweep %s with %s\n", ref.name, safe);
            if (es_store_sweep_set_spec(st, ref.id, spec->path, spec->text, &err) != 0)
                fprintf(stderr, "ecosweep run: %s\n", err.msg);
        }
    }
    if (raised) {
        fprintf(stderr,
                "ecosweep run: sweep %s finished at its run_cap with %lld trials; run_cap raised "
                "to %ld in the spec, it goes on (--new starts a new sweep instead)\n",
                ref.name, (long long)ref.next_number, spec->run_cap);
    }
    if (n_found > 0) {
        snprintf(sweep_name, sizeof sweep_name, "%s", ref.name);
        ro.sweep_name = sweep_name;
        ro.seed = ref.seed;
        ro.resume_id = ref.id;
        /* A run_cap --more raised stays, unless the spec's was edited since. */
        if (ref.run_cap > spec->run_cap && spec->run_cap > 0 && !cap_edited)
            spec->run_cap = ref.run_cap;
        else if (ref.run_cap > 0 && cap_edited &&
                 es_store_sweep_set_run_cap(st, ref.id, 0, &err) != 0)
            fprintf(stderr, "ecosweep run: %s\n", err.msg);
        /* The caps it was started with stay (--max-* ones included),
         * unless given again now or edited in the spec (as the resume
         * says: "resuming sweep s with budget.kwh 5e-05 -> 4e-06"). */
        if (!(a->max_kwh > 0) && !kwh_edited)
            spec->budget.kwh = ref.budget.kwh;
        if (!(a->max_usd > 0) && !usd_edited)
            spec->budget.usd = ref.budget.usd;
        if (!(a->max_co2e > 0) && !co2e_edited)
            spec->budget.co2e_kg = ref.budget.co2e_kg;
        es_store_sweep_ref_clear(&ref);
    }
    /* What `estimate` would have said, from the project's earlier sweeps,
     * to set beside what this one costs: a sweep taken up again is not
     * its own history (it was "1.00 times the forecast" of itself). */
    es_cli_forecast fc;
    es_cli_history_forecast(db, spec, program_as_written, ro.project, ro.resume_id, &fc);
    rc = es_cli_run_sweep("run", st, spec, &ro, &fc);
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

int es_cli_run_sweep(const char *cmd, es_store *st, const es_spec *spec, const es_run_opts *ro,
                     const es_cli_forecast *fc)
{
    es_run_summary sum;
    es_err err;
    int rc;

    es_err_clear(&err);
    rc = es_sweep_run(st, spec, ro, &sum, &err);
    if (rc != 0) {
        fprintf(stderr, "ecosweep %s: %s\n", cmd, err.msg);
        if (sum.sweep_id > 0)
            print_summary(st, spec, &sum, ro->db_path, fc);
        return rc == ES_ESPEC || rc == ES_ENOTSUP || rc == ES_EUSAGE ? ES_EXIT_USAGE
                                                                     : ES_EXIT_ERROR;
    }
    print_summary(st, spec, &sum, ro->db_path, fc);
    if (sum.stop_signal != 0)
        return 128 + sum.stop_signal;
    if (strcmp(sum.status, "failed") == 0)
        return ES_EXIT_FAILED_TRIALS;
    /* Interrupted from outside (a worker stopped by someone's SIGTERM):
     * the sweep did not end its work, and says so in its status. */
    if (strcmp(sum.status, "interrupted") == 0)
        return ES_EXIT_ERROR;
    return ES_EXIT_OK;
}
