/*
 * spec_params.c -- the `parameters:` block of a sweep spec: one es_param per
 * hyperparameter, with W&B's rules for which constraint keys go with which
 * distribution, how a distribution is inferred when none is named, and the
 * defaults (mu 0, sigma 1, a = b = 1, q 1).  Nested `parameters:` blocks are
 * flattened to dotted names.
 *
 * Every error points at the node at fault and names the parameter's key
 * path ("parameters.optimizer.lr.min").
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spec_int.h"
#include "spec_yaml.h"

enum pkey {
    K_VALUES,
    K_VALUE,
    K_PROBABILITIES,
    K_MIN,
    K_MAX,
    K_MU,
    K_SIGMA,
    K_Q,
    K_A,
    K_B,
    K_DISTRIBUTION,
    K_PARAMETERS,
    K__COUNT
};

static const char *const pkey_names[K__COUNT + 1] = {
    "values", "value", "probabilities", "min",        "max", "mu", "sigma", "q",
    "a",      "b",     "distribution",  "parameters", NULL};

/* Key paths: "parameters." + a name of at most 256 bytes, then suffixes. */
#define PATH_CAP 300
#define SUB_CAP 340

#define BIT(k) (1u << (k))
#define MINMAX (BIT(K_MIN) | BIT(K_MAX))
#define MUSIGMA (BIT(K_MU) | BIT(K_SIGMA))
#define AB (BIT(K_A) | BIT(K_B))

/* The constraint keys each distribution takes (besides `distribution`). */
static unsigned allowed_keys(es_dist d)
{
    switch (d) {
    case ES_DIST_CONSTANT:
        return BIT(K_VALUE);
    case ES_DIST_CATEGORICAL:
        return BIT(K_VALUES) | BIT(K_PROBABILITIES);
    case ES_DIST_INT_UNIFORM:
    case ES_DIST_UNIFORM:
    case ES_DIST_LOG_UNIFORM:
    case ES_DIST_LOG_UNIFORM_VALUES:
    case ES_DIST_INV_LOG_UNIFORM:
    case ES_DIST_INV_LOG_UNIFORM_VALUES:
        return MINMAX;
    case ES_DIST_Q_UNIFORM:
    case ES_DIST_Q_LOG_UNIFORM:
    case ES_DIST_Q_LOG_UNIFORM_VALUES:
        return MINMAX | BIT(K_Q);
    case ES_DIST_NORMAL:
    case ES_DIST_LOG_NORMAL:
        return MUSIGMA;
    case ES_DIST_Q_NORMAL:
    case ES_DIST_Q_LOG_NORMAL:
        return MUSIGMA | BIT(K_Q);
    case ES_DIST_BETA:
        return AB;
    case ES_DIST_Q_BETA:
        return AB | BIT(K_Q);
    default:
        return 0;
    }
}

/* Distributions whose min and max are values that must be positive. */
static int needs_positive_min(es_dist d)
{
    return d == ES_DIST_LOG_UNIFORM_VALUES || d == ES_DIST_Q_LOG_UNIFORM_VALUES ||
           d == ES_DIST_INV_LOG_UNIFORM_VALUES;
}

/* The nodes of one parameter's mapping, by constraint key. */
typedef struct pnodes {
    const yaml_node_t *key[K__COUNT];
    const yaml_node_t *val[K__COUNT];
} pnodes;

static int valid_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s != '\0'; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

/* A fresh es_param slot at the end of spec->params (zeroed). */
static es_param *new_param(es_spec_ctx *c)
{
    es_spec *spec = c->spec;
    if (spec->n_params == c->params_cap) {
        size_t ncap = c->params_cap ? c->params_cap * 2 : 8;
        es_param *np = realloc(spec->params, ncap * sizeof *np);
        if (np == NULL)
            return NULL;
        spec->params = np;
        c->params_cap = ncap;
    }
    es_param *p = &spec->params[spec->n_params++];
    memset(p, 0, sizeof *p);
    return p;
}

