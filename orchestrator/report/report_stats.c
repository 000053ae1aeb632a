/*
 * report_stats.c -- the analysis behind the reports: Strubell et al.'s
 * three tiers of a project, everyday equivalents with their sources, Dodge
 * et al.'s expected maximum validation performance, and hyperparameter
 * sensitivity (see report.h for the contracts).  Pure arithmetic over the
 * loaded tree; every format prints what these functions compute.
 *
 * Sensitivity, the method: over a sweep's completed trials, for each
 * parameter that took two values or more, the share of the target's
 * variance the parameter accounts for.  A categorical parameter, or a
 * numeric one with at most 6 distinct values (a grid), is measured by eta
 * squared, the between-level sum of squares over the total; a numeric one
 * with more values by the square of Spearman's rank correlation (ranks with
 * ties averaged), whose sign says the direction.  Eta squared with few trials
 * per level overstates (each level of one trial explains "all" of its own
 * variance), so the number of levels is reported beside it.  The two
 * targets are the objective and the trial's kWh.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

const char es_rep_tier_statistic[] =
    "one model = the median completed trial or imported job by kWh, one tune = the median "
    "sweep or imported group by kWh (the lower middle one of an even count), all R&D = every "
    "trial and imported job";

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
static int import_groups(cands *tunes, const es_store_import *im)
{
    size_t first = tunes->n;
    for (size_t i = 0; i < im->n_jobs; i++) {
        const es_store_job *j = &im->jobs[i];
        cand *g = NULL;
        es_cost c;
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
        es_rep_job_cost(im, j, &c);
        es_cost_add(&g->cost, &c);
        g->jobs++;
        g->imported++;
        g->methods |= 1u << j->energy.method;
    }
    return 0;
}

int es_report_footprint(const es_store_project *p, es_footprint *out)
{
    cands models = {0}, tunes = {0};
    es_rep_tally all;
    int rc = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; rc == 0 && i < p->n_sweeps; i++) {
        const es_store_sweep *sw = &p->sweeps[i];
        es_rep_tally ty;
        cand *c;
        for (size_t k = 0; rc == 0 && k < sw->n_trials; k++) {
            const es_store_trial *t = &sw->trials[k];
            if (strcmp(t->status, "completed") != 0)
                continue;
            if ((c = cand_new(&models)) == NULL) {
                rc = -ENOMEM;
                break;
            }
            es_rep_trial_cost(sw, t, &c->cost);
            c->jobs = 1;
            c->methods = 1u << t->cpu.method | 1u << t->dram.method | 1u << t->gpu.method;
            c->name = sw->name;
            c->num = t->number;
            c->id = sw->id;
        }
        if (rc != 0 || sw->n_trials == 0)
            continue;
        if ((c = cand_new(&tunes)) == NULL) {
            rc = -ENOMEM;
            break;
        }
        es_rep_tally_sweep(&ty, sw);
        c->cost = ty.cost;
        c->jobs = ty.trials;
        c->methods = ty.methods;
        c->name = sw->name;
        c->id = sw->id;
    }
    for (size_t i = 0; rc == 0 && i < p->n_imports; i++) {
        const es_store_import *im = &p->imports[i];
        for (size_t k = 0; k < im->n_jobs; k++) {
            const es_store_job *j = &im->jobs[k];
            cand *c;
            if (strcmp(j->status, "completed") != 0)
                continue;
            if ((c = cand_new(&models)) == NULL) {
                rc = -ENOMEM;
                break;
            }
            es_rep_job_cost(im, j, &c->cost);
            c->jobs = c->imported = 1;
            c->methods = 1u << j->energy.method;
            c->name = j->name;
            c->where = im->file;
            c->num = j->line;
        }
        if (rc == 0)
            rc = import_groups(&tunes, im);
    }
    if (rc == 0) {
        median_tier(&models, &out->one_model, 1);
        median_tier(&tunes, &out->one_tune, 0);
        es_rep_tally_project(&all, p);
        out->all_rd.available = 1;
        out->all_rd.jobs = all.trials + all.jobs;
        out->all_rd.imported = all.jobs;
        out->all_rd.cost = all.cost;
        out->all_rd.methods = all.methods;
        snprintf(out->all_rd.what, sizeof out->all_rd.what,
                 "%zu sweep%s, %d trials, %d imported jobs", p->n_sweeps,
                 p->n_sweeps == 1 ? "" : "s", all.trials, all.jobs);
    }
    free(models.v);
    free(tunes.v);
    return rc;
}

/* ---- Expected maximum (Dodge et al. 2019) ---------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int es_report_expected_max(const double *values, size_t n, int maximize, double *mean, double *sd)
{
    double *v;
    if (n == 0)
        return -EINVAL;
    if ((v = malloc(n * sizeof *v)) == NULL)
        return -ENOMEM;
    memcpy(v, values, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    if (!maximize) /* best last: the smallest */
        for (size_t i = 0; i < n / 2; i++) {
            double x = v[i];
            v[i] = v[n - 1 - i];
            v[n - 1 - i] = x;
        }
    for (size_t k = 1; k <= n; k++) {
        double m = 0, m2 = 0, prev = 0;
        for (size_t i = 1; i <= n; i++) {
            double cdf = pow((double)i / (double)n, (double)k);
            double w = cdf - prev; /* P(the best of k draws is v_(i)) */
            prev = cdf;
            m += w * v[i - 1];
            m2 += w * v[i - 1] * v[i - 1];
        }
        mean[k - 1] = m;
        if (sd != NULL)
            sd[k - 1] = sqrt(fmax(0.0, m2 - m * m));
    }
    free(v);
    return 0;
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

