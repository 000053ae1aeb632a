/*
 * result.c -- the worker's one-line result record (see result.h).
 *
 * The line is "ecosweep-result" and then space-separated key=value tokens,
 * always in the order written by es_result_format() below, though the parser
 * accepts them in any order, ignores keys it does not know (so a later worker
 * may add fields) and lets the last of a repeated key win.  Doubles are
 * written with the fewest digits (15 to 17, %g) that read back bit for bit;
 * NaN is written as "nan" (never "-nan") and means "not known".  Text values (energy sources,
 * host) have any space or control character replaced by '_' so a value never
 * contains a separator; an empty text value is written as "key=".
 *
 * The sample line (es_sample_format/parse) uses the same syntax, writers and
 * token parser, with its own tag and keys.
 *
 * The parser works on a stack copy of the line, so a record longer than
 * ES_RESULT_LINE_MAX is rejected; today's records are well under 1 KiB.
 *
 * The parser is strict where a mismatch would mean misreading the record: the
 * first token must be the tag, "v" must be present and equal to
 * ES_RESULT_VERSION, "status" must be present, and a known key with a value
 * of the wrong type rejects the whole line.  The one exception is
 * "containment": a word it does not know reads as ES_CONTAIN_UNKNOWN, since
 * it only describes how the figures were obtained.
 */
#include "result.h"

#include "err.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ES_RESULT_LINE_MAX 8192

static const char *const em_names[] = {"none", "counter", "estimate"};
static const char *const status_names[] = {"exited", "signaled", "exec_failed"};
static const char *const containment_names[] = {"unknown", "pgroup", "cgroup"};

/* names[i] of a table of n names, or dflt past it; and the inverse, -1
 * when name is none of them. */
static const char *table_name(const char *const *names, size_t n, unsigned i, const char *dflt)
{
    return i < n ? names[i] : dflt;
}

static int table_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

#define N_OF(a) (sizeof(a) / sizeof(a)[0])

const char *es_em_name(es_em m)
{
    return table_name(em_names, N_OF(em_names), (unsigned)m, "none");
}

int es_em_parse(const char *name)
{
    return table_index(em_names, N_OF(em_names), name);
}

const char *es_containment_name(es_containment c)
{
    return table_name(containment_names, N_OF(containment_names), (unsigned)c, "unknown");
}

int es_containment_parse(const char *name)
{
    return table_index(containment_names, N_OF(containment_names), name);
}

static void part_init(es_energy_part *p)
{
    p->j = NAN;
    p->method = ES_EM_NONE;
    p->source[0] = '\0';
}

void es_result_init(es_result *r)
{
    memset(r, 0, sizeof *r);
    r->exit_kind = ES_EXIT_EXITED;
    r->start_unix = NAN;
    r->end_unix = NAN;
    r->wall_s = NAN;
    r->cpu_s = NAN;
    r->peak_rss_kb = -1;
    r->worker_cpu_s = NAN;
    r->worker_peak_rss_kb = -1;
    r->containment = ES_CONTAIN_UNKNOWN;
    part_init(&r->cpu);
    part_init(&r->dram);
    part_init(&r->gpu);
}

/* An snprintf that keeps counting past the end of the buffer. */
typedef struct linebuf {
    char *buf;
    size_t cap;
    size_t len;
} linebuf;

