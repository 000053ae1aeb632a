/*
 * spec_early_terminate.c -- the spec's `early_terminate` key: which rule
 * stops losing trials early, with its settings.
 *
 *   early_terminate: {type: hyperband, min_iter: 3}            # W&B, brackets 3, 9, 27...
 *   early_terminate: {type: hyperband, max_iter: 27, s: 2}     # W&B, brackets 3, 9
 *   early_terminate: {type: hyperband, min_iter: 1, eta: 2, strict: true}
 *   early_terminate: {type: median, min_steps: 5, startup_trials: 5, min_trials: 1}
 *   early_terminate: {type: asha, min_iter: 1, eta: 3, max_iter: 27}
 *
 * The rules are search/prune.h's; this file only reads the settings into
 * an es_prune_config and checks them, so that `ecosweep validate` refuses a
 * bad setting with its line and column before anything runs.  The checks of
 * the settings taken together (es_prune_config_check) live here too, so the
 * spec parser and the pruner apply the very same ones.  A key that the
 * chosen rule does not use is refused (W&B's hyperband has no min_steps),
 * rather than silently ignored.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec_int.h"
#include "spec_yaml.h"

/* ---- Names and defaults ----------------------------------------------------- */

void es_prune_config_init(es_prune_config *cfg, es_prune_type type)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->type = type;
    cfg->eta = 3.0;
    cfg->startup_trials = 5;
    cfg->min_trials = 1;
}

const char *es_prune_type_name(es_prune_type type)
{
    switch (type) {
    case ES_PRUNE_NONE:
        return "none";
    case ES_PRUNE_HYPERBAND:
        return "hyperband";
    case ES_PRUNE_MEDIAN:
        return "median";
    case ES_PRUNE_ASHA:
        return "asha";
    }
    return "unknown";
}

int es_prune_type_parse(const char *name)
{
    for (int t = ES_PRUNE_NONE; t <= ES_PRUNE_ASHA; t++)
        if (name != NULL && strcmp(name, es_prune_type_name((es_prune_type)t)) == 0)
            return t;
    return -1;
}

/* ---- The settings taken together -------------------------------------------- */

