/*
 * report_md.c -- the Markdown report (`--format markdown`): what a paper's
 * appendix or a pull request needs -- each project's R&D footprint in
 * Strubell et al.'s three tiers with everyday equivalents, and for each
 * sweep its cost, best configuration, expected best result against trials
 * and kWh (Dodge et al.) and what moved the metric and the energy.  Trials
 * are summarized, not listed (the JSON and CSV formats list them).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* Text from the data (names, reasons, file names) as Markdown shows it
 * literally: the characters that start emphasis, code, links, images, raw
 * HTML, entities or table cells are backslash-escaped, and line breaks and
 * other control characters become spaces, so a name can neither break a
 * table or a heading nor inject markup. */
static void md_cell(FILE *f, const char *s)
{
    for (; s != NULL && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            fputc(' ', f);
        else if (strchr("\\`*_[]<>|~!&", ch) != NULL)
            fprintf(f, "\\%c", ch);
        else
            fputc(ch, f);
    }
}

/* s as inline code: fenced by one backtick more than its longest run of
 * them (padded by a space when it starts or ends with one), control
 * characters as spaces; in a table, '|' is escaped (GFM reads "\|" in a
 * cell as '|', even in code), elsewhere it stays as it is. */
static void md_code_in(FILE *f, const char *s, int in_table)
{
    size_t run = 0, longest = 0, n = s != NULL ? strlen(s) : 0;
    for (size_t i = 0; i < n; i++) {
        run = s[i] == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    int pad = n > 0 && (s[0] == '`' || s[n - 1] == '`');
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
    if (pad)
        fputc(' ', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            fputc(' ', f);
        else if (ch == '|' && in_table)
            fputs("\\|", f);
        else
            fputc(ch, f);
    }
    if (pad)
        fputc(' ', f);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
}

static void md_code(FILE *f, const char *s)
{
    md_code_in(f, s, 0);
}

static void md_code_cell(FILE *f, const char *s)
{
    md_code_in(f, s, 1);
}

static void md_tier(FILE *f, const char *name, const es_tier *t)
{
    char k[32], g[32], e[32];
    if (!t->available) {
        fprintf(f, "| %s | - | - | - | - | - | - | ", name);
        md_cell(f, t->what);
        fputs(" |\n", f);
        return;
    }
    fprintf(f, "| %s | %d | %.4g | %s | %s | %s | %.4g | ", name, t->jobs, t->cost.hours,
            es_rep_tier_num(k, sizeof k, t, t->cost.kwh),
            es_rep_tier_num(g, sizeof g, t, t->cost.co2e_kg),
            es_rep_tier_num(e, sizeof e, t, t->cost.usd_electricity), t->cost.usd_cloud);
    md_cell(f, t->what);
    fprintf(f, "%s |\n", t->imported > 0 ? " (imported jobs included)" : "");
}

static void md_footprint(FILE *f, const es_footprint *fp)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);
    fprintf(f, "### R&D footprint\n\nTiers after Strubell et al. (2019): %s.\n\n",
            es_rep_tier_statistic);
    fputs("| tier | jobs | hours | kWh | kg CO2e | electricity USD | cloud USD | which |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|\n",
          f);
    md_tier(f, "one model", &fp->one_model);
    md_tier(f, "one tune", &fp->one_tune);
    md_tier(f, "all R&D", &fp->all_rd);
    if (!es_rep_methods_known(fp->all_rd.methods)) {
        fputs("\nAll R&D: energy not measured, so no equivalents.\n\n", f);
        return;
    }
    fputs("\nAll R&D equals", f);
    for (size_t i = 0; i < n_eq; i++)
        fprintf(f, "%s %.4g %s", i ? "," : "", es_equivalent_value(&eq[i], &fp->all_rd.cost),
                eq[i].text);
    fputs(" (sources at the end).\n\n", f);
}

static void md_imports(FILE *f, const es_rep_project_view *pv)
{
    const es_store_project *p = pv->p;
    if (p->n_imports == 0)
        return;
    fputs("### Imported jobs\n\nJobs that ran outside ecosweep (`ecosweep import`), counted in "
          "the project's totals and its all-R&D tier.\n\n"
          "| import | file | format | jobs | hours | kWh | kg CO2e | USD | energy by |\n"
          "|---:|---|---|---:|---:|---:|---:|---:|---|\n",
          f);
    for (size_t i = 0; i < p->n_imports; i++) {
        const es_store_import *im = pv->imports[i].im;
        const es_rep_tally *ty = &pv->imports[i].tally;
        fprintf(f, "| %lld | ", (long long)im->id);
        md_cell(f, im->file);
        fprintf(f, " | %s | %d | %.4g | %.4g | %.4g | %.4g | %s |\n", im->format, ty->jobs,
                ty->cost.hours, ty->cost.kwh, ty->cost.co2e_kg, ty->cost.usd,
                es_account_method_label(ty->methods));
    }
    fputc('\n', f);
}

