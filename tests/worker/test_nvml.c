/*
 * test_nvml.c -- the worker's GPU energy as a user would see it: the built
 * ecosweep-worker runs short trials with ECOSWEEP_NVML_LIB pointing at the
 * fake NVML library (fake_nvml.c, path compiled in as FAKE_NVML_PATH), and
 * each test checks the gpu part of the result line -- joules that match the
 * fake boards' watts x the trial's time, the method and source that say how
 * they were obtained, only the GPUs named by CUDA_VISIBLE_DEVICES charged,
 * and "no GPU energy" (method none, NaN joules, never 0) whenever NVML is
 * missing, broken, or the trial may use no GPU.  The cpu part must still
 * come from the estimate, showing that the back ends' answers merge.
 *
 * Every test sets the whole environment it depends on (the fake's
 * variables, CUDA_VISIBLE_DEVICES, a RAPL tree that does not exist) so a
 * GPU or RAPL on the test machine changes nothing.  The last tests call the
 * back end directly, for the settings the worker has no option for.
 */
#include "es_test.h"
#include "meter.h"
#include "result.h"
#include "worker_runner.h"

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tmp_path(const char *name)
{
    static char paths[4][4096];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 4096, "%s/%s", es_test_tmpdir(), name);
    return p;
}

static void read_file(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* The environment of one test: n fake GPUs of the given modes and watts
 * (comma lists), CUDA_VISIBLE_DEVICES = visible (NULL: unset). */
static void fake_env(const char *count, const char *mode, const char *watts, const char *visible)
{
    ES_CHECK(setenv("ECOSWEEP_NVML_LIB", FAKE_NVML_PATH, 1) == 0);
    ES_CHECK(setenv("ECOSWEEP_POWERCAP_ROOT", "/nonexistent-ecosweep-powercap", 1) == 0);
    ES_CHECK(setenv("FAKE_NVML_COUNT", count, 1) == 0);
    ES_CHECK(setenv("FAKE_NVML_MODE", mode, 1) == 0);
    ES_CHECK(setenv("FAKE_NVML_WATTS", watts, 1) == 0);
    ES_CHECK(setenv("FAKE_NVML_LOG", tmp_path("nvml.log"), 1) == 0);
    if (visible != NULL)
        ES_CHECK(setenv("CUDA_VISIBLE_DEVICES", visible, 1) == 0);
    else
        ES_CHECK(unsetenv("CUDA_VISIBLE_DEVICES") == 0);
    unlink(tmp_path("nvml.log"));
}

/* Run `ecosweep-worker --result-fd 9 OPTS... -- TRIAL...` (NULL-terminated
 * lists) to the end, parse its result line and check that it succeeded. */
static void nvml_run(worker_proc *w, const char *const *opts, const char *const *trial)
{
    worker_run(w, opts, trial);
    ES_CHECK(WIFEXITED(w->status) && WEXITSTATUS(w->status) == 0);
}

static const char *const sleep_half[] = {"sleep", "0.5", NULL};

/* The gpu part is a counter reading of watts x the trial's time, within
 * rel (the meter spans slightly more than the trial: start to reaping). */
static void check_gpu_joules(const worker_proc *w, double watts, double rel, const char *source)
{
    ES_CHECK_INT(w->r.gpu.method, ES_EM_COUNTER);
    ES_CHECK_STR(w->r.gpu.source, source);
    ES_CHECK(w->r.wall_s >= 0.5 && w->r.wall_s < 2);
    double want = watts * w->r.wall_s;
    if (!(w->r.gpu.j >= want * 0.999 && w->r.gpu.j <= want * (1 + rel)))
        ES_FAIL("gpu_j %.6g, want %.6g W x %.6g s = %.6g (+%g%%); stderr: '%s'", w->r.gpu.j, watts,
                w->r.wall_s, want, rel * 100, w->err);
}

/* The other parts still come from the estimate: the merge kept them. */
static void check_cpu_estimated(const worker_proc *w)
{
    ES_CHECK_INT(w->r.cpu.method, ES_EM_ESTIMATE);
    ES_CHECK_CONTAINS(w->r.cpu.source, "estimate:");
    ES_CHECK_INT(w->r.dram.method, ES_EM_ESTIMATE);
}

static void check_gpu_none(const worker_proc *w)
{
    ES_CHECK_INT(w->r.gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(w->r.gpu.j));
    ES_CHECK_CONTAINS(w->res, " gpu_j=nan gpu_method=none ");
    check_cpu_estimated(w);
}

/* NVML was shut down as often as it was initialised (n times at least). */
static void check_init_balanced(int at_least)
{
    char log[4096];
    read_file(tmp_path("nvml.log"), log, sizeof log);
    int inits = 0, shutdowns = 0;
    for (const char *p = log; (p = strstr(p, "init\n")) != NULL; p++)
        inits++;
    for (const char *p = log; (p = strstr(p, "shutdown\n")) != NULL; p++)
        shutdowns++;
    ES_CHECK(inits >= at_least);
    ES_CHECK_INT(shutdowns, inits);
}

/* ---- measured --------------------------------------------------------- */

ES_TEST(nvml_energy_counter_two_gpus)
{
    worker_proc w;
    fake_env("2", "energy", "100", NULL);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 200, 0.05, "nvml:energy-counter:2gpu");
    check_cpu_estimated(&w);
    check_init_balanced(2); /* probe and start */
}