/* Record the key at fault and the message; returns ES_ESPEC. */
static int bad(const char **key, const char *which, es_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(const char **key, const char *which, es_err *err, const char *fmt, ...)
{
    char msg[ES_ERR_MSG_MAX];
    va_list ap;
    if (key != NULL)
        *key = which;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return es_err_set(err, ES_ESPEC, "%s", msg);
}

int es_prune_config_check(const es_prune_config *cfg, const char **key, es_err *err)
{
    const char *k = "early_terminate";
    if (key != NULL)
        *key = NULL;
    if (cfg == NULL)
        return es_err_set(err, -EINVAL, "%s: no configuration", k);

    switch (cfg->type) {
    case ES_PRUNE_NONE:
        return 0;
    case ES_PRUNE_HYPERBAND:
        if (!(cfg->eta > 1.0) || !isfinite(cfg->eta))
            return bad(key, "eta", err, "%s.eta: expected a number > 1, got %g", k, cfg->eta);
        if (cfg->min_iter < 0)
            return bad(key, "min_iter", err, "%s.min_iter: expected an integer >= 1, got %" PRId64,
                       k, cfg->min_iter);
        if (cfg->max_iter < 0)
            return bad(key, "max_iter", err, "%s.max_iter: expected an integer >= 1, got %" PRId64,
                       k, cfg->max_iter);
        if (cfg->max_iter == 0 && cfg->min_iter == 0)
            return bad(key, NULL, err, "%s: hyperband needs min_iter, or max_iter and s", k);
        if (cfg->max_iter > 0) {
            if (cfg->s < 1 || cfg->s > ES_PRUNE_MAX_BRACKETS)
                return bad(key, "s", err,
                           "%s.s: expected an integer from 1 to %d with max_iter, got %" PRId64, k,
                           ES_PRUNE_MAX_BRACKETS, cfg->s);
            if ((double)cfg->max_iter / cfg->eta < 1.0)
                return bad(key, "max_iter", err,
                           "%s.max_iter: %" PRId64 " / eta %g is below 1, so there is no bracket",
                           k, cfg->max_iter, cfg->eta);
        } else if ((double)cfg->min_iter >= ES_PRUNE_EXACT_LIMIT) {
            return bad(key, "min_iter", err,
                       "%s.min_iter: expected an integer below 2^53, got %" PRId64, k,
                       cfg->min_iter);
        }
        return 0;
    case ES_PRUNE_MEDIAN:
        if (cfg->min_steps < 0)
            return bad(key, "min_steps", err,
                       "%s.min_steps: expected an integer >= 0, got %" PRId64, k, cfg->min_steps);
        if (cfg->startup_trials < 0)
            return bad(key, "startup_trials", err,
                       "%s.startup_trials: expected an integer >= 0, got %" PRId64, k,
                       cfg->startup_trials);
        if (cfg->min_trials < 1)
            return bad(key, "min_trials", err,
                       "%s.min_trials: expected an integer >= 1, got %" PRId64, k, cfg->min_trials);
        return 0;
    case ES_PRUNE_ASHA:
        if (!(cfg->eta >= 2.0 && cfg->eta <= 1e9 && cfg->eta == floor(cfg->eta)))
            return bad(key, "eta", err, "%s.eta: expected an integer >= 2 for asha, got %g", k,
                       cfg->eta);
        if (cfg->min_iter < 1)
            return bad(key, "min_iter", err, "%s.min_iter: expected an integer >= 1, got %" PRId64,
                       k, cfg->min_iter);
        if (cfg->max_iter < 0 ||
            (cfg->max_iter > 0 && cfg->max_iter / (int64_t)cfg->eta < cfg->min_iter)) {
            if (cfg->min_iter > INT64_MAX / (int64_t)cfg->eta)
                return bad(key, "max_iter", err,
                           "%s.max_iter: expected 0 (no limit) with this min_iter, got %" PRId64, k,
                           cfg->max_iter);
            return bad(key, "max_iter", err,
                       "%s.max_iter: expected 0 (no limit) or at least min_iter * eta = %" PRId64
                       ", got %" PRId64,
                       k, cfg->min_iter * (int64_t)cfg->eta, cfg->max_iter);
        }
        return 0;
    }
    return bad(key, "type", err, "%s.type: expected hyperband, median or asha, got %d", k,
               (int)cfg->type);
}

int es_prune_config_validate(const es_prune_config *cfg, es_err *err)
{
    return es_prune_config_check(cfg, NULL, err);
}

/* ---- Reading the spec's mapping --------------------------------------------- */

/* Every key, and which rules use it (bit 1 << es_prune_type). */
#define HB (1u << ES_PRUNE_HYPERBAND)
#define MED (1u << ES_PRUNE_MEDIAN)
#define ASHA (1u << ES_PRUNE_ASHA)
static const struct {
    const char *key;
    unsigned used_by;
} et_keys[] = {
    {"type", HB | MED | ASHA}, {"min_iter", HB | ASHA},
    {"max_iter", HB | ASHA},   {"s", HB},
    {"eta", HB | ASHA},        {"strict", HB},
    {"min_steps", MED},        {"startup_trials", MED},
    {"min_trials", MED},
};
#define N_ET_KEYS (sizeof et_keys / sizeof et_keys[0])

/* The index of a key in et_keys (N_ET_KEYS when unknown). */
static size_t key_index(const char *key)
{
    size_t i = 0;
    while (i < N_ET_KEYS && strcmp(key, et_keys[i].key) != 0)
        i++;
    return i;
}

/* "min_iter, max_iter, s, eta, strict": the keys of one rule, beside type. */
static void keys_of(es_prune_type type, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 1; i < N_ET_KEYS; i++) {
        if (!(et_keys[i].used_by & (1u << type)))
            continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", et_keys[i].key);
        if (w < 0 || (size_t)w >= cap - len)
            break;
        len += (size_t)w;
    }
}

static int read_type(es_spec_ctx *c, const yaml_node_t *v, es_prune_type *out)
{
    static const char *const known[] = {"hyperband", "median", "asha", NULL};
    const char *s = es_spec_text(v);
    int t = s != NULL && strcmp(s, "none") != 0 ? es_prune_type_parse(s) : -1;
    char got[80];
    if (t > 0) {
        *out = (es_prune_type)t;
        return 0;
    }
    es_spec_describe(v, got, sizeof got);
    const char *near = s != NULL ? es_spec_suggest(s, known) : NULL;
    if (near != NULL)
        return es_spec_fail(c, v, "early_terminate.type", "unknown type %s (did you mean '%s'?)",
                            got, near);
    return es_spec_fail(c, v, "early_terminate.type", "expected hyperband, median or asha, got %s",
                        got);
}

/* One setting's value into cfg. */
static int read_value(es_spec_ctx *c, const char *key, const yaml_node_t *v, es_prune_config *cfg)
{
    char path[64], got[80];
    long n = 0;
    int rc;
    snprintf(path, sizeof path, "early_terminate.%s", key);
    if (strcmp(key, "eta") == 0)
        return es_spec_get_real(c, v, path, 1, 1, "a number > 1", &cfg->eta);
    if (strcmp(key, "strict") == 0) {
        es_value val;
        if ((rc = es_spec_scalar_value(c, v, path, &val)) < 0)
            return rc;
        if (val.kind != ES_V_BOOL) {
            es_value_clear(&val);
            es_spec_describe(v, got, sizeof got);
            return es_spec_fail(c, v, path, "expected true or false, got %s", got);
        }
        cfg->strict = val.b;
        return 0;
    }
    /* Counts of steps or trials: 0 makes sense for the median rule's
     * warm-up and startup only. */
    int zero_ok = strcmp(key, "min_steps") == 0 || strcmp(key, "startup_trials") == 0;
    if ((rc = es_spec_get_integer(c, v, path, zero_ok ? 0 : 1,
                                  zero_ok ? "an integer >= 0" : "an integer >= 1", &n)) < 0)
        return rc;
    int64_t *slot = strcmp(key, "min_iter") == 0         ? &cfg->min_iter
                    : strcmp(key, "max_iter") == 0       ? &cfg->max_iter
                    : strcmp(key, "s") == 0              ? &cfg->s
                    : strcmp(key, "min_steps") == 0      ? &cfg->min_steps
                    : strcmp(key, "startup_trials") == 0 ? &cfg->startup_trials
                                                         : &cfg->min_trials;
    *slot = (int64_t)n;
    return 0;
}

