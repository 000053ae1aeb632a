/*
 * meter_nvml.c -- the GPU part, read from NVIDIA's management library (NVML).
 *
 * NVML is loaded at run time with dlopen() (cfg->nvml_lib, else
 * $ECOSWEEP_NVML_LIB, else libnvidia-ml.so.1), as Slurm, go-nvml and pynvml
 * do, so the worker builds and runs on machines without a driver; nvml.h is
 * not needed either: the handful of types used are declared below.
 *
 * Which GPUs: those the trial may use -- cfg->gpus, else the
 * CUDA_VISIBLE_DEVICES the trial inherits from the worker, else every GPU.
 * The list is read as the CUDA runtime reads it: entries are NVML indices or
 * GPU/MIG UUIDs (a unique UUID prefix is enough), and the list ends at the
 * first entry that names no device, so "", "-1" and "NoDevFiles" mean no
 * GPU at all.  A trial with no GPU makes probe() fail: the gpu part stays
 * ES_EM_NONE ("nothing known"), never a measured 0 J.  Indices are NVML's,
 * which is PCI bus order; CUDA numbers GPUs the same way only with
 * CUDA_DEVICE_ORDER=PCI_BUS_ID (or on machines of identical GPUs).
 *
 * How: nvmlDeviceGetTotalEnergyConsumption (mJ since the driver loaded,
 * Volta and newer) read at start() and stop(); a GPU without it has its
 * nvmlDeviceGetPowerUsage (mW) integrated with the trapezoid rule over
 * monotonic time, sampled at start(), at every sample() tick and at stop().
 * Both read the board's own sensor, so both are ES_EM_COUNTER; the source
 * string tells them apart and counts the GPUs: "nvml:energy-counter:2gpu",
 * "nvml:power-integration:1gpu", or "nvml:mixed:3gpu".  NVML meters whole
 * boards: a trial sharing a GPU (or running on a MIG slice, whose UUID NVML
 * may resolve) is charged the whole board.  If any GPU of the trial cannot
 * be read, the part is left ES_EM_NONE rather than under-counted.
 *
 * While the trial runs (peek, for the worker's sample lines), the energy so
 * far is the counter read now minus its start value, plus the integrated
 * power up to the last sample() tick for a GPU without the counter: peek
 * takes no power reading of its own, as one kept out of the integral would
 * make the final figure depend on when the samples were asked for.
 *
 * Failures follow meter.h: ES_ENOTSUP, silent, when there is nothing to
 * meter (no library, no driver loaded, no GPU, a trial allowed no GPU);
 * another code, whose message the worker shows as a note, when GPUs are
 * there but cannot be metered (NVML broken, a GPU with neither sensor, a
 * device list naming no GPU).  A GPU that cannot be read at stop() is said
 * on stderr in the worker's note format, as no note channel exists there.
 */
#include "meter.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* From nvml.h: nvmlReturn_t is an enum (int-sized), nvmlDevice_t an opaque
 * pointer. */
typedef int nvml_return;
typedef struct nvml_device_st *nvml_device;
#define NVML_SUCCESS 0
#define NVML_ERROR_DRIVER_NOT_LOADED 9

#define NVML_DEFAULT_LIB "libnvidia-ml.so.1"
#define NVML_MAX_GPUS 64
#define NVML_UUID_MAX 96 /* NVML_DEVICE_UUID_V2_BUFFER_SIZE */

typedef nvml_return (*nvml_void_fn)(void);
typedef nvml_return (*nvml_count_fn)(unsigned int *);
typedef nvml_return (*nvml_by_index_fn)(unsigned int, nvml_device *);
typedef nvml_return (*nvml_by_uuid_fn)(const char *, nvml_device *);
typedef nvml_return (*nvml_uuid_fn)(nvml_device, char *, unsigned int);
typedef nvml_return (*nvml_energy_fn)(nvml_device, unsigned long long *);
typedef nvml_return (*nvml_power_fn)(nvml_device, unsigned int *);
typedef const char *(*nvml_error_string_fn)(nvml_return);

