/*
 * test_phases.c -- energy by phase: the marker a trial prints (phase.h),
 * the arithmetic that adds each interval to its phase (phases.h), the
 * phases on the result line, and the worker binary passing the trial's
 * stdout on unchanged while it reads the meters at each marker.
 */
#include "err.h"
#include "es_test.h"
#include "phases.h"
#include "result.h"
#include "worker_runner.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *path_of(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", es_test_tmpdir(), name);
    return path;
}

/* ---- the marker ---------------------------------------------------------- */

static const struct {
    const char *line;
    const char *name; /* NULL: not a marker */
} markers[] = {
    {"ecosweep-phase train", "train"},
    {"ecosweep-phase   eval\r", "eval"},
    {"ecosweep-phase infer-2_b \t", "infer-2_b"},
    {"{\"_phase\": \"inference\"}", "inference"},
    {"{\"loss\": 0.3, \"_phase\": \"eval\", \"items\": 10}", "eval"},
    {"ecosweep-phase", NULL},
    {"ecosweep-phase ", NULL},
    {"ecosweep-phasetrain", NULL},
    {" ecosweep-phase train", NULL},
    {"ecosweep-phase tr ain", NULL},
    {"ecosweep-phase a.b", NULL},
    {"ecosweep-phase abcdefghijabcdefghijabcdefghijabc", NULL}, /* 33 characters */
    {"ecosweep-phase \xc3\xa9t\xc3\xa9", NULL},
    {"{\"_phase\": 3}", NULL},
    {"{\"_phase\": \"a b\"}", NULL},
    {"{\"_phase\": \"\"}", NULL},
    {"{\"phase\": \"train\"}", NULL},
    {"loss=0.5 _phase=train", NULL},
    {"{\"_phase\": \"train\"", NULL},
};

ES_TEST(phase_markers_table)
{
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        char name[ES_PHASE_NAME_MAX + 1] = "";
        int got = es_phase_marker(markers[i].line, strlen(markers[i].line), name);
        if (got != (markers[i].name != NULL))
            ES_FAIL("'%s': marker %d, expected %d", markers[i].line, got, markers[i].name != NULL);
        if (got)
            ES_CHECK_STR(name, markers[i].name);
    }
    char name[ES_PHASE_NAME_MAX + 1];
    ES_CHECK_INT(es_phase_marker("ecosweep-phase abcdefghijabcdefghijabcdefghijab", 47, name), 1);
}

ES_TEST(phase_builtin_names)
{
    char name[ES_PHASE_NAME_MAX + 1];
    es_phase_field f;
    const char *why = NULL;
    ES_CHECK_INT(es_phase_builtin("phase.train.kwh", name, &f, &why), 0);
    ES_CHECK_STR(name, "train");
    ES_CHECK_INT(f, ES_PHASE_KWH);
    ES_CHECK_INT(es_phase_builtin("phase.in-fer.kwh_per_item", name, &f, &why), 0);
    ES_CHECK_STR(name, "in-fer");
    ES_CHECK_INT(f, ES_PHASE_KWH_PER_ITEM);
    ES_CHECK_INT(es_phase_builtin("phase.train.kw", name, &f, &why), -1);
    ES_CHECK_CONTAINS(why, "kwh, co2e_kg, usd, wall_s, kwh_per_item");
    ES_CHECK_INT(es_phase_builtin("phase.train", name, &f, &why), -1);
    ES_CHECK_INT(es_phase_builtin("phase..kwh", name, &f, &why), -1);
    ES_CHECK_INT(es_phase_builtin("phase.a b.kwh", name, &f, &why), -1);
    ES_CHECK_INT(es_phase_builtin("energy.kwh", name, &f, &why), -1);
}

/* ---- the arithmetic ------------------------------------------------------ */

