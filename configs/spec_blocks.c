/*
 * spec_blocks.c -- the spec's blocks of settings: `env` (the trial's
 * environment), `budget` and `energy` (the pricing factors, the region, the
 * attribution), each key checked on its own, and the energy defaults that
 * depend on other keys (spec_yaml.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"
#include "spec_yaml.h"

/* ---- env: the trial's environment --------------------------------------------- */

int es_env_name_valid(const char *name)
{
    if (name == NULL ||
        !((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') || *name == '_'))
        return 0;
    for (const char *p = name + 1; *p != '\0'; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

static int env_reserved(const char *name)
{
    return strncmp(name, ES_ENV_RESERVED_PREFIX, strlen(ES_ENV_RESERVED_PREFIX)) == 0;
}

int es_spec_env_removes(const es_spec_env *env, const char *name)
{
    if (env == NULL || env_reserved(name))
        return 0;
    for (size_t i = 0; i < env->n_remove; i++)
        if (fnmatch(env->remove[i], name, 0) == 0)
            return 1;
    return 0;
}

/* A name, or an fnmatch pattern of names ("AWS_*", "TOKEN_[0-9]"). */
static int env_pattern_valid(const char *s)
{
    if (strpbrk(s, "*?[") == NULL)
        return es_env_name_valid(s);
    for (const char *p = s; *p != '\0'; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr("_*?[]!^-", *p) != NULL))
            return 0;
    return 1;
}

static int env_remove(es_spec_ctx *c, const yaml_node_t *v)
{
    es_spec_env *env = &c->spec->env;
    char got[80];
    if (v->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "env.remove",
                            "expected a list of variable names or patterns (AWS_*), got %s", got);
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    env->remove = calloc(n + 1, sizeof *env->remove);
    if (env->remove == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        const char *s = es_spec_text(item);
        char path[48];
        snprintf(path, sizeof path, "env.remove[%zu]", i);
        if (s == NULL || *s == '\0' || !env_pattern_valid(s)) {
            es_spec_describe(item, got, sizeof got);
            return es_spec_fail(c, item, path,
                                "expected a variable name ([A-Za-z_][A-Za-z0-9_]*) or a pattern "
                                "of names (AWS_*), got %s",
                                got);
        }
        if (env_reserved(s) && strpbrk(s, "*?[") == NULL)
            return es_spec_fail(c, item, path,
                                "%s cannot be removed: ecosweep sets the " ES_ENV_RESERVED_PREFIX
                                "* variables of every trial",
                                s);
        if ((env->remove[i] = strdup(s)) == NULL)
            return es_err_set(c->err, -ENOMEM, "out of memory");
        env->n_remove = i + 1;
    }
    return 0;
}

static int env_set(es_spec_ctx *c, const yaml_node_t *v)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    es_spec_env *env = &c->spec->env;
    int rc;
    if ((rc = es_spec_want_mapping(c, v, "env.set")) < 0)
        return rc;
    size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    env->set_names = calloc(n + 1, sizeof *env->set_names);
    env->set_values = calloc(n + 1, sizeof *env->set_values);
    if (env->set_names == NULL || env->set_values == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
        const yaml_node_t *sk = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *sv = yaml_document_get_node(c->doc, p->value);
        const char *name = es_spec_key_text(sk);
        const char *text = es_spec_text(sv);
        char path[160], got[80];
        if (!es_env_name_valid(name))
            return es_spec_fail(c, sk, "env.set",
                                "'%s' is not a variable name (letters, digits and '_', not "
                                "starting with a digit)",
                                name);
        if (env_reserved(name))
            return es_spec_fail(
                c, sk, "env.set",
                "%s cannot be set: the " ES_ENV_RESERVED_PREFIX "* variables are ecosweep's", name);
        snprintf(path, sizeof path, "env.set.%s", name);
        int is_null = 0;
        for (size_t j = 0; text != NULL && j < sizeof nulls / sizeof nulls[0]; j++)
            is_null |= es_spec_plain(sv) && strcmp(text, nulls[j]) == 0;
        if (text == NULL || is_null) {
            es_spec_describe(sv, got, sizeof got);
            return es_spec_fail(c, sv, path,
                                "expected a string or a number (write '' for an empty value), "
                                "got %s",
                                got);
        }
        env->set_names[i] = strdup(name);
        env->set_values[i] = strdup(text);
        if (env->set_names[i] == NULL || env->set_values[i] == NULL) {
            free(env->set_names[i]);
            free(env->set_values[i]);
            env->set_names[i] = env->set_values[i] = NULL;
            return es_err_set(c->err, -ENOMEM, "out of memory");
        }
        env->n_set = i + 1;
    }
    return 0;
}

int es_spec__top_env(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"remove", "set", NULL};
    int rc;
    (void)k;
    if ((rc = es_spec_want_mapping(c, v, "env")) < 0)
        return rc;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *ek = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *ev = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(ek);
        if (strcmp(key, "remove") == 0)
            rc = env_remove(c, ev);
        else if (strcmp(key, "set") == 0)
            rc = env_set(c, ev);
        else
            rc = es_spec_unknown_key(c, ek, "env", known);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* budget.on_exhaust: finish (running trials end on their own) or kill. */
static int budget_on_exhaust(es_spec_ctx *c, const yaml_node_t *v, int *kill_out)
{
    static const char *const known[] = {"finish", "kill", NULL};
    const char *s = es_spec_text(v);
    char got[80];
    if (s != NULL && (strcmp(s, "finish") == 0 || strcmp(s, "kill") == 0)) {
        *kill_out = strcmp(s, "kill") == 0;
        return 0;
    }
    es_spec_describe(v, got, sizeof got);
    const char *sug = s != NULL ? es_spec_suggest(s, known) : NULL;
    if (sug != NULL)
        return es_spec_fail(c, v, "budget.on_exhaust", "unknown value %s (did you mean '%s'?)", got,
                            sug);
    return es_spec_fail(c, v, "budget.on_exhaust", "expected finish or kill, got %s", got);
}

int es_spec__top_budget(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"kwh", "usd", "co2e_kg", "wall", "on_exhaust", NULL};
    es_budget *b = &c->spec->budget;
    int rc;
    (void)k;
    if ((rc = es_spec_want_mapping(c, v, "budget")) < 0)
        return rc;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *bk = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *bv = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(bk);
        char path[64];
        snprintf(path, sizeof path, "budget.%s", key);
        if (strcmp(key, "kwh") == 0)
            rc = es_spec_get_real(c, bv, path, 0, 1, "a positive number", &b->kwh);
        else if (strcmp(key, "usd") == 0)
            rc = es_spec_get_real(c, bv, path, 0, 1, "a positive number", &b->usd);
        else if (strcmp(key, "co2e_kg") == 0)
            rc = es_spec_get_real(c, bv, path, 0, 1, "a positive number", &b->co2e_kg);
        else if (strcmp(key, "wall") == 0)
            rc = es_spec_get_duration(c, bv, path, 1, &b->wall_s);
        else if (strcmp(key, "on_exhaust") == 0)
            rc = budget_on_exhaust(c, bv, &b->kill_on_exhaust);
        else
            rc = es_spec_unknown_key(c, bk, "budget", known);
        /* A cap past what any sweep spends is a slip of units (Wh for
         * kWh, cents for dollars, g for kg). */
        static const char *const capped[] = {"kwh", "usd", "co2e_kg"};
        const double *const cap_of[] = {&b->kwh, &b->usd, &b->co2e_kg};
        static const double cap_max[] = {ES_BUDGET_KWH_MAX, ES_BUDGET_USD_MAX,
                                         ES_BUDGET_CO2E_KG_MAX};
        for (int j = 0; rc == 0 && j < 3; j++)
            if (strcmp(key, capped[j]) == 0 && *cap_of[j] > cap_max[j])
                rc = es_spec_fail(c, bv, path,
                                  "%g is past the plausible %g for one sweep (a slip of units?)",
                                  *cap_of[j], cap_max[j]);
        /* Each key on its own: an error in one does not hide the others'. */
        if ((rc = es_spec_keep_going(c, rc)) < 0)
            return rc;
    }
    return 0;
}

/* energy.region: a country code from the carbon-intensity table.  Its
 * value is applied after the walk, unless carbon_intensity is given. */
static int energy_region(es_spec_ctx *c, const yaml_node_t *v)
{
    const char *s = es_spec_text(v);
    char got[80], msg[256];
    es_region r;
    if (s == NULL || *s == '\0') {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "energy.region",
                            "expected a country code such as FR, FRA or USA, got %s", got);
    }
    if (es_region_lookup(s, &r) != 0) {
        es_region_unknown_message(s, msg, sizeof msg);
        return es_spec_fail(c, v, "energy.region", "%s", msg);
    }
    snprintf(c->spec->energy.region, sizeof c->spec->energy.region, "%s", r.iso3);
    return 0;
}