static void out_printf(linebuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(linebuf *o, const char *fmt, ...)
{
    va_list ap;
    char *dst = o->len < o->cap ? o->buf + o->len : NULL;
    size_t room = o->len < o->cap ? o->cap - o->len : 0;
    va_start(ap, fmt);
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* The shortest of %.15g, %.16g and %.17g that reads back as exactly v
 * (%.17g always does), so 0.1 is written "0.1", not "0.10000000000000001". */
static void out_double_bare(linebuf *o, const char *before, double v)
{
    if (isnan(v)) {
        out_printf(o, "%snan", before);
        return;
    }
    char num[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(num, sizeof num, "%.*g", prec, v);
        if (strtod(num, NULL) == v)
            break;
    }
    out_printf(o, "%s%s", before, num);
}

static void out_double(linebuf *o, const char *key, double v)
{
    char before[64];
    snprintf(before, sizeof before, " %s=", key);
    out_double_bare(o, before, v);
}

/* Text values: every byte that could split the token becomes '_'. */
static void out_text(linebuf *o, const char *key, const char *s, size_t max)
{
    char clean[128];
    size_t n = 0;
    for (; n < max && n < sizeof clean - 1 && s[n] != '\0'; n++) {
        unsigned char c = (unsigned char)s[n];
        clean[n] = (c <= ' ' || c == 0x7f) ? '_' : (char)c;
    }
    clean[n] = '\0';
    out_printf(o, " %s=%s", key, clean);
}

/* PART_j and PART_method (a part with no method has no joules). */
static void out_part_brief(linebuf *o, const char *name, const es_energy_part *p)
{
    char key[32];
    snprintf(key, sizeof key, "%s_j", name);
    out_double(o, key, p->method == ES_EM_NONE ? NAN : p->j);
    out_printf(o, " %s_method=%s", name, es_em_name(p->method));
}

static void out_part(linebuf *o, const char *name, const es_energy_part *p)
{
    char key[32];
    out_part_brief(o, name, p);
    snprintf(key, sizeof key, "%s_source", name);
    out_text(o, key, p->source, sizeof p->source);
}

int es_result_format(const es_result *r, char *buf, size_t cap)
{
    linebuf o = {buf, cap, 0};
    const char *status = (unsigned)r->exit_kind < 3 ? status_names[r->exit_kind] : "exited";
    if (cap > 0)
        buf[0] = '\0';
    out_printf(&o, "%s v=%d status=%s exit_code=%d signal=%d exec_errno=%d stop_signal=%d",
               ES_RESULT_TAG, ES_RESULT_VERSION, status, r->exit_code, r->term_signal,
               r->exec_errno, r->stop_signal);
    out_double(&o, "start_unix", r->start_unix);
    out_double(&o, "end_unix", r->end_unix);
    out_double(&o, "wall_s", r->wall_s);
    out_double(&o, "cpu_s", r->cpu_s);
    out_printf(&o, " peak_rss_kb=%ld", r->peak_rss_kb);
    out_part(&o, "cpu", &r->cpu);
    out_part(&o, "dram", &r->dram);
    out_part(&o, "gpu", &r->gpu);
    out_text(&o, "host", r->host, sizeof r->host);
    out_double(&o, "worker_cpu_s", r->worker_cpu_s);
    out_printf(&o, " worker_peak_rss_kb=%ld", r->worker_peak_rss_kb);
    out_printf(&o, " containment=%s", es_containment_name(r->containment));
    for (size_t i = 0; i < r->n_phases && i < ES_PHASES_MAX; i++) {
        const es_result_phase *p = &r->phases[i];
        if (!es_phase_name_ok(p->name, strlen(p->name)))
            continue;
        char key[ES_PHASE_NAME_MAX + 8];
        snprintf(key, sizeof key, "phase.%s", p->name);
        out_double(&o, key, p->wall_s);
        const double j[3] = {p->cpu_j, p->dram_j, p->gpu_j};
        for (int k = 0; k < 3; k++)
            out_double_bare(&o, ",", j[k]);
        out_printf(&o, ",%d", p->entries);
    }
    out_printf(&o, "\n");
    return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

/* ---- parsing ---------------------------------------------------------- */

static int parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end != '\0' || errno != 0 || x < lo || x > hi)
        return ES_EPROTO;
    *out = x;
    return 0;
}

static int parse_int(const char *v, int *out)
{
    long x;
    int rc = parse_long(v, INT_MIN, INT_MAX, &x);
    if (rc == 0)
        *out = (int)x;
    return rc;
}

static int parse_double(const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end != '\0')
        return ES_EPROTO;
    *out = x;
    return 0;
}

static void copy_text(char *dst, size_t cap, const char *v)
{
    snprintf(dst, cap, "%s", v);
}

static int parse_method(const char *v, es_em *out)
{
    int m = es_em_parse(v);
    if (m < 0)
        return ES_EPROTO;
    *out = (es_em)m;
    return 0;
}

