/*
 * test_samples.c -- the worker's "ecosweep-sample" lines: the trial's energy
 * so far, which the coordinator reads to stop a sweep whose energy budget is
 * spent and to show live kWh.
 *
 * Three layers are checked.  The line itself (es_sample_format/parse, and
 * es_result_parse on a buffer of started and sample lines ending in the
 * result) by plain calls.  The meter's es_meter_peek by direct calls over a
 * fake powercap tree and /proc/stat (rapl_fake.h), above all that peeking
 * leaves the final figures exactly as they would be without it.  And the
 * ecosweep-worker binary run through worker_runner.c as the coordinator runs
 * it: samples arrive every --report-ms, rise, stay at or below the final
 * figures, come from a counter when one is readable, and appear neither with
 * --report-ms 0 nor without a result descriptor, and a coordinator that does
 * not read cannot stall the worker.
 */
#include "es_test.h"
#include "meter.h"
#include "rapl_fake.h"
#include "result.h"
#include "worker_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* A range as on an Intel server package: 2^32 units of 61 uJ. */
#define BIG_RANGE 262143328850ULL

/* Shell text defining w FILE VALUE: write a counter in place. */
#define W_FN "w() { printf '%015d\\n' \"$2\" 1<> \"$1\"; }; "

#define MAX_SAMPLES 128

static void set_part(es_energy_part *p, double j, es_em m)
{
    p->j = j;
    p->method = m;
    p->source[0] = '\0';
}

/* Bitwise equality of two doubles, NaN equal to NaN. */
static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void check_same_part(const es_energy_part *a, const es_energy_part *b)
{
    ES_CHECK_INT(a->method, b->method);
    if (!same_double(a->j, b->j))
        ES_FAIL("joules differ: %.17g vs %.17g", a->j, b->j);
    ES_CHECK_STR(a->source, b->source);
}

/* What the worker wrote on its result descriptor, line by line. */
typedef struct res_lines {
    int n_started, n_result, n_other;
    int started_first, result_last;
    size_t n;
    es_sample s[MAX_SAMPLES];
} res_lines;

static void split_res(const worker_proc *w, res_lines *out)
{
    memset(out, 0, sizeof *out);
    const char *p = w->res, *end = w->res + w->n_res;
    int index = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            ES_FAIL("unterminated line on the result descriptor: '%s'", p);
        size_t len = (size_t)(nl + 1 - p);
        long pgid;
        if (es_started_parse(p, len - 1, &pgid) == 0) {
            out->n_started++;
            out->started_first = index == 0;
        } else if (strncmp(p, ES_SAMPLE_TAG " ", strlen(ES_SAMPLE_TAG) + 1) == 0) {
            if (out->n == MAX_SAMPLES)
                ES_FAIL("more than %d samples", MAX_SAMPLES);
            if (es_sample_parse(p, len, &out->s[out->n]) != 0)
                ES_FAIL("sample line did not parse: '%.*s'", (int)len, p);
            out->n++;
        } else if (strncmp(p, ES_RESULT_TAG " ", strlen(ES_RESULT_TAG) + 1) == 0) {
            out->n_result++;
            out->result_last = nl + 1 == end;
        } else {
            out->n_other++;
        }
        p = nl + 1;
        index++;
    }
}

/* The order and count of lines every run with a result descriptor has. */
static void check_frame(const worker_proc *w, const res_lines *l)
{
    ES_CHECK_INT(l->n_started, 1);
    ES_CHECK(l->started_first);
    ES_CHECK_INT(l->n_result, 1);
    ES_CHECK(l->result_last);
    ES_CHECK_INT(l->n_other, 0);
    /* The whole buffer is what es_result_parse() accepts, and means the
     * same as the result line alone. */
    es_result whole;
    ES_CHECK_INT(es_result_parse(w->res, w->n_res, &whole), 0);
    ES_CHECK(same_double(whole.wall_s, w->r.wall_s));
    check_same_part(&whole.cpu, &w->r.cpu);
}

/* ---- the line ------------------------------------------------------------ */

