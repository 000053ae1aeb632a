/*
 * records.h -- separating the worker's lines from a trial's stderr when
 * both come down one stream (the worker's --inline-records, used through
 * srun, which carries only stdout and stderr).
 *
 * Each worker line starts with ES_RECORD_MARK (0x1e) and ends with '\n'; it
 * may start anywhere, even right after a trial's unfinished line.  Every
 * other byte is the trial's, passed on unchanged, so the trial's stderr log
 * is exactly what it wrote.  Pure: no I/O; bytes may arrive in any split.
 */
#ifndef ES_RECORDS_H
#define ES_RECORDS_H

#include <stddef.h>

/* The longest worker line kept; a longer one is dropped whole. */
#define ES_RECORD_MAX 4096

typedef struct es_records {
    int in_record;            /* inside a marked line */
    int overflow;             /* that line outgrew the buffer */
    size_t len;               /* bytes of it so far */
    char line[ES_RECORD_MAX]; /* without the mark */
} es_records;

typedef struct es_records_cbs {
    /* Bytes of the trial's own stream. */
    void (*on_bytes)(void *ud, const char *buf, size_t n);
    /* One worker line, its '\n' included, without the mark. */
    void (*on_record)(void *ud, const char *line, size_t n);
} es_records_cbs;

void es_records_init(es_records *r);

/* Feed n bytes of the stream. */
void es_records_feed(es_records *r, const char *buf, size_t n, const es_records_cbs *cbs, void *ud);

/* At end of stream: a marked line left without its '\n' is passed on as a
 * record (the reader copes with a last line without newline). */
void es_records_end(es_records *r, const es_records_cbs *cbs, void *ud);

#endif
