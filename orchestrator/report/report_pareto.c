/*
 * report_pareto.c -- what a report says about several objectives: each
 * completed trial's objective values (a metric's last report, or the
 * energy, carbon, cost and wall time ecosweep priced it at), whether it
 * keeps the sweep's constraints, its Pareto rank, the front, its
 * hypervolume against a stated reference point and how that grew by trial
 * and by kWh spent; and, for any sweep with a metric, the cheapest trial
 * within 1% and 0.5% of the best one (the number a paper should print).
 *
 * The arithmetic is search/pareto.h's; this file reads the sweep's view.
 * A trial's energy is unknown (not zero) when no component was metered or
 * estimated, and a trial that lacks an objective's or a constraint's value
 * is not feasible: the front holds only what is known.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pareto.h"
#include "report_int.h"

/* History points at most: every trial up to this many, else about evenly
 * spaced ones and the last. */
#define FRONT_HIST_MAX 200
/* The reference point taken from the data: the worst feasible value of
 * each objective, and this share of its range beyond it. */
#define FRONT_REF_MARGIN 0.1

/* The energy a trial's configuration costs: its own, or for a reuse the
 * original's (reused_j over reused_wall_s, priced with this sweep's
 * factors).  0 when unknown. */
static int config_cost(const es_rep_sweep_view *sv, const es_rep_trial_view *tv, es_cost *c)
{
    const es_store_trial *t = tv->t;
    if (t->reused_from > 0) {
        if (!isfinite(t->reused_j))
            return 0;
        es_account(&sv->sw->factors, t->reused_j, isfinite(t->reused_wall_s) ? t->reused_wall_s : 0,
                   c);
        return 1;
    }
    *c = tv->cost;
    return es_rep_energy_known(t);
}

double es_rep_objective_value(const es_rep_sweep_view *sv, const es_rep_trial_view *tv,
                              es_objective_kind kind, const char *name)
{
    const es_store_trial *t = tv->t;
    es_cost c;
    switch (kind) {
    case ES_OBJ_KWH:
        return config_cost(sv, tv, &c) ? c.kwh : NAN;
    case ES_OBJ_CO2E_KG:
        return config_cost(sv, tv, &c) ? c.co2e_kg : NAN;
    case ES_OBJ_USD:
        if (t->reused_from > 0 && sv->sw->factors.cloud_usd_per_hour > 0 &&
            !isfinite(t->reused_wall_s))
            return NAN; /* the original's hours are not known */
        return config_cost(sv, tv, &c) || c.usd_cloud > 0 ? c.usd : NAN;
    case ES_OBJ_WALL_S: {
        double w = t->reused_from > 0 ? t->reused_wall_s : es_rep_trial_wall(t);
        return w > 0 ? w : NAN;
    }
    case ES_OBJ_PHASE: /* a reuse holds the original's phases */
        return es_store_phase_value(&sv->sw->factors, t->phases, t->n_phases, name);
    case ES_OBJ_METRIC:
        break;
    }
    /* The metric's last value is tracked whatever the trial printed. */
    if (sv->sw->metric != NULL && strcmp(sv->sw->metric, name) == 0)
        return t->objective;
    for (size_t i = 0; i < t->n_metrics; i++)
        if (strcmp(t->metrics[i].name, name) == 0)
            return t->metrics[i].value;
    return NAN;
}

const unsigned char *es_rep_candidates(const es_rep_front *fr)
{
    return fr->feasible != NULL ? fr->feasible : fr->keeps;
}

int es_rep_is_candidate(const es_rep_sweep_view *sv, size_t i)
{
    const unsigned char *among = es_rep_candidates(&sv->front);
    const es_store_trial *t = &sv->sw->trials[i];
    return es_rep_trial_is(t, ES_TRIAL_COMPLETED) && isfinite(t->objective) &&
           (among == NULL || among[i]);
}

const char *es_rep_config_method(const es_store_trial *t)
{
    return t->reused_from > 0 ? "reuse of an earlier trial" : es_rep_trial_method(t);
}

