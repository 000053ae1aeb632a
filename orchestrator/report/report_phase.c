/*
 * report_phase.c -- what a report says about the phases trials marked
 * (phase.h): each phase's energy priced with the sweep's factors, its
 * share of the trial's energy, seconds, times entered, the items it
 * reported and the energy per item; as JSON members and as one table
 * that text, Markdown and HTML print alike (its cells are numbers and
 * phase names, which hold no character any format must escape).
 */
#include <math.h>
#include <string.h>

#include "numbers.h"
#include "phase.h"
#include "report_int.h"

/* Rows a table prints; JSON has every one. */
#define PHASE_ROWS_MAX 200

void es_rep_phase_row_of(const es_rep_sweep_view *sv, const es_rep_trial_view *tv, size_t k,
                         es_rep_phase_row *out)
{
    const es_store_phase *p = &tv->t->phases[k];
    const es_energy_factors *fa = &sv->sw->factors;
    out->p = p;
    out->kwh = es_account_phase(fa, ES_PHASE_KWH, p->wall_s, p->cpu_j, p->dram_j, p->gpu_j, 0);
    out->co2e_kg =
        es_account_phase(fa, ES_PHASE_CO2E_KG, p->wall_s, p->cpu_j, p->dram_j, p->gpu_j, 0);
    out->usd = es_account_phase(fa, ES_PHASE_USD, p->wall_s, p->cpu_j, p->dram_j, p->gpu_j, 0);
    out->kwh_per_item = es_account_phase(fa, ES_PHASE_KWH_PER_ITEM, p->wall_s, p->cpu_j, p->dram_j,
                                         p->gpu_j, p->items);
    out->joules = es_account_phase_joules(p->cpu_j, p->dram_j, p->gpu_j);
    /* Its share of what the trial's configuration cost (a reuse: the
     * original's, as its phases are). */
    double whole = tv->t->reused_from > 0 ? tv->t->reused_j : tv->cost.joules;
    out->share = whole > 0 ? out->joules / whole : NAN;
}

void es_rep_write_phases_json(FILE *f, const es_rep_sweep_view *sv, const es_rep_trial_view *tv)
{
    const es_store_trial *t = tv->t;
    if (t->n_phases == 0)
        return;
    fputs(", \"phases\": {", f);
    for (size_t k = 0; k < t->n_phases; k++) {
        es_rep_phase_row r;
        es_rep_phase_row_of(sv, tv, k, &r);
        fprintf(f, "%s\"%s\": {\"kwh\": ", k ? ", " : "", r.p->name);
        es_json_write_num(f, r.kwh);
        const struct {
            const char *key;
            double v;
        } members[] = {{"co2e_kg", r.co2e_kg},  {"usd", r.usd},
                       {"wall_s", r.p->wall_s}, {"joules", r.joules},
                       {"share", r.share},      {"entries", (double)r.p->entries},
                       {"items", r.p->items},   {"kwh_per_item", r.kwh_per_item}};
        for (size_t m = 0; m < sizeof members / sizeof members[0]; m++) {
            fprintf(f, ", \"%s\": ", members[m].key);
            es_json_write_num(f, members[m].v);
        }
        fprintf(f, ", \"energy_method\": \"%s\"}", es_rep_config_method(t));
    }
    fputc('}', f);
}

