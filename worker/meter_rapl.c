/*
 * meter_rapl.c -- CPU and DRAM energy from the RAPL counters that Linux
 * exposes through powercap (cfg->powercap_root, else $ECOSWEEP_POWERCAP_ROOT,
 * else /sys/class/powercap).
 *
 * Zones.  Every directory whose name is PREFIX-rapl:N (intel-rapl:0 -- AMD
 * parts appear under the same intel-rapl name) is a top-level zone; its
 * `name` file says what it covers: "package-N" (one socket or die), "psys"
 * (the whole platform).  PREFIX-rapl:N:M (flat beside it, as in
 * /sys/class/powercap, or nested inside it, as in /sys/devices) is a subzone:
 * "core", "uncore", "dram".  The zones nest -- core is part of package, and
 * package part of psys -- so summing them all over-counts two to three times.
 * The rule here is ONE level per socket: every package zone is the cpu part,
 * and its dram subzone, when there is one, the dram part (DRAM is not inside
 * the package counter).  Only where no package zone exists is psys used, alone,
 * as the cpu part ("rapl:psys"); the dram part is then left to the estimate
 * although psys covers memory too, which over-counts by that small estimate
 * rather than reporting a made-up 0.  Core and uncore are never read.
 *
 * Duplicated counters.  Some AMD multi-die parts expose the socket's counter
 * once per die: several zones with the same name whose energy_uj are equal
 * and move together.  Two top-level zones with the same `name` AND the same
 * energy_uj reading at start (read back to back, retried a few times in case
 * the counter ticked between the two reads) are taken to be one counter and
 * counted once, with the dram subzone of the first only.  Distinct sockets
 * have distinct names (package-0, package-1), and distinct dies of one
 * package that Linux names alike but that count separately read different
 * microjoules, so the rule cannot merge two real counters except by a
 * one-in-billions coincidence of readings.
 *
 * Wrapping.  energy_uj is cumulative and wraps after max_energy_range_uj (the
 * value of an all-ones 32-bit register: 65 to 262 kJ).  A reading more than
 * half the range below the previous one means one wrap (a sample interval
 * cannot see more than half the range: see below), and the energy since is
 * (max_energy_range_uj - prev) + cur + 1: the counter shows every value from
 * 0 to max_energy_range_uj, and the +1 stands in for the one counter unit
 * (15 to 61 uJ) between the top and 0.  Two wraps between reads cannot be
 * seen, so every zone is read at each timer tick of the worker (sample()).
 * At the smallest range, 65 kJ, even a 1 kW socket needs 65 s to wrap (a
 * 240 W socket 4.5 to 18 minutes, by range): the default --sample-ms 1000
 * is at least 60 times shorter.  Only a --sample-ms above a minute could
 * miss a wrap.  A smaller drop is no wrap: the counter was reset or read
 * wrong, and taking it for one charged a 1 mJ dip as 262 kJ.  That interval
 * counts 0 from the reading before, the count goes on from the new reading,
 * and the part's source says how many times it happened
 * ("rapl:package,went-back=1").
 *
 * Permissions.  Since Linux 5.10 (CVE-2020-8694, a power side channel)
 * energy_uj is readable by root only.  A zone that cannot be read fails the
 * probe with one note telling the user why and how an admin grants access;
 * meter.c then lets the estimate, listed after this back end, fill the cpu
 * and dram parts.
 *
 * Attribution (cfg->attribution).  A counter covers a whole socket, not a
 * process.  ES_ATTR_EXCLUSIVE charges the trial every joule its counters saw
 * from start to stop -- right when the trial has the machine to itself
 * (Slurm's ConsumedEnergy makes the same assumption).  ES_ATTR_SHARED splits
 * the socket energy by CPU time, interval by interval (Kepler, Scaphandre):
 * for each sampling interval the trial is charged
 *
 *   (energy delta of the cpu zones, and separately of the dram zones)
 *     x clamp(trial CPU-time delta / machine busy CPU-time delta, 0, 1)
 *
 * where the machine's busy time is user+nice+system+irq+softirq+steal of the
 * first "cpu" line of $ECOSWEEP_PROC_ROOT/stat (default /proc; guest time is
 * already inside user; idle and iowait are not busy), and the trial's is the
 * live CPU of its whole process tree, which the worker computes at each tick
 * (es_meter_usage.live_cpu_s).  An interval in which the machine was not
 * busy at all charges nothing.  Where idle power goes: the whole socket
 * energy, idle power included, is divided in proportion to busy CPU time, so
 * idle power is split among whoever was using the CPU in that interval;
 * the part matching other processes' CPU time (outside the sweep, or the
 * worker itself) is charged to no trial, and so is a completely idle
 * interval.  With n trials sharing a machine and nothing else running, their
 * charges add up to the socket's energy.
 *
 * Energy so far (peek, for the worker's sample lines).  Exclusive: every
 * zone is read now and its total since start is reported without being
 * kept (a zone that cannot be read now counts its total at the last
 * sample), so the figure is current.  Shared: the share charged up to the
 * last sample() tick, without the interval still open -- splitting that
 * interval at the peek would charge it differently from stop(), and its
 * share cannot be known before it ends.  So a sample lags by up to one
 * --sample-ms under shared attribution, and in both modes never exceeds
 * what stop() will report for the same readings nor changes it.
 *
 * Cost.  The energy_uj files and the stat file stay open and are re-read
 * with pread(); a sample is one pread per zone (plus one of stat when
 * shared), a few microseconds.
 *
 * Source strings: "rapl:package", "rapl:dram", "rapl:psys", with ",shared"
 * appended under ES_ATTR_SHARED.
 */