/* Keys of the form PART_j / PART_method / PART_source for the parts cpu,
 * dram, gpu; 1 when key was one. */
static int parse_part_key(es_energy_part *const parts[3], const char *key, const char *v, int *rc)
{
    static const char *const names[] = {"cpu", "dram", "gpu"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(key, names[i], n) != 0 || key[n] != '_')
            continue;
        const char *field = key + n + 1;
        if (strcmp(field, "j") == 0)
            *rc = parse_double(v, &parts[i]->j);
        else if (strcmp(field, "method") == 0)
            *rc = parse_method(v, &parts[i]->method);
        else if (strcmp(field, "source") == 0)
            copy_text(parts[i]->source, sizeof parts[i]->source, v);
        else
            return 0;
        return 1;
    }
    return 0;
}

static int parse_status(const char *v, es_exit_kind *out)
{
    int i = table_index(status_names, N_OF(status_names), v);
    if (i < 0)
        return ES_EPROTO;
    *out = (es_exit_kind)i;
    return 0;
}

static int parse_version(const char *v)
{
    long ver;
    if (parse_long(v, 0, INT_MAX, &ver) != 0 || ver != ES_RESULT_VERSION)
        return ES_EPROTO;
    return 0;
}

/* "phase.NAME=WALL_S,CPU_J,DRAM_J,GPU_J,ENTRIES": one more phase. */
static int parse_phase(es_result *r, const char *name, const char *v)
{
    if (!es_phase_name_ok(name, strlen(name)))
        return ES_EPROTO;
    if (r->n_phases == ES_PHASES_MAX)
        return 0; /* a later worker may keep more: the first ones count */
    es_result_phase *p = &r->phases[r->n_phases];
    double x[4];
    char *end;
    for (int k = 0; k < 4; k++) {
        x[k] = strtod(v, &end);
        if (end == v || *end != ',')
            return ES_EPROTO;
        v = end + 1;
    }
    long entries;
    if (parse_long(v, 0, INT_MAX, &entries) != 0)
        return ES_EPROTO;
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->wall_s = x[0];
    p->cpu_j = x[1];
    p->dram_j = x[2];
    p->gpu_j = x[3];
    p->entries = (int)entries;
    r->n_phases++;
    return 0;
}

/* A part that was not measured never carries a number. */
static void clear_unmeasured(es_energy_part *const parts[3])
{
    for (int i = 0; i < 3; i++)
        if (parts[i]->method == ES_EM_NONE)
            parts[i]->j = NAN;
}

/* Called for each key=value token after the tag, NUL-terminated; 0 or
 * ES_EPROTO (which rejects the line). */
typedef int (*token_fn)(void *ctx, const char *key, const char *v);

/*
 * Split the one line line[0..len) (a trailing "\n" or "\r\n" allowed) into
 * its tag, which must be tag, and key=value tokens, handing each to fn.
 * ES_EPROTO for an empty, overlong or multi-line input, another tag, a token
 * without '=' or with an empty key, or whatever fn rejects.
 */
