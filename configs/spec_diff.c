/*
 * spec_diff.c -- what changed between the spec a sweep was started with and
 * the spec it is run with again (es_spec_diff, spec.h).
 *
 * A resumed sweep is one sweep only if it searches the same space for the
 * same metric the same way: its trials, its best trial and its report are
 * then about one question.  Those keys must not change on resume; the keys
 * that only say how much to spend or how to run (run_cap, parallel,
 * trial_timeout, max_failed, max_initial_failures, budget) may, and are
 * listed apart so that the change can be said and recorded.  warm_start
 * may not: what a sweep learnt from chose its first trials.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"

/* A growing "; "-separated list in a caller's buffer. */
typedef struct list {
    char *buf;
    size_t cap, len;
    int n;
} list;

static void add(list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(list *l, const char *fmt, ...)
{
    va_list ap;
    l->n++;
    if (l->cap == 0 || l->len + 1 >= l->cap)
        return;
    if (l->len > 0)
        l->len += (size_t)snprintf(l->buf + l->len, l->cap - l->len, "; ");
    if (l->len + 1 >= l->cap)
        return;
    va_start(ap, fmt);
    int w = vsnprintf(l->buf + l->len, l->cap - l->len, fmt, ap);
    va_end(ap);
    if (w > 0)
        l->len = l->len + (size_t)w < l->cap - 1 ? l->len + (size_t)w : l->cap - 1;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_num(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* A value's JSON text (NULL on OOM): values compare as JSON, so that int 3
 * and real 3.0, or "3" and 3, differ as the trials would see them. */
static char *value_text(const es_value *v)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (es_value_json(v, &buf, &len, &cap) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int same_value(const es_value *a, const es_value *b)
{
    char *x = value_text(a), *y = value_text(b);
    int same = x != NULL && y != NULL && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

static void diff_param(list *l, const es_param *a, const es_param *b)
{
    if (a->dist != b->dist) {
        add(l, "parameters.%s: distribution %s -> %s", a->name, es_dist_name(a->dist),
            es_dist_name(b->dist));
        return;
    }
    static const char *const names[] = {"min", "max", "mu", "sigma", "a", "b", "q"};
    const double x[] = {a->min, a->max, a->mu, a->sigma, a->a, a->b, a->q};
    const double y[] = {b->min, b->max, b->mu, b->sigma, b->a, b->b, b->q};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        if (!same_num(x[i], y[i]))
            add(l, "parameters.%s: %s %g -> %g", a->name, names[i], x[i], y[i]);
    if (!same_value(&a->value, &b->value)) {
        char va[64], vb[64];
        es_value_format(&a->value, va, sizeof va);
        es_value_format(&b->value, vb, sizeof vb);
        add(l, "parameters.%s: value %s -> %s", a->name, va, vb);
    }
    int values = a->n_values == b->n_values;
    for (size_t i = 0; values && i < a->n_values; i++)
        values = same_value(&a->values[i], &b->values[i]);
    if (!values)
        add(l, "parameters.%s: values changed", a->name);
    int probs = (a->probabilities == NULL) == (b->probabilities == NULL);
    for (size_t i = 0; probs && a->probabilities != NULL && i < a->n_values; i++)
        probs = same_num(a->probabilities[i], b->probabilities[i]);
    if (!probs)
        add(l, "parameters.%s: probabilities changed", a->name);
}

static void diff_params(list *l, const es_spec *a, const es_spec *b)
{
    for (size_t i = 0; i < a->n_params; i++) {
        int k = es_spec_param_index(b, a->params[i].name);
        if (k < 0)
            add(l, "parameters.%s: removed", a->params[i].name);
        else
            diff_param(l, &a->params[i], &b->params[k]);
    }
    for (size_t i = 0; i < b->n_params; i++)
        if (es_spec_param_index(a, b->params[i].name) < 0)
            add(l, "parameters.%s: added", b->params[i].name);
    /* The same parameters in another order draw other configurations. */
    int order = a->n_params == b->n_params;
    for (size_t i = 0; order && i < a->n_params; i++)
        order = strcmp(a->params[i].name, b->params[i].name) == 0;
    if (!order && l->n == 0)
        add(l, "parameters: the same ones in another order");
}

static char *early_terminate_text(const es_prune_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    es_spec_print_early_terminate(f, cfg);
    fclose(f);
    return buf;
}

/* The rule in early_terminate_text's line, in place: "hyperband max_iter=27
 * s=2 eta=3 strict=false" ("none" when there is none). */
static const char *et_rule(char *text)
{
    static const char head[] = "early_terminate: ";
    char *p = strncmp(text, head, sizeof head - 1) == 0 ? text + sizeof head - 1 : text;
    p[strcspn(p, "(\n")] = '\0';
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ')
        p[--n] = '\0';
    return n > 0 ? p : "none";
}

static int same_strv(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb || (a == NULL) != (b == NULL))
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!same_str(a[i], b[i]))
            return 0;
    return 1;
}

static size_t strv_len(char **v)
{
    size_t n = 0;
    while (v != NULL && v[n] != NULL)
        n++;
    return n;
}

/* A cap's change; 0 (no cap) is said as "none". */
static void diff_cap(list *l, const char *key, double a, double b, const char *unit)
{
    char x[40], y[40];
    if (same_num(a, b))
        return;
    snprintf(x, sizeof x, a == 0 ? "none" : "%g%s", a, unit);
    snprintf(y, sizeof y, b == 0 ? "none" : "%g%s", b, unit);
    add(l, "%s %s -> %s", key, x, y);
}

/* The elements of v, space-separated, cut to cap. */
static const char *join(char **v, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (v == NULL)
        snprintf(buf, cap, "(the default)");
    for (size_t i = 0; v != NULL && i < n && len + 1 < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", v[i]);
    return buf;
}

static int cmp_pair(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Do NULL-terminated a and b hold the same elements in any order (with
 * values av and bv beside them, when not NULL: "name=value" compared)? */
static int same_set(char **a, char **b, char **av, char **bv)
{
    size_t na = strv_len(a), nb = strv_len(b);
    if (na != nb)
        return 0;
    char **x = calloc(na + 1, sizeof *x), **y = calloc(nb + 1, sizeof *y);
    int same = x != NULL && y != NULL;
    for (size_t i = 0; same && i < na; i++) {
        size_t lx = strlen(a[i]) + (av ? strlen(av[i]) : 0) + 2;
        size_t ly = strlen(b[i]) + (bv ? strlen(bv[i]) : 0) + 2;
        if ((x[i] = malloc(lx)) == NULL || (y[i] = malloc(ly)) == NULL) {
            same = 0;
            break;
        }
        snprintf(x[i], lx, "%s=%s", a[i], av ? av[i] : "");
        snprintf(y[i], ly, "%s=%s", b[i], bv ? bv[i] : "");
    }
    if (same) {
        qsort(x, na, sizeof *x, cmp_pair);
        qsort(y, nb, sizeof *y, cmp_pair);
        for (size_t i = 0; same && i < na; i++)
            same = strcmp(x[i], y[i]) == 0;
    }
    for (size_t i = 0; x != NULL && i < na; i++)
        free(x[i]);
    for (size_t i = 0; y != NULL && i < nb; i++)
        free(y[i]);
    free(x);
    free(y);
    return same;
}

/* "none" or the number, for a bound or reference that may be absent. */
static const char *opt_num(int has, double v, char *buf, size_t cap)
{
    if (!has)
        return "none";
    es_fmt_real(v, 0, buf, cap); /* shortest exact: 0.1 -> 0.1000001 shows */
    return buf;
}

/* The objectives and constraints, in their order (names, goals,
 * reference values, bounds): a different front is a different sweep.
 * Each difference is named. */
static void diff_objectives(list *l, const es_spec *a, const es_spec *b)
{
    char x[32], y[32];
    if (a->n_objectives != b->n_objectives)
        add(l, "objectives: %zu -> %zu", a->n_objectives, b->n_objectives);
    for (size_t i = b->n_objectives; i < a->n_objectives; i++)
        add(l, "objectives[%zu]: %s removed", i, a->objectives[i].name);
    for (size_t i = a->n_objectives; i < b->n_objectives; i++)
        add(l, "objectives[%zu]: %s added", i, b->objectives[i].name);
    for (size_t i = b->n_constraints; i < a->n_constraints; i++)
        add(l, "constraints[%zu]: %s removed", i, a->constraints[i].name);
    for (size_t i = a->n_constraints; i < b->n_constraints; i++)
        add(l, "constraints[%zu]: %s added", i, b->constraints[i].name);
    for (size_t i = 0; i < a->n_objectives && i < b->n_objectives; i++) {
        const es_objective *p = &a->objectives[i], *q = &b->objectives[i];
        if (strcmp(p->name, q->name) != 0)
            add(l, "objectives[%zu].name: %s -> %s", i, p->name, q->name);
        if (p->goal != q->goal)
            add(l, "objectives[%zu].goal: %s -> %s", i, es_goal_name(p->goal),
                es_goal_name(q->goal));
        if (p->has_ref != q->has_ref || (p->has_ref && p->ref != q->ref))
            add(l, "objectives[%zu].ref: %s -> %s", i, opt_num(p->has_ref, p->ref, x, sizeof x),
                opt_num(q->has_ref, q->ref, y, sizeof y));
    }
    if (a->n_constraints != b->n_constraints)
        add(l, "constraints: %zu -> %zu", a->n_constraints, b->n_constraints);
    for (size_t i = 0; i < a->n_constraints && i < b->n_constraints; i++) {
        const es_constraint *p = &a->constraints[i], *q = &b->constraints[i];
        if (strcmp(p->name, q->name) != 0)
            add(l, "constraints[%zu].name: %s -> %s", i, p->name, q->name);
        if (p->has_min != q->has_min || (p->has_min && p->min != q->min))
            add(l, "constraints[%zu].min: %s -> %s", i, opt_num(p->has_min, p->min, x, sizeof x),
                opt_num(q->has_min, q->min, y, sizeof y));
        if (p->has_max != q->has_max || (p->has_max && p->max != q->max))
            add(l, "constraints[%zu].max: %s -> %s", i, opt_num(p->has_max, p->max, x, sizeof x),
                opt_num(q->has_max, q->max, y, sizeof y));
    }
}

int es_spec_diff(const es_spec *a, const es_spec *b, char *changed, size_t cap, char *safe,
                 size_t safe_cap)
{
    list l = {changed, cap, 0, 0}, s = {safe, safe_cap, 0, 0};
    if (cap > 0)
        changed[0] = '\0';
    if (safe_cap > 0)
        safe[0] = '\0';
    if (a->method != b->method)
        add(&l, "method: %s -> %s", es_method_name(a->method), es_method_name(b->method));
    if (!same_str(a->metric_name, b->metric_name))
        add(&l, "metric: %s -> %s", a->metric_name ? a->metric_name : "none",
            b->metric_name ? b->metric_name : "none");
    if (a->goal != b->goal)
        add(&l, "metric.goal: %s -> %s", es_goal_name(a->goal), es_goal_name(b->goal));
    diff_objectives(&l, a, b);
    if (!same_str(a->program, b->program))
        add(&l, "program: %s -> %s", a->program ? a->program : "none",
            b->program ? b->program : "none");
    if (!same_strv(a->command, a->n_command, b->command, b->n_command)) {
        char x[200], y[200];
        add(&l, "command: %s -> %s", join(a->command, a->n_command, x, sizeof x),
            join(b->command, b->n_command, y, sizeof y));
    }
    if (a->has_seed != b->has_seed || (a->has_seed && a->seed != b->seed)) {
        char x[32] = "none", y[32] = "none";
        if (a->has_seed)
            snprintf(x, sizeof x, "%" PRIu64, a->seed);
        if (b->has_seed)
            snprintf(y, sizeof y, "%" PRIu64, b->seed);
        add(&l, "seed %s -> %s (a sweep draws from the seed it started with)", x, y);
    }
    if (a->shell != b->shell)
        add(&l, "shell: %s -> %s", a->shell ? "true" : "false", b->shell ? "true" : "false");
    if (!same_set(a->env.remove, b->env.remove, NULL, NULL))
        add(&l, "env.remove changed");
    if (!same_set(a->env.set_names, b->env.set_names, a->env.set_values, b->env.set_values))
        add(&l, "env.set changed");
    /* Energy factors: a sweep keeps the ones it started with (`report
     * --pue ...` re-prices); attribution follows parallel by default, so
     * it may change with it, and is said. */
    const es_energy_factors *ea = &a->energy, *eb = &b->energy;
    static const char *const fnames[] = {"pue",
                                         "carbon_intensity",
                                         "electricity_usd_per_kwh",
                                         "cloud_usd_per_hour",
                                         "cpu_watts_per_core",
                                         "dram_watts_per_gb",
                                         "gpu_watts"};
    const double fa[] = {ea->pue,
                         ea->carbon_g_per_kwh,
                         ea->electricity_usd_per_kwh,
                         ea->cloud_usd_per_hour,
                         ea->cpu_watts_per_core,
                         ea->dram_watts_per_gb,
                         ea->gpu_watts};
    const double fb[] = {eb->pue,
                         eb->carbon_g_per_kwh,
                         eb->electricity_usd_per_kwh,
                         eb->cloud_usd_per_hour,
                         eb->cpu_watts_per_core,
                         eb->dram_watts_per_gb,
                         eb->gpu_watts};
    for (size_t i = 0; i < sizeof fa / sizeof fa[0]; i++)
        if (!same_num(fa[i], fb[i]))
            add(&l,
                "energy.%s %g -> %g (a sweep keeps the factors it started with; report "
                "--%s re-prices)",
                fnames[i], fa[i], fb[i], i == 0 ? "pue" : "pue and the like");
    if (strcmp(ea->region, eb->region) != 0)
        add(&l, "energy.region %s -> %s", ea->region[0] ? ea->region : "none",
            eb->region[0] ? eb->region : "none");
    if (ea->attribution != eb->attribution)
        add(&s, "attribution %s -> %s", es_energy_attribution_name(ea->attribution),
            es_energy_attribution_name(eb->attribution));
    if (a->has_target != b->has_target || (a->has_target && !same_num(a->target, b->target)))
        add(&s, "metric.target %s -> %s", a->has_target ? "set" : "none",
            b->has_target ? "set" : "none");
    diff_params(&l, a, b);
    char *x = early_terminate_text(&a->early_terminate),
         *y = early_terminate_text(&b->early_terminate);
    if (x == NULL || y == NULL || strcmp(x, y) != 0)
        add(&l, "early_terminate: %s -> %s", x != NULL ? et_rule(x) : "?",
            y != NULL ? et_rule(y) : "?");
    free(x);
    free(y);

    char wa[256], wb[256];
    es_spec_warm_text(a, wa, sizeof wa);
    es_spec_warm_text(b, wb, sizeof wb);
    if (strcmp(wa, wb) != 0) /* its first trials came from what it learnt */
        add(&l, "warm_start %s -> %s", wa, wb);
    diff_cap(&s, "run_cap", (double)a->run_cap, (double)b->run_cap, "");
    diff_cap(&s, "parallel", a->parallel, b->parallel, "");
    diff_cap(&s, "trial_timeout", a->trial_timeout_s, b->trial_timeout_s, "s");
    diff_cap(&s, "max_failed", (double)a->max_failed, (double)b->max_failed, "");
    diff_cap(&s, "max_initial_failures", (double)a->max_initial_failures,
             (double)b->max_initial_failures, "");
    diff_cap(&s, "budget.kwh", a->budget.kwh, b->budget.kwh, "");
    diff_cap(&s, "budget.usd", a->budget.usd, b->budget.usd, "");
    diff_cap(&s, "budget.co2e_kg", a->budget.co2e_kg, b->budget.co2e_kg, "");
    diff_cap(&s, "budget.wall", a->budget.wall_s, b->budget.wall_s, "s");
    return l.n;
}
