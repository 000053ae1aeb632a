/*
 * records.c -- the worker's marked lines out of a shared stream (see
 * records.h).
 */
#include "records.h"

#include <string.h>

#include "result.h"

void es_records_init(es_records *r)
{
    memset(r, 0, sizeof *r);
}

static void take(es_records *r, const char *p, size_t n)
{
    if (r->overflow)
        return;
    if (r->len + n > sizeof r->line) {
        r->overflow = 1;
        return;
    }
    memcpy(r->line + r->len, p, n);
    r->len += n;
}

void es_records_feed(es_records *r, const char *buf, size_t n, const es_records_cbs *cbs, void *ud)
{
    size_t i = 0;
    while (i < n) {
        if (!r->in_record) {
            const char *m = memchr(buf + i, ES_RECORD_MARK, n - i);
            size_t plain = m ? (size_t)(m - (buf + i)) : n - i;
            if (plain > 0)
                cbs->on_bytes(ud, buf + i, plain);
            i += plain;
            if (m == NULL)
                break;
            i++; /* the mark */
            r->in_record = 1;
            r->overflow = 0;
            r->len = 0;
            continue;
        }
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t part = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;
        take(r, buf + i, part);
        i += part;
        if (nl != NULL) {
            if (!r->overflow)
                cbs->on_record(ud, r->line, r->len);
            r->in_record = 0;
            r->len = 0;
        }
    }
}

void es_records_end(es_records *r, const es_records_cbs *cbs, void *ud)
{
    if (r->in_record && !r->overflow && r->len > 0)
        cbs->on_record(ud, r->line, r->len);
    r->in_record = 0;
    r->len = 0;
}
