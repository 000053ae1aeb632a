/*
 * inputs.c -- the key of what a trial's result depends on beyond its
 * command line and parameters (see inputs.h).
 */
#include "inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "numbers.h"

/* Files larger than this are known by their identity, not their content. */
#define ES_INPUTS_HASH_MAX ((off_t)64 << 20)

/* One file hashed before, known by what stat says of it. */
typedef struct cached_file {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    uint64_t hash;
} cached_file;

struct es_inputs {
    cached_file *files;
    size_t n, cap;
};

es_inputs *es_inputs_new(void)
{
    return calloc(1, sizeof(es_inputs));
}

void es_inputs_free(es_inputs *in)
{
    if (in == NULL)
        return;
    free(in->files);
    free(in);
}

static int same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static cached_file *cache_find(es_inputs *in, const struct stat *sb)
{
    for (size_t i = 0; i < in->n; i++) {
        cached_file *c = &in->files[i];
        if (c->dev == sb->st_dev && c->ino == sb->st_ino && c->size == sb->st_size &&
            same_time(c->mtime, sb->st_mtim) && same_time(c->ctime, sb->st_ctim))
            return c;
    }
    return NULL;
}

/* The content hash of the regular file open on fd (stat sb), from the cache
 * or read now.  0, -errno of a failed read, or -ENOMEM. */
static int file_hash(es_inputs *in, int fd, const struct stat *sb, uint64_t *out)
{
    cached_file *c = cache_find(in, sb);
    if (c != NULL) {
        *out = c->hash;
        return 0;
    }
    uint64_t h = ES_HASH64_INIT;
    char buf[1 << 16];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        h = es_hash64(h, buf, (size_t)got);
    }
    if (in->n == in->cap) {
        size_t cap = in->cap ? in->cap * 2 : 8;
        cached_file *f = realloc(in->files, cap * sizeof *f);
        if (f == NULL)
            return -ENOMEM;
        in->files = f;
        in->cap = cap;
    }
    in->files[in->n++] =
        (cached_file){sb->st_dev, sb->st_ino, sb->st_size, sb->st_mtim, sb->st_ctim, h};
    *out = h;
    return 0;
}

/* Fold the file at path, when it is an existing regular file, into *h:
 * its path and its content's hash (a file past ES_INPUTS_HASH_MAX bytes:
 * its identity -- device, inode, size, modification and change times --
 * instead, so that a data set of many gigabytes does not stall the sweep),
 * or the error that kept it from being read.  Directories, devices, pipes
 * and missing paths add nothing.  0 or -ENOMEM. */