static int energy_attribution(es_spec_ctx *c, const yaml_node_t *v)
{
    static const char *const known[] = {"exclusive", "shared", NULL};
    const char *s = es_spec_text(v);
    int a = es_energy_attribution_parse(s);
    char got[80];
    if (a >= 0) {
        c->spec->energy.attribution = (es_energy_attribution)a;
        c->attribution_given = 1;
        return 0;
    }
    es_spec_describe(v, got, sizeof got);
    const char *sug = s != NULL ? es_spec_suggest(s, known) : NULL;
    if (sug != NULL)
        return es_spec_fail(c, v, "energy.attribution",
                            "unknown attribution %s (did you mean '%s'?)", got, sug);
    return es_spec_fail(c, v, "energy.attribution", "expected exclusive or shared, got %s", got);
}

int es_spec__top_energy(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    static const char *const known[] = {"pue",
                                        "carbon_intensity",
                                        "electricity_usd_per_kwh",
                                        "cloud_usd_per_hour",
                                        "cpu_watts_per_core",
                                        "dram_watts_per_gb",
                                        "gpu_watts",
                                        "region",
                                        "attribution",
                                        NULL};
    es_energy_factors *f = &c->spec->energy;
    double *const slots[] = {&f->pue,
                             &f->carbon_g_per_kwh,
                             &f->electricity_usd_per_kwh,
                             &f->cloud_usd_per_hour,
                             &f->cpu_watts_per_core,
                             &f->dram_watts_per_gb,
                             &f->gpu_watts};
    int rc;
    (void)k;
    if ((rc = es_spec_want_mapping(c, v, "energy")) < 0)
        return rc;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const yaml_node_t *ek = yaml_document_get_node(c->doc, p->key);
        const yaml_node_t *ev = yaml_document_get_node(c->doc, p->value);
        const char *key = es_spec_key_text(ek);
        char path[64];
        size_t i;
        for (i = 0; known[i] != NULL; i++)
            if (strcmp(key, known[i]) == 0)
                break;
        if (known[i] == NULL) {
            if ((rc = es_spec_keep_going(c, es_spec_unknown_key(c, ek, "energy", known))) < 0)
                return rc;
            continue;
        }
        snprintf(path, sizeof path, "energy.%s", key);
        if (strcmp(key, "region") == 0)
            rc = energy_region(c, ev);
        else if (strcmp(key, "attribution") == 0)
            rc = energy_attribution(c, ev);
        else if (i == 0)
            rc = es_spec_get_real(c, ev, path, 1, 0, "a number >= 1", slots[i]);
        else if (slots[i] == &f->cpu_watts_per_core) /* 0 is the default's mark: by CPU model */
            rc = es_spec_get_real(c, ev, path, 0, 1,
                                  "a positive number (leave it out for the CPU model's figure)",
                                  slots[i]);
        else
            rc = es_spec_get_real(c, ev, path, 0, 0, "a non-negative number", slots[i]);
        if (rc < 0) {
            if ((rc = es_spec_keep_going(c, rc)) < 0)
                return rc;
            continue; /* the next key on its own */
        }
        /* Watts: a CPU core, a GB of memory and a GPU draw far less. */
        static const double max[] = {ES_PUE_MAX,
                                     ES_CARBON_G_PER_KWH_MAX,
                                     ES_USD_PER_KWH_MAX,
                                     ES_CLOUD_USD_PER_HOUR_MAX,
                                     1000,
                                     100,
                                     10000};
        if (i < 7 && *slots[i] > max[i] &&
            (rc = es_spec_keep_going(
                 c, es_spec_fail(c, ev, path, "%g is past the plausible %g (a slip of units?)",
                                 *slots[i], max[i]))) < 0)
            return rc;
        if (i == 1)
            c->carbon_given = 1;
    }
    return 0;
}

