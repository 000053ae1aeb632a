/*
 * prune.c -- early termination rules: hyperband (W&B), median (Optuna's
 * MedianPruner) and asha (Optuna's SuccessiveHalvingPruner).  The precise
 * rules, and the sources they follow, are in prune.h; this file keeps the
 * state they need.
 *
 * Every value is stored as a "loss" (negated when maximizing) so that each
 * rule is written once, for minimization.  Trials live in an array sorted by
 * id; each rung of hyperband or asha owns a sorted array of the values
 * recorded there, so a cutoff is one index away.  The median rule keeps the
 * (step, value) curve of each trial, and compares against the curves of
 * completed trials only.
 */
#include "prune.h"
#include "numbers.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pr_point {
    int64_t step;
    double x; /* loss; may be NaN or +-inf */
} pr_point;

typedef struct pr_trial {
    uint64_t id;
    int stopped; /* a stop decision was given: final */
    int ended;   /* es_pruner_trial_done was called */
    int has_step;
    int64_t last_step;
    int64_t n_finite;   /* hyperband: iterations (finite reports) */
    double best;        /* lowest non-NaN loss so far (finite only for hyperband); NAN if none */
    size_t n_passed;    /* rungs at which a value has been recorded */
    double x_last_rung; /* hyperband strict: the value at the last bracket passed */
    pr_point *pts;      /* median: the curve, by increasing step */
    size_t n_pts, cap_pts;
    double *lv; /* loss at each level reached (es_pruner_trial_levels) */
    size_t n_lv, cap_lv;
    es_prune_decision *stop; /* the stop decision, repeated to later reports */
} pr_trial;

typedef struct pr_rung {
    int64_t at; /* bracket (iterations) or rung (step) */
    double *v;  /* losses recorded here, ascending */
    size_t n, cap;
} pr_rung;

struct es_pruner {
    es_prune_config cfg;
    char *metric;
    int maximize;
    pr_rung *rungs;
    size_t n_rungs;
    pr_trial **trials; /* sorted by id */
    size_t n_trials, cap_trials;
    pr_trial **completed; /* median's reference: trials that completed */
    size_t n_completed, cap_completed;
    double *scratch; /* median: values at one step */
    size_t cap_scratch;
};

/* ---- Small helpers -------------------------------------------------------- */

/* The array a (capacity *cap elements of `size` bytes) with room for at
 * least `need` (>= 1) elements: a itself, or a larger copy (*cap updated);
 * NULL when out of memory, a then being untouched. */
static void *grow(void *a, size_t *cap, size_t need, size_t size)
{
    if (a != NULL && need <= *cap)
        return a;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *q = realloc(a, n * size);
    if (q != NULL)
        *cap = n;
    return q;
}

/* The value as the user sees it (undo the sign flip of maximize). */
static double shown(const es_pruner *p, double x)
{
    return p->maximize ? -x : x;
}

static void decision_clear(es_prune_decision *d)
{
    d->action = ES_PRUNE_CONTINUE;
    d->rung = -1;
    d->cutoff = NAN;
    d->reason[0] = '\0';
}

