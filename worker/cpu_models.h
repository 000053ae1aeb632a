/*
 * cpu_models.h -- watts per core of known CPU models, for the estimate.
 *
 * Green Algorithms (Lannelongue et al. 2021) estimates a CPU's power as its
 * thermal design power divided by its core count, per busy core.  This table
 * holds TDP and core counts from the vendors' specifications for CPUs common
 * in ML work; a CPU not in it falls back to 12 W per core, Green
 * Algorithms' value for an unknown model.
 */
#ifndef ES_CPU_MODELS_H
#define ES_CPU_MODELS_H

#include <stddef.h>

typedef struct es_cpu_model {
    const char *key; /* matched against the model name, e.g. "Xeon Gold 6148" */
    double tdp_w;    /* thermal design power of the package */
    int cores;       /* physical cores of the package */
    const char *source;
} es_cpu_model;

/* The entry whose key appears in model_name (as whole words, ignoring "(R)",
 * "(TM)" and case); the longest key wins ("Core i5-10400F" over "Core
 * i5-10400").  NULL when none does. */
const es_cpu_model *es_cpu_model_find(const char *model_name);

/* Read the first "model name" of a cpuinfo file (path NULL: the file named
 * by $ECOSWEEP_CPUINFO, else /proc/cpuinfo) into buf.  0 or -errno. */
int es_cpu_model_name(const char *path, char *buf, size_t cap);

#endif
