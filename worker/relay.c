/*
 * relay.c -- the trial's stdout through the worker (see relay.h).
 *
 * Writing never blocks the worker, yet never touches the open file it
 * shares: the worker's stdout may be shared with other processes (a
 * shell's pipeline), which would see their own writes fail if it were made
 * non-blocking.  So the relay writes through a descriptor of its own
 * (out_w) on a pipe or FIFO, opened again through /proc/self/fd (a new
 * open file, made non-blocking); with send(MSG_DONTWAIT) on a stream
 * socket; and as it is to a regular file, a block device or /dev/null,
 * which never block for long.  Anything else (a terminal, another device,
 * a datagram socket, a pipe that cannot be opened again) is not relayed.
 *
 * Lines are looked at only where they could be a marker: one that starts
 * with 'e' or '{' is kept (its first ES_PHASE_LINE_MAX bytes) until its
 * newline; from any other, memchr finds the next line that starts so.
 */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

enum { W_DIRECT, W_OWN, W_SOCKET };

int es_relay_open(es_relay *r, int out_fd, int *trial_fd)
{
    int p[2];
    struct stat st;
    memset(r, 0, sizeof *r);
    r->in_fd = r->out_w = -1;
    r->out_fd = out_fd;
    int fl = fcntl(out_fd, F_GETFL);
    /* Nowhere to write: the trial keeps the descriptor as it is (and gets
     * EBADF, as without the worker). */
    if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY || fstat(out_fd, &st) != 0)
        return 1;
    if ((r->buf = malloc(RELAY_BUF)) == NULL)
        return -ENOMEM;
    r->cap = RELAY_BUF;
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        int e = errno;
        free(r->buf);
        r->buf = NULL;
        return -e;
    }
    /* The trial's end blocks as a pipe's writer does. */
    (void)fcntl(p[1], F_SETFL, 0);
    r->in_fd = p[0];
    r->out_kind = -1;
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ||
        (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))) {
        r->out_kind = W_DIRECT; /* a file, a disk, /dev/null: never blocks for long */
    } else if (S_ISSOCK(st.st_mode)) {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(out_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
            r->out_kind = W_SOCKET;
    } else if (S_ISFIFO(st.st_mode)) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", out_fd);
        r->out_w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (r->out_w >= 0)
            r->out_kind = W_OWN;
    }
    /* A terminal or another device (opening one again may reach another:
     * /dev/ptmx, /dev/tty), a datagram socket, a pipe that cannot be
     * opened again: no way to write without blocking or splitting, so no
     * pass-on: the trial writes there itself. */
    if (r->out_kind < 0) {
        close(p[0]);
        close(p[1]);
        free(r->buf);
        r->buf = NULL;
        r->in_fd = -1;
        return 2;
    }
    *trial_fd = p[1];
    return 0;
}

void es_relay_close(es_relay *r)
{
    if (r->in_fd >= 0)
        close(r->in_fd);
    if (r->out_w >= 0)
        close(r->out_w);
    free(r->buf);
    r->in_fd = r->out_w = -1;
    r->buf = NULL;
}

short es_relay_in_events(const es_relay *r)
{
    return r->in_fd >= 0 && (r->len < r->cap || r->cap < RELAY_BUF_MAX) ? POLLIN : 0;
}

short es_relay_out_events(const es_relay *r)
{
    return r->len > 0 && !r->out_failed ? POLLOUT : 0;
}

int es_relay_poll_fd(const es_relay *r)
{
    return r->out_w >= 0 ? r->out_w : r->out_fd;
}

/* The first line start in p[1..n) whose first byte is 'e' or '{' (a
 * marker's), or NULL.  memchr finds the candidates, so output without
 * those bytes is passed over at memchr's speed. */
static const char *next_candidate(const char *p, size_t n)
{
    const char *end = p + n, *q = p + 1;
    const char *ce = NULL, *cb = NULL;
    while (q < end) {
        if (ce == NULL || ce < q)
            ce = memchr(q, 'e', (size_t)(end - q));
        if (cb == NULL || cb < q)
            cb = memchr(q, '{', (size_t)(end - q));
        const char *c = ce == NULL ? cb : cb == NULL ? ce : ce < cb ? ce : cb;
        if (c == NULL)
            return NULL;
        if (c[-1] == '\n')
            return c;
        q = c + 1;
    }
    return NULL;
}

