/*
 * spec.c -- read a sweep spec (W&B's YAML sweep format plus ecosweep's own
 * keys) into an es_spec, checking everything a user could get wrong and
 * saying where: every error names the file, the line and column of the node
 * at fault, and the key path, and an unknown key or word comes with the
 * closest known one.
 *
 * libyaml's document API loads the whole file first, so every node keeps its
 * start mark; the walk below then checks the top-level keys, and
 * spec_params.c the `parameters:` block, both with the helpers of
 * spec_yaml.c.  After the walk come the checks that span keys: `parameters`
 * present, grid-compatible distributions, command macros that name real
 * parameters, `program` when ${program} is used, and the energy settings
 * whose defaults depend on other keys (region against carbon_intensity,
 * attribution against parallel), and with `shell: true` a template whose
 * every macro can be quoted for the shell.  The trial-environment key
 * `env` (remove: names or fnmatch patterns, set: NAME: value) is read here
 * too, with the names checked and ECOSWEEP_* kept reserved.  Durations and
 * the names of the enums live here too.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"
#include "spec_yaml.h"

/* ---- Names ------------------------------------------------------------------ */

static const char *const dist_names[ES_DIST__COUNT] = {"constant",
                                                       "categorical",
                                                       "int_uniform",
                                                       "uniform",
                                                       "q_uniform",
                                                       "log_uniform",
                                                       "log_uniform_values",
                                                       "q_log_uniform",
                                                       "q_log_uniform_values",
                                                       "inv_log_uniform",
                                                       "inv_log_uniform_values",
                                                       "normal",
                                                       "q_normal",
                                                       "log_normal",
                                                       "q_log_normal",
                                                       "beta",
                                                       "q_beta"};

const char *es_dist_name(es_dist d)
{
    return (unsigned)d < ES_DIST__COUNT ? dist_names[d] : "unknown";
}

const char *es_method_name(es_method m)
{
    switch (m) {
    case ES_METHOD_RANDOM:
        return "random";
    case ES_METHOD_GRID:
        return "grid";
    case ES_METHOD_BAYES:
        return "bayes";
    }
    return "unknown";
}

const char *es_goal_name(es_goal g)
{
    return g == ES_GOAL_MAXIMIZE ? "maximize" : "minimize";
}

const char *es_carbon_source_name(es_carbon_source s)
{
    switch (s) {
    case ES_CARBON_DEFAULT:
        return "default";
    case ES_CARBON_REGION:
        return "region";
    case ES_CARBON_EXPLICIT:
        return "explicit";
    }
    return "unknown";
}

int es_carbon_source_parse(const char *name)
{
    for (int s = ES_CARBON_DEFAULT; s <= ES_CARBON_EXPLICIT; s++)
        if (name != NULL && strcmp(name, es_carbon_source_name((es_carbon_source)s)) == 0)
            return s;
    return -1;
}

const char *es_energy_attribution_name(es_energy_attribution a)
{
    return a == ES_ATTRIBUTION_SHARED ? "shared" : "exclusive";
}

int es_energy_attribution_parse(const char *name)
{
    if (name != NULL && strcmp(name, "exclusive") == 0)
        return ES_ATTRIBUTION_EXCLUSIVE;
    if (name != NULL && strcmp(name, "shared") == 0)
        return ES_ATTRIBUTION_SHARED;
    return -1;
}

void es_energy_factors_default(es_energy_factors *f)
{
    memset(f, 0, sizeof *f); /* padding too: defaults compare equal with memcmp */
    f->pue = 1.58;
    f->carbon_g_per_kwh = 475.0;
    f->electricity_usd_per_kwh = 0.12;
    f->cloud_usd_per_hour = 0.0;
    f->cpu_watts_per_core = 0.0; /* by CPU model in the worker, else 12 */
    f->dram_watts_per_gb = 0.3725;
    f->gpu_watts = 0.0;
    f->region[0] = '\0';
    f->carbon_source = ES_CARBON_DEFAULT;
    f->attribution = ES_ATTRIBUTION_EXCLUSIVE;
}

/* ---- Durations ---------------------------------------------------------------- */

/* Read digits with an optional fraction ("12", "1.5", ".5") at *p. */
static int scan_decimal(const char **p, double *out)
{
    const char *s = *p;
    char *end;
    int digits = 0;
    while (*s >= '0' && *s <= '9')
        s++, digits++;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9')
            s++, digits++;
    }
    if (digits == 0)
        return -EINVAL;
    *out = strtod(*p, &end);
    if (end != s)
        return -EINVAL;
    *p = s;
    return 0;
}

