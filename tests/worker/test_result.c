/*
 * test_result.c -- the worker's result record and its energy estimate, as
 * the coordinator sees them: lines that round-trip exactly, garbage and
 * other versions refused, and joules that follow the documented formula.
 */
#include "es_test.h"
#include "meter.h"
#include "result.h"

#include <errno.h>
#include <math.h>

static void check_part_eq(const es_energy_part *a, const es_energy_part *b)
{
    ES_CHECK_INT(a->method, b->method);
    ES_CHECK_STR(a->source, b->source);
    if (isnan(b->j))
        ES_CHECK(isnan(a->j));
    else
        ES_CHECK(a->j == b->j);
}

static void roundtrip(const es_result *in, es_result *back)
{
    char line[2048];
    int n = es_result_format(in, line, sizeof line);
    ES_CHECK(n > 0 && (size_t)n < sizeof line);
    ES_CHECK_INT(strlen(line), n);
    ES_CHECK(strncmp(line, "ecosweep-result v=1 ", 20) == 0);
    ES_CHECK(line[n - 1] == '\n');
    ES_CHECK(strchr(line, '\n') == line + n - 1);
    ES_CHECK_INT(es_result_parse(line, (size_t)n, back), 0);
}

ES_TEST(result_roundtrip_with_nan_energy)
{
    es_result r, back;
    es_result_init(&r);
    r.exit_kind = ES_EXIT_SIGNALED;
    r.term_signal = 15;
    r.stop_signal = 15;
    r.start_unix = 1700000000.123456789;
    r.end_unix = 1700000012.5;
    r.wall_s = 12.376543210987654;
    r.cpu_s = 1.0 / 3.0;
    r.peak_rss_kb = 123456;
    r.cpu.method = ES_EM_ESTIMATE;
    r.cpu.j = 12.0 / 3.0;
    snprintf(r.cpu.source, sizeof r.cpu.source, "estimate:12W/core");
    r.dram.method = ES_EM_COUNTER;
    r.dram.j = 0.1 + 0.2;
    snprintf(r.dram.source, sizeof r.dram.source, "rapl");
    snprintf(r.host, sizeof r.host, "node-17.cluster");
    r.containment = ES_CONTAIN_CGROUP;
    roundtrip(&r, &back);

    ES_CHECK_INT(back.exit_kind, ES_EXIT_SIGNALED);
    ES_CHECK_INT(back.term_signal, 15);
    ES_CHECK_INT(back.stop_signal, 15);
    ES_CHECK_INT(back.exit_code, 0);
    ES_CHECK(back.start_unix == r.start_unix);
    ES_CHECK(back.end_unix == r.end_unix);
    ES_CHECK(back.wall_s == r.wall_s);
    ES_CHECK(back.cpu_s == r.cpu_s);
    ES_CHECK_INT(back.peak_rss_kb, 123456);
    check_part_eq(&back.cpu, &r.cpu);
    check_part_eq(&back.dram, &r.dram);
    ES_CHECK_INT(back.gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(back.gpu.j));
    ES_CHECK_STR(back.host, "node-17.cluster");
    ES_CHECK_INT(back.containment, ES_CONTAIN_CGROUP);

    r.containment = ES_CONTAIN_PGROUP;
    roundtrip(&r, &back);
    ES_CHECK_INT(back.containment, ES_CONTAIN_PGROUP);
}

ES_TEST(result_containment_is_on_the_line)
{
    es_result r;
    char line[2048];
    es_result_init(&r);
    ES_CHECK_INT(r.containment, ES_CONTAIN_UNKNOWN);
    es_result_format(&r, line, sizeof line);
    ES_CHECK_CONTAINS(line, " containment=unknown");
    r.containment = ES_CONTAIN_CGROUP;
    es_result_format(&r, line, sizeof line);
    ES_CHECK_CONTAINS(line, " containment=cgroup");
    r.containment = ES_CONTAIN_PGROUP;
    es_result_format(&r, line, sizeof line);
    ES_CHECK_CONTAINS(line, " containment=pgroup");
}

ES_TEST(result_containment_unknown_in_old_lines_and_for_new_kinds)
{
    /* A worker from before the field wrote none; a later one may write a
     * kind this build does not know: neither rejects the record. */
    static const char *const lines[] = {
        "ecosweep-result v=1 status=exited exit_code=0 wall_s=1",
        "ecosweep-result v=1 status=exited containment=systemd-scope wall_s=1",
        "ecosweep-result v=1 status=exited containment= wall_s=1",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        es_result r;
        ES_CHECK_INT(es_result_parse(lines[i], strlen(lines[i]), &r), 0);
        ES_CHECK_INT(r.containment, ES_CONTAIN_UNKNOWN);
        ES_CHECK(r.wall_s == 1);
    }
}

