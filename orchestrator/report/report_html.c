/*
 * report_html.c -- the HTML report (`--format html`): one self-contained
 * page, no script and no external resource (styles inline, plots as inline
 * SVG), so it can be mailed, archived or opened offline.  Per project: the
 * R&D footprint in Strubell et al.'s tiers with equivalents, imported jobs;
 * per sweep three plots -- best result so far against cumulative kWh, the
 * energy of each trial, and the expected best result of n trials (Dodge et
 * al.) with a +-1 sd band -- and the expected-max and sensitivity tables.
 * Every <svg> has an id (sweep-ID-best-vs-kwh, sweep-ID-energy-per-trial,
 * sweep-ID-expected-max; with objectives also sweep-ID-pareto, the front
 * against every trial, and sweep-ID-hypervolume-vs-kwh) and a <title>,
 * which tests and readers use.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static void h_esc(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

/* ---- SVG plots -------------------------------------------------------------------- */

enum { W = 440, H = 260, ML = 64, MR = 30, MT = 30, MB = 44 };

typedef struct plot {
    double x0, x1, y0, y1;
} plot;

/* Coordinates from halves, so that no difference of finite values
 * overflows (values near 1e308); a point off the range is clamped to a
 * little outside the plot. */
static double px(const plot *p, double x)
{
    double r = (x * 0.5 - p->x0 * 0.5) / (p->x1 * 0.5 - p->x0 * 0.5);
    return ML + fmin(1.1, fmax(-0.1, isfinite(r) ? r : 0)) * (W - ML - MR);
}

static double py(const plot *p, double y)
{
    double r = (y * 0.5 - p->y0 * 0.5) / (p->y1 * 0.5 - p->y0 * 0.5);
    return H - MB - fmin(1.1, fmax(-0.1, isfinite(r) ? r : 0)) * (H - MT - MB);
}

/* Widen a degenerate or reversed range so that it can be drawn. */
static void range_fix(double *lo, double *hi)
{
    if (!isfinite(*lo) || !isfinite(*hi)) {
        *lo = 0;
        *hi = 1;
    } else if (*hi - *lo <= 1e-12 * fmax(fabs(*lo), fabs(*hi))) {
        double pad = *lo != 0 ? fabs(*lo) * 0.05 : 1;
        *lo -= pad;
        *hi += pad;
    }
}

static void svg_open(FILE *f, const char *id, const char *title, const char *xlabel,
                     const char *ylabel, plot *p)
{
    range_fix(&p->x0, &p->x1);
    range_fix(&p->y0, &p->y1);
    fprintf(f,
            "<svg id=\"%s\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-title\">"
            "<title id=\"%s-title\">",
            id, W, H, W, H, id, id);
    h_esc(f, title);
    fprintf(f,
            "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
            "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">",
            W, H, ML);
    h_esc(f, title);
    fprintf(f,
            "</text>\n<g stroke=\"#444\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/></g>\n",
            ML, H - MB, W - MR, H - MB, ML, MT, ML, H - MB);
    fputs("<g font-size=\"10\" fill=\"#333\">", f);
    for (int i = 0; i <= 4; i++) {
        /* Weighted means rather than y0 + (y1 - y0) t: no overflow near 1e308. */
        double x = p->x0 * (1 - i / 4.0) + p->x1 * (i / 4.0);
        double y = p->y0 * (1 - i / 4.0) + p->y1 * (i / 4.0);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>", px(p, x),
                H - MB + 14, x);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>", ML - 4,
                py(p, y) + 3, y);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>", ML + 1,
                py(p, y), W - MR, py(p, y));
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (ML + W - MR) / 2, H - 8);
    h_esc(f, xlabel);
    fprintf(f,
            "</text><text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 "
            "%d)\">",
            (MT + H - MB) / 2, (MT + H - MB) / 2);
    h_esc(f, ylabel);
    fputs("</text></g>\n", f);
}

/* Best objective so far (a step line) and every completed trial (dots)
 * against the sweep's cumulative kWh, trials in launch order. */
