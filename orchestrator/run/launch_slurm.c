/*
 * launch_slurm.c -- srun's command line, scancel, and Slurm's messages
 * (see launch_slurm.h).
 */
#include "launch_slurm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trial_setup.h"

static int push(char **v, size_t *n, const char *fmt, const char *val)
{
    char buf[1024];
    snprintf(buf, sizeof buf, fmt, val);
    return (v[(*n)++] = strdup(buf)) != NULL ? 0 : -1;
}

char **es_slurm_srun_argv(const es_spec_launcher *l, const char *job_name)
{
    char **v = calloc(16 + l->n_extra_args, sizeof *v), cpus[32];
    size_t n = 0;
    int bad = 0;
    if (v == NULL)
        return NULL;
    bad |= push(v, &n, "%s", l->srun ? l->srun : "srun");
    /* One task on one node; the job's name finds it before its id is
     * known. */
    bad |= push(v, &n, "%s", "--ntasks=1");
    bad |= push(v, &n, "%s", "--nodes=1");
    bad |= push(v, &n, "--job-name=%s", job_name);
    if (l->cpus_per_task > 0) {
        snprintf(cpus, sizeof cpus, "%d", l->cpus_per_task);
        bad |= push(v, &n, "--cpus-per-task=%s", cpus);
    }
    if (l->partition)
        bad |= push(v, &n, "--partition=%s", l->partition);
    if (l->time)
        bad |= push(v, &n, "--time=%s", l->time);
    if (l->mem)
        bad |= push(v, &n, "--mem=%s", l->mem);
    if (l->gres)
        bad |= push(v, &n, "--gres=%s", l->gres);
    if (l->account)
        bad |= push(v, &n, "--account=%s", l->account);
    for (size_t i = 0; i < l->n_extra_args; i++)
        bad |= push(v, &n, "%s", l->extra_args[i]);
    if (bad) {
        es_strv_free(v);
        return NULL;
    }
    return v;
}

/* ---- scancel, in the background --------------------------------------------- */

typedef struct cancel_proc {
    uv_process_t proc;
} cancel_proc;

static void on_cancel_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_cancel_exit(uv_process_t *p, int64_t status, int sig)
{
    (void)status, (void)sig;
    uv_close((uv_handle_t *)p, on_cancel_closed);
}

int es_slurm_cancel(uv_loop_t *loop, const char *job, const char *name)
{
    cancel_proc *c = calloc(1, sizeof *c);
    char arg[300], user[80];
    const char *user_env = getenv("USER");
    char *args[5];
    int n = 0;
    if (c == NULL)
        return UV_ENOMEM;
    args[n++] = "scancel";
    if (job != NULL && job[0] != '\0') {
        snprintf(arg, sizeof arg, "%s", job);
        args[n++] = arg;
    } else {
        snprintf(arg, sizeof arg, "--name=%s", name);
        args[n++] = arg;
        /* Only this user's jobs of that name: names are unique per
         * coordinator, but scancel --name alone would reach other users'. */
        snprintf(user, sizeof user, "--user=%s", user_env ? user_env : "");
        if (user_env != NULL)
            args[n++] = user;
    }
    args[n] = NULL;
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE}, {.flags = UV_IGNORE}, {.flags = UV_IGNORE}};
    uv_process_options_t o;
    memset(&o, 0, sizeof o);
    o.file = "scancel";
    o.args = args;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_cancel_exit;
    c->proc.data = c;
    int rc = uv_spawn(loop, &c->proc, &o);
    if (rc != 0)
        uv_close((uv_handle_t *)&c->proc, on_cancel_closed);
    return rc;
}

/* ---- Slurm's messages ----------------------------------------------------------- */

static int starts(const char *line, size_t len, const char *prefix)
{
    size_t k = strlen(prefix);
    return len >= k && memcmp(line, prefix, k) == 0;
}

int es_slurm_line(const char *line, size_t len, char *job, size_t job_cap, char *note,
                  size_t note_cap)
{
    if (!starts(line, len, "srun: ") && !starts(line, len, "slurmstepd: ") &&
        !starts(line, len, "slurmstepd-"))
        return 0;
    /* "srun: job 123 queued ..." / "srun: job 123 has been allocated ..." */
    if (starts(line, len, "srun: job ") && job_cap > 0) {
        size_t i = 10, k = 0;
        while (i < len && k + 1 < job_cap && line[i] >= '0' && line[i] <= '9')
            job[k++] = line[i++];
        if (k > 0 && i < len && line[i] == ' ')
            job[k] = '\0';
    }
    if (note_cap > 0 &&
        (memmem(line, len, "error", 5) != NULL || memmem(line, len, "CANCELLED", 9) != NULL ||
         memmem(line, len, "Killed", 6) != NULL)) {
        size_t n = len < note_cap - 1 ? len : note_cap - 1;
        memcpy(note, line, n);
        note[n] = '\0';
    }
    return 1;
}

const char *es_slurm_state_of_note(const char *note)
{
    if (note == NULL || note[0] == '\0')
        return NULL;
    if (strstr(note, "DUE TO TIME LIMIT") != NULL)
        return "TIMEOUT";
    if (strstr(note, "DUE TO NODE FAILURE") != NULL || strstr(note, "Node failure") != NULL ||
        strstr(note, "NODE_FAIL") != NULL)
        return "NODE_FAIL";
    if (strstr(note, "DUE TO PREEMPTION") != NULL || strstr(note, "PREEMPT") != NULL)
        return "PREEMPTED";
    if (strstr(note, "oom-kill") != NULL || strstr(note, "OUT_OF_MEMORY") != NULL ||
        strstr(note, "out-of-memory") != NULL)
        return "OUT_OF_MEMORY";
    if (strstr(note, "CANCELLED") != NULL)
        return "CANCELLED";
    return NULL;
}

