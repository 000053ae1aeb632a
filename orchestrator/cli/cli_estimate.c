/*
 * cli_estimate.c -- `ecosweep estimate SPEC`: what a sweep would cost before
 * anyone pays for it -- hours, kWh, CO2e and dollars, as a low / median /
 * high range, with how the range was derived and how many trials fit the
 * spec's budget and what remains of the project's.
 *
 * The per-trial figures come from one of two places:
 *   - history: the completed trials (run, not reused, with a known energy)
 *     of the project's earlier sweeps whose spec has the same `program`, as
 *     written, and the same `command` template (both absent counts as the
 *     same); their joules at the devices and wall seconds give the 10th
 *     percentile, the median and the 90th percentile (linear interpolation
 *     between order statistics);
 *   - a pilot: the spec's first trials (3, or --pilot-trials; no energy
 *     budget), one at a time, run through es_sweep_run into a temporary
 *     database in $TMPDIR, removed afterwards with its logs, so the user's
 *     database is never written.
 * Hours: trial-hours / parallel, or the CPU-hours over this machine's cores
 * when parallel trials need more cores than it has; early termination
 * lowers the low and median ends by what its rule is designed to save
 * (es_prune_expected_fraction), unless the history ran under the same rule
 * (its pruned trials are then among the samples).
 * Joules are priced with the spec's own factors (account.h).  The campaign
 * is the per-trial range times the trials the sweep would run: run_cap, the
 * grid's size, or "unbounded" (then per trial and per 100 trials).
 */
/* sched_getaffinity and CPU_COUNT: _GNU_SOURCE, as the build defines it */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cli.h"
#include "loop.h"
#include "numbers.h"
#include "prune.h"
#include "search.h"
#include "store.h"

typedef struct estimate_args {
    const char *db, *project, *worker;
    int pilot, no_pilot;
    long pilot_trials; /* --pilot-trials N */
    int format;        /* index in format_words */
} estimate_args;

static const char *const format_words[] = {"text", "json", NULL};

#define ES_PILOT_TRIALS_MAX 100

static const es_cli_opt estimate_opts[] = {
    ES_CLI_STRING_OPT(estimate_args, db, .name = "db", .arg = "FILE",
                      .help = "database with the history (default $ECOSWEEP_DB, else "
                              "./ecosweep.db); only read"),
    ES_CLI_STRING_OPT(estimate_args, project, .name = "project", .arg = "P",
                      .help = "project (default: the spec's `project`, else 'default')"),
    ES_CLI_FLAG_OPT(estimate_args, pilot, .name = "pilot",
                    .help = "run a pilot trial even when there is history"),
    ES_CLI_FLAG_OPT(estimate_args, no_pilot, .name = "no-pilot",
                    .help = "never run a pilot (no history: no estimate)"),
    ES_CLI_LONG_OPT(estimate_args, pilot_trials, .name = "pilot-trials", .arg = "N",
                    .help = "trials the pilot runs, the spec's first N (default 3, so that the "
                            "range has a spread)",
                    .lo = 1, .hi = ES_PILOT_TRIALS_MAX, .expect = "1 to 100"),
    ES_CLI_CHOICE_OPT(estimate_args, format, .name = "format", .choices = format_words,
                      .help = "text (default) or json"),
    ES_CLI_STRING_OPT(estimate_args, worker, .name = "worker", .arg = "PATH",
                      .help = "ecosweep-worker for the pilot (as for `run`)"),
    {.name = NULL},
};

static const es_cli_group estimate_groups[] = {{NULL, estimate_opts, 0}, {NULL, NULL, 0}};

static int estimate_exec(const void *args, int n, char **operands);

const es_cli_cmd es_cli_estimate = {
    .name = "estimate",
    .summary = "forecast a sweep's hours, kWh, CO2e and dollars before running it",
    .operands = "SPEC",
    .missing = "SPEC",
    .min_operands = 1,
    .max_operands = 1,
    .about = "Forecast what the sweep described by SPEC would cost: wall-clock hours,\n"
             "trial-hours, kWh at the wall, kg CO2e and dollars, as a range (low = every\n"
             "trial at the 10th percentile, median, high = every trial at the 90th), and\n"
             "how many trials fit the spec's budget and what remains of the project's.\n"
             "\n"
             "Per-trial figures come from the project's history: the completed trials of\n"
             "its earlier sweeps whose spec has the same `program` (as written) and the same\n"
             "`command` template. Without such history (or with --pilot) the spec's first\n"
             "pilot trials (3, or --pilot-trials N) run one at a time into a temporary\n"
             "database that is removed afterwards: nothing is recorded in FILE. The campaign\n"
             "is run_cap trials, else the grid's size; random and bayes without run_cap are\n"
             "unbounded (per trial and per 100 trials). Hours count parallel trials sharing\n"
             "this machine's cores; early_terminate lowers the low and median ends by what\n"
             "its rule is designed to save, unless the history ran under the same rule.\n",
    .groups = estimate_groups,
    .epilogue = "Exit: 0 an estimate was printed (or there was nothing to estimate from);\n"
                "1 runtime error; 2 usage or spec error.\n",
    .args_size = sizeof(estimate_args),
    .exec = estimate_exec,
};

