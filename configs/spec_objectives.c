/*
 * spec_objectives.c -- the spec's `objectives` and `constraints` keys:
 * several things to optimize at once (a Pareto front), and the bounds a
 * trial must keep to count as feasible.
 *
 *   objectives:
 *     - {name: val_acc, goal: maximize}
 *     - {name: energy.kwh, goal: minimize, ref: 0.01}   # ref: hypervolume reference
 *   constraints:
 *     - {name: val_acc, min: 0.9}
 *     - {name: energy.kwh, max: 0.002}
 *
 * A name is a metric the trial reports (its last value counts) or one of
 * the numbers ecosweep measures for every trial: energy.kwh, energy.co2e_kg,
 * energy.usd and wall_s.  A name in their namespace that is none of them
 * ("energy.kw") is refused with the nearest one, rather than read as a
 * metric no trial will ever report.  Two or three objectives; `metric`,
 * when absent, becomes the first objective the trial reports, and when
 * given must be one of the objectives with the same goal.  Only the
 * settings are read and checked here; the front is computed by the
 * reports (search/pareto.h does the arithmetic).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phase.h"
#include "spec_int.h"
#include "spec_yaml.h"

static const char *const builtins[] = {"energy.kwh", "energy.co2e_kg", "energy.usd", "wall_s",
                                       NULL};
static const es_objective_kind builtin_kinds[] = {ES_OBJ_KWH, ES_OBJ_CO2E_KG, ES_OBJ_USD,
                                                  ES_OBJ_WALL_S};

int es_objective_kind_of(const char *name)
{
    for (size_t i = 0; builtins[i] != NULL; i++)
        if (strcmp(name, builtins[i]) == 0)
            return (int)builtin_kinds[i];
    char phase[ES_PHASE_NAME_MAX + 1];
    es_phase_field field;
    if (es_phase_builtin(name, phase, &field, NULL) == 0)
        return ES_OBJ_PHASE;
    /* Their namespaces, in any case, and a built-in in another case: a slip. */
    if (strncasecmp(name, "energy.", 7) == 0 || strncasecmp(name, "phase.", 6) == 0 ||
        strncasecmp(name, "wall_s.", 7) == 0 || strcasecmp(name, "wall_s") == 0)
        return -1;
    return ES_OBJ_METRIC;
}

int es_spec_get_goal(es_spec_ctx *c, const yaml_node_t *node, const char *path, es_goal *out)
{
    static const char *const goals[] = {"minimize", "maximize", NULL};
    const char *g = es_spec_text(node);
    if (g != NULL && strcmp(g, "minimize") == 0) {
        *out = ES_GOAL_MINIMIZE;
        return 0;
    }
    if (g != NULL && strcmp(g, "maximize") == 0) {
        *out = ES_GOAL_MAXIMIZE;
        return 0;
    }
    char got[80];
    const char *sug = g ? es_spec_suggest(g, goals) : NULL;
    es_spec_describe(node, got, sizeof got);
    if (sug != NULL)
        return es_spec_fail(c, node, path, "unknown goal %s (did you mean '%s'?)", got, sug);
    return es_spec_fail(c, node, path, "expected minimize or maximize, got %s", got);
}

int es_spec__objective_name(es_spec_ctx *c, const yaml_node_t *node, const char *path, char **name,
                            es_objective_kind *kind)
{
    int rc = es_spec_get_string(c, node, path, name);
    if (rc < 0)
        return rc;
    if (*name == NULL || (*name)[0] == '\0')
        return es_spec_fail(c, node, path,
                            "expected a metric name or one of energy.kwh, "
                            "energy.co2e_kg, energy.usd, wall_s");
    const char *why = es_name_problem(*name);
    if (why != NULL)
        return es_spec_fail(c, node, path, "not a usable name: %s", why);
    size_t len = strlen(*name);
    if (strchr(*name, '=') != NULL || isspace((unsigned char)(*name)[0]) ||
        isspace((unsigned char)(*name)[len - 1]))
        return es_spec_fail(c, node, path,
                            "'%s': a name a trial reports has no '=' and no space at either end "
                            "(trials print 'name=value')",
                            *name);
    if (strcmp(*name, "step") == 0 || strcmp(*name, "_step") == 0)
        return es_spec_fail(c, node, path,
                            "'%s' is the step of a report, not a metric (trials print "
                            "'loss=0.3 step=5')",
                            *name);
    int k = es_objective_kind_of(*name);
    if (k >= 0) {
        *kind = (es_objective_kind)k;
        return 0;
    }
    if (strncmp(*name, "phase.", 6) == 0) {
        char phase[ES_PHASE_NAME_MAX + 1];
        es_phase_field field;
        const char *bad = "";
        (void)es_phase_builtin(*name, phase, &field, &bad);
        return es_spec_fail(c, node, path,
                            "'%s': %s (phase.NAME.FIELD, NAME as the trial prints "
                            "'ecosweep-phase NAME')",
                            *name, bad);
    }
    const char *sug = es_spec_suggest(*name, builtins);
    if (sug != NULL)
        return es_spec_fail(c, node, path, "unknown built-in '%s' (did you mean '%s'?)", *name,
                            sug);
    return es_spec_fail(c, node, path,
                        "unknown built-in '%s' (ecosweep measures energy.kwh, energy.co2e_kg, "
                        "energy.usd, wall_s and, for a phase the trial marks, phase.NAME.kwh, "
                        ".co2e_kg, .usd, .wall_s and .kwh_per_item)",
                        *name);
}

