/*
 * worker_runner.c -- runs the built ecosweep-worker for the worker tests and
 * collects its stdout, stderr and result descriptor, so that every test
 * program starts the binary, guards against a hung worker and reads the
 * result line the same way (see worker_runner.h).  A test that needs more
 * (a powercap root, no result descriptor, its own environment) says so in a
 * worker_setup instead of carrying its own fork/exec code.
 */
#include "worker_runner.h"

#include "es_test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARGV_MAX 64
#define LIMIT_S 10.0

double worker_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void worker_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
}

void worker_sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

pid_t worker_wait_pid_file(const char *path)
{
    double limit = worker_now_s() + 3.0;
    for (;;) {
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            int pid = 0;
            int ok = fscanf(f, "%d", &pid) == 1;
            fclose(f);
            if (ok && pid > 0)
                return (pid_t)pid;
        }
        if (worker_now_s() > limit)
            ES_FAIL("no pid in %s after 3 s", path);
        worker_sleep_s(0.01);
    }
}

int worker_pid_gone(pid_t pid)
{
    return kill(pid, 0) != 0 && errno == ESRCH;
}

const char *worker_path(void)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/ecosweep-worker", es_test_build_dir());
    return path;
}

/* In the child: apply the setup's environment entries. */
static void apply_env(const char *const *env)
{
    for (; env != NULL && *env != NULL; env++) {
        const char *eq = strchr(*env, '=');
        if (eq == NULL) {
            unsetenv(*env);
            continue;
        }
        char name[256];
        size_t len = (size_t)(eq - *env);
        if (len >= sizeof name)
            _exit(98);
        memcpy(name, *env, len);
        name[len] = '\0';
        if (setenv(name, eq + 1, 1) != 0)
            _exit(98);
    }
}

void worker_start_with(worker_proc *w, const worker_setup *setup, const char *const *opts,
                       const char *const *trial)
{
    int with_fd = setup == NULL || !setup->no_result_fd;
    const char *argv[ARGV_MAX];
    int n = 0;
    argv[n++] = worker_path();
    if (with_fd) {
        argv[n++] = "--result-fd";
        argv[n++] = "9";
    }
    for (; opts != NULL && *opts != NULL; opts++) {
        if (n >= ARGV_MAX - 2)
            ES_FAIL("worker_runner: more than %d arguments", ARGV_MAX - 2);
        argv[n++] = *opts;
    }
    argv[n++] = "--";
    for (; *trial != NULL; trial++) {
        if (n >= ARGV_MAX - 1)
            ES_FAIL("worker_runner: more than %d arguments", ARGV_MAX - 1);
        argv[n++] = *trial;
    }
    argv[n] = NULL;

    int pr[2], po[2], pe[2];
    ES_CHECK(pipe2(pr, O_CLOEXEC) == 0 && pipe2(po, O_CLOEXEC) == 0 && pipe2(pe, O_CLOEXEC) == 0);
    memset(w, 0, sizeof *w);
    w->started = worker_now_s();
    w->pid = fork();
    ES_CHECK(w->pid >= 0);
    if (w->pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        if (with_fd)
            dup2(pr[1], WORKER_RESULT_FD);
        apply_env(setup != NULL ? setup->env : NULL);
        execv(argv[0], (char *const *)argv);
        _exit(99);
    }
    close(pr[1]);
    close(po[1]);
    close(pe[1]);
    w->fd_res = pr[0];
    w->fd_out = po[0];
    w->fd_err = pe[0];
    if (!with_fd) {
        close(pr[0]);
        w->fd_res = -1;
    }
}

void worker_start(worker_proc *w, const char *const *opts, const char *const *trial)
{
    worker_start_with(w, NULL, opts, trial);
}

/* One read from *fd into buf (keeping its first WORKER_BUF - 1 bytes);
 * closes *fd and sets it to -1 at EOF. */
static void drain(int *fd, char *buf, size_t *n)
{
    char tmp[1024];
    ssize_t got = read(*fd, tmp, sizeof tmp);
    if (got < 0 && errno == EINTR)
        return;
    if (got <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    size_t room = WORKER_BUF - 1 - *n;
    size_t take = (size_t)got < room ? (size_t)got : room;
    memcpy(buf + *n, tmp, take);
    *n += take;
    buf[*n] = '\0';
}

static void __attribute__((noreturn)) hung(worker_proc *w, const char *what)
{
    kill(w->pid, SIGKILL);
    waitpid(w->pid, NULL, 0);
    ES_FAIL("worker %s after %g s (a trial process leaked?); stderr: '%s'", what, LIMIT_S, w->err);
}

void worker_collect(worker_proc *w)
{
    double limit = worker_now_s() + LIMIT_S;
    while (w->fd_res >= 0 || w->fd_out >= 0 || w->fd_err >= 0) {
        struct pollfd p[3] = {
            {w->fd_res, POLLIN, 0}, {w->fd_out, POLLIN, 0}, {w->fd_err, POLLIN, 0}};
        if (worker_now_s() > limit)
            hung(w, "output still open");
        if (poll(p, 3, 100) <= 0)
            continue;
        if (p[0].revents)
            drain(&w->fd_res, w->res, &w->n_res);
        if (p[1].revents)
            drain(&w->fd_out, w->out, &w->n_out);
        if (p[2].revents)
            drain(&w->fd_err, w->err, &w->n_err);
    }
    /* Its output is closed, so it is exiting; still, never wait forever. */
    for (;;) {
        pid_t got = waitpid(w->pid, &w->status, WNOHANG);
        if (got == w->pid)
            break;
        ES_CHECK(got == 0 || (got < 0 && errno == EINTR));
        if (worker_now_s() > limit)
            hung(w, "still running");
        struct timespec nap = {0, 1000000L};
        nanosleep(&nap, NULL);
    }
    w->elapsed = worker_now_s() - w->started;
    w->exit_status = WIFEXITED(w->status) ? WEXITSTATUS(w->status) : 1000 + WTERMSIG(w->status);
}

void worker_finish(worker_proc *w)
{
    worker_collect(w);
    /* On the result descriptor the started line comes first. */
    const char *line = strstr(w->n_res > 0 ? w->res : w->err, ES_RESULT_TAG " ");
    if (line == NULL)
        ES_FAIL("no result line; stderr: '%s'", w->err);
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
    int rc = es_result_parse(line, len, &w->r);
    if (rc != 0)
        ES_FAIL("result line did not parse (%d): '%s'", rc, line);
}

void worker_run_with(worker_proc *w, const worker_setup *setup, const char *const *opts,
                     const char *const *trial)
{
    worker_start_with(w, setup, opts, trial);
    worker_finish(w);
}

void worker_run(worker_proc *w, const char *const *opts, const char *const *trial)
{
    worker_run_with(w, NULL, opts, trial);
}
