/*
 * main.c -- ecosweep-worker, the metering wrapper the coordinator starts for
 * every trial:
 *
 *   ecosweep-worker [options] -- COMMAND [ARGS...]
 *
 * It parses its options into an es_worker_opts, lets es_worker_run() (run.c)
 * supervise the trial -- which also writes the started line and, every
 * --report-ms, a sample line to --result-fd -- writes the one result line
 * (result.h) to --result-fd or, without it, to stderr, and exits with the trial's status: its exit
 * code, 128 + signal, 127 when the command could not be started, and 125
 * for the worker's own errors (bad options; then no result line is written).
 */
#include "cgroup.h"
#include "err.h"
#include "result.h"
#include "run.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define EXIT_USAGE 125

static const char usage[] =
    "usage: ecosweep-worker [options] -- COMMAND [ARGS...]\n"
    "\n"
    "Run COMMAND as one metered trial in its own process group, and write one\n"
    "'ecosweep-result ...' line when it and everything it started are gone.\n"
    "\n"
    "options:\n"
    "  --result-fd N             write the result line to descriptor N (>= 3),\n"
    "                            which the trial does not inherit (default: stderr)\n"
    "  --grace SECONDS           wait between SIGTERM and SIGKILL when stopping\n"
    "                            the trial or what it left behind (default 5)\n"
    "  --sample-ms MS            meter sampling period (default 1000)\n"
    "  --inline-records          write the started, sample and result lines to\n"
    "                            stderr, shared with the trial's, each after an\n"
    "                            ASCII record separator (0x1e): for launchers that\n"
    "                            carry only stdout and stderr, such as srun\n"
    "  --no-phases               let the trial write to stdout itself: no energy by\n"
    "                            phase (by default its stdout passes through the\n"
    "                            worker, which reads the meters at each line\n"
    "                            'ecosweep-phase NAME' or {\"_phase\": \"NAME\"})\n"
    "  --report-ms MS            with --result-fd: write an 'ecosweep-sample ...'\n"
    "                            line with the energy so far every MS (default\n"
    "                            1000; 0: none)\n"
    "  --cpu-watts-per-core W    estimate: watts per busy core (default 0: TDP/cores\n"
    "                            of the CPU model if known, else 12)\n"
    "  --gpu-watts W             estimate per GPU when no GPU counter is readable\n"
    "                            (default 0: no GPU estimate)\n"
    "  --attribution MODE        exclusive (all the counters saw) or shared (socket\n"
    "                            energy split by CPU share; default exclusive)\n"
    "  --dram-watts-per-gb W     estimate: watts per GiB resident (default 0.3725)\n"
    "  --parent-pid PID          stop the trial when PID is no longer the parent\n"
    "                            (default: the parent at start)\n"
    "  --cgroup DIR              run the trial in DIR, an empty cgroup v2 directory\n"
    "                            made for it alone: stopping it kills all DIR holds\n"
    "                            (cgroup.kill), and its CPU time is DIR's cpu.stat\n"
    "  -h, --help                show this help\n"
    "\n"
    "SIGTERM, SIGINT or SIGHUP stop the trial (SIGTERM to its group, and with\n"
    "--cgroup to all DIR holds; SIGKILL after the grace period).  Exit status: the\n"
    "trial's exit code, 128+signal when it was killed, 127 when COMMAND could not\n"
    "be started, 125 on bad usage (such as a --cgroup DIR that is not an empty\n"
    "cgroup v2 directory).\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "ecosweep-worker: MESSAGE" on stderr; ES_EUSAGE. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ecosweep-worker: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return ES_EUSAGE;
}

static int parse_number(const char *opt, const char *val, const char *what, double lo, double hi,
                        double *out)
{
    char *end;
    errno = 0;
    double x = strtod(val, &end);
    if (end == val || *end != '\0' || errno != 0 || !isfinite(x) || x < lo || x > hi) {
        fprintf(stderr, "ecosweep-worker: %s: expected %s, got '%s'\n", opt, what, val);
        return ES_EUSAGE;
    }
    *out = x;
    return 0;
}

static int parse_whole(const char *opt, const char *val, const char *what, long lo, long hi,
                       long *out)
{
    char *end;
    errno = 0;
    long x = strtol(val, &end, 10);
    if (end == val || *end != '\0' || errno != 0 || x < lo || x > hi) {
        fprintf(stderr, "ecosweep-worker: %s: expected %s, got '%s'\n", opt, what, val);
        return ES_EUSAGE;
    }
    *out = x;
    return 0;
}

static const char *const option_names[] = {
    "--result-fd",  "--grace",     "--sample-ms",   "--cpu-watts-per-core", "--dram-watts-per-gb",
    "--parent-pid", "--gpu-watts", "--attribution", "--report-ms",          "--cgroup",
};

static int known_option(const char *name)
{
    for (size_t i = 0; i < sizeof option_names / sizeof option_names[0]; i++)
        if (strcmp(name, option_names[i]) == 0)
            return 1;
    return 0;
}

