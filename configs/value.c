/*
 * value.c -- parameter values: copying, freeing, their numeric view, and the
 * two texts a trial sees, Python-style (what W&B agents put on a command
 * line) and JSON (what ${args_json} and the store hold).
 *
 * Floats are written in the shortest form that reads back exactly, with
 * Python's choice between fixed and scientific notation, so a value read
 * from a trial's command line or JSON is bit-for-bit the one suggested.
 * Also the one function that frees a NULL-terminated vector of strings.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"

int es_value_copy(es_value *dst, const es_value *src)
{
    *dst = *src;
    dst->s = NULL;
    if (src->kind == ES_V_STR && src->s != NULL) {
        dst->s = strdup(src->s);
        if (dst->s == NULL) {
            dst->kind = ES_V_NULL;
            return -ENOMEM;
        }
    }
    return 0;
}

void es_value_clear(es_value *v)
{
    if (v == NULL)
        return;
    free(v->s);
    memset(v, 0, sizeof *v);
    v->kind = ES_V_NULL;
}

void es_values_free(es_value *vals, size_t n)
{
    if (vals == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        es_value_clear(&vals[i]);
    free(vals);
}

double es_value_number(const es_value *v)
{
    switch (v->kind) {
    case ES_V_BOOL:
        return v->b ? 1.0 : 0.0;
    case ES_V_INT:
        return (double)v->i;
    case ES_V_FLOAT:
        return v->f;
    default:
        return NAN;
    }
}

int es_value_same(const es_value *a, const es_value *b)
{
    int an = a->kind == ES_V_INT || a->kind == ES_V_FLOAT;
    int bn = b->kind == ES_V_INT || b->kind == ES_V_FLOAT;
    if (a->kind == ES_V_INT && b->kind == ES_V_INT)
        return a->i == b->i;
    if (an && bn)
        return es_value_number(a) == es_value_number(b);
    if (a->kind != b->kind)
        return 0;
    if (a->kind == ES_V_BOOL) /* a program reads --x=True, not --x=1 */
        return a->b == b->b;
    if (a->kind == ES_V_STR)
        return a->s != NULL && b->s != NULL && strcmp(a->s, b->s) == 0;
    return a->kind == ES_V_NULL;
}

/* Copy src into buf as snprintf would and return strlen(src). */
static int put(char *buf, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, src, k);
        buf[k] = '\0';
    }
    return (int)n;
}