static void decide(es_prune_decision *d, es_prune_action action, int64_t rung, double cutoff,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void decide(es_prune_decision *d, es_prune_action action, int64_t rung, double cutoff,
                   const char *fmt, ...)
{
    va_list ap;
    d->action = action;
    d->rung = rung;
    d->cutoff = cutoff;
    va_start(ap, fmt);
    vsnprintf(d->reason, sizeof d->reason, fmt, ap);
    va_end(ap);
}

/* Insert x into the ascending array of rung r. */
static int rung_insert(pr_rung *r, double x)
{
    double *v = grow(r->v, &r->cap, r->n + 1, sizeof *v);
    if (v == NULL)
        return -ENOMEM;
    r->v = v;
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(r->v + lo + 1, r->v + lo, (r->n - lo) * sizeof *r->v);
    r->v[lo] = x;
    r->n++;
    return 0;
}

/* ---- Configuration -------------------------------------------------------- */

static int push_rung(int64_t **v, size_t *n, size_t *cap, int64_t at)
{
    if (*n > 0 && (*v)[*n - 1] == at)
        return 0; /* truncation can repeat a bracket; once is enough */
    int64_t *g = grow(*v, cap, *n + 1, sizeof *g);
    if (g == NULL)
        return -ENOMEM;
    *v = g;
    g[(*n)++] = at;
    return 0;
}

/* The schedule of a config already checked key by key: hyperband's brackets
 * the way hyperband_stop_runs computes them, or asha's rungs.  *out is
 * malloc'd (NULL when empty). */
static int schedule(const es_prune_config *cfg, int64_t **out, size_t *n_out)
{
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    if (cfg->type == ES_PRUNE_HYPERBAND && cfg->max_iter > 0) {
        double band = (double)cfg->max_iter;
        for (int64_t i = 0; i < cfg->s && rc == 0; i++) {
            band /= cfg->eta;
            if (band < 1.0)
                break;
            rc = push_rung(&v, &n, &cap, (int64_t)band);
        }
        for (size_t i = 0; i < n / 2; i++) { /* descending -> ascending */
            int64_t t = v[i];
            v[i] = v[n - 1 - i];
            v[n - 1 - i] = t;
        }
    } else if (cfg->type == ES_PRUNE_HYPERBAND) {
        double band = (double)cfg->min_iter;
        for (int i = 0; i < ES_PRUNE_MAX_BRACKETS && band < ES_PRUNE_EXACT_LIMIT && rc == 0; i++) {
            rc = push_rung(&v, &n, &cap, (int64_t)band);
            band *= cfg->eta;
        }
    } else if (cfg->type == ES_PRUNE_ASHA) {
        int64_t eta = (int64_t)cfg->eta, r = cfg->min_iter;
        for (;;) {
            if (cfg->max_iter > 0 && r > cfg->max_iter / eta)
                break; /* no rung above r within max_iter: r is the top */
            if ((rc = push_rung(&v, &n, &cap, r)) != 0)
                break;
            if (r > INT64_MAX / eta)
                break;
            r *= eta;
        }
    }
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n_out = n;
    return 0;
}

/* ---- Life cycle ----------------------------------------------------------- */

int es_pruner_create(const es_prune_config *cfg, int maximize, es_pruner **out, es_err *err)
{
    int64_t *at = NULL;
    size_t n_at = 0;
    int rc;

    if (out == NULL)
        return es_err_set(err, -EINVAL, "es_pruner_create: no output pointer");
    *out = NULL;
    if ((rc = es_prune_config_validate(cfg, err)) != 0)
        return rc;

    es_pruner *p = calloc(1, sizeof *p);
    if (p == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    p->cfg = *cfg;
    p->maximize = maximize != 0;
    p->metric = strdup(cfg->metric_name != NULL ? cfg->metric_name : "value");
    p->cfg.metric_name = p->metric;
    if (p->metric == NULL || schedule(cfg, &at, &n_at) != 0)
        goto nomem;
    if (n_at > 0) {
        p->rungs = calloc(n_at, sizeof *p->rungs);
        if (p->rungs == NULL)
            goto nomem;
        for (size_t i = 0; i < n_at; i++)
            p->rungs[i].at = at[i];
        p->n_rungs = n_at;
    }
    free(at);
    *out = p;
    return 0;

nomem:
    free(at);
    es_pruner_destroy(p);
    return es_err_set(err, -ENOMEM, "out of memory");
}

static void trial_free(pr_trial *t)
{
    if (t != NULL) {
        free(t->pts);
        free(t->lv);
        free(t->stop);
        free(t);
    }
}

void es_pruner_destroy(es_pruner *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_trials; i++)
        trial_free(p->trials[i]);
    for (size_t i = 0; i < p->n_rungs; i++)
        free(p->rungs[i].v);
    free(p->rungs);
    free(p->trials);
    free(p->completed);
    free(p->scratch);
    free(p->metric);
    free(p);
}

/* The trial with this id, created when `create` is set; NULL when absent or
 * out of memory (*rc says which). */
static pr_trial *trial_get(es_pruner *p, uint64_t id, int create, int *rc)
{
    size_t lo = 0, hi = p->n_trials;
    *rc = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->trials[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < p->n_trials && p->trials[lo]->id == id)
        return p->trials[lo];
    if (!create)
        return NULL;
    pr_trial **all = grow(p->trials, &p->cap_trials, p->n_trials + 1, sizeof *all);
    if (all == NULL) {
        *rc = -ENOMEM;
        return NULL;
    }
    p->trials = all;
    pr_trial *t = calloc(1, sizeof *t);
    if (t == NULL) {
        *rc = -ENOMEM;
        return NULL;
    }
    t->id = id;
    t->best = NAN;
    memmove(p->trials + lo + 1, p->trials + lo, (p->n_trials - lo) * sizeof *p->trials);
    p->trials[lo] = t;
    p->n_trials++;
    return t;
}

/* The median rule never looks at this trial's curve again. */
static void drop_curve(pr_trial *t)
{
    free(t->pts);
    t->pts = NULL;
    t->n_pts = t->cap_pts = 0;
}

/* Record loss x at t's next level.  0 or -ENOMEM. */
static int level_push(pr_trial *t, double x)
{
    if (t->n_lv >= ES_PRUNE_LEVELS_MAX)
        return 0;
    double *lv = grow(t->lv, &t->cap_lv, t->n_lv + 1, sizeof *lv);
    if (lv == NULL)
        return -ENOMEM;
    t->lv = lv;
    t->lv[t->n_lv++] = x;
    return 0;
}

/* ---- The rules ------------------------------------------------------------ */

static int hyperband_report(es_pruner *p, pr_trial *t, int64_t step, double x, es_prune_decision *d)
{
    if (isfinite(x)) {
        t->n_finite++;
        if (isnan(t->best) || x < t->best)
            t->best = x;
        /* Brackets are distinct, so one report passes at most one. */
        if (t->n_passed < p->n_rungs && p->rungs[t->n_passed].at == t->n_finite) {
            if (rung_insert(&p->rungs[t->n_passed], x) != 0 || level_push(t, x) != 0)
                return -ENOMEM;
            t->x_last_rung = x;
            t->n_passed++;
        }
    }
    if (t->n_passed == 0)
        return 0;

    /* W&B: sorted(values)[int(r * len(values))] with r = 1.0 / eta. */
    const pr_rung *r = &p->rungs[t->n_passed - 1];
    size_t idx = (size_t)((1.0 / p->cfg.eta) * (double)r->n);
    double cutoff = r->v[idx < r->n ? idx : r->n - 1];
    double mine = p->cfg.strict ? t->x_last_rung : t->best;
    es_prune_action act = mine > cutoff ? ES_PRUNE_STOP : ES_PRUNE_CONTINUE;
    const char *verdict = act == ES_PRUNE_STOP ? "is not" : "is";
    if (p->cfg.strict)
        decide(d, act, r->at, shown(p, cutoff),
               "%s %g at bracket %" PRId64 " (step %" PRId64
               ") %s in the top 1/%g (cutoff %g over %zu trials)",
               p->metric, shown(p, mine), r->at, step, verdict, p->cfg.eta, shown(p, cutoff), r->n);
    else
        decide(d, act, r->at, shown(p, cutoff),
               "best %s %g by step %" PRId64 " %s in the top 1/%g at bracket %" PRId64
               " (cutoff %g over %zu trials)",
               p->metric, shown(p, mine), step, verdict, p->cfg.eta, r->at, shown(p, cutoff), r->n);
    return 0;
}

static int asha_report(es_pruner *p, pr_trial *t, int64_t step, double x, es_prune_decision *d)
{
    size_t eta = (size_t)p->cfg.eta;
    while (t->n_passed < p->n_rungs && step >= p->rungs[t->n_passed].at) {
        pr_rung *r = &p->rungs[t->n_passed];
        if (isnan(x)) {
            decide(d, ES_PRUNE_STOP, r->at, NAN, "%s is NaN at rung %" PRId64 " (step %" PRId64 ")",
                   p->metric, r->at, step);
            return 0;
        }
        if (rung_insert(r, x) != 0 || level_push(t, x) != 0)
            return -ENOMEM;
        size_t idx = r->n / eta;
        idx = idx > 0 ? idx - 1 : 0; /* while n < eta: promote only the best */
        double cutoff = r->v[idx];
        if (!(x <= cutoff)) {
            decide(d, ES_PRUNE_STOP, r->at, shown(p, cutoff),
                   "%s %g at step %" PRId64 " is not in the top 1/%zu at rung %" PRId64
                   " (cutoff %g over %zu trials)",
                   p->metric, shown(p, x), step, eta, r->at, shown(p, cutoff), r->n);
            return 0;
        }
        decide(d, ES_PRUNE_CONTINUE, r->at, shown(p, cutoff),
               "%s %g at step %" PRId64 " is in the top 1/%zu at rung %" PRId64
               " (cutoff %g over %zu trials)",
               p->metric, shown(p, x), step, eta, r->at, shown(p, cutoff), r->n);
        t->n_passed++;
    }
    return 0;
}

/* The value trial t reported at exactly `step`, through *x; 0 when none. */
static int value_at(const pr_trial *t, int64_t step, double *x)
{
    size_t lo = 0, hi = t->n_pts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->pts[mid].step < step)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n_pts && t->pts[lo].step == step) {
        *x = t->pts[lo].x;
        return 1;
    }
    return 0;
}

