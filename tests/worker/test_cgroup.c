/*
 * test_cgroup.c -- ecosweep-worker --cgroup DIR as the coordinator uses it:
 * the trial runs in the cgroup the coordinator made for it, nothing the
 * trial started survives the worker -- a daemon that left the tree, or a
 * process that only shares the cgroup -- the cgroup is what the coordinator
 * kills when the worker itself died, the trial's CPU time counts processes
 * that no one reaped, the result says how the trial was contained, and a
 * wrong DIR is refused at startup.
 *
 * Each test makes its own cgroup, named after it, below the cgroup v2
 * directory the test runs in (found through /proc/self/mountinfo and
 * /proc/self/cgroup), and removes it at exit, killing what is left there
 * first.  Where cgroup v2 is not mounted, not writable, too old for
 * cgroup.kill, or no process can be moved into a new cgroup, a test prints
 * "SKIP: ..." and passes.
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
#include <unistd.h>

#define PATH_CAP 4096
#define MAX_CGROUPS 4
#define MAX_OUTSIDERS 4

static const worker_setup no_result_fd = {.no_result_fd = 1};

/* Cgroups this test made (parents first) and processes it started outside
 * the worker: removed and killed at exit, whether the test passed or not. */
static char made[MAX_CGROUPS][PATH_CAP];
static int n_made;
static pid_t outsiders[MAX_OUTSIDERS];
static int n_outsiders;

static const char *tmp_path(const char *name)
{
    static char paths[8][PATH_CAP + 64];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, PATH_CAP + 64, "%s/%s", es_test_tmpdir(), name);
    return p;
}

/* "<cg>/<name>", in one of eight rotating buffers. */
static const char *cg_file(const char *cg, const char *name)
{
    static char paths[8][PATH_CAP + 64];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, PATH_CAP + 64, "%s/%s", cg, name);
    return p;
}

/* Write text to an existing file; 0 or -errno. */
static int put(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int rc = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
    close(fd);
    return rc;
}

/* The text of path (the test fails if it cannot be read). */
static const char *slurp(const char *path)
{
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];
    FILE *f = fopen(path, "re");
    if (f == NULL)
        ES_FAIL("cannot read %s: %s", path, strerror(errno));
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    fclose(f);
    b[n] = '\0';
    return b;
}

static int populated(const char *cg)
{
    return strstr(slurp(cg_file(cg, "cgroup.events")), "populated 1") != NULL;
}

/* Wait (at most s seconds) for cg to hold no process; 1 once it does. */
static int wait_empty(const char *cg, double s)
{
    double limit = worker_now_s() + s;
    while (populated(cg)) {
        if (worker_now_s() > limit)
            return 0;
        worker_sleep_s(0.01);
    }
    return 1;
}

/* Whether pid is listed in cg's cgroup.procs. */
static int holds(const char *cg, pid_t pid)
{
    const char *p = slurp(cg_file(cg, "cgroup.procs"));
    for (; *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
        if (atoi(p) == (int)pid)
            return 1;
    return 0;
}

static void cleanup(void)
{
    for (int i = 0; i < n_outsiders; i++)
        kill(outsiders[i], SIGKILL);
    for (int i = n_made - 1; i >= 0; i--) {
        if (put(cg_file(made[i], "cgroup.kill"), "1") == 0)
            wait_empty(made[i], 2.0);
        if (rmdir(made[i]) != 0)
            fprintf(stderr, "test_cgroup: cannot remove %s: %s\n", made[i], strerror(errno));
    }
    n_made = 0;
}

/* Make the cgroup parent/name and have it removed at exit; its path, or
 * NULL with errno set. */
static const char *add_cgroup(const char *parent, const char *name)
{
    ES_CHECK(n_made < MAX_CGROUPS);
    char *dir = made[n_made];
    snprintf(dir, PATH_CAP, "%s/%s", parent, name);
    if (mkdir(dir, 0755) != 0)
        return NULL;
    if (n_made++ == 0)
        atexit(cleanup);
    return dir;
}

/* The cgroup v2 directory this process runs in, into base, and the mount
 * point of the cgroup2 filesystem, into mount (both cap bytes); NULL, or
 * why there is none. */
static const char *own_cgroup_dir(char *base, char *mount, size_t cap)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return "cannot read /proc/self/mountinfo";
    char line[PATH_CAP], root[PATH_CAP] = "", mnt[PATH_CAP] = "";
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        const char *sep = strstr(line, " - ");
        found = sep != NULL && strncmp(sep, " - cgroup2 ", 11) == 0 &&
                sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2;
    }
    fclose(f);
    if (!found)
        return "no cgroup2 filesystem is mounted";
    /* "0::/PATH" names the process's cgroup relative to the hierarchy's
     * root; it lies below the mount point only where the mount shows that
     * root. */
    char own[PATH_CAP] = "/";
    f = fopen("/proc/self/cgroup", "re");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "0::", 3) == 0 && sscanf(line + 3, "%4095s", own) == 1)
            break;
    if (f != NULL)
        fclose(f);
    if (strcmp(root, "/") == 0 && strcmp(own, "/") != 0)
        snprintf(base, cap, "%s%s", mnt, own);
    else
        snprintf(base, cap, "%s", mnt);
    snprintf(mount, cap, "%s", mnt);
    return NULL;
}