void es_rep_front_free(es_rep_front *fr)
{
    free(fr->y);
    free(fr->feasible);
    free(fr->keeps);
    free(fr->unreported);
    free(fr->rank);
    free(fr->front);
    free(fr->hist);
    memset(fr, 0, sizeof *fr);
}

static int front_compare_rows(const es_rep_front *fr, const double *ymin, size_t a, size_t b)
{
    for (size_t j = 0; j < fr->m; j++) {
        double x = ymin[a * fr->m + j], y = ymin[b * fr->m + j];
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

/* History points: every trial up to FRONT_HIST_MAX, fewer for a long
 * sweep (each costs a hypervolume over the trials so far, O(n^2) in 3-D),
 * at least FRONT_HIST_MIN. */
#define FRONT_HIST_MIN 20

/* Whether trial tv keeps every constraint (each value known and within);
 * reported[k] is set for each constraint it reports a value for. */
static int keeps_constraints(const es_rep_sweep_view *sv, const es_rep_trial_view *tv,
                             unsigned char *reported)
{
    const es_store_sweep *sw = sv->sw;
    int kept = 1;
    for (size_t k = 0; k < sw->n_constraints; k++) {
        const es_constraint *c = &sw->constraints[k];
        double v = es_rep_objective_value(sv, tv, c->kind, c->name);
        reported[k] |= (unsigned char)isfinite(v);
        kept = kept && isfinite(v) && (!c->has_min || v >= c->min) && (!c->has_max || v <= c->max);
    }
    return kept;
}

int es_rep_front_of(const es_rep_sweep_view *sv, es_rep_front *fr)
{
    const es_store_sweep *sw = sv->sw;
    size_t n = sw->n_trials, m = sw->n_objectives;
    memset(fr, 0, sizeof *fr);
    fr->hypervolume = NAN;
    if ((m < 2 || m > ES_PARETO_MAX_M) && sw->n_constraints == 0)
        return 0;
    fr->keeps = calloc(n + 1, 1);
    unsigned char *reported = calloc(sw->n_constraints + 1, 1);
    fr->unreported = calloc(sw->n_constraints + 1, sizeof *fr->unreported);
    if (fr->keeps == NULL || reported == NULL || fr->unreported == NULL) {
        free(reported);
        es_rep_front_free(fr);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const es_rep_trial_view *tv = &sv->trials[i];
        if (!es_rep_trial_is(tv->t, ES_TRIAL_COMPLETED))
            continue;
        fr->keeps[i] = (unsigned char)keeps_constraints(sv, tv, reported);
        fr->n_breaking += !fr->keeps[i];
        fr->n_checked++;
    }
    /* A metric no completed trial reported (a built-in is always known
     * where the trial ran: one it lacks says nothing about the name). */
    for (size_t k = 0; k < sw->n_constraints && fr->n_checked > 0; k++)
        if (!reported[k] &&
            (sw->constraints[k].kind == ES_OBJ_METRIC || sw->constraints[k].kind == ES_OBJ_PHASE))
            fr->unreported[fr->n_unreported++] = sw->constraints[k].name;
    free(reported);
    if (m < 2 || m > ES_PARETO_MAX_M)
        return 0;
    fr->m = m;
    size_t hist_max = n <= FRONT_HIST_MAX ? n : FRONT_HIST_MAX * 1000 / n;
    hist_max = hist_max < FRONT_HIST_MIN ? FRONT_HIST_MIN : hist_max;
    fr->y = malloc((n * m + 1) * sizeof *fr->y);
    double *ymin = calloc(n * m + 1, sizeof *ymin);
    fr->feasible = calloc(n + 1, 1);
    fr->rank = calloc(n + 1, sizeof *fr->rank);
    fr->front = malloc((n + 1) * sizeof *fr->front);
    fr->hist = malloc((hist_max + 2) * sizeof *fr->hist);
    if (fr->y == NULL || ymin == NULL || fr->feasible == NULL || fr->rank == NULL ||
        fr->front == NULL || fr->hist == NULL) {
        free(ymin);
        es_rep_front_free(fr);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const es_rep_trial_view *tv = &sv->trials[i];
        int completed = es_rep_trial_is(tv->t, ES_TRIAL_COMPLETED), known = 1;
        for (size_t j = 0; j < m; j++) {
            const es_objective *o = &sw->objectives[j];
            double v = es_rep_objective_value(sv, tv, o->kind, o->name);
            fr->y[i * m + j] = v;
            ymin[i * m + j] = o->goal == ES_GOAL_MAXIMIZE ? -v : v;
            known = known && isfinite(v);
        }
        fr->feasible[i] = (unsigned char)(completed && known && fr->keeps[i]);
        fr->n_done += completed;
        fr->n_completed += completed && known;
        fr->n_infeasible += completed && !fr->feasible[i];
        fr->n_missing += completed && !known;
    }
    /* A metric objective no completed trial reported: the front is empty
     * for that reason, which the report names. */
    for (size_t j = 0; j < m; j++) {
        size_t i = 0;
        while (i < n && !(es_rep_trial_is(sv->trials[i].t, ES_TRIAL_COMPLETED) &&
                          isfinite(fr->y[i * m + j])))
            i++;
        /* (a phase no trial marked, too, and energy nothing measured) */
        if (i == n && fr->n_done > 0)
            fr->unreported_objectives[fr->n_unreported_objectives++] = sw->objectives[j].name;
    }
    if (es_pareto_ranks(ymin, n, m, fr->feasible, fr->rank) != 0) {
        free(ymin);
        es_rep_front_free(fr);
        return -ENOMEM;
    }
    /* The front, best first by the first objective (then the others). */
    for (size_t i = 0; i < n; i++)
        if (fr->rank[i] == 1) {
            size_t j = fr->n_front++;
            while (j > 0 && front_compare_rows(fr, ymin, fr->front[j - 1], i) > 0) {
                fr->front[j] = fr->front[j - 1];
                j--;
            }
            fr->front[j] = i;
        }
    /* The reference point: the spec's, or from the feasible trials. */
    double rmin[ES_PARETO_MAX_M];
    for (size_t j = 0; j < m; j++) {
        const es_objective *o = &sw->objectives[j];
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (fr->feasible[i]) {
                lo = fmin(lo, ymin[i * m + j]);
                hi = fmax(hi, ymin[i * m + j]);
            }
        fr->ref_given[j] = o->has_ref;
        if (o->has_ref) {
            rmin[j] = o->goal == ES_GOAL_MAXIMIZE ? -o->ref : o->ref;
        } else if (isfinite(hi)) {
            fr->ref_flat |= !(hi - lo > 0);
            double span = hi - lo > 0 ? hi - lo : fabs(hi) > 0 ? fabs(hi) : 1.0;
            rmin[j] = hi + FRONT_REF_MARGIN * span;
        } else {
            rmin[j] = NAN;
        }
        fr->ref[j] = o->goal == ES_GOAL_MAXIMIZE ? -rmin[j] : rmin[j];
    }
    int have_ref = 1;
    for (size_t j = 0; j < m; j++)
        have_ref = have_ref && isfinite(rmin[j]);
    if (fr->n_front > 0) {
        /* A reference or a product past the largest double: no number. */
        fr->hypervolume = have_ref ? es_hypervolume(ymin, n, m, fr->feasible, rmin) : NAN;
        fr->hv_overflow = !isfinite(fr->hypervolume);
        if (fr->hv_overflow)
            fr->hypervolume = NAN;
        /* 0 although a front trial beats the reference on every objective:
         * the product is below the smallest double. */
        for (size_t k = 0; k < fr->n_front && fr->hypervolume == 0; k++) {
            size_t j = 0, i = fr->front[k];
            while (j < m && ymin[i * m + j] < rmin[j])
                j++;
            fr->hv_underflow |= j == m;
        }
        /* The history, by trial (the sweep's order) and by kWh spent on
         * every trial so far, whatever became of it. */
        double kwh = 0.0;
        size_t step = n <= hist_max ? 1 : (n + hist_max - 1) / hist_max;
        for (size_t i = 0; i < n && !fr->hv_overflow; i++) {
            if (es_rep_energy_known(sv->trials[i].t))
                kwh += sv->trials[i].cost.kwh;
            if ((i + 1) % step != 0 && i + 1 != n)
                continue;
            es_rep_front_point *p = &fr->hist[fr->n_hist++];
            p->trial = i;
            p->kwh = kwh;
            p->hypervolume = es_hypervolume(ymin, i + 1, m, fr->feasible, rmin);
        }
    }
    free(ymin);
    return 0;
}

void es_rep_near_best_of(const es_rep_sweep_view *sv, double tol, es_rep_near_best *out)
{
    const es_store_sweep *sw = sv->sw;
    memset(out, 0, sizeof *out);
    out->tol = tol;
    out->ratio = NAN;
    if (sv->best == NULL || !isfinite(sv->best->t->objective))
        return;
    const unsigned char *among = es_rep_candidates(&sv->front);
    int max = es_rep_maximize(sw);
    double best = sv->best->t->objective, slack = tol * fabs(best);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_rep_trial_view *tv = &sv->trials[i];
        const es_store_trial *t = tv->t;
        if (!es_rep_trial_is(t, ES_TRIAL_COMPLETED) || !isfinite(t->objective) ||
            !es_rep_energy_known(t) || (among != NULL && !among[i]))
            continue;
        if (max ? t->objective < best - slack : t->objective > best + slack)
            continue;
        if (out->trial == NULL || tv->cost.kwh < out->trial->cost.kwh)
            out->trial = tv;
    }
    if (out->trial != NULL && es_rep_energy_known(sv->best->t) && sv->best->cost.kwh > 0)
        out->ratio = out->trial->cost.kwh / sv->best->cost.kwh;
}

const char *es_rep_trial_method(const es_store_trial *t)
{
    return es_account_method_label(1u << t->cpu.method | 1u << t->dram.method |
                                   1u << t->gpu.method);
}

/* "; no completed trial reports a number for ghost, mem" when some objective or
 * constraint is on a name nobody reported (each name once). */
static void write_unreported(FILE *f, const es_rep_front *fr)
{
    size_t said = 0;
    for (size_t j = 0; j < fr->n_unreported_objectives; j++) {
        const char *name = fr->unreported_objectives[j];
        int kind = es_objective_kind_of(name);
        fprintf(f, "%s%s%s", said++ == 0 ? "; no completed trial reports a number for " : ", ",
                name,
                kind == ES_OBJ_KWH || kind == ES_OBJ_CO2E_KG || kind == ES_OBJ_USD
                    ? " (energy not measured)"
                    : "");
    }
    for (size_t k = 0; k < fr->n_unreported; k++) {
        size_t j = 0;
        while (j < fr->n_unreported_objectives &&
               strcmp(fr->unreported_objectives[j], fr->unreported[k]) != 0)
            j++;
        if (j == fr->n_unreported_objectives)
            fprintf(f, "%s%s", said++ == 0 ? "; no completed trial reports a number for " : ", ",
                    fr->unreported[k]);
    }
}

void es_rep_write_constraints(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_front *fr = &sv->front;
    fputs("constraints ", f);
    for (size_t k = 0; k < sw->n_constraints; k++) {
        const es_constraint *c = &sw->constraints[k];
        fputs(k ? ", " : "", f);
        if (c->has_min)
            fprintf(f, "%g <= ", c->min);
        fputs(c->name, f);
        if (c->has_max)
            fprintf(f, " <= %g", c->max);
    }
    fprintf(f, ": %zu completed trial%s break%s them (a missing value breaks one); ",
            fr->n_breaking, fr->n_breaking == 1 ? "" : "s", fr->n_breaking == 1 ? "s" : "");
    if (fr->n_checked > 0 && fr->n_breaking == fr->n_checked)
        fputs("no trial keeps them, so none is named the best", f);
    else
        fputs("the best and the cheapest near it are taken among those that keep them", f);
    write_unreported(f, fr);
}

void es_rep_write_front_summary(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_front *fr = &sv->front;
    fputs("Pareto front of ", f);
    for (size_t j = 0; j < fr->m; j++)
        fprintf(f, "%s%s (%s)",
                j == 0           ? ""
                : j + 1 == fr->m ? " and "
                                 : ", ",
                sw->objectives[j].name, es_goal_name(sw->objectives[j].goal));
    fprintf(f, ": %zu trial%s of %zu completed", fr->n_front, fr->n_front == 1 ? "" : "s",
            fr->n_done);
    if (fr->n_infeasible > 0) {
        /* The same counts as the constraints' sentence and JSON: a trial
         * may both break a constraint and lack a number. */
        fprintf(f, "; %zu not feasible (", fr->n_infeasible);
        if (sw->n_constraints > 0)
            fprintf(f, "%zu break%s a constraint%s", fr->n_breaking, fr->n_breaking == 1 ? "s" : "",
                    fr->n_missing > 0 ? ", " : "");
        if (fr->n_missing > 0)
            fprintf(f, "%zu without a number for every objective", fr->n_missing);
        fputs("; not ranked)", f);
    }
    write_unreported(f, fr);
    if (fr->hv_overflow) {
        fputs("; no hypervolume: the objectives' values are too large for its product (or the "
              "reference point) to be a finite number",
              f);
        return;
    }
    if (fr->hv_underflow) {
        fputs("; no hypervolume: the objectives' ranges are too small for its product to be "
              "told from 0 in double precision",
              f);
        return;
    }
    if (!isfinite(fr->hypervolume)) {
        fputs("; no hypervolume: no feasible trial", f);
        return;
    }
    fprintf(f, "; hypervolume %.6g against (", fr->hypervolume);
    int given = 0, data = 0;
    for (size_t j = 0; j < fr->m; j++) {
        fprintf(f, "%s%.6g", j ? ", " : "", fr->ref[j]);
        given |= fr->ref_given[j];
        data |= !fr->ref_given[j];
    }
    fputs(")", f);
    if (data)
        fprintf(f,
                ", reference %sfrom the data: the worst feasible value and 10%% of the range "
                "beyond it%s",
                given ? "partly " : "",
                fr->ref_flat ? " (of the value itself where every trial has the same one)" : "");
    else
        fputs(", reference from the spec", f);
    if (fr->hypervolume == 0)
        fputs("; 0: no feasible trial beats the reference point on every objective", f);
}

void es_rep_write_near_best(FILE *f, const es_rep_sweep_view *sv, const es_rep_near_best *nb)
{
    const es_store_trial *best = sv->best->t, *t = nb->trial->t;
    fprintf(f, "cheapest within %g%% of the best %s: trial #%lld (%.6g), %.3g kWh", nb->tol * 100,
            sv->metric, (long long)t->number, t->objective, nb->trial->cost.kwh);
    if (t == best)
        fputs(", the best trial itself", f);
    else if (isfinite(nb->ratio))
        fprintf(f, ", %.3gx the best trial's (#%lld, %.6g, %.3g kWh)", nb->ratio,
                (long long)best->number, best->objective, sv->best->cost.kwh);
    if (nb == &sv->near[0] && sv->near[1].trial == nb->trial)
        fprintf(f, ", also the cheapest within %g%%", sv->near[1].tol * 100);
    fprintf(f, "; energy by %s", es_rep_trial_method(t));
    if (t != best && strcmp(es_rep_trial_method(t), es_rep_trial_method(best)) != 0)
        fprintf(f, " (the best trial's by %s)", es_rep_trial_method(best));
}

int es_rep_near_best_shown(const es_rep_sweep_view *sv, int k)
{
    return sv->near[k].trial != NULL && (k == 0 || sv->near[k].trial != sv->near[0].trial);
}

char *es_rep_sentence(const es_rep_sweep_view *sv, es_rep_sentence_kind kind,
                      const es_rep_near_best *nb)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return NULL;
    if (kind == ES_REP_SENTENCE_NEAR_BEST)
        es_rep_write_near_best(m, sv, nb);
    else if (kind == ES_REP_SENTENCE_CONSTRAINTS)
        es_rep_write_constraints(m, sv);
    else
        es_rep_write_front_summary(m, sv);
    if (fclose(m) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
