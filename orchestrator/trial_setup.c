/*
 * trial_setup.c -- directories, files, command JSON and environment for a
 * trial about to be launched (see trial_setup.h).
 */
#include "trial_setup.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spec.h"

extern char **environ;

int es_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int es_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -errno;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -errno;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t nc = (*len + n + 1) * 2;
        char *nb = realloc(*buf, nc);
        if (nb == NULL)
            return -ENOMEM;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

char *es_argv_json(char *const *argv)
{
    size_t len = 0, cap = 0;
    char *buf = NULL;
    int rc = append(&buf, &len, &cap, "[");
    for (int i = 0; rc == 0 && argv[i] != NULL; i++) {
        es_value v = {.kind = ES_V_STR, .s = argv[i]};
        if (i > 0)
            rc = append(&buf, &len, &cap, ", ");
        if (rc == 0)
            rc = es_value_json(&v, &buf, &len, &cap);
    }
    if (rc == 0)
        rc = append(&buf, &len, &cap, "]");
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* s is "NAME=..." for one of the n names. */
static int named(const char *s, const char *const *names, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        size_t len = strlen(names[j]);
        if (strncmp(s, names[j], len) == 0 && s[len] == '=')
            return 1;
    }
    return 0;
}

char **es_env_with(const char *const *names, const char *const *values, size_t n)
{
    size_t count = 0, k = 0;
    char **env;

    while (environ[count] != NULL)
        count++;
    env = calloc(count + n + 1, sizeof *env);
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (!named(environ[i], names, n) && (env[k] = strdup(environ[i])) != NULL)
            k++;
    for (size_t j = 0; j < n; j++) {
        size_t len = strlen(names[j]) + strlen(values[j]) + 2;
        if ((env[k] = malloc(len)) != NULL)
            snprintf(env[k++], len, "%s=%s", names[j], values[j]);
    }
    env[k] = NULL;
    return env;
}

void es_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; v[i] != NULL; i++)
        free(v[i]);
    free(v);
}