#include "meter.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_POWERCAP_ROOT "/sys/class/powercap"
#define DEFAULT_PROC_ROOT "/proc"
/* More top-level zones than any machine has sockets (or dies). */
#define MAX_ZONES 64

enum { PART_CPU, PART_DRAM };

typedef enum zone_kind { ZK_OTHER, ZK_PACKAGE, ZK_PSYS } zone_kind;

/* A top-level zone as found, before choosing. */
typedef struct candidate {
    char entry[64]; /* its directory under the root, e.g. "intel-rapl:0" */
    char name[64];  /* contents of its name file */
    zone_kind kind;
    uint64_t uj; /* energy_uj at discovery */
    int read_errno;
} candidate;

/* A counter that is read. */
typedef struct zone {
    int part; /* PART_CPU or PART_DRAM */
    int fd;
    uint64_t range; /* max_energy_range_uj; 0 when unknown */
    uint64_t last;  /* last good reading */
    uint64_t total; /* microjoules seen since start */
    int went_back;  /* readings below the one before that were no wrap */
} zone;

typedef struct rapl_state {
    zone z[2 * MAX_ZONES];
    size_t n;
    int psys; /* the cpu part is the psys zone */
    int shared;
    /* ES_ATTR_SHARED only. */
    int stat_fd;
    double tick_s;                          /* seconds per USER_HZ tick */
    uint64_t mark_cpu_uj, mark_dram_uj;     /* zone totals at the last share */
    double mark_busy_s, mark_trial_s;       /* machine busy and trial CPU then */
    double charged_cpu_uj, charged_dram_uj; /* the trial's share so far */
} rapl_state;

/* ---- small readers ---------------------------------------------------- */

static int pathf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf for paths: -ENAMETOOLONG instead of a truncated path. */
static int pathf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Parse a decimal counter, as sysfs writes it ("123\n"). */
static int parse_u64(const char *buf, uint64_t *out)
{
    const char *p = buf;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno != 0)
        return -errno;
    while (*end == ' ' || *end == '\n')
        end++;
    if (*end != '\0')
        return -EINVAL;
    *out = (uint64_t)v;
    return 0;
}

/* Read the counter in fd from its start.  -errno, or -EINVAL for contents
 * that are not a number (e.g. a file caught while being rewritten). */
static int pread_u64(int fd, uint64_t *out)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return parse_u64(buf, out);
}

/* Open path and read one counter from it; the descriptor stays open in *fd
 * when fd is not NULL (and is closed on failure). */
static int read_u64_path(const char *path, uint64_t *out, int *fd)
{
    int f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return -errno;
    int rc = pread_u64(f, out);
    if (rc == 0 && fd != NULL)
        *fd = f;
    else
        close(f);
    return rc;
}

/* First line of a small text file, without its newline. */
static int read_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    char *got = fgets(buf, (int)cap, f);
    fclose(f);
    if (got == NULL)
        return -EIO;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

static const char *powercap_root(const es_meter_config *cfg)
{
    if (cfg->powercap_root != NULL && cfg->powercap_root[0] != '\0')
        return cfg->powercap_root;
    const char *env = getenv("ECOSWEEP_POWERCAP_ROOT");
    return env != NULL && env[0] != '\0' ? env : DEFAULT_POWERCAP_ROOT;
}