/* Low / median / high of one per-trial quantity, and its mean: a campaign
 * of n trials is expected to cost n times the mean (costs of trials are
 * skewed: a few wide models cost many narrow ones, and n times the median
 * falls short of the sum). */
typedef struct spread {
    double lo, med, hi, mean;
} spread;

/* What the estimate is made of. */
typedef struct estimate {
    const es_spec *spec;
    const char *project;
    int64_t own_sweep;  /* a sweep taken up again: not its own history (0: none) */
    const char *source; /* "history", "pilot" or NULL (nothing to go on) */
    size_t samples;     /* trials behind the per-trial figures */
    size_t sweeps;      /* history: sweeps they came from */
    spread joules;      /* per trial, at the devices */
    spread wall_s;      /* per trial */
    spread cpu_s;       /* per trial; NAN when not known */
    double steps;       /* the median final step of the trials; NAN when none */
    /* Early termination: where its effect comes from ("history": pruned
     * trials of earlier sweeps under the same rule are among the samples;
     * "rule": es_prune_expected_fraction, applied; NULL: none), and the
     * share of a trial the rule lets run (1 when none). */
    const char *prune_basis;
    double prune_fraction;
    /* Contention: cores this machine has for trials that run here, 0 when
     * they run elsewhere (Slurm). */
    long cores;
    /* The pilot trial, when one ran. */
    char pilot_status[32];
    char pilot_reason[256];
    /* The campaign. */
    long trials;              /* trials the sweep would run; 0 = unbounded */
    const char *trials_basis; /* "run_cap", "grid" or "unbounded" */
    /* Budgets, in joules at the devices under the spec's factors (NAN: none). */
    double spec_budget_j;
    double project_budget_j; /* what remains of the project's caps */
    int has_project_budget;
    es_budget project_cap, project_left;
    double project_spent[3]; /* kWh, USD (electricity), kg CO2e */
} estimate;

/* ---- Statistics -------------------------------------------------------------- */

static spread spread_of(double *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    es_sort_doubles(v, n);
    return (spread){es_quantile_sorted(v, n, 0.1), es_quantile_sorted(v, n, 0.5),
                    es_quantile_sorted(v, n, 0.9), n > 0 ? sum / (double)n : NAN};
}

/* ---- History ----------------------------------------------------------------- */

static int same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Does a stored sweep run the same program the same way as spec?  Its spec
 * text is parsed again; a spec this version cannot read does not match.
 * *same_rule: it terminated trials early by spec's rule. */
static int same_program(const es_store_sweep *sw, const es_spec *spec, const char *program,
                        int *same_rule)
{
    es_spec *old = NULL;
    es_err err;
    int same = 0;
    if (sw->spec_text == NULL ||
        es_spec_parse_string(sw->spec_text, strlen(sw->spec_text),
                             sw->spec_path ? sw->spec_path : sw->name, &old, &err) != 0)
        return 0;
    *same_rule = old->early_terminate.type == spec->early_terminate.type;
    if (same_text(old->program, program) && old->n_command == spec->n_command) {
        same = 1;
        for (size_t i = 0; same && i < spec->n_command; i++)
            same = strcmp(old->command[i], spec->command[i]) == 0;
    }
    es_spec_free(old);
    return same;
}

/* A trial that ran to its end (or, with_pruned, was stopped by early
 * termination), not a reuse, with a known energy. */
static int known_energy(const es_store_trial *t)
{
    return t->cpu.method != ES_EM_NONE || t->dram.method != ES_EM_NONE ||
           t->gpu.method != ES_EM_NONE;
}

static int trial_usable(const es_store_trial *t, int with_pruned)
{
    int st = es_trial_status_parse(t->status);
    return (st == ES_TRIAL_COMPLETED || (with_pruned && st == ES_TRIAL_PRUNED)) &&
           t->reused_from == 0 && known_energy(t);
}

static double trial_wall(const es_store_trial *t)
{
    return isfinite(t->wall_s) ? t->wall_s : isfinite(t->ended) ? t->ended - t->started : 0;
}

/* Per-trial figures from the project's earlier sweeps of the same program.
 * With early termination in the spec, the trials that sweeps under the same
 * rule pruned count too: what a trial costs under the rule. */
