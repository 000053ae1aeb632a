/*
 * relay.h -- the trial's stdout, passed on by the worker byte for byte,
 * with an eye on its phase markers (phase.h).
 *
 * The trial writes into a pipe the worker reads; the worker writes what it
 * read to its own stdout, unchanged, in order.  It reads only while what it
 * holds (RELAY_BUF bytes at most) has room, so a reader that is slow to
 * take the output slows the trial's writes, as it would without the worker,
 * and never the supervision: both ends are non-blocking and driven by the
 * worker's poll loop.  Each line's first ES_PHASE_LINE_MAX bytes are looked
 * at for a marker; the rest of a long line only passes through.
 *
 * Should the worker's stdout fail (a reader gone), the worker closes the
 * pipe: the trial's next write fails with EPIPE (SIGPIPE), as it would
 * writing there itself.  The worker's stdout is never made non-blocking
 * (its open file may be shared with other processes).
 */
#ifndef ES_WORKER_RELAY_H
#define ES_WORKER_RELAY_H

#include <stddef.h>

#include "phase.h"

#define RELAY_BUF 65536
/* The most it holds behind a reader that lags (the buffer grows from
 * RELAY_BUF): past it, the trial's writes wait, as they would without the
 * worker, and a marker is seen once the worker reads it. */
#define RELAY_BUF_MAX (1024 * 1024)
/* After the trial's tree is gone, input that keeps coming for this long of
 * reading has a writer outside the tree: the pipe is closed. */
#define RELAY_INPUT_S 5.0

typedef struct es_relay {
    int in_fd;      /* the pipe's read end; -1 once it reached end of file */
    int out_fd;     /* the worker's stdout */
    int out_w;      /* a non-blocking descriptor of its own on what out_fd is, or -1 */
    int out_kind;   /* how it writes (relay.c) */
    int out_failed; /* the reader is gone: the pipe is closed, as for a writer there */
    int dropping;   /* a write failed otherwise (ENOSPC...): the output is dropped */
    size_t dropped; /* bytes dropped so */
    char *buf;      /* cap bytes, a ring: buf[head, head + len) */
    size_t cap, head, len;
    char line[ES_PHASE_LINE_MAX + 1];
    size_t line_len;
    int line_state; /* 0 at a line's start; 1 keeping it (it may be a marker); 2 in a line
                     * that is none, 3 in one too long to be one */
} es_relay;

/* A marker the trial printed, in the order printed. */
typedef void (*es_relay_marker_fn)(void *ud, const char *name);

/* Make the pipe: *trial_fd receives the write end (close-on-exec; the
 * trial's first process dup2()s it to its stdout).  -errno when no pipe
 * can be made; 1 when out_fd is not open for writing, 2 when it is
 * nothing the relay can write to without blocking (a terminal or another
 * device, a datagram socket): the trial keeps the descriptor as it is, and
 * there are no phases; else 0. */
int es_relay_open(es_relay *r, int out_fd, int *trial_fd /* OUT */);

/* The poll events to wait for on in_fd and on es_relay_poll_fd (0: none). */
short es_relay_in_events(const es_relay *r);
short es_relay_out_events(const es_relay *r);
/* The descriptor to poll for writing. */
int es_relay_poll_fd(const es_relay *r);

/* Read what in_fd holds (once), calling on_marker for each marker line
 * it completes; then write what the output takes now.  Never blocks. */
void es_relay_pump(es_relay *r, es_relay_marker_fn on_marker, void *ud);

/* At the end: read what is left (until end of file, or until nothing more
 * comes for 50 ms, or after RELAY_INPUT_S of reading: a process outside
 * the tree may hold the pipe) and write it all, however slow the reader:
 * until stop_fd (the worker's signalfd, non-blocking) brings a signal
 * other than SIGCHLD, or, when stopped_wait_s >= 0 (the trial was stopped
 * already), for that many seconds at most.  A last line without its
 * newline is still looked at.  Frees r. */
void es_relay_finish(es_relay *r, int stop_fd, double stopped_wait_s, es_relay_marker_fn on_marker,
                     void *ud);
/* Free r without finishing (no pass-on). */
void es_relay_close(es_relay *r);

#endif