/* The loaded library.  The optional entries are NULL when it lacks them. */
typedef struct nvml_lib {
    void *dl;
    nvml_void_fn init;
    nvml_void_fn shutdown;
    nvml_count_fn count;
    nvml_by_index_fn by_index;
    nvml_by_uuid_fn by_uuid;           /* optional */
    nvml_uuid_fn uuid;                 /* optional: UUID prefixes */
    nvml_energy_fn energy;             /* optional: Volta and newer */
    nvml_power_fn power;               /* optional */
    nvml_error_string_fn error_string; /* optional */
} nvml_lib;

typedef struct nvml_gpu {
    nvml_device dev;
    char label[NVML_UUID_MAX + 8]; /* "GPU 1" or its UUID, for messages */
    int use_counter;               /* 1: energy counter, 0: power integration */
    unsigned long long mj0;        /* counter at start() */
    double j;                      /* integrated joules so far */
    double last_w, last_t;         /* last good power sample and its monotonic time */
} nvml_gpu;

typedef struct nvml_state {
    nvml_lib lib;
    size_t n;
    nvml_gpu gpu[NVML_MAX_GPUS];
} nvml_state;

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *nvml_strerror(const nvml_lib *lib, nvml_return rc)
{
    const char *s = lib->error_string != NULL ? lib->error_string(rc) : NULL;
    return s != NULL ? s : "unknown NVML error";
}

/* dlsym(name), else dlsym(fallback) when given. */
static void *lib_sym(void *dl, const char *name, const char *fallback)
{
    void *p = dlsym(dl, name);
    if (p == NULL && fallback != NULL)
        p = dlsym(dl, fallback);
    return p;
}

/* An NVIDIA driver is loaded here: its /proc entry (a Linux host or
 * container), or the GPU paravirtualization device of WSL 2. */
static int driver_present(void)
{
    return access("/proc/driver/nvidia", F_OK) == 0 || access("/dev/dxg", F_OK) == 0;
}

/* Load NVML and initialise it.  On success the caller owns *lib and must
 * lib_close() it; on failure nothing is left loaded. */
static int lib_open(const es_meter_config *cfg, nvml_lib *lib, es_err *err)
{
    const char *path = cfg->nvml_lib;
    if (path == NULL || path[0] == '\0')
        path = getenv("ECOSWEEP_NVML_LIB");
    memset(lib, 0, sizeof *lib);
    if (path == NULL || path[0] == '\0') {
        /* Without a driver NVML could only say so (NVML_ERROR_DRIVER_NOT_LOADED),
         * and looking for the library where it is not installed costs the
         * dynamic loader some 80 failed opens: every trial would pay them. */
        if (!driver_present())
            return es_err_set(err, ES_ENOTSUP, "nvml: no NVIDIA driver loaded");
        path = NVML_DEFAULT_LIB;
    }
    lib->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib->dl == NULL) {
        const char *why = dlerror();
        return es_err_set(err, ES_ENOTSUP, "nvml: cannot load %s: %s", path,
                          why != NULL ? why : "unknown error");
    }
    lib->init = (nvml_void_fn)lib_sym(lib->dl, "nvmlInit_v2", "nvmlInit");
    lib->shutdown = (nvml_void_fn)lib_sym(lib->dl, "nvmlShutdown", NULL);
    lib->count = (nvml_count_fn)lib_sym(lib->dl, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
    lib->by_index = (nvml_by_index_fn)lib_sym(lib->dl, "nvmlDeviceGetHandleByIndex_v2",
                                              "nvmlDeviceGetHandleByIndex");
    lib->by_uuid = (nvml_by_uuid_fn)lib_sym(lib->dl, "nvmlDeviceGetHandleByUUID", NULL);
    lib->uuid = (nvml_uuid_fn)lib_sym(lib->dl, "nvmlDeviceGetUUID", NULL);
    lib->energy = (nvml_energy_fn)lib_sym(lib->dl, "nvmlDeviceGetTotalEnergyConsumption", NULL);
    lib->power = (nvml_power_fn)lib_sym(lib->dl, "nvmlDeviceGetPowerUsage", NULL);
    lib->error_string = (nvml_error_string_fn)lib_sym(lib->dl, "nvmlErrorString", NULL);
    if (lib->init == NULL || lib->shutdown == NULL || lib->count == NULL || lib->by_index == NULL) {
        dlclose(lib->dl);
        lib->dl = NULL;
        return es_err_set(err, -ELIBBAD,
                          "NVML library %s lacks the basic NVML functions; GPU energy not "
                          "measured",
                          path);
    }
    nvml_return rc = lib->init();
    if (rc != NVML_SUCCESS) {
        /* A library without a loaded driver (a CUDA image on a CPU node) is
         * normal; any other failure is worth a note. */
        int code = rc == NVML_ERROR_DRIVER_NOT_LOADED
                       ? es_err_set(err, ES_ENOTSUP, "nvml: no NVIDIA driver loaded")
                       : es_err_set(err, -EIO, "NVML failed to start (%s); GPU energy not measured",
                                    nvml_strerror(lib, rc));
        dlclose(lib->dl);
        lib->dl = NULL;
        return code;
    }
    return 0;
}