static int from_history(estimate *e, const es_store_data *d, const char *program)
{
    size_t cap = 0, n = 0, nc = 0, ns = 0, pruned = 0;
    double *j = NULL, *w = NULL, *c = NULL, *st = NULL;
    int pruning = e->spec->early_terminate.type != ES_PRUNE_NONE;
    for (size_t i = 0; i < d->n_projects; i++)
        for (size_t k = 0; k < d->projects[i].n_sweeps; k++)
            cap += d->projects[i].sweeps[k].n_trials;
    if (cap == 0)
        return 0;
    j = malloc(cap * sizeof *j);
    w = malloc(cap * sizeof *w);
    c = malloc(cap * sizeof *c);
    st = malloc(cap * sizeof *st);
    if (j == NULL || w == NULL || c == NULL || st == NULL) {
        free(j);
        free(w);
        free(c);
        free(st);
        return -ENOMEM;
    }
    for (size_t i = 0; i < d->n_projects; i++) {
        for (size_t k = 0; k < d->projects[i].n_sweeps; k++) {
            const es_store_sweep *sw = &d->projects[i].sweeps[k];
            size_t before = n;
            int same_rule = 0;
            if (sw->id == e->own_sweep || !same_program(sw, e->spec, program, &same_rule))
                continue;
            for (size_t m = 0; m < sw->n_trials; m++) {
                const es_store_trial *t = &sw->trials[m];
                if (!trial_usable(t, pruning && same_rule))
                    continue;
                j[n] = es_account_joules(&t->cpu, &t->dram, &t->gpu);
                w[n++] = trial_wall(t);
                if (isfinite(t->cpu_s))
                    c[nc++] = t->cpu_s;
                if (es_trial_status_parse(t->status) == ES_TRIAL_PRUNED)
                    pruned++;
                else if (t->steps > 0)
                    st[ns++] = (double)t->steps;
            }
            e->sweeps += n > before;
        }
    }
    if (n > 0) {
        e->source = "history";
        e->samples = n;
        e->joules = spread_of(j, n);
        e->wall_s = spread_of(w, n);
        if (nc == n)
            e->cpu_s = spread_of(c, nc);
        e->steps = ns > 0 ? es_median(st, ns) : NAN;
        if (pruned > 0)
            e->prune_basis = "history";
    }
    free(j);
    free(w);
    free(c);
    free(st);
    return 0;
}

/* ---- Pilot ------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Run one trial of spec into a temporary database and take its energy and
 * wall time.  Returns 0 (e->source set when the trial's energy is known),
 * 128 + signal when interrupted, or an ES_EXIT code after printing why. */
static int run_pilot(estimate *e, es_spec *spec, const char *worker_opt, long trials)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX], db[PATH_MAX + 16], worker[PATH_MAX];
    long run_cap = spec->run_cap;
    es_budget budget = spec->budget;
    es_store *st = NULL;
    es_store_data *d = NULL;
    es_run_summary sum;
    es_err err;
    int rc, exit_code = ES_EXIT_OK;

    snprintf(dir, sizeof dir, "%s/ecosweep-estimate-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "ecosweep estimate: cannot create a temporary directory %s: %s\n", dir,
                strerror(errno));
        return ES_EXIT_ERROR;
    }
    snprintf(db, sizeof db, "%s/pilot.db", dir);
    es_cli_find_worker(worker_opt, worker, sizeof worker);
    es_err_clear(&err);
    memset(&sum, 0, sizeof sum);
    fprintf(stderr, "estimate: running %ld pilot trial%s (temporary database, removed after)\n",
            trials, trials == 1 ? "" : "s");

    /* Whole trials, whatever the spec's caps, one at a time (alone, as the
     * sweep's contention is reckoned from their CPU time). */
    spec->run_cap = trials;
    /* Whole trials: the rule's effect is reckoned from its design
     * (apply_rules), and a few pilot trials would only prune each other. */
    es_prune_config prune = spec->early_terminate;
    spec->early_terminate.type = ES_PRUNE_NONE;
    spec->budget = (es_budget){0};
    es_run_opts ro = {
        .db_path = db,
        .worker_path = worker,
        .project = e->project,
        .sweep_name = "estimate-pilot",
        .parallel = 1,
        .seed = spec->has_seed ? spec->seed : 0,
        .grace_s = 5.0,
        .live = 0,
        .out = stderr,
    };
    rc = es_store_open(db, &st, &err);
    if (rc == 0)
        rc = es_sweep_run(st, spec, &ro, &sum, &err);
    if (rc == 0 && sum.stop_signal == 0)
        rc = es_store_load(st, NULL, NULL, &d, &err);
    spec->run_cap = run_cap;
    spec->budget = budget;
    spec->early_terminate = prune;
    if (rc != 0) {
        fprintf(stderr, "ecosweep estimate: pilot: %s\n", err.msg);
        exit_code = rc == ES_ESPEC || rc == ES_ENOTSUP ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    } else if (sum.stop_signal != 0) {
        exit_code = 128 + sum.stop_signal;
    } else if (d->n_projects == 1 && d->projects[0].n_sweeps == 1 &&
               d->projects[0].sweeps[0].n_trials >= 1) {
        /* The completed pilot trials with a known energy: only a trial that
         * ran to its end says what one costs (a failing one's cost is no
         * forecast of a sweep's).  The status shown is the first completed
         * one's, else the first one's. */
        const es_store_sweep *sw = &d->projects[0].sweeps[0];
        double j[ES_PILOT_TRIALS_MAX], w[ES_PILOT_TRIALS_MAX], c[ES_PILOT_TRIALS_MAX];
        double steps_of[ES_PILOT_TRIALS_MAX];
        size_t n = 0, nc = 0, ns = 0;
        snprintf(e->pilot_status, sizeof e->pilot_status, "%s", sw->trials[0].status);
        snprintf(e->pilot_reason, sizeof e->pilot_reason, "%s",
                 sw->trials[0].reason ? sw->trials[0].reason : "");
        size_t completed = 0;
        for (size_t i = 0; i < sw->n_trials && n < ES_PILOT_TRIALS_MAX; i++) {
            const es_store_trial *t = &sw->trials[i];
            if (es_trial_status_parse(t->status) == ES_TRIAL_COMPLETED &&
                completed++ == 0) { /* what the first completed one says */
                snprintf(e->pilot_status, sizeof e->pilot_status, "%s", t->status);
                snprintf(e->pilot_reason, sizeof e->pilot_reason, "%s", t->reason ? t->reason : "");
            }
            if (!trial_usable(t, 0))
                continue;
            j[n] = es_account_joules(&t->cpu, &t->dram, &t->gpu);
            w[n++] = isfinite(t->wall_s) ? t->wall_s : 0;
            if (isfinite(t->cpu_s))
                c[nc++] = t->cpu_s;
            if (t->steps > 0)
                steps_of[ns++] = (double)t->steps;
        }
        if (n > 0) {
            e->source = "pilot";
            e->samples = n;
            e->joules = spread_of(j, n);
            e->wall_s = spread_of(w, n);
            if (nc == n)
                e->cpu_s = spread_of(c, nc);
            e->steps = ns > 0 ? es_median(steps_of, ns) : NAN;
        }
    } else {
        snprintf(e->pilot_status, sizeof e->pilot_status, "not run");
        snprintf(e->pilot_reason, sizeof e->pilot_reason, "%s", sum.reason);
    }
    es_store_data_free(d);
    es_store_close(st);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return exit_code;
}

