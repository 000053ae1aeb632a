/*
 * report_stats.c -- the analysis behind the reports: Strubell et al.'s
 * three tiers of a project, everyday equivalents with their sources, Dodge
 * et al.'s expected maximum validation performance, and hyperparameter
 * sensitivity (see report.h for the contracts).  Pure arithmetic over the
 * loaded tree; every format prints what these functions compute.
 *
 * Sensitivity, the method (report.h, es_sensitivity): each parameter's
 * first-order share of the target's variance, bias-adjusted (omega
 * squared) over its levels or quantile bins, from
 * ES_REPORT_SENSITIVITY_MIN_TRIALS completed trials; the two targets are
 * the objective and the trial's kWh.  Unadjusted eta squared, which this
 * replaced, gave 1.00 to every continuous parameter of a small sweep (each
 * value a level of one trial) and shares that added up to well over 1.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numbers.h"
#include "report_int.h"

const char es_rep_tier_statistic[] =
    "one model = the median completed trial or imported job by kWh, one tune = the median sweep "
    "or imported group by kWh (the lower middle one of an even count; both among those whose "
    "energy was measured or estimated), all R&D = every trial and imported job";

/* ---- Everyday equivalents ------------------------------------------------------ */

static const es_equivalent equivalents[] = {
    {"car_km", "km by car", 0, 0.404 / 1.609344,
     "US EPA, Greenhouse Gas Emissions from a Typical Passenger Vehicle (EPA-420-F-18-008, "
     "2018): 404 g CO2 per mile (tailpipe), i.e. 251 g/km"},
    {"flights_ny_sf", "NY-SF round-trip flights (one passenger)", 0, 1984 * 0.45359237,
     "Strubell, Ganesh & McCallum 2019, Table 1: air travel, 1 passenger, NY<->SF, 1,984 lbs "
     "CO2e (900 kg)"},
    {"us_household_days", "days of a US household's electricity", 1, 10715.0 / 365.0,
     "US EIA, How much electricity does an American home use? 10,715 kWh per residential "
     "customer in 2020, i.e. 29.4 kWh a day (compares energy, not CO2e)"},
};

const es_equivalent *es_report_equivalents(size_t *n)
{
    *n = sizeof equivalents / sizeof equivalents[0];
    return equivalents;
}

double es_equivalent_value(const es_equivalent *e, const es_cost *c)
{
    return (e->by_energy ? c->kwh : c->co2e_kg) / e->per_unit;
}

/* ---- Tiers ------------------------------------------------------------------------ */

/* One candidate for a tier: a trial, a job, a sweep or an imported group. */
typedef struct cand {
    es_cost cost;
    int jobs, imported;
    unsigned methods;
    const char *kind; /* for the "what" text */
    const char *name;
    const char *where;
    long long num, id;
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
} cands;

static cand *cand_new(cands *c)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        cand *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    memset(&c->v[c->n], 0, sizeof c->v[0]);
    return &c->v[c->n++];
}

static int by_kwh(const void *a, const void *b)
{
    double x = ((const cand *)a)->cost.kwh, y = ((const cand *)b)->cost.kwh;
    return x < y ? -1 : x > y;
}

/* The median candidate (the lower middle one) into t. */
static void median_tier(cands *c, es_tier *t, int model)
{
    const cand *m;
    if (c->n == 0)
        return;
    qsort(c->v, c->n, sizeof c->v[0], by_kwh);
    m = &c->v[(c->n - 1) / 2];
    t->available = 1;
    t->jobs = m->jobs;
    t->imported = m->imported;
    t->cost = m->cost;
    t->methods = m->methods;
    if (model && !m->imported)
        snprintf(t->what, sizeof t->what, "trial %lld of sweep %s (#%lld)", m->num, m->name, m->id);
    else if (model)
        snprintf(t->what, sizeof t->what, "imported job '%s' (%s:%lld)", m->name, m->where, m->num);
    else if (!m->imported)
        snprintf(t->what, sizeof t->what, "sweep %s (#%lld)", m->name, m->id);
    else
        snprintf(t->what, sizeof t->what, "imported group '%s' (%s, %d jobs)", m->name, m->where,
                 m->jobs);
}

