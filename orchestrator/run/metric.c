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

#define MAX_PAIRS 64
#define MAX_TOKEN 256

typedef struct pair {
    char name[MAX_TOKEN];
    char text[MAX_TOKEN];
} pair;

typedef struct line_pairs {
    pair p[MAX_PAIRS];
    int n;
} line_pairs;

static void add_pair(line_pairs *lp, const char *name, size_t nlen, const char *text, size_t tlen)
{
    if (lp->n == MAX_PAIRS || nlen == 0 || nlen >= MAX_TOKEN || tlen >= MAX_TOKEN)
        return;
    memcpy(lp->p[lp->n].name, name, nlen);
    lp->p[lp->n].name[nlen] = '\0';
    memcpy(lp->p[lp->n].text, text, tlen);
    lp->p[lp->n].text[tlen] = '\0';
    lp->n++;
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

/* "{step=3 loss=0.4}" is a YAML mapping with one odd key, not a JSON
 * object: a key holding '=' sends the line to the text scan instead. */
static int json_like(const line_pairs *lp)
{
    for (int i = 0; i < lp->n; i++)
        if (strchr(lp->p[i].name, '=') != NULL)
            return 0;
    return 1;
}

static int name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
}

static int value_end(int c)
{
    return c == '\0' || isspace(c) || c == ',' || c == ';' || c == '}' || c == ']' || c == ')';
}

static void scan_text(const char *line, size_t len, line_pairs *lp)
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
            add_pair(lp, line + ns, ne - ns, line + vs, ve - vs);
        i = ve > i ? ve - 1 : i;
    }
}

int es_metric_parse_line(const char *line, size_t len, es_metric_cb cb, void *ud)
{
    line_pairs lp;
    int64_t step = -1;
    int reported = 0;

    lp.n = 0;
    if (es_jsonline_parse(line, len, json_member, &lp) != 0 || !json_like(&lp)) {
        lp.n = 0;
        scan_text(line, len, &lp);
    }
    for (int i = 0; i < lp.n; i++) {
        double v;
        if (is_step_key(lp.p[i].name) && parse_number(lp.p[i].text, &v) && isfinite(v) && v >= 0 &&
            v < 9.2e18)
            step = (int64_t)v;
    }
    for (int i = 0; i < lp.n; i++) {
        es_metric_point pt;
        /* A phase marker's name is no metric (phase.h). */
        if (is_step_key(lp.p[i].name) || strcmp(lp.p[i].name, "_phase") == 0)
            continue;
        pt.name = lp.p[i].name;
        pt.text = lp.p[i].text;
        pt.ok = parse_number(lp.p[i].text, &pt.value);
        if (!pt.ok)
            pt.value = NAN;
        pt.step = step;
        cb(ud, &pt);
        reported++;
    }
    return reported;
}
