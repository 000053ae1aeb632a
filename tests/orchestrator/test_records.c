/*
 * test_records.c -- what comes down srun's stderr: the worker's marked
 * lines split out of the trial's bytes however the stream is cut, and
 * Slurm's own messages read for the job id and what ended the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_test.h"
#include "launch_slurm.h"
#include "records.h"
#include "result.h"

typedef struct sink {
    char bytes[4096];
    size_t n_bytes;
    char records[8][512];
    int n_records;
} sink;

static void on_bytes(void *ud, const char *buf, size_t n)
{
    sink *s = ud;
    ES_CHECK(s->n_bytes + n < sizeof s->bytes);
    memcpy(s->bytes + s->n_bytes, buf, n);
    s->n_bytes += n;
    s->bytes[s->n_bytes] = '\0';
}

static void on_record(void *ud, const char *line, size_t n)
{
    sink *s = ud;
    ES_CHECK(s->n_records < 8 && n < sizeof s->records[0]);
    memcpy(s->records[s->n_records], line, n);
    s->records[s->n_records++][n] = '\0';
}

static const es_records_cbs cbs = {on_bytes, on_record};

/* The stream the worker and a trial write together: a trial line cut by
 * the worker's started line, then a sample, then the result. */
static const char stream[] = "abc\x1e"
                             "ecosweep-started v=1 pgid=42 slurm_job=77\n"
                             "def\n"
                             "\x1e"
                             "ecosweep-sample v=1 wall_s=1\n"
                             "Traceback: \xff\xfe binary\n"
                             "\x1e"
                             "ecosweep-result v=1 status=exited\n";

static void check_split(const sink *s)
{
    ES_CHECK_STR(s->bytes, "abcdef\nTraceback: \xff\xfe binary\n");
    ES_CHECK_INT(s->n_records, 3);
    ES_CHECK_STR(s->records[0], "ecosweep-started v=1 pgid=42 slurm_job=77\n");
    ES_CHECK_STR(s->records[1], "ecosweep-sample v=1 wall_s=1\n");
    ES_CHECK_STR(s->records[2], "ecosweep-result v=1 status=exited\n");
}

ES_TEST(records_split_in_one_piece)
{
    static sink s;
    es_records r;
    memset(&s, 0, sizeof s);
    es_records_init(&r);
    es_records_feed(&r, stream, sizeof stream - 1, &cbs, &s);
    es_records_end(&r, &cbs, &s);
    check_split(&s);
}

ES_TEST(records_split_at_every_cut)
{
    static sink s;
    for (size_t cut = 1; cut < sizeof stream - 1; cut++) {
        es_records r;
        memset(&s, 0, sizeof s);
        es_records_init(&r);
        es_records_feed(&r, stream, cut, &cbs, &s);
        es_records_feed(&r, stream + cut, sizeof stream - 1 - cut, &cbs, &s);
        es_records_end(&r, &cbs, &s);
        check_split(&s);
    }
}

ES_TEST(records_byte_by_byte_and_unfinished_last_line)
{
    static sink s;
    es_records r;
    const char text[] = "x\x1e"
                        "ecosweep-result v=1";
    memset(&s, 0, sizeof s);
    es_records_init(&r);
    for (size_t i = 0; i < sizeof text - 1; i++)
        es_records_feed(&r, text + i, 1, &cbs, &s);
    ES_CHECK_INT(s.n_records, 0);
    es_records_end(&r, &cbs, &s);
    ES_CHECK_STR(s.bytes, "x");
    ES_CHECK_INT(s.n_records, 1);
    ES_CHECK_STR(s.records[0], "ecosweep-result v=1");
}

ES_TEST(records_too_long_is_dropped_whole)
{
    static sink s;
    static char big[ES_RECORD_MAX + 100];
    es_records r;
    memset(&s, 0, sizeof s);
    memset(big, 'a', sizeof big);
    es_records_init(&r);
    es_records_feed(&r, "\x1e", 1, &cbs, &s);
    es_records_feed(&r, big, sizeof big, &cbs, &s);
    es_records_feed(&r, "\nok\n\x1eline\n", 11, &cbs, &s);
    ES_CHECK_STR(s.bytes, "ok\n");
    ES_CHECK_INT(s.n_records, 1);
    ES_CHECK_STR(s.records[0], "line\n");
}