static void lib_close(nvml_lib *lib)
{
    if (lib->dl == NULL)
        return;
    (void)lib->shutdown();
    dlclose(lib->dl);
    lib->dl = NULL;
}

/* The device whose UUID is tok, or whose UUID starts with tok (CUDA
 * accepts unique prefixes).  0, or -ENOENT (none, or more than one). */
static int find_uuid(const nvml_lib *lib, unsigned int count, const char *tok, nvml_device *dev)
{
    if (lib->by_uuid != NULL && lib->by_uuid(tok, dev) == NVML_SUCCESS)
        return 0; /* also a MIG device, metered as whatever NVML reports for it */
    int found = 0;
    for (unsigned int i = 0; lib->uuid != NULL && i < count; i++) {
        nvml_device d;
        char uuid[NVML_UUID_MAX];
        if (lib->by_index(i, &d) != NVML_SUCCESS || lib->uuid(d, uuid, sizeof uuid) != NVML_SUCCESS)
            continue;
        if (strncmp(uuid, tok, strlen(tok)) == 0) {
            *dev = d;
            found++;
        }
    }
    return found == 1 ? 0 : -ENOENT;
}

/* One entry of a CUDA_VISIBLE_DEVICES list (tok, NUL-terminated, trimmed):
 * 0 with the device, or -ENOENT when it names no device. */
static int find_entry(const nvml_lib *lib, unsigned int count, const char *tok, nvml_device *dev)
{
    if (strncmp(tok, "GPU-", 4) == 0 || strncmp(tok, "MIG-", 4) == 0)
        return find_uuid(lib, count, tok, dev);
    if (tok[0] < '0' || tok[0] > '9')
        return -ENOENT;
    char *end;
    errno = 0;
    unsigned long i = strtoul(tok, &end, 10);
    if (*end != '\0' || errno != 0 || i >= count)
        return -ENOENT;
    return lib->by_index((unsigned int)i, dev) == NVML_SUCCESS ? 0 : -ENOENT;
}

static int add_gpu(nvml_state *s, nvml_device dev, const char *label)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->gpu[k].dev == dev)
            return 0; /* listed twice: metered once */
    if (s->n == NVML_MAX_GPUS)
        return -ENOSPC;
    memset(&s->gpu[s->n], 0, sizeof s->gpu[s->n]);
    s->gpu[s->n].dev = dev;
    /* "GPU 1" for an index, the UUID as given otherwise. */
    snprintf(s->gpu[s->n].label, sizeof s->gpu[s->n].label, "%s%s",
             label[0] >= '0' && label[0] <= '9' ? "GPU " : "", label);
    s->n++;
    return 0;
}