static void plot_best(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const char *metric = sv->metric;
    int max = es_rep_maximize(sw);
    double cum = 0, best = NAN;
    plot p = {0, 0, INFINITY, -INFINITY};
    char id[64], title[256];

    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        const es_cost c = sv->trials[i].cost;
        cum += c.kwh;
        if (es_rep_trial_is(t, ES_TRIAL_COMPLETED) && isfinite(t->objective)) {
            p.y0 = fmin(p.y0, t->objective);
            p.y1 = fmax(p.y1, t->objective);
        }
    }
    p.x1 = cum;
    snprintf(id, sizeof id, "sweep-%lld-best-vs-kwh", (long long)sw->id);
    snprintf(title, sizeof title, "Best %s so far against cumulative kWh", metric);
    svg_open(f, id, title, "cumulative kWh (PUE included)", metric, &p);
    fputs("<polyline fill=\"none\" stroke=\"#1b6ac9\" stroke-width=\"2\" points=\"", f);
    cum = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        const es_cost c = sv->trials[i].cost;
        if (isfinite(best))
            fprintf(f, "%.1f,%.1f ", px(&p, cum + c.kwh), py(&p, best));
        cum += c.kwh;
        if (es_rep_is_candidate(sv, i) &&
            (isnan(best) || (max ? t->objective > best : t->objective < best))) {
            best = t->objective;
            fprintf(f, "%.1f,%.1f ", px(&p, cum), py(&p, best));
        }
    }
    fputs("\"/>\n<g fill=\"#1b6ac9\" fill-opacity=\"0.35\">", f);
    cum = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        const es_cost c = sv->trials[i].cost;
        cum += c.kwh;
        /* An infeasible trial is a ring: seen, never the best. */
        if (es_rep_trial_is(t, ES_TRIAL_COMPLETED) && isfinite(t->objective))
            fprintf(f,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\"%s><title>trial %lld: %.6g%s"
                    "</title></circle>",
                    px(&p, cum), py(&p, t->objective),
                    es_rep_is_candidate(sv, i) ? "" : " fill=\"none\" stroke=\"#1b6ac9\"",
                    (long long)t->number, t->objective,
                    es_rep_is_candidate(sv, i) ? "" : " (not feasible)");
    }
    fputs("</g></svg>\n", f);
}

/* One bar per trial, its kWh, coloured by status. */
/* One bar per trial, its kWh, coloured by status; with more trials than
 * the plot has pixels, one bar per run of consecutive trials (at most
 * ENERGY_BARS), its height their largest kWh, coloured by the most common
 * status among them, its title saying which trials and their mean. */
enum { ENERGY_BARS = 300 };

static void plot_energy(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    size_t n = sw->n_trials, bars = n < ENERGY_BARS ? n : ENERGY_BARS;
    plot p = {0, (double)(bars ? bars : 1), 0, 0};
    double bw;
    char id[64];

    for (size_t i = 0; i < n; i++)
        p.y1 = fmax(p.y1, sv->trials[i].cost.kwh);
    snprintf(id, sizeof id, "sweep-%lld-energy-per-trial", (long long)sw->id);
    svg_open(f, id, "Energy per trial",
             n > bars ? "trials (launch order, in runs)" : "trial (launch order)", "kWh", &p);
    bw = (W - ML - MR) / p.x1;
    for (size_t b = 0; b < bars; b++) {
        size_t lo = b * n / bars, hi = (b + 1) * n / bars; /* trials [lo, hi) */
        double top = 0, sum = 0;
        int done = 0, failed = 0, unknown = 0;
        for (size_t i = lo; i < hi; i++) {
            top = fmax(top, sv->trials[i].cost.kwh);
            sum += sv->trials[i].cost.kwh;
            unknown += es_report_energy_unknown(sv->trials[i].t);
            done += es_rep_trial_is(sv->trials[i].t, ES_TRIAL_COMPLETED);
            failed += es_rep_trial_is(sv->trials[i].t, ES_TRIAL_FAILED);
        }
        size_t other = hi - lo - (size_t)done - (size_t)failed;
        const char *fill = (size_t)done >= (size_t)failed && (size_t)done >= other ? "#3a9d5d"
                           : (size_t)failed >= other                               ? "#c94c4c"
                                                                                   : "#999";
        fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>",
                px(&p, (double)b) + bw * 0.1, py(&p, top), bw * 0.8, py(&p, 0) - py(&p, top), fill);
        if (hi - lo == 1) {
            fprintf(f, "trial %lld (", (long long)sv->trials[lo].t->number);
            h_esc(f, sv->trials[lo].t->status);
            if (unknown)
                fputs("): energy not measured", f);
            else
                fprintf(f, "): %.4g kWh", top);
        } else {
            fprintf(f, "trials %lld to %lld: %d completed, %d failed, %zu other; %.4g kWh at most",
                    (long long)sv->trials[lo].t->number, (long long)sv->trials[hi - 1].t->number,
                    done, failed, other, top);
            if (unknown)
                fprintf(f, " (%d not measured, not counted)", unknown);
            else
                fprintf(f, ", %.4g on average", sum / (double)(hi - lo));
        }
        fputs("</title></rect>", f);
    }
    fputs("</svg>\n", f);
}

