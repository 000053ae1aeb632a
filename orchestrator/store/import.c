/*
 * import.c -- parsing CSV and `sacct --parsable2` files of jobs that ran
 * outside ecosweep into es_import_job rows (see import.h for the columns
 * and units).
 *
 * The whole file is parsed before anything is stored, so a bad line stops
 * the import with a message naming the file, line and field, and the
 * database is untouched.  Both formats end in the same place: a raw row
 * (what the columns said) is turned into a job by one function, which
 * decides where its energy comes from -- measured (counter), average power
 * (estimate) or the default watts per device (estimate) -- and says so in
 * the job's method and source.
 */
#include "import.h"
#include "numbers.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* One record of the file: its fields (each a fresh string) and its line. */
typedef struct record {
    char **f;
    size_t n, cap;
    int line;
} record;

static void record_clear(record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    r->n = 0;
}

static int record_push(record *r, const char *s, size_t len)
{
    char *copy;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **f = realloc(r->f, cap * sizeof *f);
        if (f == NULL)
            return -ENOMEM;
        r->f = f;
        r->cap = cap;
    }
    if ((copy = malloc(len + 1)) == NULL)
        return -ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    r->f[r->n++] = copy;
    return 0;
}

/* The text of one field with the surrounding blanks removed, in place. */
static char *trim(char *s)
{
    size_t n;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Read the next CSV record (RFC 4180: quoted fields may hold commas, quotes
 * doubled, and line breaks) from text at *pos; *line counts lines; buf has
 * room for len bytes.  1 when a record was read, 0 at the end, -ENOMEM. */
static int csv_next(const char *t, size_t len, size_t *pos, int *line, record *r, char *buf)
{
    size_t i = *pos;
    size_t b = 0;
    int quoted = 0, rc = 0;

    record_clear(r);
    if (i >= len)
        return 0;
    r->line = *line;
    for (;; i++) {
        char c = i < len ? t[i] : '\n';
        if (quoted) {
            if (c == '"' && i + 1 < len && t[i + 1] == '"') {
                buf[b++] = '"';
                i++;
            } else if (c == '"') {
                quoted = 0;
            } else {
                if (c == '\n')
                    ++*line;
                if (i < len)
                    buf[b++] = c;
                else
                    break; /* an unterminated quote ends with the file */
            }
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',' || c == '\n') {
            if (record_push(r, buf, b) != 0) {
                rc = -ENOMEM;
                break;
            }
            b = 0;
            if (c == '\n') {
                ++*line;
                i++;
                break;
            }
        } else if (c != '\r') {
            buf[b++] = c;
        }
    }
    *pos = i;
    return rc != 0 ? rc : 1;
}

/* Read the next line of sacct output, split on '|'. */
static int sacct_next(const char *t, size_t len, size_t *pos, int *line, record *r)
{
    size_t i = *pos, start;
    record_clear(r);
    if (i >= len)
        return 0;
    r->line = (*line)++;
    start = i;
    for (;; i++) {
        if (i >= len || t[i] == '|' || t[i] == '\n') {
            size_t end = i;
            if (end > start && t[end - 1] == '\r')
                end--;
            if (record_push(r, t + start, end - start) != 0)
                return -ENOMEM;
            if (i >= len || t[i] == '\n')
                break;
            start = i + 1;
        }
    }
    *pos = i < len ? i + 1 : i;
    return 1;
}

/* A record that holds nothing but blanks (an empty line). */
static int record_blank(const record *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (const char *p = r->f[i]; *p; p++)
            if (!isspace((unsigned char)*p))
                return 0;
    return 1;
}

/* ---- Values ------------------------------------------------------------------ */

/* A decimal number: strtod's other forms (0x10, inf, nan) are no field
 * of an accounting export, and a finite number past 1e15 in any of them
 * (hours, kWh, watts, joules of one job) is a corrupted or hostile line:
 * 2^64 - 1 joules would be 8.1e12 kWh. */
#define IMPORT_NUMBER_MAX 1e15

static int parse_number(const char *s, double *out)
{
    char *end;
    double v;
    if (*s == '\0' || strpbrk(s, "xXiInN") != NULL)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v) || fabs(v) > IMPORT_NUMBER_MAX)
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v;
    if (*s == '\0') {
        *out = 0;
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (*end != '\0' || errno != 0 || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

/* "2019-03-01T10:00:00" (or a space for T, without seconds, with a Z), as
 * UTC, or unix seconds.  NAN for "", Unknown and None (sacct's words for
 * no time); -1 return for anything else. */
static int parse_time(const char *s, double *out)
{
    struct tm tm;
    int y, mo, d, h, mi, sec = 0, n = 0;
    char sep;
    *out = NAN;
    if (*s == '\0' || strcasecmp(s, "unknown") == 0 || strcasecmp(s, "none") == 0)
        return 0;
    /* Unix seconds, from 1970 to 2200. */
    if (parse_number(s, out) == 0)
        return *out >= 0 && *out < 7258118400.0 ? 0 : -1;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
        (sep != 'T' && sep != ' '))
        return -1;
    s += n;
    if (*s == ':') {
        int m = 0;
        if (sscanf(s, ":%2d%n", &sec, &m) != 1)
            return -1;
        s += m;
    }
    if (*s == 'Z')
        s++;
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (double)timegm(&tm);
    return 0;
}

double es_import_parse_elapsed(const char *s)
{
    double parts[3], days = 0;
    int n = 0;
    const char *p = s, *dash = strchr(s, '-');
    char *end;

    if (dash != NULL) {
        errno = 0;
        long d = strtol(s, &end, 10);
        if (end != dash || end == s || d < 0 || errno != 0)
            return -1;
        days = (double)d;
        p = dash + 1;
    }
    for (;;) {
        if (n == 3 || !isdigit((unsigned char)*p))
            return -1;
        parts[n++] = strtod(p, &end);
        if (*end == '\0')
            break;
        if (*end != ':')
            return -1;
        p = end + 1;
    }
    if (n < 2)
        return -1;
    double secs = n == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : parts[0] * 60 + parts[1];
    return days * 86400 + secs;
}

/* Slurm's job states and ecosweep's statuses, to ecosweep's words.  NULL
 * for a word neither knows; "pending" for jobs that never ran. */
static const char *status_word(const char *s)
{
    static const struct {
        const char *word, *status;
    } words[] = {
        {"completed", "completed"},   {"failed", "failed"},         {"node_fail", "failed"},
        {"out_of_memory", "failed"},  {"boot_fail", "failed"},      {"deadline", "timed_out"},
        {"timed_out", "timed_out"},   {"timeout", "timed_out"},     {"interrupted", "interrupted"},
        {"cancelled", "interrupted"}, {"preempted", "interrupted"}, {"running", "running"},
        {"suspended", "running"},     {"requeued", "running"},      {"pending", "pending"}};
    size_t n;
    if (*s == '\0')
        return "completed";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        n = strlen(words[i].word);
        /* "CANCELLED by 1234": Slurm adds who cancelled it. */
        if (strncasecmp(s, words[i].word, n) == 0 && (s[n] == '\0' || s[n] == ' '))
            return words[i].status;
    }
    return NULL;
}

