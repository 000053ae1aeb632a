/*
 * test_run.c -- ecosweep-worker as the coordinator uses it: the built binary
 * ($ES_BUILD_DIR/ecosweep-worker) runs small shell trials, and each test
 * checks what a user would notice -- exit codes and signals passed through,
 * energy estimated and labelled, stop requests honoured within the grace
 * period, and no process of the trial left alive afterwards, whether it was
 * in the trial's group, daemonized, or orphaned by the worker's parent dying.
 *
 * worker_runner.c starts the worker and gives it its result descriptor as
 * fd 9 (WORKER_RESULT_FD); trials that must be found later write their pid
 * to a file in the test's temporary directory, named by the trial's "$1"
 * (SAVE_PID).
 */
#include "es_test.h"
#include "result.h"
#include "worker_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The worker with no --result-fd: its result goes to stderr. */
static const worker_setup no_result_fd = {.no_result_fd = 1};

static const char *tmp_path(const char *name)
{
    static char paths[8][4096];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 4096, "%s/%s", es_test_tmpdir(), name);
    return p;
}

/* ---- exit status ------------------------------------------------------ */

ES_TEST(worker_true_exits_zero)
{
    worker_proc w;
    const char *trial[] = {"/bin/true", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_EXITED);
    ES_CHECK_INT(w.r.exit_code, 0);
    ES_CHECK_INT(w.r.stop_signal, 0);
    ES_CHECK(w.r.wall_s >= 0 && w.r.wall_s < 2);
    ES_CHECK(w.elapsed < 2); /* no grace period when nothing is left over */
    ES_CHECK_INT(w.n_out, 0);
}

ES_TEST(worker_false_passes_exit_code)
{
    worker_proc w;
    const char *trial[] = {"/bin/false", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 1);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_EXITED);
    ES_CHECK_INT(w.r.exit_code, 1);
}

ES_TEST(worker_exit_code_42_and_args)
{
    worker_proc w;
    const char *trial[] = {"sh", "-c", "exit $(($1 * 2))", "sh", "21", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 42);
    ES_CHECK_INT(w.r.exit_code, 42);
}

ES_TEST(worker_signaled_trial)
{
    worker_proc w;
    const char *trial[] = {"sh", "-c", "kill -9 $$", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 128 + 9);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_SIGNALED);
    ES_CHECK_INT(w.r.term_signal, 9);
    ES_CHECK_INT(w.r.stop_signal, 0);
}

ES_TEST(worker_exec_failure)
{
    worker_proc w;
    const char *trial[] = {"ecosweep-no-such-command-xyz", "arg", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 127);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_EXEC_FAILED);
    ES_CHECK_INT(w.r.exec_errno, ENOENT);

    const char *plain = tmp_path("not-executable");
    worker_write_file(plain, "echo hi\n");
    ES_CHECK(chmod(plain, 0644) == 0);
    const char *notexec[] = {plain, NULL};
    worker_run(&w, NULL, notexec);
    ES_CHECK_INT(w.exit_status, 127);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_EXEC_FAILED);
    ES_CHECK_INT(w.r.exec_errno, EACCES);
}

/* ---- measurement ------------------------------------------------------- */

