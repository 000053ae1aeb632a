/*
 * test_cases.c -- the table-driven spec tests: every cases/valid/NAME.yaml
 * must parse and print (es_spec_print) exactly NAME.expected, and every
 * cases/invalid/NAME.yaml must fail with ES_ESPEC and exactly the message in
 * NAME.expected (one line, with file, line and column).  Specs are parsed
 * under their bare file name so messages do not depend on the checkout.
 *
 * ES_SPEC_REGEN=1 rewrites the .expected files from the current output, to
 * review with `git diff` after a deliberate change.
 */
#include <dirent.h>
#include <errno.h>

#include "es_test.h"
#include "spec.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (f == NULL)
        return NULL;
    do {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            if (buf == NULL)
                ES_FAIL("out of memory");
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted .yaml file names of one cases directory; returns the count. */
static size_t list_cases(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    if (d == NULL)
        ES_FAIL("cannot open %s: %s (is ES_SOURCE_DIR set?)", dir, strerror(errno));
    *names = NULL;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
            continue;
        *names = realloc(*names, (n + 1) * sizeof **names);
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(*names, n, sizeof **names, cmp_names);
    return n;
}

/* Compare got with NAME.expected (or rewrite it); 1 when they match. */
static int check_expected(const char *dir, const char *name, const char *got)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%.*s.expected", dir, (int)(strlen(name) - 5), name);
    if (getenv("ES_SPEC_REGEN") != NULL) {
        FILE *f = fopen(path, "w");
        if (f == NULL)
            ES_FAIL("cannot write %s", path);
        fputs(got, f);
        fclose(f);
        return 1;
    }
    char *want = slurp(path, NULL);
    if (want == NULL) {
        fprintf(stderr, "%s: missing %s\n", name, path);
        return 0;
    }
    int ok = strcmp(want, got) == 0;
    if (!ok)
        fprintf(stderr, "%s: output differs\n--- want\n%s--- got\n%s---\n", name, want, got);
    free(want);
    return ok;
}

static void run_cases(const char *kind)
{
    char dir[4096], path[4096 + 256];
    char **names;
    int failures = 0;

    snprintf(dir, sizeof dir, "%s/tests/spec/cases/%s", es_test_source_dir(), kind);
    size_t n = list_cases(dir, &names);
    ES_CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        es_spec *spec = NULL;
        es_err err;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = slurp(path, &len);
        ES_CHECK(text != NULL);
        int rc = es_spec_parse_string(text, len, names[i], &spec, &err);
        if (strcmp(kind, "valid") == 0) {
            if (rc != 0) {
                fprintf(stderr, "%s: unexpected error %d: %s\n", names[i], rc, err.msg);
                failures++;
            } else {
                char *out = NULL;
                size_t outlen = 0;
                FILE *f = open_memstream(&out, &outlen);
                es_spec_print(spec, f);
                fclose(f);
                failures += !check_expected(dir, names[i], out);
                free(out);
            }
        } else if (rc != ES_ESPEC || spec != NULL) {
            fprintf(stderr, "%s: expected ES_ESPEC, got %d\n", names[i], rc);
            failures++;
        } else {
            char line[ES_ERR_MSG_MAX + 2];
            snprintf(line, sizeof line, "%s\n", err.msg);
            failures += !check_expected(dir, names[i], line);
        }
        es_spec_free(spec);
        free(text);
        free(names[i]);
    }
    free(names);
    if (failures > 0)
        ES_FAIL("%d of %zu %s cases failed", failures, n, kind);
}

ES_TEST(valid_cases)
{
    run_cases("valid");
}

ES_TEST(invalid_cases)
{
    run_cases("invalid");
}

/* Every prefix of every case either parses or fails with a located
 * ES_ESPEC message: no crash, leak or unlocated error on cut-off input. */
ES_TEST(truncated_specs_fail_cleanly)
{
    static const char *const kinds[] = {"valid", "invalid"};
    for (size_t k = 0; k < 2; k++) {
        char dir[4096], path[4096 + 256];
        char **names;
        snprintf(dir, sizeof dir, "%s/tests/spec/cases/%s", es_test_source_dir(), kinds[k]);
        size_t n = list_cases(dir, &names);
        for (size_t i = 0; i < n; i++) {
            size_t len;
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            char *text = slurp(path, &len);
            ES_CHECK(text != NULL);
            for (size_t cut = 0; cut <= len; cut++) {
                es_spec *spec = NULL;
                es_err err;
                int rc = es_spec_parse_string(text, cut, names[i], &spec, &err);
                if (rc != 0 &&
                    (rc != ES_ESPEC || strncmp(err.msg, names[i], strlen(names[i])) != 0 ||
                     err.msg[strlen(names[i])] != ':'))
                    ES_FAIL("%s cut at %zu: rc %d: %s", names[i], cut, rc, err.msg);
                es_spec_free(spec);
            }
            free(text);
            free(names[i]);
        }
        free(names);
    }
}