/* Average ranks (1-based, ties averaged) of x into r. */
static void ranks(const double *x, size_t n, double *r, size_t *idx)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    /* Insertion sort of indices: sweeps hold hundreds of trials, not millions. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && x[idx[j - 1]] > x[idx[j]]; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]])
            j++;
        for (size_t k = i; k <= j; k++)
            r[idx[k]] = (double)(i + j) / 2.0 + 1.0;
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

/* Eta squared of y grouped by label[i] (labels compared as strings). */
static double eta2(char *const *label, const double *y, size_t n)
{
    double mean = 0, total = 0, between = 0;
    for (size_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        size_t cnt = 0, first = i;
        for (size_t j = 0; j < n; j++)
            if (strcmp(label[j], label[i]) == 0) {
                if (j < i)
                    first = j;
                sum += y[j];
                cnt++;
            }
        if (first != i) /* each level once */
            continue;
        between += (double)cnt * (sum / (double)cnt - mean) * (sum / (double)cnt - mean);
    }
    return total > 0 ? fmin(1.0, between / total) : NAN;
}

static int by_share(const void *a, const void *b)
{
    double x = ((const es_sensitivity *)a)->share, y = ((const es_sensitivity *)b)->share;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x > y ? -1 : x < y;
}

/* The sensitivity of y (n trials, their params p[i]) to every parameter. */
static int sensitivity(member **p, const long *np, const double *y, size_t n, es_sensitivity **out,
                       size_t *n_out)
{
    double *x = malloc(n * sizeof *x), *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    char **label = malloc(n * sizeof *label);
    size_t *idx = malloc(n * sizeof *idx), cnt = 0;
    es_sensitivity *s = NULL;
    int rc = 0;

    if (x == NULL || rx == NULL || ry == NULL || label == NULL || idx == NULL)
        rc = -ENOMEM;
    /* Parameters in the order of the first trial that has them. */
    for (size_t t = 0; rc == 0 && t < n; t++)
        for (long k = 0; rc == 0 && k < np[t]; k++) {
            const char *name = p[t][k].key;
            int seen = 0, numeric = 1;
            size_t levels = 0;
            for (size_t i = 0; i < cnt && !seen; i++)
                seen = strcmp(s[i].param, name) == 0;
            if (seen)
                continue;
            /* Numeric only when every trial had a number for it. */
            for (size_t i = 0; i < n; i++) {
                label[i] = "(absent)";
                x[i] = NAN;
                int found = 0;
                for (long m = 0; m < np[i] && !found; m++)
                    if (strcmp(p[i][m].key, name) == 0) {
                        label[i] = p[i][m].text;
                        x[i] = p[i][m].x;
                        found = 1 + p[i][m].numeric;
                    }
                numeric = numeric && found == 2;
            }
            for (size_t i = 0; i < n; i++) {
                int first = 1;
                for (size_t j = 0; j < i && first; j++)
                    first = strcmp(label[j], label[i]) != 0;
                levels += first;
            }
            if (levels < 2)
                continue;
            es_sensitivity *g = realloc(s, (cnt + 1) * sizeof *s);
            if (g == NULL || (g[cnt].param = strdup(name)) == NULL) {
                s = g != NULL ? g : s;
                rc = -ENOMEM;
                break;
            }
            s = g;
            s[cnt].levels = levels;
            if (numeric && levels > 6) {
                ranks(x, n, rx, idx);
                ranks(y, n, ry, idx);
                s[cnt].method = "spearman";
                s[cnt].rho = pearson(rx, ry, n);
                s[cnt].share = s[cnt].rho * s[cnt].rho;
            } else {
                s[cnt].method = "eta2";
                s[cnt].rho = NAN;
                s[cnt].share = eta2(label, y, n);
            }
            cnt++;
        }
    free(x);
    free(rx);
    free(ry);
    free(label);
    free(idx);
    if (rc != 0) {
        es_report_sensitivity_free(s, cnt);
        return rc;
    }
    if (cnt > 1)
        qsort(s, cnt, sizeof *s, by_share);
    *out = s;
    *n_out = cnt;
    return 0;
}