/* The edge of the +-1 sd band at curve point k (side -1 or 1), held to
 * the doubles (the sum of two values near 1e308 overflows). */
static double band(const es_rep_sweep_stats *ss, size_t k, int side)
{
    double y = ss->emax[k] + side * ss->emax_sd[k];
    return isfinite(y) ? y : side * DBL_MAX;
}

/* Expected best of n trials, with a +-1 sd band. */
static void plot_emax(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_sweep_stats *ss = &sv->stats;
    const char *metric = sv->metric;
    plot p = {1, (double)ss->n, INFINITY, -INFINITY};
    char id[64], title[256], xlabel[128];

    for (size_t k = 0; k < ss->n_curve; k++) {
        p.y0 = fmin(p.y0, band(ss, k, -1));
        p.y1 = fmax(p.y1, band(ss, k, 1));
    }
    snprintf(id, sizeof id, "sweep-%lld-expected-max", (long long)sw->id);
    snprintf(title, sizeof title, "Expected best %s of n trials", metric);
    if (isfinite(ss->kwh_per_trial))
        snprintf(xlabel, sizeof xlabel, "trials n (x %.3g kWh each)", ss->kwh_per_trial);
    else
        snprintf(xlabel, sizeof xlabel, "trials n (kWh not known: not every trial was measured)");
    svg_open(f, id, title, xlabel, metric, &p);
    fputs("<polygon fill=\"#e08a1e\" fill-opacity=\"0.2\" points=\"", f);
    for (size_t k = 0; k < ss->n_curve; k++)
        fprintf(f, "%.1f,%.1f ", px(&p, (double)ss->curve_n[k]), py(&p, band(ss, k, 1)));
    for (size_t k = ss->n_curve; k-- > 0;)
        fprintf(f, "%.1f,%.1f ", px(&p, (double)ss->curve_n[k]), py(&p, band(ss, k, -1)));
    fputs("\"/>\n<polyline fill=\"none\" stroke=\"#e08a1e\" stroke-width=\"2\" points=\"", f);
    for (size_t k = 0; k < ss->n_curve; k++)
        fprintf(f, "%.1f,%.1f ", px(&p, (double)ss->curve_n[k]), py(&p, ss->emax[k]));
    fputs("\"/></svg>\n", f);
}

/* ---- Tables ------------------------------------------------------------------------- */

/* The Pareto front: every completed trial with both values, objective 1
 * against objective 2 (a third is not drawn: said in the title); the front
 * filled and joined in the first objective's order, dominated feasible
 * trials dimmed, trials that break a constraint as red crosses. */
/* Whether trial i of the front's sweep completed with every objective
 * known (what the front is drawn from). */
static int front_known(const es_rep_sweep_view *sv, size_t i)
{
    const es_rep_front *fr = &sv->front;
    if (!es_rep_trial_is(sv->trials[i].t, ES_TRIAL_COMPLETED))
        return 0;
    for (size_t j = 0; j < fr->m; j++)
        if (!isfinite(fr->y[i * fr->m + j]))
            return 0;
    return 1;
}