/* ---- Rows to jobs ---------------------------------------------------------- */

/* What one row said, before deciding where its energy comes from. */
typedef struct raw_job {
    const char *name, *group, *status;
    double hours, started, ended;
    int gpus, cpus;
    double energy_j; /* measured; NAN when not given */
    double power_w;  /* per device; NAN when not given */
} raw_job;

typedef struct parser {
    const char *file;
    const es_import_opts *o;
    es_import_batch *b;
    es_err *err;
} parser;

static int bad(parser *p, int line, const char *field, const char *want, const char *got)
{
    return es_err_set(p->err, ES_EUSAGE, "%s:%d: %s: expected %s, got '%s'", p->file, line, field,
                      want, got);
}

static char *dup_or_null(const char *s)
{
    return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* Add the job a row describes to the batch. */
static int add_job(parser *p, int line, const raw_job *r, const char *what_missing)
{
    es_import_batch *b = p->b;
    es_import_job *j;
    double secs;

    if (isnan(r->hours) && isfinite(r->started) && isfinite(r->ended)) {
        if (r->ended < r->started)
            return es_err_set(p->err, ES_EUSAGE, "%s:%d: ended: before started", p->file, line);
    }
    if (b->n_jobs % 256 == 0) {
        es_import_job *jobs = realloc(b->jobs, (b->n_jobs + 256) * sizeof *jobs);
        if (jobs == NULL)
            return es_err_set(p->err, -ENOMEM, "out of memory");
        b->jobs = jobs;
    }
    j = &b->jobs[b->n_jobs];
    memset(j, 0, sizeof *j);
    j->line = line;
    j->hours = isfinite(r->hours) ? r->hours : (r->ended - r->started) / 3600.0;
    j->started = r->started;
    j->ended = r->ended;
    j->gpus = r->gpus;
    j->cpus = r->cpus;
    secs = j->hours * 3600.0;
    if (isfinite(r->energy_j)) {
        j->energy.j = r->energy_j;
        j->energy.method = ES_EM_COUNTER;
        snprintf(j->energy.source, sizeof j->energy.source, "%s",
                 b->format == ES_IMPORT_SACCT ? "slurm:ConsumedEnergyRaw" : "import:energy_kwh");
        b->n_counter++;
    } else if (isfinite(r->power_w)) {
        int dev = r->gpus > 0 ? r->gpus : r->cpus > 0 ? r->cpus : 1;
        j->energy.j = r->power_w * dev * secs;
        j->energy.method = ES_EM_ESTIMATE;
        snprintf(j->energy.source, sizeof j->energy.source, "import:%gW/%s x%d", r->power_w,
                 r->gpus > 0   ? "gpu"
                 : r->cpus > 0 ? "cpu"
                               : "job",
                 dev);
        b->n_estimate++;
    } else {
        if (r->gpus == 0 && r->cpus == 0)
            return es_err_set(p->err, ES_EUSAGE,
                              "%s:%d: %s: nothing to measure or estimate the energy from", p->file,
                              line, what_missing);
        j->energy.j = (r->gpus * p->o->gpu_watts + r->cpus * p->o->cpu_watts) * secs;
        j->energy.method = ES_EM_ESTIMATE;
        snprintf(j->energy.source, sizeof j->energy.source, "default:%gW/gpu+%gW/cpu",
                 p->o->gpu_watts, p->o->cpu_watts);
        b->n_estimate++;
    }
    j->name = strdup(r->name);
    j->group = dup_or_null(r->group);
    j->status = strdup(r->status);
    b->n_jobs++; /* counted now, so that es_import_batch_free frees the strings */
    if (j->name == NULL || j->status == NULL || (r->group && *r->group && j->group == NULL))
        return es_err_set(p->err, -ENOMEM, "out of memory");
    return 0;
}

/* ---- CSV -------------------------------------------------------------------- */

enum { C_NAME, C_GROUP, C_STATUS, C_HOURS, C_GPUS, C_CPUS, C_KWH, C_POWER, C_START, C_END, C__N };
static const char *const csv_cols[C__N] = {"name", "sweep",      "status",  "hours",   "gpus",
                                           "cpus", "energy_kwh", "power_w", "started", "ended"};

static int csv_header(parser *p, const record *r, int *col_of /* C__N entries */)
{
    for (int c = 0; c < C__N; c++)
        col_of[c] = -1;
    for (size_t i = 0; i < r->n; i++) {
        const char *h = trim(r->f[i]);
        int c = -1;
        for (int k = 0; k < C__N; k++)
            if (strcasecmp(h, csv_cols[k]) == 0)
                c = k;
        if (strcasecmp(h, "group") == 0)
            c = C_GROUP;
        if (c < 0)
            return es_err_set(p->err, ES_EUSAGE,
                              "%s:%d: unknown column '%s' (known: name, hours, gpus, cpus, "
                              "energy_kwh, power_w, sweep, status, started, ended)",
                              p->file, r->line, h);
        if (col_of[c] >= 0)
            return es_err_set(p->err, ES_EUSAGE, "%s:%d: column '%s' appears twice", p->file,
                              r->line, h);
        col_of[c] = (int)i;
    }
    if (col_of[C_NAME] < 0)
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: no 'name' column", p->file, r->line);
    if (col_of[C_HOURS] < 0 && (col_of[C_START] < 0 || col_of[C_END] < 0))
        return es_err_set(p->err, ES_EUSAGE,
                          "%s:%d: no 'hours' column (nor both 'started' and 'ended')", p->file,
                          r->line);
    return 0;
}

static int csv_row(parser *p, const record *r, const int *col_of, size_t n_cols)
{
    const char *v[C__N];
    raw_job j = {.hours = NAN, .energy_j = NAN, .power_w = NAN};
    double x;
    int line = r->line;

    if (r->n != n_cols)
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: %zu fields, but the header has %zu", p->file,
                          line, r->n, n_cols);
    for (int c = 0; c < C__N; c++)
        v[c] = col_of[c] >= 0 ? trim(r->f[col_of[c]]) : "";
    if (*v[C_NAME] == '\0')
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: name: empty", p->file, line);
    j.name = v[C_NAME];
    j.group = v[C_GROUP];
    j.status = status_word(v[C_STATUS]);
    if (j.status == NULL || strcmp(j.status, "pending") == 0)
        return bad(p, line, "status", "completed, failed, timed_out, interrupted or running",
                   v[C_STATUS]);
    if (parse_time(v[C_START], &j.started) != 0)
        return bad(p, line, "started", "a time like 2019-03-01T10:00:00", v[C_START]);
    if (parse_time(v[C_END], &j.ended) != 0)
        return bad(p, line, "ended", "a time like 2019-03-01T10:00:00", v[C_END]);
    if (*v[C_HOURS] != '\0') {
        if (parse_number(v[C_HOURS], &j.hours) != 0)
            return bad(p, line, "hours", "a number", v[C_HOURS]);
        if (j.hours < 0)
            return bad(p, line, "hours", "a number >= 0", v[C_HOURS]);
    } else if (!isfinite(j.started) || !isfinite(j.ended)) {
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: hours: empty, and no started and ended",
                          p->file, line);
    }
    /* Hours that contradict the job's own start and end (by more than a
     * minute: rounding) are a line someone got wrong. */
    if (isfinite(j.hours) && isfinite(j.started) && isfinite(j.ended) &&
        fabs(j.hours * 3600 - (j.ended - j.started)) > 60)
        return bad(p, line, "hours", "the hours between started and ended", v[C_HOURS]);
    if (isfinite(j.started) && isfinite(j.ended) && j.ended < j.started)
        return bad(p, line, "ended", "a time after started", v[C_END]);
    if (parse_count(v[C_GPUS], &j.gpus) != 0)
        return bad(p, line, "gpus", "a whole number >= 0", v[C_GPUS]);
    if (parse_count(v[C_CPUS], &j.cpus) != 0)
        return bad(p, line, "cpus", "a whole number >= 0", v[C_CPUS]);
    if (*v[C_KWH] != '\0') {
        if (parse_number(v[C_KWH], &x) != 0 || x < 0)
            return bad(p, line, "energy_kwh", "a number >= 0", v[C_KWH]);
        j.energy_j = x * 3.6e6;
    }
    if (*v[C_POWER] != '\0') {
        if (parse_number(v[C_POWER], &x) != 0 || x < 0)
            return bad(p, line, "power_w", "a number >= 0", v[C_POWER]);
        j.power_w = x;
    }
    return add_job(p, line, &j, "no energy_kwh, power_w, gpus or cpus");
}