ES_TEST(sample_line_format_is_exact)
{
    es_sample s;
    es_sample_init(&s);
    s.wall_s = 2.003;
    s.cpu_s = 1.95;
    set_part(&s.cpu, 23.4, ES_EM_ESTIMATE);
    set_part(&s.dram, 0.12, ES_EM_ESTIMATE);
    char line[512];
    int n = es_sample_format(&s, line, sizeof line);
    ES_CHECK_STR(line, "ecosweep-sample v=1 wall_s=2.003 cpu_s=1.95 cpu_j=23.4 cpu_method=estimate "
                       "dram_j=0.12 dram_method=estimate gpu_j=nan gpu_method=none\n");
    ES_CHECK_INT(n, strlen(line));
    /* Too small a buffer: the length needed, and a terminated prefix. */
    char small[16];
    ES_CHECK_INT(es_sample_format(&s, small, sizeof small), n);
    ES_CHECK_INT(strlen(small), sizeof small - 1);
}

ES_TEST(sample_round_trip_is_exact)
{
    es_sample in[3];
    es_sample_init(&in[0]); /* nothing known */
    in[0].wall_s = 0;
    es_sample_init(&in[1]);
    in[1].wall_s = 0.1;
    in[1].cpu_s = 1.0 / 3.0;
    set_part(&in[1].cpu, 12345.678901234567, ES_EM_COUNTER);
    set_part(&in[1].dram, 1e-300, ES_EM_ESTIMATE);
    set_part(&in[1].gpu, 0, ES_EM_COUNTER); /* a measured 0 stays a 0 */
    es_sample_init(&in[2]);
    in[2].wall_s = 86400.5;
    in[2].cpu_s = 3e9;
    set_part(&in[2].cpu, 7, ES_EM_NONE); /* no method: written and read as nan */
    for (size_t i = 0; i < 3; i++) {
        char line[512];
        int n = es_sample_format(&in[i], line, sizeof line);
        ES_CHECK(n > 0 && (size_t)n < sizeof line);
        es_sample out;
        ES_CHECK_INT(es_sample_parse(line, (size_t)n, &out), 0);
        ES_CHECK(same_double(out.wall_s, in[i].wall_s));
        ES_CHECK(same_double(out.cpu_s, in[i].cpu_s));
        es_energy_part *a[] = {&in[i].cpu, &in[i].dram, &in[i].gpu};
        es_energy_part *b[] = {&out.cpu, &out.dram, &out.gpu};
        for (int k = 0; k < 3; k++) {
            ES_CHECK_INT(b[k]->method, a[k]->method);
            if (a[k]->method == ES_EM_NONE)
                ES_CHECK(isnan(b[k]->j));
            else
                ES_CHECK(same_double(b[k]->j, a[k]->j));
        }
        /* Without the '\n' too. */
        ES_CHECK_INT(es_sample_parse(line, (size_t)n - 1, &out), 0);
    }
}

ES_TEST(sample_parse_tolerates_unknown_keys)
{
    es_sample s;
    const char *line = "ecosweep-sample v=1 gpu_watts=300 wall_s=2.5 future=x y= cpu_j=4 "
                       "cpu_method=counter cpu_source=rapl:package dram_j=5\r\n";
    ES_CHECK_INT(es_sample_parse(line, strlen(line), &s), 0);
    ES_CHECK(s.wall_s == 2.5);
    ES_CHECK(isnan(s.cpu_s)); /* left out: not known */
    ES_CHECK_INT(s.cpu.method, ES_EM_COUNTER);
    ES_CHECK(s.cpu.j == 4);
    ES_CHECK_INT(s.dram.method, ES_EM_NONE); /* joules without a method */
    ES_CHECK(isnan(s.dram.j));
    ES_CHECK_INT(s.gpu.method, ES_EM_NONE);
}

