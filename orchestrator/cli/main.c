/*
 * main.c -- the `ecosweep` program: everything happens in es_cli_main().
 */
#include <signal.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* A closed pipe on our stdout (ecosweep report | head) is not a crash,
     * nor a file-size limit (ulimit -f): the write fails (EPIPE, EFBIG) and
     * the error path says why, leaving a sweep resumable.  The worker
     * gives its trial the default dispositions back. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    return es_cli_main(argc, argv);
}