int es_spec_top_early_terminate(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    const char *known[N_ET_KEYS + 1];
    const yaml_node_t *where[N_ET_KEYS] = {0}; /* each key's value node */
    es_prune_config *cfg = &c->spec->early_terminate;
    es_prune_type type = ES_PRUNE_NONE;
    const yaml_node_t *type_node = NULL;
    char list[160];
    int rc;
    (void)k;

    if ((rc = es_spec_want_mapping(c, v, "early_terminate")) < 0)
        return rc;
    for (size_t i = 0; i < N_ET_KEYS; i++)
        known[i] = et_keys[i].key;
    known[N_ET_KEYS] = NULL;
    /* The type first, wherever it is written: it decides which keys belong. */
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
        if (strcmp(es_spec_key_text(yaml_document_get_node(c->doc, p->key)), "type") == 0)
            type_node = yaml_document_get_node(c->doc, p->value);
    if (type_node == NULL)
        return es_spec_fail(c, v, "early_terminate",
                            "missing required key 'type' (hyperband, median or asha)");
    if ((rc = read_type(c, type_node, &type)) < 0)
        return rc;
    es_prune_config_init(cfg, type);

    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *ek = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *ev = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(ek);
        size_t i = key_index(key);
        if (i == N_ET_KEYS)
            return es_spec_unknown_key(c, ek, "early_terminate", known);
        if (!(et_keys[i].used_by & (1u << type))) {
            keys_of(type, list, sizeof list);
            return es_spec_fail(c, ek, "early_terminate",
                                "%s is not a setting of %s (its keys: %s)", key,
                                es_prune_type_name(type), list);
        }
        where[i] = ev;
        if (i > 0 && (rc = read_value(c, key, ev, cfg)) < 0)
            return rc;
    }

    if (type == ES_PRUNE_HYPERBAND && where[key_index("max_iter")] != NULL &&
        where[key_index("s")] == NULL)
        return es_spec_fail(c, v, "early_terminate",
                            "hyperband with max_iter needs s, the number of brackets "
                            "(max_iter/eta, max_iter/eta^2, ... max_iter/eta^s)");
    /* The settings together, located at the key at fault when there is
     * one (else at the mapping). */
    const char *bad_key = NULL;
    es_err e;
    if (es_prune_config_check(cfg, &bad_key, &e) != 0) {
        size_t i = bad_key != NULL ? key_index(bad_key) : N_ET_KEYS;
        const yaml_node_t *at = i < N_ET_KEYS && where[i] != NULL ? where[i] : v;
        return es_spec_fail(c, at, NULL, "%s", e.msg);
    }
    return 0;
}

/* ---- Printing ------------------------------------------------------------------ */

static void put_real(FILE *out, double x)
{
    char buf[64];
    es_fmt_real(x, 0, buf, sizeof buf);
    fputs(buf, out);
}

void es_spec_print_early_terminate(FILE *out, const es_prune_config *cfg)
{
    if (cfg->type == ES_PRUNE_NONE)
        return;
    fprintf(out, "early_terminate: %s", es_prune_type_name(cfg->type));
    switch (cfg->type) {
    case ES_PRUNE_HYPERBAND:
        if (cfg->max_iter > 0)
            fprintf(out, " max_iter=%" PRId64 " s=%" PRId64, cfg->max_iter, cfg->s);
        else
            fprintf(out, " min_iter=%" PRId64, cfg->min_iter);
        fputs(" eta=", out);
        put_real(out, cfg->eta);
        fprintf(out, " strict=%s (brackets count reports)\n", cfg->strict ? "true" : "false");
        break;
    case ES_PRUNE_MEDIAN:
        fprintf(out, " min_steps=%" PRId64 " startup_trials=%" PRId64 " min_trials=%" PRId64 "\n",
                cfg->min_steps, cfg->startup_trials, cfg->min_trials);
        break;
    case ES_PRUNE_ASHA:
        fprintf(out, " min_iter=%" PRId64 " eta=", cfg->min_iter);
        put_real(out, cfg->eta);
        if (cfg->max_iter > 0)
            fprintf(out, " max_iter=%" PRId64 " (rungs are steps)\n", cfg->max_iter);
        else
            fputs(" max_iter=none (rungs are steps)\n", out);
        break;
    default:
        fputc('\n', out);
        break;
    }
}
