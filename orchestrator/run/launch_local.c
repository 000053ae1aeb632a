/*
 * launch_local.c -- the local launcher: the worker as a child process of the
 * coordinator, its stdout/stderr and result descriptor as libuv pipes
 * (see launch.h).
 *
 * The worker inherits three pipes: fd 1 and 2 carry the trial's own output
 * (the trial inherits them from the worker), fd 3 carries the worker's one
 * result line, so nothing a trial prints can be mistaken for the record.
 * stdin is /dev/null: a sweep is not interactive.
 *
 * The worker is started with posix_spawn (a vfork: the child borrows the
 * coordinator's memory until it execs) rather than uv_spawn, which forks:
 * a fork copies the page tables of the whole coordinator and makes every
 * page it writes afterwards fault, so each launch cost more as the sweep
 * (and the coordinator) grew.  Its pipes are plain pipes, opened in libuv
 * once the worker runs, and its exit is seen through a SIGCHLD watcher of
 * the launch's own that reaps the worker's pid alone (libuv reaps the
 * processes it started itself by their pids too).
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch_slurm.h"
#include "records.h"
#include "result.h"
#include "trial_setup.h"

enum { P_OUT, P_ERR, P_RES, P__COUNT };

/* After the worker exits, how long its pipes may stay open.  A worker that
 * ends normally has closed them already; one that was killed may leave
 * processes of its trial holding them, and the sweep must not wait on
 * those. */
#define DRAIN_MS 2000

extern char **environ;

struct es_launch {
    uv_signal_t child; /* SIGCHLD: the worker may have exited */
    pid_t pid;
    uv_pipe_t pipes[P__COUNT];
    uv_timer_t drain;
    es_launch_cbs cbs;
    void *ud;
    int exited;
    int eof[P__COUNT];
    int done_sent;
    int closing;
    int open_handles;

    /* Through Slurm: srun's stderr carries the worker's marked lines and
     * Slurm's own messages among the trial's bytes. */
    int slurm;
    uv_loop_t *loop;
    es_records rec;
    char err_line[256]; /* start of the current stderr line */
    size_t err_len;
    char job[32];   /* the job id, once known */
    char note[240]; /* Slurm's last error about the job */
    char job_name[128];
};

/* A trial's stderr byte run through Slurm: watch its lines for Slurm's
 * messages, pass the bytes on. */
static void slurm_bytes(void *ud, const char *buf, size_t n)
{
    es_launch *l = ud;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            es_slurm_line(l->err_line, l->err_len, l->job, sizeof l->job, l->note, sizeof l->note);
            l->err_len = 0;
        } else if (l->err_len < sizeof l->err_line) {
            l->err_line[l->err_len++] = buf[i];
        }
    }
    l->cbs.on_stderr(l->ud, buf, n);
}

static void slurm_record(void *ud, const char *line, size_t n)
{
    es_launch *l = ud;
    char job[sizeof l->job];
    if (es_started_slurm_job(line, n, job, sizeof job) == 0)
        memcpy(l->job, job, sizeof job);
    l->cbs.on_result(l->ud, line, n);
}

static const es_records_cbs slurm_cbs = {slurm_bytes, slurm_record};

static void maybe_done(es_launch *l)
{
    if (l->done_sent || !l->exited)
        return;
    for (int i = 0; i < P__COUNT; i++)
        if (!l->eof[i])
            return;
    l->done_sent = 1;
    l->cbs.on_done(l->ud);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    /* One buffer per read, freed in on_read: a chatty trial costs at most
     * one 64 KiB buffer per pipe at a time. */
    if (suggested > 65536)
        suggested = 65536;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    es_launch *l = s->data;
    int which = (int)((uv_pipe_t *)s - l->pipes);

    if (n > 0) {
        if (which == P_OUT)
            l->cbs.on_stdout(l->ud, buf->base, (size_t)n);
        else if (which == P_ERR && l->slurm)
            es_records_feed(&l->rec, buf->base, (size_t)n, &slurm_cbs, l);
        else if (which == P_ERR)
            l->cbs.on_stderr(l->ud, buf->base, (size_t)n);
        else
            l->cbs.on_result(l->ud, buf->base, (size_t)n);
    } else if (n < 0) {
        /* EOF, or an error that ends the stream all the same. */
        uv_read_stop(s);
        if (which == P_ERR && l->slurm)
            es_records_end(&l->rec, &slurm_cbs, l);
        l->eof[which] = 1;
        maybe_done(l);
    }
    free(buf->base);
}

