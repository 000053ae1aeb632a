/*
 * cli_exec.c -- running the built `ecosweep` binary from a test (see
 * cli_exec.h): fork, exec with the output in files, wait, read them back.
 */
#include "cli_exec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "es_test.h"

const char *es_test_path(const char *name)
{
    static char buf[4][4300];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", es_test_tmpdir(), name);
    return buf[k];
}

static const char *slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    if (f != NULL) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return buf;
}

int es_test_ecosweep(const char *const *args, const char *tmpdir, const char **out,
                     const char **err)
{
    return es_test_ecosweep_with(args, tmpdir, NULL, NULL, out, err);
}

int es_test_ecosweep_with(const char *const *args, const char *tmpdir, void (*in_child)(void *ud),
                          void *ud, const char **out, const char **err)
{
    static char out_buf[1 << 16], err_buf[1 << 16];
    char out_path[4300], err_path[4300];
    int status;
    pid_t pid;

    snprintf(out_path, sizeof out_path, "%s/cli.stdout", es_test_tmpdir());
    snprintf(err_path, sizeof err_path, "%s/cli.stderr", es_test_tmpdir());
    pid = fork();
    ES_CHECK(pid >= 0);
    if (pid == 0) {
        char exe[4300];
        const char *argv[40];
        int n = 0;
        if (tmpdir != NULL)
            setenv("TMPDIR", tmpdir, 1);
        if (chdir(es_test_tmpdir()) != 0)
            _exit(126);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        if (in_child != NULL)
            in_child(ud);
        snprintf(exe, sizeof exe, "%s/ecosweep", es_test_build_dir());
        argv[n++] = exe;
        for (int i = 0; args[i] != NULL && n < 39; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(exe, (char **)argv);
        _exit(127);
    }
    ES_CHECK(waitpid(pid, &status, 0) == pid);
    if (out != NULL)
        *out = slurp(out_path, out_buf, sizeof out_buf);
    if (err != NULL)
        *err = slurp(err_path, err_buf, sizeof err_buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