/* The candidates for one tune among an import's jobs: one per group. */
static int import_groups(cands *tunes, const es_rep_import_view *iv)
{
    const es_store_import *im = iv->im;
    size_t first = tunes->n;
    for (size_t i = 0; i < im->n_jobs; i++) {
        const es_store_job *j = &im->jobs[i];
        cand *g = NULL;
        if (j->group == NULL)
            continue;
        for (size_t k = first; k < tunes->n && g == NULL; k++)
            if (strcmp(tunes->v[k].name, j->group) == 0)
                g = &tunes->v[k];
        if (g == NULL) {
            if ((g = cand_new(tunes)) == NULL)
                return -ENOMEM;
            g->name = j->group;
            g->where = im->file;
            g->imported = 0;
        }
        es_cost_add(&g->cost, &iv->jobs[i]);
        g->jobs++;
        g->imported++;
        g->methods |= 1u << j->energy.method;
    }
    return 0;
}

/* Why tier t has no figures: none of `one`, or none whose energy was
 * measured (n of them, `many`, were not). */
static void unavailable(es_tier *t, int n, const char *one, const char *many)
{
    if (t->available)
        return;
    if (n == 0)
        snprintf(t->what, sizeof t->what, "none (no %s)", one);
    else
        snprintf(t->what, sizeof t->what, "none measured (the energy of %d %s was not measured)", n,
                 n == 1 ? one : many);
}

int es_rep_footprint_of(const es_rep_project_view *pv, es_footprint *out)
{
    const es_store_project *p = pv->p;
    cands models = {0}, tunes = {0};
    int rc = 0, reused = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; rc == 0 && i < p->n_sweeps; i++) {
        const es_rep_sweep_view *sv = &pv->sweeps[i];
        const es_store_sweep *sw = sv->sw;
        cand *c;
        /* Tiers count the models trained: a trial that reused an earlier
         * result trained nothing (and cost nothing). */
        reused += sv->budget.reused;
        for (size_t k = 0; rc == 0 && k < sw->n_trials; k++) {
            const es_store_trial *t = &sw->trials[k];
            /* Nor does a trial nothing measured stand for one: its 0 kWh
             * is not a value. */
            if (!es_rep_trial_is(t, ES_TRIAL_COMPLETED) || t->reused_from > 0)
                continue;
            if (!es_rep_energy_known(t)) {
                out->unmeasured_models++;
                continue;
            }
            if ((c = cand_new(&models)) == NULL) {
                rc = -ENOMEM;
                break;
            }
            c->cost = sv->trials[k].cost;
            c->jobs = 1;
            c->methods = 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
            c->name = sw->name;
            c->num = t->number;
            c->id = sw->id;
        }
        if (rc != 0 || sw->n_trials == (size_t)sv->budget.reused)
            continue;                          /* no trial (or only reuses): no tuning done */
        if (!es_rep_tally_known(&sv->tally)) { /* nothing measured: no figure to rank */
            out->unmeasured_tunes++;
            continue;
        }
        if ((c = cand_new(&tunes)) == NULL) {
            rc = -ENOMEM;
            break;
        }
        c->cost = sv->tally.cost;
        c->jobs = sv->tally.trials - sv->budget.reused;
        c->methods = sv->tally.methods;
        c->name = sw->name;
        c->id = sw->id;
    }
    for (size_t i = 0; rc == 0 && i < p->n_imports; i++) {
        const es_rep_import_view *iv = &pv->imports[i];
        const es_store_import *im = iv->im;
        for (size_t k = 0; k < im->n_jobs; k++) {
            const es_store_job *j = &im->jobs[k];
            cand *c;
            if (strcmp(j->status, "completed") != 0)
                continue;
            if (j->energy.method == ES_EM_NONE) {
                out->unmeasured_models++;
                continue;
            }
            if ((c = cand_new(&models)) == NULL) {
                rc = -ENOMEM;
                break;
            }
            c->cost = iv->jobs[k];
            c->jobs = c->imported = 1;
            c->methods = 1u << j->energy.method;
            c->name = j->name;
            c->where = im->file;
            c->num = j->line;
        }
        if (rc == 0)
            rc = import_groups(&tunes, iv);
    }
    if (rc == 0) {
        median_tier(&models, &out->one_model, 1);
        median_tier(&tunes, &out->one_tune, 0);
        unavailable(&out->one_model, out->unmeasured_models, "completed trial or job",
                    "completed trials and jobs");
        unavailable(&out->one_tune, out->unmeasured_tunes, "sweep", "sweeps");
        out->all_rd.available = 1;
        out->all_rd.jobs = pv->tally.trials - reused + pv->tally.jobs;
        out->all_rd.imported = pv->tally.jobs;
        out->all_rd.cost = pv->tally.cost;
        out->all_rd.methods = pv->tally.methods;
        if (reused > 0)
            snprintf(out->all_rd.what, sizeof out->all_rd.what,
                     "%zu sweep%s, %d trials (and %d reused results, not counted), %d imported "
                     "jobs",
                     p->n_sweeps, p->n_sweeps == 1 ? "" : "s", pv->tally.trials - reused, reused,
                     pv->tally.jobs);
        else
            snprintf(out->all_rd.what, sizeof out->all_rd.what,
                     "%zu sweep%s, %d trials, %d imported jobs", p->n_sweeps,
                     p->n_sweeps == 1 ? "" : "s", pv->tally.trials, pv->tally.jobs);
    }
    free(models.v);
    free(tunes.v);
    return rc;
}

