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

/* After the trial's tree is gone, input is read for at most this long. */
#define RELAY_INPUT_S 5.0

typedef struct es_relay {
    int in_fd;      /* the pipe's read end; -1 once it reached end of file */
    int out_fd;     /* the worker's stdout */
    int out_failed; /* a write to out_fd failed: the pipe is closed, as a reader gone */
    char buf[RELAY_BUF];
    size_t head, len; /* the bytes read and not yet written: buf[head, head + len) */
    char line[ES_PHASE_LINE_MAX + 1];
    size_t line_len;
    int line_long; /* the current line is past ES_PHASE_LINE_MAX: no marker */
} es_relay;

/* A marker the trial printed, in the order printed. */
typedef void (*es_relay_marker_fn)(void *ud, const char *name);

/* Make the pipe: *trial_fd receives the write end (close-on-exec; the
 * trial's first process dup2()s it to its stdout).  -errno when no pipe
 * can be made, or 1 when out_fd is not open (nothing to pass on to: the
 * trial keeps the worker's stdout as it is), else 0. */
int es_relay_open(es_relay *r, int out_fd, int *trial_fd /* OUT */);

/* The poll events to wait for on in_fd and out_fd (0: none). */
short es_relay_in_events(const es_relay *r);
short es_relay_out_events(const es_relay *r);

/* Read what in_fd holds (once), calling on_marker for each marker line
 * it completes; then write what out_fd takes.  Never blocks. */
void es_relay_pump(es_relay *r, es_relay_marker_fn on_marker, void *ud);

/* At the end: read what is left (until end of file, until nothing more
 * comes for 50 ms, or for RELAY_INPUT_S at most: a process outside the
 * tree may hold the pipe) and write it all, however slow the reader, until
 * stop_fd (the worker's signalfd, non-blocking) brings a signal other than
 * SIGCHLD: a stop request drops the rest.  Closes in_fd.  A last line without its newline is still
 * looked at. */
void es_relay_finish(es_relay *r, int stop_fd, es_relay_marker_fn on_marker, void *ud);

#endif