/* Whether a child moved into cg can run there: 1, or 0 with a message. */
static int can_join(const char *cg)
{
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0)
        _exit(put(cg_file(cg, "cgroup.procs"), "0") == 0 ? 0 : 1);
    int st = 0;
    ES_CHECK(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A fresh, empty cgroup for this test, or NULL after printing why the test
 * is skipped. */
static const char *test_cgroup(const char *name)
{
    char base[PATH_CAP], mount[PATH_CAP], leaf[256];
    const char *why = own_cgroup_dir(base, mount, sizeof base);
    if (why != NULL) {
        printf("SKIP: %s\n", why);
        return NULL;
    }
    snprintf(leaf, sizeof leaf, "ecosweep-test-%d-%s", (int)getpid(), name);
    const char *cg = add_cgroup(base, leaf);
    if (cg == NULL) {
        printf("SKIP: cannot make a cgroup in %s: %s\n", base, strerror(errno));
        return NULL;
    }
    if (access(cg_file(cg, "cgroup.kill"), F_OK) != 0) {
        printf("SKIP: %s has no cgroup.kill (Linux before 5.14)\n", cg);
        return NULL;
    }
    if (!can_join(cg)) {
        printf("SKIP: a process cannot be moved into %s\n", cg);
        return NULL;
    }
    return cg;
}

/* Start `sleep 300` outside the worker (a child of the test), ignoring
 * SIGTERM when asked; killed at exit in any case. */
static pid_t start_outsider(int ignore_term)
{
    ES_CHECK(n_outsiders < MAX_OUTSIDERS);
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (ignore_term)
            signal(SIGTERM, SIG_IGN); /* and so does sleep: SIG_IGN survives exec */
        execlp("sleep", "sleep", "300", (char *)NULL);
        _exit(99);
    }
    outsiders[n_outsiders++] = pid;
    return pid;
}

static void move_into(const char *cg, pid_t pid)
{
    char num[32];
    snprintf(num, sizeof num, "%d", (int)pid);
    int rc = put(cg_file(cg, "cgroup.procs"), num);
    if (rc != 0)
        ES_FAIL("moving %d into %s: %s", (int)pid, cg, strerror(-rc));
}

/* The state letter of pid in /proc/PID/stat ('Z' for a zombie), or 0 when
 * there is no such process. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* Reap pid within s seconds; its wait status.  pid is the test's child, or
 * becomes one (an orphan, the test being a subreaper) meanwhile. */
static int reap_within(pid_t pid, double s)
{
    double limit = worker_now_s() + s;
    int st = 0;
    for (;;) {
        pid_t got = waitpid(pid, &st, WNOHANG);
        if (got == pid)
            return st;
        ES_CHECK(got == 0 || errno == ECHILD);
        if (worker_now_s() > limit)
            ES_FAIL("process %d still alive %g s on", (int)pid, s);
        worker_sleep_s(0.01);
    }
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    ES_CHECK(f != NULL);
    fclose(f);
}

/* ---- nothing of the trial survives -------------------------------------- */

ES_TEST(worker_cgroup_stops_a_detached_daemon_and_the_cgroups_other_processes)
{
    /* The trial leaves a daemon in a new session that ignores SIGTERM;
     * meanwhile a process that is no descendant of the worker joins the
     * cgroup (as a daemon started through a server would): only the
     * cgroup's listing reaches it, with the SIGTERM of the teardown. */
    const char *cg = test_cgroup("daemon");
    if (cg == NULL)
        return;
    const char *dir = es_test_tmpdir();
    const char *script = tmp_path("daemon.sh");
    worker_write_file(script, "setsid sh -c 'trap \"\" TERM; cat /proc/self/cgroup > \"$1/dcg\"; "
                              "echo $$ > \"$1/d.tmp\"; mv \"$1/d.tmp\" \"$1/d\"; exec sleep 300' "
                              "sh \"$1\" </dev/null >/dev/null 2>&1 &\n"
                              "while [ ! -e \"$1/go\" ]; do sleep 0.01; done\n"
                              "exit 0\n");
    pid_t outsider = start_outsider(0);
    worker_proc w;
    const char *opts[] = {"--cgroup", cg, "--grace", "0.3", NULL};
    const char *trial[] = {"sh", script, dir, NULL};
    worker_start(&w, opts, trial);
    pid_t daemon = worker_wait_pid_file(tmp_path("d"));
    move_into(cg, outsider);
    touch(tmp_path("go"));
    worker_finish(&w);

    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.containment, ES_CONTAIN_CGROUP);
    ES_CHECK_CONTAINS(w.res, " containment=cgroup");
    ES_CHECK(w.elapsed >= 0.29 && w.elapsed < 3); /* the daemon needed SIGKILL */
    /* The daemon ran in the cgroup, and is gone. */
    ES_CHECK_CONTAINS(slurp(tmp_path("dcg")), strrchr(cg, '/'));
    ES_CHECK(worker_pid_gone(daemon));
    int st = reap_within(outsider, 2.0);
    ES_CHECK(WIFSIGNALED(st));
    ES_CHECK_INT(WTERMSIG(st), SIGTERM);
    ES_CHECK(!populated(cg));
    ES_CHECK_STR(slurp(cg_file(cg, "cgroup.procs")), "");
}