/* ---- The campaign ------------------------------------------------------------ */

/* How many trials the sweep would run.  0, or ES_EXIT_USAGE after printing
 * why (a grid over a parameter it cannot enumerate). */
static int count_trials(estimate *e)
{
    const es_spec *sp = e->spec;
    e->trials = sp->run_cap;
    e->trials_basis = sp->run_cap > 0 ? "run_cap" : "unbounded";
    if (sp->method == ES_METHOD_GRID) {
        es_search *s = NULL;
        es_err err;
        uint64_t size;
        if (es_search_create(sp, 0, &s, &err) != 0) {
            fprintf(stderr, "ecosweep estimate: %s\n", err.msg);
            return ES_EXIT_USAGE;
        }
        size = es_search_size(s);
        es_search_destroy(s);
        if (size > 0 && (sp->run_cap == 0 || (uint64_t)sp->run_cap > size)) {
            e->trials = size > LONG_MAX ? LONG_MAX : (long)size;
            e->trials_basis = "grid";
        }
    }
    return 0;
}

/* Cost of n trials that each use j joules over w seconds. */
static void cost_of(const estimate *e, double n, double j, double w, es_cost *c)
{
    es_account(&e->spec->energy, n * j, n * w, c);
}

/* The wall seconds the sweep takes per trial, for trials of w wall seconds
 * and c CPU seconds: parallel trials at once, unless together they need
 * more cores than the machine has (then the CPU time over the cores). */
static double sweep_s_per_trial(const estimate *e, double w, double c)
{
    int par = e->spec->parallel > 0 ? e->spec->parallel : 1;
    double s = w / par;
    if (e->cores > 0 && isfinite(c) && c / e->cores > s)
        s = c / e->cores;
    return s;
}

/* Pruning and contention: what early termination takes off a trial when
 * the history did not see the rule at work, and how many cores the
 * trials share. */
static void apply_rules(estimate *e)
{
    const es_prune_config *pc = &e->spec->early_terminate;
    e->prune_fraction = 1;
    if (e->spec->launcher.type == ES_LAUNCHER_LOCAL) {
        cpu_set_t set;
        e->cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set)
                                                               : sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (e->source == NULL || pc->type == ES_PRUNE_NONE || e->prune_basis != NULL)
        return;
    double final = pc->max_iter > 0 ? (double)pc->max_iter : e->steps;
    double f = es_prune_expected_fraction(pc, final);
    if (!isfinite(final) || !(f < 1))
        return;
    /* The range: every trial pruned as the rule is designed to (low), half
     * way (median), none pruned (high). */
    double mid = (1 + f) / 2;
    e->prune_basis = "rule";
    e->prune_fraction = f;
    e->joules.lo *= f;
    e->joules.med *= mid;
    e->joules.mean *= mid;
    e->wall_s.lo *= f;
    e->wall_s.med *= mid;
    e->wall_s.mean *= mid;
    e->cpu_s.lo *= f;
    e->cpu_s.med *= mid;
    e->cpu_s.mean *= mid;
}