static int parse_csv(parser *p, const char *t, size_t len)
{
    record r = {0};
    size_t pos = 0, n_cols = 0;
    int line = 1, rc, col_of[C__N], have_header = 0;
    char *buf = malloc(len + 1);

    if (buf == NULL)
        return es_err_set(p->err, -ENOMEM, "out of memory");
    while ((rc = csv_next(t, len, &pos, &line, &r, buf)) == 1) {
        if (record_blank(&r))
            continue;
        if (!have_header) {
            if ((rc = csv_header(p, &r, col_of)) != 0)
                break;
            n_cols = r.n;
            have_header = 1;
        } else if ((rc = csv_row(p, &r, col_of, n_cols)) != 0) {
            break;
        }
    }
    record_clear(&r);
    free(r.f);
    free(buf);
    if (rc == -ENOMEM && (p->err == NULL || p->err->code != -ENOMEM))
        return es_err_set(p->err, -ENOMEM, "out of memory");
    if (rc != 0)
        return rc;
    if (!have_header)
        return es_err_set(p->err, ES_EUSAGE, "%s: empty file: expected a header line", p->file);
    return 0;
}

/* ---- sacct ------------------------------------------------------------------- */

enum {
    S_ID,
    S_NAME,
    S_ELAPSED,
    S_ELAPSED_RAW,
    S_TRES,
    S_ENERGY,
    S_STATE,
    S_START,
    S_END,
    S_CPUS,
    S__N
};
static const char *const sacct_cols[S__N] = {
    "JobID", "JobName", "Elapsed", "ElapsedRaw", "AllocTRES", "ConsumedEnergyRaw",
    "State", "Start",   "End",     "AllocCPUS"};