/* A list key's items, or a located error. */
static int want_list(es_spec_ctx *c, const yaml_node_t *v, const char *key, const char *what)
{
    if (v->type == YAML_SEQUENCE_NODE)
        return 0;
    char got[80];
    es_spec_describe(v, got, sizeof got);
    return es_spec_fail(c, v, key, "expected a list of %s, got %s", what, got);
}

/* One entry of either list, `list[i]` at item: its name, and either its
 * goal and reference (o) or its bounds (k).  *has_goal says whether a
 * goal was given. */
static int parse_entry(es_spec_ctx *c, const yaml_node_t *item, const char *path, es_objective *o,
                       es_constraint *k, int *has_goal)
{
    static const char *const known_o[] = {"name", "goal", "ref", NULL};
    static const char *const known_k[] = {"name", "min", "max", NULL};
    int rc;
    if ((rc = es_spec_want_mapping(c, item, path)) < 0)
        return rc;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *mk = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *mv = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(mk);
        char sub[64];
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        if (strcmp(key, "name") == 0)
            rc = o ? es_spec__objective_name(c, mv, sub, &o->name, &o->kind)
                   : es_spec__objective_name(c, mv, sub, &k->name, &k->kind);
        else if (o && strcmp(key, "goal") == 0)
            rc = es_spec_get_goal(c, mv, sub, &o->goal), *has_goal = rc == 0;
        else if (o && strcmp(key, "ref") == 0)
            rc = es_spec_number(c, mv, sub, &o->ref, NULL), o->has_ref = rc == 0;
        else if (k && strcmp(key, "min") == 0)
            rc = es_spec_number(c, mv, sub, &k->min, NULL), k->has_min = rc == 0;
        else if (k && strcmp(key, "max") == 0)
            rc = es_spec_number(c, mv, sub, &k->max, NULL), k->has_max = rc == 0;
        else
            rc = es_spec_unknown_key(c, mk, path, o ? known_o : known_k);
        if (rc < 0)
            return rc;
    }
    if ((o ? o->name : k->name) == NULL)
        return es_spec_fail(c, item, path, "missing required key 'name'");
    return 0;
}

/* rc (an entry's error), noting that the list has one. */
static int entry_failed(es_spec_ctx *c, int rc)
{
    c->list_failed = 1;
    return rc;
}

static int objective_entry(es_spec_ctx *c, const yaml_node_t *item, size_t i)
{
    es_spec *spec = c->spec;
    es_objective *o = &spec->objectives[i];
    char path[48];
    int has_goal = 0, rc;
    snprintf(path, sizeof path, "objectives[%zu]", i);
    if ((rc = parse_entry(c, item, path, o, NULL, &has_goal)) < 0)
        return entry_failed(c, rc);
    if (!has_goal)
        return entry_failed(
            c, es_spec_fail(c, item, path, "missing required key 'goal' (minimize or maximize)"));
    for (size_t j = 0; j < i; j++)
        if (spec->objectives[j].name != NULL && strcmp(spec->objectives[j].name, o->name) == 0)
            return entry_failed(
                c, es_spec_fail(c, item, path, "'%s' is objectives[%zu] already", o->name, j));
    return 0;
}

static int top_objectives(es_spec_ctx *c, const yaml_node_t *v)
{
    es_spec *spec = c->spec;
    int rc;
    if ((rc = want_list(c, v, "objectives", "{name, goal}")) < 0)
        return rc;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n < 2)
        return es_spec_fail(c, v, "objectives",
                            "needs two or three objectives (for one, use 'metric: {name, goal}')");
    if (n > 3)
        return es_spec_fail(c, v, "objectives", "%zu objectives: at most three are supported", n);
    spec->objectives = calloc(n + 1, sizeof *spec->objectives);
    if (spec->objectives == NULL)
        return -ENOMEM;
    spec->n_objectives = n;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        /* Each entry's error is listed (when collecting), then the next. */
        if ((rc = es_spec_keep_going(c, objective_entry(c, item, i))) < 0)
            return rc;
    }
    return 0;
}

