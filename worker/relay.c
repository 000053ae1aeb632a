/*
 * relay.c -- the trial's stdout through the worker (see relay.h).
 */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int es_relay_open(es_relay *r, int out_fd, int *trial_fd)
{
    int p[2];
    memset(r, 0, sizeof *r);
    r->in_fd = -1;
    r->out_fd = out_fd;
    r->out_flags0 = -1;
    int flags = fcntl(out_fd, F_GETFL);
    if (flags < 0)
        return 1;
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return -errno;
    /* The trial's end blocks as a pipe's writer does. */
    (void)fcntl(p[1], F_SETFL, 0);
    if ((flags & O_NONBLOCK) == 0 && fcntl(out_fd, F_SETFL, flags | O_NONBLOCK) == 0)
        r->out_flags0 = flags;
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
    if (r->out_failed) {
        r->len = 0; /* no reader: dropped */
        r->head = 0;
    }
    return 1;
}

static void write_some(es_relay *r)
{
    while (r->len > 0 && !r->out_failed) {
        size_t run = r->head + r->len <= RELAY_BUF ? r->len : RELAY_BUF - r->head;
        ssize_t put = write(r->out_fd, r->buf + r->head, run);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0 && errno == EAGAIN)
            return;
        if (put <= 0) {
            r->out_failed = 1;
            r->len = 0;
            return;
        }
        r->head = (r->head + (size_t)put) % RELAY_BUF;
        r->len -= (size_t)put;
    }
}

void es_relay_pump(es_relay *r, es_relay_marker_fn on_marker, void *ud)
{
    (void)read_once(r, on_marker, ud);
    write_some(r);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void es_relay_finish(es_relay *r, double timeout_s, es_relay_marker_fn on_marker, void *ud)
{
    double end = mono() + timeout_s;
    for (;;) {
        write_some(r);
        struct pollfd p[2] = {{r->in_fd, es_relay_in_events(r), 0},
                              {r->out_fd, es_relay_out_events(r), 0}};
        if (p[0].events == 0 && p[1].events == 0)
            break;
        double left = end - mono();
        if (left <= 0)
            break;
        /* Input that goes quiet for 50 ms is taken as all there is: what
         * holds the pipe now outlived the trial. */
        int ms = p[0].events != 0 ? 50 : (int)(left * 1000) + 1;
        int n = poll(p, 2, ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && p[0].events != 0 && p[1].events == 0)
            break;
        if (n < 0)
            break;
        while (read_once(r, on_marker, ud))
            write_some(r);
    }
    /* A last line without its newline. */
    char name[ES_PHASE_NAME_MAX + 1];
    if (!r->line_long && r->line_len > 0 && es_phase_marker(r->line, r->line_len, name))
        on_marker(ud, name);
    if (r->in_fd >= 0)
        close(r->in_fd);
    r->in_fd = -1;
    if (r->out_flags0 >= 0)
        (void)fcntl(r->out_fd, F_SETFL, r->out_flags0);
    r->out_flags0 = -1;
}
