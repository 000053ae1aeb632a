/*
 * sweep_exec.c -- background runs of the `ecosweep` binary for end-to-end
 * tests (see sweep_exec.h).
 */
#include "sweep_exec.h"

#include <fcntl.h>
#include <sys/wait.h>
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

pid_t es_sx_start(const char *db, const char *const *args, const char *const *extra)
{
    pid_t pid = fork();
    ES_CHECK(pid >= 0);
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
        if (chdir(es_test_tmpdir()) != 0)
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
