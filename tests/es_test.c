/*
 * es_test.c -- registry and main() of the test harness (see es_test.h).
 */
#include "es_test.h"

#include <errno.h>
#include <ftw.h>
#include <unistd.h>

#define ES_TEST_MAX 512

static struct {
    const char *name;
    es_test_fn fn;
} tests[ES_TEST_MAX];
static int n_tests;
static char tmpdir[4096];

void es_test_register(const char *name, es_test_fn fn)
{
    if (n_tests == ES_TEST_MAX) {
        fprintf(stderr, "too many tests\n");
        exit(2);
    }
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
}

const char *es_test_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/es-test-XXXXXX", base ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *es_test_build_dir(void)
{
    const char *d = getenv("ES_BUILD_DIR");
    return d ? d : ".";
}

const char *es_test_source_dir(void)
{
    const char *d = getenv("ES_SOURCE_DIR");
    return d ? d : "..";
}

const char *es_test_write_file(const char *name, const char *text)
{
    static char buf[4][4300];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", es_test_tmpdir(), name);
    FILE *f = fopen(buf[k], "w");
    ES_CHECK(f != NULL);
    fputs(text, f);
    fclose(f);
    return buf[k];
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        for (int i = 0; i < n_tests; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    for (int i = 0; i < n_tests; i++) {
        if (strcmp(tests[i].name, argv[1]) == 0) {
            tests[i].fn();
            if (tmpdir[0] != '\0' && getenv("ES_TEST_KEEP") == NULL)
                nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
            return 0;
        }
    }
    fprintf(stderr, "no test named '%s'\n", argv[1]);
    return 2;
}