/* cpu=N and gres/gpu=N from AllocTRES ("billing=8,cpu=8,gres/gpu=2,mem=64G,node=1").
 * Typed counts (gres/gpu:a100=2) are summed when the untyped one is absent. */
static void parse_tres(const char *s, int *cpus, int *gpus)
{
    int typed = 0, untyped = -1;
    while (*s) {
        const char *end = strchr(s, ','), *eq = strchr(s, '=');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (eq != NULL && eq < s + n) {
            /* A count: what overflows, or is negative, counts as none. */
            errno = 0;
            long v = strtol(eq + 1, NULL, 10);
            if (errno != 0 || v < 0 || v > 1000000)
                v = 0;
            size_t k = (size_t)(eq - s);
            if (k == 3 && strncmp(s, "cpu", 3) == 0)
                *cpus = (int)v;
            else if (k == 8 && strncmp(s, "gres/gpu", 8) == 0)
                untyped = (int)v;
            else if (k > 9 && strncmp(s, "gres/gpu:", 9) == 0)
                typed += (int)v;
        }
        s += n;
        if (*s == ',')
            s++;
    }
    *gpus = untyped >= 0 ? untyped : typed;
}

static int sacct_row(parser *p, const record *r, const int *col_of, size_t n_cols)
{
    const char *v[S__N];
    char name[512], group[64];
    raw_job j = {.hours = NAN, .energy_j = NAN, .power_w = NAN, .started = NAN, .ended = NAN};
    int line = r->line;
    double x;

    /* --parsable (not 2) ends every line with a '|'. */
    if (r->n != n_cols && !(r->n == n_cols + 1 && r->f[n_cols][0] == '\0'))
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: %zu fields, but the header has %zu", p->file,
                          line, r->n, n_cols);
    for (int c = 0; c < S__N; c++)
        v[c] = col_of[c] >= 0 ? trim(r->f[col_of[c]]) : "";
    if (*v[S_ID] == '\0')
        return es_err_set(p->err, ES_EUSAGE, "%s:%d: JobID: empty", p->file, line);
    /* Steps (123.batch, 123.extern, 123.0) are part of their job's line. */
    if (strchr(v[S_ID], '.') != NULL) {
        p->b->skipped++;
        return 0;
    }
    j.status = status_word(v[S_STATE]);
    if (j.status == NULL)
        return bad(p, line, "State", "a Slurm job state (COMPLETED, FAILED, TIMEOUT...)",
                   v[S_STATE]);
    if (strcmp(j.status, "pending") == 0) {
        p->b->skipped++;
        return 0;
    }
    if (col_of[S_ELAPSED] >= 0) {
        if ((x = es_import_parse_elapsed(v[S_ELAPSED])) < 0)
            return bad(p, line, "Elapsed", "[DD-]HH:MM:SS", v[S_ELAPSED]);
    } else if (parse_number(v[S_ELAPSED_RAW], &x) != 0 || x < 0) {
        return bad(p, line, "ElapsedRaw", "a number of seconds", v[S_ELAPSED_RAW]);
    }
    j.hours = x / 3600.0;
    if (parse_time(v[S_START], &j.started) != 0)
        return bad(p, line, "Start", "a time like 2019-03-01T10:00:00", v[S_START]);
    if (parse_time(v[S_END], &j.ended) != 0)
        return bad(p, line, "End", "a time like 2019-03-01T10:00:00", v[S_END]);
    parse_tres(v[S_TRES], &j.cpus, &j.gpus);
    if (j.cpus == 0 && *v[S_CPUS] != '\0' && parse_count(v[S_CPUS], &j.cpus) != 0)
        return bad(p, line, "AllocCPUS", "a whole number >= 0", v[S_CPUS]);
    /* 0 is what sacct prints when no energy plugin gathered anything. */
    if (*v[S_ENERGY] != '\0') {
        if (parse_number(v[S_ENERGY], &x) != 0 || x < 0)
            return bad(p, line, "ConsumedEnergyRaw", "a number of joules", v[S_ENERGY]);
        if (x > 0)
            j.energy_j = x;
    }
    snprintf(name, sizeof name, "%s%s%s", v[S_ID], *v[S_NAME] ? " " : "", v[S_NAME]);
    j.name = name;
    /* Array tasks 123_4 belong to array job 123: one sweep. */
    const char *us = strchr(v[S_ID], '_');
    if (us != NULL) {
        snprintf(group, sizeof group, "slurm-array-%.*s", (int)(us - v[S_ID]), v[S_ID]);
        j.group = group;
    }
    return add_job(p, line, &j, "no ConsumedEnergyRaw and no cpu or gpu count in AllocTRES");
}

