/*
 * test_rapl.c -- the RAPL back end over fake powercap trees.
 *
 * Each test builds a tree of zones in its temporary directory -- directories
 * named intel-rapl:N with name, energy_uj and max_energy_range_uj files, as
 * in /sys/class/powercap -- and points the worker at it with
 * ECOSWEEP_POWERCAP_ROOT.  The trial (a shell script) plays the hardware: it
 * rewrites energy_uj in place (fixed width, no truncation, so the worker
 * never reads a half-written number) and the test checks the joules a user
 * would see in the result line: which zones count (one level per socket,
 * identical dies once), wraps, unreadable counters falling back to the
 * estimate with one note, and both attribution modes.  The arithmetic of
 * shared attribution and of wrapping is also checked exactly by calling the
 * back end directly, with a fake /proc/stat (ECOSWEEP_PROC_ROOT).
 */
#include "es_test.h"
#include "meter.h"
#include "rapl_fake.h"
#include "result.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* A range as on an Intel server package: 2^32 units of 61 uJ. */
#define BIG_RANGE 262143328850ULL

/* Shell text defining w FILE VALUE: write a counter in place. */
#define W_FN "w() { printf '%015d\\n' \"$2\" 1<> \"$1\"; }; "

static void check_counter(const es_energy_part *p, double j, const char *source)
{
    ES_CHECK_INT(p->method, ES_EM_COUNTER);
    ES_CHECK_NEAR(p->j, j, 0.01 * j + 1e-9);
    ES_CHECK_STR(p->source, source);
}

/* ---- which zones count ------------------------------------------------- */