ES_TEST(nvml_power_integration_without_counter)
{
    worker_proc w;
    const char *opts[] = {"--sample-ms", "50", NULL};
    fake_env("2", "power", "100", NULL);
    nvml_run(&w, opts, sleep_half);
    check_gpu_joules(&w, 200, 0.10, "nvml:power-integration:2gpu");
    check_cpu_estimated(&w);
    check_init_balanced(2);
}

ES_TEST(nvml_mixed_counter_and_power)
{
    worker_proc w;
    const char *opts[] = {"--sample-ms", "50", NULL};
    fake_env("2", "energy,power", "100,300", NULL);
    nvml_run(&w, opts, sleep_half);
    check_gpu_joules(&w, 400, 0.10, "nvml:mixed:2gpu");
}

/* ---- which GPUs -------------------------------------------------------- */

ES_TEST(nvml_visible_index_charges_only_that_gpu)
{
    worker_proc w;
    fake_env("2", "energy", "100,300", "1");
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 300, 0.05, "nvml:energy-counter:1gpu");

    fake_env("3", "energy", "100,300,50", " 2 , 0,2"); /* spaces, a repeat */
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 150, 0.05, "nvml:energy-counter:2gpu");
}

ES_TEST(nvml_visible_uuid_and_prefix)
{
    worker_proc w;
    fake_env("2", "energy", "100,300", "GPU-fake-1-0000-4000-8000-000000000000");
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 300, 0.05, "nvml:energy-counter:1gpu");

    fake_env("2", "energy", "100,300", "GPU-fake-0,1"); /* a unique prefix, then an index */
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 400, 0.05, "nvml:energy-counter:2gpu");

    fake_env("2", "energy", "100,300", "GPU-fake"); /* ambiguous prefix: no GPU */
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
}

ES_TEST(nvml_no_visible_gpu_is_none)
{
    const char *const values[] = {"", "-1", "NoDevFiles"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        worker_proc w;
        fake_env("2", "energy", "100", values[i]);
        nvml_run(&w, NULL, sleep_half);
        check_gpu_none(&w);
        ES_CHECK(strstr(w.err, "note") == NULL); /* intended: nothing to warn about */
        check_init_balanced(1);
    }
}

ES_TEST(nvml_invalid_entry_ends_the_list)
{
    worker_proc w;
    /* As in CUDA: "1,7,0" makes only GPU 1 visible. */
    fake_env("2", "energy", "100,300", "1,7,0");
    nvml_run(&w, NULL, sleep_half);
    check_gpu_joules(&w, 300, 0.05, "nvml:energy-counter:1gpu");

    /* A list naming no GPU that exists is a mistake worth a note. */
    fake_env("2", "energy", "100", "5");
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK_CONTAINS(w.err, "ecosweep-worker: note: CUDA_VISIBLE_DEVICES entry '5' names none "
                             "of this machine's 2 GPUs; GPU energy not measured\n");

    fake_env("2", "energy", "100", "MIG-0b6b9e59-unknown");
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK_CONTAINS(w.err, "entry 'MIG-0b6b9e59-unknown' names none");
}

/* ---- no GPU energy ------------------------------------------------------ */

ES_TEST(nvml_missing_library_is_none)
{
    worker_proc w;
    fake_env("2", "energy", "100", NULL);
    ES_CHECK(setenv("ECOSWEEP_NVML_LIB", "/nonexistent-ecosweep/libnvidia-ml.so.1", 1) == 0);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK(strstr(w.err, "note") == NULL); /* a CPU-only machine is normal */
}