ES_TEST(worker_cpu_burn_is_estimated)
{
    worker_proc w;
    const char *trial[] = {"sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK(w.r.cpu_s > 0.01);
    ES_CHECK(w.r.cpu_s <= w.r.wall_s * 1.05 + 0.02); /* one core, one process */
    ES_CHECK(w.r.peak_rss_kb > 0);
    ES_CHECK_INT(w.r.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(w.r.cpu.j, 12.0 * w.r.cpu_s, 1e-9);
    ES_CHECK_STR(w.r.cpu.source, "estimate:12W/core");
    ES_CHECK_INT(w.r.dram.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(w.r.dram.j, 0.3725 * (double)w.r.peak_rss_kb / 1048576.0 * w.r.wall_s, 1e-9);
    ES_CHECK_STR(w.r.dram.source, "estimate:0.3725W/GiB");
    ES_CHECK_INT(w.r.gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(w.r.gpu.j));
    ES_CHECK_CONTAINS(w.res, " gpu_j=nan gpu_method=none ");
}

ES_TEST(worker_cpu_of_whole_tree)
{
    /* The burning happens in grandchildren, two at once. */
    worker_proc w;
    const char *trial[] = {"sh", "-c",
                           "b() { i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done; }; "
                           "(b) & (b) & wait",
                           NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK(w.r.cpu_s > 0.01);
    ES_CHECK_NEAR(w.r.cpu.j, 12.0 * w.r.cpu_s, 1e-9);
}

ES_TEST(worker_watt_options_override_estimate)
{
    worker_proc w;
    const char *opts[] = {"--cpu-watts-per-core", "7.5", "--dram-watts-per-gb=2", NULL};
    const char *trial[] = {"sh", "-c", "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_NEAR(w.r.cpu.j, 7.5 * w.r.cpu_s, 1e-9);
    ES_CHECK_STR(w.r.cpu.source, "estimate:7.5W/core");
    ES_CHECK_STR(w.r.dram.source, "estimate:2W/GiB");
}

ES_TEST(worker_records_times_and_host)
{
    worker_proc w;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    double before = (double)rt.tv_sec;
    const char *trial[] = {"sleep", "0.3", NULL};
    worker_run(&w, NULL, trial);
    clock_gettime(CLOCK_REALTIME, &rt);
    double after = (double)rt.tv_sec + 1;
    ES_CHECK(w.r.wall_s >= 0.29 && w.r.wall_s < 2);
    ES_CHECK(w.r.start_unix >= before && w.r.start_unix <= after);
    ES_CHECK(w.r.end_unix >= w.r.start_unix && w.r.end_unix <= after);
    ES_CHECK_NEAR(w.r.end_unix - w.r.start_unix, w.r.wall_s, 0.05);
    ES_CHECK(w.r.cpu_s < 0.2); /* sleeping costs next to nothing */
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    ES_CHECK_STR(w.r.host, host);
}

ES_TEST(worker_own_cpu_stays_near_zero)
{
    /* A busy-waiting worker would burn ~1 s of CPU here. */
    worker_proc w;
    const char *opts[] = {"--sample-ms", "50", NULL};
    const char *trial[] = {"sleep", "1", NULL};
    worker_start(&w, opts, trial);
    worker_sleep_s(0.8);
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)w.pid);
    FILE *f = fopen(path, "r");
    ES_CHECK(f != NULL);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    unsigned long utime = 0, stime = 0;
    const char *p = strrchr(buf, ')');
    ES_CHECK(p != NULL);
    ES_CHECK(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) ==
             2);
    double cpu = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    worker_finish(&w);
    ES_CHECK_INT(w.exit_status, 0);
    if (cpu > 0.2)
        ES_FAIL("worker used %.2f s of CPU supervising a sleeping trial", cpu);
}

/* ---- stdio and descriptors ---------------------------------------------- */

ES_TEST(worker_trial_stdout_is_inherited_and_result_separate)
{
    worker_proc w;
    /* No sample lines (test_samples.c covers those), however slow the
     * machine makes this trial. */
    const char *opts[] = {"--report-ms", "0", NULL};
    const char *trial[] = {"sh", "-c", "echo hello; echo oops >&2", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_STR(w.out, "hello\n");
    ES_CHECK_STR(w.err, "oops\n");
    /* Exactly two lines: the started line naming the trial's group, then
     * the result. */
    long pgid = 0;
    const char *second = strchr(w.res, '\n') + 1;
    ES_CHECK_INT(es_started_parse(w.res, (size_t)(second - w.res), &pgid), 0);
    ES_CHECK(pgid > 1);
    ES_CHECK(strncmp(second, "ecosweep-result v=1 ", 20) == 0);
    ES_CHECK_INT(strchr(second, '\n') - w.res + 1, w.n_res);
}

ES_TEST(worker_result_on_stderr_without_fd)
{
    worker_proc w;
    const char *trial[] = {"sh", "-c", "exit 3", NULL};
    worker_start_with(&w, &no_result_fd, NULL, trial);
    worker_finish(&w);
    ES_CHECK_INT(w.exit_status, 3);
    ES_CHECK(strncmp(w.err, "ecosweep-result v=1 ", 20) == 0);
    ES_CHECK_INT(w.r.exit_code, 3);
}

ES_TEST(worker_result_fd_not_inherited_by_trial)
{
    worker_proc w;
    const char *out = tmp_path("fds");
    const char *trial[] = {"sh",
                           "-c",
                           "ls /proc/$$/fd > \"$1\"; "
                           "if { echo forged >&9; } 2>/dev/null; then exit 1; fi",
                           "sh",
                           out,
                           NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK(strstr(w.res, "forged") == NULL);
    FILE *f = fopen(out, "r");
    ES_CHECK(f != NULL);
    int fd, saw_stdout = 0;
    while (fscanf(f, "%d", &fd) == 1) {
        if (fd == WORKER_RESULT_FD)
            ES_FAIL("the trial inherited the result fd %d", fd);
        saw_stdout |= fd == 1;
    }
    fclose(f);
    ES_CHECK(saw_stdout);
}

/* ---- stopping and cleaning up ------------------------------------------ */

static void check_stop(int sig)
{
    worker_proc w;
    const char *pidf = tmp_path("pid");
    const char *trial[] = {"sh", "-c", SAVE_PID("$$") "exec sleep 100", "sh", pidf, NULL};
    worker_start(&w, NULL, trial);
    pid_t pgid = worker_wait_pid_file(pidf);
    ES_CHECK_INT(getpgid(pgid), pgid); /* the trial leads its own group */
    ES_CHECK(pgid != getpgid(0));
    double t = worker_now_s();
    ES_CHECK(kill(w.pid, sig) == 0);
    worker_finish(&w);
    ES_CHECK(worker_now_s() - t < 1.5);
    ES_CHECK_INT(w.r.stop_signal, sig);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_SIGNALED);
    ES_CHECK_INT(w.r.term_signal, SIGTERM);
    ES_CHECK_INT(w.exit_status, 128 + SIGTERM);
    ES_CHECK(kill(-pgid, 0) != 0 && errno == ESRCH);
}

ES_TEST(worker_sigterm_stops_trial_group)
{
    check_stop(SIGTERM);
}

ES_TEST(worker_sigint_stops_trial_group)
{
    check_stop(SIGINT);
}

ES_TEST(worker_sighup_stops_trial_group)
{
    check_stop(SIGHUP);
}

ES_TEST(worker_stops_a_stopped_trial_without_waiting_for_grace)
{
    worker_proc w;
    const char *pidf = tmp_path("pid");
    const char *opts[] = {"--grace", "3", NULL};
    const char *trial[] = {"sh", "-c", SAVE_PID("$$") "exec sleep 100", "sh", pidf, NULL};
    worker_start(&w, opts, trial);
    pid_t pgid = worker_wait_pid_file(pidf);
    ES_CHECK(kill(-pgid, SIGSTOP) == 0);
    worker_sleep_s(0.05);
    double t = worker_now_s();
    ES_CHECK(kill(w.pid, SIGTERM) == 0);
    worker_finish(&w);
    ES_CHECK(worker_now_s() - t < 1.5); /* SIGTERM was followed by SIGCONT */
    ES_CHECK_INT(w.r.term_signal, SIGTERM);
    ES_CHECK(kill(-pgid, 0) != 0 && errno == ESRCH);
}

ES_TEST(worker_sigkills_trial_ignoring_sigterm_after_grace)
{
    worker_proc w;
    const char *pidf = tmp_path("pid");
    const char *opts[] = {"--grace", "0.2", NULL};
    const char *trial[] = {"sh", "-c", "trap '' TERM; " SAVE_PID("$$") "sleep 100; exit 0",
                           "sh", pidf, NULL};
    worker_start(&w, opts, trial);
    pid_t pgid = worker_wait_pid_file(pidf);
    worker_sleep_s(0.05);
    double t = worker_now_s();
    ES_CHECK(kill(w.pid, SIGTERM) == 0);
    worker_finish(&w);
    double took = worker_now_s() - t;
    ES_CHECK(took >= 0.19);
    ES_CHECK(took < 1.5);
    ES_CHECK_INT(w.r.stop_signal, SIGTERM);
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_SIGNALED);
    ES_CHECK_INT(w.r.term_signal, SIGKILL);
    ES_CHECK_INT(w.exit_status, 128 + SIGKILL);
    ES_CHECK(kill(-pgid, 0) != 0 && errno == ESRCH);
}

ES_TEST(worker_kills_background_child_left_in_group)
{
    worker_proc w;
    const char *pidf = tmp_path("bg");
    const char *trial[] = {"sh", "-c", "sleep 100 & " SAVE_PID("$!") "exit 0", "sh", pidf, NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0); /* the trial itself succeeded */
    ES_CHECK_INT(w.r.exit_kind, ES_EXIT_EXITED);
    ES_CHECK_INT(w.r.stop_signal, 0);
    ES_CHECK(w.elapsed < 2);
    ES_CHECK(worker_pid_gone(worker_wait_pid_file(pidf)));
}

ES_TEST(worker_kills_daemonized_descendant)
{
    /* A double fork into a new session that also ignores SIGTERM: only the
     * subreaper sees it, and only SIGKILL after the grace period ends it. */
    worker_proc w;
    const char *dir = es_test_tmpdir();
    const char *script = tmp_path("daemonize.sh");
    worker_write_file(script, "( setsid sh -c 'trap \"\" TERM; echo $$ > \"$1/d.tmp\"; "
                              "mv \"$1/d.tmp\" \"$1/d\"; exec sleep 100' sh \"$1\" & )\n"
                              "while [ ! -e \"$1/d\" ]; do sleep 0.01; done\n"
                              "exit 0\n");
    const char *opts[] = {"--grace", "0.3", NULL};
    const char *trial[] = {"sh", script, dir, NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    pid_t daemon = worker_wait_pid_file(tmp_path("d"));
    ES_CHECK(worker_pid_gone(daemon));
    ES_CHECK(w.elapsed >= 0.29 && w.elapsed < 2.5);
}

ES_TEST(worker_parent_death_stops_trial)
{
    /* test -> middle -> worker -> trial; SIGKILL the middle process. */
    ES_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); /* to reap the orphaned worker */
    const char *pidf = tmp_path("pid");
    int wp[2];
    ES_CHECK(pipe(wp) == 0);
    pid_t middle = fork();
    ES_CHECK(middle >= 0);
    if (middle == 0) {
        close(wp[0]);
        pid_t wk = fork();
        if (wk == 0) {
            int devnull = open("/dev/null", O_RDWR);
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execl(worker_path(), worker_path(), "--grace", "1", "--", "sh", "-c",
                  SAVE_PID("$$") "exec sleep 100", "sh", pidf, (char *)NULL);
            _exit(99);
        }
        ssize_t n = write(wp[1], &wk, sizeof wk);
        (void)n;
        for (;;)
            pause();
    }
    close(wp[1]);
    pid_t wk = 0;
    ES_CHECK(read(wp[0], &wk, sizeof wk) == (ssize_t)sizeof wk);
    close(wp[0]);
    pid_t pgid = worker_wait_pid_file(pidf);
    ES_CHECK(kill(middle, SIGKILL) == 0);
    ES_CHECK(waitpid(middle, NULL, 0) == middle);

    double limit = worker_now_s() + 3.0;
    int status = 0;
    while (waitpid(wk, &status, WNOHANG) == 0) {
        if (worker_now_s() > limit) {
            kill(-pgid, SIGKILL);
            kill(wk, SIGKILL);
            ES_FAIL("worker still running 3 s after its parent died");
        }
        worker_sleep_s(0.02);
    }
    ES_CHECK(WIFEXITED(status));
    ES_CHECK_INT(WEXITSTATUS(status), 128 + SIGTERM);
    ES_CHECK(kill(-pgid, 0) != 0 && errno == ESRCH);
}

/* ---- usage ---------------------------------------------------------------- */

ES_TEST(worker_bad_options_exit_125)
{
    static const struct {
        const char *opt, *val, *msg;
    } cases[] = {
        {"--grace", "x", "ecosweep-worker: --grace: expected seconds, got 'x'"},
        {"--grace", "-1", "ecosweep-worker: --grace: expected seconds, got '-1'"},
        {"--sample-ms", "0", "ecosweep-worker: --sample-ms: expected milliseconds > 0, got '0'"},
        {"--cpu-watts-per-core", "lots", "--cpu-watts-per-core: expected watts, got 'lots'"},
        {"--result-fd", "1", "--result-fd: expected a descriptor number >= 3, got '1'"},
        {"--result-fd", "77", "--result-fd: descriptor 77 is not open"},
        {"--frobnicate", "1", "--frobnicate: unknown option"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        worker_proc w;
        const char *opts[] = {cases[i].opt, cases[i].val, NULL};
        const char *trial[] = {"/bin/true", NULL};
        worker_start_with(&w, &no_result_fd, opts, trial);
        worker_collect(&w);
        ES_CHECK_INT(w.exit_status, 125);
        ES_CHECK_CONTAINS(w.err, cases[i].msg);
        ES_CHECK(strstr(w.err, "ecosweep-result") == NULL);
    }
}

ES_TEST(worker_missing_command_and_help)
{
    int status;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "%s --grace 1 -- 2>/dev/null", worker_path());
    status = system(cmd);
    ES_CHECK(WIFEXITED(status));
    ES_CHECK_INT(WEXITSTATUS(status), 125);

    snprintf(cmd, sizeof cmd, "%s --help", worker_path());
    FILE *p = popen(cmd, "r");
    ES_CHECK(p != NULL);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    status = pclose(p);
    ES_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ES_CHECK_CONTAINS(buf, "usage: ecosweep-worker [options] -- COMMAND [ARGS...]");
    ES_CHECK_CONTAINS(buf, "--result-fd N");
    ES_CHECK_CONTAINS(buf, "--grace SECONDS");
}
