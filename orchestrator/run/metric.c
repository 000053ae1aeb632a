/*
 * metric.c -- metric lines from a trial's stdout (see metric.h).
 *
 * A line is first tried as a JSON object (decoded by libyaml through
 * jsonline.h, so Python's NaN/Infinity are understood), and otherwise
 * scanned for name=value tokens.  Both paths collect the line's pairs first
 * so that a step written after the values still applies to them.
 */
#include "metric.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonline.h"

#define MAX_TOKEN 256

/* A line is read twice: once for its step (and, for JSON, whether it is
 * a JSON object of metrics at all), once to hand each pair on with that
 * step.  Nothing is collected, so a line may carry any number of pairs
 * (a store of them once dropped every pair past the 64th without a
 * word). */
typedef struct visit {
    int pass;     /* 0: the step; 1: the pairs */
    int not_json; /* pass 0: a key holds '=' */
    int64_t step; /* the last valid step of the line, -1 none */
    es_metric_cb cb;
    void *ud;
    int reported;
} visit;

static int parse_number(const char *text, double *out);
static int is_step_key(const char *name);

static void add_pair(visit *vt, const char *name, size_t nlen, const char *text, size_t tlen)
{
    char n[MAX_TOKEN], t[MAX_TOKEN];
    double v;
    if (nlen == 0 || nlen >= MAX_TOKEN || tlen >= MAX_TOKEN)
        return;
    memcpy(n, name, nlen);
    n[nlen] = '\0';
    memcpy(t, text, tlen);
    t[tlen] = '\0';
    if (vt->pass == 0) {
        /* "{step=3 loss=0.4}" is a YAML mapping with one odd key, not a
         * JSON object: a key holding '=' sends the line to the text scan. */
        if (strchr(n, '=') != NULL)
            vt->not_json = 1;
        if (is_step_key(n) && parse_number(t, &v) && isfinite(v) && v >= 0 && v < 9.2e18)
            vt->step = (int64_t)v;
        return;
    }
    /* A phase marker's name is no metric (phase.h). */
    if (is_step_key(n) || strcmp(n, "_phase") == 0)
        return;
    es_metric_point pt;
    pt.name = n;
    pt.text = t;
    pt.ok = parse_number(t, &pt.value);
    if (!pt.ok)
        pt.value = NAN;
    pt.step = vt->step;
    vt->cb(vt->ud, &pt);
    vt->reported++;
}

/* The whole text is one number: strtod reads NaN and inf too. */
static int parse_number(const char *text, double *out)
{
    char *end;
    if (text[0] == '\0' || isspace((unsigned char)text[0]))
        return 0;
    errno = 0;
    *out = strtod(text, &end);
    return *end == '\0';
}

static int is_step_key(const char *name)
{
    return strcmp(name, "step") == 0 || strcmp(name, "_step") == 0;
}

static int json_member(void *ud, const char *key, const char *text, int quoted)
{
    char buf[MAX_TOKEN];
    /* A quoted value is text even when it looks like a number: keep its
     * quotes so that it never reads as one. */
    if (quoted) {
        snprintf(buf, sizeof buf, "\"%s\"", text);
        text = buf;
    }
    add_pair(ud, key, strlen(key), text, strlen(text));
    return 0;
}

static int name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
}

static int value_end(int c)
{
    return c == '\0' || isspace(c) || c == ',' || c == ';' || c == '}' || c == ']' || c == ')';
}

static void scan_text(const char *line, size_t len, visit *vt)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] != '=')
            continue;
        /* name: the run of name characters just before '=' (spaces allowed
         * between them, as in "loss = 0.3") */
        size_t ne = i;
        while (ne > 0 && (line[ne - 1] == ' ' || line[ne - 1] == '\t'))
            ne--;
        size_t ns = ne;
        while (ns > 0 && name_char((unsigned char)line[ns - 1]))
            ns--;
        size_t vs = i + 1;
        while (vs < len && (line[vs] == ' ' || line[vs] == '\t'))
            vs++;
        size_t ve = vs;
        while (ve < len && !value_end((unsigned char)line[ve]))
            ve++;
        /* Names start like identifiers: "5=x" or "==" are not metrics. */
        if (ns < ne && ve > vs && (isalpha((unsigned char)line[ns]) || line[ns] == '_'))
            add_pair(vt, line + ns, ne - ns, line + vs, ve - vs);
        i = ve > i ? ve - 1 : i;
    }
}

int es_metric_parse_line(const char *line, size_t len, es_metric_cb cb, void *ud)
{
    visit vt = {.pass = 0, .step = -1, .cb = cb, .ud = ud};
    int json = es_jsonline_parse(line, len, json_member, &vt) == 0 && !vt.not_json;
    if (!json) {
        vt.step = -1;
        scan_text(line, len, &vt);
    }
    vt.pass = 1;
    if (json)
        es_jsonline_parse(line, len, json_member, &vt);
    else
        scan_text(line, len, &vt);
    return vt.reported;
}