int es_report_footprint(const es_store_project *p, es_footprint *out)
{
    es_store_data d = {.projects = (es_store_project *)p, .n_projects = 1};
    es_report_opts o = {.format = ES_REPORT_TEXT};
    es_rep_view *v;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = es_rep_view_build(&d, &o, &v)) != 0)
        return rc;
    *out = v->projects[0].footprint;
    es_rep_view_free(v);
    return 0;
}

/* ---- Expected maximum (Dodge et al. 2019) ---------------------------------------- */

/* Below this many draws every k is computed by the running product; above,
 * only the terms that matter (see expected_max_at). */
enum { EMAX_DENSE = 100 };

/* mean[j] (and sd[j]) for k = ks[j] draws, ks ascending, from v sorted with
 * the best last.  The weight of v_(i) for k draws is (i/n)^k - ((i-1)/n)^k:
 * for k <= EMAX_DENSE the powers are kept as a running product over k (n
 * multiplications a step); for larger k, (i/n)^k < e^-45 (below a double's
 * precision next to the total weight 1) for every i < n e^(-45/k), so only
 * the top n (1 - e^(-45/k)) ~ 45 n / k values are summed.  The whole curve
 * is thus O(n log n), not O(n^2). */
static void expected_max_at(const double *v, size_t n, const size_t *ks, size_t nk, double *mean,
                            double *sd, double *pw, double *u)
{
    /* The sums run over u = (v - c) / s, c the best value and s the range,
     * so that the second moment is not the difference of two huge numbers
     * (values of 1e8 + 0.001 ... lost their sd to cancellation) and no
     * square overflows (values near 1e308); the range is taken as the
     * largest magnitude where it would overflow itself. */
    double c = v[n - 1], lo_v = v[0], hi_v = v[0], s;
    for (size_t i = 1; i < n; i++) {
        lo_v = fmin(lo_v, v[i]);
        hi_v = fmax(hi_v, v[i]);
    }
    s = hi_v - lo_v;
    if (isfinite(s)) {
        s = s > 0 ? s : 1.0;
        for (size_t i = 0; i < n; i++)
            u[i] = (v[i] - c) / s;
    } else {
        s = fmax(fabs(lo_v), fabs(hi_v));
        for (size_t i = 0; i < n; i++)
            u[i] = v[i] / s - c / s;
    }
    size_t j = 0, dense = n < EMAX_DENSE ? n : EMAX_DENSE;
    for (size_t i = 0; i < n; i++)
        pw[i] = 1.0;
    for (size_t k = 1; k <= n && j < nk; k++) {
        double m = 0, m2 = 0, prev, kk = (double)k;
        size_t lo = 0;
        if (k <= dense) { /* the powers as a running product */
            for (size_t i = 0; i < n; i++)
                pw[i] *= (double)(i + 1) / (double)n;
            if (ks[j] != k)
                continue;
            prev = 0;
        } else { /* only the terms above double precision */
            if (ks[j] != k) {
                k = ks[j] - 1; /* jump to the next point asked for */
                continue;
            }
            lo = (size_t)floor((double)n * exp(-45.0 / kk));
            lo = lo > 0 ? lo - 1 : 0; /* the first index whose weight is kept */
            prev = lo > 0 ? exp(kk * log((double)lo / (double)n)) : 0.0;
        }
        for (size_t i = lo; i < n; i++) {
            double cdf = k <= dense ? pw[i] : exp(kk * log((double)(i + 1) / (double)n));
            double w = cdf - prev; /* P(the best of k draws is v_(i)) */
            prev = cdf;
            m += w * u[i];
            m2 += w * u[i] * u[i];
        }
        mean[j] = c + s * m;
        if (sd != NULL)
            sd[j] = s * sqrt(fmax(0.0, m2 - m * m));
        j++;
    }
}

