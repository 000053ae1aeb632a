/*
 * spec_yaml.c -- the helpers the spec parser shares (see spec_yaml.h): located
 * error messages, typo suggestions, reading YAML scalars as typed values and
 * numbers, and the readers for typed top-level settings.
 *
 * YAML 1.2's core schema decides how an unquoted scalar reads: true/false,
 * null/~, integers and decimal floats (also 1e-5, which PyYAML would leave a
 * string); anything quoted stays a string.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec_int.h"
#include "spec_yaml.h"

int es_spec_fail(es_spec_ctx *c, const yaml_node_t *node, const char *path, const char *fmt, ...)
{
    char msg[ES_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned long line = node ? (unsigned long)node->start_mark.line + 1 : 1;
    unsigned long col = node ? (unsigned long)node->start_mark.column + 1 : 1;
    return es_err_set(c->err, ES_ESPEC, "%s:%lu:%lu: %s%s%s", c->spec->path, line, col,
                      path && *path ? path : "", path && *path ? ": " : "", msg);
}

int es_spec_keep_going(es_spec_ctx *c, int rc)
{
    if (rc == ES_ESPEC_LISTED)
        return c->collect ? 0 : ES_ESPEC;
    if (rc != ES_ESPEC || !c->collect)
        return rc;
    char **v = realloc(c->errors, (c->n_errors + 2) * sizeof *v);
    if (v == NULL)
        return -ENOMEM;
    c->errors = v;
    if ((v[c->n_errors] = strdup(c->err->msg)) == NULL)
        return -ENOMEM;
    v[++c->n_errors] = NULL;
    es_err_clear(c->err);
    return 0;
}

const char *es_spec_text(const yaml_node_t *node)
{
    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

const char *es_spec_key_text(const yaml_node_t *key)
{
    const char *s = es_spec_text(key);
    return s != NULL ? s : "";
}

int es_spec_plain(const yaml_node_t *node)
{
    return node != NULL && node->type == YAML_SCALAR_NODE &&
           node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

size_t es_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];
    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *es_spec_suggest(const char *word, const char *const *known)
{
    const char *best = NULL;
    size_t best_d = 3, wl = strlen(word);
    for (; *known != NULL; known++) {
        size_t d = es_edit_distance(word, *known);
        /* A one-letter word is one edit from every other one-letter word. */
        if (d < best_d && d < wl && d < strlen(*known)) {
            best = *known;
            best_d = d;
        }
    }
    return best;
}

int es_spec_unknown_key(es_spec_ctx *c, const yaml_node_t *key, const char *path,
                        const char *const *known)
{
    const char *word = es_spec_key_text(key);
    const char *s = es_spec_suggest(word, known);
    if (s != NULL)
        return es_spec_fail(c, key, path, "unknown key '%s' (did you mean '%s'?)", word, s);
    return es_spec_fail(c, key, path, "unknown key '%s'", word);
}

/* How an offending value reads in a message (see spec_yaml.h). */
void es_spec_describe(const yaml_node_t *node, char *buf, size_t cap)
{
    const char *text = es_spec_text(node);
    if (text != NULL && !es_spec_plain(node))
        snprintf(buf, cap, "the quoted string '%s'", text);
    else if (text != NULL && *text == '\0')
        snprintf(buf, cap, "nothing");
    else if (text != NULL)
        snprintf(buf, cap, "'%s'", text);
    else if (node->type == YAML_SEQUENCE_NODE)
        snprintf(buf, cap, "a list");
    else
        snprintf(buf, cap, "a mapping");
}

int es_spec_is_int_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Decimal float syntax: sign, digits with an optional fraction (at least
 * one digit), optional exponent.  Words strtod would also take ("inf",
 * "nan", hex) are left to YAML's own spellings below. */