ES_TEST(result_containment_names)
{
    ES_CHECK_STR(es_containment_name(ES_CONTAIN_UNKNOWN), "unknown");
    ES_CHECK_STR(es_containment_name(ES_CONTAIN_PGROUP), "pgroup");
    ES_CHECK_STR(es_containment_name(ES_CONTAIN_CGROUP), "cgroup");
    ES_CHECK_STR(es_containment_name((es_containment)42), "unknown");
    ES_CHECK_INT(es_containment_parse("unknown"), ES_CONTAIN_UNKNOWN);
    ES_CHECK_INT(es_containment_parse("pgroup"), ES_CONTAIN_PGROUP);
    ES_CHECK_INT(es_containment_parse("cgroup"), ES_CONTAIN_CGROUP);
    ES_CHECK_INT(es_containment_parse("cgroup2"), -1);
    ES_CHECK_INT(es_containment_parse(""), -1);
}

ES_TEST(result_nan_written_as_nan_and_none_never_zero)
{
    es_result r;
    char line[2048];
    es_result_init(&r);
    r.exit_kind = ES_EXIT_EXITED;
    r.gpu.j = 0; /* a stray 0 with method none must not be reported */
    es_result_format(&r, line, sizeof line);
    ES_CHECK_CONTAINS(line, " gpu_j=nan gpu_method=none gpu_source= ");
    ES_CHECK_CONTAINS(line, " wall_s=nan ");
    ES_CHECK(strstr(line, "-nan") == NULL);
}

ES_TEST(result_roundtrip_exec_failure)
{
    es_result r, back;
    es_result_init(&r);
    r.exit_kind = ES_EXIT_EXEC_FAILED;
    r.exec_errno = ENOENT;
    r.exit_code = 127;
    r.wall_s = 0.001;
    r.cpu_s = 0;
    r.peak_rss_kb = 0;
    roundtrip(&r, &back);
    ES_CHECK_INT(back.exit_kind, ES_EXIT_EXEC_FAILED);
    ES_CHECK_INT(back.exec_errno, ENOENT);
    ES_CHECK_INT(back.exit_code, 127);
    ES_CHECK(back.cpu_s == 0);
    ES_CHECK(isnan(back.cpu.j) && isnan(back.dram.j) && isnan(back.gpu.j));
}

ES_TEST(result_format_reports_needed_length)
{
    es_result r;
    char full[2048], small[16];
    es_result_init(&r);
    int n = es_result_format(&r, full, sizeof full);
    ES_CHECK_INT(es_result_format(&r, small, sizeof small), n);
    ES_CHECK_INT(strlen(small), sizeof small - 1);
    ES_CHECK(strncmp(small, full, sizeof small - 1) == 0);
    ES_CHECK_INT(es_result_format(&r, NULL, 0), n);
}

ES_TEST(result_text_values_cannot_split_the_line)
{
    es_result r, back;
    es_result_init(&r);
    snprintf(r.host, sizeof r.host, "my host\tname");
    r.cpu.method = ES_EM_ESTIMATE;
    r.cpu.j = 1;
    snprintf(r.cpu.source, sizeof r.cpu.source, "a b");
    roundtrip(&r, &back);
    ES_CHECK_STR(back.host, "my_host_name");
    ES_CHECK_STR(back.cpu.source, "a_b");
}

ES_TEST(result_parse_ignores_unknown_keys)
{
    es_result r;
    const char *line = "ecosweep-result v=1 status=signaled signal=9 future=x y=  wall_s=2.5\r\n";
    ES_CHECK_INT(es_result_parse(line, strlen(line), &r), 0);
    ES_CHECK_INT(r.exit_kind, ES_EXIT_SIGNALED);
    ES_CHECK_INT(r.term_signal, 9);
    ES_CHECK(r.wall_s == 2.5);
    ES_CHECK(isnan(r.cpu_s));
    ES_CHECK_INT(r.cpu.method, ES_EM_NONE);
    ES_CHECK(isnan(r.cpu.j));
}

