/*
 * test_security.c -- what a trial can reach and what a sweep leaves on
 * disk: parameter values that arrive verbatim through `shell: true` with
 * nothing executed, the trial environment that `env:` trims and extends
 * (ECOSWEEP_* always present), and files and directories that are never
 * writable by others, even under umask 0.  The end-to-end tests run the
 * real `ecosweep` and `ecosweep-worker` (sweep_exec.h) with
 * tests/orchestrator/trial.sh or /bin/sh as the trial.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "es_test.h"
#include "spec.h"
#include "store.h"
#include "sweep_exec.h"
#include "trial_setup.h"

static es_spec *parse(const char *yaml)
{
    es_spec *spec = NULL;
    es_err err;
    if (es_spec_parse_string(yaml, strlen(yaml), "sec.yaml", &spec, &err) != 0)
        ES_FAIL("parse failed: %s", err.msg);
    return spec;
}

/* Run `ecosweep run SPEC --db DB --no-status` to its end; its exit code. */
static int run_sweep(const char *spec, const char *db)
{
    const char *const args[] = {"run", spec, NULL};
    const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    int rc = es_sx_finish(es_sx_start(db, args, extra));
    if (rc != 0)
        es_sx_show_output();
    return rc;
}

/* Compare a NULL-terminated vector with the expected one. */
static void check_strv(char **got, const char *const *want, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (got[i] == NULL)
            ES_FAIL("vector has %zu entries, want %zu", i, n);
        ES_CHECK_STR(got[i], want[i]);
    }
    if (got[i] != NULL)
        ES_FAIL("vector has an extra entry '%s'", got[i]);
}

/* ---- The environment builder -------------------------------------------------- */

ES_TEST(env_build_removes_then_sets_and_ecosweep_wins)
{
    es_spec *spec = parse("program: p.py\n"
                          "env:\n"
                          "  remove: [AWS_*, 'SECRET_[0-9]', TOKEN, OVER, '*_ROOT', 'ECOSWEEP_*']\n"
                          "  set: {OVER: new, FOO: 'a b=c', N: 3}\n"
                          "parameters: {x: {value: 1}}\n");
    char *const base[] = {"PATH=/bin",
                          "AWS_ACCESS_KEY_ID=k",
                          "AWS_SECRET_ACCESS_KEY=s",
                          "SECRET_1=x",
                          "SECRET_XY=kept",
                          "TOKEN=t",
                          "TOKENS=kept",
                          "HOME_ROOT=/r",
                          "ECOSWEEP_POWERCAP_ROOT=/p",
                          "ECOSWEEP_TRIAL_ID=stale",
                          "OVER=old",
                          "FOO=old",
                          "NOEQUALS",
                          NULL};
    const char *const names[] = {"ECOSWEEP_TRIAL_ID", "ECOSWEEP_TRIAL_DIR"};
    const char *const values[] = {"7", "/logs/trial-0"};
    char **env = es_env_build(base, &spec->env, names, values, 2);
    const char *const want[] = {"PATH=/bin",
                                "SECRET_XY=kept",
                                "TOKENS=kept",
                                "ECOSWEEP_POWERCAP_ROOT=/p", /* no pattern removes ECOSWEEP_* */
                                "NOEQUALS",
                                "OVER=new",
                                "FOO=a b=c",
                                "N=3",
                                "ECOSWEEP_TRIAL_ID=7",
                                "ECOSWEEP_TRIAL_DIR=/logs/trial-0"};
    check_strv(env, want, sizeof want / sizeof want[0]);
    es_strv_free(env);
    es_spec_free(spec);

    /* A set ECOSWEEP_* variable (the parser refuses one; a spec built by
     * hand could hold it) loses to ecosweep's own. */
    char *set_names[] = {"ECOSWEEP_TRIAL_ID", "MINE"}, *set_values[] = {"forged", "1"};
    es_spec_env forged = {NULL, 0, set_names, set_values, 2};
    env = es_env_build(base + 9, &forged, names, values, 1);
    const char *const want2[] = {"OVER=old", "FOO=old", "NOEQUALS", "MINE=1",
                                 "ECOSWEEP_TRIAL_ID=7"};
    check_strv(env, want2, sizeof want2 / sizeof want2[0]);
    es_strv_free(env);
}