static const char *proc_root(void)
{
    const char *env = getenv("ECOSWEEP_PROC_ROOT");
    return env != NULL && env[0] != '\0' ? env : DEFAULT_PROC_ROOT;
}

/* ---- finding the zones ------------------------------------------------ */

/* Number of ":N" groups after a "-rapl" prefix (1: zone, 2: subzone), or 0
 * when entry is not a RAPL zone name.  intel-rapl-mmio:N (a second interface
 * to the package counter) does not match, on purpose. */
static int rapl_depth(const char *entry)
{
    const char *colon = strchr(entry, ':');
    if (colon == NULL || colon - entry < 5 || strncmp(colon - 5, "-rapl", 5) != 0)
        return 0;
    int depth = 0;
    for (const char *p = colon; *p != '\0';) {
        if (*p != ':' || !isdigit((unsigned char)p[1]))
            return 0;
        p++;
        while (isdigit((unsigned char)*p))
            p++;
        depth++;
    }
    return depth;
}

static zone_kind kind_of(const char *name)
{
    if (strncmp(name, "package", 7) == 0)
        return ZK_PACKAGE;
    if (strcmp(name, "psys") == 0)
        return ZK_PSYS;
    return ZK_OTHER;
}

static int cmp_candidates(const void *a, const void *b)
{
    return strverscmp(((const candidate *)a)->entry, ((const candidate *)b)->entry);
}

/* Every top-level zone under root, in numeric order, its energy_uj read
 * (read_errno set when that failed).  *n = 0 when there are none. */
static int list_zones(const char *root, candidate *c, size_t *n)
{
    *n = 0;
    DIR *d = opendir(root);
    if (d == NULL)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < MAX_ZONES) {
        if (rapl_depth(e->d_name) != 1 || strlen(e->d_name) >= sizeof c->entry)
            continue;
        candidate *z = &c[*n];
        memset(z, 0, sizeof *z);
        memcpy(z->entry, e->d_name, strlen(e->d_name) + 1); /* length checked above */
        char path[PATH_MAX];
        if (pathf(path, sizeof path, "%s/%s/name", root, z->entry) != 0 ||
            read_line(path, z->name, sizeof z->name) != 0)
            continue; /* cannot tell what it covers */
        z->kind = kind_of(z->name);
        if (z->kind == ZK_OTHER)
            continue;
        int rc = pathf(path, sizeof path, "%s/%s/energy_uj", root, z->entry);
        z->read_errno = -(rc != 0 ? rc : read_u64_path(path, &z->uj, NULL));
        (*n)++;
    }
    closedir(d);
    qsort(c, *n, sizeof *c, cmp_candidates);
    return 0;
}

/* Directory of the dram subzone of top-level zone z, flat beside it (as in
 * /sys/class/powercap) or nested in it (as in /sys/devices); 0 when found. */
static int find_dram(const char *root, const candidate *z, char *dir, size_t cap)
{
    char nested[PATH_MAX];
    if (pathf(nested, sizeof nested, "%s/%s", root, z->entry) != 0)
        return -ENAMETOOLONG;
    const char *places[2] = {root, nested};
    size_t len = strlen(z->entry);
    for (int i = 0; i < 2; i++) {
        DIR *d = opendir(places[i]);
        if (d == NULL)
            continue;
        struct dirent *e;
        int found = 0;
        while (!found && (e = readdir(d)) != NULL) {
            if (strncmp(e->d_name, z->entry, len) != 0 || e->d_name[len] != ':' ||
                rapl_depth(e->d_name) != 2)
                continue;
            char path[PATH_MAX], name[64];
            if (pathf(path, sizeof path, "%s/%s/name", places[i], e->d_name) == 0 &&
                read_line(path, name, sizeof name) == 0 && strcmp(name, "dram") == 0)
                found = pathf(dir, cap, "%s/%s", places[i], e->d_name) == 0;
        }
        closedir(d);
        if (found)
            return 0;
    }
    return -ENOENT;
}

