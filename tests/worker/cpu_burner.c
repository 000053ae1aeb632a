/*
 * cpu_burner.c -- a trial for the cgroup tests (test_cgroup.c) whose CPU
 * time the process tree alone cannot account for:
 *
 *   worker-cpu-burner SECONDS
 *
 * ignores SIGCHLD, so that the kernel reaps its children at once and adds
 * their CPU time to no one's, then starts
 *
 *   - a child that burns SECONDS of CPU time and exits (reaped by the
 *     kernel: lost to getrusage and to /proc), and
 *   - a daemon (a child that calls setsid and forks, then exits) whose own
 *     child burns SECONDS and exits (re-parented to the worker),
 *
 * and exits once both burners have, so at least 2 x SECONDS of CPU time
 * were spent in all.  Each burner holds the write end of a pipe until it
 * exits: end of file on the read end says both are done.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Spin until this process has used s seconds of CPU time. */
static void burn(double s)
{
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        if ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 >= s)
            return;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    double s = atof(argv[1]);
    struct sigaction ign;
    ign.sa_handler = SIG_IGN;
    ign.sa_flags = 0;
    sigemptyset(&ign.sa_mask);
    int p[2];
    if (sigaction(SIGCHLD, &ign, NULL) != 0 || pipe(p) != 0)
        return 1;
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        burn(s);
        _exit(0);
    }
    pid_t daemon = fork();
    if (daemon == 0) {
        close(p[0]);
        (void)setsid();
        if (fork() == 0) {
            burn(s);
            _exit(0);
        }
        _exit(0);
    }
    if (child < 0 || daemon < 0)
        return 1;
    close(p[1]);
    char c;
    while (read(p[0], &c, 1) > 0)
        ;
    return 0;
}