/* Look at bytes p[0..n) for the end of a marker line. */
static void scan(es_relay *r, const char *p, size_t n, es_relay_marker_fn on_marker, void *ud)
{
    while (n > 0) {
        if (r->line_state == 0) /* a line begins: could it be a marker? */
            r->line_state = p[0] == 'e' || p[0] == '{' ? 1 : 2;
        if (r->line_state == 2) {
            /* Not a marker's line: on to the next line that could be. */
            const char *c = next_candidate(p, n);
            if (c == NULL) {
                r->line_state = p[n - 1] == '\n' ? 0 : 2;
                return;
            }
            n -= (size_t)(c - p);
            p = c;
            r->line_state = 1;
        }
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl != NULL ? (size_t)(nl - p) : n;
        if (r->line_state == 1) {
            if (r->line_len + seg > ES_PHASE_LINE_MAX) {
                r->line_state = 3; /* too long to be one: skipped to its end */
            } else {
                memcpy(r->line + r->line_len, p, seg);
                r->line_len += seg;
            }
        }
        if (nl == NULL)
            return;
        char name[ES_PHASE_NAME_MAX + 1];
        if (r->line_state == 1 && es_phase_marker(r->line, r->line_len, name))
            on_marker(ud, name);
        r->line_len = 0;
        r->line_state = 0;
        p = nl + 1;
        n -= seg + 1;
    }
}

/* No reader for the output: the trial learns it as it would writing there
 * itself (EPIPE, SIGPIPE), and nothing more is held. */
static void output_failed(es_relay *r)
{
    r->out_failed = 1;
    r->len = 0;
    r->head = 0;
    if (r->in_fd >= 0)
        close(r->in_fd);
    r->in_fd = -1;
}

/* Room for more behind a reader that lags: the buffer doubles, up to
 * RELAY_BUF_MAX, so that markers are still seen on time. */
static void grow(es_relay *r)
{
    if (r->len < r->cap || r->cap >= RELAY_BUF_MAX)
        return;
    char *b = malloc(r->cap * 2);
    if (b == NULL)
        return;
    size_t first = r->cap - r->head;
    memcpy(b, r->buf + r->head, first);
    memcpy(b + first, r->buf, r->head);
    free(r->buf);
    r->buf = b;
    r->head = 0;
    r->cap *= 2;
}

/* One read into the free space; 1 when bytes came, 0 at end of file or
 * when none are there now. */
static int read_once(es_relay *r, es_relay_marker_fn on_marker, void *ud)
{
    grow(r);
    if (r->in_fd < 0 || r->len == r->cap)
        return 0;
    if (r->len == 0)
        r->head = 0;
    size_t tail = (r->head + r->len) % r->cap;
    size_t room = tail >= r->head ? r->cap - tail : r->head - tail;
    ssize_t got = read(r->in_fd, r->buf + tail, room);
    if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (got <= 0) {
        close(r->in_fd);
        r->in_fd = -1;
        return 0;
    }
    scan(r, r->buf + tail, (size_t)got, on_marker, ud);
    r->len += (size_t)got;
    return 1;
}

/* What a failed write means: the reader gone (EPIPE) closes the trial's
 * pipe, as if it wrote there; any other error (ENOSPC, EFBIG, EIO) drops
 * the output, said once on stderr, and the trial goes on. */
static void write_failed(es_relay *r, int e)
{
    if (e == EPIPE || e == ECONNRESET) {
        output_failed(r);
        return;
    }
    if (!r->dropping)
        fprintf(stderr,
                "ecosweep-worker: the trial's stdout cannot be written (%s): its output "
                "is dropped from here on\n",
                strerror(e));
    r->dropping = 1;
    r->dropped += r->len;
    r->len = 0;
    r->head = 0;
}

/* Write what out takes now: 1 when it took something.  Into a pipe, each
 * write is at most PIPE_BUF bytes and ends at a newline where one is
 * within them, so that a line no longer than PIPE_BUF stays whole beside
 * other writers of the same pipe, as the trial's own write kept it. */