ES_TEST(phase_clock_adds_each_interval_to_its_phase)
{
    es_phase_clock c;
    es_phase_clock_init(&c);
    es_result r;
    es_result_init(&r);
    ES_CHECK_INT(es_phase_clock_enter(&c, "train", 1, (double[3]){10, 1, NAN}), 0);
    ES_CHECK_INT(es_phase_clock_enter(&c, "eval", 3, (double[3]){30, 2, NAN}), 0);
    ES_CHECK_INT(es_phase_clock_enter(&c, "train", 4, (double[3]){31, 2.5, NAN}), 0);
    /* A reading below the one before counts as nothing spent. */
    ES_CHECK_INT(es_phase_clock_enter(&c, "eval", 5, (double[3]){29, 3, NAN}), 0);
    es_phase_clock_close(&c, 6, (double[3]){50, 4, NAN}, &r);
    ES_CHECK_INT((long long)r.n_phases, 2);
    ES_CHECK_STR(r.phases[0].name, "train");
    ES_CHECK_NEAR(r.phases[0].wall_s, 3, 1e-12);
    ES_CHECK_NEAR(r.phases[0].cpu_j, 20, 1e-12);
    ES_CHECK_NEAR(r.phases[0].dram_j, 1.5, 1e-12);
    ES_CHECK(isnan(r.phases[0].gpu_j));
    ES_CHECK_INT(r.phases[0].entries, 2);
    ES_CHECK_STR(r.phases[1].name, "eval");
    ES_CHECK_NEAR(r.phases[1].wall_s, 2, 1e-12);
    ES_CHECK_NEAR(r.phases[1].cpu_j, 1 + 21, 1e-12);
    ES_CHECK_INT(r.phases[1].entries, 2);
}

ES_TEST(phase_clock_keeps_sixteen_names)
{
    es_phase_clock c;
    es_phase_clock_init(&c);
    char name[16];
    for (int i = 0; i < ES_PHASES_MAX; i++) {
        snprintf(name, sizeof name, "p%d", i);
        ES_CHECK_INT(es_phase_clock_enter(&c, name, i, (double[3]){i, 0, 0}), 0);
    }
    /* One more name is ignored: p15 goes on; a known name still counts. */
    ES_CHECK_INT(es_phase_clock_enter(&c, "extra", 20, (double[3]){20, 0, 0}), 1);
    ES_CHECK_INT(es_phase_clock_enter(&c, "p0", 21, (double[3]){21, 0, 0}), 0);
    es_result r;
    es_result_init(&r);
    es_phase_clock_close(&c, 22, (double[3]){22, 0, 0}, &r);
    ES_CHECK_INT((long long)r.n_phases, ES_PHASES_MAX);
    ES_CHECK_NEAR(r.phases[15].cpu_j, 21 - 15, 1e-12);
    ES_CHECK_NEAR(r.phases[0].cpu_j, 1 + 1, 1e-12);
    ES_CHECK_INT((long long)c.dropped, 1);
}

/* ---- the result line ----------------------------------------------------- */

ES_TEST(result_phases_roundtrip)
{
    es_result r, back;
    es_result_init(&r);
    r.cpu.method = ES_EM_COUNTER;
    r.cpu.j = 12.5;
    r.dram.method = ES_EM_ESTIMATE;
    r.dram.j = 0.25;
    r.n_phases = 2;
    r.phases[0] = (es_result_phase){"train", 1.5, 10.1, 0.2, 7, 3};
    r.phases[1] = (es_result_phase){"infer-1", 0.1, 0.1 + 0.2, NAN, NAN, 1};
    char line[8192];
    int len = es_result_format(&r, line, sizeof line);
    ES_CHECK(len > 0 && (size_t)len < sizeof line);
    ES_CHECK_CONTAINS(line, " phase.train=1.5,10.1,0.2,7,3");
    ES_CHECK_INT(es_result_parse(line, (size_t)len, &back), 0);
    ES_CHECK_INT((long long)back.n_phases, 2);
    ES_CHECK_STR(back.phases[1].name, "infer-1");
    ES_CHECK(back.phases[1].cpu_j == 0.1 + 0.2); /* bit for bit */
    /* The gpu part is not known for the trial: not for its phases either. */
    ES_CHECK(isnan(back.phases[0].gpu_j));
    ES_CHECK_INT(back.phases[0].entries, 3);
    const char *bad[] = {"ecosweep-result v=1 status=exited phase.a b=1,2,3,4,5",
                         "ecosweep-result v=1 status=exited phase.x=1,2,3,4",
                         "ecosweep-result v=1 status=exited phase.x=1,2,3,4,-1",
                         "ecosweep-result v=1 status=exited phase.=1,2,3,4,5",
                         "ecosweep-result v=1 status=exited phase.x.y=1,2,3,4,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ES_CHECK_INT(es_result_parse(bad[i], strlen(bad[i]), &back), ES_EPROTO);
    /* A worker before phases: none. */
    const char *old = "ecosweep-result v=1 status=exited exit_code=0";
    ES_CHECK_INT(es_result_parse(old, strlen(old), &back), 0);
    ES_CHECK_INT((long long)back.n_phases, 0);
}

/* ---- the worker ---------------------------------------------------------- */

static double phase_sum(const es_result *r, int part)
{
    double s = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        s += part == 0 ? r->phases[i].cpu_j : r->phases[i].dram_j;
    return s;
}

static const es_result_phase *phase_of(const es_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_phases; i++)
        if (strcmp(r->phases[i].name, name) == 0)
            return &r->phases[i];
    return NULL;
}