static void on_drain(uv_timer_t *t)
{
    es_launch *l = t->data;
    for (int i = 0; i < P__COUNT; i++) {
        if (!l->eof[i]) {
            uv_read_stop((uv_stream_t *)&l->pipes[i]);
            l->eof[i] = 1;
        }
    }
    maybe_done(l);
}

/* A child of the coordinator ended: if it is this launch's worker, reap
 * it and pass its end on. */
static void on_child(uv_signal_t *h, int signum)
{
    es_launch *l = h->data;
    int status = 0;
    pid_t r;
    (void)signum;
    if (l->exited)
        return;
    do
        r = waitpid(l->pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r != l->pid)
        return;
    uv_signal_stop(h);
    l->exited = 1;
    l->cbs.on_exit(l->ud, WIFEXITED(status) ? WEXITSTATUS(status) : 0,
                   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    maybe_done(l);
    if (!l->done_sent)
        uv_timer_start(&l->drain, on_drain, DRAIN_MS, 0);
}

/* A descriptor above 3, so that the worker's dup2 onto 1, 2 and 3 never
 * overwrites another of its pipes (the coordinator may run with a standard
 * descriptor closed); fd itself, or its copy (fd closed).  -1 on error. */
static int above_3(int fd)
{
    if (fd > 3)
        return fd;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, 4);
    close(fd);
    return high;
}

/* Start args[0] (found on our PATH when it has no slash) with env in cwd
 * (NULL: ours), stdin /dev/null, and a pipe on each of its descriptors 1,
 * 2 and 3, whose reading ends, non-blocking, go to rd.  0, or -errno with
 * nothing started and nothing left open. */