static void plot_pareto(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    const es_store_sweep *sw = sv->sw;
    size_t m = fr->m;
    plot p = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    char id[64], title[320];
    for (size_t i = 0; i < sw->n_trials; i++) {
        double x = fr->y[i * m], y = fr->y[i * m + 1];
        if (!front_known(sv, i))
            continue;
        p.x0 = fmin(p.x0, x);
        p.x1 = fmax(p.x1, x);
        p.y0 = fmin(p.y0, y);
        p.y1 = fmax(p.y1, y);
    }
    snprintf(id, sizeof id, "sweep-%lld-pareto", (long long)sw->id);
    snprintf(title, sizeof title, "Pareto front: %.100s against %.100s%s", sw->objectives[1].name,
             sw->objectives[0].name, m > 2 ? " (third objective not drawn)" : "");
    svg_open(f, id, title, sw->objectives[0].name, sw->objectives[1].name, &p);
    fputs("<g fill=\"#1b6ac9\">", f);
    for (size_t i = 0; i < sw->n_trials; i++) {
        double x = fr->y[i * m], y = fr->y[i * m + 1];
        if (!front_known(sv, i))
            continue;
        long long n = (long long)sv->trials[i].t->number;
        if (fr->feasible[i]) {
            fprintf(f,
                    "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\"%s><title>trial %lld: "
                    "%.6g, %.6g (Pareto rank %d)</title></circle>",
                    fr->rank[i] == 1 ? "front" : "dominated", px(&p, x), py(&p, y),
                    fr->rank[i] == 1 ? 4 : 3, fr->rank[i] == 1 ? "" : " fill-opacity=\"0.25\"", n,
                    x, y, fr->rank[i]);
        } else {
            double cx = px(&p, x), cy = py(&p, y);
            fprintf(f,
                    "<path class=\"infeasible\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"#c62828\" "
                    "stroke-width=\"1.5\"><title>trial %lld: %.6g, %.6g (breaks a "
                    "constraint)</title></path>",
                    cx - 3, cy - 3, n, x, y);
        }
    }
    fputs("</g>\n<polyline fill=\"none\" stroke=\"#1b6ac9\" stroke-width=\"1.5\" points=\"", f);
    for (size_t k = 0; k < fr->n_front; k++) {
        size_t i = fr->front[k];
        fprintf(f, "%.1f,%.1f ", px(&p, fr->y[i * m]), py(&p, fr->y[i * m + 1]));
    }
    fputs("\"/></svg>\n", f);
}

/* The hypervolume of the feasible trials so far against the kWh every
 * trial so far cost. */
static void plot_hypervolume(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    plot p = {0, 0, 0, fr->hypervolume};
    char id[64];
    if (fr->n_hist == 0)
        return;
    p.x1 = fr->hist[fr->n_hist - 1].kwh;
    snprintf(id, sizeof id, "sweep-%lld-hypervolume-vs-kwh", (long long)sv->sw->id);
    svg_open(f, id, "Hypervolume against cumulative kWh", "cumulative kWh (PUE included)",
             "hypervolume", &p);
    fputs("<polyline fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" points=\"", f);
    for (size_t k = 0; k < fr->n_hist; k++)
        fprintf(f, "%.1f,%.1f ", px(&p, fr->hist[k].kwh), py(&p, fr->hist[k].hypervolume));
    fputs("\"/></svg>\n", f);
}