int es_parse_duration(const char *text, double *seconds)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
    const char *p = text;
    double total = 0, n;
    size_t below = sizeof units / sizeof units[0]; /* parts come largest unit first, each once */

    if (text == NULL || *text == '\0')
        return -EINVAL;
    if (scan_decimal(&p, &n) < 0)
        return -EINVAL;
    if (*p == '\0') { /* a bare number of seconds */
        if (!(n <= ES_DURATION_MAX))
            return -ERANGE;
        *seconds = n;
        return 0;
    }
    for (;;) {
        size_t i, ulen = 0;
        for (i = 0; i < sizeof units / sizeof units[0]; i++) {
            ulen = strlen(units[i].unit);
            if (strncmp(p, units[i].unit, ulen) == 0 && !(p[ulen] >= 'a' && p[ulen] <= 'z'))
                break;
        }
        if (i == sizeof units / sizeof units[0] || i >= below)
            return -EINVAL; /* "1h1h", "30m1h": a typo more likely than a sum */
        below = i;
        total += n * units[i].scale;
        p += ulen;
        if (*p == '\0')
            break;
        if (scan_decimal(&p, &n) < 0 || *p == '\0')
            return -EINVAL; /* "1h30" has no unit on its last part */
    }
    if (!isfinite(total))
        return -EINVAL;
    if (total > ES_DURATION_MAX)
        return -ERANGE;
    *seconds = total;
    return 0;
}

/* ---- Top-level keys ------------------------------------------------------------- */

typedef int (*top_fn)(es_spec_ctx *c, const yaml_node_t *key, const yaml_node_t *val);

static int top_program(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    c->spec->program_line = (int)v->start_mark.line + 1;
    c->spec->program_column = (int)v->start_mark.column + 1;
    (void)k;
    return es_spec_get_string(c, v, "program", &c->spec->program);
}

const char *es_name_problem(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0)
        return "it is empty";
    if (n > 200)
        return "it is longer than 200 bytes";
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = u[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || i + len > n)
            return "it is not valid UTF-8";
        for (size_t k = 1; k < len; k++)
            if ((u[i + k] & 0xc0) != 0x80)
                return "it is not valid UTF-8";
        unsigned cp = len == 1   ? c
                      : len == 2 ? (c & 0x1f) << 6 | (u[i + 1] & 0x3f)
                      : len == 3 ? (c & 0x0f) << 12 | (u[i + 1] & 0x3f) << 6 | (u[i + 2] & 0x3f)
                                 : 0x10000; /* beyond the BMP: no control there */
        /* C0 and C1 controls, DEL, and the bidirectional overrides and
         * isolates that make text show other than it reads. */
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
            (cp >= 0x2066 && cp <= 0x2069))
            return "it holds a control character (a newline, tab, ESC, a C1 control or a "
                   "bidirectional override)";
        i += len;
    }
    return NULL;
}

/* name: or project: -- a string that es_name_problem accepts. */
static int top_name_key(es_spec_ctx *c, const yaml_node_t *v, const char *key, char **out)
{
    int rc = es_spec_get_string(c, v, key, out);
    const char *why = rc == 0 && *out != NULL ? es_name_problem(*out) : NULL;
    if (why != NULL)
        return es_spec_fail(c, v, key, "not a usable name: %s", why);
    return rc;
}

static int top_name(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return top_name_key(c, v, "name", &c->spec->name);
}

static int top_project(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return top_name_key(c, v, "project", &c->spec->project);
}

static int top_description(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_string(c, v, "description", &c->spec->description);
}

static int top_entity(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_string(c, v, "entity", &c->spec->entity);
}

static int top_command(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    es_spec *spec = c->spec;
    char got[80];
    (void)k;
    if (v->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "command", "expected a list of strings, got %s", got);
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return es_spec_fail(c, v, "command", "expected a non-empty list of strings");
    spec->command = calloc(n + 1, sizeof *spec->command);
    if (spec->command == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        const char *s = es_spec_text(item);
        char path[32];
        snprintf(path, sizeof path, "command[%zu]", i);
        if (s == NULL) {
            es_spec_describe(item, got, sizeof got);
            return es_spec_fail(c, item, path, "expected a string, got %s", got);
        }
        spec->command[i] = strdup(s);
        if (spec->command[i] == NULL)
            return es_err_set(c->err, -ENOMEM, "out of memory");
        spec->n_command = i + 1;
    }
    return 0;
}