/* ---- sacct, in the background ---------------------------------------------------- */

/* sacct may lag the job's end by a moment: a job still PENDING, RUNNING
 * or COMPLETING there is asked about again, every 300 ms, for up to 6 s. */
#define ACCT_TRIES 20
#define ACCT_RETRY_MS 300

typedef struct sacct_query {
    uv_loop_t *loop;
    uv_process_t proc;
    uv_pipe_t out;
    uv_timer_t retry;
    int closes; /* handles of this attempt (or the end) still closing */
    int tries;
    char job[64];
    char buf[512];
    size_t len;
    int64_t status;
    char state[64];
    double energy;
    es_slurm_acct_cb cb;
    void *ud;
} sacct_query;

static int spawn_sacct(sacct_query *q);

static int final_state(const char *s)
{
    static const char *const running[] = {"PENDING",  "RUNNING",   "COMPLETING",  "REQUEUED",
                                          "RESIZING", "SUSPENDED", "CONFIGURING", NULL};
    for (size_t i = 0; running[i] != NULL; i++)
        if (strcmp(s, running[i]) == 0)
            return 0;
    return s[0] != '\0';
}

static void on_query_freed(uv_handle_t *h)
{
    free(h->data);
}

/* The query is over: tell the caller (unless told otherwise already) and
 * release it once its timer is closed. */
static void end_query(sacct_query *q)
{
    if (q->cb != NULL)
        q->cb(q->ud, q->state[0] && final_state(q->state) ? q->state : NULL, q->energy);
    uv_close((uv_handle_t *)&q->retry, on_query_freed);
}

static void on_failed_closed(uv_handle_t *h)
{
    sacct_query *q = h->data;
    if (--q->closes == 0)
        end_query(q);
}

static void on_retry(uv_timer_t *t)
{
    (void)spawn_sacct(t->data); /* a failure ends the query once closed */
}

static void on_sacct_closed(uv_handle_t *h)
{
    sacct_query *q = h->data;
    if (--q->closes > 0)
        return;
    /* "STATE|ENERGY" for the job allocation (-X); a cancelled job reads
     * "CANCELLED by 0". */
    q->buf[q->len] = '\0';
    char *bar = strchr(q->buf, '|');
    if (q->status == 0 && bar != NULL) {
        size_t n = (size_t)(bar - q->buf);
        snprintf(q->state, sizeof q->state, "%.*s",
                 (int)(n < sizeof q->state ? n : sizeof q->state - 1), q->buf);
        char *sp = strchr(q->state, ' ');
        if (sp != NULL)
            *sp = '\0';
        char *end;
        double j = strtod(bar + 1, &end);
        /* Without an energy plugin sacct says 0: "not measured", not 0 J. */
        q->energy = end != bar + 1 && j > 0 ? j : NAN;
    }
    if (q->status == 0 && !final_state(q->state) && ++q->tries < ACCT_TRIES) {
        q->len = 0;
        uv_timer_start(&q->retry, on_retry, ACCT_RETRY_MS, 0);
        return;
    }
    end_query(q);
}

static void on_sacct_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    sacct_query *q = h->data;
    (void)suggested;
    b->base = q->buf + q->len;
    b->len = sizeof q->buf - 1 - q->len;
}

static void on_sacct_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    sacct_query *q = s->data;
    (void)b;
    if (n > 0)
        q->len += (size_t)n;
    if (n < 0 || q->len >= sizeof q->buf - 1) {
        uv_read_stop(s);
        uv_close((uv_handle_t *)s, on_sacct_closed);
    }
}

static void on_sacct_exit(uv_process_t *p, int64_t status, int sig)
{
    sacct_query *q = p->data;
    q->status = sig ? -1 : status;
    uv_close((uv_handle_t *)p, on_sacct_closed);
}

static int spawn_sacct(sacct_query *q)
{
    char *args[] = {"sacct", "-n", "-P", "-X", "-o", "State,ConsumedEnergyRaw", "-j", q->job, NULL};
    uv_stdio_container_t stdio[3];
    uv_process_options_t o;
    memset(stdio, 0, sizeof stdio);
    memset(&o, 0, sizeof o);
    uv_pipe_init(q->loop, &q->out, 0);
    q->out.data = q->proc.data = q;
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
    stdio[1].data.stream = (uv_stream_t *)&q->out;
    stdio[2].flags = UV_IGNORE;
    o.file = "sacct";
    o.args = args;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = on_sacct_exit;
    q->closes = 2;
    q->status = -1;
    int rc = uv_spawn(q->loop, &q->proc, &o);
    if (rc != 0) {
        /* Nothing more to learn without sacct: the query ends once this
         * attempt's handles are closed. */
        uv_close((uv_handle_t *)&q->out, on_failed_closed);
        uv_close((uv_handle_t *)&q->proc, on_failed_closed);
        return rc;
    }
    uv_read_start((uv_stream_t *)&q->out, on_sacct_alloc, on_sacct_read);
    return 0;
}

int es_slurm_acct(uv_loop_t *loop, const char *job, es_slurm_acct_cb cb, void *ud)
{
    sacct_query *q = calloc(1, sizeof *q);
    if (q == NULL)
        return UV_ENOMEM;
    q->loop = loop;
    q->cb = cb;
    q->ud = ud;
    q->energy = NAN;
    snprintf(q->job, sizeof q->job, "%s", job);
    uv_timer_init(loop, &q->retry);
    q->retry.data = q;
    int rc = spawn_sacct(q);
    if (rc != 0)
        q->cb = NULL; /* the caller is told by rc; the query frees itself */
    return rc;
}