static int spawn_worker(char **args, char *const *env, const char *cwd, pid_t *pid,
                        int rd[P__COUNT])
{
    int p[P__COUNT][2], made = 0, rc = 0;
    for (; made < P__COUNT && rc == 0; made++) {
        if (pipe2(p[made], O_CLOEXEC) != 0) {
            rc = -errno;
            break;
        }
        if ((p[made][0] = above_3(p[made][0])) < 0 || (p[made][1] = above_3(p[made][1])) < 0 ||
            fcntl(p[made][0], F_SETFL, O_NONBLOCK) != 0)
            rc = -errno;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sigemptyset(&none);
    /* Every signal, those glibc keeps for itself (sigfillset leaves them
     * out) included: posix_spawn would otherwise leave them ignored in the
     * worker, and the worker's trial after it. */
    memset(&all, 0xff, sizeof all);
    if (rc == 0) {
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        /* The worker starts with every signal at its default and none
         * blocked, whatever the coordinator has installed. */
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        for (int i = 0; i < P__COUNT; i++)
            posix_spawn_file_actions_adddup2(&fa, p[i][1], 1 + i);
        if (cwd != NULL)
            posix_spawn_file_actions_addchdir_np(&fa, cwd);
        rc = -posix_spawnp(pid, args[0], &fa, &attr, args, env != NULL ? env : environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
    }
    for (int i = 0; i < made; i++) {
        if (p[i][1] >= 0)
            close(p[i][1]);
        if (rc == 0)
            rd[i] = p[i][0];
        else if (p[i][0] >= 0)
            close(p[i][0]);
    }
    return rc;
}

static void on_handle_closed(uv_handle_t *h)
{
    es_launch *l = h->data;
    if (--l->open_handles == 0) {
        es_launch_cbs cbs = l->cbs;
        void *ud = l->ud;
        free(l);
        if (cbs.on_closed != NULL)
            cbs.on_closed(ud);
    }
}

int es_launch_start(uv_loop_t *loop, const es_launch_req *req, const es_launch_cbs *cbs, void *ud,
                    es_launch **out, es_err *err)
{
    es_launch *l = calloc(1, sizeof *l);
    int rd[P__COUNT];
    size_t nw = 0, na = 0, np = 0;
    char **args, **srun = NULL;
    int rc;

    *out = NULL;
    if (l == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    if (req->slurm != NULL &&
        (srun = es_slurm_srun_argv(req->slurm, req->job_name ? req->job_name : "ecosweep")) ==
            NULL) {
        free(l);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    while (srun != NULL && srun[np] != NULL)
        np++;
    while (req->worker_args[nw] != NULL)
        nw++;
    while (req->argv[na] != NULL)
        na++;
    args = calloc(np + nw + na + 3, sizeof *args);
    if (args == NULL) {
        es_strv_free(srun);
        free(l);
        return es_err_set(err, -ENOMEM, "out of memory");
    }
    if (np > 0) /* (memcpy from NULL, even of 0 bytes, is undefined) */
        memcpy(args, srun, np * sizeof *args);
    args[np] = (char *)req->worker;
    memcpy(args + np + 1, req->worker_args, nw * sizeof *args);
    args[np + 1 + nw] = "--";
    memcpy(args + np + 2 + nw, req->argv, na * sizeof *args);
    l->loop = loop;
    if (srun != NULL) {
        l->slurm = 1;
        es_records_init(&l->rec);
        snprintf(l->job_name, sizeof l->job_name, "%s", req->job_name ? req->job_name : "");
    }

    l->cbs = *cbs;
    l->ud = ud;
    for (int i = 0; i < P__COUNT; i++) {
        uv_pipe_init(loop, &l->pipes[i], 0);
        l->pipes[i].data = l;
    }
    uv_timer_init(loop, &l->drain);
    l->drain.data = l;
    /* Watching before the worker exists: its exit cannot be missed. */
    uv_signal_init(loop, &l->child);
    l->child.data = l;
    rc = uv_signal_start(&l->child, on_child, SIGCHLD);
    if (rc == 0)
        rc = spawn_worker(args, req->env, req->cwd, &l->pid, rd);
    free(args);
    es_strv_free(srun);
    for (int i = 0; rc == 0 && i < P__COUNT; i++) {
        int orc = uv_pipe_open(&l->pipes[i], rd[i]);
        if (orc != 0) /* unheard of for a fresh pipe: read nothing from it */
            close(rd[i]);
        if (orc != 0 || uv_read_start((uv_stream_t *)&l->pipes[i], on_alloc, on_read) != 0)
            l->eof[i] = 1;
    }
    if (rc != 0) {
        /* libuv wants the handles closed even though nothing started; they
         * are released through the usual close path, with nobody told,
         * since for the caller this launch never existed. */
        if (req->slurm != NULL)
            es_err_set(err, rc, "cannot start srun ('%s'): %s (is Slurm installed here?)",
                       req->slurm->srun ? req->slurm->srun : "srun", uv_strerror(rc));
        else
            es_err_set(err, rc, "cannot start worker '%s': %s", req->worker, uv_strerror(rc));
        l->cbs.on_closed = NULL;
        l->closing = 1;
        l->open_handles = P__COUNT + 2;
        for (int i = 0; i < P__COUNT; i++)
            uv_close((uv_handle_t *)&l->pipes[i], on_handle_closed);
        uv_close((uv_handle_t *)&l->drain, on_handle_closed);
        uv_close((uv_handle_t *)&l->child, on_handle_closed);
        return rc;
    }
    *out = l;
    return 0;
}

int es_launch_signal(es_launch *l, int signum)
{
    if (l->exited)
        return -ESRCH;
    if (l->slurm)
        return es_slurm_cancel(l->loop, l->job, l->job_name);
    /* Not reaped yet (exited is set when it is), so the pid is still the
     * worker's, a zombie at worst. */
    return kill(l->pid, signum) == 0 ? 0 : -errno;
}

const char *es_launch_slurm_job(const es_launch *l)
{
    return l->job;
}

const char *es_launch_slurm_note(const es_launch *l)
{
    return l->note;
}

int es_launch_pid(const es_launch *l)
{
    return (int)l->pid;
}

void es_launch_close(es_launch *l)
{
    if (l->closing)
        return;
    l->closing = 1;
    l->open_handles = P__COUNT + 2;
    for (int i = 0; i < P__COUNT; i++) {
        l->pipes[i].data = l;
        uv_close((uv_handle_t *)&l->pipes[i], on_handle_closed);
    }
    uv_close((uv_handle_t *)&l->drain, on_handle_closed);
    uv_close((uv_handle_t *)&l->child, on_handle_closed);
}