/* The one-line note for a counter that cannot be read. */
static int unreadable(es_err *err, const char *root, const char *path, int e)
{
    if (e == EACCES || e == EPERM)
        return es_err_set(err, -e,
                          "RAPL energy counters are not readable (%s: %s; root-only since "
                          "Linux 5.10, CVE-2020-8694: an admin can run 'chmod o+r "
                          "%s/intel-rapl:*/energy_uj' after each boot, or add a udev rule "
                          "or a sysfsutils 'mode' line); using the estimate",
                          path, strerror(e), root);
    return es_err_set(err, -e, "RAPL energy counters are not readable (%s: %s); using the estimate",
                      path, strerror(e));
}

/* Add the counter at dir/energy_uj to s (opened when keep, else only read
 * once to check it). */
static int add_zone(rapl_state *s, const char *root, const char *dir, int part, int keep,
                    es_err *err)
{
    zone *z = &s->z[s->n];
    memset(z, 0, sizeof *z);
    z->fd = -1;
    z->part = part;
    char path[PATH_MAX];
    int rc = pathf(path, sizeof path, "%s/energy_uj", dir);
    if (rc == 0)
        rc = read_u64_path(path, &z->last, keep ? &z->fd : NULL);
    if (rc != 0)
        return unreadable(err, root, path, -rc);
    if (pathf(path, sizeof path, "%s/max_energy_range_uj", dir) != 0 ||
        read_u64_path(path, &z->range, NULL) != 0)
        z->range = 0; /* a wrap then counts what is visible after it */
    s->n++;
    return 0;
}

/* Whether zones a and b (same name) show one counter: equal energy_uj read
 * back to back.  A counter ticks about every millisecond, so a tick can
 * fall between two reads; a few tries make that vanishingly unlikely. */
static int same_counter(const char *root, const candidate *a, const candidate *b)
{
    if (a->uj == b->uj)
        return 1;
    char pa[PATH_MAX], pb[PATH_MAX];
    if (pathf(pa, sizeof pa, "%s/%s/energy_uj", root, a->entry) != 0 ||
        pathf(pb, sizeof pb, "%s/%s/energy_uj", root, b->entry) != 0)
        return 0;
    for (int i = 0; i < 3; i++) {
        uint64_t va, vb;
        if (read_u64_path(pa, &va, NULL) != 0 || read_u64_path(pb, &vb, NULL) != 0)
            return 0;
        if (va == vb)
            return 1;
    }
    return 0;
}

/*
 * Choose the counters under the powercap root (see the top of this file)
 * and fill s->z.  keep = 0 for probe(): nothing stays open.  ES_ENOTSUP when
 * there is no RAPL zone at all; -errno with the note when one that would be
 * used cannot be read.
 */
static int choose_zones(const es_meter_config *cfg, rapl_state *s, int keep, es_err *err)
{
    const char *root = powercap_root(cfg);
    candidate *c = calloc(MAX_ZONES, sizeof *c);
    if (c == NULL)
        return es_err_set(err, -ENOMEM, "rapl: out of memory");
    size_t n = 0;
    int rc = list_zones(root, c, &n);
    int have_package = 0, have_psys = 0;
    for (size_t i = 0; i < n; i++) {
        have_package |= c[i].kind == ZK_PACKAGE;
        have_psys |= c[i].kind == ZK_PSYS;
    }
    zone_kind want = have_package ? ZK_PACKAGE : ZK_PSYS;
    s->n = 0;
    s->psys = !have_package;
    if (rc != 0 || (!have_package && !have_psys))
        rc = es_err_set(err, ES_ENOTSUP, "rapl: no RAPL zones under %s", root);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (c[i].kind != want)
            continue;
        char dir[PATH_MAX], path[PATH_MAX];
        if (c[i].read_errno != 0) {
            int whole = pathf(path, sizeof path, "%s/%s/energy_uj", root, c[i].entry) == 0;
            rc = unreadable(err, root, whole ? path : c[i].entry, c[i].read_errno);
            break;
        }
        if ((rc = pathf(dir, sizeof dir, "%s/%s", root, c[i].entry)) != 0)
            break; /* cannot happen: its energy_uj was read by that path */
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = c[j].kind == want && strcmp(c[j].name, c[i].name) == 0 &&
                  same_counter(root, &c[j], &c[i]);
        if (dup)
            continue;
        rc = add_zone(s, root, dir, PART_CPU, keep, err);
        char dram[PATH_MAX];
        if (rc == 0 && want == ZK_PACKAGE && find_dram(root, &c[i], dram, sizeof dram) == 0)
            rc = add_zone(s, root, dram, PART_DRAM, keep, err);
    }
    free(c);
    return rc;
}