ES_TEST(env_build_without_env_key_inherits_everything)
{
    const char *const names[] = {"ECOSWEEP_TRIAL_ID"};
    const char *const values[] = {"3"};
    setenv("ES_SEC_INHERITED", "yes it is", 1);
    setenv("ECOSWEEP_TRIAL_ID", "stale", 1);
    char **env = es_env_build(NULL, NULL, names, values, 1);
    int inherited = 0, ids = 0;
    size_t n = 0;
    for (; env[n] != NULL; n++) {
        inherited += strcmp(env[n], "ES_SEC_INHERITED=yes it is") == 0;
        ids += strncmp(env[n], "ECOSWEEP_TRIAL_ID=", 18) == 0;
    }
    ES_CHECK_INT(inherited, 1);
    ES_CHECK_INT(ids, 1);
    ES_CHECK_STR(env[n - 1], "ECOSWEEP_TRIAL_ID=3");
    es_strv_free(env);
}

ES_TEST(env_remove_matches_names_and_patterns)
{
    es_spec *spec = parse("program: p.py\n"
                          "env: {remove: [AWS_*, 'K?Y', 'T[0-9]', 'ECOSWEEP_*', '*']}\n"
                          "parameters: {x: {value: 1}}\n");
    ES_CHECK_INT(spec->env.n_remove, 5);
    ES_CHECK(es_spec_env_removes(&spec->env, "AWS_REGION"));
    ES_CHECK(es_spec_env_removes(&spec->env, "KEY"));
    ES_CHECK(es_spec_env_removes(&spec->env, "PATH")); /* '*' */
    ES_CHECK(!es_spec_env_removes(&spec->env, "ECOSWEEP_TRIAL_ID"));
    ES_CHECK(!es_spec_env_removes(&spec->env, "ECOSWEEP_POWERCAP_ROOT"));
    ES_CHECK(!es_spec_env_removes(NULL, "PATH"));
    es_spec_free(spec);
    ES_CHECK(es_env_name_valid("_A1"));
    ES_CHECK(!es_env_name_valid("1A"));
    ES_CHECK(!es_env_name_valid("A=B"));
    ES_CHECK(!es_env_name_valid("A-B"));
    ES_CHECK(!es_env_name_valid(""));
}

/* ---- File modes ------------------------------------------------------------------ */

ES_TEST(trial_files_ignore_a_permissive_umask)
{
    char dir[4300], file[4400], old[4400];
    struct stat st;
    umask(0);
    snprintf(dir, sizeof dir, "%s/a/b/c", es_test_tmpdir());
    ES_CHECK_INT(es_mkdir_p(dir), 0);
    ES_CHECK_INT(stat(dir, &st), 0);
    ES_CHECK_INT(st.st_mode & 07777, 0775);
    snprintf(dir, sizeof dir, "%s/a", es_test_tmpdir());
    ES_CHECK_INT(stat(dir, &st), 0);
    ES_CHECK_INT(st.st_mode & 07777, 0775);

    snprintf(file, sizeof file, "%s/a/params.json", es_test_tmpdir());
    ES_CHECK_INT(es_write_file(file, "{}"), 0);
    ES_CHECK_INT(stat(file, &st), 0);
    ES_CHECK_INT(st.st_mode & 07777, 0664);

    /* A log left world-writable from before loses that bit when reused. */
    snprintf(old, sizeof old, "%s/a/stdout", es_test_tmpdir());
    FILE *f = fopen(old, "w");
    ES_CHECK(f != NULL);
    fclose(f);
    ES_CHECK_INT(chmod(old, 0666), 0);
    f = es_file_create(old);
    ES_CHECK(f != NULL);
    fclose(f);
    ES_CHECK_INT(stat(old, &st), 0);
    ES_CHECK_INT(st.st_mode & 07777, 0664);

    /* A stricter umask still applies. */
    umask(077);
    snprintf(file, sizeof file, "%s/a/private", es_test_tmpdir());
    ES_CHECK_INT(es_write_file(file, "x"), 0);
    ES_CHECK_INT(stat(file, &st), 0);
    ES_CHECK_INT(st.st_mode & 07777, 0600);
}