static int constraint_entry(es_spec_ctx *c, const yaml_node_t *item, size_t i)
{
    es_constraint *k = &c->spec->constraints[i];
    char path[48];
    int rc;
    snprintf(path, sizeof path, "constraints[%zu]", i);
    if ((rc = parse_entry(c, item, path, NULL, k, NULL)) < 0)
        return entry_failed(c, rc);
    if (!k->has_min && !k->has_max)
        return entry_failed(
            c, es_spec_fail(c, item, path, "constrains nothing: give min, max or both"));
    char l[32], h[32];
    es_fmt_real(k->min, 0, l, sizeof l);
    es_fmt_real(k->max, 0, h, sizeof h);
    if (k->has_min && k->has_max && k->min > k->max)
        return entry_failed(
            c, es_spec_fail(c, item, path, "min %s is above max %s: nothing is feasible", l, h));
    if (k->kind != ES_OBJ_METRIC && k->has_max && k->max < 0)
        return entry_failed(c, es_spec_fail(c, item, path,
                                            "max %s: %s is never below 0, nothing is feasible", h,
                                            k->name));
    return 0;
}

static int top_constraints(es_spec_ctx *c, const yaml_node_t *v)
{
    es_spec *spec = c->spec;
    int rc;
    if ((rc = want_list(c, v, "constraints", "{name, min, max}")) < 0)
        return rc;
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    spec->constraints = calloc(n + 1, sizeof *spec->constraints);
    if (spec->constraints == NULL)
        return -ENOMEM;
    spec->n_constraints = n;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        if ((rc = es_spec_keep_going(c, constraint_entry(c, item, i))) < 0)
            return rc;
    }
    return 0;
}

/* A key that does not parse leaves nothing behind: the checks across keys
 * see either every objective (or constraint) or none. */
static void free_list(es_spec *spec, int objectives)
{
    if (objectives) {
        for (size_t i = 0; i < spec->n_objectives; i++)
            free(spec->objectives[i].name);
        free(spec->objectives);
        spec->objectives = NULL;
        spec->n_objectives = 0;
    } else {
        for (size_t i = 0; i < spec->n_constraints; i++)
            free(spec->constraints[i].name);
        free(spec->constraints);
        spec->constraints = NULL;
        spec->n_constraints = 0;
    }
}

int es_spec__top_objectives(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    free_list(c->spec, 1); /* given twice: the key check refuses it, but free the first */
    c->list_failed = 0;
    int rc = top_objectives(c, v);
    /* An entry refused (and listed): as if the key failed, said once. */
    if (rc == 0 && c->list_failed)
        rc = ES_ESPEC_LISTED;
    if (rc < 0)
        free_list(c->spec, 1);
    return rc;
}

int es_spec__top_constraints(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    (void)k;
    free_list(c->spec, 0);
    c->list_failed = 0;
    int rc = top_constraints(c, v);
    if (rc == 0 && c->list_failed)
        rc = ES_ESPEC_LISTED;
    if (rc < 0)
        free_list(c->spec, 0);
    return rc;
}

int es_spec__check_objectives(es_spec_ctx *c, const yaml_node_t *metric_node,
                              const yaml_node_t *constraints_node)
{
    es_spec *spec = c->spec;
    /* Two entries on one name whose bounds leave nothing. */
    for (size_t i = 0; i < spec->n_constraints; i++) {
        const es_constraint *a = &spec->constraints[i];
        for (size_t j = 0; j < i; j++) {
            const es_constraint *b = &spec->constraints[j];
            double lo = fmax(a->has_min ? a->min : -INFINITY, b->has_min ? b->min : -INFINITY);
            double hi = fmin(a->has_max ? a->max : INFINITY, b->has_max ? b->max : INFINITY);
            char l[32], h[32];
            if (strcmp(a->name, b->name) == 0 && lo > hi) {
                es_fmt_real(lo, 0, l, sizeof l);
                es_fmt_real(hi, 0, h, sizeof h);
                return es_spec_fail(c, constraints_node, "constraints",
                                    "constraints[%zu] and constraints[%zu] on %s leave nothing "
                                    "feasible (min %s, max %s)",
                                    j, i, a->name, l, h);
            }
        }
    }
    if (spec->n_objectives == 0)
        return 0;
    if (spec->metric_name == NULL) {
        for (size_t i = 0; i < spec->n_objectives; i++)
            if (spec->objectives[i].kind == ES_OBJ_METRIC) {
                spec->metric_name = strdup(spec->objectives[i].name);
                if (spec->metric_name == NULL)
                    return -ENOMEM;
                spec->goal = spec->objectives[i].goal;
                break;
            }
    } else {
        size_t i = 0;
        while (i < spec->n_objectives && strcmp(spec->objectives[i].name, spec->metric_name) != 0)
            i++;
        if (i == spec->n_objectives)
            return es_spec_fail(c, metric_node, "metric",
                                "'%s' is not one of the objectives (leave metric out and the "
                                "first objective the trial reports is used)",
                                spec->metric_name);
        if (spec->objectives[i].goal != spec->goal)
            return es_spec_fail(c, metric_node, "metric", "goal %s, but objectives[%zu] %s it",
                                es_goal_name(spec->goal), i,
                                spec->objectives[i].goal == ES_GOAL_MAXIMIZE ? "maximizes"
                                                                             : "minimizes");
    }
    return 0;
}

void es_spec__free_objectives(es_spec *spec)
{
    free_list(spec, 1);
    free_list(spec, 0);
}
