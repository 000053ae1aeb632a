/*
 * report_view.c -- the one view of a report that every format prints
 * (es_rep_view, report_int.h).
 *
 * Building it is the only place where the report computes: factor
 * overrides are applied first, to a shallow copy of the loaded tree whose
 * sweeps and imports carry the replaced factors, so the rest reads "the
 * sweep's factors" without knowing whether they were overridden; each
 * trial and imported job is then priced once (es_rep_trial_cost,
 * es_rep_job_cost, through account.c), and every sum, tier, budget and
 * pruning figure, Slurm count and analysis is made from those costs, so a
 * total always equals the sum of its rows and all formats state the same
 * facts.  The sentences that text, Markdown and HTML print about a sweep
 * (its factors, budget overshoot, forecasts, reuse, early termination,
 * Slurm) are written here once, as notes, and each of those formats only
 * frames and escapes them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_int.h"

/* ---- The copy with overridden factors ---------------------------------------- */

static void copy_free(es_store_data *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_projects; i++) {
        free(v->projects[i].sweeps);
        free(v->projects[i].imports);
    }
    free(v->projects);
    free(v);
}

/* A copy of d that shares every trial, job and string with it but whose
 * sweeps and imports carry the overridden factors.  Free with copy_free(). */
static es_store_data *override_copy(const es_store_data *d, const es_factor_override *o)
{
    es_store_data *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->projects = calloc(d->n_projects ? d->n_projects : 1, sizeof *v->projects);
    if (v->projects == NULL) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < d->n_projects; i++) {
        es_store_project *p = &v->projects[i];
        *p = d->projects[i];
        v->n_projects = i + 1;
        p->sweeps = calloc(p->n_sweeps ? p->n_sweeps : 1, sizeof *p->sweeps);
        p->imports = calloc(p->n_imports ? p->n_imports : 1, sizeof *p->imports);
        if (p->sweeps == NULL || p->imports == NULL) {
            copy_free(v);
            return NULL;
        }
        for (size_t j = 0; j < p->n_sweeps; j++) {
            p->sweeps[j] = d->projects[i].sweeps[j];
            es_factor_override_apply(o, &p->sweeps[j].factors);
        }
        for (size_t j = 0; j < p->n_imports; j++) {
            p->imports[j] = d->projects[i].imports[j];
            es_factor_override_apply(o, &p->imports[j].factors);
        }
    }
    return v;
}

/* ---- Notes: the sentences about a sweep -------------------------------------- */

/* Where a sweep's carbon intensity comes from, for the factors line:
 * "region FRA, France, Ember 2024", "given; region FRA", "world average". */