/* A busy phase, an idle one, and the busy one again: the trial's stdout
 * arrives unchanged, each phase gets its own time and energy, and the
 * phases add up to the trial's energy (no energy before the first
 * marker here but the shell's start). */
ES_TEST(worker_measures_each_phase)
{
    worker_proc w;
    const char *opts[] = {"--report-ms", "0", NULL};
    const char *trial[] = {"sh", "-c",
                           "echo 'ecosweep-phase train'; "
                           "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; "
                           "echo loss=0.5; echo '{\"_phase\": \"idle\"}'; sleep 0.4; "
                           "echo 'ecosweep-phase train'; "
                           "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; "
                           "printf 'ecosweep-phase last'",
                           NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_STR(w.out, "ecosweep-phase train\nloss=0.5\n{\"_phase\": \"idle\"}\n"
                        "ecosweep-phase train\necosweep-phase last");
    ES_CHECK_INT((long long)w.r.n_phases, 3);
    const es_result_phase *train = phase_of(&w.r, "train"), *idle = phase_of(&w.r, "idle");
    ES_CHECK(train != NULL && idle != NULL && phase_of(&w.r, "last") != NULL);
    ES_CHECK_INT(train->entries, 2);
    ES_CHECK_INT(idle->entries, 1);
    ES_CHECK(idle->wall_s >= 0.39 && idle->wall_s < 1.5);
    /* The estimate follows CPU time: the busy phase has it, the idle one
     * (a sleep) next to none. */
    ES_CHECK(train->cpu_j > 0.05);
    ES_CHECK(idle->cpu_j < 0.2 * train->cpu_j);
    ES_CHECK(phase_sum(&w.r, 0) <= w.r.cpu.j + 1e-9);
    ES_CHECK(w.r.cpu.j - phase_sum(&w.r, 0) < 0.2 * w.r.cpu.j);
    ES_CHECK(phase_sum(&w.r, 1) <= w.r.dram.j + 1e-9);
    double walls = 0;
    for (size_t i = 0; i < w.r.n_phases; i++)
        walls += w.r.phases[i].wall_s;
    ES_CHECK(walls <= w.r.wall_s + 1e-9);
}

/* Output that is no marker passes through byte for byte: a long line
 * without a newline holding a marker's text, binary bytes, NULs; only a
 * marker on a line of its own counts. */
ES_TEST(worker_passes_any_output_through)
{
    worker_proc w;
    const char *opts[] = {"--report-ms", "0", NULL};
    const char *trial[] = {"sh", "-c",
                           "head -c 40000 /dev/zero | tr '\\0' x; "
                           "echo ' ecosweep-phase hidden'; "
                           "printf 'a\\0b\\001\\377\\n'; echo 'ecosweep-phase real'",
                           NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT((long long)w.n_out, 40000 + 23 + 6 + 20);
    for (size_t i = 0; i < 40000; i++)
        if (w.out[i] != 'x')
            ES_FAIL("byte %zu changed", i);
    ES_CHECK(memcmp(w.out + 40023, "a\0b\001\377\n", 6) == 0);
    ES_CHECK_INT((long long)w.r.n_phases, 1);
    ES_CHECK_STR(w.r.phases[0].name, "real");
}

/* --no-phases: the trial writes to the worker's stdout itself. */
ES_TEST(worker_without_phases)
{
    worker_proc w;
    const char *opts[] = {"--no-phases", "--report-ms", "0", NULL};
    const char *trial[] = {"sh", "-c", "echo 'ecosweep-phase train'; ls -l /proc/self/fd/1", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT((long long)w.r.n_phases, 0);
    ES_CHECK_CONTAINS(w.out, "ecosweep-phase train\n");
}

/* ---- the worker's stdout and its reader ----------------------------------- */

/* sh -c script's stdout (at most cap - 1 bytes), with $W the worker and $D
 * the test's directory. */
static const char *shell_out(const char *script, char *buf, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "W='%s' D='%s' sh -c '%s'", worker_path(), es_test_tmpdir(), script);
    FILE *p = popen(cmd, "r");
    ES_CHECK(p != NULL);
    size_t n = fread(buf, 1, cap - 1, p);
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* A reader slower than the trial loses nothing: the worker used to give it
 * the grace period after the trial's end and drop the rest; and that wait
 * is not the trial's time. */
ES_TEST(worker_waits_for_a_slow_reader)
{
    char out[256];
    /* A reader of 4 KiB every 50 ms (80 KB/s): the last 190 KB or so, held
     * in the pipes and the worker, take it over 2 s after the trial ends. */
    worker_write_file(path_of("slow.py"), "import os, time\n"
                                          "n = 0\n"
                                          "while True:\n"
                                          "    b = os.read(0, 4096)\n"
                                          "    if not b:\n"
                                          "        break\n"
                                          "    n += len(b)\n"
                                          "    time.sleep(0.05)\n"
                                          "print(n)\n");
    double t0 = worker_now_s();
    shell_out("\"$W\" --grace 1 -- sh -c \"echo ecosweep-phase a; head -c 300000 /dev/zero\" "
              "2> \"$D/res\" | /usr/bin/python3 \"$D/slow.py\"",
              out, sizeof out);
    double elapsed = worker_now_s() - t0;
    ES_CHECK_INT(atol(out), 300000 + 17);
    char res[8192];
    FILE *f = fopen(path_of("res"), "r");
    ES_CHECK(f != NULL);
    size_t n = fread(res, 1, sizeof res - 1, f);
    res[n] = '\0';
    fclose(f);
    es_result r;
    const char *line = strstr(res, "ecosweep-result ");
    ES_CHECK(line != NULL);
    ES_CHECK_INT(es_result_parse(line, strlen(line), &r), 0);
    /* The trial's time ends when it does, not when its reader is done. */
    ES_CHECK(r.wall_s < elapsed - 1.0);
    ES_CHECK_INT((long long)r.n_phases, 1);
    ES_CHECK(r.phases[0].wall_s <= r.wall_s + 1e-9);
}

/* The worker's stdout is shared with its parent (and a shell's other
 * commands): it stays blocking.  Made non-blocking, a sibling's writes
 * failed with EAGAIN. */
ES_TEST(worker_leaves_its_stdout_blocking)
{
    int p[2];
    ES_CHECK_INT(pipe(p), 0);
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        execl(worker_path(), "ecosweep-worker", "--", "sh", "-c", "echo x; sleep 0.6", (char *)0);
        _exit(127);
    }
    worker_sleep_s(0.3);
    int flags = fcntl(p[1], F_GETFL);
    ES_CHECK(flags >= 0 && (flags & O_NONBLOCK) == 0);
    int status;
    waitpid(pid, &status, 0);
    ES_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(p[0]);
    close(p[1]);
}

/* A reader that goes away stops the trial as it would stop it writing
 * there itself (SIGPIPE): `yes | head -1` used to run until killed. */
ES_TEST(worker_passes_a_closed_reader_on)
{
    char out[256];
    double t0 = worker_now_s();
    shell_out("timeout 20 \"$W\" -- yes 2>/dev/null | head -1", out, sizeof out);
    ES_CHECK_STR(out, "y\n");
    ES_CHECK(worker_now_s() - t0 < 10);
}

/* Start the worker with argv, its stdout on out_fd (-1: closed) and its
 * stderr to path_of(err); the pid. */
static pid_t start_on(int out_fd, const char *err, const char *const *argv)
{
    const char *err_path = path_of(err); /* the test's directory, made here, not in the child */
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0) {
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (e < 0 || dup2(e, 2) < 0)
            _exit(126);
        if (out_fd >= 0)
            dup2(out_fd, 1);
        else
            close(1);
        execv(worker_path(), (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* Wait at most s seconds for pid: its status, or -1 (then it is killed). */
static int wait_at_most(pid_t pid, double s)
{
    int status;
    double end = worker_now_s() + s;
    while (worker_now_s() < end) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        worker_sleep_s(0.05);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* A stop request while the trial runs also ends the wait for a reader
 * that takes nothing: the signal was used up by the supervision, and the
 * worker waited for the reader forever. */
ES_TEST(worker_stopped_does_not_wait_for_a_reader_forever)
{
    int p[2];
    ES_CHECK_INT(pipe(p), 0);
    const char *argv[] = {"ecosweep-worker", "--grace", "1", "--", "yes", NULL};
    pid_t pid = start_on(p[1], "stop.err", argv);
    worker_sleep_s(0.5); /* the pipe is full: nobody reads it */
    kill(pid, SIGTERM);
    int status = wait_at_most(pid, 8);
    close(p[0]);
    close(p[1]);
    ES_CHECK(status != -1);
}

/* A closed stdout: the trial writes into nothing (EBADF) and the worker
 * ends; its signalfd took descriptor 1, and the worker waited on it. */
ES_TEST(worker_with_stdout_closed_ends)
{
    const char *argv[] = {"ecosweep-worker", "--", "sh", "-c", "echo hi; echo done >&2", NULL};
    int status = wait_at_most(start_on(-1, "closed.err", argv), 5);
    ES_CHECK(status != -1);
}

/* A reader that lags by more than RELAY_INPUT_S after the trial ended
 * still gets everything (the pipe was closed under it at 5 s). */
ES_TEST(worker_waits_for_a_reader_stopped_past_the_input_limit)
{
    char out[256];
    shell_out("\"$W\" -- sh -c \"head -c 150000 /dev/zero; echo; echo loss=1\" 2>/dev/null | "
              "(sleep 6.5; tail -n 1)",
              out, sizeof out);
    ES_CHECK_STR(out, "loss=1\n");
}

/* Markers among lines that start as one would (e, {), at every offset of
 * the reads: each is found once, none invented. */
ES_TEST(worker_finds_every_marker_among_lookalikes)
{
    worker_proc w;
    const char *opts[] = {"--report-ms", "0", NULL};
    const char *trial[] = {
        "awk",
        "BEGIN { for (i = 1; i <= 4000; i++) {"
        "  if (i % 10 == 0) { print \"ecosweep-phase \" (i % 20 == 0 ? \"a\" : \"b\"); continue }"
        "  c = substr(\"ey{x\", i % 4 + 1, 1); s = c;"
        "  for (k = 0; k < (i * 37) % 300; k++) s = s \"e\";"
        "  if (i % 7 == 0) s = \"ecosweep-phasex\"; if (i % 11 == 0) s = \"{\\\"phase\\\": 1}\";"
        "  if (i % 13 == 0) s = \" ecosweep-phase c\"; print s } }",
        NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT((long long)w.r.n_phases, 2);
    ES_CHECK_INT(w.r.phases[0].entries + w.r.phases[1].entries, 400);
    ES_CHECK_INT(w.r.phases[0].entries, 200);
}

/* What the worker cannot write to without blocking or splitting is not
 * relayed: the trial writes there itself.  A datagram socket took 1 MiB
 * sends as EMSGSIZE (the trial then died of SIGPIPE); a terminal could
 * block the worker. */
ES_TEST(worker_leaves_a_datagram_socket_and_a_terminal_to_the_trial)
{
    int sv[2];
    ES_CHECK_INT(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    const char *argv[] = {"ecosweep-worker", "--", "sh", "-c", "head -c 200000 /dev/zero", NULL};
    pid_t pid = start_on(sv[1], "seq.err", argv);
    close(sv[1]);
    worker_sleep_s(0.3);
    char buf[65536];
    long total = 0;
    ssize_t n;
    while ((n = read(sv[0], buf, sizeof buf)) > 0)
        total += n;
    close(sv[0]);
    ES_CHECK(wait_at_most(pid, 5) == 0);
    ES_CHECK_INT(total, 200000);
    char out[4096];
    ES_CHECK_CONTAINS(shell_out("cat \"$D/seq.err\"", out, sizeof out),
                      "stdout is a terminal, a device or a datagram socket");
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    ES_CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
    int t = open(ptsname(m), O_RDWR | O_NOCTTY);
    ES_CHECK(t >= 0);
    const char *hello[] = {"ecosweep-worker", "--", "sh", "-c", "echo HELLO", NULL};
    ES_CHECK(wait_at_most(start_on(t, "pty.err", hello), 5) == 0);
    close(t);
    n = read(m, buf, sizeof buf - 1);
    close(m);
    ES_CHECK(n > 0);
    buf[n] = '\0';
    ES_CHECK_CONTAINS(buf, "HELLO");
}

/* A write error other than a reader gone (/dev/full: ENOSPC) is the
 * trial's to see (its echo fails, it exits 7), not a SIGPIPE that kills
 * it. */
ES_TEST(worker_leaves_write_errors_to_the_trial)
{
    char out[8192];
    shell_out("\"$W\" -- sh -c \"i=0; while [ \\$i -lt 3000 ]; do echo aaaaaaaaaaaaaaaaaaaaaaaa "
              "|| exit 7; i=\\$((i + 1)); done\" 2>&1 > /dev/full | cat",
              out, sizeof out);
    ES_CHECK_CONTAINS(out, " exit_code=7 signal=0 ");
}

/* Lines up to PIPE_BUF stay whole beside another writer of the same pipe,
 * as the trial's own writes kept them (348 torn lines of 20000 before). */
ES_TEST(worker_keeps_lines_whole_in_a_shared_pipe)
{
    char out[256];
    shell_out(
        "{ \"$W\" -- /usr/bin/python3 -c \"import os\n"
        "for i in range(20000): os.write(1, b\\\"A\\\" * 110 + b\\\"\\\\n\\\")\" 2>/dev/null &"
        " /usr/bin/python3 -c \"import os\n"
        "for i in range(20000): os.write(1, b\\\"B\\\" * 110 + b\\\"\\\\n\\\")\" & wait; } | "
        "awk \"length(\\$0) != 110 || (\\$0 !~ /^A+\\$/ && \\$0 !~ /^B+\\$/) { bad++ } "
        "END { print NR, bad + 0 }\"",
        out, sizeof out);
    ES_CHECK_STR(out, "40000 0\n");
}

/* The worker's peak memory is its own, not that of what started it: a
 * forked launcher's high-water mark survives exec in ru_maxrss. */
ES_TEST(worker_peak_rss_is_its_own)
{
    size_t big = 200u << 20;
    char *p = malloc(big);
    ES_CHECK(p != NULL);
    memset(p, 1, big);
    const char *argv[] = {"ecosweep-worker", "--", "true", NULL};
    int fd = open("/dev/null", O_WRONLY);
    ES_CHECK(wait_at_most(start_on(fd, "rss.err", argv), 5) == 0);
    close(fd);
    free(p);
    char out[8192];
    const char *res = strstr(shell_out("cat \"$D/rss.err\"", out, sizeof out), "ecosweep-result");
    ES_CHECK(res != NULL);
    es_result r;
    ES_CHECK_INT(es_result_parse(res, strlen(res), &r), 0);
    ES_CHECK(r.worker_peak_rss_kb > 0 && r.worker_peak_rss_kb < 50000);
}
