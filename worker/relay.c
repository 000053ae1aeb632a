/*
 * relay.c -- the trial's stdout through the worker (see relay.h).
 *
 * The worker's stdout is never made non-blocking: its open file may be
 * shared with other processes (a shell's pipeline), which would see their
 * writes fail.  A write goes out only once poll() says the descriptor is
 * writable, and is at most PIPE_BUF bytes, which a writable pipe always
 * takes whole without blocking.
 */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

int es_relay_open(es_relay *r, int out_fd, int *trial_fd)
{
    int p[2];
    memset(r, 0, sizeof *r);
    r->in_fd = -1;
    r->out_fd = out_fd;
    if (fcntl(out_fd, F_GETFL) < 0)
        return 1;
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return -errno;
    /* The trial's end blocks as a pipe's writer does; the worker's end
     * (its own open file) never does. */
    (void)fcntl(p[1], F_SETFL, 0);
    r->in_fd = p[0];
    *trial_fd = p[1];
    return 0;
}

short es_relay_in_events(const es_relay *r)
{
    return r->in_fd >= 0 && r->len < RELAY_BUF ? POLLIN : 0;
}

short es_relay_out_events(const es_relay *r)
{
    return r->len > 0 && !r->out_failed ? POLLOUT : 0;
}

/* Look at bytes p[0..n) for the end of a marker line. */
static void scan(es_relay *r, const char *p, size_t n, es_relay_marker_fn on_marker, void *ud)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl != NULL ? (size_t)(nl - p) : n;
        if (!r->line_long) {
            if (r->line_len + seg > ES_PHASE_LINE_MAX) {
                r->line_long = 1;
            } else {
                memcpy(r->line + r->line_len, p, seg);
                r->line_len += seg;
            }
        }
        if (nl == NULL)
            return;
        char name[ES_PHASE_NAME_MAX + 1];
        if (!r->line_long && es_phase_marker(r->line, r->line_len, name))
            on_marker(ud, name);
        r->line_len = 0;
        r->line_long = 0;
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

/* One read into the free space; 1 when bytes came, 0 at end of file or
 * when none are there now. */
static int read_once(es_relay *r, es_relay_marker_fn on_marker, void *ud)
{
    if (r->in_fd < 0 || r->len == RELAY_BUF)
        return 0;
    if (r->len == 0)
        r->head = 0;
    size_t tail = (r->head + r->len) % RELAY_BUF;
    size_t room = tail >= r->head ? RELAY_BUF - tail : r->head - tail;
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

/* Write one chunk, which out_fd, just polled writable, takes at once. */
static void write_chunk(es_relay *r)
{
    if (r->len == 0 || r->out_failed)
        return;
    size_t run = r->head + r->len <= RELAY_BUF ? r->len : RELAY_BUF - r->head;
    if (run > PIPE_BUF)
        run = PIPE_BUF;
    ssize_t put;
    do
        put = write(r->out_fd, r->buf + r->head, run);
    while (put < 0 && errno == EINTR);
    if (put < 0 && errno == EAGAIN)
        return;
    if (put <= 0) {
        output_failed(r);
        return;
    }
    r->head = (r->head + (size_t)put) % RELAY_BUF;
    r->len -= (size_t)put;
}

/* Write chunks while out_fd stays writable. */
static void write_ready(es_relay *r)
{
    for (int i = 0; i < RELAY_BUF / PIPE_BUF + 1 && es_relay_out_events(r); i++) {
        struct pollfd p = {r->out_fd, POLLOUT, 0};
        if (poll(&p, 1, 0) != 1)
            return;
        if ((p.revents & (POLLERR | POLLNVAL)) != 0 && (p.revents & POLLOUT) == 0) {
            output_failed(r);
            return;
        }
        write_chunk(r);
    }
}

void es_relay_pump(es_relay *r, es_relay_marker_fn on_marker, void *ud)
{
    (void)read_once(r, on_marker, ud);
    write_ready(r);
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

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void es_relay_finish(es_relay *r, int stop_fd, es_relay_marker_fn on_marker, void *ud)
{
    /* The trial's tree is gone: what the pipe holds comes at once; input
     * that goes quiet, or that keeps coming for long (a process outside
     * the tree holding the pipe), is all there is. */
    const double input_until = mono() + RELAY_INPUT_S;
    for (;;) {
        write_ready(r);
        if (r->in_fd >= 0 && mono() > input_until) {
            close(r->in_fd);
            r->in_fd = -1;
        }
        struct pollfd p[3] = {{r->in_fd, es_relay_in_events(r), 0},
                              {r->out_fd, es_relay_out_events(r), 0},
                              {stop_fd, POLLIN, 0}};
        if (p[0].events == 0 && p[1].events == 0)
            break;
        p[0].fd = p[0].events ? p[0].fd : -1;
        p[1].fd = p[1].events ? p[1].fd : -1;
        /* Output waits for its reader as long as it takes (a slow reader
         * is no reason to lose it); only a stop request ends it. */
        int n = poll(p, 3, p[0].events != 0 ? 50 : -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || ((p[2].revents & POLLIN) != 0 && stop_requested(stop_fd)))
            break;
        if (n == 0 && p[0].events != 0 && p[1].events == 0)
            break;
        if (p[0].revents != 0)
            (void)read_once(r, on_marker, ud);
    }
    /* A last line without its newline. */
    char name[ES_PHASE_NAME_MAX + 1];
    if (!r->line_long && r->line_len > 0 && es_phase_marker(r->line, r->line_len, name))
        on_marker(ud, name);
    if (r->in_fd >= 0)
        close(r->in_fd);
    r->in_fd = -1;
}