ES_TEST(started_line_names_the_slurm_job)
{
    char line[128], job[32];
    int n = es_started_format(4242, "123_4", line, sizeof line);
    ES_CHECK(n > 0 && (size_t)n < sizeof line);
    ES_CHECK_STR(line, "ecosweep-started v=1 pgid=4242 slurm_job=123_4\n");
    long pgid;
    ES_CHECK_INT(es_started_parse(line, (size_t)n - 1, &pgid), 0);
    ES_CHECK_INT(pgid, 4242);
    ES_CHECK_INT(es_started_slurm_job(line, (size_t)n, job, sizeof job), 0);
    ES_CHECK_STR(job, "123_4");
    n = es_started_format(4242, NULL, line, sizeof line);
    ES_CHECK_STR(line, "ecosweep-started v=1 pgid=4242\n");
    ES_CHECK(es_started_slurm_job(line, (size_t)n, job, sizeof job) != 0);
    ES_CHECK_STR(job, "");
}

/* Lines srun and slurmstepd print, and what each says. */
ES_TEST(slurm_messages_name_the_job_and_the_cause)
{
    static const struct {
        const char *line;
        int slurm;
        const char *job, *state;
    } rows[] = {
        {"srun: job 812 queued and waiting for resources", 1, "812", NULL},
        {"srun: job 813 has been allocated resources", 1, "813", NULL},
        {"slurmstepd: error: *** STEP 812.0 ON node1 CANCELLED AT 2026-11-22T17:00:01 DUE TO "
         "TIME LIMIT ***",
         1, "", "TIMEOUT"},
        {"slurmstepd: error: *** JOB 9 ON n2 CANCELLED AT 2026-11-22T17:00:01 DUE TO NODE "
         "FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***",
         1, "", "NODE_FAIL"},
        {"slurmstepd: error: *** JOB 9 ON n2 CANCELLED AT 2026-11-22T17:00:01 DUE TO "
         "PREEMPTION ***",
         1, "", "PREEMPTED"},
        {"slurmstepd: error: Detected 1 oom-kill event(s) in StepId=9.0", 1, "", "OUT_OF_MEMORY"},
        {"slurmstepd: error: *** STEP 9.0 ON n2 CANCELLED AT 2026-11-22T17:00:01 ***", 1, "",
         "CANCELLED"},
        {"srun: error: node1: task 0: Exited with exit code 3", 1, "", NULL},
        {"Traceback (most recent call last):", 0, "", NULL},
        {"my srun: job 5 queued", 0, "", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char job[32] = "", note[240] = "";
        int is =
            es_slurm_line(rows[i].line, strlen(rows[i].line), job, sizeof job, note, sizeof note);
        ES_CHECK_INT(is, rows[i].slurm);
        ES_CHECK_STR(job, rows[i].job);
        const char *state = es_slurm_state_of_note(note);
        if (rows[i].state == NULL)
            ES_CHECK(state == NULL);
        else
            ES_CHECK_STR(state, rows[i].state);
    }
}

/* srun's command line: one task on one node, the job's name, each option
 * of the spec as one argument. */
ES_TEST(srun_command_line_from_the_spec)
{
    char *extra[] = {"--qos=low", "--exclusive"};
    es_spec_launcher l = {.type = ES_LAUNCHER_SLURM,
                          .partition = "gpu",
                          .time = "00:30:00",
                          .mem = "8G",
                          .gres = "gpu:1",
                          .account = "p42",
                          .cpus_per_task = 4,
                          .extra_args = extra,
                          .n_extra_args = 2};
    char **v = es_slurm_srun_argv(&l, "ecosweep-1-2");
    static const char *const want[] = {"srun",
                                       "--ntasks=1",
                                       "--nodes=1",
                                       "--job-name=ecosweep-1-2",
                                       "--cpus-per-task=4",
                                       "--partition=gpu",
                                       "--time=00:30:00",
                                       "--mem=8G",
                                       "--gres=gpu:1",
                                       "--account=p42",
                                       "--qos=low",
                                       "--exclusive",
                                       NULL};
    for (size_t i = 0; want[i] != NULL; i++)
        ES_CHECK_STR(v[i], want[i]);
    ES_CHECK(v[12] == NULL);
    es_strv_free(v);
}
