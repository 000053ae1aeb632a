/*
 * main.c -- the `ecosweep` program: everything happens in es_cli_main().
 */
#include <signal.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* A closed pipe on our stdout (ecosweep report | head) is not a crash. */
    signal(SIGPIPE, SIG_IGN);
    return es_cli_main(argc, argv);
}
