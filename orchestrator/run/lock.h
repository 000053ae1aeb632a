/*
 * lock.h -- one coordinator per sweep.
 *
 * Two coordinators must never drive the same sweep: the second would mark
 * the first one's running trials lost and launch the same numbers again.
 * A coordinator therefore holds an advisory lock on the sweep for as long as
 * it runs it: a POSIX record lock (fcntl) on byte ID of the file DB.lock
 * beside the database.  The kernel drops such a lock when its process dies,
 * however it dies (SIGKILL included), so a lock held means a coordinator is
 * alive, and a sweep recorded as running without one was abandoned and may
 * be resumed.  Byte 0 serialises the short "which sweep is this?" decision
 * (look the sweep up by name, create it or lock it) between coordinators
 * starting at the same time.
 *
 * Record locks belong to the process, not to a descriptor, and closing any
 * descriptor of the file drops them all: the file is opened once per
 * es_lock and nothing else in the program opens it.  Where the file system
 * does not support record locks, es_lock_open fails and the caller decides
 * whether to run unprotected.
 *
 * Ownership: es_lock_open returns a handle released (with all its locks) by
 * es_lock_close (NULL allowed).
 */
#ifndef ES_LOCK_H
#define ES_LOCK_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

typedef struct es_lock es_lock;

/* Open (creating, mode 0644 less the umask) DB_PATH.lock; read-only when
 * it cannot be written (then only es_lock_sweep_held works).  0, or -errno
 * with err naming the file. */
int es_lock_open(const char *db_path, es_lock **out /* OUT */, es_err *err);
void es_lock_close(es_lock *lk);

/* Take the decision lock, waiting for another coordinator that holds it
 * (it holds it only while it looks up and locks its sweep), and release
 * it.  0 or -errno. */
int es_lock_decide_begin(es_lock *lk, es_err *err);
void es_lock_decide_end(es_lock *lk);

/* Lock sweep id for this process without waiting.  0 when held now;
 * -EBUSY when another live process holds it (*holder: its pid when the
 * kernel says, else 0; the pid is of this host only when the database is
 * on a local file system); other -errno on failure. */
int es_lock_sweep(es_lock *lk, int64_t sweep_id, pid_t *holder /* OUT */, es_err *err);

/* Whether a live process other than this one holds sweep id's lock now:
 * 1 yes (*holder as above), 0 no, -errno when it cannot tell. */
int es_lock_sweep_held(es_lock *lk, int64_t sweep_id, pid_t *holder /* OUT */);

#endif
