/*
 * loop_output.c -- what a running trial prints: its stdout and stderr,
 * kept in its log files (created at their first byte, capped at LOG_CAP),
 * its metric lines parsed into the history (stored in batches, and with the
 * trial's end), and the reports of the objective that early termination
 * watches.  The loop (loop.c) registers these as the launcher's callbacks.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop_int.h"
#include "trial_setup.h"

/* ---- A trial's output ---------------------------------------------------- */

/* Early termination: one report of the objective goes to the pruner, and
 * a stop decision stops the trial as a timeout does (SIGTERM to the
 * worker, which ends the trial's process group, SIGKILL after the grace
 * period); it is recorded as pruned when it ends, with its energy.  A
 * report without a step is numbered after the trial's previous one (W&B's
 * hyperband counts reports anyway).  A value that is not a finite number
 * reaches the pruner as NaN, as the store keeps it, so that a resumed
 * sweep replays the same decisions (resume_pruner). */
static void es_loop_prune_report(trial *t, const es_metric_point *pt)
{
    sweep *sw = t->sw;
    es_prune_decision d;
    es_err err;
    int64_t step = pt->step >= 0 ? pt->step : es_pruner_last_step(sw->pruner, (uint64_t)t->id) + 1;
    double v = pt->ok && isfinite(pt->value) ? pt->value : NAN;
    int rc = es_pruner_report(sw->pruner, (uint64_t)t->id, step, v, &d);
    if (rc == -ENOMEM) {
        es_err_set(&err, rc, "out of memory");
        es_loop_fatal(sw, &err);
    }
    if (rc != 0) /* a step not after the previous one: not a report the rules take */
        return;
    t->prune_step = step;
    if (d.action != ES_PRUNE_STOP || t->stop_status != ES_TRIAL_RUNNING || t->timed_out)
        return;
    /* A worker that already exited has its result on the way: the trial
     * ended on its own and is judged by that. */
    if (es_loop_ask_to_stop(t) != 0)
        return;
    t->stop_status = ES_TRIAL_PRUNED;
    snprintf(t->stop_reason, sizeof t->stop_reason, "%s", d.reason);
}

/* Forget the trial's pending metric values (after storing them). */
void es_loop_pend_clear(trial *t)
{
    for (size_t i = 0; i < t->n_pend; i++)
        free((char *)t->pend[i].name);
    t->n_pend = 0;
}

/* Store the trial's pending metric values in one transaction; while the
 * database is locked they stay pending (the retry, or the trial's end,
 * writes them). */
void es_loop_pend_flush(trial *t)
{
    es_err err;
    if (t->n_pend == 0 || es_loop_db_waiting(t->sw))
        return;
    int rc = es_store_metrics_add(t->sw->st, t->id, t->pend, t->n_pend, &err);
    if (es_loop_db_rc(t->sw, rc, &err) == 0)
        es_loop_pend_clear(t);
}

/* Room for one more pending row; -ENOMEM when out of memory. */
static int pend_room(trial *t)
{
    if (t->n_pend == t->cap_pend) {
        size_t cap = t->cap_pend ? 2 * t->cap_pend : 8;
        es_metric_row *grown = realloc(t->pend, cap * sizeof *grown);
        if (grown == NULL)
            return -ENOMEM;
        t->pend = grown;
        t->cap_pend = cap;
    }
    return 0;
}

/* Keep one reported value for the store; -ENOMEM when out of memory. */
static int es_loop_pend_add(trial *t, const es_metric_point *pt)
{
    if (pend_room(t) != 0)
        return -ENOMEM;
    char *name = strdup(pt->name);
    if (name == NULL)
        return -ENOMEM;
    t->pend[t->n_pend++] = (es_metric_row){.seq = t->metric_seq,
                                           .name = name,
                                           .step = pt->step,
                                           .value = pt->value,
                                           .t = es_loop_now()};
    if (t->n_pend >= METRIC_FLUSH_ROWS)
        es_loop_pend_flush(t);
    return 0;
}

/* len bytes of s into buf (cap bytes, NUL-terminated), each control
 * character (C0, DEL, and C1 as UTF-8 writes it) a space: what a trial
 * printed reaches the terminal and the reports only as text. */
static void copy_printable(char *buf, size_t cap, const char *s, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f) {
            buf[k++] = ' ';
            i++;
        } else {
            buf[k++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
        }
    }
    buf[k] = '\0';
}

/* Whether the spec ranks or bounds trials by name: its metric, an
 * objective or a constraint that a trial reports. */