int es_fmt_real(double x, int force_point, char *buf, size_t cap)
{
    char sci[40], digits[24], out[64];
    int exp10, nd = 0, neg = signbit(x) != 0;
    size_t o = 0;

    if (isnan(x))
        return put(buf, cap, "nan");
    if (isinf(x))
        return put(buf, cap, neg ? "-inf" : "inf");

    /* The fewest significant digits that read back exactly. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec - 1, x);
        if (strtod(sci, NULL) == x)
            break;
    }
    /* sci is "-d.ddde+XX": collect the digits and the exponent. */
    const char *p = sci + (sci[0] == '-');
    for (; *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';

    if (neg)
        out[o++] = '-';
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                out[o++] = '0';
            memcpy(out + o, digits, (size_t)nd);
            o += (size_t)nd;
        } else {
            for (int i = 0; i <= exp10; i++)
                out[o++] = i < nd ? digits[i] : '0';
            if (nd > exp10 + 1) {
                out[o++] = '.';
                memcpy(out + o, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
                o += (size_t)(nd - exp10 - 1);
            } else if (force_point) {
                out[o++] = '.';
                out[o++] = '0';
            }
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, (size_t)(nd - 1));
            o += (size_t)(nd - 1);
        }
        snprintf(out + o, sizeof out - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    return put(buf, cap, out);
}

int es_value_format(const es_value *v, char *buf, size_t cap)
{
    char tmp[32];

    switch (v->kind) {
    case ES_V_NULL:
        return put(buf, cap, "None");
    case ES_V_BOOL:
        return put(buf, cap, v->b ? "True" : "False");
    case ES_V_INT:
        snprintf(tmp, sizeof tmp, "%lld", v->i);
        return put(buf, cap, tmp);
    case ES_V_FLOAT:
        return es_fmt_real(v->f, 1, buf, cap);
    case ES_V_STR:
        return put(buf, cap, v->s != NULL ? v->s : "");
    }
    return put(buf, cap, "");
}

/* Make room for extra more bytes plus the terminating NUL. */
static int grow(char **buf, size_t *len, size_t *cap, size_t extra)
{
    if (*buf != NULL && *len + extra < *cap)
        return 0;
    size_t ncap = *cap < 64 ? 64 : *cap;
    while (ncap <= *len + extra)
        ncap *= 2;
    char *nb = realloc(*buf, ncap);
    if (nb == NULL)
        return -ENOMEM;
    if (*buf == NULL)
        nb[0] = '\0';
    *buf = nb;
    *cap = ncap;
    return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (grow(buf, len, cap, n) < 0)
        return -ENOMEM;
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

/* Append s as a JSON string literal.  Bytes >= 0x80 pass through, so UTF-8
 * stays UTF-8. */
/* Length of the valid UTF-8 sequence starting at p (a byte >= 0x80), or 0
 * when it is not one: stray continuation bytes, overlong forms, surrogates,
 * code points past U+10FFFF and truncated sequences are all refused. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    unsigned cp;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

static int append_json_string(char **buf, size_t *len, size_t *cap, const char *s)
{
    if (append(buf, len, cap, "\"", 1) < 0)
        return -ENOMEM;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        char esc[8];
        const char *out = esc;
        size_t n = 2;
        esc[0] = '\\';
        switch (*p) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                n = 6;
            } else if (*p < 0x80) {
                out = (const char *)p;
                n = 1;
            } else if ((n = utf8_len(p)) > 0) {
                /* A whole valid UTF-8 sequence, copied as it is. */
                out = (const char *)p;
                p += n - 1;
            } else {
                /* Bytes that are not UTF-8 (a trial's binary output, a cut
                 * character) become U+FFFD, so the JSON stays valid. */
                out = "\\ufffd";
                n = 6;
            }
        }
        if (append(buf, len, cap, out, n) < 0)
            return -ENOMEM;
    }
    return append(buf, len, cap, "\"", 1);
}

int es_value_json(const es_value *v, char **buf, size_t *len, size_t *cap)
{
    char tmp[40];

    switch (v->kind) {
    case ES_V_BOOL:
        return append(buf, len, cap, v->b ? "true" : "false", v->b ? 4 : 5);
    case ES_V_INT:
        snprintf(tmp, sizeof tmp, "%lld", v->i);
        return append(buf, len, cap, tmp, strlen(tmp));
    case ES_V_FLOAT:
        if (!isfinite(v->f))
            return append(buf, len, cap, "null", 4);
        es_fmt_real(v->f, 1, tmp, sizeof tmp);
        return append(buf, len, cap, tmp, strlen(tmp));
    case ES_V_STR:
        return append_json_string(buf, len, cap, v->s != NULL ? v->s : "");
    case ES_V_NULL:
        break;
    }
    return append(buf, len, cap, "null", 4);
}

char *es_params_json(const es_spec *spec, const es_value *values)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;

    if (append(&buf, &len, &cap, "{", 1) < 0)
        return NULL;
    for (size_t i = 0; i < spec->n_params; i++) {
        if ((i > 0 && append(&buf, &len, &cap, ", ", 2) < 0) ||
            append_json_string(&buf, &len, &cap, spec->params[i].name) < 0 ||
            append(&buf, &len, &cap, ": ", 2) < 0 ||
            es_value_json(&values[i], &buf, &len, &cap) < 0) {
            free(buf);
            return NULL;
        }
    }
    if (append(&buf, &len, &cap, "}", 1) < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

void es_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p != NULL; p++)
        free(*p);
    free(v);
}
