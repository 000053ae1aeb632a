/*
 * trial_setup.c -- directories, files, command JSON and environment for a
 * trial about to be launched (see trial_setup.h).  Everything it creates
 * is created without the world-write bit, whatever the umask.
 */
#include "trial_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"

extern char **environ;

/* Directories and files a sweep creates get these modes before the umask:
 * whatever the umask lets through, except writing by others. */
#define DIR_MODE (S_IRWXU | S_IRWXG | S_IROTH | S_IXOTH)            /* 0775 */
#define FILE_MODE (S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP | S_IROTH) /* 0664 */

int es_mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    /* Usually only the last component is missing (a trial's directory in
     * its sweep's): one mkdir, not one per component. */
    if (mkdir(path, DIR_MODE) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -errno;
    if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf)
        return -ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, DIR_MODE) != 0 && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    }
    if (mkdir(buf, DIR_MODE) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int es_dir_open_under(const char *root, const char *rel, int private_, int *out)
{
    mode_t mode = private_ ? S_IRWXU : (S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH);
    char comp[NAME_MAX + 1];
    int rc, fd;
    *out = -1;
    /* The root is where the user put the database: its path is followed. */
    if (mkdir(root, mode) != 0 && errno != EEXIST) {
        if (errno != ENOENT || (rc = es_mkdir_p(root)) != 0)
            return errno == ENOENT ? rc : -errno;
    }
    if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -errno;
    for (const char *p = rel; *p != '\0';) {
        size_t len = strcspn(p, "/");
        if (len == 0 || len > NAME_MAX || (len <= 2 && strncmp(p, "..", len) == 0)) {
            close(fd);
            return -EINVAL;
        }
        memcpy(comp, p, len);
        comp[len] = '\0';
        p += len + (p[len] == '/');
        /* Below it, every directory is ours: never a link someone planted. */
        if (mkdirat(fd, comp, mode) != 0 && errno != EEXIST) {
            rc = -errno;
            close(fd);
            return rc;
        }
        int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        rc = next < 0 ? -errno : 0;
        close(fd);
        if (next < 0)
            return rc == -ENOTDIR ? -ELOOP : rc; /* a link, or not a directory */
        fd = next;
    }
    *out = fd;
    return 0;
}

FILE *es_file_createat(int dirfd, const char *name)
{
    struct stat st;
    /* No O_TRUNC before the checks: a link to someone's file is refused
     * untouched. */
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, FILE_MODE);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1) {
        close(fd);
        errno = EPERM;
        return NULL;
    }
    /* A file left from before (a resumed trial's) loses a world-write bit
     * it may have had; failing that is not worth refusing the trial. */
    if ((st.st_mode & S_IWOTH) != 0)
        (void)fchmod(fd, st.st_mode & 07777 & ~(mode_t)S_IWOTH);
    if (ftruncate(fd, 0) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

int es_write_fileat(int dirfd, const char *name, const char *text)
{
    FILE *f = es_file_createat(dirfd, name);
    if (f == NULL)
        return -errno;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -errno;
}

int es_rename_under(const char *root, const char *rel, const char *from, const char *to,
                    int private_)
{
    int fd, rc;
    if (strchr(from, '/') != NULL || strchr(to, '/') != NULL)
        return -EINVAL;
    if ((rc = es_dir_open_under(root, rel, private_, &fd)) != 0)
        return rc;
    rc = renameat(fd, from, fd, to) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

FILE *es_file_create(const char *path)
{
    return es_file_createat(AT_FDCWD, path);
}

int es_write_file(const char *path, const char *text)
{
    return es_write_fileat(AT_FDCWD, path, text);
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

/* The length of the name of environment entry s ("NAME=value"). */
static size_t entry_name_len(const char *s)
{
    const char *eq = strchr(s, '=');
    return eq ? (size_t)(eq - s) : strlen(s);
}

/* 1 when s[0..len) is one of the n names. */
static int is_one_of(const char *s, size_t len, const char *const *names, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (strlen(names[j]) == len && strncmp(s, names[j], len) == 0)
            return 1;
    return 0;
}

/* "name=value" as a fresh string, or NULL. */
static char *entry(const char *name, const char *value)
{
    size_t len = strlen(name) + strlen(value) + 2;
    char *s = malloc(len);
    if (s != NULL)
        snprintf(s, len, "%s=%s", name, value);
    return s;
}

char **es_env_build(char *const *base, const es_spec_env *spec_env, const char *const *names,
                    const char *const *values, size_t n)
{
    static const es_spec_env none = {0};
    size_t count = 0, k = 0;
    char **env;

    if (base == NULL)
        base = environ;
    if (spec_env == NULL)
        spec_env = &none;
    while (base[count] != NULL)
        count++;
    env = calloc(count + spec_env->n_set + n + 1, sizeof *env);
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        size_t len = entry_name_len(base[i]);
        if (is_one_of(base[i], len, names, n) ||
            is_one_of(base[i], len, (const char *const *)spec_env->set_names, spec_env->n_set))
            continue;
        if (spec_env->n_remove > 0) {
            char *name = strndup(base[i], len);
            if (name == NULL)
                goto nomem;
            int removed = es_spec_env_removes(spec_env, name);
            free(name);
            if (removed)
                continue;
        }
        if ((env[k++] = strdup(base[i])) == NULL)
            goto nomem;
    }
    for (size_t j = 0; j < spec_env->n_set; j++) {
        const char *name = spec_env->set_names[j];
        if (is_one_of(name, strlen(name), names, n)) /* ecosweep's own win */
            continue;
        if ((env[k++] = entry(name, spec_env->set_values[j])) == NULL)
            goto nomem;
    }
    for (size_t j = 0; j < n; j++)
        if ((env[k++] = entry(names[j], values[j])) == NULL)
            goto nomem;
    env[k] = NULL;
    return env;
nomem:
    es_strv_free(env);
    return NULL;
}