static const char *carbon_text(const es_energy_factors *fa, char *buf, size_t cap)
{
    es_region r;
    int known = fa->region[0] != '\0' && es_region_lookup(fa->region, &r) == 0;
    if (fa->carbon_source == ES_CARBON_REGION && known)
        snprintf(buf, cap, "region %s, %s, %s %d", r.iso3, r.country, r.source, r.year);
    else if (fa->carbon_source == ES_CARBON_EXPLICIT && known)
        snprintf(buf, cap, "given; region %s", r.iso3);
    else if (fa->carbon_source == ES_CARBON_EXPLICIT)
        snprintf(buf, cap, "given, no region");
    else
        snprintf(buf, cap, "world average, no region");
    return buf;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Why the trials that did not complete stopped, the commonest reasons
 * first (at most 3, each cut to 160 characters), so that every format
 * says what failed and not only how many: "why trials did not complete:
 * 5 x exited with code 1; 1 x exceeded trial_timeout (90 s)". */
static void write_reasons(FILE *f, const es_store_sweep *sw)
{
    const char **r = malloc((sw->n_trials ? sw->n_trials : 1) * sizeof *r);
    size_t n = 0, shown = 0, other = 0;
    if (r == NULL)
        return;
    for (size_t i = 0; i < sw->n_trials; i++)
        if (sw->trials[i].reason != NULL && !es_rep_trial_is(&sw->trials[i], ES_TRIAL_COMPLETED))
            r[n++] = sw->trials[i].reason;
    qsort(r, n, sizeof *r, by_text);
    /* Runs of equal reasons, then the three longest runs. */
    for (int pick = 0; pick < 3; pick++) {
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && r[j] != NULL && r[i] != NULL && strcmp(r[j], r[i]) == 0)
                j++;
            if (r[i] != NULL && j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        if (best_len == 0)
            break;
        fprintf(f, "%s%zu x ", shown ? "; " : "why trials did not complete: ", best_len);
        for (size_t k = 0; r[best][k] != '\0' && k < 160; k++) /* one line: a note is one */
            fputc((unsigned char)r[best][k] < 0x20 ? ' ' : r[best][k], f);
        if (strlen(r[best]) > 160)
            fputs("...", f);
        for (size_t k = best; k < best + best_len; k++)
            r[k] = NULL; /* taken */
        shown += best_len;
    }
    for (size_t i = 0; i < n; i++)
        other += r[i] != NULL;
    if (shown > 0)
        fprintf(f, "%s\n", other > 0 ? "; and others" : "");
    free(r);
}

/* Which containment held the trials that ran: "containment: 4 trials in
 * their own cgroup v2 (...), 1 by its process group (...)"; nothing when
 * no trial recorded one (a sweep from before it was recorded). */
static void write_containment(FILE *f, const es_rep_sweep_view *sv)
{
    int cg = sv->in_cgroup, pg = sv->in_pgroup;
    if (cg + pg == 0)
        return;
    fputs("containment: ", f);
    if (cg > 0)
        fprintf(f,
                "%d trial%s in %s own cgroup v2 (everything started killed through "
                "cgroup.kill; CPU time from cpu.stat)",
                cg, cg == 1 ? "" : "s", cg == 1 ? "its" : "their");
    if (pg > 0)
        fprintf(f, "%s%d by %s process group and the worker as subreaper (CPU time from /proc)",
                cg > 0 ? ", " : "", pg, pg == 1 ? "its" : "their");
    fputc('\n', f);
}

static void write_notes(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_sweep_budget *b = &sv->budget;
    char why[96];

    fprintf(f, "factors: PUE %.3g, %.4g gCO2e/kWh (%s), $%.4g/kWh, cloud $%.4g/h, attribution %s\n",
            sw->factors.pue, sw->factors.carbon_g_per_kwh,
            carbon_text(&sw->factors, why, sizeof why), sw->factors.electricity_usd_per_kwh,
            sw->factors.cloud_usd_per_hour, es_energy_attribution_name(sw->factors.attribution));
    if (isfinite(sw->overshoot_j) && sw->overshoot_j > 0) /* 0: it stayed within */
        fprintf(f, "budget overshoot: %.4g J (%.4g kWh) beyond the budget\n", sw->overshoot_j,
                sv->overshoot.kwh);
    if (b->forecasts > 0)
        fprintf(f, "forecast error: median %+.1f%% (%d completed trials with a forecast)\n",
                b->median_error * 100, b->forecasts);
    if (b->reused > b->reused_unmetered)
        fprintf(f, "energy saved by reuse: %.4g J (%d trial%s", b->saved_j,
                b->reused - b->reused_unmetered, b->reused - b->reused_unmetered == 1 ? "" : "s");
    if (b->reused > b->reused_unmetered && b->reused_unmetered > 0)
        fprintf(f, "; %d more reused an original whose energy was not measured)\n",
                b->reused_unmetered);
    else if (b->reused > b->reused_unmetered)
        fputs(")\n", f);
    else if (b->reused > 0)
        fprintf(f,
                "energy saved by reuse: not known (%d trial%s reused originals whose energy "
                "was not measured)\n",
                b->reused, b->reused == 1 ? "" : "s");
    es_rep_write_prune_lines(f, "", &sv->prune, &sw->factors);
    es_rep_write_rung_lines(f, "", &sv->rungs);
    es_rep_write_slurm_lines(f, "", &sv->slurm);
    write_containment(f, sv);
    write_reasons(f, sw);
}

/* Split the notes' text into one string per line. */
static int notes_split(es_rep_sweep_view *sv, char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    if ((sv->notes = calloc(n ? n : 1, sizeof *sv->notes)) == NULL)
        return -ENOMEM;
    for (char *line = text, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        if ((sv->notes[sv->n_notes] = strndup(line, (size_t)(nl - line))) == NULL)
            return -ENOMEM;
        sv->n_notes++;
    }
    return 0;
}

static int build_notes(es_rep_sweep_view *sv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int rc;
    if (f == NULL)
        return -ENOMEM;
    write_notes(f, sv);
    rc = fclose(f) == 0 && text != NULL ? notes_split(sv, text) : -ENOMEM;
    free(text);
    return rc;
}

/* ---- Sweeps, imports, projects --------------------------------------------------- */

static int sweep_build(es_rep_sweep_view *sv, const es_store_sweep *sw)
{
    const es_store_trial *best = es_rep_best_trial(sw, NULL);
    sv->sw = sw;
    sv->metric = sw->metric != NULL ? sw->metric : "objective";
    if ((sv->trials = calloc(sw->n_trials ? sw->n_trials : 1, sizeof *sv->trials)) == NULL)
        return -ENOMEM;
    es_rep_prune_of(sw, &sv->prune);
    es_rep_rungs_of(sw, &sv->rungs);
    for (size_t i = 0; i < sw->n_trials; i++) {
        es_rep_trial_view *tv = &sv->trials[i];
        const es_store_trial *t = &sw->trials[i];
        tv->t = t;
        es_rep_trial_cost(sw, t, &tv->cost);
        es_rep_tally_trial(&sv->tally, t, &tv->cost);
        tv->forecast_error = es_rep_forecast_error(t);
        tv->pruned = es_rep_is_pruned(t);
        tv->reached = es_rep_trial_reached(t);
        es_rep_prune_est pe;
        es_rep_prune_trial(&sv->prune, t, &pe);
        tv->full_j = pe.full_j;
        tv->saved_j = pe.saved_j;
        sv->in_cgroup += t->containment != NULL && strcmp(t->containment, "cgroup") == 0;
        sv->in_pgroup += t->containment != NULL && strcmp(t->containment, "pgroup") == 0;
        if (t == best)
            sv->best = tv;
    }
    es_rep_sweep_budget_of(sw, &sv->budget);
    es_account(&sw->factors, isfinite(sw->overshoot_j) ? sw->overshoot_j : 0, 0, &sv->overshoot);
    es_account(&sw->factors, sv->prune.used_j, 0, &sv->prune_used);
    es_account(&sw->factors, isfinite(sv->prune.saved_j) ? sv->prune.saved_j : 0, 0,
               &sv->prune_saved);
    es_rep_slurm_of(sw, &sv->slurm);
    /* The front first: the analysis counts the feasible trials only. */
    if (es_rep_front_of(sv, &sv->front) != 0 || es_rep_sweep_analyze(sv, &sv->stats) != 0)
        return -ENOMEM;
    if (es_rep_candidates(&sv->front) != NULL) {
        /* With several objectives or constraints, the best trial is the
         * best of those with every objective known that keep every
         * constraint: the one to recommend. */
        const es_store_trial *kept = es_rep_best_trial(sw, es_rep_candidates(&sv->front));
        sv->best = kept != NULL ? &sv->trials[kept - sw->trials] : NULL;
    }
    es_rep_near_best_of(sv, 0.01, &sv->near[0]);
    es_rep_near_best_of(sv, 0.005, &sv->near[1]);
    return build_notes(sv);
}

static int import_build(es_rep_import_view *iv, const es_store_import *im)
{
    iv->im = im;
    if ((iv->jobs = calloc(im->n_jobs ? im->n_jobs : 1, sizeof *iv->jobs)) == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < im->n_jobs; i++) {
        es_rep_job_cost(im, &im->jobs[i], &iv->jobs[i]);
        es_rep_tally_job(&iv->tally, &im->jobs[i], &iv->jobs[i]);
    }
    return 0;
}

static int project_build(es_rep_project_view *pv, const es_store_project *p, int partial)
{
    pv->p = p;
    pv->sweeps = calloc(p->n_sweeps ? p->n_sweeps : 1, sizeof *pv->sweeps);
    pv->imports = calloc(p->n_imports ? p->n_imports : 1, sizeof *pv->imports);
    if (pv->sweeps == NULL || pv->imports == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < p->n_sweeps; i++) {
        if (sweep_build(&pv->sweeps[i], &p->sweeps[i]) != 0)
            return -ENOMEM;
        es_rep_tally_add(&pv->tally, &pv->sweeps[i].tally);
    }
    for (size_t i = 0; i < p->n_imports; i++) {
        if (import_build(&pv->imports[i], &p->imports[i]) != 0)
            return -ENOMEM;
        es_rep_tally_add(&pv->tally, &pv->imports[i].tally);
    }
    if (!partial) {
        if (es_rep_footprint_of(pv, &pv->footprint) != 0)
            return -ENOMEM;
        pv->has_footprint = 1;
    }
    return 0;
}

static void project_free(es_rep_project_view *pv)
{
    for (size_t i = 0; pv->sweeps != NULL && i < pv->p->n_sweeps; i++) {
        es_rep_sweep_view *sv = &pv->sweeps[i];
        free(sv->trials);
        es_rep_sweep_stats_free(&sv->stats);
        es_rep_front_free(&sv->front);
        for (size_t k = 0; k < sv->n_notes; k++)
            free(sv->notes[k]);
        free(sv->notes);
    }
    for (size_t i = 0; pv->imports != NULL && i < pv->p->n_imports; i++)
        free(pv->imports[i].jobs);
    free(pv->sweeps);
    free(pv->imports);
}

int es_rep_view_build(const es_store_data *d, const es_report_opts *o, es_rep_view **out)
{
    es_rep_view *v = calloc(1, sizeof *v);
    *out = NULL;
    if (v == NULL)
        return -ENOMEM;
    v->partial = o->partial;
    if (o->override != NULL && o->override->set != 0) {
        v->override = o->override;
        if ((v->copy = override_copy(d, o->override)) == NULL) {
            free(v);
            return -ENOMEM;
        }
        d = v->copy;
    }
    es_rep_iso_time((double)time(NULL), v->generated, sizeof v->generated);
    if ((v->projects = calloc(d->n_projects ? d->n_projects : 1, sizeof *v->projects)) == NULL) {
        es_rep_view_free(v);
        return -ENOMEM;
    }
    for (size_t i = 0; i < d->n_projects; i++) {
        v->n_projects = i + 1;
        if (project_build(&v->projects[i], &d->projects[i], o->partial) != 0) {
            es_rep_view_free(v);
            return -ENOMEM;
        }
        es_rep_tally_add(&v->totals, &v->projects[i].tally);
    }
    *out = v;
    return 0;
}

void es_rep_view_free(es_rep_view *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n_projects; i++)
        project_free(&v->projects[i]);
    free(v->projects);
    copy_free(v->copy);
    free(v);
}