static int median_report(es_pruner *p, pr_trial *t, int64_t step, double x, es_prune_decision *d)
{
    pr_point *pts = grow(t->pts, &t->cap_pts, t->n_pts + 1, sizeof *pts);
    if (pts == NULL)
        return -ENOMEM;
    t->pts = pts;
    t->pts[t->n_pts].step = step;
    t->pts[t->n_pts].x = x;
    t->n_pts++;
    if (!isnan(x) && (isnan(t->best) || x < t->best))
        t->best = x;

    size_t startup = p->cfg.startup_trials > 1 ? (size_t)p->cfg.startup_trials : 1;
    if (p->n_completed < startup || step < p->cfg.min_steps)
        return 0;
    if (isnan(t->best)) {
        decide(d, ES_PRUNE_STOP, step, NAN, "no %s other than NaN by step %" PRId64, p->metric,
               step);
        return 0;
    }

    double *sc = grow(p->scratch, &p->cap_scratch, p->n_completed, sizeof *sc);
    if (sc == NULL)
        return -ENOMEM;
    p->scratch = sc;
    size_t n_at = 0, n_num = 0;
    for (size_t i = 0; i < p->n_completed; i++) {
        double v;
        if (value_at(p->completed[i], step, &v)) {
            n_at++;
            if (!isnan(v))
                p->scratch[n_num++] = v;
        }
    }
    if (n_at < (size_t)p->cfg.min_trials || n_num == 0)
        return 0;
    double med = es_median(p->scratch, n_num);
    es_prune_action act = t->best > med ? ES_PRUNE_STOP : ES_PRUNE_CONTINUE;
    decide(d, act, step, shown(p, med),
           "best %s %g by step %" PRId64
           " is %s the median %g of %zu completed trials at step %" PRId64,
           p->metric, shown(p, t->best), step,
           act == ES_PRUNE_STOP ? "worse than" : "not worse than", shown(p, med), n_num, step);
    return 0;
}

