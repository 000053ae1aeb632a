/*
 * fake_nvml.c -- a stand-in for libnvidia-ml.so.1, built as a shared library
 * so that the worker's NVML back end (worker/meter_nvml.c) can be tested
 * through its real dlopen() path on machines without an NVIDIA driver.
 *
 * The GPUs are described by environment variables, read at nvmlInit:
 *
 *   FAKE_NVML_COUNT  number of GPUs (default 1, at most FAKE_MAX)
 *   FAKE_NVML_MODE   what each GPU reports, a comma list whose last entry
 *                    repeats: "energy" (energy counter and power), "power"
 *                    (power only: the counter is NOT_SUPPORTED, as before
 *                    Volta), "none" (neither); or, for the whole library,
 *                    "no-driver" (nvmlInit: DRIVER_NOT_LOADED) or "fail-init"
 *                    (nvmlInit: UNKNOWN)
 *   FAKE_NVML_WATTS  each GPU's constant draw, a comma list likewise (100)
 *   FAKE_NVML_LOG    a file that gets one line per nvmlInit / nvmlShutdown
 *
 * GPU i has the UUID "GPU-fake-i-0000-4000-8000-000000000000".  Its energy
 * counter is watts x CLOCK_MONOTONIC seconds, in mJ, so the energy between
 * two reads is exactly watts x the time between them, and its power reading
 * is the same watts in mW: a test can predict the joules from wall time.
 *
 * Like the real library, calls made before nvmlInit or after the matching
 * nvmlShutdown fail with NVML_ERROR_UNINITIALIZED.  The device count is
 * exported only under its old name (nvmlDeviceGetCount, no _v2) so that the
 * back end's fallback to old names is exercised too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int nvmlReturn_t;
typedef struct fake_dev *nvmlDevice_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_UNKNOWN 999

#define FAKE_MAX 16

/* The exported NVML functions (declared for -Wmissing-prototypes). */
nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlShutdown(void);
nvmlReturn_t nvmlDeviceGetCount(unsigned int *count);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *dev);
nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *dev);
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t dev, char *uuid, unsigned int len);
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t dev, unsigned long long *mj);
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t dev, unsigned int *mw);
const char *nvmlErrorString(nvmlReturn_t rc);

typedef enum fake_mode { FAKE_ENERGY, FAKE_POWER, FAKE_NONE } fake_mode;

struct fake_dev {
    fake_mode mode;
    double watts;
    char uuid[64];
};

static struct fake_dev devs[FAKE_MAX];
static unsigned int n_devs;
static int refs; /* nvmlInit calls not yet matched by nvmlShutdown */

static void log_call(const char *what)
{
    const char *path = getenv("FAKE_NVML_LOG");
    FILE *f = path != NULL ? fopen(path, "a") : NULL;
    if (f == NULL)
        return;
    fprintf(f, "%s\n", what);
    fclose(f);
}

/* Entry i of the comma list in $name (the last one repeats), or dflt. */
static void list_entry(const char *name, unsigned int i, const char *dflt, char *out, size_t cap)
{
    const char *v = getenv(name);
    snprintf(out, cap, "%s", dflt);
    if (v == NULL || *v == '\0')
        return;
    for (unsigned int k = 0;; k++) {
        size_t len = strcspn(v, ",");
        if (k == i || v[len] == '\0') {
            snprintf(out, cap, "%.*s", (int)len, v);
            return;
        }
        v += len + 1;
    }
}

static struct fake_dev *device(nvmlDevice_t dev)
{
    if (refs <= 0 || dev < devs || dev >= devs + n_devs)
        return NULL;
    return dev;
}

nvmlReturn_t nvmlInit_v2(void)
{
    char buf[64];
    list_entry("FAKE_NVML_MODE", 0, "energy", buf, sizeof buf);
    if (strcmp(buf, "no-driver") == 0)
        return NVML_ERROR_DRIVER_NOT_LOADED;
    if (strcmp(buf, "fail-init") == 0)
        return NVML_ERROR_UNKNOWN;
    const char *count = getenv("FAKE_NVML_COUNT");
    n_devs = count != NULL ? (unsigned int)atoi(count) : 1;
    if (n_devs > FAKE_MAX)
        n_devs = FAKE_MAX;
    for (unsigned int i = 0; i < n_devs; i++) {
        list_entry("FAKE_NVML_MODE", i, "energy", buf, sizeof buf);
        devs[i].mode = strcmp(buf, "power") == 0  ? FAKE_POWER
                       : strcmp(buf, "none") == 0 ? FAKE_NONE
                                                  : FAKE_ENERGY;
        list_entry("FAKE_NVML_WATTS", i, "100", buf, sizeof buf);
        devs[i].watts = atof(buf);
        snprintf(devs[i].uuid, sizeof devs[i].uuid, "GPU-fake-%u-0000-4000-8000-000000000000", i);
    }
    refs++;
    log_call("init");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlShutdown(void)
{
    if (refs <= 0)
        return NVML_ERROR_UNINITIALIZED;
    refs--;
    log_call("shutdown");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int *count)
{
    if (refs <= 0)
        return NVML_ERROR_UNINITIALIZED;
    if (count == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    *count = n_devs;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *dev)
{
    if (refs <= 0)
        return NVML_ERROR_UNINITIALIZED;
    if (index >= n_devs || dev == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    *dev = &devs[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *dev)
{
    if (refs <= 0)
        return NVML_ERROR_UNINITIALIZED;
    if (uuid == NULL || dev == NULL)
        return NVML_ERROR_INVALID_ARGUMENT;
    for (unsigned int i = 0; i < n_devs; i++) {
        if (strcmp(devs[i].uuid, uuid) == 0) {
            *dev = &devs[i];
            return NVML_SUCCESS;
        }
    }
    return NVML_ERROR_NOT_FOUND;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t dev, char *uuid, unsigned int len)
{
    struct fake_dev *d = device(dev);
    if (d == NULL || uuid == NULL)
        return refs <= 0 ? NVML_ERROR_UNINITIALIZED : NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(d->uuid) >= len)
        return NVML_ERROR_INSUFFICIENT_SIZE;
    memcpy(uuid, d->uuid, strlen(d->uuid) + 1);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t dev, unsigned long long *mj)
{
    struct fake_dev *d = device(dev);
    if (d == NULL || mj == NULL)
        return refs <= 0 ? NVML_ERROR_UNINITIALIZED : NVML_ERROR_INVALID_ARGUMENT;
    if (d->mode != FAKE_ENERGY)
        return NVML_ERROR_NOT_SUPPORTED;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double s = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    *mj = (unsigned long long)(d->watts * s * 1000.0);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t dev, unsigned int *mw)
{
    struct fake_dev *d = device(dev);
    if (d == NULL || mw == NULL)
        return refs <= 0 ? NVML_ERROR_UNINITIALIZED : NVML_ERROR_INVALID_ARGUMENT;
    if (d->mode == FAKE_NONE)
        return NVML_ERROR_NOT_SUPPORTED;
    *mw = (unsigned int)(d->watts * 1000.0);
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t rc)
{
    switch (rc) {
    case NVML_SUCCESS:
        return "Success";
    case NVML_ERROR_UNINITIALIZED:
        return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT:
        return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED:
        return "Not Supported";
    case NVML_ERROR_NOT_FOUND:
        return "Not Found";
    case NVML_ERROR_DRIVER_NOT_LOADED:
        return "Driver Not Loaded";
    case NVML_ERROR_UNKNOWN:
        return "Unknown Error";
    default:
        return "Unknown Error";
    }
}
