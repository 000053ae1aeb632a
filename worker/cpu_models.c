/*
 * cpu_models.c -- the CPU model table for the estimate (see cpu_models.h).
 *
 * TDP and core counts are the vendors' published specifications (Intel ARK,
 * AMD product pages); the desktop and older Xeon rows are the ones Green
 * Algorithms' TDP_cpu.csv lists with the same sources.  Watts per core =
 * TDP / cores.
 */
#include "cpu_models.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTEL "Intel ARK specification"
#define AMD "AMD product specification"

static const es_cpu_model models[] = {
    /* Server CPUs common under ML training jobs. */
    {"Xeon Platinum 8480+", 350, 56, INTEL},
    {"Xeon Platinum 8380", 270, 40, INTEL},
    {"Xeon Platinum 8360Y", 250, 36, INTEL},
    {"Xeon Platinum 8280", 205, 28, INTEL},
    {"Xeon Platinum 9282", 400, 56, INTEL},
    {"Xeon Gold 6248R", 205, 24, INTEL},
    {"Xeon Gold 6252", 150, 24, INTEL},
    {"Xeon Gold 6248", 150, 20, INTEL},
    {"Xeon Gold 6230", 125, 20, INTEL},
    {"Xeon Gold 6148", 150, 20, INTEL},
    {"Xeon Gold 6142", 150, 16, INTEL},
    {"Xeon E5-2699 v4", 145, 22, INTEL},
    {"Xeon E5-2697 v4", 145, 18, INTEL},
    {"Xeon E5-2695 v4", 120, 18, INTEL},
    {"Xeon E5-2683 v4", 120, 16, INTEL},
    {"Xeon E5-2699 v3", 145, 18, INTEL},
    {"Xeon E5-2690 v3", 135, 12, INTEL},
    {"Xeon E5-2680 v3", 120, 12, INTEL},
    {"Xeon E5-2660 v3", 105, 10, INTEL},
    {"Xeon E5-2690 v2", 130, 10, INTEL},
    {"Xeon E5-2670 v2", 115, 10, INTEL},
    {"Xeon E5-2670", 115, 8, INTEL},
    {"Xeon E5-2665", 115, 8, INTEL},
    {"EPYC 9654", 360, 96, AMD},
    {"EPYC 7H12", 280, 64, AMD},
    {"EPYC 7763", 280, 64, AMD},
    {"EPYC 7742", 225, 64, AMD},
    {"EPYC 7552", 200, 48, AMD},
    {"EPYC 7543", 225, 32, AMD},
    {"EPYC 7502", 180, 32, AMD},
    {"EPYC 7402", 180, 24, AMD},
    {"EPYC 7251", 120, 8, AMD},
    /* Workstations and desktops. */
    {"Ryzen Threadripper 3990X", 280, 64, AMD},
    {"Ryzen Threadripper 2990WX", 250, 32, AMD},
    {"Ryzen 9 3950X", 105, 16, AMD},
    {"Ryzen 9 3900X", 105, 12, AMD},
    {"Ryzen 7 3700X", 65, 8, AMD},
    {"Ryzen 5 3600", 65, 6, AMD},
    {"Core i9-12900K", 125, 16, INTEL},
    {"Core i9-10900K", 125, 10, INTEL},
    {"Core i9-9900K", 95, 8, INTEL},
    {"Core i7-10700K", 125, 8, INTEL},
    {"Core i7-10700", 65, 8, INTEL},
    {"Core i7-8700K", 95, 6, INTEL},
    {"Core i7-6700K", 95, 4, INTEL},
    {"Core i5-10400F", 65, 6, INTEL},
    {"Core i5-10400", 65, 6, INTEL},
    {"Core i5-9400", 65, 6, INTEL},
};

/* Lower-case copy of s without "(R)"/"(TM)" and with runs of spaces as one. */
static void normalize(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    while (*s != '\0' && n + 1 < cap) {
        if (strncasecmp(s, "(r)", 3) == 0) {
            s += 3;
            continue;
        }
        if (strncasecmp(s, "(tm)", 4) == 0) {
            s += 4;
            continue;
        }
        char c = (char)tolower((unsigned char)*s++);
        if (isspace((unsigned char)c)) {
            if (n == 0 || out[n - 1] == ' ')
                continue;
            c = ' ';
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

/* needle occurs in hay with no letter or digit right before or after it. */
static int has_word(const char *hay, const char *needle)
{
    size_t len = strlen(needle);
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        int before = p == hay || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[len]) && p[len] != '+';
        if (before && after)
            return 1;
    }
    return 0;
}

const es_cpu_model *es_cpu_model_find(const char *model_name)
{
    char name[256], key[64];
    const es_cpu_model *best = NULL;
    normalize(model_name, name, sizeof name);
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        normalize(models[i].key, key, sizeof key);
        if (has_word(name, key) && (best == NULL || strlen(models[i].key) > strlen(best->key)))
            best = &models[i];
    }
    return best;
}

int es_cpu_model_name(const char *path, char *buf, size_t cap)
{
    const char *env = getenv("ECOSWEEP_CPUINFO");
    char line[512];
    FILE *f = fopen(path ? path : env && *env ? env : "/proc/cpuinfo", "r");
    if (f == NULL)
        return -errno;
    int rc = -ENOENT;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        const char *v = strchr(line, ':');
        if (v == NULL)
            continue;
        v++;
        while (*v == ' ' || *v == '\t')
            v++;
        snprintf(buf, cap, "%s", v);
        buf[strcspn(buf, "\n")] = '\0';
        rc = 0;
        break;
    }
    fclose(f);
    return rc;
}