ES_TEST(nvml_init_failure_is_none)
{
    worker_proc w;
    fake_env("2", "fail-init", "100", NULL);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK_CONTAINS(w.err, "ecosweep-worker: note: NVML failed to start (Unknown Error); GPU "
                             "energy not measured\n");

    /* The library without its driver (a CUDA image on a CPU node): silent. */
    fake_env("2", "no-driver", "100", NULL);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK(strstr(w.err, "note") == NULL);
}

ES_TEST(nvml_zero_gpus_is_none)
{
    worker_proc w;
    fake_env("0", "energy", "100", NULL);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    check_init_balanced(1);
}

ES_TEST(nvml_unreadable_gpu_gives_none_not_a_partial_sum)
{
    worker_proc w;
    fake_env("2", "energy,none", "100", NULL);
    nvml_run(&w, NULL, sleep_half);
    check_gpu_none(&w);
    ES_CHECK_CONTAINS(w.err, "ecosweep-worker: note: NVIDIA GPU 1 reports neither energy nor "
                             "power; GPU energy not measured\n");
    check_init_balanced(2);
}

/* ---- the back end called directly -------------------------------------- */

ES_TEST(nvml_backend_config_beats_environment)
{
    fake_env("3", "energy", "100,300,50", "0");
    ES_CHECK(setenv("ECOSWEEP_NVML_LIB", "/nonexistent-ecosweep/libnvidia-ml.so.1", 1) == 0);
    es_meter_config cfg;
    es_meter_config_init(&cfg);
    cfg.nvml_lib = FAKE_NVML_PATH;
    cfg.gpus = "2,1";
    es_err err;
    ES_CHECK_INT(es_meter_nvml.probe(&cfg, &err), 0);
    void *state = NULL;
    struct timespec t0, t1, nap = {0, 200000000L};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ES_CHECK_INT(es_meter_nvml.start(&cfg, &state, &err), 0);
    nanosleep(&nap, NULL);
    es_meter_usage u = {.trial_pgid = 0, .wall_s = NAN, .cpu_s = NAN, .peak_rss_kb = -1};
    ES_CHECK_INT(es_meter_nvml.sample(state, &u), 0);
    es_energy_part cpu = {NAN, ES_EM_NONE, ""}, dram = cpu, gpu = cpu;
    ES_CHECK_INT(es_meter_nvml.stop(state, &u, &cpu, &dram, &gpu), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    es_meter_nvml.destroy(state);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    ES_CHECK_INT(gpu.method, ES_EM_COUNTER);
    ES_CHECK_STR(gpu.source, "nvml:energy-counter:2gpu");
    ES_CHECK(gpu.j > 350 * 0.2 && gpu.j <= 350 * s + 0.01);
    ES_CHECK_INT(cpu.method, ES_EM_NONE); /* untouched */
    ES_CHECK(isnan(cpu.j) && isnan(dram.j));
    check_init_balanced(2);

    cfg.gpus = ""; /* overrides CUDA_VISIBLE_DEVICES=0 */
    ES_CHECK_INT(es_meter_nvml.probe(&cfg, &err), ES_ENOTSUP);
    ES_CHECK_CONTAINS(err.msg, "no GPU");
    cfg.nvml_lib = NULL; /* back to $ECOSWEEP_NVML_LIB, which is missing */
    ES_CHECK_INT(es_meter_nvml.probe(&cfg, &err), ES_ENOTSUP);
    ES_CHECK_CONTAINS(err.msg, "cannot load /nonexistent-ecosweep/libnvidia-ml.so.1");
    es_meter_nvml.destroy(NULL);
}

/* Without an NVIDIA driver the worker does not look for NVML at all: the
 * dynamic loader's search for a library that is not installed (some 80
 * failed opens) would otherwise be paid by every trial.  The GPU part is
 * "not measured", as when the library is missing. */
ES_TEST(nvml_not_searched_without_a_driver)
{
    if (access("/proc/driver/nvidia", F_OK) == 0 || access("/dev/dxg", F_OK) == 0) {
        fprintf(stderr, "an NVIDIA driver is loaded here: nothing to check\n");
        return;
    }
    worker_proc w;
    const char *const env[] = {"ECOSWEEP_NVML_LIB", "LD_DEBUG=libs", NULL};
    const worker_setup setup = {.env = env};
    const char *const trial[] = {"true", NULL};
    worker_run_with(&w, &setup, NULL, trial);
    ES_CHECK_INT(w.exit_status, 0);
    check_gpu_none(&w);
    ES_CHECK(strstr(w.err, "libnvidia-ml") == NULL);
}
