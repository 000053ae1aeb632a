/*
 * lock.c -- one coordinator per sweep, with POSIX record locks on
 * DB_PATH.lock (see lock.h for why record locks and why one file).
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct es_lock {
    int fd;
    char path[PATH_MAX];
};

int es_lock_open(const char *db_path, es_lock **out, es_err *err)
{
    es_lock *lk = calloc(1, sizeof *lk);
    *out = NULL;
    if (lk == NULL)
        return es_err_set(err, -ENOMEM, "out of memory");
    if ((size_t)snprintf(lk->path, sizeof lk->path, "%s.lock", db_path) >= sizeof lk->path) {
        free(lk);
        return es_err_set(err, -ENAMETOOLONG, "%s.lock: path too long", db_path);
    }
    lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    /* Someone else's database: enough to ask who holds a lock. */
    if (lk->fd < 0 && errno == EACCES)
        lk->fd = open(lk->path, O_RDONLY | O_CLOEXEC);
    if (lk->fd < 0) {
        int e = errno;
        es_err_set(err, -e, "%s: %s", lk->path, strerror(e));
        free(lk);
        return -e;
    }
    *out = lk;
    return 0;
}

void es_lock_close(es_lock *lk)
{
    if (lk == NULL)
        return;
    close(lk->fd);
    free(lk);
}

static void range(struct flock *fl, short type, off_t at)
{
    memset(fl, 0, sizeof *fl);
    fl->l_type = type;
    fl->l_whence = SEEK_SET;
    fl->l_start = at;
    fl->l_len = 1;
}

int es_lock_decide_begin(es_lock *lk, es_err *err)
{
    struct flock fl;
    range(&fl, F_WRLCK, 0);
    while (fcntl(lk->fd, F_SETLKW, &fl) != 0) {
        if (errno == EINTR)
            continue;
        int e = errno == EBADF ? EACCES : errno;
        return es_err_set(err, -e, "%s: cannot lock: %s", lk->path, strerror(e));
    }
    return 0;
}

void es_lock_decide_end(es_lock *lk)
{
    struct flock fl;
    range(&fl, F_UNLCK, 0);
    (void)fcntl(lk->fd, F_SETLK, &fl);
}

int es_lock_sweep_held(es_lock *lk, int64_t sweep_id, pid_t *holder)
{
    struct flock fl;
    *holder = 0;
    range(&fl, F_WRLCK, (off_t)sweep_id);
    if (fcntl(lk->fd, F_GETLK, &fl) != 0)
        return -errno;
    if (fl.l_type == F_UNLCK)
        return 0;
    *holder = fl.l_pid > 0 ? fl.l_pid : 0;
    return 1;
}

int es_lock_sweep(es_lock *lk, int64_t sweep_id, pid_t *holder, es_err *err)
{
    struct flock fl;
    *holder = 0;
    if (sweep_id <= 0)
        return es_err_set(err, -EINVAL, "sweep id %lld cannot be locked", (long long)sweep_id);
    range(&fl, F_WRLCK, (off_t)sweep_id);
    if (fcntl(lk->fd, F_SETLK, &fl) == 0)
        return 0;
    int e = errno;
    if (e == EBADF) /* opened read-only: another user's database */
        return es_err_set(err, -EACCES, "%s: cannot lock: %s", lk->path, strerror(EACCES));
    if (e == EACCES || e == EAGAIN) {
        (void)es_lock_sweep_held(lk, sweep_id, holder);
        return -EBUSY;
    }
    return es_err_set(err, -e, "%s: cannot lock: %s", lk->path, strerror(e));
}