/* A number that must be > 0 (sigma, q, a, b). */
static int positive(es_spec_ctx *c, const yaml_node_t *node, const char *path, double *out)
{
    char got[80];
    int rc = es_spec_number(c, node, path, out, NULL);
    if (rc < 0)
        return rc;
    if (*out > 0)
        return 0;
    es_spec_describe(node, got, sizeof got);
    return es_spec_fail(c, node, path, "expected a number > 0, got %s", got);
}

static int parse_values(es_spec_ctx *c, es_param *p, const pnodes *n, const char *path)
{
    const yaml_node_t *v = n->val[K_VALUES];
    char sub[SUB_CAP], got[80];
    int rc;

    if (v->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(v, got, sizeof got);
        snprintf(sub, sizeof sub, "%s.values", path);
        return es_spec_fail(c, v, sub, "expected a list of values, got %s", got);
    }
    size_t count = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (count == 0) {
        snprintf(sub, sizeof sub, "%s.values", path);
        return es_spec_fail(c, v, sub, "expected a non-empty list of values");
    }
    p->values = calloc(count, sizeof *p->values);
    if (p->values == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        snprintf(sub, sizeof sub, "%s.values[%zu]", path, i);
        if ((rc = es_spec_scalar_value(c, item, sub, &p->values[i])) < 0)
            return rc;
        p->n_values = i + 1;
    }

    const yaml_node_t *pr = n->val[K_PROBABILITIES];
    if (pr == NULL)
        return 0;
    snprintf(sub, sizeof sub, "%s.probabilities", path);
    if (pr->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(pr, got, sizeof got);
        return es_spec_fail(c, pr, sub, "expected a list of numbers, got %s", got);
    }
    size_t np = (size_t)(pr->data.sequence.items.top - pr->data.sequence.items.start);
    if (np != count)
        return es_spec_fail(c, pr, sub, "%zu probabilities for %zu values; give one per value", np,
                            count);
    p->probabilities = calloc(count, sizeof *p->probabilities);
    if (p->probabilities == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, pr->data.sequence.items.start[i]);
        char item_path[SUB_CAP + 24];
        snprintf(item_path, sizeof item_path, "%s[%zu]", sub, i);
        if ((rc = es_spec_number(c, item, item_path, &p->probabilities[i], NULL)) < 0)
            return rc;
        if (p->probabilities[i] < 0)
            return es_spec_fail(c, item, item_path, "a probability cannot be negative, got '%s'",
                                es_spec_text(item));
        sum += p->probabilities[i];
    }
    if (fabs(sum - 1.0) > 1e-6) {
        char s[40];
        es_fmt_real(sum, 0, s, sizeof s);
        return es_spec_fail(c, pr, sub, "probabilities sum to %s, not 1", s);
    }
    return 0;
}

/* min and max of the uniform families, with their checks. */
static int parse_bounds(es_spec_ctx *c, es_param *p, const pnodes *n, const char *path,
                        const yaml_node_t *pkey)
{
    char sub[SUB_CAP];
    int min_int = 0, max_int = 0, rc;

    for (int k = K_MIN; k <= K_MAX; k++)
        if (n->val[k] == NULL)
            return es_spec_fail(c, pkey, path,
                                "missing key '%s' (distribution '%s' needs min and max)",
                                pkey_names[k], es_dist_name(p->dist));
    snprintf(sub, sizeof sub, "%s.min", path);
    if ((rc = es_spec_number(c, n->val[K_MIN], sub, &p->min, &min_int)) < 0)
        return rc;
    if (p->dist == ES_DIST_INT_UNIFORM && !min_int)
        return es_spec_fail(c, n->val[K_MIN], sub, "int_uniform needs an integer, got '%s'",
                            es_spec_text(n->val[K_MIN]));
    snprintf(sub, sizeof sub, "%s.max", path);
    if ((rc = es_spec_number(c, n->val[K_MAX], sub, &p->max, &max_int)) < 0)
        return rc;
    if (p->dist == ES_DIST_INT_UNIFORM && !max_int)
        return es_spec_fail(c, n->val[K_MAX], sub, "int_uniform needs an integer, got '%s'",
                            es_spec_text(n->val[K_MAX]));
    if (!(p->min < p->max))
        return es_spec_fail(c, n->key[K_MIN], path, "min (%s) must be less than max (%s)",
                            es_spec_text(n->val[K_MIN]), es_spec_text(n->val[K_MAX]));
    /* A range a double cannot span (max - min overflows: every draw is
     * infinite), or integers past 2^53 (not all representable: a draw past
     * the int64 range came back as a float above max). */
    if (!isfinite(p->max - p->min))
        return es_spec_fail(c, n->key[K_MIN], path,
                            "the range from min (%s) to max (%s) is wider than a number can hold",
                            es_spec_text(n->val[K_MIN]), es_spec_text(n->val[K_MAX]));
    if (p->dist == ES_DIST_INT_UNIFORM && (fabs(p->min) > 0x1.0p53 || fabs(p->max) > 0x1.0p53))
        return es_spec_fail(c, n->key[K_MIN], path,
                            "int_uniform bounds must lie within +-2^53 (9007199254740992), got "
                            "min %s, max %s",
                            es_spec_text(n->val[K_MIN]), es_spec_text(n->val[K_MAX]));
    if (needs_positive_min(p->dist) && !(p->min > 0)) {
        snprintf(sub, sizeof sub, "%s.min", path);
        return es_spec_fail(c, n->val[K_MIN], sub,
                            "distribution '%s' takes values, not exponents, so min must be > 0, "
                            "got '%s'",
                            es_dist_name(p->dist), es_spec_text(n->val[K_MIN]));
    }
    return 0;
}