static int parse_sacct(parser *p, const char *t, size_t len)
{
    record r = {0};
    size_t pos = 0, n_cols = 0;
    int line = 1, rc, col_of[S__N], have_header = 0;

    while ((rc = sacct_next(t, len, &pos, &line, &r)) == 1) {
        if (record_blank(&r))
            continue;
        if (!have_header) {
            for (int c = 0; c < S__N; c++)
                col_of[c] = -1;
            n_cols = r.n;
            if (n_cols > 0 && r.f[n_cols - 1][0] == '\0')
                n_cols--; /* --parsable's trailing '|' */
            for (size_t i = 0; i < n_cols; i++)
                for (int c = 0; c < S__N; c++)
                    if (strcasecmp(trim(r.f[i]), sacct_cols[c]) == 0)
                        col_of[c] = (int)i;
            have_header = 1;
            if (col_of[S_ID] < 0 || (col_of[S_ELAPSED] < 0 && col_of[S_ELAPSED_RAW] < 0)) {
                rc = es_err_set(p->err, ES_EUSAGE,
                                "%s:%d: the sacct header needs JobID and Elapsed (run sacct "
                                "--parsable2 --format=JobID,JobName,Elapsed,AllocTRES,"
                                "ConsumedEnergyRaw,State,Start,End)",
                                p->file, r.line);
                break;
            }
        } else if ((rc = sacct_row(p, &r, col_of, n_cols)) != 0) {
            break;
        }
    }
    record_clear(&r);
    free(r.f);
    if (rc == -ENOMEM && (p->err == NULL || p->err->code != -ENOMEM))
        return es_err_set(p->err, -ENOMEM, "out of memory");
    if (rc != 0)
        return rc;
    if (!have_header)
        return es_err_set(p->err, ES_EUSAGE, "%s: empty file: expected sacct's header line",
                          p->file);
    return 0;
}