static int tracked_name(const es_spec *sp, const char *name)
{
    if (sp->metric_name != NULL && strcmp(sp->metric_name, name) == 0)
        return 1;
    for (size_t i = 0; i < sp->n_objectives; i++)
        if (strcmp(sp->objectives[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < sp->n_constraints; i++)
        if (strcmp(sp->constraints[i].name, name) == 0)
            return 1;
    return 0;
}

/* The point's value as its name's latest, when tracked; past the cap it
 * is to be stored at the trial's end. */
static int late_keep(trial *t, const es_metric_point *pt, int past_cap)
{
    if (!tracked_name(t->sw->spec, pt->name))
        return 0;
    size_t i = 0;
    while (i < t->n_late && strcmp(t->late[i].name, pt->name) != 0)
        i++;
    if (i == t->n_late) {
        if (t->n_late == t->cap_late) {
            size_t cap = t->cap_late ? 2 * t->cap_late : 4;
            es_metric_row *rows = realloc(t->late, cap * sizeof *rows);
            if (rows == NULL)
                return -ENOMEM;
            t->late = rows;
            unsigned char *flags = realloc(t->late_unstored, cap);
            if (flags == NULL)
                return -ENOMEM;
            t->late_unstored = flags;
            t->cap_late = cap;
        }
        char *name = strdup(pt->name);
        if (name == NULL)
            return -ENOMEM;
        t->late[i].name = name;
        t->late_unstored[i] = 0;
        t->n_late++;
    }
    t->late[i].step = pt->step;
    t->late[i].value = pt->value;
    t->late[i].t = es_loop_now();
    t->late_unstored[i] |= (unsigned char)past_cap;
    return 0;
}

void es_loop_late_free(trial *t)
{
    for (size_t i = 0; i < t->n_late; i++)
        free((char *)t->late[i].name);
    free(t->late);
    free(t->late_unstored);
    t->late = NULL;
    t->late_unstored = NULL;
    t->n_late = t->cap_late = 0;
}

int es_loop_late_to_pend(trial *t)
{
    int64_t seq = METRIC_ROWS_CAP;
    for (size_t i = 0; i < t->n_late; i++) {
        if (!t->late_unstored[i])
            continue;
        char *name = strdup(t->late[i].name);
        if (name == NULL || pend_room(t) != 0) {
            free(name);
            return -ENOMEM;
        }
        t->pend[t->n_pend] = t->late[i];
        t->pend[t->n_pend].name = name;
        t->pend[t->n_pend++].seq = seq++;
        t->late_unstored[i] = 0;
    }
    return 0;
}

/* The value of one objective or constraint of a trial. */
static double named_value(es_objective_kind kind, const char *name, es_loop_metric_fn metric,
                          const void *ud, const es_cost *cost, double wall_s)
{
    switch (kind) {
    case ES_OBJ_KWH:
        return cost->kwh;
    case ES_OBJ_CO2E_KG:
        return cost->co2e_kg;
    case ES_OBJ_USD:
        return cost->usd;
    case ES_OBJ_WALL_S:
        return wall_s;
    case ES_OBJ_PHASE: /* the metric function knows the trial's phases */
    case ES_OBJ_METRIC:
        break;
    }
    return metric(ud, name);
}

static double late_metric(const void *ud, const char *name)
{
    const trial *t = ud;
    double v = NAN;
    if (strncmp(name, "phase.", 6) == 0)
        return es_store_phase_value(&t->sw->spec->energy, t->phases, t->n_phases, name);
    for (size_t i = 0; i < t->n_late; i++)
        if (strcmp(t->late[i].name, name) == 0)
            v = t->late[i].value;
    return v;
}

double es_loop_stored_metric(const void *ud, const char *name)
{
    const es_loop_stored *s = ud;
    if (strncmp(name, "phase.", 6) == 0)
        return s->factors != NULL ? es_store_phase_value(s->factors, s->ph, s->n_ph, name) : NAN;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->m[i].name, name) == 0)
            return s->m[i].value;
    return NAN;
}