/* v: a sorted copy of values, best last. */
static double *sorted_best_last(const double *values, size_t n, int maximize)
{
    double *v = malloc(n * sizeof *v);
    if (v == NULL)
        return NULL;
    memcpy(v, values, n * sizeof *v);
    es_sort_doubles(v, n);
    if (!maximize) /* best last: the smallest */
        for (size_t i = 0; i < n / 2; i++) {
            double x = v[i];
            v[i] = v[n - 1 - i];
            v[n - 1 - i] = x;
        }
    return v;
}

int es_report_expected_max(const double *values, size_t n, int maximize, double *mean, double *sd)
{
    double *v, *pw, *u;
    size_t *ks;
    if (n == 0)
        return -EINVAL;
    v = sorted_best_last(values, n, maximize);
    pw = malloc(n * sizeof *pw);
    u = malloc(n * sizeof *u);
    ks = malloc(n * sizeof *ks);
    int ok = v != NULL && pw != NULL && u != NULL && ks != NULL;
    if (ok) {
        for (size_t k = 0; k < n; k++)
            ks[k] = k + 1;
        expected_max_at(v, n, ks, n, mean, sd, pw, u);
    }
    free(pw);
    free(u);
    free(ks);
    free(v);
    return ok ? 0 : -ENOMEM;
}

size_t es_rep_curve_points(size_t n, size_t *pts, size_t cap)
{
    static const size_t first[] = {1, 2, 3, 5}, mult[] = {1, 2, 5};
    size_t k = 0;
    for (size_t i = 0; i < 4; i++)
        if (first[i] < n && k + 1 < cap)
            pts[k++] = first[i];
    for (size_t decade = 10; decade < n; decade *= 10)
        for (size_t i = 0; i < 3; i++)
            if (decade * mult[i] < n && k + 1 < cap)
                pts[k++] = decade * mult[i];
    if (k < cap && n > 0)
        pts[k++] = n;
    return k;
}

/* The curve's points for n trials: every k up to EMAX_DENSE, then about 20
 * a decade and the table's round numbers (1, 2, 5 x 10^d), and n.  *out is
 * fresh (free()); returns the count, 0 when out of memory. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static size_t curve_dense(size_t n, size_t **out)
{
    /* 20 a decade from 10^2 to 10^20 at most, 40 round numbers, n. */
    size_t cap = EMAX_DENSE + 20 * 18 + 40 + 1, k = 0, m = 0;
    size_t *pts = malloc(cap * sizeof *pts);
    *out = pts;
    if (pts == NULL || n == 0)
        return 0;
    for (size_t i = 1; i <= n && i <= EMAX_DENSE; i++)
        pts[k++] = i;
    for (int e = 41; e < 20 * 20; e++) {
        double x = pow(10.0, e / 20.0);
        if (x >= (double)n)
            break;
        pts[k++] = (size_t)llround(x);
    }
    k += es_rep_curve_points(n, pts + k, 40); /* the table's rows, n among them */
    qsort(pts, k, sizeof *pts, cmp_size);
    for (size_t i = 0; i < k; i++) /* unique */
        if (m == 0 || pts[i] != pts[m - 1])
            pts[m++] = pts[i];
    return m;
}