ES_TEST(worker_cgroup_kills_what_is_left_outside_the_tree)
{
    /* The trial's main process ends with no process of its tree left, but
     * one that ignores SIGTERM still runs in the cgroup: the worker kills
     * it through cgroup.kill before it reports, without a grace period. */
    const char *cg = test_cgroup("outside");
    if (cg == NULL)
        return;
    const char *pidf = tmp_path("pid"), *go = tmp_path("go");
    pid_t outsider = start_outsider(1);
    worker_proc w;
    const char *opts[] = {"--cgroup", cg, NULL};
    const char *trial[] = {"sh", "-c", SAVE_PID("$$") "while [ ! -e \"$2\" ]; do sleep 0.01; done",
                           "sh", pidf, go,
                           NULL};
    worker_start(&w, opts, trial);
    worker_wait_pid_file(pidf);
    move_into(cg, outsider);
    double t = worker_now_s();
    touch(go);
    worker_finish(&w);
    ES_CHECK(worker_now_s() - t < 2.5); /* not the 5 s grace period */
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.containment, ES_CONTAIN_CGROUP);
    int st = reap_within(outsider, 0.5);
    ES_CHECK(WIFSIGNALED(st));
    ES_CHECK_INT(WTERMSIG(st), SIGKILL);
    ES_CHECK(!populated(cg));
}

ES_TEST(worker_cgroup_is_left_for_the_caller_when_the_worker_dies)
{
    /* SIGKILL the worker: the trial's main process follows it (parent-death
     * signal), but a grandchild in its own session does not.  The cgroup
     * still holds it, and writing cgroup.kill, as the coordinator does,
     * ends it. */
    const char *cg = test_cgroup("orphan");
    if (cg == NULL)
        return;
    ES_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); /* to reap the orphans */
    const char *gcf = tmp_path("gc");
    const char *script = tmp_path("orphan.sh");
    worker_write_file(script, "setsid sh -c '" SAVE_PID("$$") "exec sleep 300' sh \"$1\" "
                                                              "</dev/null >/dev/null 2>&1 &\n"
                                                              "exec sleep 300\n");
    worker_proc w;
    const char *opts[] = {"--cgroup", cg, NULL};
    const char *trial[] = {"sh", script, gcf, NULL};
    worker_start(&w, opts, trial);
    pid_t gc = worker_wait_pid_file(gcf);
    ES_CHECK(kill(w.pid, SIGKILL) == 0);
    worker_collect(&w);
    ES_CHECK_INT(w.exit_status, 1000 + SIGKILL);

    char state = proc_state(gc);
    if (state == 0 || state == 'Z')
        ES_FAIL("the grandchild did not outlive the worker (state '%c')", state ? state : '-');
    ES_CHECK(holds(cg, gc));
    ES_CHECK_INT(put(cg_file(cg, "cgroup.kill"), "1"), 0);
    ES_CHECK(wait_empty(cg, 2.0));
    int st = reap_within(gc, 2.0);
    ES_CHECK(WIFSIGNALED(st));
    ES_CHECK_INT(WTERMSIG(st), SIGKILL);
    while (waitpid(-1, NULL, WNOHANG) > 0) /* the trial's main process */
        ;
}

ES_TEST(worker_without_cgroup_says_pgroup)
{
    worker_proc w;
    const char *trial[] = {"/bin/true", NULL};
    worker_run(&w, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.containment, ES_CONTAIN_PGROUP);
    ES_CHECK_CONTAINS(w.res, " containment=pgroup");
}