ES_TEST(sample_parse_rejects_garbage)
{
    static const char *const bad[] = {
        "",
        "\n",
        "garbage",
        "ecosweep-sample",
        "ecosweep-sample wall_s=1",
        "ecosweep-sample v=1",
        "ecosweep-sample v=1 cpu_j=3 cpu_method=estimate",
        "ecosweep-sample v=2 wall_s=1",
        "ecosweep-sample v=0 wall_s=1",
        "ecosweep-sample v=1x wall_s=1",
        "ecosweep-samplex v=1 wall_s=1",
        "ECOSWEEP-SAMPLE v=1 wall_s=1",
        "x ecosweep-sample v=1 wall_s=1",
        "ecosweep-result v=1 status=exited wall_s=1",
        "ecosweep-started v=1 pgid=1234",
        "ecosweep-sample v=1 wall_s=abc",
        "ecosweep-sample v=1 wall_s=",
        "ecosweep-sample v=1 wall_s=1 cpu_s=1s",
        "ecosweep-sample v=1 wall_s=1 cpu_j=lots cpu_method=estimate",
        "ecosweep-sample v=1 wall_s=1 cpu_method=magic",
        "ecosweep-sample v=1 wall_s=1 lonely",
        "ecosweep-sample v=1 wall_s=1 =3",
        "ecosweep-sample v=1 wall_s=1\necosweep-sample v=1 wall_s=2",
        "ecosweep-sample v=1 wall_s=1\n\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        es_sample s;
        es_sample_init(&s);
        s.wall_s = 42;
        int rc = es_sample_parse(bad[i], strlen(bad[i]), &s);
        if (rc != ES_EPROTO)
            ES_FAIL("accepted (rc %d): '%s'", rc, bad[i]);
        ES_CHECK(s.wall_s == 42); /* untouched on failure */
    }
    /* A NUL inside, and a line cut short by len. */
    static const char nul[] = "ecosweep-sample v=1\0 wall_s=1";
    es_sample s;
    ES_CHECK_INT(es_sample_parse(nul, sizeof nul - 1, &s), ES_EPROTO);
    const char *cut = "ecosweep-sample v=1 wall_s=1";
    ES_CHECK_INT(es_sample_parse(cut, 19, &s), ES_EPROTO);
}

/* es_result_parse() accepts started and sample lines before the result,
 * and nothing else. */
ES_TEST(result_parse_skips_started_and_sample_lines)
{
#define ST "ecosweep-started v=1 pgid=1234\n"
#define SA "ecosweep-sample v=1 wall_s=1 cpu_j=3 cpu_method=estimate\n"
#define RE "ecosweep-result v=1 status=exited exit_code=7 wall_s=2.5"
    static const struct {
        const char *buf;
        int rc;
    } cases[] = {
        {RE, 0},
        {RE "\n", 0},
        {RE "\r\n", 0},
        {ST RE "\n", 0},
        {ST SA RE "\n", 0},
        {ST SA SA RE "\n", 0},
        {ST SA SA RE, 0},
        {SA ST RE "\n", 0}, /* any order */
        {SA RE "\n", 0},
        /* Skipped lines are not checked: they have their own parsers. */
        {"ecosweep-sample v=9 junk\n" RE "\n", 0},
        {"ecosweep-started nonsense\n" RE "\n", 0},
        /* Rejected: */
        {ST SA, ES_EPROTO},                             /* no result yet */
        {ST "ecosweep-sample v=1 wall_s=1", ES_EPROTO}, /* unterminated */
        {ST SA RE "\n" SA, ES_EPROTO},                  /* a line after the result */
        {RE "\n" RE "\n", ES_EPROTO},                   /* two results */
        {RE "\n\n", ES_EPROTO},                         /* an empty line after it */
        {"\n" RE "\n", ES_EPROTO},                      /* an empty line before it */
        {ST "hello\n" RE "\n", ES_EPROTO},              /* other output before it */
        {"ecosweep-samplex v=1 wall_s=1\n" RE "\n", ES_EPROTO},
        {"ecosweep-sample\n" RE "\n", ES_EPROTO}, /* the tag needs its space */
    };
#undef ST
#undef SA
#undef RE
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        es_result r;
        int rc = es_result_parse(cases[i].buf, strlen(cases[i].buf), &r);
        if (rc != cases[i].rc)
            ES_FAIL("case %zu: rc %d, want %d: '%s'", i, rc, cases[i].rc, cases[i].buf);
        if (rc == 0) {
            ES_CHECK_INT(r.exit_code, 7);
            ES_CHECK(r.wall_s == 2.5);
        }
    }
}