/* Trials of per_j joules that fit budget_j; -1 when there is no budget. */
static double fits(double budget_j, double per_j)
{
    if (!isfinite(budget_j))
        return -1;
    if (budget_j <= 0)
        return 0;
    return per_j > 0 ? floor(budget_j / per_j) : INFINITY;
}

/* The project's caps and what remains of them, priced with the spec's
 * factors.  Nothing is written to the database. */
static int project_budget(estimate *e, es_store *st, int64_t project_id, es_err *err)
{
    double dev_j;
    int rc;
    if ((rc = es_store_project_budget(st, project_id, &e->project_cap, err)) != 0 ||
        (rc = es_store_project_spent(st, project_id, &dev_j, &e->project_spent[0],
                                     &e->project_spent[2], &e->project_spent[1], err)) != 0)
        return rc;
    const es_budget *c = &e->project_cap;
    if (!(c->kwh > 0 || c->usd > 0 || c->co2e_kg > 0))
        return 0;
    e->has_project_budget = 1;
    e->project_left.kwh = c->kwh > 0 ? fmax(c->kwh - e->project_spent[0], 0) : 0;
    e->project_left.usd = c->usd > 0 ? fmax(c->usd - e->project_spent[1], 0) : 0;
    e->project_left.co2e_kg = c->co2e_kg > 0 ? fmax(c->co2e_kg - e->project_spent[2], 0) : 0;
    if ((c->kwh > 0 && e->project_left.kwh <= 0) || (c->usd > 0 && e->project_left.usd <= 0) ||
        (c->co2e_kg > 0 && e->project_left.co2e_kg <= 0))
        e->project_budget_j = 0; /* one cap is used up: nothing fits */
    else
        e->project_budget_j = es_account_budget_joules(&e->spec->energy, &e->project_left);
    return 0;
}

/* ---- Output ------------------------------------------------------------------ */

static void print_budget_text(const estimate *e, const char *what, double budget_j)
{
    double med = fits(budget_j, e->joules.med), hi = fits(budget_j, e->joules.hi);
    double mean = fits(budget_j, e->joules.mean);
    es_cost c;
    es_account(&e->spec->energy, budget_j, 0, &c);
    printf("  %s: %.4g J at the devices (%.4g kWh): ", what, budget_j, c.kwh);
    if (isinf(med))
        printf("unbounded (trials use no measurable energy)\n");
    else
        printf("%.0f trials at the median, %.0f at the mean, %.0f at the high\n", med, mean, hi);
}

