/*
 * loop_warm.c -- warm start: the completed trials of the project's earlier
 * sweeps of the same program, handed to the search before its first
 * suggestion (es_search_warm; search/prior.c says what the Bayesian search
 * makes of them).  Nothing of them becomes a result of this sweep: every
 * trial of it runs.
 *
 * Which sweeps (the spec's warm_start): `auto`, the newest
 * ES_SEARCH_WARM_GROUPS of the project's sweeps that ran the same program
 * (the same `program`, `command` and `shell`), reported the same metric and
 * searched at least one of this sweep's parameters; or the sweeps a list
 * names, each of which must be such a sweep (an error says which is not,
 * and why, before anything runs); or `none`.  Only sweeps started before
 * this one, and only their trials that had ended by then, are learnt from,
 * so that a sweep taken up again learns exactly what it learnt the first
 * time, whatever other sweeps of the project did meanwhile.  Reused trials
 * are left out (their result is another trial's, counted there).
 */
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop_int.h"

/* How many of the project's sweeps `auto` looks through for matching
 * ones. */
#define WARM_SCAN 1000

static int warm_same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether this sweep's program (`now` as run resolved it, now_file its
 * canonical path or "") is the file an earlier sweep ran: the same
 * canonical path when both recorded one (schema 13: whatever directory
 * either ran from, `./train.py`, `train.py` and its absolute path are one
 * program); for an earlier sweep that did not, the same text, or the file
 * its text names from here or beside its spec. */
static int warm_same_program(const char *now, const char *now_file, const es_store_earlier_sweep *e,
                             const char *old)
{
    if (e->program_file != NULL && e->program_file[0] != '\0' && now_file[0] != '\0')
        return strcmp(e->program_file, now_file) == 0;
    if (warm_same_str(now, old))
        return 1;
    if (now_file[0] == '\0' || old == NULL)
        return 0;
    char b[PATH_MAX], beside[PATH_MAX * 2], dir[PATH_MAX];
    if (realpath(old, b) != NULL && strcmp(now_file, b) == 0)
        return 1;
    if (old[0] == '/' || e->spec_path == NULL)
        return 0;
    snprintf(dir, sizeof dir, "%s", e->spec_path);
    snprintf(beside, sizeof beside, "%s/%s", dirname(dir), old);
    return realpath(beside, b) != NULL && strcmp(now_file, b) == 0;
}

/* NULL when `old` (an earlier sweep's spec, read from old_spec_path) ran
 * the same program as `now` for the same metric and searched one of its
 * parameters at least; else why not, written into buf. */
static const char *warm_mismatch(const sweep *sw, const es_store_earlier_sweep *e,
                                 const es_spec *old, char *buf, size_t cap)
{
    const es_spec *now = sw->spec;
    int same_cmd = now->n_command == old->n_command;
    for (size_t i = 0; same_cmd && i < now->n_command; i++)
        same_cmd = strcmp(now->command[i], old->command[i]) == 0;
    if (!warm_same_program(now->program, sw->program_file, e, old->program))
        snprintf(buf, cap, "it ran program %.200s, not %.200s",
                 old->program ? old->program : "(none)", now->program ? now->program : "(none)");
    else if (!same_cmd)
        snprintf(buf, cap, "its command differs from this sweep's");
    else if (now->shell != old->shell)
        snprintf(buf, cap, "it ran %s a shell, this sweep %s", old->shell ? "through" : "without",
                 now->shell ? "through one" : "without");
    else if (!warm_same_str(now->metric_name, old->metric_name))
        snprintf(buf, cap, "it optimized %.200s, not %.200s",
                 old->metric_name ? old->metric_name : "no metric", now->metric_name);
    else {
        for (size_t i = 0; i < now->n_params; i++)
            if (now->params[i].dist != ES_DIST_CONSTANT &&
                es_spec_param_index(old, now->params[i].name) >= 0)
                return NULL;
        snprintf(buf, cap, "it searched none of this sweep's parameters");
    }
    return buf;
}

/* Hand the trials of earlier sweep e (its spec parsed into old) to the
 * search as group g: *taken of them taken, *left not fitting this space. */
static int warm_take(sweep *sw, const es_store_earlier_sweep *e, size_t g, double before,
                     size_t *taken, size_t *left, es_err *err)
{
    const es_spec *spec = sw->spec;
    es_store_past_trial *h = NULL;
    size_t n = 0;
    unsigned char *known = malloc(spec->n_params + 1);
    int rc = known == NULL ? es_err_set(err, -ENOMEM, "out of memory")
                           : es_store_sweep_history(sw->st, e->id, spec, &h, &n, err);
    *taken = *left = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const es_store_past_trial *p = &h[i];
        if (p->status != ES_TRIAL_COMPLETED || p->reused || !isfinite(p->objective) ||
            !(p->ended <= before))
            continue;
        for (size_t j = 0; j < spec->n_params; j++)
            known[j] = p->values[j].kind != ES_V_NULL;
        rc = es_search_warm(sw->search, g, p->values, known, p->objective, p->joules, err);
        if (rc == 0)
            ++*taken;
        else if (rc == 1)
            ++*left;
        rc = rc == 1 ? 0 : rc;
    }
    es_store_sweep_history_free(h, n, spec);
    free(known);
    return rc;
}