size_t es_rep_curve_index(const es_rep_sweep_stats *ss, size_t k)
{
    size_t lo = 0, hi = ss->n_curve;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ss->curve_n[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ss->n_curve ? lo : ss->n_curve - 1;
}

/* ---- Sensitivity ---------------------------------------------------------------------- */

/* One member of a flat JSON object: the key and the value's text (strings
 * unquoted, anything else verbatim); numeric when it reads as a number. */
typedef struct member {
    char *key, *text;
    int numeric;
    double x;
} member;

/* The length of the JSON value at s (a string, number, literal, or a nested
 * array or object, skipped by matching brackets). */
static size_t value_len(const char *s)
{
    size_t i = 0;
    int depth = 0, in_str = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\' && s[i + 1])
                i++;
            else if (c == '"')
                in_str = 0;
            if (!in_str && depth == 0)
                return i + 1;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0)
            return i;
    }
    return i;
}

/* Parse params_json (as the store builds it: a flat object) into members.
 * Returns the count, or -ENOMEM. */
static long parse_params(const char *json, member **out)
{
    member *m = NULL;
    long n = 0;
    const char *p = json ? strchr(json, '{') : NULL;
    *out = NULL;
    if (p == NULL)
        return 0;
    for (p++;;) {
        const char *k, *v;
        size_t klen, vlen;
        while (*p == ' ' || *p == ',')
            p++;
        if (*p != '"')
            break;
        k = ++p;
        while (*p && *p != '"')
            p += *p == '\\' && p[1] ? 2 : 1;
        klen = (size_t)(p - k);
        if (*p == '"')
            p++;
        while (*p == ' ' || *p == ':')
            p++;
        v = p;
        vlen = value_len(v);
        p += vlen;
        member *g = realloc(m, (size_t)(n + 1) * sizeof *m);
        if (g == NULL)
            goto oom;
        m = g;
        m[n].key = strndup(k, klen);
        if (vlen >= 2 && v[0] == '"')
            m[n].text = strndup(v + 1, vlen - 2);
        else
            m[n].text = strndup(v, vlen);
        if (m[n].key == NULL || m[n].text == NULL) {
            free(m[n].key);
            free(m[n].text);
            goto oom;
        }
        char *end;
        m[n].x = strtod(m[n].text, &end);
        m[n].numeric = v[0] != '"' && end != m[n].text && *end == '\0' && isfinite(m[n].x);
        n++;
    }
    *out = m;
    return n;
oom:
    for (long i = 0; i < n; i++) {
        free(m[i].key);
        free(m[i].text);
    }
    free(m);
    return -ENOMEM;
}

static void members_free(member *m, long n)
{
    for (long i = 0; i < n; i++) {
        free(m[i].key);
        free(m[i].text);
    }
    free(m);
}

/* A value and where it came from, for sorting. */
typedef struct keyed {
    double x;
    const char *label;
    size_t i;
} keyed;

static int by_x(const void *a, const void *b)
{
    double x = ((const keyed *)a)->x, y = ((const keyed *)b)->x;
    return x < y ? -1 : x > y;
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const keyed *)a)->label, ((const keyed *)b)->label);
}

/* Average ranks (1-based, ties averaged) of x into r; k is scratch of n. */
static void ranks(const double *x, size_t n, double *r, keyed *k)
{
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){x[i], NULL, i};
    qsort(k, n, sizeof *k, by_x);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && k[j + 1].x == k[i].x)
            j++;
        for (size_t m = i; m <= j; m++)
            r[k[m].i] = (double)(i + j) / 2.0 + 1.0;
        i = j + 1;
    }
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