int es_report_sensitivity(const es_store_sweep *sw, int energy, es_sensitivity **out, size_t *n,
                          size_t *used)
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
        if (strcmp(t->status, "completed") != 0 || !isfinite(t->objective))
            continue;
        if (energy && t->cpu.method == ES_EM_NONE && t->dram.method == ES_EM_NONE &&
            t->gpu.method == ES_EM_NONE)
            continue;
        es_rep_trial_cost(sw, t, &c);
        if ((got = parse_params(t->params_json, &p[m])) < 0) {
            rc = -ENOMEM;
            break;
        }
        np[m] = got;
        y[m++] = energy ? c.kwh : t->objective;
    }
    if (rc == 0 && m >= 3) {
        *used = m;
        rc = sensitivity(p, np, y, m, out, n);
    }
    for (size_t i = 0; p != NULL && i < m; i++)
        members_free(p[i], np[i]);
    free(p);
    free(np);
    free(y);
    return rc;
}

void es_report_sensitivity_free(es_sensitivity *s, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        free(s[i].param);
    free(s);
}

/* ---- One sweep's analysis ------------------------------------------------------------ */

int es_rep_sweep_analyze(const es_store_sweep *sw, es_rep_sweep_stats *out)
{
    double *v = malloc((sw->n_trials + 1) * sizeof *v);
    es_rep_tally ty;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (v == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < sw->n_trials; i++)
        if (strcmp(sw->trials[i].status, "completed") == 0 && isfinite(sw->trials[i].objective))
            v[out->n++] = sw->trials[i].objective;
    if (out->n > 0) {
        out->emax = malloc(out->n * sizeof *out->emax);
        out->emax_sd = malloc(out->n * sizeof *out->emax_sd);
        if (out->emax == NULL || out->emax_sd == NULL)
            rc = -ENOMEM;
        else
            rc = es_report_expected_max(v, out->n, es_rep_maximize(sw), out->emax, out->emax_sd);
        /* The energy of all trials, failures included, over the completed
         * ones: what each usable draw really cost. */
        es_rep_tally_sweep(&ty, sw);
        out->kwh_per_trial = ty.cost.kwh / (double)out->n;
    }
    free(v);
    if (rc == 0)
        rc = es_report_sensitivity(sw, 0, &out->obj, &out->n_obj, &out->obj_trials);
    if (rc == 0)
        rc = es_report_sensitivity(sw, 1, &out->kwh, &out->n_kwh, &out->kwh_trials);
    if (rc != 0) {
        es_rep_sweep_stats_free(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void es_rep_sweep_stats_free(es_rep_sweep_stats *s)
{
    free(s->emax);
    free(s->emax_sd);
    es_report_sensitivity_free(s->obj, s->n_obj);
    es_report_sensitivity_free(s->kwh, s->n_kwh);
    s->emax = s->emax_sd = NULL;
    s->obj = s->kwh = NULL;
    s->n_obj = s->n_kwh = 0;
}