/* The front's sentence and table, the cheapest trials near the best. */
static void h_front(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    static const char *const cls[] = {"front", "constraints", "near-best"};
    for (int part = 0; part < 4; part++) {
        es_rep_sentence_kind kind = part < 2    ? ES_REP_SENTENCE_NEAR_BEST
                                    : part == 2 ? ES_REP_SENTENCE_CONSTRAINTS
                                                : ES_REP_SENTENCE_FRONT;
        if (part < 2    ? !es_rep_near_best_shown(sv, part)
            : part == 2 ? sv->sw->n_constraints == 0
                        : fr->m == 0)
            continue;
        char *text = es_rep_sentence(sv, kind, part < 2 ? &sv->near[part] : NULL);
        if (text == NULL)
            return;
        fprintf(f, "<p class=\"%s\">", cls[kind]);
        h_esc(f, text);
        fputs(".</p>\n", f);
        free(text);
    }
    if (fr->m == 0)
        return;
    if (fr->n_front == 0)
        return;
    fputs("<table class=\"pareto\"><tr><th>trial</th>", f);
    for (size_t j = 0; j < fr->m; j++) {
        fputs("<th>", f);
        h_esc(f, sv->sw->objectives[j].name);
        fprintf(f, " (%s)</th>", es_goal_name(sv->sw->objectives[j].goal));
    }
    fputs("<th>energy by</th><th class=\"l\">params</th></tr>\n", f);
    for (size_t k = 0; k < fr->n_front && k < ES_REP_FRONT_ROWS; k++) {
        size_t i = fr->front[k];
        fprintf(f, "<tr><td>%lld</td>", (long long)sv->trials[i].t->number);
        for (size_t j = 0; j < fr->m; j++)
            fprintf(f, "<td>%.6g</td>", fr->y[i * fr->m + j]);
        fprintf(f, "<td>%s</td><td class=\"l\"><code>", es_rep_config_method(sv->trials[i].t));
        h_esc(f, sv->trials[i].t->params_json);
        fputs("</code></td></tr>\n", f);
    }
    fputs("</table>\n", f);
    if (fr->n_front > ES_REP_FRONT_ROWS)
        fprintf(f, "<p>... and %zu more on the front (JSON lists every one).</p>\n",
                fr->n_front - ES_REP_FRONT_ROWS);
}

static void h_tier(FILE *f, const char *name, const es_tier *t)
{
    fprintf(f, "<tr><td class=\"l\">%s</td>", name);
    char k[32], g[32], e[32];
    if (!t->available) {
        fputs("<td colspan=\"7\" class=\"l\">", f);
        h_esc(f, t->what);
        fputs("</td></tr>\n", f);
        return;
    }
    fprintf(f,
            "<td>%d</td><td>%.4g</td><td>%s</td><td>%s</td><td>%s</td><td>%.4g</td>"
            "<td class=\"l\">",
            t->jobs, t->cost.hours, es_rep_tier_num(k, sizeof k, t, t->cost.kwh),
            es_rep_tier_num(g, sizeof g, t, t->cost.co2e_kg),
            es_rep_tier_num(e, sizeof e, t, t->cost.usd_electricity), t->cost.usd_cloud);
    h_esc(f, t->what);
    fputs("</td></tr>\n", f);
}

static void h_footprint(FILE *f, const es_footprint *fp)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    fputs("<h3>R&amp;D footprint</h3>\n<p>Tiers after Strubell et al. (2019): ", f);
    h_esc(f, es_rep_tier_statistic);
    fputs(".</p>\n<table class=\"tiers\"><tr><th class=\"l\">tier</th><th>jobs</th><th>hours</th>"
          "<th>kWh</th><th>kg CO2e</th><th>electricity USD</th><th>cloud USD</th>"
          "<th class=\"l\">which</th></tr>\n",
          f);
    h_tier(f, "one model", &fp->one_model);
    h_tier(f, "one tune", &fp->one_tune);
    h_tier(f, "all R&amp;D", &fp->all_rd);
    if (!es_rep_methods_known(fp->all_rd.methods)) {
        fputs("</table>\n<p>All R&amp;D: energy not measured, so no equivalents.</p>\n", f);
        return;
    }
    fputs("</table>\n<p>All R&amp;D equals", f);
    for (size_t i = 0; i < n_eq; i++)
        fprintf(f, "%s %.4g %s", i ? "," : "", es_equivalent_value(&eq[i], &fp->all_rd.cost),
                eq[i].text);
    fputs(" (sources at the end).</p>\n", f);
}