static void print_text(const estimate *e, const char *program)
{
    const es_spec *sp = e->spec;
    const char *label[4] = {"low", "median", "mean", "high"};
    double js[4] = {e->joules.lo, e->joules.med, e->joules.mean, e->joules.hi};
    double ws[4] = {e->wall_s.lo, e->wall_s.med, e->wall_s.mean, e->wall_s.hi};
    double cs[4] = {e->cpu_s.lo, e->cpu_s.med, e->cpu_s.mean, e->cpu_s.hi};
    int par = sp->parallel > 0 ? sp->parallel : 1;

    printf("estimate for %s (project %s): method %s, ", sp->path, e->project,
           es_method_name(sp->method));
    if (e->trials > 0)
        printf("%ld trials (%s), %d in parallel\n", e->trials,
               strcmp(e->trials_basis, "grid") == 0 ? "the grid's size" : "run_cap", par);
    else
        printf("unbounded (no run_cap), %d in parallel\n", par);
    if (e->source == NULL) {
        printf("  no estimate: no completed trial of program %s in project %s%s\n",
               program ? program : "(none)", e->project,
               e->pilot_status[0] ? ", and no pilot trial completed with a known energy"
                                  : " and --no-pilot given");
        if (e->pilot_status[0])
            printf("  pilot trial: %s%s%s\n", e->pilot_status, e->pilot_reason[0] ? " - " : "",
                   e->pilot_reason);
        return;
    }
    if (strcmp(e->source, "history") == 0)
        printf("  from history: %zu completed trials of %zu earlier sweep%s of project %s with the "
               "same program and command\n",
               e->samples, e->sweeps, e->sweeps == 1 ? "" : "s", e->project);
    else if (e->samples == 1)
        printf("  from one pilot trial (%s%s%s), run in a temporary database; one trial gives "
               "no spread, so low = median = high\n",
               e->pilot_status, e->pilot_reason[0] ? ": " : "", e->pilot_reason);
    else
        printf("  from %zu pilot trials (the spec's first; the first %s%s%s), run one at a time "
               "in a temporary database\n",
               e->samples, e->pilot_status, e->pilot_reason[0] ? ": " : "", e->pilot_reason);
    printf("  per trial (p10 / median / p90): %.4g / %.4g / %.4g J at the devices, "
           "%.4g / %.4g / %.4g s\n",
           js[0], js[1], js[3], ws[0], ws[1], ws[3]);

    double n = e->trials > 0 ? (double)e->trials : 100;
    printf("  %s:\n", e->trials > 0 ? "campaign" : "per 100 trials");
    printf("    %-8s %12s %12s %12s %12s %12s\n", "", "hours", "trial-hours", "kWh", "kg CO2e",
           "USD");
    for (int i = 0; i < 4; i++) {
        es_cost c;
        cost_of(e, n, js[i], ws[i], &c);
        printf("    %-8s %12.4g %12.4g %12.4g %12.4g %12.4g\n", label[i],
               n * sweep_s_per_trial(e, ws[i], cs[i]) / 3600, c.hours, c.kwh, c.co2e_kg, c.usd);
    }
    if (e->trials == 0) {
        es_cost c;
        cost_of(e, 1, js[1], ws[1], &c);
        printf("    per trial at the median: %.4g kWh, %.4g kg CO2e, $%.4g\n", c.kwh, c.co2e_kg,
               c.usd);
    }
    if (e->cores > 0 && isfinite(cs[1]))
        printf("  hours = the larger of trial-hours / %d in parallel and CPU-hours / %ld cores "
               "here (a trial keeps %.2g cores busy at the median)",
               par, e->cores, ws[1] > 0 ? cs[1] / ws[1] : 0.0);
    else
        printf("  hours = trial-hours / %d in parallel", par);
    printf("; priced with the spec's factors (PUE %.3g, %.4g gCO2e/kWh, $%.4g/kWh, cloud "
           "$%.4g/h)\n",
           sp->energy.pue, sp->energy.carbon_g_per_kwh, sp->energy.electricity_usd_per_kwh,
           sp->energy.cloud_usd_per_hour);
    if (e->prune_basis != NULL && strcmp(e->prune_basis, "rule") == 0)
        printf("  early termination (%s): a trial runs %.0f%% of its steps if the rule prunes as "
               "designed (low), none pruned (high), half way (median); the history has no "
               "sweep of this program under this rule\n",
               es_prune_type_name(sp->early_terminate.type), 100 * e->prune_fraction);
    else if (e->prune_basis != NULL)
        printf("  early termination (%s): from the history's sweeps under the same rule, their "
               "pruned trials included\n",
               es_prune_type_name(sp->early_terminate.type));
    if (isfinite(e->spec_budget_j))
        print_budget_text(e, "spec budget", e->spec_budget_j);
    double per_med = sweep_s_per_trial(e, ws[1], cs[1]),
           per_hi = sweep_s_per_trial(e, ws[3], cs[3]);
    if (sp->budget.wall_s > 0 && per_med > 0)
        printf("  budget.wall %.4g s: %.0f trials at the median, %.0f at the high\n",
               sp->budget.wall_s, floor(sp->budget.wall_s / per_med),
               per_hi > 0 ? floor(sp->budget.wall_s / per_hi) : 0);
    if (e->has_project_budget)
        print_budget_text(e, "project budget remaining", e->project_budget_j);
    if (!isfinite(e->spec_budget_j) && !e->has_project_budget && sp->budget.wall_s <= 0)
        printf("  no budget in the spec or on project %s\n", e->project);
}

static void j_spread(const char *key, spread s)
{
    printf("\"%s\": {\"p10\": ", key);
    es_cli_json_num(s.lo);
    fputs(", \"median\": ", stdout);
    es_cli_json_num(s.med);
    fputs(", \"p90\": ", stdout);
    es_cli_json_num(s.hi);
    fputs(", \"mean\": ", stdout);
    es_cli_json_num(s.mean);
    putchar('}');
}

static void j_cost(const estimate *e, double n, double j, double w, double cpu)
{
    es_cost c;
    cost_of(e, n, j, w, &c);
    fputs("{\"hours\": ", stdout);
    es_cli_json_num(n * sweep_s_per_trial(e, w, cpu) / 3600);
    fputs(", \"trial_hours\": ", stdout);
    es_cli_json_num(c.hours);
    fputs(", \"joules\": ", stdout);
    es_cli_json_num(c.joules);
    fputs(", \"kwh\": ", stdout);
    es_cli_json_num(c.kwh);
    fputs(", \"co2e_kg\": ", stdout);
    es_cli_json_num(c.co2e_kg);
    fputs(", \"usd\": ", stdout);
    es_cli_json_num(c.usd);
    fputs(", \"usd_electricity\": ", stdout);
    es_cli_json_num(c.usd_electricity);
    fputs(", \"usd_cloud\": ", stdout);
    es_cli_json_num(c.usd_cloud);
    putchar('}');
}

static void j_range(const estimate *e, const char *key, double n)
{
    printf(", \"%s\": {\"low\": ", key);
    j_cost(e, n, e->joules.lo, e->wall_s.lo, e->cpu_s.lo);
    fputs(", \"median\": ", stdout);
    j_cost(e, n, e->joules.med, e->wall_s.med, e->cpu_s.med);
    fputs(", \"mean\": ", stdout);
    j_cost(e, n, e->joules.mean, e->wall_s.mean, e->cpu_s.mean);
    fputs(", \"high\": ", stdout);
    j_cost(e, n, e->joules.hi, e->wall_s.hi, e->cpu_s.hi);
    putchar('}');
}