/* ---- Entry points ---------------------------------------------------------- */

const char *es_import_format_name(es_import_format f)
{
    return f == ES_IMPORT_SACCT ? "sacct" : "csv";
}

static es_import_format detect(const char *t, size_t len)
{
    size_t i = 0, end;
    while (i < len && isspace((unsigned char)t[i]))
        i++;
    for (end = i; end < len && t[end] != '\n'; end++)
        ;
    if (end - i >= 6 && strncasecmp(t + i, "JobID", 5) == 0 && memchr(t + i, '|', end - i))
        return ES_IMPORT_SACCT;
    return ES_IMPORT_CSV;
}

int es_import_parse(const char *name, const char *text, size_t len, const es_import_opts *o,
                    es_import_batch **out, es_err *err)
{
    es_import_batch *b = calloc(1, sizeof *b);
    parser p = {.file = name, .o = o, .b = b, .err = err};
    int rc;

    *out = NULL;
    if (b == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    if (err != NULL)
        es_err_clear(err);
    /* A UTF-8 byte-order mark (spreadsheets write one) is no part of the
     * first header name. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    b->format = o->format != ES_IMPORT_AUTO ? o->format : detect(text, len);
    rc = b->format == ES_IMPORT_SACCT ? parse_sacct(&p, text, len) : parse_csv(&p, text, len);
    if (rc == 0 && b->n_jobs == 0)
        rc = es_err_set(err, ES_EUSAGE, "%s: no jobs in the file", name);
    if (rc != 0) {
        es_import_batch_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void es_import_batch_free(es_import_batch *b)
{
    if (b == NULL)
        return;
    for (size_t i = 0; i < b->n_jobs; i++) {
        free(b->jobs[i].name);
        free(b->jobs[i].group);
        free(b->jobs[i].status);
    }
    free(b->jobs);
    free(b);
}

void es_import_hash(const char *text, size_t len, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)es_hash64(ES_HASH64_INIT, text, len));
}
