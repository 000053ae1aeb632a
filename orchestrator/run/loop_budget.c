/*
 * loop_budget.c -- a sweep's energy budget: what it has spent (live), what
 * new trials may still use, and the share of its project's budget it may
 * spend beside the project's other sweeps (see loop_int.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "loop_int.h"

/* Joules spent so far: the trials that ended, plus what the running ones
 * have used according to their workers' latest samples. */
double es_loop_spent_live(const sweep *sw)
{
    double j = sw->spent_j;
    for (const trial *t = sw->running_list; t != NULL; t = t->next)
        if (t->have_live)
            j += es_account_joules(&t->live.cpu, &t->live.dram, &t->live.gpu);
    return j;
}

/* The energy new trials may still use: the budget, less what ended trials
 * used, what running ones are forecast to use (their median), and what the
 * project's other running sweeps reserved. */
double es_loop_remaining_budget(const sweep *sw)
{
    double left = sw->budget_j - sw->spent_j - sw->reserved_j;
    for (const trial *t = sw->running_list; t != NULL; t = t->next) {
        double median, upper;
        if (es_search_forecast(sw->search, t->values, &median, &upper) == 0)
            left -= median;
    }
    return left;
}

/* Which of b's caps gives budget_j under factors f (the tightest), as
 * "kWh cap of 0.01 kWh" into buf. */
void es_loop_tightest_cap(const es_energy_factors *f, const es_budget *b, char *buf, size_t cap)
{
    const es_budget only[3] = {{.kwh = b->kwh}, {.usd = b->usd}, {.co2e_kg = b->co2e_kg}};
    const double amount[3] = {b->kwh, b->usd, b->co2e_kg};
    static const char *const what[3] = {"kWh cap of %g kWh", "dollar cap of $%g",
                                        "CO2e cap of %g kg"};
    double best = NAN;
    buf[0] = '\0';
    for (int i = 0; i < 3; i++) {
        double j = amount[i] > 0 ? es_account_budget_joules(f, &only[i]) : NAN;
        if (!isnan(j) && (isnan(best) || j < best)) {
            best = j;
            snprintf(buf, cap, what[i], amount[i]);
        }
    }
}

/* The energy at this sweep's devices that the caps of b leave after used
 * (priced as this sweep prices), 0 once one of them is used up, NAN when
 * b has no cap. */
static double cap_left_j(const sweep *sw, const es_budget *b, const es_budget *used)
{
    es_budget left;
    memset(&left, 0, sizeof left);
    if ((b->kwh > 0 && used->kwh >= b->kwh) || (b->usd > 0 && used->usd >= b->usd) ||
        (b->co2e_kg > 0 && used->co2e_kg >= b->co2e_kg))
        return 0;
    left.kwh = b->kwh > 0 ? b->kwh - used->kwh : 0;
    left.usd = b->usd > 0 ? b->usd - used->usd : 0;
    left.co2e_kg = b->co2e_kg > 0 ? b->co2e_kg - used->co2e_kg : 0;
    return es_account_budget_joules(&sw->spec->energy, &left);
}

/* A project budget binds this sweep too, shared with whatever else the
 * project runs.  budget_j becomes what the project has left for this sweep
 * after its other sweeps' trials and its imported jobs, when that is
 * tighter than the sweep's own budget (this sweep's own spending, before
 * a resume too, is spent_j, measured against it); reserved_j is what the
 * trials running in other sweeps are still forecast to use, which no new
 * trial of this one may count on.  Read again before each launch decision
 * and every tick, so coordinators of one database running at once keep
 * the project's cap between them. */
int es_loop_refresh_budget(sweep *sw, es_err *err)
{
    es_budget cap, spent, reserved;
    int rc;
    if ((rc = es_store_project_budget(sw->st, sw->project_id, &cap, err)) != 0)
        return rc;
    sw->budget_j = sw->own_budget_j;
    sw->reserved_j = 0;
    snprintf(sw->budget_what, sizeof sw->budget_what, "%s", sw->own_budget_what);
    sw->project_capped = cap.kwh > 0 || cap.usd > 0 || cap.co2e_kg > 0;
    if (!sw->project_capped)
        return 0;
    if ((rc = es_store_project_others(sw->st, sw->project_id, sw->id,
                                      es_loop_now() - ES_ALIVE_WINDOW_S, &spent, &reserved, err)) !=
        0)
        return rc;
    double hard = cap_left_j(sw, &cap, &spent);
    es_budget both = {.kwh = spent.kwh + reserved.kwh,
                      .usd = spent.usd + reserved.usd,
                      .co2e_kg = spent.co2e_kg + reserved.co2e_kg};
    double admit = cap_left_j(sw, &cap, &both);
    if (!isnan(sw->own_budget_j)) {
        hard = fmin(hard, sw->own_budget_j);
        admit = fmin(admit, sw->own_budget_j);
    }
    if (!isnan(hard) && (isnan(sw->budget_j) || hard < sw->budget_j)) {
        char which[96];
        es_loop_tightest_cap(&sw->spec->energy, &cap, which, sizeof which);
        snprintf(sw->budget_what, sizeof sw->budget_what, "project %s's %s, %s", sw->opts->project,
                 which,
                 hard == 0 ? "used up by the rest of the project"
                           : "what the rest of the project left");
    }
    if (!isnan(hard)) {
        sw->budget_j = hard;
        sw->reserved_j = fmax(0, hard - admit);
    }
    return 0;
}