/* The distribution a parameter names, or the one W&B infers from its keys. */
static int pick_dist(es_spec_ctx *c, const pnodes *n, const char *path, const yaml_node_t *pkey,
                     es_dist *out, int *inferred)
{
    const yaml_node_t *d = n->val[K_DISTRIBUTION];
    *inferred = d == NULL;
    if (d != NULL) {
        const char *s = es_spec_text(d);
        char sub[SUB_CAP], got[80];
        snprintf(sub, sizeof sub, "%s.distribution", path);
        if (s == NULL) {
            es_spec_describe(d, got, sizeof got);
            return es_spec_fail(c, d, sub, "expected a distribution name, got %s", got);
        }
        for (int i = 0; i < ES_DIST__COUNT; i++)
            if (strcmp(s, es_dist_name((es_dist)i)) == 0) {
                *out = (es_dist)i;
                return 0;
            }
        if (strcmp(s, "categorical_w_probabilities") == 0) { /* W&B's older spelling */
            *out = ES_DIST_CATEGORICAL;
            return 0;
        }
        const char *names[ES_DIST__COUNT + 1];
        for (int i = 0; i < ES_DIST__COUNT; i++)
            names[i] = es_dist_name((es_dist)i);
        names[ES_DIST__COUNT] = NULL;
        const char *sug = es_spec_suggest(s, names);
        if (sug != NULL)
            return es_spec_fail(c, d, sub, "unknown distribution '%s' (did you mean '%s'?)", s,
                                sug);
        return es_spec_fail(c, d, sub, "unknown distribution '%s'", s);
    }
    if (n->val[K_VALUES] != NULL) {
        *out = ES_DIST_CATEGORICAL;
    } else if (n->val[K_VALUE] != NULL) {
        *out = ES_DIST_CONSTANT;
    } else if (n->val[K_MIN] != NULL || n->val[K_MAX] != NULL) {
        /* Integer min and max make int_uniform; any float makes uniform. */
        int all_int = 1;
        for (int k = K_MIN; k <= K_MAX; k++)
            if (n->val[k] != NULL &&
                !(es_spec_plain(n->val[k]) && es_spec_is_int_text(es_spec_text(n->val[k]))))
                all_int = 0;
        *out = all_int ? ES_DIST_INT_UNIFORM : ES_DIST_UNIFORM;
    } else if (n->val[K_MU] != NULL || n->val[K_SIGMA] != NULL) {
        *out = ES_DIST_NORMAL;
    } else {
        return es_spec_fail(c, pkey, path,
                            "cannot tell the distribution; give 'values', 'value', 'min' and "
                            "'max', or 'distribution'");
    }
    return 0;
}