static int top_method(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"random", "grid", "bayes", NULL};
    const char *s = es_spec_text(v);
    char got[80];
    (void)k;
    if (s == NULL) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "method", "expected random, grid or bayes, got %s", got);
    }
    if (strcmp(s, "random") == 0) {
        c->spec->method = ES_METHOD_RANDOM;
    } else if (strcmp(s, "grid") == 0) {
        c->spec->method = ES_METHOD_GRID;
    } else if (strcmp(s, "bayes") == 0) {
        c->spec->method = ES_METHOD_BAYES;
    } else {
        const char *sug = es_spec_suggest(s, known);
        if (sug != NULL)
            return es_spec_fail(c, v, "method", "unknown method '%s' (did you mean '%s'?)", s, sug);
        return es_spec_fail(c, v, "method", "unknown method '%s' (expected random, grid or bayes)",
                            s);
    }
    return 0;
}

static int top_metric(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"name", "goal", "target", NULL};
    es_spec *spec = c->spec;
    int rc, has_name = 0;
    (void)k;
    if ((rc = es_spec_want_mapping(c, v, "metric")) < 0)
        return rc;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *mk = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *mv = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(mk);
        if (strcmp(key, "name") == 0) {
            es_objective_kind kind;
            free(spec->metric_name);
            spec->metric_name = NULL;
            if ((rc = es_spec__objective_name(c, mv, "metric.name", &spec->metric_name, &kind)) < 0)
                return rc;
            if (kind != ES_OBJ_METRIC)
                return es_spec_fail(c, mv, "metric.name",
                                    "'%s' is measured by ecosweep, not reported by the trial: "
                                    "metric names what the trial prints (to trade it against a "
                                    "metric, list both in objectives)",
                                    spec->metric_name);
            has_name = 1;
        } else if (strcmp(key, "goal") == 0) {
            if ((rc = es_spec_get_goal(c, mv, "metric.goal", &spec->goal)) < 0)
                return rc;
        } else if (strcmp(key, "target") == 0) {
            if ((rc = es_spec_number(c, mv, "metric.target", &spec->target, NULL)) < 0)
                return rc;
            spec->has_target = 1;
        } else {
            return es_spec_unknown_key(c, mk, "metric", known);
        }
    }
    if (!has_name)
        return es_spec_fail(c, v, "metric", "missing required key 'name'");
    return 0;
}

static int top_parameters(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_parse_params(c, v);
}

static int top_run_cap(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_integer(c, v, "run_cap", 1, "a positive integer", &c->spec->run_cap);
}

static int top_parallel(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    long n = 0;
    int rc = es_spec_get_integer(c, v, "parallel", 1, "a positive integer", &n);
    (void)k;
    if (rc == 0 && n > 100000)
        return es_spec_fail(c, v, "parallel", "%ld trials at once is more than 100000", n);
    c->spec->parallel = (int)n;
    return rc;
}

static int top_trial_timeout(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_duration(c, v, "trial_timeout", 0, &c->spec->trial_timeout_s);
}

static int top_max_failed(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_integer(c, v, "max_failed", 0, "a non-negative integer",
                               &c->spec->max_failed);
}

static int top_max_initial_failures(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return es_spec_get_integer(c, v, "max_initial_failures", 0, "a non-negative integer",
                               &c->spec->max_initial_failures);
}

static int top_seed(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    const char *s = es_spec_text(v);
    char got[80];
    (void)k;
    if (s != NULL && es_spec_plain(v) && es_spec_is_int_text(s) && s[0] != '-') {
        errno = 0;
        unsigned long long seed = strtoull(s, NULL, 10);
        if (errno == 0) {
            c->spec->seed = (uint64_t)seed;
            c->spec->has_seed = 1;
            return 0;
        }
    }
    es_spec_describe(v, got, sizeof got);
    return es_spec_fail(c, v, "seed", "expected a non-negative integer, got %s", got);
}

/* A key whose value is true or false. */
static int get_bool(es_spec_ctx *c, const yaml_node_t *v, const char *key, int *out)
{
    es_value val;
    char got[80];
    int rc = es_spec_scalar_value(c, v, key, &val);
    if (rc < 0)
        return rc;
    if (val.kind != ES_V_BOOL) {
        es_value_clear(&val);
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, key, "expected true or false, got %s", got);
    }
    *out = val.b;
    return 0;
}

static int top_shell(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return get_bool(c, v, "shell", &c->spec->shell);
}

static int top_reuse(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    return get_bool(c, v, "reuse", &c->spec->reuse);
}