/* ---- es_meter_peek, called directly ---------------------------------------- */

ES_TEST(peek_estimate_uses_the_figures_so_far)
{
    es_meter_config cfg;
    es_meter_config_init(&cfg);
    cfg.powercap_root = "/nonexistent/powercap";
    cfg.nvml_lib = "/nonexistent/libnvidia-ml.so.1";
    cfg.cpu_watts_per_core = 10;
    cfg.gpu_watts = 300;
    cfg.gpus = "0,1";
    es_meter *m = NULL;
    es_err err;
    ES_CHECK_INT(es_meter_create(&cfg, &m, &err), 0);
    ES_CHECK_INT(es_meter_start(m, &err), 0);
    es_meter_usage u = {.wall_s = 10, .cpu_s = NAN, .peak_rss_kb = 2 * 1048576, .live_cpu_s = 4};
    es_sample s;
    ES_CHECK_INT(es_meter_peek(m, &u, &s), 0);
    ES_CHECK(s.wall_s == 10);
    ES_CHECK(s.cpu_s == 4);
    ES_CHECK_INT(s.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(s.cpu.j, 40, 1e-9);
    ES_CHECK_STR(s.cpu.source, "estimate:10W/core");
    ES_CHECK_INT(s.dram.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(s.dram.j, 0.3725 * 2 * 10, 1e-9);
    ES_CHECK_INT(s.gpu.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(s.gpu.j, 300.0 * 2 * 10, 1e-9);
    /* Nothing known yet: no made-up 0. */
    u.live_cpu_s = NAN;
    u.peak_rss_kb = -1;
    ES_CHECK_INT(es_meter_peek(m, &u, &s), 0);
    ES_CHECK_INT(s.cpu.method, ES_EM_NONE);
    ES_CHECK(isnan(s.cpu.j));
    ES_CHECK_INT(s.dram.method, ES_EM_NONE);
    ES_CHECK(isnan(s.dram.j));
    es_meter_destroy(m);
}

/* One trial's worth of readings, replayed on a fresh meter over the same
 * fake counters, peeking (and checking each peek) or not. */
typedef struct replay {
    const char *pkg, *dram;
    fake_proc p;
    es_meter_config cfg;
} replay;

static void replay_init(replay *r, es_attribution attr)
{
    const char *root = fake_root(attr == ES_ATTR_SHARED ? "pc-shared" : "pc-excl");
    r->pkg = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    r->dram = fake_zone(root, "intel-rapl:0:1", "dram", 1000000, BIG_RANGE);
    fake_proc_init(&r->p, fake_root(attr == ES_ATTR_SHARED ? "proc-shared" : "proc-excl"));
    setenv("ECOSWEEP_PROC_ROOT", r->p.dir, 1);
    es_meter_config_init(&r->cfg);
    r->cfg.powercap_root = root;
    r->cfg.nvml_lib = "/nonexistent/libnvidia-ml.so.1";
    r->cfg.attribution = attr;
    r->cfg.cpu_watts_per_core = 12;
}

/* Run the readings; with peek, also peek before and after every sample and
 * check what a sample line would show.  The final parts go to *out. */
static void replay_run(replay *r, int peek, es_result *out)
{
    const double tck = (double)sysconf(_SC_CLK_TCK);
    uint64_t f[10] = {1000, 0, 0, 50000, 0, 0, 0, 0, 0, 0};
    fake_proc_stat(&r->p, f);
    fake_set(r->pkg, 1000000);
    fake_set(r->dram, 1000000);
    es_meter *m = NULL;
    es_err err;
    ES_CHECK_INT(es_meter_create(&r->cfg, &m, &err), 0);
    ES_CHECK_INT(es_meter_start(m, &err), 0);
    /* Per step: package and dram counters (uJ), machine busy ticks added,
     * the trial's CPU so far. */
    static const struct {
        uint64_t pkg, dram, busy;
        double trial_s;
    } steps[] = {
        {5000000, 1500000, 200, 1.0},
        {9000000, 2500000, 100, 1.5},
        {9500000, 2600000, 0, 1.5},
        {20000000, 3000000, 400, 3.0},
    };
    double last_cpu_j = 0;
    es_meter_usage u = {.wall_s = 0, .cpu_s = NAN, .peak_rss_kb = 4096, .live_cpu_s = 0};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        fake_set(r->pkg, steps[i].pkg);
        fake_set(r->dram, steps[i].dram);
        f[0] += (uint64_t)((double)steps[i].busy * tck / 100.0);
        fake_proc_stat(&r->p, f);
        u.wall_s = (double)(i + 1);
        u.live_cpu_s = steps[i].trial_s;
        for (int k = 0; peek && k < 2; k++) {
            es_sample s;
            ES_CHECK_INT(es_meter_peek(m, &u, &s), 0);
            ES_CHECK_INT(s.cpu.method, ES_EM_COUNTER);
            ES_CHECK_INT(s.dram.method, ES_EM_COUNTER);
            ES_CHECK(s.cpu.j >= last_cpu_j);
            last_cpu_j = s.cpu.j;
            if (r->cfg.attribution == ES_ATTR_EXCLUSIVE) {
                /* Current: the counters read now, sampled or not. */
                ES_CHECK_NEAR(s.cpu.j, (double)(steps[i].pkg - 1000000) * 1e-6, 1e-9);
                ES_CHECK_NEAR(s.dram.j, (double)(steps[i].dram - 1000000) * 1e-6, 1e-9);
                ES_CHECK_STR(s.cpu.source, "rapl:package");
            } else {
                ES_CHECK_STR(s.cpu.source, "rapl:package,shared");
            }
            if (k == 0)
                es_meter_sample(m, &u);
        }
        if (!peek)
            es_meter_sample(m, &u);
    }
    u.cpu_s = 3.2;
    u.live_cpu_s = 3.2;
    fake_set(r->pkg, 21000000);
    f[0] += (uint64_t)(0.4 * tck);
    fake_proc_stat(&r->p, f);
    es_result_init(out);
    ES_CHECK_INT(es_meter_stop(m, &u, out), 0);
    es_meter_destroy(m);
    if (peek)
        ES_CHECK(last_cpu_j <= out->cpu.j);
}

ES_TEST(peeking_leaves_the_final_figures_unchanged)
{
    es_attribution modes[] = {ES_ATTR_EXCLUSIVE, ES_ATTR_SHARED};
    for (size_t i = 0; i < 2; i++) {
        replay r;
        replay_init(&r, modes[i]);
        es_result plain, peeked;
        replay_run(&r, 0, &plain);
        replay_run(&r, 1, &peeked);
        ES_CHECK_INT(plain.cpu.method, ES_EM_COUNTER);
        check_same_part(&peeked.cpu, &plain.cpu);
        check_same_part(&peeked.dram, &plain.dram);
        check_same_part(&peeked.gpu, &plain.gpu);
    }
}

/* ---- the worker binary ------------------------------------------------------ */

ES_TEST(worker_samples_rise_and_stay_below_the_result)
{
    worker_proc w;
    const char *opts[] = {"--report-ms", "200", NULL};
    const char *trial[] = {"timeout", "1.5", "sh", "-c", "while :; do :; done", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 124); /* timeout's own status */
    res_lines l;
    split_res(&w, &l);
    check_frame(&w, &l);
    if (l.n < 4)
        ES_FAIL("%zu sample lines in 1.5 s at --report-ms 200: '%s'", l.n, w.res);
    for (size_t i = 0; i < l.n; i++) {
        const es_sample *s = &l.s[i];
        ES_CHECK_INT(s->cpu.method, ES_EM_ESTIMATE);
        ES_CHECK_INT(s->dram.method, ES_EM_ESTIMATE);
        ES_CHECK_INT(s->gpu.method, ES_EM_NONE);
        ES_CHECK(isnan(s->gpu.j));
        ES_CHECK_NEAR(s->cpu.j, 12.0 * s->cpu_s, 1e-9);
        ES_CHECK(s->wall_s > 0 && s->wall_s <= w.r.wall_s);
        ES_CHECK(s->cpu_s <= w.r.cpu_s);
        ES_CHECK(s->dram.j <= w.r.dram.j);
        if (i > 0) {
            ES_CHECK(s->wall_s > l.s[i - 1].wall_s);
            ES_CHECK(s->cpu_s >= l.s[i - 1].cpu_s);
            ES_CHECK(s->cpu.j >= l.s[i - 1].cpu.j);
            ES_CHECK(s->dram.j >= l.s[i - 1].dram.j);
            /* One line per report interval, give or take scheduling. */
            ES_CHECK(s->wall_s - l.s[i - 1].wall_s >= 0.15);
        }
    }
    const es_sample *last = &l.s[l.n - 1];
    ES_CHECK(l.s[0].wall_s >= 0.19);
    ES_CHECK(last->cpu.j > l.s[0].cpu.j); /* it burned CPU all along */
    ES_CHECK(last->cpu.j <= w.r.cpu.j);
    if (last->cpu.j < 0.7 * w.r.cpu.j)
        ES_FAIL("last sample %.3f J is not within 30%% of the final %.3f J", last->cpu.j,
                w.r.cpu.j);
}

ES_TEST(worker_samples_show_the_rapl_counter)
{
    const char *root = fake_root("pc");
    const char *e = fake_zone(root, "intel-rapl:0", "package-0", 1000000, BIG_RANGE);
    const char *trial[] = {"sh",
                           "-c",
                           W_FN "v=1000000; for i in 1 2 3 4 5 6; do v=$((v + 500000)); "
                                "w \"$1\" $v; sleep 0.15; done",
                           "sh",
                           e,
                           NULL};
    const char *opts[] = {"--report-ms", "100", NULL};
    worker_proc w;
    fake_worker_run(&w, root, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_INT(w.r.cpu.method, ES_EM_COUNTER);
    ES_CHECK_NEAR(w.r.cpu.j, 3.0, 1e-9); /* the final figure, sampling or not */
    res_lines l;
    split_res(&w, &l);
    check_frame(&w, &l);
    if (l.n < 4)
        ES_FAIL("%zu sample lines: '%s'", l.n, w.res);
    int between = 0;
    for (size_t i = 0; i < l.n; i++) {
        ES_CHECK_INT(l.s[i].cpu.method, ES_EM_COUNTER);
        ES_CHECK_INT(l.s[i].dram.method, ES_EM_ESTIMATE); /* no dram zone */
        ES_CHECK(l.s[i].cpu.j >= 0 && l.s[i].cpu.j <= 3.0 + 1e-9);
        if (i > 0)
            ES_CHECK(l.s[i].cpu.j >= l.s[i - 1].cpu.j);
        between |= l.s[i].cpu.j > 0.4 && l.s[i].cpu.j < 2.6;
    }
    ES_CHECK(l.s[l.n - 1].cpu.j > l.s[0].cpu.j); /* rising while it ran */
    ES_CHECK(between);                           /* seen part way, not only at the end */
}

ES_TEST(worker_report_ms_0_writes_no_samples)
{
    worker_proc w;
    const char *opts[] = {"--report-ms", "0", "--sample-ms", "50", NULL};
    const char *trial[] = {"sleep", "0.5", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    res_lines l;
    split_res(&w, &l);
    check_frame(&w, &l);
    ES_CHECK_INT(l.n, 0);
    ES_CHECK(strstr(w.err, ES_SAMPLE_TAG) == NULL);
}

ES_TEST(worker_without_result_fd_writes_no_samples)
{
    static const worker_setup no_result_fd = {.no_result_fd = 1};
    worker_proc w;
    const char *opts[] = {"--report-ms", "50", NULL};
    const char *trial[] = {"sleep", "0.5", NULL};
    worker_run_with(&w, &no_result_fd, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK(strstr(w.err, ES_SAMPLE_TAG) == NULL);
    ES_CHECK(strstr(w.out, ES_SAMPLE_TAG) == NULL);
    ES_CHECK(strncmp(w.err, "ecosweep-result v=1 ", 20) == 0);
}

ES_TEST(worker_report_ms_option_is_checked)
{
    static const worker_setup no_result_fd = {.no_result_fd = 1};
    static const char *const bad[] = {"-1", "x", "3600001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        worker_proc w;
        const char *opts[] = {"--report-ms", bad[i], NULL};
        const char *trial[] = {"/bin/true", NULL};
        worker_start_with(&w, &no_result_fd, opts, trial);
        worker_collect(&w);
        ES_CHECK_INT(w.exit_status, 125);
        ES_CHECK_CONTAINS(w.err, "--report-ms: expected milliseconds >= 0, got '");
    }
    worker_proc w;
    const char *help[] = {"--help", NULL};
    const char *trial[] = {"/bin/true", NULL};
    worker_start_with(&w, &no_result_fd, help, trial);
    worker_collect(&w);
    ES_CHECK_INT(w.exit_status, 0);
    ES_CHECK_CONTAINS(w.out, "--report-ms MS");
}

ES_TEST(worker_reports_without_burning_cpu)
{
    /* A report every 20 ms walks the trial's processes 50 times a second;
     * that must still cost next to nothing. */
    worker_proc w;
    const char *opts[] = {"--report-ms", "20", NULL};
    const char *trial[] = {"sh", "-c", "sleep 1 & sleep 1 & wait", NULL};
    worker_run(&w, opts, trial);
    ES_CHECK_INT(w.exit_status, 0);
    res_lines l;
    split_res(&w, &l);
    check_frame(&w, &l);
    ES_CHECK(l.n >= 20);
    if (w.r.worker_cpu_s > 0.2)
        ES_FAIL("worker used %.3f s of CPU reporting on a sleeping trial", w.r.worker_cpu_s);
}

ES_TEST(worker_unread_result_fd_does_not_stall_it)
{
    /* The coordinator stops reading; the worker's samples fill the pipe.
     * The worker must still stop the trial at once when asked, skipping
     * samples rather than blocking, and deliver whole lines. */
    worker_proc w;
    const char *opts[] = {"--report-ms", "5", "--grace", "5", NULL};
    const char *trial[] = {"sleep", "100", NULL};
    worker_start(&w, opts, trial);
    /* Two pages of pipe fill in a few dozen samples.  (With one page the
     * pipe polls full as soon as the started line is in it.) */
    if (fcntl(w.fd_res, F_SETPIPE_SZ, 8192) < 0)
        ES_FAIL("F_SETPIPE_SZ: %s", strerror(errno));
    worker_sleep_s(0.4);
    double t = worker_now_s();
    ES_CHECK(kill(w.pid, SIGTERM) == 0);
    worker_sleep_s(0.6); /* still not reading */
    worker_finish(&w);
    ES_CHECK_INT(w.r.stop_signal, SIGTERM);
    ES_CHECK_INT(w.r.term_signal, SIGTERM);
    /* The trial ended within 0.5 s of the request, before anyone read. */
    ES_CHECK(w.r.wall_s < (t - w.started) + 0.5);
    res_lines l;
    split_res(&w, &l); /* every line whole */
    check_frame(&w, &l);
    ES_CHECK(l.n >= 1);
    /* Some were skipped: two pages hold about 45 lines, while a report was
     * due every 5 ms of the trial. */
    if ((double)l.n > 0.8 * w.r.wall_s / 0.005)
        ES_FAIL("%zu samples in %.3f s: none skipped?", l.n, w.r.wall_s);
}