static int parse_block(es_spec_ctx *c, const yaml_node_t *map, const char *prefix);

/* One entry of a parameters mapping: a parameter, or a nested block. */
static int parse_one(es_spec_ctx *c, const char *name, const yaml_node_t *pkey,
                     const yaml_node_t *node)
{
    char path[PATH_CAP], sub[SUB_CAP];
    pnodes n = {{0}, {0}};
    es_dist dist = ES_DIST_CONSTANT;
    int inferred = 0, rc;

    snprintf(path, sizeof path, "parameters.%s", name);
    if (node->type != YAML_MAPPING_NODE) {
        char got[80];
        es_spec_describe(node, got, sizeof got);
        return es_spec_fail(c, node, path,
                            "expected a mapping such as {values: [...]}, {value: x} or {min: a, "
                            "max: b}, got %s",
                            got);
    }
    if ((rc = es_spec_check_keys(c, node, path)) < 0)
        return rc;
    for (yaml_node_pair_t *pr = node->data.mapping.pairs.start; pr < node->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        const char *key = es_spec_key_text(k);
        int i;
        for (i = 0; i < K__COUNT; i++)
            if (strcmp(key, pkey_names[i]) == 0)
                break;
        if (i == K__COUNT)
            return es_spec_unknown_key(c, k, path, pkey_names);
        n.key[i] = k;
        n.val[i] = yaml_document_get_node(c->doc, pr->value);
    }
    if (node->data.mapping.pairs.top == node->data.mapping.pairs.start)
        return es_spec_fail(c, pkey, path,
                            "empty parameter; give 'values', 'value', 'min' and 'max', or "
                            "'distribution'");

    if (n.val[K_PARAMETERS] != NULL) {
        for (int k = 0; k < K__COUNT; k++)
            if (k != K_PARAMETERS && n.key[k] != NULL)
                return es_spec_fail(c, n.key[k], path,
                                    "key '%s' cannot sit beside 'parameters' (a block of nested "
                                    "parameters)",
                                    pkey_names[k]);
        return parse_block(c, n.val[K_PARAMETERS], name);
    }

    if ((rc = pick_dist(c, &n, path, pkey, &dist, &inferred)) < 0)
        return rc;
    unsigned ok = allowed_keys(dist) | BIT(K_DISTRIBUTION);
    for (int k = 0; k < K__COUNT; k++)
        if (n.key[k] != NULL && !(ok & BIT(k)))
            return es_spec_fail(c, n.key[k], path, "key '%s' does not apply to distribution '%s'%s",
                                pkey_names[k], es_dist_name(dist),
                                inferred ? " (inferred from the other keys; set 'distribution' "
                                           "to choose one)"
                                         : "");

    for (size_t i = 0; i < c->spec->n_params; i++)
        if (strcmp(c->spec->params[i].name, name) == 0)
            return es_spec_fail(c, pkey, path, "parameter defined twice (first at line %d)",
                                c->spec->params[i].line);
    /* Aliases can make nested blocks multiply (each level twice the one
     * below): a cap, not a search space anyone sweeps. */
    if (c->spec->n_params >= ES_SPEC_MAX_PARAMS) {
        c->too_many = 1;
        return es_spec_fail(c, pkey, path, "more than %d parameters", ES_SPEC_MAX_PARAMS);
    }

    es_param *p = new_param(c);
    if (p == NULL || (p->name = strdup(name)) == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    p->dist = dist;
    p->line = (int)pkey->start_mark.line + 1;
    p->column = (int)pkey->start_mark.column + 1;
    if (ok & BIT(K_Q))
        p->q = 1;
    if (ok & MUSIGMA)
        p->sigma = 1;
    if (ok & AB)
        p->a = p->b = 1;

    switch (dist) {
    case ES_DIST_CONSTANT:
        snprintf(sub, sizeof sub, "%s.value", path);
        if (n.val[K_VALUE] == NULL)
            return es_spec_fail(c, pkey, path, "missing key 'value' (distribution 'constant')");
        return es_spec_scalar_value(c, n.val[K_VALUE], sub, &p->value);
    case ES_DIST_CATEGORICAL:
        if (n.val[K_VALUES] == NULL)
            return es_spec_fail(c, pkey, path, "missing key 'values' (distribution 'categorical')");
        return parse_values(c, p, &n, path);
    default:
        break;
    }
    if ((ok & MINMAX) && (rc = parse_bounds(c, p, &n, path, pkey)) < 0)
        return rc;
    if (n.val[K_MU] != NULL) {
        snprintf(sub, sizeof sub, "%s.mu", path);
        if ((rc = es_spec_number(c, n.val[K_MU], sub, &p->mu, NULL)) < 0)
            return rc;
    }
    static const struct {
        enum pkey k;
        size_t off;
    } pos_keys[] = {{K_SIGMA, offsetof(es_param, sigma)},
                    {K_Q, offsetof(es_param, q)},
                    {K_A, offsetof(es_param, a)},
                    {K_B, offsetof(es_param, b)}};
    for (size_t i = 0; i < sizeof pos_keys / sizeof pos_keys[0]; i++) {
        if (n.val[pos_keys[i].k] == NULL)
            continue;
        snprintf(sub, sizeof sub, "%s.%s", path, pkey_names[pos_keys[i].k]);
        if ((rc = positive(c, n.val[pos_keys[i].k], sub, (double *)((char *)p + pos_keys[i].off))) <
            0)
            return rc;
    }
    return 0;
}

/* A parameters mapping; prefix is the dotted name of the enclosing block,
 * or NULL at the top. */
static int parse_block(es_spec_ctx *c, const yaml_node_t *map, const char *prefix)
{
    char path[PATH_CAP];
    int rc;

    snprintf(path, sizeof path, prefix ? "parameters.%s.parameters" : "parameters",
             prefix ? prefix : "");
    if ((rc = es_spec_want_mapping(c, map, path)) < 0)
        return rc;
    if (map->data.mapping.pairs.top == map->data.mapping.pairs.start)
        return es_spec_fail(c, map, path, "expected at least one parameter");
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
        const char *key = es_spec_key_text(k);
        char name[260];
        int again = 0;
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr && !again; q++)
            again = strcmp(key, es_spec_key_text(yaml_document_get_node(c->doc, q->key))) == 0;
        if (again) { /* a duplicate key, said already (es_spec_want_mapping) */
            c->param_failed = 1;
            continue;
        }
        rc = 0;
        if (!valid_name(key))
            rc = es_spec_fail(c, k, prefix ? path : "parameters",
                              "invalid parameter name '%s' (a name starts with a letter or "
                              "'_' and holds only letters, digits, '_', '.' and '-')",
                              key);
        else if (strlen(key) + (prefix ? strlen(prefix) + 1 : 0) > 256)
            rc = es_spec_fail(c, k, "parameters", "parameter name longer than 256 characters");
        if (rc < 0) {
            c->param_failed = 1;
            if ((rc = es_spec_keep_going(c, rc)) < 0)
                return rc;
            continue;
        }
        snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        if ((rc = parse_one(c, name, k, yaml_document_get_node(c->doc, pr->value))) < 0) {
            c->param_failed = 1;
            if (c->too_many) /* one message, and no more reading */
                return rc;
            if ((rc = es_spec_keep_going(c, rc)) < 0)
                return rc;
        }
    }
    return 0;
}

int es_spec_parse_params(es_spec_ctx *c, const yaml_node_t *node)
{
    return parse_block(c, node, NULL);
}

int es_spec_check_grid(es_spec_ctx *c)
{
    const es_spec *spec = c->spec;
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_param *p = &spec->params[i];
        if (p->dist == ES_DIST_CONSTANT || p->dist == ES_DIST_CATEGORICAL ||
            p->dist == ES_DIST_INT_UNIFORM || p->dist == ES_DIST_Q_UNIFORM)
            continue;
        return es_err_set(c->err, ES_ESPEC,
                          "%s:%d:%d: parameters.%s: method 'grid' needs a finite set of values, "
                          "but distribution '%s' is continuous; use values, int_uniform or "
                          "q_uniform, or method random",
                          spec->path, p->line, p->column, p->name, es_dist_name(p->dist));
    }
    return 0;
}
