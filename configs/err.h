/*
 * err.h -- how every ecosweep module reports failure.
 *
 * A function returns 0 on success or a negative code: -errno for a system
 * failure, or one of the ES_E* codes below for the project's own.  When the
 * caller passes an es_err, the function also leaves a one-line human message
 * there (naming the file, line and column, or the offending value).  The
 * caller owns the struct; passing NULL is allowed and means "no message".
 * This lives beside the spec because configs/ is the lowest module: every
 * other module already depends on it.
 */
#ifndef ES_ERR_H
#define ES_ERR_H

#include <stdarg.h>

enum {
    ES_ESPEC = -2001,      /* invalid sweep spec */
    ES_EEXHAUSTED = -2002, /* the search space has no further configuration */
    ES_ESTORE = -2003,     /* the database failed or holds something unexpected */
    ES_ENOTSUP = -2004,    /* a feature that this version does not provide */
    ES_EUSAGE = -2005,     /* bad command-line usage */
    ES_EPROTO = -2006,     /* malformed worker result record */
    ES_EBUDGET = -2007,    /* no candidate fits the remaining energy budget */
    ES_EBUSY = -2008       /* the database is locked by another connection: try again later */
};

#define ES_ERR_MSG_MAX 1024

typedef struct es_err {
    int code;
    char msg[ES_ERR_MSG_MAX];
} es_err;

/* Record code and a printf-style message in err (when err is not NULL) and
 * return code, so callers can write `return es_err_set(err, ES_ESPEC, ...)`. */
int es_err_set(es_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clear err (when not NULL). */
void es_err_clear(es_err *err);

#endif