static int is_float_text(const char *s)
{
    int digits = 0;
    if (*s == '-' || *s == '+')
        s++;
    while (*s >= '0' && *s <= '9')
        s++, digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits++;
    if (digits == 0)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static int is_one_of(const char *s, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

int es_spec_scalar_value(es_spec_ctx *c, const yaml_node_t *node, const char *path, es_value *out)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
    static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    const char *s = es_spec_text(node);

    memset(out, 0, sizeof *out);
    if (s == NULL) {
        char got[64];
        es_spec_describe(node, got, sizeof got);
        return es_spec_fail(c, node, path, "expected a single value, got %s", got);
    }
    if (!es_spec_plain(node)) {
        out->kind = ES_V_STR;
    } else if (is_one_of(s, nulls)) {
        out->kind = ES_V_NULL;
        return 0;
    } else if (is_one_of(s, trues) || is_one_of(s, falses)) {
        out->kind = ES_V_BOOL;
        out->b = is_one_of(s, trues);
        return 0;
    } else if (es_spec_is_int_text(s)) {
        errno = 0;
        out->i = strtoll(s, NULL, 10);
        if (errno == 0) {
            out->kind = ES_V_INT;
            return 0;
        }
        out->kind = ES_V_FLOAT; /* too large for an int: keep it as a float */
        out->f = strtod(s, NULL);
        out->i = 0;
        return 0;
    } else if (is_float_text(s) || is_one_of(s, pinf) || is_one_of(s, ninf) || is_one_of(s, nans)) {
        out->kind = ES_V_FLOAT;
        out->f = is_one_of(s, pinf)   ? INFINITY
                 : is_one_of(s, ninf) ? -INFINITY
                 : is_one_of(s, nans) ? NAN
                                      : strtod(s, NULL);
        return 0;
    } else {
        out->kind = ES_V_STR;
    }
    out->s = strdup(s);
    if (out->s == NULL) {
        out->kind = ES_V_NULL;
        return es_err_set(c->err, -ENOMEM, "out of memory");
    }
    return 0;
}

int es_spec_number(es_spec_ctx *c, const yaml_node_t *node, const char *path, double *out,
                   int *is_int)
{
    char got[80];
    const char *s = es_spec_text(node);
    if (s != NULL && es_spec_plain(node) && (es_spec_is_int_text(s) || is_float_text(s))) {
        double x = strtod(s, NULL);
        if (isfinite(x)) {
            *out = x;
            if (is_int)
                *is_int = es_spec_is_int_text(s);
            return 0;
        }
    }
    es_spec_describe(node, got, sizeof got);
    return es_spec_fail(c, node, path, "expected a number, got %s", got);
}

/* A key of a mapping and where it stands, to sort by text. */
typedef struct key_at {
    const char *text;
    size_t pos;
} key_at;

static int cmp_key_at(const void *a, const void *b)
{
    const key_at *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c != 0 ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_pos(const void *a, const void *b)
{
    const key_at *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Fail on a key that a mapping holds twice (YAML allows it; it is always a
 * mistake in a spec).  Sorted, so that a mapping of many keys costs
 * n log n (compared pairwise, 100k parameters took 53 s). */
int es_spec_check_keys(es_spec_ctx *c, const yaml_node_t *map, const char *path)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    size_t n = (size_t)(map->data.mapping.pairs.top - start);
    for (size_t i = 0; i < n; i++)
        if (es_spec_text(yaml_document_get_node(c->doc, start[i].key)) == NULL)
            return es_spec_fail(c, yaml_document_get_node(c->doc, start[i].key), path,
                                "a key must be a single word, not a list or a mapping");
    if (n < 2)
        return 0;
    key_at *k = malloc(n * sizeof *k), *dup = malloc(n * sizeof *dup);
    size_t n_dup = 0;
    int rc = 0;
    if (k == NULL || dup == NULL) {
        free(k);
        free(dup);
        return es_err_set(c->err, -ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (key_at){es_spec_text(yaml_document_get_node(c->doc, start[i].key)), i};
    qsort(k, n, sizeof *k, cmp_key_at);
    /* Each later use of a key, with the position of its first use. */
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(k[i].text, k[first].text) != 0)
            first = i;
        else
            dup[n_dup++] = (key_at){k[first].text, k[i].pos * n + k[first].pos};
    }
    /* In the order of the file: pos encodes (later, first). */
    qsort(dup, n_dup, sizeof *dup, cmp_pos);
    for (size_t i = 0; i < n_dup && rc == 0; i++) {
        const yaml_node_t *later = yaml_document_get_node(c->doc, start[dup[i].pos / n].key);
        const yaml_node_t *first = yaml_document_get_node(c->doc, start[dup[i].pos % n].key);
        rc = es_spec_fail(c, later, path, "duplicate key '%s' (first given at line %lu)",
                          dup[i].text, (unsigned long)first->start_mark.line + 1);
        /* Collecting, every duplicate is listed (the later value is read). */
        rc = es_spec_keep_going(c, rc);
    }
    free(k);
    free(dup);
    return rc < 0 ? rc : 0;
}

/* ---- Typed readers for top-level values ---------------------------------------- */

int es_spec_want_mapping(es_spec_ctx *c, const yaml_node_t *node, const char *path)
{
    char got[80];
    if (node->type == YAML_MAPPING_NODE)
        return es_spec_check_keys(c, node, path);
    es_spec_describe(node, got, sizeof got);
    return es_spec_fail(c, node, path, "expected a mapping, got %s", got);
}

/* An optional string (a plain null leaves *out NULL). */
int es_spec_get_string(es_spec_ctx *c, const yaml_node_t *node, const char *path, char **out)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    char got[80];
    const char *s = es_spec_text(node);
    if (s == NULL) {
        es_spec_describe(node, got, sizeof got);
        return es_spec_fail(c, node, path, "expected a string, got %s", got);
    }
    if (es_spec_plain(node) && is_one_of(s, nulls))
        return 0;
    free(*out);
    *out = strdup(s);
    return *out ? 0 : es_err_set(c->err, -ENOMEM, "out of memory");
}

/* An integer >= min; what says which in the message. */
int es_spec_get_integer(es_spec_ctx *c, const yaml_node_t *node, const char *path, long min,
                        const char *what, long *out)
{
    char got[80];
    const char *s = es_spec_text(node);
    if (s != NULL && es_spec_plain(node) && es_spec_is_int_text(s)) {
        errno = 0;
        long v = strtol(s, NULL, 10);
        if (errno == 0 && v >= min) {
            *out = v;
            return 0;
        }
    }
    es_spec_describe(node, got, sizeof got);
    return es_spec_fail(c, node, path, "expected %s, got %s", what, got);
}

/* A number >= min (or > min when strict). */
int es_spec_get_real(es_spec_ctx *c, const yaml_node_t *node, const char *path, double min,
                     int strict, const char *what, double *out)
{
    char got[80];
    const char *s = es_spec_text(node);
    if (s != NULL && es_spec_plain(node) && (es_spec_is_int_text(s) || is_float_text(s))) {
        double v = strtod(s, NULL);
        if (isfinite(v) && (strict ? v > min : v >= min)) {
            *out = v;
            return 0;
        }
    }
    es_spec_describe(node, got, sizeof got);
    return es_spec_fail(c, node, path, "expected %s, got %s", what, got);
}

int es_spec_get_duration(es_spec_ctx *c, const yaml_node_t *node, const char *path, int positive,
                         double *out)
{
    char got[80];
    const char *s = es_spec_text(node);
    double v;
    int rc = s != NULL ? es_parse_duration(s, &v) : -EINVAL;
    if (rc == 0 && (!positive || v > 0)) {
        *out = v;
        return 0;
    }
    es_spec_describe(node, got, sizeof got);
    if (rc == -ERANGE)
        return es_spec_fail(c, node, path, "%s is longer than the longest duration, 365d", got);
    return es_spec_fail(c, node, path,
                        "expected %sduration such as 90s, 10m, 2h, 1h30m or a number of "
                        "seconds, got %s",
                        positive ? "a positive " : "a ", got);
}