/* What the walk of a database's directory found. */
static int walk_world_writable, walk_entries;
static char walk_first_bad[4400];

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)type;
    (void)ftw;
    walk_entries++;
    if ((st->st_mode & S_IWOTH) != 0 && walk_world_writable++ == 0)
        snprintf(walk_first_bad, sizeof walk_first_bad, "%s (mode %o)", path,
                 (unsigned)(st->st_mode & 07777));
    return 0;
}

ES_TEST(sweep_files_are_never_world_writable_under_umask_0)
{
    char data[4300], db[4400], path[4500];
    struct stat st;
    snprintf(data, sizeof data, "%s/data", es_test_tmpdir());
    ES_CHECK_INT(mkdir(data, 0755), 0);
    snprintf(db, sizeof db, "%s/sweeps.db", data);
    char spec_text[4400];
    snprintf(spec_text, sizeof spec_text,
             "program: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, '${program}', '${args}']\n"
             "metric: {name: loss, goal: minimize}\n"
             "method: grid\n"
             "parameters:\n  x: {values: [1, 2]}\n  mode: {value: both}\n",
             es_test_source_dir());
    const char *spec = es_test_write_file("umask.yaml", spec_text);

    umask(0); /* inherited by the coordinator, its worker and the trial */
    ES_CHECK_INT(run_sweep(spec, db), 0);

    /* Open the database as a reader would, so that its -wal and -shm files
     * exist (SQLite creates them with the database's own mode). */
    es_store *store;
    es_err err;
    if (es_store_open(db, &store, &err) != 0)
        ES_FAIL("%s", err.msg);
    es_store_data *d;
    if (es_store_load(store, NULL, NULL, &d, &err) != 0)
        ES_FAIL("%s", err.msg);
    ES_CHECK_INT(d->projects[0].sweeps[0].n_trials, 2);
    es_store_data_free(d);
    const char *const must[] = {"",
                                "-wal",
                                "-shm",
                                ".d/sweep-1/trial-0/stdout",
                                ".d/sweep-1/trial-0/stderr",
                                ".d/sweep-1/trial-1/params.json"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db, must[i]);
        if (stat(path, &st) != 0)
            ES_FAIL("%s: %s", path, strerror(errno));
    }
    walk_world_writable = walk_entries = 0;
    ES_CHECK_INT(nftw(data, walk_one, 16, FTW_PHYS), 0);
    es_store_close(store);
    if (walk_world_writable != 0)
        ES_FAIL("%d of %d entries are world-writable, first %s", walk_world_writable, walk_entries,
                walk_first_bad);
    ES_CHECK(walk_entries >= 12); /* data, db, wal, shm, .d, sweep, 2 trials x 3 files */
}

/* ---- shell: true, end to end ------------------------------------------------------- */

