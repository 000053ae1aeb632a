/*
 * err.c -- the error struct shared by all modules (see err.h).
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

int es_err_set(es_err *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void es_err_clear(es_err *err)
{
    if (err != NULL) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