int es_loop_observe_values(sweep *sw, int64_t number, es_loop_metric_fn metric, const void *ud,
                           double joules, double wall_s, int *counts, es_err *err)
{
    const es_spec *sp = sw->spec;
    es_cost cost;
    size_t no = sp->n_objectives, nc = sp->n_constraints;
    *counts = 1;
    if (no + nc == 0)
        return 0;
    /* As many values as the spec has: a fixed array of 64 constraints
     * once left a 65th (and every other) unjudged. */
    double *v = malloc((no + nc) * sizeof *v);
    if (v == NULL)
        return es_err_set(err, -ENOMEM, "out of memory judging trial %lld's constraints",
                          (long long)number);
    es_account(&sp->energy, isfinite(joules) ? joules : 0, isfinite(wall_s) ? wall_s : 0, &cost);
    if (!isfinite(joules))
        cost.kwh = cost.co2e_kg = cost.usd = NAN; /* not known: the search is told so */
    for (size_t j = 0; j < no; j++) {
        v[j] = named_value(sp->objectives[j].kind, sp->objectives[j].name, metric, ud, &cost,
                           wall_s > 0 ? wall_s : NAN);
        *counts = *counts && isfinite(v[j]);
    }
    for (size_t k = 0; k < nc; k++) {
        const es_constraint *c = &sp->constraints[k];
        double x = named_value(c->kind, c->name, metric, ud, &cost, wall_s > 0 ? wall_s : NAN);
        v[no + k] = x;
        *counts =
            *counts && isfinite(x) && !(c->has_min && x < c->min) && !(c->has_max && x > c->max);
    }
    int rc = es_search_observe_values(sw->search, (uint64_t)number, v, err);
    free(v);
    return rc;
}

int es_loop_observe_late(trial *t, double joules, double wall_s, int *counts)
{
    es_err err;
    int rc = es_loop_observe_values(t->sw, t->number, late_metric, t, joules, wall_s, counts, &err);
    if (rc != 0)
        es_loop_fatal(t->sw, &err);
    return rc;
}

void es_loop_on_metric(void *ud, const es_metric_point *pt)
{
    trial *t = ud;
    sweep *sw = t->sw;
    es_err err;

    /* A count: a finite number of 0 or more (else not one). */
    if (t->phase_cur1 > 0 && pt->ok && strcmp(pt->name, "items") == 0 && isfinite(pt->value) &&
        pt->value >= 0 && pt->value < 1e300)
        t->entry_items = pt->value;
    if (sw->spec->metric_name != NULL && strcmp(pt->name, sw->spec->metric_name) == 0) {
        t->have_obj = 1;
        t->obj_number = pt->ok;
        t->obj = pt->ok ? pt->value : NAN;
        copy_printable(t->obj_text, sizeof t->obj_text, pt->text, strlen(pt->text));
        if (sw->pruner != NULL && t->launch != NULL)
            es_loop_prune_report(t, pt);
    }
    /* The history is bounded; the objective's last value is tracked above
     * whatever a trial prints, and so is the last value of every name the
     * spec ranks or bounds trials by. */
    if (late_keep(t, pt, t->metric_seq >= METRIC_ROWS_CAP) != 0) {
        es_err_set(&err, -ENOMEM, "out of memory");
        es_loop_fatal(sw, &err);
        return;
    }
    if (t->metric_seq >= METRIC_ROWS_CAP)
        return;
    /* Stored with the next tick, or with the trial's end: a value does not
     * cost a transaction of its own. */
    if (es_loop_pend_add(t, pt) != 0) {
        es_err_set(&err, -ENOMEM, "out of memory");
        es_loop_fatal(sw, &err);
        return;
    }
    t->metric_seq++;
}

/* The phase running has ended: its items count. */
static void close_entry(trial *t)
{
    if (t->phase_cur1 > 0 && isfinite(t->entry_items)) {
        double *acc = &t->phase_items[t->phase_cur1 - 1];
        *acc = (isnan(*acc) ? 0 : *acc) + t->entry_items;
    }
    t->entry_items = NAN;
}

void es_loop_on_line(trial *t, const char *line, size_t len)
{
    char name[ES_PHASE_NAME_MAX + 1];
    if (es_phase_marker(line, len, name)) {
        size_t i = 0;
        while (i < t->n_phase_names && strcmp(t->phase_name[i], name) != 0)
            i++;
        /* Past the names a trial keeps the marker is ignored, as the
         * worker does: the phase before goes on. */
        if (i < ES_PHASES_MAX) {
            close_entry(t);
            if (i == t->n_phase_names) {
                snprintf(t->phase_name[i], sizeof t->phase_name[i], "%s", name);
                t->phase_items[i] = NAN;
                t->n_phase_names++;
            }
            t->phase_cur1 = (int)i + 1;
        }
        /* A JSON marker's other members are metrics. */
        if (line[0] != '{')
            return;
    }
    es_metric_parse_line(line, len, es_loop_on_metric, t);
}

void es_loop_phases_end(trial *t)
{
    close_entry(t);
    t->phase_cur1 = 0;
    t->n_phases = 0;
    if (!t->have_r)
        return;
    for (size_t i = 0; i < t->result.n_phases && i < ES_PHASES_MAX; i++) {
        const es_result_phase *rp = &t->result.phases[i];
        es_store_phase *p = &t->phases[t->n_phases++];
        *p = (es_store_phase){.name = (char *)rp->name,
                              .wall_s = rp->wall_s,
                              .cpu_j = rp->cpu_j,
                              .dram_j = rp->dram_j,
                              .gpu_j = rp->gpu_j,
                              .entries = rp->entries,
                              .items = NAN};
        for (size_t k = 0; k < t->n_phase_names; k++)
            if (strcmp(t->phase_name[k], rp->name) == 0)
                p->items = t->phase_items[k];
    }
}

