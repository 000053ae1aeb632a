/*
 * test_estimate.c -- the estimate's constants: watts per core from the CPU
 * model table, and the GPU estimate when no GPU counter is readable.
 */
#include <stdlib.h>

#include "cpu_models.h"
#include "es_test.h"
#include "result.h"
#include "worker_runner.h"

ES_TEST(cpu_model_table_matches_whole_names)
{
    const es_cpu_model *m = es_cpu_model_find("Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
    ES_CHECK(m != NULL);
    ES_CHECK_STR(m->key, "Xeon Gold 6148");
    ES_CHECK_NEAR(m->tdp_w / m->cores, 7.5, 1e-12);
    m = es_cpu_model_find("Intel(R) Core(TM) i5-10400F CPU @ 2.90GHz");
    ES_CHECK(m != NULL);
    ES_CHECK_STR(m->key, "Core i5-10400F");
    m = es_cpu_model_find("AMD EPYC 7742 64-Core Processor");
    ES_CHECK(m != NULL && m->cores == 64);
    ES_CHECK(es_cpu_model_find("AMD EPYC") == NULL);
    ES_CHECK(es_cpu_model_find("Intel Xeon Gold 61480") == NULL);
    ES_CHECK(es_cpu_model_find("") == NULL);
}

ES_TEST(cpu_model_name_from_cpuinfo)
{
    char path[4200], name[256];
    snprintf(path, sizeof path, "%s/cpuinfo", es_test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("processor\t: 0\nvendor_id\t: GenuineIntel\n"
          "model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n",
          f);
    fclose(f);
    ES_CHECK_INT(es_cpu_model_name(path, name, sizeof name), 0);
    ES_CHECK_STR(name, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
}

/* Run the worker without a result descriptor around a short CPU-burning
 * trial, with one more environment entry (NAME=VALUE, or a bare NAME to
 * unset it) and the given options (NULL-terminated, or NULL); parse its
 * result line (written to stderr). */
static es_result run_worker(const char *env, const char *const *opts)
{
    const char *const entries[] = {env, "ECOSWEEP_POWERCAP_ROOT=/nonexistent",
                                   "ECOSWEEP_NVML_LIB=/nonexistent.so", NULL};
    const worker_setup setup = {.no_result_fd = 1, .env = entries};
    const char *const trial[] = {
        "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 0.2", NULL};
    worker_proc w;
    worker_run_with(&w, &setup, opts, trial);
    ES_CHECK_INT(w.status, 0);
    return w.r;
}

static const char *const gpu_watts_300[] = {"--gpu-watts", "300", NULL};

ES_TEST(estimate_uses_the_cpu_model_table)
{
    char path[4200], env[4400];
    snprintf(path, sizeof path, "%s/cpuinfo", es_test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n", f);
    fclose(f);
    snprintf(env, sizeof env, "ECOSWEEP_CPUINFO=%s", path);
    es_result r = run_worker(env, NULL);
    ES_CHECK_INT(r.cpu.method, ES_EM_ESTIMATE);
    /* The record carries no spaces inside a value. */
    ES_CHECK_STR(r.cpu.source, "estimate:7.5W/core:Xeon_Gold_6148");
    ES_CHECK_NEAR(r.cpu.j, 7.5 * r.cpu_s, 1e-9);

    /* An unknown model falls back to 12 W; a configured value wins. */
    f = fopen(path, "w");
    fputs("model name\t: AMD EPYC\n", f);
    fclose(f);
    r = run_worker(env, NULL);
    ES_CHECK_STR(r.cpu.source, "estimate:12W/core");
    r = run_worker(env, (const char *const[]){"--cpu-watts-per-core", "20", NULL});
    ES_CHECK_STR(r.cpu.source, "estimate:20W/core");
    ES_CHECK_NEAR(r.cpu.j, 20 * r.cpu_s, 1e-9);
}

ES_TEST(gpu_estimate_only_when_asked_and_gpus_known)
{
    es_result r = run_worker("CUDA_VISIBLE_DEVICES=0,1", gpu_watts_300);
    ES_CHECK_INT(r.gpu.method, ES_EM_ESTIMATE);
    ES_CHECK_STR(r.gpu.source, "estimate:300W/gpu:2gpu");
    ES_CHECK_NEAR(r.gpu.j, 600 * r.wall_s, 1e-6);
    /* No GPU watts configured: unknown, not zero. */
    r = run_worker("CUDA_VISIBLE_DEVICES=0,1", NULL);
    ES_CHECK_INT(r.gpu.method, ES_EM_NONE);
    ES_CHECK(isnan(r.gpu.j));
    /* GPUs hidden from the trial: nothing to estimate. */
    r = run_worker("CUDA_VISIBLE_DEVICES=", gpu_watts_300);
    ES_CHECK_INT(r.gpu.method, ES_EM_NONE);
    /* GPUs unknown (variable unset): no guess. */
    r = run_worker("CUDA_VISIBLE_DEVICES", gpu_watts_300);
    ES_CHECK_INT(r.gpu.method, ES_EM_NONE);
}