/* A number for a cell: "-" when not known. */
static const char *cell(char *buf, size_t cap, const char *fmt, double v)
{
    if (!isfinite(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, fmt, v);
    return buf;
}

void es_rep_write_phase_table(FILE *f, const es_rep_sweep_view *sv, es_rep_table_style style)
{
    const es_store_sweep *sw = sv->sw;
    size_t rows = 0, with = 0;
    for (size_t i = 0; i < sw->n_trials; i++) {
        rows += sw->trials[i].n_phases;
        with += sw->trials[i].n_phases > 0;
    }
    if (rows == 0)
        return;
    static const char *const heads[] = {"trial",   "phase", "kWh",      "share",    "wall_s",
                                        "entries", "items", "kWh/item", "energy by"};
    enum { N_COLS = 9 };
    const char *intro = "Energy by phase (each phase from its marker to the next, read from the "
                        "meters at each marker; kWh at the wall, PUE included; a trial's energy "
                        "before its first marker is in no phase: the shares' rest)";
    if (style == ES_REP_TABLE_TEXT) {
        fprintf(f, "    %s, %zu trial%s:\n", intro, with, with == 1 ? "" : "s");
        fprintf(f, "    %9s  %-16s %10s %6s %9s %7s %9s %10s  %s\n", heads[0], heads[1], heads[2],
                heads[3], heads[4], heads[5], heads[6], heads[7], heads[8]);
    } else if (style == ES_REP_TABLE_MARKDOWN) {
        fprintf(f, "%s, %zu trial%s:\n\n|", intro, with, with == 1 ? "" : "s");
        for (int c = 0; c < N_COLS; c++)
            fprintf(f, " %s |", heads[c]);
        fputs("\n|", f);
        for (int c = 0; c < N_COLS; c++)
            fputs(c < 2 || c == 8 ? " --- |" : " ---: |", f);
        fputc('\n', f);
    } else {
        fprintf(f, "<h4>%s, %zu trial%s</h4>\n<table class=\"phases\">\n<tr>", intro, with,
                with == 1 ? "" : "s");
        for (int c = 0; c < N_COLS; c++)
            fprintf(f, "<th>%s</th>", heads[c]);
        fputs("</tr>\n", f);
    }
    size_t shown = 0;
    for (size_t i = 0; i < sw->n_trials && shown < PHASE_ROWS_MAX; i++) {
        const es_rep_trial_view *tv = &sv->trials[i];
        for (size_t k = 0; k < tv->t->n_phases && shown < PHASE_ROWS_MAX; k++, shown++) {
            es_rep_phase_row r;
            es_rep_phase_row_of(sv, tv, k, &r);
            char num[48], kwh[32], share[32], wall[32], ent[16], items[32], per[32];
            /* A trial that did not complete says so: a lost attempt's
             * number comes again with the attempt that replaced it. */
            if (es_rep_trial_is(tv->t, ES_TRIAL_COMPLETED))
                snprintf(num, sizeof num, "%lld", (long long)tv->t->number);
            else
                snprintf(num, sizeof num, "%lld (%.12s)", (long long)tv->t->number, tv->t->status);
            snprintf(ent, sizeof ent, "%d", r.p->entries);
            const char *c[N_COLS] = {num,
                                     r.p->name,
                                     cell(kwh, sizeof kwh, "%.4g", r.kwh),
                                     cell(share, sizeof share, "%.0f%%", r.share * 100),
                                     cell(wall, sizeof wall, "%.2f", r.p->wall_s),
                                     ent,
                                     cell(items, sizeof items, "%.6g", r.p->items),
                                     cell(per, sizeof per, "%.4g", r.kwh_per_item),
                                     es_rep_config_method(tv->t)};
            if (style == ES_REP_TABLE_TEXT) {
                fprintf(f, "    %9s  %-16s %10s %6s %9s %7s %9s %10s  %s\n", c[0], c[1], c[2], c[3],
                        c[4], c[5], c[6], c[7], c[8]);
            } else if (style == ES_REP_TABLE_MARKDOWN) {
                fputc('|', f);
                for (int m = 0; m < N_COLS; m++)
                    fprintf(f, " %s |", c[m]);
                fputc('\n', f);
            } else {
                fputs("<tr>", f);
                for (int m = 0; m < N_COLS; m++)
                    fprintf(f, "<td>%s</td>", c[m]);
                fputs("</tr>\n", f);
            }
        }
    }
    const char *more = rows > shown ? "the rest in the JSON report" : NULL;
    if (style == ES_REP_TABLE_TEXT) {
        if (more)
            fprintf(f, "    (%zu of %zu rows; %s)\n", shown, rows, more);
    } else if (style == ES_REP_TABLE_MARKDOWN) {
        if (more)
            fprintf(f, "\n%zu of %zu rows; %s.\n", shown, rows, more);
        fputc('\n', f);
    } else {
        fputs("</table>\n", f);
        if (more)
            fprintf(f, "<p>%zu of %zu rows; %s.</p>\n", shown, rows, more);
    }
}