ES_TEST(shell_sweep_delivers_hostile_values_verbatim)
{
    static const char *const hostile[] = {"'; touch pwned1; echo '",
                                          "$(touch pwned2)",
                                          "`touch pwned3`",
                                          "x\ny; touch pwned4",
                                          "it's",
                                          "a b > pwned5 \\"};
    char spec_text[8192], db[4400];
    snprintf(spec_text, sizeof spec_text,
             "program: %s/tests/orchestrator/trial.sh\n"
             "shell: true\n"
             "command:\n"
             "  - /bin/sh\n"
             "  - '${program}'\n"
             "  - '${args}'\n"
             "  - '&&'\n"
             "  - 'printf ''%%s v=%%s\\n'' \"$ECOSWEEP_TRIAL_ID\" \"${v}\"'\n"
             "  - '>'\n"
             "  - '\"$ECOSWEEP_TRIAL_DIR/shell\"'\n"
             "metric: {name: loss, goal: minimize}\n"
             "method: grid\n"
             "parameters:\n"
             "  mode: {value: argv}\n"
             "  v: {values: [\"'; touch pwned1; echo '\", \"$(touch pwned2)\", "
             "\"`touch pwned3`\", \"x\\ny; touch pwned4\", \"it's\", \"a b > pwned5 \\\\\"]}\n",
             es_test_source_dir());
    const char *spec = es_test_write_file("shell.yaml", spec_text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(run_sweep(spec, db), 0);

    es_store_data *d = es_sx_load(db);
    es_store_sweep *sw = &d->projects[0].sweeps[0];
    ES_CHECK_INT(sw->n_trials, 6);
    for (size_t i = 0; i < sw->n_trials; i++) {
        const es_store_trial *t = &sw->trials[i];
        const char *v = hostile[t->number];
        char path[4400], want[256];
        ES_CHECK_STR(t->status, "completed");
        /* The value reached the trial as one argument, byte for byte... */
        snprintf(path, sizeof path, "%s/argv", t->log_dir);
        snprintf(want, sizeof want, "--mode=argv\n--v=%s\n", v);
        ES_CHECK_STR(es_sx_slurp(path), want);
        /* ...and the template's own shell code ran: &&, $VAR, redirection. */
        snprintf(path, sizeof path, "%s/shell", t->log_dir);
        snprintf(want, sizeof want, "%lld v=%s\n", (long long)t->id, v);
        ES_CHECK_STR(es_sx_slurp(path), want);
        /* The store records the command as run: sh -c SCRIPT sh VALUES,
         * the script the same for every value. */
        ES_CHECK_CONTAINS(t->command_json,
                          "[\"/bin/sh\", \"-c\", \"/bin/sh \\\"${1}\\\" \\\"${2}\\\" "
                          "\\\"${3}\\\" && printf");
        ES_CHECK_CONTAINS(t->command_json, "\"sh\", \"");
    }
    for (int i = 1; i <= 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "pwned%d", i);
        ES_CHECK(access(es_sx_path(name), F_OK) != 0); /* nothing a value held ran */
    }
    es_store_data_free(d);
}

/* ---- env:, end to end -------------------------------------------------------------- */

/* 1 when the NUL-free text of an `env` listing has the line want. */
static int has_line(const char *text, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, want, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

/* 1 when some line of text starts with prefix. */
static int has_prefix(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, prefix, n) == 0)
            return 1;
    return 0;
}