static void j_budget(const estimate *e, const char *what, double budget_j, int first)
{
    printf("%s{\"what\": \"%s\", \"joules\": ", first ? "" : ", ", what);
    es_cli_json_num(budget_j);
    es_cost c;
    es_account(&e->spec->energy, budget_j, 0, &c);
    fputs(", \"kwh\": ", stdout);
    es_cli_json_num(c.kwh);
    fputs(", \"trials_at_median\": ", stdout);
    es_cli_json_num(e->source ? fits(budget_j, e->joules.med) : NAN);
    fputs(", \"trials_at_mean\": ", stdout);
    es_cli_json_num(e->source ? fits(budget_j, e->joules.mean) : NAN);
    fputs(", \"trials_at_high\": ", stdout);
    es_cli_json_num(e->source ? fits(budget_j, e->joules.hi) : NAN);
    putchar('}');
}

static void print_json(const estimate *e, const char *program)
{
    const es_spec *sp = e->spec;
    fputs("{\"ecosweep_estimate\": 1, \"spec\": ", stdout);
    es_cli_json_str(sp->path);
    fputs(", \"project\": ", stdout);
    es_cli_json_str(e->project);
    fputs(", \"program\": ", stdout);
    es_cli_json_str(program);
    printf(", \"method\": \"%s\", \"parallel\": %d, \"source\": ", es_method_name(sp->method),
           sp->parallel > 0 ? sp->parallel : 1);
    es_cli_json_str(e->source);
    printf(", \"samples\": %zu, \"history_sweeps\": %zu, \"pilot\": ", e->samples, e->sweeps);
    if (e->pilot_status[0]) {
        fputs("{\"status\": ", stdout);
        es_cli_json_str(e->pilot_status);
        fputs(", \"reason\": ", stdout);
        es_cli_json_str(e->pilot_reason[0] ? e->pilot_reason : NULL);
        putchar('}');
    } else {
        fputs("null", stdout);
    }
    fputs(", \"trials\": ", stdout);
    if (e->trials > 0)
        printf("%ld", e->trials);
    else
        fputs("null", stdout);
    printf(", \"trials_basis\": \"%s\", \"per_trial\": ", e->trials_basis);
    if (e->source != NULL) {
        putchar('{');
        j_spread("joules", e->joules);
        fputs(", ", stdout);
        j_spread("wall_s", e->wall_s);
        fputs(", ", stdout);
        j_spread("cpu_s", e->cpu_s);
        putchar('}');
        j_range(e, "per_trial_cost", 1);
        if (e->trials > 0)
            j_range(e, "campaign", (double)e->trials);
        else
            fputs(", \"campaign\": null", stdout);
        j_range(e, "per_100_trials", 100);
    } else {
        fputs("null, \"campaign\": null", stdout);
    }
    fputs(", \"cores\": ", stdout);
    if (e->cores > 0)
        printf("%ld", e->cores);
    else
        fputs("null", stdout);
    fputs(", \"early_termination\": ", stdout);
    if (e->prune_basis != NULL) {
        fputs("{\"rule\": ", stdout);
        es_cli_json_str(es_prune_type_name(sp->early_terminate.type));
        fputs(", \"basis\": ", stdout);
        es_cli_json_str(e->prune_basis);
        fputs(", \"fraction_low\": ", stdout);
        es_cli_json_num(e->prune_fraction);
        putchar('}');
    } else {
        fputs("null", stdout);
    }
    fputs(", \"budgets\": [", stdout);
    int first = 1;
    if (isfinite(e->spec_budget_j)) {
        j_budget(e, "spec", e->spec_budget_j, first);
        first = 0;
    }
    if (e->has_project_budget) {
        j_budget(e, "project_remaining", e->project_budget_j, first);
        first = 0;
    }
    if (sp->budget.wall_s > 0) {
        double med = sweep_s_per_trial(e, e->wall_s.med, e->cpu_s.med);
        double hi = sweep_s_per_trial(e, e->wall_s.hi, e->cpu_s.hi);
        printf("%s{\"what\": \"wall\", \"seconds\": ", first ? "" : ", ");
        es_cli_json_num(sp->budget.wall_s);
        fputs(", \"trials_at_median\": ", stdout);
        es_cli_json_num(e->source && med > 0 ? floor(sp->budget.wall_s / med) : NAN);
        fputs(", \"trials_at_high\": ", stdout);
        es_cli_json_num(e->source && hi > 0 ? floor(sp->budget.wall_s / hi) : NAN);
        putchar('}');
    }
    fputs("]}\n", stdout);
}

/* ---- The command ------------------------------------------------------------- */

/* History and the project's budget from db, when it exists (never created,
 * never written). */