static int write_some(es_relay *r)
{
    int took = 0;
    if (r->dropping) {
        r->dropped += r->len;
        r->len = 0;
        return 0;
    }
    char chunk[PIPE_BUF];
    while (r->len > 0 && !r->out_failed) {
        size_t run = r->head + r->len <= r->cap ? r->len : r->cap - r->head;
        const char *from = r->buf + r->head;
        if (r->out_kind == W_OWN && (run > PIPE_BUF || run < r->len)) {
            /* Up to PIPE_BUF bytes, across the ring's end, cut after the
             * last newline in them. */
            size_t take = r->len < PIPE_BUF ? r->len : PIPE_BUF;
            size_t first = take < run ? take : run;
            memcpy(chunk, from, first);
            memcpy(chunk + first, r->buf, take - first);
            const char *nl = take == PIPE_BUF || take < r->len ? memrchr(chunk, '\n', take) : NULL;
            run = nl != NULL ? (size_t)(nl - chunk) + 1 : take;
            from = chunk;
        }
        ssize_t put;
        do {
            if (r->out_kind == W_SOCKET)
                put = send(r->out_fd, from, run, MSG_DONTWAIT | MSG_NOSIGNAL);
            else
                put = write(r->out_kind == W_OWN ? r->out_w : r->out_fd, from, run);
        } while (put < 0 && errno == EINTR);
        if (put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return took;
        if (put <= 0) {
            write_failed(r, put < 0 ? errno : EIO);
            return took;
        }
        took = 1;
        r->head = (r->head + (size_t)put) % r->cap;
        r->len -= (size_t)put;
    }
    return took;
}

void es_relay_pump(es_relay *r, es_relay_marker_fn on_marker, void *ud)
{
    (void)read_once(r, on_marker, ud);
    (void)write_some(r);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the signalfd fd brought a stop request (a signal other than
 * SIGCHLD, which only says a child ended). */
static int stop_requested(int fd)
{
    struct signalfd_siginfo si[8];
    ssize_t n;
    int stop = 0;
    while ((n = read(fd, si, sizeof si)) > 0)
        for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++)
            stop |= si[i].ssi_signo != SIGCHLD;
    return stop;
}

void es_relay_finish(es_relay *r, int stop_fd, double stopped_wait_s, es_relay_marker_fn on_marker,
                     void *ud)
{
    /* Input from the pipe is read until end of file; what keeps coming
     * for RELAY_INPUT_S of reading (while there is room for it: a slow
     * reader is no writer) has a writer outside the trial's tree. */
    double reading = 0, last = mono();
    double give_up = stopped_wait_s >= 0 ? last + stopped_wait_s : INFINITY;
    for (;;) {
        (void)write_some(r);
        double now = mono();
        if (es_relay_in_events(r))
            reading += now - last;
        last = now;
        if (r->in_fd >= 0 && reading > RELAY_INPUT_S) {
            close(r->in_fd);
            r->in_fd = -1;
        }
        struct pollfd p[3] = {{r->in_fd, es_relay_in_events(r), 0},
                              {es_relay_poll_fd(r), es_relay_out_events(r), 0},
                              {stop_fd, POLLIN, 0}};
        if (p[0].events == 0 && p[1].events == 0)
            break;
        if (now >= give_up)
            break; /* stopped: the reader had its time */
        p[0].fd = p[0].events ? p[0].fd : -1;
        p[1].fd = p[1].events ? p[1].fd : -1;
        double until = give_up - now;
        int ms = p[0].events ? 50 : until < 3600 ? (int)(until * 1000) + 1 : -1;
        int n = poll(p, 3, ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || ((p[2].revents & POLLIN) != 0 && stop_requested(stop_fd)))
            break;
        if (n == 0 && p[0].events != 0 && p[1].events == 0)
            break; /* quiet for 50 ms with nothing left to write: all there is */
        if (p[0].revents != 0)
            (void)read_once(r, on_marker, ud);
    }
    /* A last line without its newline. */
    char name[ES_PHASE_NAME_MAX + 1];
    if (r->line_state == 1 && r->line_len > 0 && es_phase_marker(r->line, r->line_len, name))
        on_marker(ud, name);
    if (r->len > 0 && !r->out_failed)
        fprintf(stderr,
                "ecosweep-worker: stopped while passing the trial's output on: its last %zu "
                "byte%s were not written%s\n",
                r->len, r->len == 1 ? "" : "s",
                r->in_fd >= 0 ? " (and what it still held in its pipe)" : "");
    es_relay_close(r);
}