/* What moved one target: the method, then a row per parameter (each
 * target its own table: the two may use different trials, groups and
 * methods). */
static void md_sens(FILE *f, const char *what, const es_sensitivity *s, size_t n, size_t used)
{
    if (used == 0)
        return;
    fputs("**What moved ", f);
    md_cell(f, what);
    fputs("** (", f);
    es_rep_write_sens_heading(f, s, n, used);
    fputs(")\n\n", f);
    if (n == 0)
        return;
    fputs("| parameter | grouped by | groups | share (rho) |\n|---|---|---:|---:|\n", f);
    for (size_t i = 0; i < n; i++) {
        fputs("| ", f);
        md_code_cell(f, s[i].param);
        fprintf(f, " | %s | %zu | ", s[i].method, s[i].groups);
        es_rep_write_share(f, &s[i]);
        fputs(" |\n", f);
    }
    fputc('\n', f);
}

static void md_analysis(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_sweep_stats *ss = &sv->stats;
    size_t pts[40], n_pts;
    const char *metric = sv->metric;
    if (ss->n > 0) {
        n_pts = es_rep_curve_points(ss->n, pts, 40);
        fputs("**Expected best ", f);
        md_cell(f, metric);
        char kwh[32];
        fputs(" of n trials** (Dodge et al. 2019; completed trials drawn with replacement; ", f);
        if (isfinite(ss->kwh_per_trial))
            fprintf(f, "%.4g kWh per completed trial, failures' energy included)",
                    ss->kwh_per_trial);
        else
            fputs("no kWh: not every trial's energy was measured)", f);
        fputs("\n\n| trials | kWh | expected best | sd |\n|---:|---:|---:|---:|\n", f);
        for (size_t i = 0; i < n_pts; i++) {
            size_t k = es_rep_curve_index(ss, pts[i]);
            fprintf(f, "| %zu | %s | %.6g | %.3g |\n", pts[i],
                    es_rep_num(kwh, sizeof kwh, ss->kwh_per_trial * (double)pts[i]), ss->emax[k],
                    ss->emax_sd[k]);
        }
        fputc('\n', f);
    }
    md_sens(f, metric, ss->obj, ss->n_obj, ss->obj_trials);
    md_sens(f, "the energy", ss->kwh, ss->n_kwh, ss->kwh_trials);
}

/* A sentence of report_pareto.c, escaped: nb NULL for the front's, or
 * (constraints set) for the constraints'. */
static void md_sentence_of(FILE *f, const es_rep_sweep_view *sv, const es_rep_near_best *nb,
                           int constraints)
{
    char *text = es_rep_sentence(sv,
                                 nb != NULL    ? ES_REP_SENTENCE_NEAR_BEST
                                 : constraints ? ES_REP_SENTENCE_CONSTRAINTS
                                               : ES_REP_SENTENCE_FRONT,
                                 nb);
    md_cell(f, text);
    free(text);
}

/* The front as a table: one row per trial on it, best first by the first
 * objective. */
static void md_front(FILE *f, const es_rep_sweep_view *sv)
{
    const es_rep_front *fr = &sv->front;
    if (sv->sw->n_constraints > 0) {
        md_sentence_of(f, sv, NULL, 1);
        fputs(".\n\n", f);
    }
    if (fr->m == 0)
        return;
    md_sentence_of(f, sv, NULL, 0);
    fputs(".\n\n", f);
    if (fr->n_front == 0)
        return;
    fputs("| trial |", f);
    for (size_t j = 0; j < fr->m; j++) {
        fputc(' ', f);
        md_cell(f, sv->sw->objectives[j].name);
        fprintf(f, " (%s) |", es_goal_name(sv->sw->objectives[j].goal));
    }
    fputs(" energy by | params |\n|---:|", f);
    for (size_t j = 0; j < fr->m; j++)
        fputs("---:|", f);
    fputs("---|---|\n", f);
    for (size_t k = 0; k < fr->n_front && k < ES_REP_FRONT_ROWS; k++) {
        size_t i = fr->front[k];
        fprintf(f, "| %lld |", (long long)sv->trials[i].t->number);
        for (size_t j = 0; j < fr->m; j++)
            fprintf(f, " %.6g |", fr->y[i * fr->m + j]);
        fprintf(f, " %s | ", es_rep_config_method(sv->trials[i].t));
        md_code_in(f, sv->trials[i].t->params_json, 1);
        fputs(" |\n", f);
    }
    if (fr->n_front > ES_REP_FRONT_ROWS)
        fprintf(f, "\n... and %zu more on the front (JSON lists every one).\n",
                fr->n_front - ES_REP_FRONT_ROWS);
    fputc('\n', f);
}