static const struct {
    const char *key;
    top_fn fn;
} top_keys[] = {
    {"program", top_program},
    {"command", top_command},
    {"method", top_method},
    {"metric", top_metric},
    {"parameters", top_parameters},
    {"run_cap", top_run_cap},
    {"name", top_name},
    {"project", top_project},
    {"description", top_description},
    {"entity", top_entity},
    {"early_terminate", es_spec_top_early_terminate},
    {"parallel", top_parallel},
    {"trial_timeout", top_trial_timeout},
    {"max_failed", top_max_failed},
    {"max_initial_failures", top_max_initial_failures},
    {"reuse", top_reuse},
    {"warm_start", es_spec__top_warm_start},
    {"seed", top_seed},
    {"budget", es_spec__top_budget},
    {"energy", es_spec__top_energy},
    {"shell", top_shell},
    {"env", es_spec__top_env},
    {"launcher", es_spec_top_launcher},
    {"objectives", es_spec__top_objectives},
    {"constraints", es_spec__top_constraints},
};
#define N_TOP_KEYS (sizeof top_keys / sizeof top_keys[0])

/* The checks that span several keys, once the whole mapping is read. */
static int check_command(es_spec_ctx *c, const yaml_node_t *root, const yaml_node_t *cmd_node)
{
    es_spec *spec = c->spec;
    int uses_program = 0;
    if (spec->command == NULL) {
        uses_program = 1;
    } else {
        for (size_t i = 0; i < spec->n_command; i++) {
            const yaml_node_t *item =
                yaml_document_get_node(c->doc, cmd_node->data.sequence.items.start[i]);
            char path[32];
            es_err e;
            snprintf(path, sizeof path, "command[%zu]", i);
            if (es_command_check_elem(spec, spec->command[i], &e) < 0)
                return es_spec_fail(c, item, path, "%s", e.msg);
            if (es_command_uses_program(spec->command[i]) && spec->program == NULL)
                return es_spec_fail(c, item, path,
                                    "uses ${program} but the spec has no 'program' key");
        }
    }
    if (uses_program && spec->program == NULL)
        return es_spec_fail(c, root, NULL,
                            "missing key 'program' (the default command, ${env} "
                            "${interpreter} ${program} ${args}, runs it); give program, or a "
                            "command without ${program}");
    /* With shell: true, every macro must sit where it can be quoted.  (The
     * default template always can, so an error names a given element.) */
    size_t bad = 0;
    es_err e;
    if (spec->shell && spec->command != NULL && es_command_check_shell(spec, &bad, &e) < 0) {
        const yaml_node_t *item =
            yaml_document_get_node(c->doc, cmd_node->data.sequence.items.start[bad]);
        char path[32];
        snprintf(path, sizeof path, "command[%zu]", bad);
        return es_spec_fail(c, item, path, "%s", e.msg);
    }
    return 0;
}