ES_TEST(worker_cgroup_that_cannot_be_joined_says_pgroup)
{
    /* A cgroup the kernel refuses processes in ("domain invalid": a
     * sibling of a threaded cgroup) passes the checks at startup; the move
     * fails in the trial's first process, which still runs -- contained by
     * its group only, as the note and the result say. */
    const char *parent = test_cgroup("invalid");
    if (parent == NULL)
        return;
    const char *threaded = add_cgroup(parent, "threaded");
    const char *cg = add_cgroup(parent, "domain");
    ES_CHECK(threaded != NULL && cg != NULL);
    if (put(cg_file(threaded, "cgroup.type"), "threaded") != 0 ||
        strcmp(slurp(cg_file(cg, "cgroup.type")), "domain invalid\n") != 0) {
        printf("SKIP: cannot make a threaded cgroup in %s\n", parent);
        return;
    }
    worker_proc w;
    const char *opts[] = {"--cgroup", cg, NULL};
    const char *trial[] = {"sh", "-c", "exit 3", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 3);
    ES_CHECK_INT(w.r.containment, ES_CONTAIN_PGROUP);
    char note[PATH_CAP + 64];
    snprintf(note, sizeof note, "ecosweep-worker: --cgroup %s: moving the trial into it: ", cg);
    ES_CHECK_CONTAINS(w.err, note);
    ES_CHECK_CONTAINS(w.err, "; the trial runs contained by its process group only\n");
    ES_CHECK(w.r.cpu_s >= 0);
}

/* ---- CPU time ------------------------------------------------------------ */

ES_TEST(worker_cgroup_counts_cpu_no_one_reaped)
{
    /* cpu_burner: 0.3 s in a child the kernel reaps (its parent ignores
     * SIGCHLD) and 0.3 s in a daemon's child -- 0.6 s in all, of which the
     * tree's own accounting loses the first. */
    const char *cg = test_cgroup("cpu");
    if (cg == NULL)
        return;
    worker_proc w;
    const char *opts[] = {"--cgroup", cg, "--report-ms", "50", NULL};
    const char *trial[] = {CPU_BURNER_PATH, "0.3", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.containment, ES_CONTAIN_CGROUP);
    if (!(w.r.cpu_s >= 0.59))
        ES_FAIL("cpu_s=%g, but 0.6 s were burned", w.r.cpu_s);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ES_CHECK(w.r.cpu_s <= w.r.wall_s * (double)(cores > 0 ? cores : 1) + 0.1);
    ES_CHECK_NEAR(w.r.cpu.j, 12.0 * w.r.cpu_s, 1e-9); /* the estimate uses it */

    /* The live figure on the sample lines rises and stays at or below the
     * final one. */
    double last = 0;
    int n = 0;
    for (const char *p = strstr(w.res, ES_SAMPLE_TAG " "); p != NULL;
         p = strstr(p + 1, "\n" ES_SAMPLE_TAG " ")) {
        if (*p == '\n')
            p++;
        es_sample s;
        ES_CHECK_INT(es_sample_parse(p, strcspn(p, "\n"), &s), 0);
        if (!(s.cpu_s >= last))
            ES_FAIL("sample %d: cpu_s %g after %g", n, s.cpu_s, last);
        last = s.cpu_s;
        n++;
    }
    ES_CHECK(n >= 1);
    ES_CHECK(last <= w.r.cpu_s);
}

/* ---- usage ---------------------------------------------------------------- */

/* Run the worker with --cgroup dir: it must refuse, naming dir, with why. */
static void check_refused(const char *dir, const char *why)
{
    worker_proc w;
    const char *opts[] = {"--cgroup", dir, NULL};
    const char *trial[] = {"/bin/true", NULL};
    char msg[PATH_CAP + 256];
    snprintf(msg, sizeof msg, "ecosweep-worker: --cgroup %s: %s", dir, why);
    worker_start_with(&w, &no_result_fd, opts, trial);
    worker_collect(&w);
    ES_CHECK_INT(w.exit_status, 125);
    ES_CHECK_CONTAINS(w.err, msg);
    ES_CHECK(strstr(w.err, "ecosweep-result") == NULL);
}

ES_TEST(worker_bad_cgroup_exits_125)
{
    check_refused("/nonexistent/ecosweep-cgroup", "No such file or directory");
    check_refused(es_test_tmpdir(), "not a cgroup v2 directory");
    check_refused(es_test_write_file("plain", "x\n"), "Not a directory");

    const char *cg = test_cgroup("busy");
    if (cg == NULL)
        return;
    /* A cgroup in use: cgroup.kill would reach a process not the trial's. */
    pid_t other = start_outsider(0);
    move_into(cg, other);
    check_refused(cg, "not empty");
    /* The root cgroup has no cgroup.kill (a cgroup namespace's root, seen
     * as the mount, may have one: then it is not empty). */
    char base[PATH_CAP], mount[PATH_CAP];
    ES_CHECK(own_cgroup_dir(base, mount, sizeof base) == NULL);
    if (access(cg_file(mount, "cgroup.kill"), F_OK) != 0)
        check_refused(mount, "no cgroup.kill");
    else
        check_refused(mount, "not empty");
}