static int fold_file(es_inputs *in, const char *path, uint64_t *h)
{
    struct stat sb;
    char text[160];
    if (path[0] == '\0' || strlen(path) >= PATH_MAX || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    uint64_t fh = 0;
    int rc = 0;
    if (sb.st_size > ES_INPUTS_HASH_MAX) {
        snprintf(text, sizeof text, "big %llu %llu %lld %lld.%09ld %lld.%09ld",
                 (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino,
                 (long long)sb.st_size, (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec,
                 (long long)sb.st_ctim.tv_sec, sb.st_ctim.tv_nsec);
    } else {
        /* Non-blocking, in case the path became a FIFO since the stat. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
            rc = -errno;
        else if (fstat(fd, &sb) != 0)
            rc = -errno;
        else if (!S_ISREG(sb.st_mode))
            rc = -EINVAL;
        else
            rc = file_hash(in, fd, &sb, &fh);
        if (fd >= 0)
            close(fd);
        if (rc == -ENOMEM)
            return rc;
        if (rc == 0)
            snprintf(text, sizeof text, "%016llx", (unsigned long long)fh);
        else
            snprintf(text, sizeof text, "error %d", -rc);
    }
    *h = es_hash64(*h, "file", 5);
    *h = es_hash64(*h, path, strlen(path) + 1);
    *h = es_hash64(*h, text, strlen(text) + 1);
    return 0;
}

/* A bare name (no slash) as the trial's $PATH finds it, folded. */
static int fold_path_lookup(es_inputs *in, const char *path, const char *name, uint64_t *h)
{
    char full[PATH_MAX];
    if (path == NULL || *path == '\0' || strlen(name) >= NAME_MAX || strchr(name, '/') != NULL)
        return 0;
    for (const char *p = path; *p != '\0';) {
        size_t len = strcspn(p, ":");
        int w = snprintf(full, sizeof full, "%.*s/%s", (int)len, len ? p : ".", name);
        if (w > 0 && (size_t)w < sizeof full && access(full, X_OK) == 0) {
            struct stat sb;
            if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode))
                return fold_file(in, full, h);
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return 0;
}

/* The next shell-like word of *p: blanks and the operators ; | & < > ( )
 * and ` separate words, '...' and "..." group (quotes dropped), a
 * backslash escapes the next character.  A word of more than cap - 1
 * bytes is cut.  0 when there is no word left. */
static int next_word(const char **p, char *word, size_t cap)
{
    static const char separators[] = " \t\n;|&<>()`";
    const char *s = *p;
    size_t n = 0;
    char quote = 0;
    while (*s != '\0' && strchr(separators, *s) != NULL)
        s++;
    if (*s == '\0') {
        *p = s;
        return 0;
    }
    for (; *s != '\0'; s++) {
        char ch = *s;
        if (quote != 0 && ch == quote) {
            quote = 0;
            continue;
        }
        if (quote == 0 && (ch == '\'' || ch == '"')) {
            quote = ch;
            continue;
        }
        if (quote == 0 && strchr(separators, ch) != NULL)
            break;
        if (ch == '\\' && quote != '\'' && s[1] != '\0')
            ch = *++s;
        if (n + 1 < cap)
            word[n++] = ch;
    }
    word[n] = '\0';
    *p = s;
    return 1;
}

/* Every path an argument names: each of its shell-like words (the whole
 * argument, when it is one), what follows a word's first '=' (as in
 * --data=train.csv), and, in a shell script or as the command, a bare
 * word as the trial's $PATH finds it. */
static int fold_argument(es_inputs *in, const char *arg, const char *path, int lookup, uint64_t *h)
{
    char word[PATH_MAX];
    const char *whole_eq = strchr(arg, '=');
    int rc = fold_file(in, arg, h);
    if (rc == 0 && whole_eq != NULL) /* --data=a file with blanks */
        rc = fold_file(in, whole_eq + 1, h);
    for (const char *p = arg; rc == 0 && next_word(&p, word, sizeof word);) {
        const char *eq = strchr(word, '=');
        if (strcmp(word, arg) != 0)
            rc = fold_file(in, word, h);
        if (rc == 0 && eq != NULL)
            rc = fold_file(in, eq + 1, h);
        if (rc == 0 && lookup)
            rc = fold_path_lookup(in, path, word, h);
    }
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spec's env.set pairs and env.remove patterns, each sorted (their
 * order in the file changes nothing). */
static int fold_env(const es_spec_env *env, uint64_t *h)
{
    size_t n = env->n_set > env->n_remove ? env->n_set : env->n_remove;
    char **v = calloc(n ? n : 1, sizeof *v);
    int rc = 0;
    if (v == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < env->n_set && rc == 0; i++) {
        size_t len = strlen(env->set_names[i]) + strlen(env->set_values[i]) + 2;
        if ((v[i] = malloc(len)) == NULL)
            rc = -ENOMEM;
        else
            snprintf(v[i], len, "%s=%s", env->set_names[i], env->set_values[i]);
    }
    if (rc == 0) {
        qsort(v, env->n_set, sizeof *v, cmp_str);
        *h = es_hash64(*h, "set", 4);
        for (size_t i = 0; i < env->n_set; i++)
            *h = es_hash64(*h, v[i], strlen(v[i]) + 1);
    }
    for (size_t i = 0; i < env->n_set; i++)
        free(v[i]);
    if (rc == 0) {
        if (env->n_remove > 0) /* remove is NULL when there is none */
            memcpy(v, env->remove, env->n_remove * sizeof *v);
        qsort(v, env->n_remove, sizeof *v, cmp_str);
        *h = es_hash64(*h, "remove", 7);
        for (size_t i = 0; i < env->n_remove; i++)
            *h = es_hash64(*h, v[i], strlen(v[i]) + 1);
    }
    free(v);
    return rc;
}

/* The $PATH a trial gets: the spec's env.set PATH, else this process's. */
static const char *trial_path(const es_spec *spec)
{
    for (size_t i = 0; i < spec->env.n_set; i++)
        if (strcmp(spec->env.set_names[i], "PATH") == 0)
            return spec->env.set_values[i];
    return es_spec_env_removes(&spec->env, "PATH") ? NULL : getenv("PATH");
}

/* A shell script with its positional references ("${1}", ${2}) replaced
 * by the values they stand for (args[0] is $0), so that a path the
 * template builds around a value (data/${ds}.csv) is seen whole.  Fresh,
 * or NULL when out of memory. */
static char *expand_refs(const char *script, char *const *args, size_t n_args)
{
    size_t cap = strlen(script) + 1, len = 0;
    for (size_t i = 1; i < n_args; i++)
        cap += strlen(args[i]);
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    for (const char *p = script; *p != '\0';) {
        char *end;
        unsigned long k;
        if (p[0] == '$' && p[1] == '{' && p[2] >= '0' && p[2] <= '9' &&
            (k = strtoul(p + 2, &end, 10)) > 0 && *end == '}' && k < n_args) {
            size_t vl = strlen(args[k]);
            if (len + vl + 1 > cap) /* a reference used twice */
                break;
            memcpy(out + len, args[k], vl);
            len += vl;
            p = end + 1;
            continue;
        }
        if (len + 2 > cap)
            break;
        out[len++] = *p++;
    }
    out[len] = '\0';
    return out;
}

int es_inputs_key(es_inputs *in, const es_spec *spec, char *const *argv,
                  char key[ES_INPUTS_KEY_SIZE], es_err *err)
{
    uint64_t h = es_hash64(ES_HASH64_INIT, "inputs-2", 9);
    const char *path = trial_path(spec);
    size_t n = 0;
    int rc = 0;
    while (argv != NULL && argv[n] != NULL)
        n++;
    if (spec->program != NULL)
        rc = fold_file(in, spec->program, &h);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        /* /bin/sh -c SCRIPT sh V1 ...: the script read with its values. */
        if (spec->shell && i == 2 && n > 3) {
            char *script = expand_refs(argv[2], argv + 3, n - 3);
            if (script == NULL)
                return es_err_set(err, -ENOMEM, "out of memory");
            rc = fold_argument(in, script, path, 1, &h);
            free(script);
            continue;
        }
        rc = fold_argument(in, argv[i], path, i == 0 || spec->shell, &h);
    }
    if (rc == 0)
        rc = fold_env(&spec->env, &h);
    if (rc != 0)
        return es_err_set(err, -ENOMEM, "out of memory");
    snprintf(key, ES_INPUTS_KEY_SIZE, "%016llx", (unsigned long long)h);
    return 0;
}