static void close_zones(rapl_state *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->z[i].fd >= 0)
            close(s->z[i].fd);
    s->n = 0;
}

/* ---- counting ------------------------------------------------------------ */

/* Microjoules between two readings of a counter that shows 0..range and
 * wraps at most once between them.  A drop of at most half the range (or
 * any drop, the range unknown) is no wrap: 0, and *went_back set. */
static uint64_t wrap_delta(uint64_t prev, uint64_t cur, uint64_t range, int *went_back)
{
    if (cur >= prev)
        return cur - prev;
    if (range == 0 || prev > range || prev - cur <= range / 2) {
        *went_back = 1;
        return 0;
    }
    return (range - prev) + cur + 1;
}

/* Read every zone once and add what it counted.  A failed read or a value
 * beyond the counter's range (a torn read) leaves that zone for the next
 * read; the last such error is returned. */
static int read_zones(rapl_state *s)
{
    int rc = 0;
    for (size_t i = 0; i < s->n; i++) {
        zone *z = &s->z[i];
        uint64_t v;
        int one = pread_u64(z->fd, &v);
        if (one == 0 && z->range != 0 && v > z->range)
            one = -ERANGE;
        if (one != 0) {
            rc = one;
            continue;
        }
        int back = 0;
        z->total += wrap_delta(z->last, v, z->range, &back);
        z->went_back += back;
        z->last = v;
    }
    return rc;
}

static uint64_t part_total(const rapl_state *s, int part)
{
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->z[i].part == part)
            t += s->z[i].total;
    return t;
}

/* Like part_total() after a read_zones(), but keeping nothing: the zones
 * are read now and their deltas added to a copy of the totals.  A zone
 * that cannot be read counts its total so far. */
static uint64_t part_total_now(const rapl_state *s, int part)
{
    uint64_t t = 0;
    for (size_t i = 0; i < s->n; i++) {
        const zone *z = &s->z[i];
        uint64_t v;
        if (z->part != part)
            continue;
        t += z->total;
        int back = 0;
        if (pread_u64(z->fd, &v) == 0 && (z->range == 0 || v <= z->range))
            t += wrap_delta(z->last, v, z->range, &back);
    }
    return t;
}

/* Machine busy CPU seconds from the first line of PROC/stat:
 * "cpu  user nice system idle iowait irq softirq steal guest guest_nice". */
static int read_busy(const rapl_state *s, double *busy_s)
{
    char buf[256];
    ssize_t n = pread(s->stat_fd, buf, sizeof buf - 1, 0);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    unsigned long long v[8] = {0};
    if (strncmp(buf, "cpu ", 4) != 0 ||
        sscanf(buf + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) < 7)
        return -EINVAL;
    /* user nice system [idle iowait] irq softirq steal */
    unsigned long long ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    *busy_s = (double)ticks * s->tick_s;
    return 0;
}

/* Charge the trial its CPU share of the energy the zones counted since the
 * last share (ES_ATTR_SHARED).  Without a trial CPU time or a busy reading
 * the interval is left open and merges into the next one. */
static void share(rapl_state *s, double trial_s)
{
    double busy_s;
    if (!isfinite(trial_s) || read_busy(s, &busy_s) != 0)
        return;
    uint64_t cpu = part_total(s, PART_CPU), dram = part_total(s, PART_DRAM);
    double d_busy = busy_s - s->mark_busy_s;
    /* The live tree walk can miss a process for one tick (caught between
     * exiting and being counted in its parent): never step back, so such a
     * dip is not charged twice when it recovers. */
    double d_trial = trial_s > s->mark_trial_s ? trial_s - s->mark_trial_s : 0;
    double f = d_busy > 0 ? d_trial / d_busy : 0;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    s->charged_cpu_uj += (double)(cpu - s->mark_cpu_uj) * f;
    s->charged_dram_uj += (double)(dram - s->mark_dram_uj) * f;
    s->mark_cpu_uj = cpu;
    s->mark_dram_uj = dram;
    s->mark_busy_s = busy_s;
    if (trial_s > s->mark_trial_s)
        s->mark_trial_s = trial_s;
}

/* ---- the back end ------------------------------------------------------- */

static int rapl_probe(const es_meter_config *cfg, es_err *err)
{
    rapl_state *s = malloc(sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "rapl: out of memory");
    int rc = choose_zones(cfg, s, 0, err);
    free(s);
    if (rc == 0 && cfg->attribution == ES_ATTR_SHARED) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/stat", proc_root());
        if (access(path, R_OK) != 0)
            rc = es_err_set(err, -errno,
                            "RAPL shared attribution needs the machine's CPU time (%s: %s); "
                            "using the estimate",
                            path, strerror(errno));
    }
    return rc;
}