ES_TEST(rapl_one_socket)
{
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *trial[] = {"sh", "-c", W_FN "w \"$1\" 3500000", "sh", e, NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    check_counter(&w.r.cpu, 2.5, "rapl:package");
    /* No dram subzone: the estimate keeps the dram part. */
    ES_CHECK_INT(w.r.dram.method, ES_EM_ESTIMATE);
    ES_CHECK(strstr(w.err, "note:") == NULL);
}

ES_TEST(rapl_two_sockets_are_summed)
{
    const char *root = fake_root("pc");
    const char *e0 = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *e1 = fake_zone(root, "intel-rapl:1", "package-1", 7000000, BIG_RANGE);
    const char *trial[] = {"sh", "-c", W_FN "w \"$1\" 2000000; w \"$2\" 9000000", "sh", e0,
                           e1,   NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    check_counter(&w.r.cpu, 3.0, "rapl:package");
}

ES_TEST(rapl_psys_ignored_beside_packages)
{
    const char *root = fake_root("pc");
    const char *pkg = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *core = fake_zone(root, "intel-rapl:0:0", "core", 1000000, BIG_RANGE);
    const char *psys = fake_zone(root, "intel-rapl:1", "psys", 1000000, BIG_RANGE);
    const char *trial[] = {"sh", "-c", W_FN "w \"$1\" 2000000; w \"$2\" 1800000; w \"$3\" 6000000",
                           "sh", pkg,  core,
                           psys, NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    check_counter(&w.r.cpu, 1.0, "rapl:package");
}

ES_TEST(rapl_psys_alone)
{
    const char *root = fake_root("pc");
    const char *psys = fake_zone(root, "intel-rapl:1", "psys", 1000000, BIG_RANGE);
    const char *trial[] = {"sh", "-c", W_FN "w \"$1\" 6000000", "sh", psys, NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    check_counter(&w.r.cpu, 5.0, "rapl:psys");
    ES_CHECK_INT(w.r.dram.method, ES_EM_ESTIMATE);
}

ES_TEST(rapl_dram_subzones_flat_and_nested)
{
    /* Socket 0 lists its subzones beside it (/sys/class/powercap), socket 1
     * inside it (/sys/devices); core is never counted, nor the MMIO
     * interface to the same package counter. */
    const char *root = fake_root("pc");
    const char *p0 = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *c0 = fake_zone(root, "intel-rapl:0:0", "core", 1000000, BIG_RANGE);
    const char *d0 = fake_zone(root, "intel-rapl:0:1", "dram", 1000000, BIG_RANGE);
    const char *p1 = fake_zone(root, "intel-rapl:1", "package-1", 1000000, BIG_RANGE);
    const char *d1 = fake_zone(root, "intel-rapl:1/intel-rapl:1:0", "dram", 1000000, BIG_RANGE);
    const char *mmio = fake_zone(root, "intel-rapl-mmio:0", "package-0", 1000000, BIG_RANGE);
    const char *trial[] = {"sh",
                           "-c",
                           W_FN "w \"$1\" 2000000; w \"$2\" 1700000; w \"$3\" 1250000; "
                                "w \"$4\" 3000000; w \"$5\" 1500000; w \"$6\" 9000000",
                           "sh",
                           p0,
                           c0,
                           d0,
                           p1,
                           d1,
                           mmio,
                           NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    check_counter(&w.r.cpu, 3.0, "rapl:package");
    check_counter(&w.r.dram, 0.75, "rapl:dram");
}

ES_TEST(rapl_identical_die_counters_count_once)
{
    /* Two dies showing the same package-0 counter, and a second socket
     * that happens to read the same microjoules under another name. */
    const char *root = fake_root("pc");
    const char *a = fake_zone(root, "intel-rapl:0", "package-0", 5000000, BIG_RANGE);
    const char *b = fake_zone(root, "intel-rapl:1", "package-0", 5000000, BIG_RANGE);
    const char *c = fake_zone(root, "intel-rapl:2", "package-1", 5000000, BIG_RANGE);
    const char *trial[] = {"sh",
                           "-c",
                           W_FN "for v in 5500000 6000000; do w \"$1\" $v; w \"$2\" $v; "
                                "w \"$3\" $v; sleep 0.05; done",
                           "sh",
                           a,
                           b,
                           c,
                           NULL};
    const char *opts[] = {"--sample-ms", "20", NULL};
    worker_proc w;
    fake_worker_run(&w, root, opts, trial);
    check_counter(&w.r.cpu, 2.0, "rapl:package");
}

ES_TEST(rapl_no_zones_is_silent)
{
    const char *root = fake_root("empty");
    const char *trial[] = {"true", NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    ES_CHECK_INT(w.r.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK(strstr(w.err, "note:") == NULL);
}

/* ---- counting --------------------------------------------------------- */

ES_TEST(rapl_counter_wrap_during_trial)
{
    /* max_energy_range_uj 999999: the counter shows 0..999999 and wraps to
     * 0.  Eleven steps of 0.3 J from 0.9 J cross the top three times; the
     * worker samples every 10 ms, the trial steps every 50 ms. */
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 900000, 999999);
    const char *trial[] = {"sh",
                           "-c",
                           W_FN "v=900000; i=0; while [ $i -lt 11 ]; do "
                                "v=$(( (v + 300000) % 1000000 )); w \"$1\" $v; "
                                "i=$((i+1)); sleep 0.05; done",
                           "sh",
                           e,
                           NULL};
    const char *opts[] = {"--sample-ms", "10", NULL};
    worker_proc w;
    fake_worker_run(&w, root, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    check_counter(&w.r.cpu, 3.3, "rapl:package");
}

ES_TEST(rapl_wrap_arithmetic)
{
    /* Called directly: each wrap adds (range - prev) + cur + 1, a reading
     * beyond the range (torn) is skipped, and the rest telescopes. */
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 900, 999);
    es_meter_config cfg;
    es_meter_config_init(&cfg);
    cfg.powercap_root = root;
    void *st = NULL;
    es_err err;
    ES_CHECK_INT(es_meter_rapl.probe(&cfg, &err), 0);
    ES_CHECK_INT(es_meter_rapl.start(&cfg, &st, &err), 0);
    es_meter_usage u = {.wall_s = 0, .cpu_s = NAN, .peak_rss_kb = -1, .live_cpu_s = NAN};
    const uint64_t steps[] = {100, 950, 5000, 50}; /* +200, +850, skipped, +100 */
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        fake_set(e, steps[i]);
        int rc = es_meter_rapl.sample(st, &u);
        ES_CHECK_INT(rc, steps[i] == 5000 ? -ERANGE : 0);
    }
    fake_set(e, 60); /* +10 */
    es_energy_part cpu, dram, gpu;
    es_result r;
    es_result_init(&r);
    cpu = r.cpu, dram = r.dram, gpu = r.gpu;
    ES_CHECK_INT(es_meter_rapl.stop(st, &u, &cpu, &dram, &gpu), 0);
    es_meter_rapl.destroy(st);
    ES_CHECK_NEAR(cpu.j, 1160e-6, 1e-12);
    ES_CHECK_INT(dram.method, ES_EM_NONE);
    ES_CHECK_INT(gpu.method, ES_EM_NONE);
}

/* A counter that goes back by less than half its range did not wrap: a
 * 1 mJ dip of a 262 kJ counter was charged as 262 kJ.  That interval
 * counts 0, the count goes on from the new reading, and the source says
 * so. */
ES_TEST(rapl_small_drop_is_no_wrap)
{
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 5000000, 262143328850ull);
    es_meter_config cfg;
    es_meter_config_init(&cfg);
    cfg.powercap_root = root;
    void *st = NULL;
    es_err err;
    ES_CHECK_INT(es_meter_rapl.probe(&cfg, &err), 0);
    ES_CHECK_INT(es_meter_rapl.start(&cfg, &st, &err), 0);
    es_meter_usage u = {.wall_s = 0, .cpu_s = NAN, .peak_rss_kb = -1, .live_cpu_s = NAN};
    fake_set(e, 4999000); /* 1 mJ back */
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    fake_set(e, 5001000); /* +2 mJ */
    es_result r;
    es_result_init(&r);
    es_energy_part cpu = r.cpu, dram = r.dram, gpu = r.gpu;
    ES_CHECK_INT(es_meter_rapl.stop(st, &u, &cpu, &dram, &gpu), 0);
    es_meter_rapl.destroy(st);
    ES_CHECK_NEAR(cpu.j, 2e-3, 1e-12);
    ES_CHECK_STR(cpu.source, "rapl:package,went-back=1");
}

ES_TEST(rapl_unreadable_counter_falls_back_to_estimate)
{
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    int expect_eacces = fake_make_unreadable(e);
    const char *trial[] = {"true", NULL};
    worker_proc w;
    fake_worker_run(&w, root, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_INT(w.r.dram.method, ES_EM_ESTIMATE);
    const char *note = "ecosweep-worker: note: RAPL energy counters are not readable (";
    const char *first = strstr(w.err, note);
    ES_CHECK(first != NULL);
    ES_CHECK(strstr(first + strlen(note), "note:") == NULL); /* once */
    const char *eol = strchr(first, '\n');
    ES_CHECK(eol != NULL);
    ES_CHECK(strncmp(eol - 20, "; using the estimate", 20) == 0);
    ES_CHECK_CONTAINS(first, e);
    if (expect_eacces) {
        ES_CHECK_CONTAINS(first, "Permission denied");
        ES_CHECK_CONTAINS(first, "CVE-2020-8694");
        ES_CHECK_CONTAINS(first, "chmod o+r");
    }
}

/* ---- attribution ---------------------------------------------------------- */

ES_TEST(rapl_exclusive_charges_all_the_counter_saw)
{
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *trial[] = {"sh",
                           "-c",
                           W_FN "v=1000000; for i in 1 2 3 4 5; do v=$((v + 700000)); "
                                "w \"$1\" $v; sleep 0.03; done",
                           "sh",
                           e,
                           NULL};
    const char *opts[] = {"--attribution", "exclusive", "--sample-ms", "10", NULL};
    worker_proc w;
    fake_worker_run(&w, root, opts, trial);
    check_counter(&w.r.cpu, 3.5, "rapl:package");
}

/* The share rule step by step, with a fake /proc/stat:
 * charge = energy delta x clamp(trial CPU delta / machine busy delta, 0, 1). */
ES_TEST(rapl_shared_share_arithmetic)
{
    const double tck = (double)sysconf(_SC_CLK_TCK);
    const char *root = fake_root("pc");
    const char *pkg = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *dram = fake_zone(root, "intel-rapl:0:1", "dram", 1000000, BIG_RANGE);
    fake_proc p;
    fake_proc_init(&p, fake_root("proc"));
    setenv("ECOSWEEP_PROC_ROOT", p.dir, 1);
    /* user nice system idle iowait irq softirq steal guest guest_nice */
    uint64_t f[10] = {100, 10, 20, 5000, 300, 1, 2, 3, 50, 0};
    fake_proc_stat(&p, f);

    es_meter_config cfg;
    es_meter_config_init(&cfg);
    cfg.powercap_root = root;
    cfg.attribution = ES_ATTR_SHARED;
    void *st = NULL;
    es_err err;
    ES_CHECK_INT(es_meter_rapl.start(&cfg, &st, &err), 0);
    es_meter_usage u = {.wall_s = 0, .cpu_s = NAN, .peak_rss_kb = -1};

    /* 1: 10 J + 1 J while the machine was busy 2 s (user, nice, system;
     * idle, iowait and guest do not count) and the trial 0.5 s: 1/4. */
    fake_set(pkg, 11000000), fake_set(dram, 2000000);
    f[0] += (uint64_t)(1.5 * tck), f[1] += (uint64_t)(0.25 * tck), f[2] += (uint64_t)(0.25 * tck);
    f[3] += 1000, f[4] += 1000, f[8] += 1000;
    fake_proc_stat(&p, f);
    u.live_cpu_s = 0.5;
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    /* 2: 4 J while nothing was busy (the trial's clock moved anyway): 0. */
    fake_set(pkg, 15000000);
    f[3] += 500;
    fake_proc_stat(&p, f);
    u.live_cpu_s = 0.8;
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    /* 3: 6 J + 2 J, busy 1 s (irq, softirq, steal), trial 3 s: clamped to 1. */
    fake_set(pkg, 21000000), fake_set(dram, 4000000);
    f[5] += (uint64_t)(0.5 * tck), f[6] += (uint64_t)(0.25 * tck), f[7] += (uint64_t)(0.25 * tck);
    fake_proc_stat(&p, f);
    u.live_cpu_s = 3.8;
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    /* 4: the trial's clock dips (a process missed by the walk): 0, and the
     * recovery is not charged twice. */
    fake_set(pkg, 29000000);
    f[0] += (uint64_t)tck;
    fake_proc_stat(&p, f);
    u.live_cpu_s = 3.5;
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    /* 5: a sample without the trial's CPU merges into the next interval. */
    fake_set(pkg, 30000000);
    f[0] += (uint64_t)tck;
    fake_proc_stat(&p, f);
    u.live_cpu_s = NAN;
    ES_CHECK_INT(es_meter_rapl.sample(st, &u), 0);
    /* stop: since 4, 2 J, busy 2 s and the trial 4.3 - 3.8 s: 1/4. */
    fake_set(pkg, 31000000);
    f[0] += (uint64_t)tck;
    fake_proc_stat(&p, f);
    u.cpu_s = 4.3;
    u.live_cpu_s = NAN; /* falls back to cpu_s */
    es_energy_part cpu = {NAN, ES_EM_NONE, ""}, dr = cpu, gpu = cpu;
    ES_CHECK_INT(es_meter_rapl.stop(st, &u, &cpu, &dr, &gpu), 0);
    es_meter_rapl.destroy(st);
    check_counter(&cpu, 2.5 + 0 + 6 + 0 + 0.5, "rapl:package,shared");
    check_counter(&dr, 0.25 + 0 + 2, "rapl:dram,shared");
    ES_CHECK_INT(gpu.method, ES_EM_NONE);
}

/* K uJ per CPU tick of the trials, as fake_helper plays it. */
#define K_UJ 500000ULL
#define E0_UJ 1000000ULL

/* A machine that runs nothing but the trials of the workers it is started
 * with, and whose package counter rises K per tick of their CPU. */
typedef struct machine {
    const char *root, *pkg;
    fake_proc p;
    fake_helper h;
} machine;

static const char *const shared_opts[] = {"--attribution", "shared", "--sample-ms", "50", NULL};

static void machine_init(machine *m)
{
    m->root = fake_root("pc");
    m->pkg = fake_zone(m->root, "intel-rapl:0", "package-0", E0_UJ, BIG_RANGE);
    fake_proc_init(&m->p, fake_root("proc"));
    setenv("ECOSWEEP_PROC_ROOT", m->p.dir, 1);
}

static void machine_start(machine *m, const pid_t *workers, size_t n)
{
    fake_helper_start(&m->h, &m->p, m->pkg, E0_UJ, K_UJ, workers, n);
}

/* Stop the machine; joules its counter rose by. */
static double machine_rise(machine *m)
{
    return (double)(fake_helper_stop(&m->h) - E0_UJ) * 1e-6;
}

/* Check a shared-mode result against the machine: K per tick of the
 * trial's own CPU, within tick granularity and the lag of the helper that
 * plays the machine (20 % and 3 ticks: on a loaded machine the helper and
 * the worker sample at different moments; a worker that missed part of the
 * process tree would be off by far more). */
static void check_fair_share(const worker_proc *w)
{
    const double per_cpu_s = (double)K_UJ * 1e-6 * (double)sysconf(_SC_CLK_TCK);
    const double want = per_cpu_s * w->r.cpu_s;
    ES_CHECK_INT(w->exit_status, 0);
    ES_CHECK(w->r.cpu_s > 0.1);
    ES_CHECK_INT(w->r.cpu.method, ES_EM_COUNTER);
    ES_CHECK_STR(w->r.cpu.source, "rapl:package,shared");
    ES_CHECK_NEAR(w->r.cpu.j, want, 0.2 * want + 3 * (double)K_UJ * 1e-6);
}

ES_TEST(rapl_shared_two_concurrent_trials_split_the_counter)
{
    /* Two workers at once, each trial a shell burning CPU.  Whatever the
     * scheduler does, each trial must be charged K per tick of its own CPU,
     * and the two charges must add up to the counter's whole rise. */
    machine m;
    machine_init(&m);
    const char *trial[] = {"sh", "-c", "i=0; while [ $i -lt 500000 ]; do i=$((i+1)); done", NULL};
    worker_proc a, b;
    fake_worker_start(&a, m.root, shared_opts, trial);
    fake_worker_start(&b, m.root, shared_opts, trial);
    machine_start(&m, (pid_t[]){a.pid, b.pid}, 2);
    worker_finish(&a);
    worker_finish(&b);
    double rise = machine_rise(&m);
    check_fair_share(&a);
    check_fair_share(&b);
    ES_CHECK_NEAR(a.r.cpu.j + b.r.cpu.j, rise, 0.15 * rise);
}

ES_TEST(rapl_shared_counts_the_whole_process_tree)
{
    /* The CPU is burnt by grandchildren; a worker that saw only its main
     * process would charge ~0 while they run and be clamped at the end. */
    machine m;
    machine_init(&m);
    const char *trial[] = {"sh", "-c",
                           "b() { i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; }; "
                           "(b) & (b; (b) & wait) & wait",
                           NULL};
    worker_proc w;
    fake_worker_start(&w, m.root, shared_opts, trial);
    machine_start(&m, &w.pid, 1);
    worker_finish(&w);
    double rise = machine_rise(&m);
    check_fair_share(&w);
    ES_CHECK_NEAR(w.r.cpu.j, rise, 0.15 * rise);
}