/* The energy settings whose defaults depend on other keys: an explicit
 * carbon_intensity wins over the region's value (both are kept), a region
 * alone gives its table value, neither the world average; attribution is
 * shared when trials run in parallel unless the spec says. */
void es_spec__resolve_energy(es_spec_ctx *c)
{
    es_energy_factors *f = &c->spec->energy;
    es_region r;
    if (c->carbon_given) {
        f->carbon_source = ES_CARBON_EXPLICIT;
    } else if (f->region[0] != '\0' && es_region_lookup(f->region, &r) == 0) {
        f->carbon_g_per_kwh = r.g_co2e_per_kwh;
        f->carbon_source = ES_CARBON_REGION;
    } else {
        f->carbon_source = ES_CARBON_DEFAULT;
    }
    if (!c->attribution_given)
        f->attribution = c->spec->parallel > 1 ? ES_ATTRIBUTION_SHARED : ES_ATTRIBUTION_EXCLUSIVE;
}

/* ---- warm_start ----------------------------------------------------------------- */

int es_spec__top_warm_start(es_spec_ctx *c, const yaml_node_t *k, const yaml_node_t *v)
{
    es_spec *spec = c->spec;
    char got[80];
    spec->warm_line = (int)k->start_mark.line + 1;
    spec->warm_column = (int)k->start_mark.column + 1;
    const char *s = es_spec_text(v);
    if (s != NULL && es_spec_plain(v) && (strcmp(s, "auto") == 0 || strcmp(s, "none") == 0)) {
        spec->warm_start = strcmp(s, "auto") == 0 ? ES_WARM_AUTO : ES_WARM_NONE;
        return 0;
    }
    es_value val;
    if (v->type == YAML_SCALAR_NODE && es_spec_scalar_value(c, v, "warm_start", &val) == 0) {
        int null = val.kind == ES_V_NULL;
        es_value_clear(&val);
        if (null)
            return es_spec_fail(c, v, "warm_start",
                                "expected auto, none, a sweep's name or a list of them, got "
                                "null");
    }
    /* One name alone is a list of one. */
    int one = v->type == YAML_SCALAR_NODE;
    if (!one && v->type != YAML_SEQUENCE_NODE) {
        es_spec_describe(v, got, sizeof got);
        return es_spec_fail(c, v, "warm_start",
                            "expected auto, none, a sweep's name or a list of them, got %s", got);
    }
    size_t n = one ? 1 : (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return es_spec_fail(c, v, "warm_start",
                            "the list names no sweep (for a cold start, say none)");
    if (n > ES_SPEC_WARM_MAX)
        return es_spec_fail(c, v, "warm_start", "at most %d sweeps, not %zu", ES_SPEC_WARM_MAX, n);
    spec->warm_names = calloc(n + 1, sizeof *spec->warm_names);
    spec->warm_name_at = calloc(2 * n, sizeof *spec->warm_name_at);
    if (spec->warm_names == NULL || spec->warm_name_at == NULL)
        return es_err_set(c->err, -ENOMEM, "out of memory");
    spec->warm_start = ES_WARM_LIST;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *item =
            one ? v : yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
        const char *name = es_spec_text(item);
        char path[48];
        snprintf(path, sizeof path, one ? "warm_start" : "warm_start[%zu]", i);
        if (name == NULL) {
            es_spec_describe(item, got, sizeof got);
            return es_spec_fail(c, item, path, "expected a sweep's name, got %s", got);
        }
        const char *why = es_name_problem(name);
        if (why != NULL) /* not echoed: it may hold the control characters it is refused for */
            return es_spec_fail(c, item, path, "not a sweep's name: %s", why);
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->warm_names[j], name) == 0)
                return es_spec_fail(c, item, path, "'%s' is listed twice (warm_start[%zu])", name,
                                    j);
        if ((spec->warm_names[i] = strdup(name)) == NULL)
            return es_err_set(c->err, -ENOMEM, "out of memory");
        spec->warm_name_at[2 * i] = (int)item->start_mark.line + 1;
        spec->warm_name_at[2 * i + 1] = (int)item->start_mark.column + 1;
        spec->n_warm_names = i + 1;
    }
    return 0;
}

void es_spec_warm_text(const es_spec *spec, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    if (spec->warm_start != ES_WARM_LIST) {
        snprintf(buf, cap, "%s", spec->warm_start == ES_WARM_NONE ? "none" : "auto");
        return;
    }
    size_t len = (size_t)snprintf(buf, cap, "[");
    for (size_t i = 0; i < spec->n_warm_names && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", spec->warm_names[i]);
    if (len < cap)
        snprintf(buf + len, cap - len, "]");
}