/* ---- Reports -------------------------------------------------------------- */

int es_pruner_report(es_pruner *p, uint64_t trial, int64_t step, double value,
                     es_prune_decision *out)
{
    es_prune_decision scratch;
    es_prune_decision *d = out != NULL ? out : &scratch;
    int rc;

    decision_clear(d);
    if (p == NULL)
        return -EINVAL;
    pr_trial *t = trial_get(p, trial, 1, &rc);
    if (t == NULL)
        return rc;
    if (t->stopped) {
        if (step > t->last_step)
            t->last_step = step;
        *d = *t->stop;
        return 0;
    }
    if (t->ended) {
        snprintf(d->reason, sizeof d->reason, "ignored: trial %" PRIu64 " has already ended",
                 trial);
        return -EINVAL;
    }
    if (step < 0) {
        snprintf(d->reason, sizeof d->reason, "ignored: negative step %" PRId64, step);
        return -EINVAL;
    }
    if (t->has_step && step <= t->last_step) {
        snprintf(d->reason, sizeof d->reason,
                 "ignored: step %" PRId64 " is not after step %" PRId64, step, t->last_step);
        return -EINVAL;
    }
    t->has_step = 1;
    t->last_step = step;

    double x = p->maximize ? -value : value;
    switch (p->cfg.type) {
    case ES_PRUNE_HYPERBAND:
        rc = hyperband_report(p, t, step, x, d);
        break;
    case ES_PRUNE_MEDIAN:
        rc = median_report(p, t, step, x, d);
        for (int64_t at;
             rc == 0 && !isnan(x) && (at = es_pruner_level_at(p, t->n_lv)) >= 0 && step >= at;)
            rc = level_push(t, x);
        break;
    case ES_PRUNE_ASHA:
        rc = asha_report(p, t, step, x, d);
        break;
    default:
        rc = 0;
        break;
    }
    if (rc != 0) {
        decision_clear(d);
        return rc;
    }
    if (d->action == ES_PRUNE_STOP) {
        t->stop = malloc(sizeof *t->stop);
        if (t->stop == NULL) {
            decision_clear(d);
            return -ENOMEM;
        }
        *t->stop = *d;
        t->stopped = 1;
        drop_curve(t);
    }
    return 0;
}