static void h_imports(FILE *f, const es_rep_project_view *pv)
{
    const es_store_project *p = pv->p;
    if (p->n_imports == 0)
        return;
    fputs("<h3>Imported jobs</h3>\n<table><tr><th>import</th><th class=\"l\">file</th>"
          "<th class=\"l\">format</th><th>jobs</th><th>hours</th><th>kWh</th><th>kg CO2e</th>"
          "<th>USD</th><th class=\"l\">energy by</th></tr>\n",
          f);
    for (size_t i = 0; i < p->n_imports; i++) {
        const es_store_import *im = pv->imports[i].im;
        const es_rep_tally *ty = &pv->imports[i].tally;
        fprintf(f, "<tr><td>%lld</td><td class=\"l\">", (long long)im->id);
        h_esc(f, im->file);
        fprintf(f,
                "</td><td class=\"l\">%s</td><td>%d</td><td>%.4g</td><td>%.4g</td><td>%.4g"
                "</td><td>%.4g</td><td class=\"l\">%s</td></tr>\n",
                im->format, ty->jobs, ty->cost.hours, ty->cost.kwh, ty->cost.co2e_kg, ty->cost.usd,
                es_account_method_label(ty->methods));
    }
    fputs("</table>\n", f);
}

static void h_sens(FILE *f, const char *what, const es_sensitivity *s, size_t n, size_t used)
{
    if (used == 0)
        return;
    fputs("<p class=\"sens\">What moved ", f);
    h_esc(f, what);
    fputs(": ", f);
    es_rep_write_sens_heading(f, s, n, used);
    fputs(".</p>\n", f);
    if (n == 0)
        return;
    fputs("<table class=\"sens\"><tr><th class=\"l\">parameter</th><th class=\"l\">grouped "
          "by</th><th>groups</th><th>share (rho)</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td class=\"l\">", f);
        h_esc(f, s[i].param);
        fprintf(f, "</td><td class=\"l\">%s</td><td>%zu</td><td>", s[i].method, s[i].groups);
        es_rep_write_share(f, &s[i]);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void h_sweep(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_tally *ty = &sv->tally;
    const es_rep_sweep_stats *ss = &sv->stats;
    size_t pts[40], n_pts;
    char started[32];

    es_rep_iso_time(sw->started, started, sizeof started);
    fprintf(f, "<section class=\"sweep\" id=\"sweep-%lld\">\n<h3>Sweep ", (long long)sw->id);
    h_esc(f, sw->name);
    fprintf(f, " (#%lld)</h3>\n<p class=\"status\">%s search, seed %llu, started %s: ",
            (long long)sw->id, sw->method, (unsigned long long)sw->seed, started);
    h_esc(f, sw->status);
    if (sw->reason != NULL) {
        fputs(" - ", f);
        h_esc(f, sw->reason);
    }
    fputs(".</p>\n<p>", f);
    es_rep_write_counts(f, ty);
    fputs("; ", f);
    es_rep_write_cost(f, ty);
    fputc('.', f);
    if (sv->best != NULL) {
        fprintf(f, " <b>Best</b>: trial %lld, ", (long long)sv->best->t->number);
        h_esc(f, sv->metric);
        fprintf(f, " = %.6g, <code>", sv->best->t->objective);
        h_esc(f, sv->best->t->params_json);
        fputs("</code>", f);
    }
    fputs("</p>\n<ul class=\"notes\">\n", f);
    for (size_t i = 0; i < sv->n_notes; i++) {
        fputs("<li>", f);
        h_esc(f, sv->notes[i]);
        fputs("</li>\n", f);
    }
    fputs("</ul>\n<div class=\"plots\">\n", f);
    if (ss->n > 0)
        plot_best(f, sv);
    if (sw->n_trials > 0)
        plot_energy(f, sv);
    if (ss->n > 0)
        plot_emax(f, sv);
    if (sv->front.m > 0 && sv->front.n_completed > 0)
        plot_pareto(f, sv);
    plot_hypervolume(f, sv);
    fputs("</div>\n", f);
    h_front(f, sv);
    es_rep_write_phase_table(f, sv, ES_REP_TABLE_HTML);
    if (ss->n == 0)
        fputs("<p>No completed trial with a result: no best-so-far or expected-max plot.</p>\n", f);
    if (ss->n > 0) {
        n_pts = es_rep_curve_points(ss->n, pts, 40);
        fputs("<table class=\"emax\"><tr><th>trials</th><th>kWh</th><th>expected best ", f);
        h_esc(f, sv->metric);
        fputs("</th><th>sd</th></tr>\n", f);
        for (size_t i = 0; i < n_pts; i++) {
            size_t k = es_rep_curve_index(ss, pts[i]);
            char kwh[32];
            fprintf(f, "<tr><td>%zu</td><td>%s</td><td>%.6g</td><td>%.3g</td></tr>\n", pts[i],
                    es_rep_num(kwh, sizeof kwh, ss->kwh_per_trial * (double)pts[i]), ss->emax[k],
                    ss->emax_sd[k]);
        }
        fputs("</table>\n", f);
    }
    h_sens(f, sv->metric, ss->obj, ss->n_obj, ss->obj_trials);
    h_sens(f, "the energy", ss->kwh, ss->n_kwh, ss->kwh_trials);
    fputs("</section>\n", f);
}

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222}"
    "table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:2px 7px;"
    "text-align:right}.l{text-align:left}th{background:#f4f4f4}"
    ".plots{display:flex;flex-wrap:wrap;gap:8px}svg.plot{border:1px solid #ddd}"
    "code{background:#f4f4f4;padding:0 3px}section.sweep{border-top:1px solid "
    "#ddd;margin-top:1.5em}";