static void rapl_destroy(void *state)
{
    rapl_state *s = state;
    if (s == NULL)
        return;
    close_zones(s);
    if (s->stat_fd >= 0)
        close(s->stat_fd);
    free(s);
}

static int rapl_start(const es_meter_config *cfg, void **state, es_err *err)
{
    rapl_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "rapl: out of memory");
    s->stat_fd = -1;
    int rc = choose_zones(cfg, s, 1, err);
    if (rc == 0 && cfg->attribution == ES_ATTR_SHARED) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/stat", proc_root());
        s->shared = 1;
        s->tick_s = 1.0 / (double)sysconf(_SC_CLK_TCK);
        s->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->stat_fd < 0 || read_busy(s, &s->mark_busy_s) != 0)
            rc = es_err_set(err, s->stat_fd < 0 ? -errno : -EINVAL,
                            "RAPL shared attribution needs the machine's CPU time (%s: %s); "
                            "using the estimate",
                            path, s->stat_fd < 0 ? strerror(errno) : "no cpu line");
    }
    if (rc != 0) {
        rapl_destroy(s);
        return rc;
    }
    /* The trial has not started: its CPU time is 0 (mark_trial_s). */
    *state = s;
    return 0;
}

static int rapl_sample(void *state, const es_meter_usage *u)
{
    rapl_state *s = state;
    int rc = read_zones(s);
    if (s->shared)
        share(s, u->live_cpu_s);
    return rc;
}

static void set_part(es_energy_part *p, double uj, const char *what, int shared, int went_back)
{
    char back[32] = "";
    if (went_back > 0)
        snprintf(back, sizeof back, ",went-back=%d", went_back);
    p->j = uj * 1e-6;
    p->method = ES_EM_COUNTER;
    snprintf(p->source, sizeof p->source, "rapl:%s%s%s", what, shared ? ",shared" : "", back);
}

/* Fill the cpu part, and the dram part when a dram zone is read. */
static void set_parts(const rapl_state *s, double cpu_uj, double dram_uj, es_energy_part *cpu,
                      es_energy_part *dram)
{
    int have_dram = 0, back[2] = {0, 0};
    for (size_t i = 0; i < s->n; i++) {
        have_dram |= s->z[i].part == PART_DRAM;
        back[s->z[i].part == PART_DRAM] += s->z[i].went_back;
    }
    set_part(cpu, cpu_uj, s->psys ? "psys" : "package", s->shared, back[0]);
    if (have_dram)
        set_part(dram, dram_uj, "dram", s->shared, back[1]);
}

static int rapl_stop(void *state, const es_meter_usage *u, es_energy_part *cpu,
                     es_energy_part *dram, es_energy_part *gpu)
{
    rapl_state *s = state;
    (void)gpu;
    /* A counter unreadable at the end leaves both parts to the estimate
     * rather than reporting a partial sum as measured. */
    int rc = read_zones(s);
    if (rc != 0)
        return rc;
    double cpu_uj = (double)part_total(s, PART_CPU), dram_uj = (double)part_total(s, PART_DRAM);
    if (s->shared) {
        share(s, isfinite(u->live_cpu_s) ? u->live_cpu_s : u->cpu_s);
        cpu_uj = s->charged_cpu_uj;
        dram_uj = s->charged_dram_uj;
    }
    set_parts(s, cpu_uj, dram_uj, cpu, dram);
    return 0;
}

static int rapl_peek(void *state, const es_meter_usage *u, es_energy_part *cpu,
                     es_energy_part *dram, es_energy_part *gpu)
{
    const rapl_state *s = state;
    (void)u, (void)gpu;
    if (s->shared)
        set_parts(s, s->charged_cpu_uj, s->charged_dram_uj, cpu, dram);
    else
        set_parts(s, (double)part_total_now(s, PART_CPU), (double)part_total_now(s, PART_DRAM), cpu,
                  dram);
    return 0;
}

const es_meter_backend es_meter_rapl = {
    .name = "rapl",
    .probe = rapl_probe,
    .start = rapl_start,
    .sample = rapl_sample,
    .stop = rapl_stop,
    .peek = rapl_peek,
    .destroy = rapl_destroy,
};