static int read_db(estimate *e, const char *db, const char *program, es_err *err)
{
    es_store *st = NULL;
    es_store_data *d = NULL;
    int64_t id = 0;
    int rc;
    if (access(db, F_OK) != 0)
        return 0;
    if ((rc = es_store_open(db, &st, err)) != 0)
        return rc;
    if ((rc = es_store_project_find(st, e->project, &id, err)) == 0 && id > 0) {
        rc = project_budget(e, st, id, err);
        if (rc == 0)
            rc = es_store_load(st, e->project, NULL, &d, err);
        if (rc == 0 && (rc = from_history(e, d, program)) != 0)
            es_err_set(err, rc, "out of memory");
    }
    es_store_data_free(d);
    es_store_close(st);
    return rc;
}

static int estimate_exec(const void *args, int n, char **operands)
{
    const estimate_args *a = args;
    const char *db_opt = a->db, *project = a->project, *worker = a->worker;
    int pilot = a->pilot ? 1 : a->no_pilot ? 0 : -1, json = a->format == 1, rc;

    (void)n; /* one SPEC, as the table says */
    if (a->pilot && a->no_pilot)
        return es_cli_usage_error(&es_cli_estimate, "--pilot and --no-pilot conflict");

    es_spec *spec = NULL;
    es_err err;
    char *program = NULL;
    estimate e;

    es_err_clear(&err);
    if ((rc = es_spec_parse_file(operands[0], &spec, &err)) != 0) {
        fprintf(stderr, "ecosweep estimate: %s\n", err.msg);
        return rc == ES_ESPEC || rc == ES_ENOTSUP ? ES_EXIT_USAGE : ES_EXIT_ERROR;
    }
    memset(&e, 0, sizeof e);
    e.spec = spec;
    e.cpu_s = (spread){NAN, NAN, NAN, NAN};
    e.steps = NAN;
    e.project = project ? project : spec->project ? spec->project : "default";
    e.spec_budget_j = es_account_budget_joules(&spec->energy, &spec->budget);
    e.project_budget_j = NAN;
    /* History matches the program as written, before it is resolved. */
    if ((spec->program != NULL && (program = strdup(spec->program)) == NULL) ||
        es_cli_resolve_program(spec) != 0) {
        fprintf(stderr, "ecosweep estimate: out of memory\n");
        rc = ES_EXIT_ERROR;
        goto out;
    }
    if ((rc = count_trials(&e)) != 0)
        goto out;
    if (read_db(&e, es_cli_db_path(db_opt), program, &err) != 0) {
        fprintf(stderr, "ecosweep estimate: %s\n", err.msg);
        rc = ES_EXIT_ERROR;
        goto out;
    }
    if (pilot == 1 || (pilot == -1 && e.source == NULL)) {
        /* A pilot replaces history only when it measured something. */
        estimate p = e;
        p.source = NULL;
        p.samples = p.sweeps = 0;
        /* No more pilot trials than the sweep would run. */
        long pilots = a->pilot_trials > 0 ? a->pilot_trials : 3;
        if (e.trials > 0 && pilots > e.trials)
            pilots = e.trials;
        if ((rc = run_pilot(&p, spec, worker, pilots)) != 0)
            goto out;
        if (p.source != NULL || e.source == NULL)
            e = p;
    }
    apply_rules(&e);
    if (json)
        print_json(&e, program);
    else
        print_text(&e, program);
    rc = ES_EXIT_OK;
out:
    free(program);
    es_spec_free(spec);
    return rc;
}

/* ---- For `run`: the forecast before a sweep, to set beside what it cost --- */

int es_cli_history_forecast(const char *db, const es_spec *spec, const char *program,
                            const char *project, int64_t own_sweep, es_cli_forecast *out)
{
    estimate e;
    es_err err;
    memset(out, 0, sizeof *out);
    memset(&e, 0, sizeof e);
    e.spec = spec;
    e.cpu_s = (spread){NAN, NAN, NAN, NAN};
    e.steps = NAN;
    e.project = project;
    e.own_sweep = own_sweep;
    e.spec_budget_j = NAN;
    e.project_budget_j = NAN;
    e.trials = spec->run_cap;
    e.trials_basis = "run_cap";
    if (spec->method == ES_METHOD_GRID) {
        es_search *s = NULL;
        if (es_search_create(spec, 0, &s, &err) == 0) {
            uint64_t size = es_search_size(s);
            if (size > 0 && (spec->run_cap == 0 || (uint64_t)spec->run_cap > size))
                e.trials = size > LONG_MAX ? LONG_MAX : (long)size;
        }
        es_search_destroy(s);
    }
    if (read_db(&e, db, program, &err) != 0 || e.source == NULL)
        return 0; /* nothing to go on: no forecast, no error */
    apply_rules(&e);
    out->have = 1;
    out->samples = e.samples;
    out->trials = e.trials;
    out->trial_low_j = e.joules.lo;
    out->trial_mean_j = e.joules.mean;
    out->trial_high_j = e.joules.hi;
    return 0;
}