/* Append "'name' (why)" to the list of sweeps a list names in vain. */
static void warm_refuse(char *bad, size_t cap, size_t *n_bad, const char *name, const char *why)
{
    size_t len = strlen(bad);
    if (len < cap)
        snprintf(bad + len, cap - len, "%s'%s' (%s)", *n_bad ? "; " : "", name, why);
    ++*n_bad;
}

int es_loop_warm(sweep *sw, double before, es_err *err)
{
    const es_spec *spec = sw->spec;
    sw->warm_note[0] = '\0';
    if (spec->program == NULL || realpath(spec->program, sw->program_file) == NULL)
        sw->program_file[0] = '\0';
    if (spec->warm_start == ES_WARM_NONE || spec->method != ES_METHOD_BAYES ||
        spec->n_objectives >= 2)
        return 0; /* a named list there is a warning of the spec's */
    int list = spec->warm_start == ES_WARM_LIST;
    es_store_earlier_sweep *all = NULL;
    size_t n_all = 0;
    double upto;
    int older;
    int rc = es_store_earlier_sweeps(sw->st, sw->project_id, sw->id, before,
                                     list ? SIZE_MAX : WARM_SCAN, &all, &n_all, &upto, &older, err);
    if (rc != 0)
        return rc;
    if (older) { /* it began cold, before warm starts: it goes on so */
        es_store_earlier_sweeps_free(all, n_all);
        snprintf(sw->warm_note, sizeof sw->warm_note,
                 "warm start: none (the sweep began before ecosweep learnt from earlier sweeps)");
        return 0;
    }
    /* The chosen sweeps, newest first (a list: in its order); a list's
     * names that cannot be learnt from, all of them, with why. */
    size_t pick[ES_SEARCH_WARM_GROUPS], n_pick = 0, n_bad = 0, first_bad = 0;
    size_t n_want = list ? spec->n_warm_names : n_all;
    char why[512], bad[900] = "";
    for (size_t w = 0; w < n_want && n_pick < ES_SEARCH_WARM_GROUPS; w++) {
        size_t i = w;
        if (list) {
            for (i = 0; i < n_all && strcmp(all[i].name, spec->warm_names[w]) != 0; i++)
                ;
            if (i == n_all) {
                first_bad = n_bad == 0 ? w : first_bad;
                snprintf(why, sizeof why,
                         "project %.200s has no such sweep started before this one",
                         sw->opts->project);
                warm_refuse(bad, sizeof bad, &n_bad, spec->warm_names[w], why);
                continue;
            }
        }
        es_spec *old = NULL;
        es_err perr;
        const char *no = NULL;
        if (all[i].spec_text == NULL)
            no = "its spec was not recorded";
        else if (es_spec_parse_string(all[i].spec_text, strlen(all[i].spec_text), all[i].name, &old,
                                      &perr) != 0) {
            snprintf(why, sizeof why, "its spec no longer reads: %.400s", perr.msg);
            no = why;
        } else {
            no = warm_mismatch(sw, &all[i], old, why, sizeof why);
        }
        es_spec_free(old);
        if (no != NULL && list) {
            first_bad = n_bad == 0 ? w : first_bad;
            warm_refuse(bad, sizeof bad, &n_bad, all[i].name, no);
        } else if (no == NULL) {
            pick[n_pick++] = i;
        }
    }
    if (n_bad > 0)
        rc = es_err_set(err, ES_ESPEC, "%s:%d:%d: warm_start: cannot learn from %s: %s", spec->path,
                        spec->warm_name_at[2 * first_bad], spec->warm_name_at[2 * first_bad + 1],
                        n_bad == 1 ? "this sweep" : "these sweeps", bad);

    /* Their trials, one group per sweep that gives any. */
    size_t g = 0, total = 0, total_left = 0, len = 0;
    char names[400] = "";
    for (size_t k = 0; rc == 0 && k < n_pick; k++) {
        size_t taken, left;
        rc = warm_take(sw, &all[pick[k]], g, upto, &taken, &left, err);
        total_left += left;
        if (rc != 0 || taken == 0)
            continue;
        g++;
        total += taken;
        if (len < sizeof names)
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s (%zu)", len ? ", " : "",
                                    all[pick[k]].name, taken);
    }
    /* What they teach, now: before the event loop, where Ctrl-C still
     * stops the program at once and nothing has launched. */
    if (rc == 0 && total > 0)
        rc = es_search_warm_fit(sw->search, err);
    char out_of[96] = "";
    if (total_left > 0)
        snprintf(out_of, sizeof out_of, "; %zu trial%s outside this space left out", total_left,
                 total_left == 1 ? "" : "s");
    if (rc == 0 && total > 0)
        snprintf(sw->warm_note, sizeof sw->warm_note,
                 "warm start: learns from %zu trial%s of %zu earlier sweep%s of this program: "
                 "%s%s",
                 total, total == 1 ? "" : "s", g, g == 1 ? "" : "s", names, out_of);
    else if (rc == 0 && n_pick > 0)
        snprintf(sw->warm_note, sizeof sw->warm_note,
                 "warm start: the earlier sweep%s of this program ha%s no completed trial to "
                 "learn from (none completed, only reused ones, or none in this space%s): a cold "
                 "start",
                 n_pick == 1 ? "" : "s", n_pick == 1 ? "s" : "ve", out_of);
    else if (rc == 0)
        snprintf(sw->warm_note, sizeof sw->warm_note,
                 "warm start: no earlier sweep of project %s ran this program for %s: a cold "
                 "start",
                 sw->opts->project, spec->metric_name);
    es_store_earlier_sweeps_free(all, n_all);
    return rc;
}