/* Fill s->gpu with the GPUs the trial may use (s->lib is open).  0;
 * ES_ENOTSUP when the trial may use none; -ENODEV when the list names no
 * GPU that exists (a note for the user). */
static int select_gpus(const es_meter_config *cfg, nvml_state *s, es_err *err)
{
    const char *spec = cfg->gpus != NULL ? cfg->gpus : getenv("CUDA_VISIBLE_DEVICES");
    const char *what = cfg->gpus != NULL ? "gpus" : "CUDA_VISIBLE_DEVICES";
    unsigned int count = 0;
    nvml_return nrc = s->lib.count(&count);
    if (nrc != NVML_SUCCESS)
        return es_err_set(err, -EIO, "NVML cannot count the GPUs (%s); GPU energy not measured",
                          nvml_strerror(&s->lib, nrc));
    s->n = 0;
    if (spec == NULL) {
        for (unsigned int i = 0; i < count; i++) {
            nvml_device dev;
            char label[16];
            snprintf(label, sizeof label, "%u", i);
            if (s->lib.by_index(i, &dev) != NVML_SUCCESS)
                return es_err_set(err, -EIO, "NVML cannot open GPU %u; GPU energy not measured", i);
            if (add_gpu(s, dev, label) != 0)
                break;
        }
        return s->n > 0 ? 0 : es_err_set(err, ES_ENOTSUP, "nvml: no GPU found");
    }
    /* CUDA ignores the first entry that names no device and every one after
     * it; the GPUs before it are still the trial's, so that is no error. */
    for (const char *p = spec; *p != '\0';) {
        char tok[NVML_UUID_MAX + 8];
        size_t len = strcspn(p, ",");
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        size_t tl = (size_t)(e - b) < sizeof tok - 1 ? (size_t)(e - b) : sizeof tok - 1;
        memcpy(tok, b, tl);
        tok[tl] = '\0';
        nvml_device dev;
        if (tl < (size_t)(e - b) || find_entry(&s->lib, count, tok, &dev) != 0) {
            if (s->n > 0)
                return 0;
            if (strcmp(tok, "-1") == 0 || strcmp(tok, "NoDevFiles") == 0)
                break; /* the usual ways of saying "no GPU" */
            return es_err_set(err, -ENODEV,
                              "%s entry '%s' names none of this machine's %u GPUs; GPU energy "
                              "not measured",
                              what, tok, count);
        }
        if (add_gpu(s, dev, tok) != 0)
            break;
        p += len;
        if (*p == ',')
            p++;
    }
    if (s->n == 0)
        return es_err_set(err, ES_ENOTSUP, "nvml: the trial may use no GPU (%s='%s')", what, spec);
    return 0;
}

static int nvml_probe(const es_meter_config *cfg, es_err *err)
{
    nvml_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "nvml: out of memory");
    int rc = lib_open(cfg, &s->lib, err);
    if (rc == 0) {
        rc = select_gpus(cfg, s, err);
        lib_close(&s->lib);
    }
    free(s);
    return rc;
}

/* Read gpu's power now and add the trapezoid since the last good reading.
 * 0, or -EIO when the reading failed (the next good one spans the gap). */
static int power_sample(const nvml_lib *lib, nvml_gpu *g, int first)
{
    unsigned int mw = 0;
    if (lib->power(g->dev, &mw) != NVML_SUCCESS)
        return -EIO;
    double t = mono_now(), w = (double)mw / 1000.0;
    if (!first)
        g->j += (g->last_w + w) / 2.0 * (t - g->last_t);
    g->last_w = w;
    g->last_t = t;
    return 0;
}

static void nvml_destroy(void *state)
{
    nvml_state *s = state;
    if (s == NULL)
        return;
    lib_close(&s->lib);
    free(s);
}