ES_TEST(trial_environment_follows_the_env_key)
{
    char db[4400];
    /* The coordinator inherits a secret, a cloud key and a harmless
     * variable; the spec removes the first two and sets two more. */
    setenv("ES_SEC_SECRET_TOKEN", "hunter2", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI", 1);
    setenv("ES_SEC_KEEP", "kept", 1);
    setenv("ES_SEC_OVERRIDE", "inherited", 1);
    setenv("ECOSWEEP_POWERCAP_ROOT", "/nonexistent/powercap", 1);
    const char *spec = es_test_write_file(
        "env.yaml",
        "command: ['${env}', 'ES_SEC_BY_ENV_MACRO=1', /bin/sh, -c,\n"
        "          'env > \"$ECOSWEEP_TRIAL_DIR/environ\"; echo loss=1']\n"
        "metric: {name: loss, goal: minimize}\n"
        "method: grid\n"
        "parameters: {x: {value: 1}}\n"
        "env:\n"
        "  remove: ['*SECRET*', 'AWS_*', 'ECOSWEEP_*', ES_SEC_OVERRIDE]\n"
        "  set: {ES_SEC_GREETING: 'hello world', ES_SEC_OVERRIDE: from-spec, ES_SEC_N: 8}\n");
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    ES_CHECK_INT(run_sweep(spec, db), 0);

    es_store_data *d = es_sx_load(db);
    const es_store_trial *t = &d->projects[0].sweeps[0].trials[0];
    char path[4400], line[128];
    ES_CHECK_STR(t->status, "completed");
    snprintf(path, sizeof path, "%s/environ", t->log_dir);
    const char *env = es_sx_slurp(path);
    ES_CHECK(env != NULL);
    ES_CHECK(!has_prefix(env, "ES_SEC_SECRET_TOKEN="));
    ES_CHECK(!has_prefix(env, "AWS_SECRET_ACCESS_KEY="));
    ES_CHECK(strstr(env, "hunter2") == NULL);
    ES_CHECK(has_line(env, "ES_SEC_KEEP=kept"));
    ES_CHECK(has_line(env, "ES_SEC_GREETING=hello world"));
    ES_CHECK(has_line(env, "ES_SEC_OVERRIDE=from-spec"));
    ES_CHECK(has_line(env, "ES_SEC_N=8"));
    ES_CHECK(has_line(env, "ES_SEC_BY_ENV_MACRO=1")); /* ${env} is still /usr/bin/env */
    ES_CHECK(has_line(env, "ECOSWEEP_POWERCAP_ROOT=/nonexistent/powercap"));
    snprintf(line, sizeof line, "ECOSWEEP_TRIAL_ID=%lld", (long long)t->id);
    ES_CHECK(has_line(env, line));
    ES_CHECK(has_prefix(env, "ECOSWEEP_TRIAL_DIR="));
    ES_CHECK(has_prefix(env, "ECOSWEEP_PARAMS_FILE="));
    es_store_data_free(d);
}

/* ---- Links planted under DB.d ------------------------------------------------------ */

/* Whoever can write in DB.d (it was group-writable) could plant links
 * there: a trial directory that is a symlink received the logs, a log
 * that links elsewhere overwrote its target.  Below DB.d nothing is
 * followed: the trial is refused with the reason, the target untouched;
 * DB.d's directories are never group-writable (0700 when the database is
 * not group-readable); a row pointing outside moves nothing on resume. */
ES_TEST(links_planted_under_the_log_directory_are_never_followed)
{
    char spec_text[4096], db[2048], path[4400], victim[4400];
    snprintf(spec_text, sizeof spec_text,
             "program: %s/tests/orchestrator/trial.sh\n"
             "command: [/bin/sh, \"${program}\", \"${args}\"]\n"
             "metric: {name: loss, goal: minimize}\nmethod: grid\n"
             "parameters:\n  mode: {value: ok}\n  x: {values: [1, 2]}\n",
             es_test_source_dir());
    const char *spec = es_test_write_file("links.yaml", spec_text);
    snprintf(db, sizeof db, "%s/t.db", es_test_tmpdir());
    snprintf(victim, sizeof victim, "%s/victim", es_test_tmpdir());
    ES_CHECK_INT(mkdir(victim, 0755), 0);
    snprintf(path, sizeof path, "%s.d", db);
    ES_CHECK_INT(mkdir(path, 0775), 0);
    snprintf(path, sizeof path, "%s.d/sweep-1", db);
    ES_CHECK_INT(mkdir(path, 0775), 0);
    snprintf(path, sizeof path, "%s.d/sweep-1/trial-0", db);
    ES_CHECK_INT(symlink(victim, path), 0);
    const char *const args[] = {"run", spec, NULL};
    const char *const extra[] = {"--no-status", "--grace", "0.5", NULL};
    ES_CHECK_INT(es_sx_finish(es_sx_start(db, args, extra)), 1);
    ES_CHECK_CONTAINS(es_sx_slurp(es_sx_path("stderr")),
                      "a symbolic link or not a directory is in the way");
    DIR *dir = opendir(victim);
    ES_CHECK(dir != NULL);
    int entries = 0;
    for (struct dirent *de; (de = readdir(dir)) != NULL;)
        entries += de->d_name[0] != '.';
    closedir(dir);
    ES_CHECK_INT(entries, 0); /* nothing written through the link */

    /* A sweep of its own: DB.d's new directories are not group-writable. */
    char db2[2048];
    snprintf(db2, sizeof db2, "%s/u.db", es_test_tmpdir());
    ES_CHECK_INT(es_sx_finish(es_sx_start(db2, args, extra)), 0);
    struct stat sb;
    snprintf(path, sizeof path, "%s.d/sweep-1/trial-0", db2);
    ES_CHECK_INT(stat(path, &sb), 0);
    ES_CHECK((sb.st_mode & S_IWGRP) == 0);
}