ES_TEST(result_parse_rejects_garbage_and_other_versions)
{
    static const char *const bad[] = {
        "",
        "\n",
        "garbage",
        "ecosweep-result",
        "ecosweep-result status=exited",
        "ecosweep-result v=1",
        "ecosweep-result v=2 status=exited",
        "ecosweep-result v=0 status=exited",
        "ecosweep-result v=1x status=exited",
        "ecosweep-resultx v=1 status=exited",
        "x ecosweep-result v=1 status=exited",
        "ECOSWEEP-RESULT v=1 status=exited",
        "ecosweep-result v=1 status=finished",
        "ecosweep-result v=1 status=exited exit_code=1x",
        "ecosweep-result v=1 status=exited exit_code=99999999999",
        "ecosweep-result v=1 status=exited wall_s=abc",
        "ecosweep-result v=1 status=exited wall_s=",
        "ecosweep-result v=1 status=exited cpu_method=magic",
        "ecosweep-result v=1 status=exited lonely",
        "ecosweep-result v=1 status=exited =3",
        "ecosweep-result v=1 status=exited\nexit_code=3",
        "{\"v\": 1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        es_result r;
        int rc = es_result_parse(bad[i], strlen(bad[i]), &r);
        if (rc != ES_EPROTO)
            ES_FAIL("accepted (rc %d): '%s'", rc, bad[i]);
    }
    /* A line cut short by len is judged on what is inside len. */
    const char *cut = "ecosweep-result v=1 status=exited";
    es_result r;
    ES_CHECK_INT(es_result_parse(cut, 20, &r), ES_EPROTO);
}

ES_TEST(result_method_names)
{
    ES_CHECK_STR(es_em_name(ES_EM_NONE), "none");
    ES_CHECK_STR(es_em_name(ES_EM_COUNTER), "counter");
    ES_CHECK_STR(es_em_name(ES_EM_ESTIMATE), "estimate");
    ES_CHECK_INT(es_em_parse("none"), ES_EM_NONE);
    ES_CHECK_INT(es_em_parse("counter"), ES_EM_COUNTER);
    ES_CHECK_INT(es_em_parse("estimate"), ES_EM_ESTIMATE);
    ES_CHECK_INT(es_em_parse("rapl"), -1);
    ES_CHECK_INT(es_em_parse(""), -1);
}

/* Run the meter over a finished trial with the given totals. */
static void meter_once(const es_meter_config *cfg, double cpu_s, double wall_s, long rss_kb,
                       es_result *r)
{
    es_meter *m = NULL;
    es_meter_usage u = {.trial_pgid = 1, .wall_s = wall_s, .cpu_s = cpu_s, .peak_rss_kb = rss_kb};
    ES_CHECK_INT(es_meter_create(cfg, &m, NULL), 0);
    ES_CHECK_INT(es_meter_start(m, NULL), 0);
    ES_CHECK_STR(es_meter_names(m), "estimate");
    es_meter_sample(m, &u);
    es_result_init(r);
    ES_CHECK_INT(es_meter_stop(m, &u, r), 0);
    es_meter_destroy(m);
}

ES_TEST(meter_estimate_follows_green_algorithms)
{
    es_meter_config cfg;
    es_result r;
    es_meter_config_init(&cfg);
    /* 2.5 CPU-seconds, 2 GiB peak for 10 s. */
    meter_once(&cfg, 2.5, 10.0, 2L * 1024 * 1024, &r);
    ES_CHECK_INT(r.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(r.cpu.j, 12.0 * 2.5, 1e-12);
    ES_CHECK_STR(r.cpu.source, "estimate:12W/core");
    ES_CHECK_INT(r.dram.method, ES_EM_ESTIMATE);
    ES_CHECK_NEAR(r.dram.j, 0.3725 * 2.0 * 10.0, 1e-12);
    ES_CHECK_STR(r.dram.source, "estimate:0.3725W/GiB");
    ES_CHECK_INT(r.gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(r.gpu.j));
}

ES_TEST(meter_estimate_constants_can_be_overridden)
{
    es_meter_config cfg;
    es_result r;
    es_meter_config_init(&cfg);
    cfg.cpu_watts_per_core = 7.5;
    cfg.dram_watts_per_gb = 1;
    meter_once(&cfg, 2.0, 4.0, 512L * 1024, &r);
    ES_CHECK_NEAR(r.cpu.j, 15.0, 1e-12);
    ES_CHECK_STR(r.cpu.source, "estimate:7.5W/core");
    ES_CHECK_NEAR(r.dram.j, 2.0, 1e-12);
    ES_CHECK_STR(r.dram.source, "estimate:1W/GiB");
}

ES_TEST(meter_rejects_nonsense_watts)
{
    es_meter_config cfg;
    es_meter *m = NULL;
    es_err err;
    es_meter_config_init(&cfg);
    cfg.cpu_watts_per_core = -1;
    ES_CHECK(es_meter_create(&cfg, &m, &err) < 0);
    ES_CHECK(m == NULL);
    ES_CHECK_CONTAINS(err.msg, "watts");
    es_meter_config_init(&cfg);
    cfg.dram_watts_per_gb = NAN;
    ES_CHECK(es_meter_create(&cfg, &m, NULL) < 0);
    es_meter_destroy(NULL);
}
