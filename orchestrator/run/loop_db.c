/*
 * loop_db.c -- the sweep's database while another program holds it.
 *
 * Any program can lock a database: a second coordinator committing, a
 * report's long read, someone's `sqlite3` shell left inside BEGIN
 * EXCLUSIVE.  A coordinator that gave up on the first "database is locked"
 * would stop the whole sweep, and one that waited inside SQLite's busy
 * handler would stop reading its trials' output and enforcing their
 * timeouts for as long as the lock lasts.  So while the loop runs, a
 * statement waits only ES_LOOP_BUSY_MS; past that, the store says
 * ES_EBUSY having written nothing, and the loop holds what it meant to
 * write -- a trial's end (result, status and its last metric values, one
 * transaction), a Slurm job id, metric values, progress -- and tries again
 * on a timer, with backoff from 0.25 s to 4 s, while trials keep running.
 * Nothing new is launched meanwhile (a launch starts with a write), a
 * held trial stays on the running list so the sweep cannot end without
 * it, and the status line says how long it has waited.
 */
#include <stdio.h>

#include "loop_int.h"

#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 4000

static void on_db_retry(uv_timer_t *h)
{
    sweep *sw = h->data;
    sw->db_waiting = 0;
    es_loop_write_held(sw);
    if (sw->db_waiting) {
        sw->db_backoff = sw->db_backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : sw->db_backoff * 2;
        uv_timer_start(&sw->db_retry, on_db_retry, sw->db_backoff, 0);
        return;
    }
    if (sw->db_since > 0)
        es_loop_say(sw, "the database is free again after %.0fs; what was held is recorded",
                    es_loop_now() - sw->db_since);
    sw->db_since = 0;
}

int es_loop_db_rc(sweep *sw, int rc, const es_err *err)
{
    if (rc == 0)
        return 0;
    if (rc != ES_EBUSY) {
        es_loop_fatal(sw, err);
        return -1;
    }
    sw->db_waiting = 1;
    if (sw->db_since == 0) {
        sw->db_since = es_loop_now();
        sw->db_backoff = BACKOFF_FIRST_MS;
        es_loop_say(sw,
                    "waiting for the database: another program holds its write lock (%s); the "
                    "trials keep running, and what they report is held and recorded once it "
                    "lets go",
                    sw->opts->db_path);
    }
    if (!sw->closed && !uv_is_active((uv_handle_t *)&sw->db_retry))
        uv_timer_start(&sw->db_retry, on_db_retry, sw->db_backoff, 0);
    return 1;
}

int es_loop_db_waiting(const sweep *sw)
{
    return sw->db_waiting;
}

void es_loop_db_status(const sweep *sw, char *buf, size_t cap)
{
    int held = 0;
    buf[0] = '\0';
    if (sw->db_since == 0)
        return;
    for (const trial *t = sw->running_list; t != NULL; t = t->next)
        held += t->held;
    snprintf(buf, cap, " | waiting for the database %.0fs, %d result%s held",
             es_loop_now() - sw->db_since, held, held == 1 ? "" : "s");
}

void es_loop_db_init(sweep *sw)
{
    uv_timer_init(&sw->loop, &sw->db_retry);
    sw->db_retry.data = sw;
}

void es_loop_db_close(sweep *sw)
{
    uv_timer_stop(&sw->db_retry);
    uv_close((uv_handle_t *)&sw->db_retry, NULL);
}