/* The distinct values among label[0..n-1] (compared as strings); group[i]
 * receives the index of label[i]'s value among them.  k is scratch of n. */
static size_t level_groups(char *const *label, size_t n, keyed *k, size_t *group)
{
    size_t levels = 0;
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){0, label[i], i};
    qsort(k, n, sizeof *k, by_label);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(k[i].label, k[i - 1].label) != 0)
            levels++;
        group[k[i].i] = levels;
    }
    return n > 0 ? levels + 1 : 0;
}

/* Bins of about equal count by rank (r: ranks 1..n, ties averaged, so equal
 * values share a bin): group[i] in 0..bins-1. */
static void rank_bins(const double *r, size_t n, size_t bins, size_t *group)
{
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((r[i] - 0.5) * (double)bins / (double)n);
        group[i] = b < bins ? b : bins - 1;
    }
}

/* Omega squared of y over groups 0..k-1 (group[i] of y[i]); sum and cnt are
 * scratch of k.  NAN when y does not vary or no group holds two trials. */
static double omega2(const double *y, const size_t *group, size_t n, size_t k, double *sum,
                     size_t *cnt)
{
    double mean = 0, total = 0, between = 0;
    for (size_t g = 0; g < k; g++) {
        sum[g] = 0;
        cnt[g] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        mean += y[i];
        sum[group[i]] += y[i];
        cnt[group[i]]++;
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    size_t used = 0;
    for (size_t g = 0; g < k; g++)
        if (cnt[g] > 0) {
            double m = sum[g] / (double)cnt[g];
            between += (double)cnt[g] * (m - mean) * (m - mean);
            used++;
        }
    if (!(total > 0) || n <= used)
        return NAN;
    double ms_within = (total - between) / (double)(n - used);
    double w = (between - (double)(used - 1) * ms_within) / (total + ms_within);
    return fmin(1.0, fmax(0.0, w));
}

static int by_share(const void *a, const void *b)
{
    double x = ((const es_sensitivity *)a)->share, y = ((const es_sensitivity *)b)->share;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x > y ? -1 : x < y;
}

/* The sensitivity of y (n trials, their params p[i]) to every parameter:
 * O(n log n) a parameter. */
static int sensitivity(member **p, const long *np, const double *y, size_t n, es_sensitivity **out,
                       size_t *n_out)
{
    double *x = malloc(n * sizeof *x), *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    double *sum = malloc(n * sizeof *sum);
    char **label = malloc(n * sizeof *label);
    keyed *k = malloc(n * sizeof *k);
    size_t *group = malloc(n * sizeof *group), *cnt = malloc(n * sizeof *cnt), n_s = 0;
    /* Bins of a numeric parameter: about 5 trials each, 2 to 10 of them. */
    size_t bins = n / 5 < 2 ? 2 : n / 5 > 10 ? 10 : n / 5;
    es_sensitivity *s = NULL;
    double total = 0;
    int rc = 0;

    if (x == NULL || rx == NULL || ry == NULL || sum == NULL || label == NULL || k == NULL ||
        group == NULL || cnt == NULL)
        rc = -ENOMEM;
    else
        ranks(y, n, ry, k);
    /* Parameters in the order of the first trial that has them. */
    for (size_t t = 0; rc == 0 && t < n; t++)
        for (long q = 0; rc == 0 && q < np[t]; q++) {
            const char *name = p[t][q].key;
            int seen = 0, numeric = 1;
            for (size_t i = 0; i < n_s && !seen; i++)
                seen = strcmp(s[i].param, name) == 0;
            if (seen)
                continue;
            /* Numeric only when every trial had a number for it; a trial
             * holds its parameters in the same order as the others, so
             * the one at position q is looked at first. */
            for (size_t i = 0; i < n; i++) {
                label[i] = "(absent)";
                x[i] = NAN;
                int found = 0;
                for (long m0 = 0; m0 < np[i] && !found; m0++) {
                    long m = (q + m0) % np[i];
                    if (strcmp(p[i][m].key, name) == 0) {
                        label[i] = p[i][m].text;
                        x[i] = p[i][m].x;
                        found = 1 + p[i][m].numeric;
                    }
                }
                numeric = numeric && found == 2;
            }
            size_t levels = level_groups(label, n, k, group), groups = levels;
            if (levels < 2)
                continue;
            es_sensitivity *g = realloc(s, (n_s + 1) * sizeof *s);
            if (g == NULL || (g[n_s].param = strdup(name)) == NULL) {
                s = g != NULL ? g : s;
                rc = -ENOMEM;
                break;
            }
            s = g;
            s[n_s].levels = levels;
            s[n_s].rho = NAN;
            s[n_s].method = "levels";
            s[n_s].normalized = 0;
            if (numeric) {
                ranks(x, n, rx, k);
                s[n_s].rho = pearson(rx, ry, n);
                if (levels > 6) {
                    groups = bins;
                    rank_bins(rx, n, bins, group);
                    s[n_s].method = "quantile bins";
                }
            }
            s[n_s].groups = groups;
            s[n_s].share = omega2(y, group, n, groups, sum, cnt);
            if (isfinite(s[n_s].share))
                total += s[n_s].share;
            n_s++;
        }
    free(x);
    free(rx);
    free(ry);
    free(sum);
    free(label);
    free(k);
    free(group);
    free(cnt);
    if (rc != 0) {
        es_report_sensitivity_free(s, n_s);
        return rc;
    }
    if (total > 1) /* more than all of the variance: estimation noise */
        for (size_t i = 0; i < n_s; i++) {
            s[i].share /= total;
            s[i].normalized = 1;
        }
    if (n_s > 1)
        qsort(s, n_s, sizeof *s, by_share);
    *out = s;
    *n_out = n_s;
    return 0;
}

/* es_report_sensitivity with the trials' costs already known (cost[i] of
 * sw->trials[i]; NULL: priced here). */
static int sweep_sensitivity(const es_store_sweep *sw, const es_rep_trial_view *tv, int energy,
                             es_sensitivity **out, size_t *n, size_t *used)
{
    member **p = calloc(sw->n_trials + 1, sizeof *p);
    long *np = calloc(sw->n_trials + 1, sizeof *np);
    double *y = malloc((sw->n_trials + 1) * sizeof *y);
    size_t m = 0;
    int rc = 0;

    *out = NULL;
    *n = *used = 0;
    if (p == NULL || np == NULL || y == NULL)
        rc = -ENOMEM;
    for (size_t i = 0; rc == 0 && i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        es_cost c;
        long got;
        if (!es_rep_trial_is(t, ES_TRIAL_COMPLETED) || !isfinite(t->objective))
            continue;
        if (energy && !es_rep_energy_known(t))
            continue;
        if (tv != NULL)
            c = tv[i].cost;
        else
            es_rep_trial_cost(sw, t, &c);
        if ((got = parse_params(t->params_json, &p[m])) < 0) {
            rc = -ENOMEM;
            break;
        }
        np[m] = got;
        y[m++] = energy ? c.kwh : t->objective;
    }
    *used = m;
    if (rc == 0 && m >= ES_REPORT_SENSITIVITY_MIN_TRIALS) {
        /* Shares and ranks do not change under y -> (y - lo) / range; the
         * sums of squares of targets near 1e308 would overflow. */
        double lo = y[0], hi = y[0];
        for (size_t i = 1; i < m; i++) {
            lo = fmin(lo, y[i]);
            hi = fmax(hi, y[i]);
        }
        double range = hi - lo, scale = isfinite(range) ? range : fmax(fabs(lo), fabs(hi));
        for (size_t i = 0; scale > 0 && i < m; i++)
            y[i] = isfinite(range) ? (y[i] - lo) / scale : y[i] / scale;
        rc = sensitivity(p, np, y, m, out, n);
    }
    for (size_t i = 0; p != NULL && i < m; i++)
        members_free(p[i], np[i]);
    free(p);
    free(np);
    free(y);
    return rc;
}

int es_report_sensitivity(const es_store_sweep *sw, int energy, es_sensitivity **out, size_t *n,
                          size_t *used)
{
    return sweep_sensitivity(sw, NULL, energy, out, n, used);
}

void es_rep_write_sens_heading(FILE *f, const es_sensitivity *s, size_t n, size_t used)
{
    double rest = 1;
    if (used < ES_REPORT_SENSITIVITY_MIN_TRIALS) {
        fprintf(f, "not shown below %d completed trials (%zu so far)",
                ES_REPORT_SENSITIVITY_MIN_TRIALS, used);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (isfinite(s[i].share))
            rest -= s[i].share;
    fprintf(f,
            "first-order share of variance, omega squared over levels or quantile bins, %zu "
            "trials; ",
            used);
    if (n > 0 && s[0].normalized)
        fputs("the estimates added up to more than 1 and were scaled to add up to 1", f);
    else
        fprintf(f, "%.2f left to interactions and noise", fmax(0.0, rest));
}

void es_rep_write_share(FILE *f, const es_sensitivity *s)
{
    if (isnan(s->share))
        fputs("-", f);
    else
        fprintf(f, "%.2f", s->share);
    if (isfinite(s->rho))
        fprintf(f, " (rho %+.2f)", s->rho);
}

void es_report_sensitivity_free(es_sensitivity *s, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        free(s[i].param);
    free(s);
}

/* ---- One sweep's analysis ------------------------------------------------------------ */

int es_rep_sweep_analyze(const es_rep_sweep_view *sv, es_rep_sweep_stats *out)
{
    const es_store_sweep *sw = sv->sw;
    double *v = malloc((sw->n_trials + 1) * sizeof *v), *sorted = NULL, *pw = NULL, *u = NULL;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (v == NULL)
        return -ENOMEM;
    /* Feasible draws only: an infeasible trial is no result to expect. */
    for (size_t i = 0; i < sw->n_trials; i++)
        if (es_rep_is_candidate(sv, i))
            v[out->n++] = sw->trials[i].objective;
    if (out->n > 0) {
        out->n_curve = curve_dense(out->n, &out->curve_n);
        out->emax = malloc(out->n_curve * sizeof *out->emax);
        out->emax_sd = malloc(out->n_curve * sizeof *out->emax_sd);
        sorted = sorted_best_last(v, out->n, es_rep_maximize(sw));
        pw = malloc(out->n * sizeof *pw);
        u = malloc(out->n * sizeof *u);
        if (out->n_curve == 0 || out->emax == NULL || out->emax_sd == NULL || sorted == NULL ||
            pw == NULL || u == NULL)
            rc = -ENOMEM;
        else
            expected_max_at(sorted, out->n, out->curve_n, out->n_curve, out->emax, out->emax_sd, pw,
                            u);
        /* The energy of all trials, failures included, over the completed
         * ones: what each usable draw really cost.  Not known when a trial
         * nothing measured is among them (its 0 J would lower it). */
        out->kwh_per_trial = sv->tally.unmeasured == 0 && es_rep_tally_known(&sv->tally)
                                 ? sv->tally.cost.kwh / (double)out->n
                                 : NAN;
    }
    free(v);
    free(sorted);
    free(pw);
    free(u);
    if (rc == 0)
        rc = sweep_sensitivity(sw, sv->trials, 0, &out->obj, &out->n_obj, &out->obj_trials);
    if (rc == 0)
        rc = sweep_sensitivity(sw, sv->trials, 1, &out->kwh, &out->n_kwh, &out->kwh_trials);
    if (rc != 0) {
        es_rep_sweep_stats_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void es_rep_sweep_stats_free(es_rep_sweep_stats *s)
{
    free(s->curve_n);
    s->curve_n = NULL;
    s->n_curve = 0;
    free(s->emax);
    free(s->emax_sd);
    es_report_sensitivity_free(s->obj, s->n_obj);
    es_report_sensitivity_free(s->kwh, s->n_kwh);
    s->emax = s->emax_sd = NULL;
    s->obj = s->kwh = NULL;
    s->n_obj = s->n_kwh = 0;
}