static void md_sweep(FILE *f, const es_rep_sweep_view *sv)
{
    const es_store_sweep *sw = sv->sw;
    const es_rep_tally *ty = &sv->tally;
    char started[32];

    es_rep_iso_time(sw->started, started, sizeof started);
    fputs("### Sweep ", f);
    md_code(f, sw->name);
    fprintf(f, " (#%lld)\n\n- %s search, seed %llu, started %s: ", (long long)sw->id, sw->method,
            (unsigned long long)sw->seed, started);
    md_cell(f, sw->status);
    if (sw->reason) {
        fputs(" - ", f);
        md_cell(f, sw->reason);
    }
    fputs("\n- ", f);
    es_rep_write_counts(f, ty);
    fputs("; ", f);
    es_rep_write_cost(f, ty);
    fputc('\n', f);
    for (size_t i = 0; i < sv->n_notes; i++) {
        fputs("- ", f);
        md_cell(f, sv->notes[i]);
        fputc('\n', f);
    }
    if (sv->best != NULL) {
        fprintf(f, "- **best**: trial %lld, ", (long long)sv->best->t->number);
        md_cell(f, sv->metric);
        fprintf(f, " = %.6g, ", sv->best->t->objective);
        md_code(f, sv->best->t->params_json);
        fputc('\n', f);
    }
    for (int k = 0; k < 2; k++)
        if (es_rep_near_best_shown(sv, k)) {
            fputs("- ", f);
            md_sentence_of(f, sv, &sv->near[k], 0);
            fputc('\n', f);
        }
    fputc('\n', f);
    md_front(f, sv);
    es_rep_write_phase_table(f, sv, ES_REP_TABLE_MARKDOWN);
    md_analysis(f, sv);
}

void es_rep_write_markdown(const es_rep_view *v, FILE *f)
{
    size_t n_eq;
    const es_equivalent *eq = es_report_equivalents(&n_eq);

    fprintf(f, "# ecosweep report\n\nGenerated %s.\n\n", v->generated);
    es_rep_write_overrides(f, v->override);
    if (v->n_projects == 0)
        fputs("No sweeps recorded yet.\n", f);
    for (size_t i = 0; i < v->n_projects; i++) {
        const es_rep_project_view *pv = &v->projects[i];
        const es_store_project *p = pv->p;
        const es_rep_tally *ty = &pv->tally;
        fputs("## Project ", f);
        md_code(f, p->name);
        fprintf(f, "\n\n%zu sweep%s, %d trials, %d imported jobs: ", p->n_sweeps,
                p->n_sweeps == 1 ? "" : "s", ty->trials, ty->jobs);
        es_rep_write_cost(f, ty);
        fputs(".\n\n", f);
        if (pv->has_footprint)
            md_footprint(f, &pv->footprint);
        md_imports(f, pv);
        for (size_t j = 0; j < p->n_sweeps; j++)
            md_sweep(f, &pv->sweeps[j]);
    }
    if (v->n_projects > 1) {
        fprintf(f, "## All %zu projects\n\n", v->n_projects);
        es_rep_write_counts(f, &v->totals);
        fprintf(f, ", %d imported jobs: ", v->totals.jobs);
        es_rep_write_cost(f, &v->totals);
        fputs(".\n\n", f);
    }
    if (v->n_projects > 0)
        fprintf(f, "---\n\n%s", es_rep_estimate_note);
    if (v->n_projects > 0 && !v->partial) {
        fputs("\nSources of the equivalents:\n\n", f);
        for (size_t i = 0; i < n_eq; i++)
            fprintf(f, "- %s: %s\n", eq[i].text, eq[i].source);
    }
}