int64_t es_pruner_last_step(es_pruner *p, uint64_t trial)
{
    int rc;
    pr_trial *t = p != NULL ? trial_get(p, trial, 0, &rc) : NULL;
    return t != NULL && t->has_step ? t->last_step : 0;
}

int es_pruner_trial_done(es_pruner *p, uint64_t trial, int completed)
{
    int rc;
    if (p == NULL)
        return -EINVAL;
    pr_trial *t = trial_get(p, trial, 1, &rc);
    if (t == NULL)
        return rc;
    if (t->ended)
        return -EINVAL;
    if (completed && !t->stopped && p->cfg.type == ES_PRUNE_MEDIAN) {
        pr_trial **c = grow(p->completed, &p->cap_completed, p->n_completed + 1, sizeof *c);
        if (c == NULL)
            return -ENOMEM;
        p->completed = c;
        p->completed[p->n_completed++] = t;
    } else {
        drop_curve(t);
    }
    t->ended = 1;
    return 0;
}

/* ---- Schedule ------------------------------------------------------------- */

size_t es_pruner_rungs(const es_pruner *p, int64_t *rungs, size_t cap)
{
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < p->n_rungs && i < cap; i++)
        rungs[i] = p->rungs[i].at;
    return p->n_rungs;
}

int64_t es_pruner_level_at(const es_pruner *p, size_t k)
{
    if (p == NULL || k >= ES_PRUNE_LEVELS_MAX)
        return -1;
    if (p->cfg.type == ES_PRUNE_MEDIAN) {
        int64_t first = p->cfg.min_steps > 1 ? (int64_t)p->cfg.min_steps : 1;
        return k < 62 && first <= (INT64_MAX >> k) ? first << k : -1;
    }
    return k < p->n_rungs ? p->rungs[k].at : -1;
}

size_t es_pruner_trial_levels(const es_pruner *p, uint64_t trial, double *x, size_t cap)
{
    int rc;
    /* Without create, trial_get changes nothing. */
    const pr_trial *t = p != NULL ? trial_get((es_pruner *)p, trial, 0, &rc) : NULL;
    if (t == NULL)
        return 0;
    for (size_t k = 0; k < t->n_lv && k < cap; k++)
        x[k] = p->maximize ? -t->lv[k] : t->lv[k];
    return t->n_lv;
}

size_t es_pruner_rung_count(const es_pruner *p, size_t k)
{
    return p != NULL && k < p->n_rungs ? p->rungs[k].n : 0;
}

double es_prune_expected_fraction(const es_prune_config *cfg, double final_step)
{
    if (cfg == NULL || cfg->type == ES_PRUNE_NONE || !(final_step >= 1))
        return 1;
    if (cfg->type == ES_PRUNE_MEDIAN) {
        /* Half the trials stopped at the first step the rule may act on. */
        double first = cfg->min_steps > 1 ? (double)cfg->min_steps : 1;
        return fmin(1, (0.5 * fmin(first, final_step) + 0.5 * final_step) / final_step);
    }
    int64_t *at = NULL;
    size_t n = 0;
    if (schedule(cfg, &at, &n) != 0)
        return 1;
    /* A share 1/eta of the trials passes each checkpoint before the end. */
    double steps = 0, prev = 0, alive = 1;
    for (size_t i = 0; i < n && (double)at[i] < final_step; i++) {
        steps += alive * ((double)at[i] - prev);
        prev = (double)at[i];
        alive /= cfg->eta;
    }
    steps += alive * (final_step - prev);
    free(at);
    return fmin(1, steps / final_step);
}
