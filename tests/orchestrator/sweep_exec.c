/*
 * sweep_exec.c -- background runs of the `ecosweep` binary for end-to-end
 * tests (see sweep_exec.h).
 */
#include "sweep_exec.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "es_test.h"

const char *es_sx_path(const char *name)
{
    static char buf[4][4300];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", es_test_tmpdir(), name);
    return buf[k];
}

static pid_t start_as(const char *dir, const char *db, const char *const *args,
                      const char *const *extra, int group)
{
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0 && group)
        (void)setpgid(0, 0);
    if (pid == 0) {
        char exe[4300];
        const char *argv[40];
        int n = 0;
        snprintf(exe, sizeof exe, "%s/ecosweep", es_test_build_dir());
        argv[n++] = exe;
        for (int i = 0; args[i] != NULL && n < 26; i++)
            argv[n++] = args[i];
        argv[n++] = "--db";
        argv[n++] = db;
        for (int i = 0; extra != NULL && extra[i] != NULL && n < 38; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        if (chdir(dir) != 0)
            _exit(126);
        int out = open(es_sx_path("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(es_sx_path("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, 1);
        dup2(err, 2);
        execv(exe, (char **)argv);
        _exit(127);
    }
    return pid;
}

pid_t es_sx_start(const char *db, const char *const *args, const char *const *extra)
{
    return start_as(es_test_tmpdir(), db, args, extra, 0);
}

pid_t es_sx_start_in(const char *dir, const char *db, const char *const *args,
                     const char *const *extra)
{
    return start_as(dir, db, args, extra, 0);
}

pid_t es_sx_start_group(const char *db, const char *const *args, const char *const *extra)
{
    return start_as(es_test_tmpdir(), db, args, extra, 1);
}

int es_sx_finish(pid_t pid)
{
    int st;
    ES_CHECK(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char *es_sx_slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

void es_sx_show_output(void)
{
    fprintf(stderr, "--- stdout\n%s--- stderr\n", es_sx_slurp(es_sx_path("stdout")));
    fprintf(stderr, "%s---\n", es_sx_slurp(es_sx_path("stderr")));
}

es_store_data *es_sx_load(const char *db)
{
    es_store *st;
    es_store_data *d;
    es_err err;
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("%s", err.msg);
    if (es_store_load(st, NULL, NULL, &d, &err) != 0)
        ES_FAIL("%s", err.msg);
    es_store_close(st);
    return d;
}

int es_sx_trial_processes(const char *db, int show)
{
    char needle[4400];
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    snprintf(needle, sizeof needle, "ECOSWEEP_TRIAL_DIR=%s.d/", db);
    ES_CHECK(d != NULL);
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[1 << 15];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        const char *rp = strrchr(buf, ')');
        if (rp != NULL && rp[1] == ' ' && rp[2] == 'Z')
            continue;
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
            buf[len] = '\0';
            if (strncmp(buf + i, needle, strlen(needle)) == 0) {
                n++;
                if (show) {
                    char cmd[512] = "";
                    snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
                    FILE *c = fopen(path, "r");
                    if (c != NULL) {
                        size_t m = fread(cmd, 1, sizeof cmd - 1, c);
                        fclose(c);
                        for (size_t k = 0; k < m; k++)
                            cmd[k] = cmd[k] ? cmd[k] : ' ';
                        cmd[m] = '\0';
                    }
                    fprintf(stderr, "still running: pid %s: %s\n", e->d_name, cmd);
                }
                break;
            }
        }
    }
    closedir(d);
    return n;
}

void es_sx_wait_orphans_gone(const char *db)
{
    /* Three empty scans in a row: a worker caught between fork and exec
     * still has its parent's environment, and would be missed by one. */
    int quiet = 0;
    for (int i = 0; i < 750 && quiet < 3; i++) {
        quiet = es_sx_trial_processes(db, 0) == 0 ? quiet + 1 : 0;
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    ES_CHECK_INT(es_sx_trial_processes(db, 1), 0);
}

void es_sx_check_integrity(const char *db)
{
    es_store *st;
    es_err err;
    char msg[512];
    if (es_store_open(db, &st, &err) != 0)
        ES_FAIL("%s", err.msg);
    if (es_store_integrity_check(st, msg, sizeof msg, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_STR(msg, "ok");
    es_store_close(st);
}
