/*
 * loop_say.c -- what the sweep prints while it runs: progress lines and,
 * on a terminal, the live status line redrawn under them.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <uv.h>

#include "loop_int.h"

/* ---- Output --------------------------------------------------------------- */

double es_loop_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double es_loop_elapsed(const sweep *sw)
{
    return (double)(uv_hrtime() - sw->t0) / 1e9;
}

void es_loop_fmt_duration(double s, char *buf, size_t cap)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, cap, "%lds", t);
}

void es_loop_status_line(sweep *sw)
{
    const es_run_summary *s = sw->sum;
    char el[32], best[96] = "", budget[64] = "";
    int done =
        s->completed + s->failed + s->timed_out + s->interrupted + s->budget_stopped + s->pruned;
    int bad = s->failed + s->timed_out;
    char pruned[32] = "", db[96];

    es_loop_fmt_duration(es_loop_elapsed(sw), el, sizeof el);
    es_loop_db_status(sw, db, sizeof db);
    int running = sw->running; /* less those whose end waits for the database */
    for (const trial *t = sw->running_list; t != NULL; t = t->next)
        running -= t->held;
    if (s->best_number >= 0)
        snprintf(best, sizeof best, " | best %s=%.6g (#%lld)", sw->spec->metric_name,
                 s->best_objective, (long long)s->best_number);
    if (sw->spec->budget.kwh > 0)
        snprintf(budget, sizeof budget, " of %.4g", sw->spec->budget.kwh);
    if (sw->pruner != NULL)
        snprintf(pruned, sizeof pruned, ", %d pruned", s->pruned);
    fprintf(sw->opts->out, "\r\033[K%s: %d done, %d running, %d failed%s%s | %.4g kWh%s | %s%s",
            sw->name, done, running, bad, pruned, best, s->kwh, budget, el, db);
    fflush(sw->opts->out);
}

/* A progress message: a plain line, or above the live status line. */
void es_loop_say(sweep *sw, const char *fmt, ...)
{
    va_list ap;
    if (sw->opts->live)
        fputs("\r\033[K", sw->opts->out);
    va_start(ap, fmt);
    vfprintf(sw->opts->out, fmt, ap);
    va_end(ap);
    fputc('\n', sw->opts->out);
    if (sw->opts->live && !sw->closed)
        es_loop_status_line(sw);
    fflush(sw->opts->out);
}

void es_loop_say_ended(const trial *t, es_trial_status status, double obj, double kwh)
{
    sweep *sw = t->sw;
    const es_spec *sp = sw->spec;
    const es_result *rp = &t->result;
    const char *reason = t->end_reason;
    double wall = t->have_r ? rp->wall_s : 0.0;
    /* The energy with the method of all its parts (a GPU's counter beside
     * a CPU's estimate is "mixed"), or that nothing measured it: never
     * "0 kWh". */
    char energy[64] = "energy not measured";
    unsigned seen =
        t->have_r ? 1u << rp->cpu.method | 1u << rp->dram.method | 1u << rp->gpu.method : 0;
    if (seen & (1u << ES_EM_COUNTER | 1u << ES_EM_ESTIMATE))
        snprintf(energy, sizeof energy, "%.3g kWh (%s)", kwh, es_account_method_label(seen));
    if (!isnan(obj))
        es_loop_say(sw, "trial %lld completed: %s=%.6g, %s, %.1fs", (long long)t->number,
                    sp->metric_name, obj, energy, wall);
    else if (status == ES_TRIAL_PRUNED)
        es_loop_say(sw, "trial %lld pruned at step %lld, %s=%.6g, %s: %s", (long long)t->number,
                    (long long)t->prune_step, sp->metric_name, t->obj, energy, reason);
    else if (status == ES_TRIAL_COMPLETED && sp->metric_name == NULL) /* built-in objectives */
        es_loop_say(sw, "trial %lld completed: %s, %.1fs", (long long)t->number, energy, wall);
    else
        es_loop_say(sw, "trial %lld %s%s%s (log: %s)", (long long)t->number,
                    es_trial_status_name(status), reason[0] ? ": " : "", reason, t->dir);
}