static void es_loop_feed_lines(trial *t, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c == '\n') {
            if (!t->line_overflow)
                es_loop_on_line(t, t->line, t->line_len);
            t->line_len = 0;
            t->line_overflow = 0;
        } else if (t->line_len < LINE_CAP) {
            t->line[t->line_len++] = c;
        } else {
            /* Too long to be a metric line: skip to its end. */
            t->line_overflow = 1;
        }
    }
}

/* Append a chunk of the trial's stream `name` to its log lg, creating the
 * file at the first byte; past LOG_CAP the rest is dropped after a note. */
/* A trial's log could not be written (a full disk, a file-size limit):
 * what the trial printed would be lost without a word, so the sweep stops
 * with the system's reason, as when the database cannot be written. */
static void log_failed(const trial *t, trial_log *lg, const char *name, int e)
{
    es_err err;
    lg->failed = 1;
    es_err_set(&err, -e, "cannot write trial %lld's %s in %s: %s", (long long)t->number, name,
               t->dir, strerror(e));
    es_loop_fatal(t->sw, &err);
}

static void es_loop_keep_log(const trial *t, trial_log *lg, const char *name, const char *buf,
                             size_t n)
{
    if (n == 0 || lg->bytes > LOG_CAP || lg->failed)
        return;
    if (lg->f == NULL) {
        if ((lg->f = es_file_createat(t->dirfd, name)) == NULL) {
            log_failed(t, lg, name, errno);
            return;
        }
    }
    int cut = lg->bytes + (long long)n > LOG_CAP;
    size_t room = cut ? (size_t)(LOG_CAP - lg->bytes) : n;
    errno = 0;
    int bad = fwrite(buf, 1, room, lg->f) != room;
    if (!bad && cut)
        bad = fprintf(lg->f, "\n[ecosweep: output truncated after %lld MiB]\n", LOG_CAP >> 20) < 0;
    /* Written through at once: a failure is seen here, not at close. */
    if (bad || fflush(lg->f) != 0) {
        log_failed(t, lg, name, errno ? errno : EIO);
        return;
    }
    lg->bytes = cut ? LOG_CAP + 1 : lg->bytes + (long long)n;
}

void es_loop_log_close(trial_log *lg)
{
    if (lg->f != NULL)
        fclose(lg->f);
    lg->f = NULL;
}

void es_loop_on_stdout(void *ud, const char *buf, size_t n)
{
    trial *t = ud;
    es_loop_keep_log(t, &t->out, "stdout", buf, n);
    es_loop_feed_lines(t, buf, n);
}

void es_loop_on_stderr(void *ud, const char *buf, size_t n)
{
    trial *t = ud;
    const size_t cap = sizeof t->err_tail;
    es_loop_keep_log(t, &t->err, "stderr", buf, n);
    /* Keep the last cap bytes: what the trial said before it ended. */
    if (n >= cap) {
        memcpy(t->err_tail, buf + n - cap, cap);
        t->err_tail_len = cap;
    } else {
        if (t->err_tail_len + n > cap) {
            size_t drop = t->err_tail_len + n - cap;
            memmove(t->err_tail, t->err_tail + drop, t->err_tail_len - drop);
            t->err_tail_len -= drop;
        }
        memcpy(t->err_tail + t->err_tail_len, buf, n);
        t->err_tail_len += n;
    }
}

void es_loop_stderr_line(const trial *t, char *buf, size_t cap)
{
    size_t end = t->err_tail_len;
    buf[0] = '\0';
    while (end > 0) {
        /* The line that ends at end: skip its newline, find its start. */
        while (end > 0 && (t->err_tail[end - 1] == '\n' || t->err_tail[end - 1] == '\r'))
            end--;
        size_t start = end;
        while (start > 0 && t->err_tail[start - 1] != '\n')
            start--;
        const char *s = t->err_tail + start;
        size_t len = end - start;
        int blank = 1;
        for (size_t i = 0; i < len && blank; i++)
            blank = s[i] == ' ' || s[i] == '\t';
        if (!blank && !(len >= 6 && memcmp(s, "srun: ", 6) == 0) &&
            !(len >= 12 && memcmp(s, "slurmstepd: ", 12) == 0)) {
            copy_printable(buf, cap, s, len);
            return;
        }
        end = start;
    }
}