static int nvml_start(const es_meter_config *cfg, void **state, es_err *err)
{
    nvml_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return es_err_set(err, -ENOMEM, "nvml: out of memory");
    int rc = lib_open(cfg, &s->lib, err);
    if (rc == 0)
        rc = select_gpus(cfg, s, err);
    for (size_t k = 0; rc == 0 && k < s->n; k++) {
        nvml_gpu *g = &s->gpu[k];
        g->use_counter = s->lib.energy != NULL && s->lib.energy(g->dev, &g->mj0) == NVML_SUCCESS;
        if (g->use_counter || (s->lib.power != NULL && power_sample(&s->lib, g, 1) == 0))
            continue;
        /* Metering the other GPUs only would give a number that looks
         * measured and is not: no GPU energy at all instead. */
        rc = es_err_set(err, -EIO,
                        "NVIDIA %s reports neither energy nor power; GPU energy not measured",
                        g->label);
    }
    if (rc != 0) {
        nvml_destroy(s);
        return rc;
    }
    *state = s;
    return 0;
}

static int nvml_sample(void *state, const es_meter_usage *u)
{
    nvml_state *s = state;
    int rc = 0;
    (void)u;
    for (size_t k = 0; k < s->n; k++)
        if (!s->gpu[k].use_counter && power_sample(&s->lib, &s->gpu[k], 0) != 0)
            rc = -EIO;
    return rc;
}

/* The joules of every GPU since start() into gpu.  final: the end of the
 * trial, when power GPUs take their last reading; otherwise (peek) nothing
 * is read but the counters and nothing in s changes.  -EIO, with the part
 * untouched, when a GPU cannot be read. */
static int gpu_total(nvml_state *s, int final, es_energy_part *gpu)
{
    size_t n_counter = 0;
    double j = 0;
    for (size_t k = 0; k < s->n; k++) {
        nvml_gpu *g = &s->gpu[k];
        unsigned long long mj1 = 0;
        int ok = 1;
        if (g->use_counter) {
            /* A counter that went backwards means the driver reloaded. */
            ok = s->lib.energy(g->dev, &mj1) == NVML_SUCCESS && mj1 >= g->mj0;
            j += ok ? (double)(mj1 - g->mj0) / 1000.0 : 0;
            n_counter++;
        } else {
            if (final)
                ok = power_sample(&s->lib, g, 0) == 0;
            j += g->j;
        }
        if (!ok) {
            if (final)
                fprintf(stderr,
                        "ecosweep-worker: note: NVIDIA %s could not be read at the end of the "
                        "trial; GPU energy not measured\n",
                        g->label);
            return -EIO; /* the gpu part stays ES_EM_NONE */
        }
    }
    const char *how = n_counter == s->n ? "energy-counter"
                      : n_counter == 0  ? "power-integration"
                                        : "mixed";
    gpu->j = j;
    gpu->method = ES_EM_COUNTER;
    snprintf(gpu->source, sizeof gpu->source, "nvml:%s:%zugpu", how, s->n);
    return 0;
}

static int nvml_stop(void *state, const es_meter_usage *u, es_energy_part *cpu,
                     es_energy_part *dram, es_energy_part *gpu)
{
    (void)u, (void)cpu, (void)dram;
    return gpu_total(state, 1, gpu);
}

static int nvml_peek(void *state, const es_meter_usage *u, es_energy_part *cpu,
                     es_energy_part *dram, es_energy_part *gpu)
{
    (void)u, (void)cpu, (void)dram;
    return gpu_total(state, 0, gpu);
}

const es_meter_backend es_meter_nvml = {
    .name = "nvml",
    .probe = nvml_probe,
    .start = nvml_start,
    .sample = nvml_sample,
    .stop = nvml_stop,
    .peek = nvml_peek,
    .destroy = nvml_destroy,
};