/* Append msg to the spec's warnings (n of them so far). */
static int push_warning(es_spec_ctx *c, size_t *n, const char *msg)
{
    es_spec *spec = c->spec;
    char **v = realloc(spec->warnings, (*n + 2) * sizeof *v);
    if (v == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    spec->warnings = v;
    if ((v[*n] = strdup(msg)) == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    v[++*n] = NULL;
    return 0;
}

/* Name i of the metrics a trial reports by name: 0 the metric, then the
 * objectives', then the constraints'; NULL where a built-in stands. */
static const char *warn_name(const es_spec *spec, size_t i)
{
    if (i == 0)
        return spec->metric_name;
    if (--i < spec->n_objectives)
        return spec->objectives[i].kind == ES_OBJ_METRIC ? spec->objectives[i].name : NULL;
    i -= spec->n_objectives;
    return spec->constraints[i].kind == ES_OBJ_METRIC ? spec->constraints[i].name : NULL;
}

static int same_constraint(const es_constraint *a, const es_constraint *b)
{
    return strcmp(a->name, b->name) == 0 && a->has_min == b->has_min && a->has_max == b->has_max &&
           (!a->has_min || a->min == b->min) && (!a->has_max || a->max == b->max);
}

/* The first value of categorical p that an earlier one (*first) repeats,
 * or 0. */
static size_t repeated_value(const es_param *p, size_t *first)
{
    for (size_t k = 1; p->dist == ES_DIST_CATEGORICAL && k < p->n_values; k++)
        for (size_t j = 0; j < k; j++)
            if (es_value_same(&p->values[j], &p->values[k])) {
                *first = j;
                return k;
            }
    return 0;
}

/* Likely mistakes that are still valid specs, as warnings: W&B's
 * log_uniform takes natural-log exponents, so bounds that look like values
 * (0 <= min < max <= 1: values between 1 and e) almost always meant
 * log_uniform_values.  And what a reader could take otherwise: early
 * termination with several objectives compares trials on one (et_key:
 * the early_terminate key, or NULL). */
static int add_warnings(es_spec_ctx *c, const yaml_node_t *et_key)
{
    es_spec *spec = c->spec;
    size_t n = 0;
    char msg[ES_ERR_MSG_MAX];
    int rc;
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_param *p = &spec->params[i];
        if ((p->dist != ES_DIST_LOG_UNIFORM && p->dist != ES_DIST_Q_LOG_UNIFORM &&
             p->dist != ES_DIST_INV_LOG_UNIFORM) ||
            !(p->min >= 0 && p->max <= 1))
            continue;
        snprintf(msg, sizeof msg,
                 "%s:%d:%d: parameters.%s: %s takes min and max as natural logs, so this "
                 "samples values between exp(%g) = %.4g and exp(%g) = %.4g; for values between "
                 "%g and %g use %s_values",
                 spec->path, p->line, p->column, p->name, es_dist_name(p->dist), p->min,
                 exp(p->min), p->max, exp(p->max), p->min, p->max, es_dist_name(p->dist));
        if ((rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    /* A value listed twice is still valid (W&B takes it), but the methods
     * read it differently: say how. */
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_param *p = &spec->params[i];
        size_t j, k = repeated_value(p, &j);
        if (k == 0)
            continue;
        char v[64];
        es_value_format(&p->values[k], v, sizeof v);
        snprintf(msg, sizeof msg,
                 "%s:%d:%d: parameters.%s: values lists %.64s more than once (items %zu and "
                 "%zu): grid runs it once per listing and random draws it that much more often, "
                 "while the Bayesian search counts it once; to weight values, give "
                 "probabilities",
                 spec->path, p->line, p->column, p->name, v, j + 1, k + 1);
        if ((rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    /* A name the text form of a report cannot carry (metric.c reads names
     * of letters, digits and _ . / -, starting with a letter or _): the
     * metric, then the objectives' and the constraints' metrics, each name
     * once. */
    size_t n_names = 1 + spec->n_objectives + spec->n_constraints;
    for (size_t i = 0; i < n_names; i++) {
        const char *m = warn_name(spec, i);
        if (m == NULL)
            continue;
        size_t j = 0;
        while (m[j] != '\0' && (isalnum((unsigned char)m[j]) || strchr("_./-", m[j]) != NULL))
            j++;
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++)
            dup = warn_name(spec, k) != NULL && strcmp(warn_name(spec, k), m) == 0;
        if (dup || (m[j] == '\0' && (isalpha((unsigned char)m[0]) || m[0] == '_')))
            continue;
        snprintf(msg, sizeof msg,
                 "%s: '%.100s' cannot be reported on a name=value line (names there are letters, "
                 "digits, _ . / -, starting with a letter or _): the trial must report it on a "
                 "JSON line, {\"%.100s\": 0.5}",
                 spec->path, m, m);
        if ((rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    /* A constraint said twice adds nothing; one whose bounds are equal is
     * kept by that exact value alone (a metric the trial rounds, or
     * nothing). */
    for (size_t i = 0; i < spec->n_constraints; i++) {
        const es_constraint *a = &spec->constraints[i];
        size_t j = 0;
        while (j < i && !same_constraint(&spec->constraints[j], a))
            j++;
        msg[0] = '\0';
        if (j < i)
            snprintf(msg, sizeof msg, "%s: constraints[%zu] repeats constraints[%zu] (%.100s)",
                     spec->path, i, j, a->name);
        else if (a->has_min && a->has_max && a->min == a->max)
            snprintf(msg, sizeof msg,
                     "%s: constraints[%zu]: min and max of %.100s are both %g: only that exact "
                     "value keeps it",
                     spec->path, i, a->name, a->min);
        if (msg[0] != '\0' && (rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    /* Sweeps named to learn from, where nothing learns from them. */
    if (spec->warm_start == ES_WARM_LIST &&
        (spec->method != ES_METHOD_BAYES || spec->n_objectives >= 2)) {
        snprintf(msg, sizeof msg,
                 "%s:%d:%d: warm_start: %s does not learn from earlier sweeps (only bayes with "
                 "one objective does): the sweeps named are not used",
                 spec->path, spec->warm_line, spec->warm_column,
                 spec->method != ES_METHOD_BAYES ? es_method_name(spec->method)
                                                 : "a search with several objectives");
        if ((rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    if (et_key != NULL && spec->n_objectives > 0 && spec->metric_name != NULL) {
        snprintf(msg, sizeof msg,
                 "%s:%lu:%lu: early_terminate: compares trials on %s alone (the first objective "
                 "the trials report), not on the other objectives",
                 spec->path, (unsigned long)et_key->start_mark.line + 1,
                 (unsigned long)et_key->start_mark.column + 1, spec->metric_name);
        if ((rc = push_warning(c, &n, msg)) != 0)
            return rc;
    }
    return 0;
}

/* Where an error message points in the file: "PATH:LINE:COLUMN: ..." as
 * line * 2^20 + column; messages without a place come last. */
static long error_place(const es_spec_ctx *c, const char *msg)
{
    size_t n = strlen(c->spec->path);
    char *end;
    if (strncmp(msg, c->spec->path, n) != 0 || msg[n] != ':')
        return LONG_MAX;
    long line = strtol(msg + n + 1, &end, 10);
    long col = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
    return line > 0 ? line * (1L << 20) + (col > 0 && col < (1L << 20) ? col : 0) : LONG_MAX;
}

/* The collected errors in the order of the file (stable: the checks of
 * one place keep their order). */
static void sort_errors(es_spec_ctx *c)
{
    for (size_t i = 1; i < c->n_errors; i++) {
        char *e = c->errors[i];
        long at = error_place(c, e);
        size_t j = i;
        for (; j > 0 && error_place(c, c->errors[j - 1]) > at; j--)
            c->errors[j] = c->errors[j - 1];
        c->errors[j] = e;
    }
}

static int walk_root(es_spec_ctx *c, const yaml_node_t *root)
{
    const char *known[N_TOP_KEYS + 1];
    const yaml_node_t *cmd_node = NULL, *method_node = NULL, *et_node = NULL;
    const yaml_node_t *metric_node = NULL, *constraints_node = NULL;
    int rc, has_params = 0, goal_failed = 0;

    if (root == NULL ||
        (root->type == YAML_SCALAR_NODE && es_spec_plain(root) && *es_spec_text(root) == '\0'))
        return es_spec_fail(c, root, NULL,
                            "the spec is empty; expected a mapping with at least 'parameters'");
    if (root->type != YAML_MAPPING_NODE)
        return es_spec_fail(c, root, NULL,
                            "expected a mapping of keys (program, method, parameters, ...) at "
                            "the top level");
    if ((rc = es_spec_check_keys(c, root, NULL)) < 0)
        return rc;
    /* A NUL byte ("\0" in a quoted string) cut every value it was in
     * short without a word: no argument, variable or file name holds one. */
    for (yaml_node_t *nd = c->doc->nodes.start; nd < c->doc->nodes.top; nd++)
        if (nd->type == YAML_SCALAR_NODE &&
            strlen((const char *)nd->data.scalar.value) != nd->data.scalar.length &&
            (rc = es_spec_keep_going(
                 c, es_spec_fail(c, nd, NULL,
                                 "a value holds a NUL byte (\\0), which no argument, variable or "
                                 "file can carry"))) < 0)
            return rc;
    for (size_t i = 0; i < N_TOP_KEYS; i++)
        known[i] = top_keys[i].key;
    known[N_TOP_KEYS] = NULL;

    /* Each key on its own: when collecting, an error in one does not hide
     * the errors of the others. */
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(k);
        size_t i;
        for (i = 0; i < N_TOP_KEYS; i++)
            if (strcmp(key, top_keys[i].key) == 0)
                break;
        if (i == N_TOP_KEYS) {
            if ((rc = es_spec_keep_going(c, es_spec_unknown_key(c, k, NULL, known))) < 0)
                return rc;
            continue;
        }
        if (top_keys[i].fn == top_parameters)
            has_params = 1;
        if ((rc = top_keys[i].fn(c, k, v)) < 0) {
            if (top_keys[i].fn == top_parameters || top_keys[i].fn == top_command)
                c->param_failed = 1; /* the space or the template is incomplete */
            /* Given with a wrong value: that error says enough. */
            if (strcmp(key, "metric") == 0 || strcmp(key, "objectives") == 0)
                goal_failed = 1;
            if ((rc = es_spec_keep_going(c, rc)) < 0)
                return rc;
            continue;
        }
        if (top_keys[i].fn == top_command)
            cmd_node = v;
        if (strcmp(key, "method") == 0)
            method_node = v;
        if (strcmp(key, "early_terminate") == 0)
            et_node = k;
        if (strcmp(key, "metric") == 0)
            metric_node = v;
        if (strcmp(key, "constraints") == 0)
            constraints_node = v;
    }
    if ((rc = es_spec_keep_going(
             c, es_spec__check_objectives(c, metric_node ? metric_node : root,
                                          constraints_node ? constraints_node : root))) < 0)
        return rc;
    if (!has_params)
        rc = es_spec_fail(c, root, NULL, "missing required key 'parameters'");
    else if (c->spec->method == ES_METHOD_BAYES && c->spec->metric_name == NULL &&
             c->spec->n_objectives == 0 && !goal_failed)
        rc = es_spec_fail(c, method_node ? method_node : root, "method",
                          "bayes needs a metric to optimize: add 'metric: {name: ..., goal: "
                          "minimize or maximize}'");
    else
        rc = 0;
    if ((rc = es_spec_keep_going(c, rc)) < 0)
        return rc;
    if (et_node != NULL && c->spec->metric_name == NULL && !goal_failed &&
        (rc = es_spec_keep_going(
             c, es_spec_fail(c, et_node, "early_terminate",
                             "needs a metric to compare trials by: add 'metric: {name: ..., "
                             "goal: minimize or maximize}'"))) < 0)
        return rc;
    es_spec__resolve_energy(c);
    /* The checks of the whole space and template only where every
     * parameter and the command were read: else they would report what is
     * merely missing because of an error already listed. */
    if (!c->param_failed) {
        if (c->spec->method == ES_METHOD_GRID &&
            (rc = es_spec_keep_going(c, es_spec_check_grid(c))) < 0)
            return rc;
        if ((rc = es_spec_keep_going(c, check_command(c, root, cmd_node))) < 0)
            return rc;
    }
    if (c->n_errors > 0) { /* collected: in the file's order, the first is the error */
        sort_errors(c);
        return es_err_set(c->err, ES_ESPEC, "%s", c->errors[0]);
    }
    return add_warnings(c, et_node);
}

/* ---- Entry points ------------------------------------------------------------------ */

/* Where text's flow collections ([ and {, outside quotes and comments)
 * first nest deeper than ES_SPEC_MAX_DEPTH: 0 when they do not, else 1
 * with *line and *column (1-based).  libyaml takes time quadratic in the
 * nesting (100,000 levels: 49 s), so this is checked before it reads. */
static int too_deep(const char *text, size_t len, unsigned long *line, unsigned long *column)
{
    unsigned long ln = 1, col = 0;
    int depth = 0, comment = 0;
    char quote = 0, prev = '\n';
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        col++;
        if (ch == '\n') {
            ln++;
            col = 0;
            comment = 0;
        } else if (comment) {
            /* to the end of the line */
        } else if (quote == '"') {
            if (ch == '\\' && i + 1 < len)
                i++, col++;
            else if (ch == '"')
                quote = 0;
        } else if (quote == '\'') {
            if (ch == '\'')
                quote = 0; /* '' inside reopens at once */
        } else if (ch == '#' && (prev == ' ' || prev == '\t' || prev == '\n')) {
            comment = 1;
        } else if (ch == '"' || ch == '\'') {
            quote = ch;
        } else if (ch == '[' || ch == '{') {
            if (++depth > ES_SPEC_MAX_DEPTH) {
                *line = ln;
                *column = col;
                return 1;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
        prev = ch;
    }
    return 0;
}

/* Parse text; with errors non-NULL, collect every error into *errors. */
static int parse_text(const char *text, size_t len, const char *name, es_spec **out, char ***errors,
                      es_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    es_spec_ctx c = {0};
    es_spec *spec;
    int rc;

    *out = NULL;
    es_err_clear(err);
    spec = calloc(1, sizeof *spec);
    if (spec == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    spec->path = strdup(name ? name : "<string>");
    spec->text = malloc(len + 1);
    if (spec->path == NULL || spec->text == NULL) {
        es_spec_free(spec);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    memcpy(spec->text, text, len);
    spec->text[len] = '\0';
    spec->method = ES_METHOD_RANDOM;
    spec->goal = ES_GOAL_MINIMIZE;
    spec->launcher.retries = 1;
    spec->parallel = 1;
    spec->max_initial_failures = 5; /* as a W&B agent gives up on a broken program */
    es_energy_factors_default(&spec->energy);

    unsigned long deep_line, deep_column;
    if (too_deep(spec->text, len, &deep_line, &deep_column)) {
        rc =
            es_err_set(err, ES_ESPEC, "%s:%lu:%lu: lists and mappings nested deeper than %d levels",
                       spec->path, deep_line, deep_column, ES_SPEC_MAX_DEPTH);
        es_spec_free(spec);
        return rc;
    }
    if (!yaml_parser_initialize(&parser)) {
        es_spec_free(spec);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)spec->text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        const char *problem = parser.problem ? parser.problem : "malformed YAML";
        if (parser.error == YAML_MEMORY_ERROR)
            rc = es_err_set(err, -ENOMEM, "out of memory");
        else if (parser.context != NULL)
            rc = es_err_set(err, ES_ESPEC, "%s:%lu:%lu: YAML syntax error: %s (%s at line %lu)",
                            spec->path, (unsigned long)parser.problem_mark.line + 1,
                            (unsigned long)parser.problem_mark.column + 1, problem, parser.context,
                            (unsigned long)parser.context_mark.line + 1);
        else
            rc = es_err_set(err, ES_ESPEC, "%s:%lu:%lu: YAML syntax error: %s", spec->path,
                            (unsigned long)parser.problem_mark.line + 1,
                            (unsigned long)parser.problem_mark.column + 1, problem);
        yaml_parser_delete(&parser);
        es_spec_free(spec);
        return rc;
    }
    es_err own;
    c.doc = &doc;
    c.spec = spec;
    c.err = err != NULL ? err : &own; /* collected messages are read from it */
    c.collect = errors != NULL;
    rc = walk_root(&c, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    if (errors != NULL) {
        *errors = c.errors;
        c.errors = NULL;
    }
    es_strv_free(c.errors);
    if (rc == 0) {
        /* A second document would be silently ignored: refuse it instead. */
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            rc = es_err_set(err, ES_ESPEC, "%s:%lu:%lu: YAML syntax error: %s", spec->path,
                            (unsigned long)parser.problem_mark.line + 1,
                            (unsigned long)parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "malformed YAML");
        } else {
            yaml_node_t *root = yaml_document_get_root_node(&next);
            if (root != NULL)
                rc = es_err_set(err, ES_ESPEC,
                                "%s:%lu:%lu: a spec is one YAML document; this is a second one",
                                spec->path, (unsigned long)next.start_mark.line + 1,
                                (unsigned long)next.start_mark.column + 1);
            yaml_document_delete(&next);
        }
    }
    yaml_parser_delete(&parser);
    if (rc < 0) {
        es_spec_free(spec);
        return rc;
    }
    *out = spec;
    return 0;
}

int es_spec_parse_string(const char *text, size_t len, const char *name, es_spec **out, es_err *err)
{
    return parse_text(text, len, name, out, NULL, err);
}

static int parse_file(const char *path, es_spec **out, char ***errors, es_err *err)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = -errno;
        return es_err_set(err, rc, "%s: cannot open: %s", path, strerror(-rc));
    }
    for (;;) {
        if (len + 4096 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return es_err_set(err, -ENOMEM, "%s: out of memory", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        rc = errno ? -errno : -EIO;
        free(buf);
        fclose(f);
        return es_err_set(err, rc, "%s: cannot read: %s", path, strerror(-rc));
    }
    fclose(f);
    rc = parse_text(buf ? buf : "", len, path, out, errors, err);
    free(buf);
    return rc;
}

int es_spec_parse_file(const char *path, es_spec **out, es_err *err)
{
    return parse_file(path, out, NULL, err);
}

int es_spec_parse_file_all(const char *path, es_spec **out, char ***errors, es_err *err)
{
    *errors = NULL;
    return parse_file(path, out, errors, err);
}

void es_spec_free(es_spec *spec)
{
    if (spec == NULL)
        return;
    for (size_t i = 0; i < spec->n_params; i++) {
        es_param *p = &spec->params[i];
        free(p->name);
        es_value_clear(&p->value);
        es_values_free(p->values, p->n_values);
        free(p->probabilities);
    }
    free(spec->params);
    es_strv_free(spec->command);
    free(spec->path);
    free(spec->text);
    free(spec->name);
    free(spec->project);
    free(spec->description);
    free(spec->entity);
    free(spec->program);
    free(spec->metric_name);
    es_spec__free_objectives(spec);
    es_spec_launcher_clear(&spec->launcher);
    es_strv_free(spec->env.remove);
    es_strv_free(spec->warm_names);
    free(spec->warm_name_at);
    es_strv_free(spec->env.set_names);
    es_strv_free(spec->env.set_values);
    es_strv_free(spec->warnings);
    free(spec);
}

int es_spec_param_index(const es_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_params; i++)
        if (strcmp(spec->params[i].name, name) == 0)
            return (int)i;
    return -1;
}