void es_rep_write_html(const es_rep_view *v, FILE *f)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);

    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>ecosweep report</title><style>%s</style></head>\n<body>\n"
            "<h1>ecosweep report</h1>\n<p>Generated %s. Every energy figure is at the wall "
            "(PUE included) and names its method; 'estimate' is a power model, not a "
            "measurement.</p>\n",
            style, v->generated);
    if (v->override != NULL) {
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m != NULL) {
            es_rep_write_overrides(m, v->override);
            fclose(m);
            fputs("<p class=\"overrides\">", f);
            h_esc(f, buf);
            fputs("</p>\n", f);
        }
        free(buf);
    }
    if (v->n_projects == 0)
        fputs("<p>No sweeps recorded yet.</p>\n", f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_rep_project_view *pv = &v->projects[i];
        const es_store_project *p = pv->p;
        const es_rep_tally *ty = &pv->tally;
        fputs("<h2>Project ", f);
        h_esc(f, p->name);
        fprintf(f, "</h2>\n<p>%zu sweep%s, %d trials, %d imported jobs: ", p->n_sweeps,
                p->n_sweeps == 1 ? "" : "s", ty->trials, ty->jobs);
        es_rep_write_cost(f, ty);
        fputs(".</p>\n", f);
        if (pv->has_footprint)
            h_footprint(f, &pv->footprint);
        h_imports(f, pv);
        for (size_t j = 0; j < p->n_sweeps; j++)
            h_sweep(f, &pv->sweeps[j]);
    }
    if (v->n_projects > 1) {
        fprintf(f, "<h2>All %zu projects</h2>\n<p class=\"totals\">", v->n_projects);
        es_rep_write_counts(f, &v->totals);
        fprintf(f, ", %d imported jobs: ", v->totals.jobs);
        es_rep_write_cost(f, &v->totals);
        fputs(".</p>\n", f);
    }
    if (v->n_projects > 0) {
        fputs("<p class=\"estimate\">", f);
        h_esc(f, es_rep_estimate_note);
        fputs("</p>\n", f);
    }
    if (v->n_projects > 0 && !v->partial) {
        fputs("<h2>Sources</h2>\n<ul>\n", f);
        for (size_t i = 0; i < n_eq; i++) {
            fputs("<li>", f);
            h_esc(f, eq[i].text);
            fputs(": ", f);
            h_esc(f, eq[i].source);
            fputs("</li>\n", f);
        }
        fputs("<li>Expected maximum: Dodge et al. 2019, Show your work: improved reporting of "
              "experimental results (EMNLP).</li>\n</ul>\n",
              f);
    }
    fputs("</body></html>\n", f);
}