/* One option with its value. */
static int apply_option(es_worker_opts *o, const char *opt, const char *val)
{
    long n = 0;
    int rc;
    if (strcmp(opt, "--result-fd") == 0) {
        rc = parse_whole(opt, val, "a descriptor number >= 3", 3, INT_MAX, &n);
        if (rc == 0 && fcntl((int)n, F_GETFD) < 0)
            return usage_error("%s: descriptor %s is not open", opt, val);
        if (rc == 0)
            o->result_fd = (int)n;
    } else if (strcmp(opt, "--grace") == 0) {
        rc = parse_number(opt, val, "seconds", 0, ES_DURATION_MAX, &o->grace_s);
    } else if (strcmp(opt, "--sample-ms") == 0) {
        rc = parse_whole(opt, val, "milliseconds > 0", 1, 3600 * 1000, &n);
        if (rc == 0)
            o->sample_ms = (int)n;
    } else if (strcmp(opt, "--report-ms") == 0) {
        rc = parse_whole(opt, val, "milliseconds >= 0", 0, 3600 * 1000, &n);
        if (rc == 0)
            o->report_ms = (int)n;
    } else if (strcmp(opt, "--cpu-watts-per-core") == 0) {
        rc = parse_number(opt, val, "watts", 0, 1e6, &o->meter.cpu_watts_per_core);
    } else if (strcmp(opt, "--dram-watts-per-gb") == 0) {
        rc = parse_number(opt, val, "watts", 0, 1e6, &o->meter.dram_watts_per_gb);
    } else if (strcmp(opt, "--gpu-watts") == 0) {
        rc = parse_number(opt, val, "watts", 0, 1e6, &o->meter.gpu_watts);
    } else if (strcmp(opt, "--attribution") == 0) {
        rc = 0;
        if (strcmp(val, "exclusive") == 0)
            o->meter.attribution = ES_ATTR_EXCLUSIVE;
        else if (strcmp(val, "shared") == 0)
            o->meter.attribution = ES_ATTR_SHARED;
        else
            return usage_error("%s: expected exclusive or shared, got '%s'", opt, val);
    } else if (strcmp(opt, "--parent-pid") == 0) {
        rc = parse_whole(opt, val, "a process id", 1, INT_MAX, &n);
        if (rc == 0)
            o->parent_pid = (pid_t)n;
    } else if (strcmp(opt, "--cgroup") == 0) {
        /* Checked now, so that a wrong DIR is a usage error; es_worker_run
         * opens it again for the trial. */
        es_cgroup cg;
        es_err err;
        if (es_cgroup_open(&cg, val, &err) != 0)
            return usage_error("%s %s", opt, err.msg);
        es_cgroup_close(&cg);
        o->cgroup_dir = val;
        rc = 0;
    } else {
        return usage_error("%s: unknown option (try --help)", opt);
    }
    return rc;
}

/* Fill o from argv; *cmd gets the index of COMMAND.  1 when --help was
 * given, 0 to run, ES_EUSAGE after printing why not. */
static int parse_args(int argc, char **argv, es_worker_opts *o, int *cmd)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (strcmp(a, "--no-phases") == 0) {
            o->phases = 0;
            continue;
        }
        if (strcmp(a, "--inline-records") == 0) {
            /* The lines go to a copy of stderr that the trial does not
             * inherit (it writes to stderr itself), each marked. */
            if (o->result_fd < 0 && (o->result_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0)
                return usage_error("--inline-records: %s", strerror(errno));
            o->mark_records = 1;
            continue;
        }
        if (a[0] != '-')
            break; /* COMMAND without "--" */
        char name[64];
        const char *val;
        const char *eq = strchr(a, '=');
        if (eq != NULL && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
            if (!known_option(name))
                return usage_error("%s: unknown option (try --help)", name);
            if (i + 1 >= argc)
                return usage_error("%s: missing value", name);
            val = argv[++i];
        }
        int rc = apply_option(o, name, val);
        if (rc != 0)
            return rc;
    }
    if (i >= argc)
        return usage_error("no COMMAND given (usage: ecosweep-worker [options] -- COMMAND "
                           "[ARGS...])");
    *cmd = i;
    return 0;
}

int main(int argc, char **argv)
{
    es_worker_opts opts;
    es_worker_opts_init(&opts);
    int cmd = 0;
    int rc = parse_args(argc, argv, &opts, &cmd);
    if (rc == 1) {
        fputs(usage, stdout);
        return 0;
    }
    if (rc != 0)
        return EXIT_USAGE;

    es_result r;
    es_err err;
    es_err_clear(&err);
    rc = es_worker_run(&opts, argv + cmd, &r, &err);
    if (rc != 0) {
        /* Nothing was started. */
        fprintf(stderr, "ecosweep-worker: %s\n", err.msg);
        return EXIT_USAGE;
    }

    /* The worker's own cost, so the meter's overhead is on the record. */
    struct rusage self;
    if (getrusage(RUSAGE_SELF, &self) == 0) {
        r.worker_cpu_s = (double)self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6 +
                         (double)self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6;
        r.worker_peak_rss_kb = self.ru_maxrss;
        /* ru_maxrss keeps the high-water mark of what exec'd the worker (a
         * launcher holding 300 MB): VmHWM is the worker's own. */
        FILE *status = fopen("/proc/self/status", "r");
        char row[256];
        long hwm;
        while (status != NULL && fgets(row, sizeof row, status) != NULL)
            if (sscanf(row, "VmHWM: %ld kB", &hwm) == 1)
                r.worker_peak_rss_kb = hwm;
        if (status != NULL)
            fclose(status);
    }

    char line[8192];
    int len = es_result_format(&r, line, sizeof line);
    if (len < 0 || (size_t)len >= sizeof line)
        len = (int)strlen(line);
    int fd = opts.result_fd >= 0 ? opts.result_fd : STDERR_FILENO;
    rc = es_worker_write_record(&opts, fd, line, (size_t)len);
    if (rc != 0)
        fprintf(stderr, "ecosweep-worker: writing the result: %s\n", strerror(-rc));
    return es_worker_exit_status(&r);
}