static int parse_tokens(const char *line, size_t len, const char *tag, token_fn fn, void *ctx)
{
    /* Work on a NUL-terminated copy so tokens can be cut in place. */
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    char copy[ES_RESULT_LINE_MAX];
    if (len == 0 || len >= sizeof copy || memchr(line, '\0', len) != NULL ||
        memchr(line, '\n', len) != NULL)
        return ES_EPROTO;
    memcpy(copy, line, len);
    copy[len] = '\0';

    char *save = NULL;
    char *tok = strtok_r(copy, " ", &save);
    if (tok == NULL || strcmp(tok, tag) != 0)
        return ES_EPROTO;
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        if (eq == NULL || eq == tok)
            return ES_EPROTO;
        *eq = '\0';
        int rc = fn(ctx, tok, eq + 1);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- the result record ------------------------------------------------ */

typedef struct result_ctx {
    es_result r;
    int seen_v, seen_status;
} result_ctx;

/* Apply one key=value token to the result.  Unknown keys are accepted and
 * ignored. */
static int result_token(void *ctx, const char *key, const char *v)
{
    result_ctx *c = ctx;
    es_result *r = &c->r;
    int rc = 0;
    if (strcmp(key, "v") == 0) {
        rc = parse_version(v);
        c->seen_v = rc == 0;
    } else if (strcmp(key, "status") == 0) {
        rc = parse_status(v, &r->exit_kind);
        c->seen_status = rc == 0;
    } else if (strcmp(key, "exit_code") == 0) {
        rc = parse_int(v, &r->exit_code);
    } else if (strcmp(key, "signal") == 0) {
        rc = parse_int(v, &r->term_signal);
    } else if (strcmp(key, "exec_errno") == 0) {
        rc = parse_int(v, &r->exec_errno);
    } else if (strcmp(key, "stop_signal") == 0) {
        rc = parse_int(v, &r->stop_signal);
    } else if (strcmp(key, "start_unix") == 0) {
        rc = parse_double(v, &r->start_unix);
    } else if (strcmp(key, "end_unix") == 0) {
        rc = parse_double(v, &r->end_unix);
    } else if (strcmp(key, "wall_s") == 0) {
        rc = parse_double(v, &r->wall_s);
    } else if (strcmp(key, "cpu_s") == 0) {
        rc = parse_double(v, &r->cpu_s);
    } else if (strcmp(key, "peak_rss_kb") == 0) {
        rc = parse_long(v, -1, LONG_MAX, &r->peak_rss_kb);
    } else if (strcmp(key, "host") == 0) {
        copy_text(r->host, sizeof r->host, v);
    } else if (strcmp(key, "worker_cpu_s") == 0) {
        rc = parse_double(v, &r->worker_cpu_s);
    } else if (strcmp(key, "worker_peak_rss_kb") == 0) {
        rc = parse_long(v, -1, LONG_MAX, &r->worker_peak_rss_kb);
    } else if (strcmp(key, "containment") == 0) {
        /* A kind a later worker adds reads as unknown (result.h). */
        int kind = es_containment_parse(v);
        r->containment = kind < 0 ? ES_CONTAIN_UNKNOWN : (es_containment)kind;
    } else if (strncmp(key, "phase.", 6) == 0) {
        rc = parse_phase(r, key + 6, v);
    } else {
        es_energy_part *const parts[3] = {&r->cpu, &r->dram, &r->gpu};
        parse_part_key(parts, key, v, &rc);
    }
    return rc;
}

/* Whether line[0..len) begins with tag and a space. */
static int has_tag(const char *line, size_t len, const char *tag)
{
    size_t n = strlen(tag);
    return len > n && strncmp(line, tag, n) == 0 && line[n] == ' ';
}

int es_result_parse(const char *line, size_t len, es_result *out)
{
    /* The worker's started and sample lines may come first: skip them. */
    while (has_tag(line, len, ES_STARTED_TAG) || has_tag(line, len, ES_SAMPLE_TAG)) {
        const char *nl = memchr(line, '\n', len);
        if (nl == NULL)
            return ES_EPROTO;
        len -= (size_t)(nl + 1 - line);
        line = nl + 1;
    }
    result_ctx c;
    memset(&c, 0, sizeof c);
    es_result_init(&c.r);
    int rc = parse_tokens(line, len, ES_RESULT_TAG, result_token, &c);
    if (rc == 0 && (!c.seen_v || !c.seen_status))
        rc = ES_EPROTO;
    if (rc == 0) {
        es_energy_part *const parts[3] = {&c.r.cpu, &c.r.dram, &c.r.gpu};
        clear_unmeasured(parts);
        for (size_t i = 0; i < c.r.n_phases; i++) {
            es_result_phase *p = &c.r.phases[i];
            p->cpu_j = c.r.cpu.method == ES_EM_NONE ? NAN : p->cpu_j;
            p->dram_j = c.r.dram.method == ES_EM_NONE ? NAN : p->dram_j;
            p->gpu_j = c.r.gpu.method == ES_EM_NONE ? NAN : p->gpu_j;
        }
        *out = c.r;
    }
    return rc;
}

int es_started_format(long pgid, const char *slurm_job, char *buf, size_t cap)
{
    if (slurm_job != NULL && slurm_job[0] != '\0')
        return snprintf(buf, cap, "%s v=%d pgid=%ld slurm_job=%.31s\n", ES_STARTED_TAG,
                        ES_RESULT_VERSION, pgid, slurm_job);
    return snprintf(buf, cap, "%s v=%d pgid=%ld\n", ES_STARTED_TAG, ES_RESULT_VERSION, pgid);
}

int es_started_slurm_job(const char *line, size_t len, char *job, size_t cap)
{
    static const char key[] = " slurm_job=";
    size_t k = sizeof key - 1, n = 0;
    for (size_t i = 0; i + k <= len; i++) {
        if (memcmp(line + i, key, k) != 0)
            continue;
        for (i += k; i < len && n + 1 < cap; i++, n++) {
            char ch = line[i];
            if (!((ch >= '0' && ch <= '9') || ch == '_' || ch == '+'))
                break;
            job[n] = ch;
        }
        break;
    }
    if (cap > 0)
        job[n < cap ? n : cap - 1] = '\0';
    return n > 0 ? 0 : ES_EPROTO;
}

int es_started_parse(const char *line, size_t len, long *pgid)
{
    char buf[128];
    long v;
    int version;
    if (len >= sizeof buf)
        return ES_EPROTO;
    memcpy(buf, line, len);
    buf[len] = '\0';
    if (sscanf(buf, ES_STARTED_TAG " v=%d pgid=%ld", &version, &v) != 2 ||
        version != ES_RESULT_VERSION || v <= 1)
        return ES_EPROTO;
    *pgid = v;
    return 0;
}

/* ---- the sample line ---------------------------------------------------- */

void es_sample_init(es_sample *s)
{
    memset(s, 0, sizeof *s);
    s->wall_s = NAN;
    s->cpu_s = NAN;
    part_init(&s->cpu);
    part_init(&s->dram);
    part_init(&s->gpu);
}

int es_sample_format(const es_sample *s, char *buf, size_t cap)
{
    linebuf o = {buf, cap, 0};
    if (cap > 0)
        buf[0] = '\0';
    out_printf(&o, "%s v=%d", ES_SAMPLE_TAG, ES_RESULT_VERSION);
    out_double(&o, "wall_s", s->wall_s);
    out_double(&o, "cpu_s", s->cpu_s);
    /* No sources: they are in the result line. */
    out_part_brief(&o, "cpu", &s->cpu);
    out_part_brief(&o, "dram", &s->dram);
    out_part_brief(&o, "gpu", &s->gpu);
    out_printf(&o, "\n");
    return o.len > INT_MAX ? INT_MAX : (int)o.len;
}

typedef struct sample_ctx {
    es_sample s;
    int seen_v, seen_wall;
} sample_ctx;

static int sample_token(void *ctx, const char *key, const char *v)
{
    sample_ctx *c = ctx;
    int rc = 0;
    if (strcmp(key, "v") == 0) {
        rc = parse_version(v);
        c->seen_v = rc == 0;
    } else if (strcmp(key, "wall_s") == 0) {
        rc = parse_double(v, &c->s.wall_s);
        c->seen_wall = rc == 0;
    } else if (strcmp(key, "cpu_s") == 0) {
        rc = parse_double(v, &c->s.cpu_s);
    } else {
        es_energy_part *const parts[3] = {&c->s.cpu, &c->s.dram, &c->s.gpu};
        parse_part_key(parts, key, v, &rc);
    }
    return rc;
}

int es_sample_parse(const char *line, size_t len, es_sample *out)
{
    sample_ctx c;
    memset(&c, 0, sizeof c);
    es_sample_init(&c.s);
    int rc = parse_tokens(line, len, ES_SAMPLE_TAG, sample_token, &c);
    if (rc == 0 && (!c.seen_v || !c.seen_wall))
        rc = ES_EPROTO;
    if (rc == 0) {
        es_energy_part *const parts[3] = {&c.s.cpu, &c.s.dram, &c.s.gpu};
        clear_unmeasured(parts);
        *out = c.s;
    }
    return rc;
}
