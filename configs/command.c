/*
 * command.c -- turn a spec's command template and one configuration into a
 * trial's argv.
 *
 * The template is a list of elements; each element may hold ${...} macros.
 * Scalar macros (${env}, ${program}, ${lr}, ...) may sit inside a larger
 * element ("--lr=${lr}"); list macros (${args} and its variants) expand to
 * zero or more elements and so must stand alone.  By default nothing here
 * involves a shell: a value such as "$(touch x)" or "a b" becomes exactly
 * one element, byte for byte, and is never scanned for macros itself.  A
 * spec with `shell: true` gets {"/bin/sh", "-c", SCRIPT, "sh", V1, V2, ...}
 * instead: every macro in SCRIPT is a reference to a positional parameter
 * ("${1}", ...) and its value is the matching argument, so no value is
 * ever part of the script (see the "shell: true" section below).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "spec_int.h"

const char *const es_default_command[ES_DEFAULT_COMMAND_LEN] = {"${env}", "${interpreter}",
                                                                "${program}", "${args}"};

enum macro_kind {
    M_ENV,
    M_INTERPRETER,
    M_PROGRAM,
    M_ARGS,
    M_ARGS_NO_HYPHENS,
    M_ARGS_NO_BOOLEAN_FLAGS,
    M_ARGS_JSON,
    M_ARGS_JSON_FILE,
    M_PARAM,
    M_UNKNOWN
};

static const char *const macro_names[] = {"env",       "interpreter",     "program",
                                          "args",      "args_no_hyphens", "args_no_boolean_flags",
                                          "args_json", "args_json_file"};

static int is_list_macro(enum macro_kind k)
{
    return k == M_ARGS || k == M_ARGS_NO_HYPHENS || k == M_ARGS_NO_BOOLEAN_FLAGS;
}

/* Classify the macro name[0..len); *param gets the parameter's index for
 * M_PARAM.  Built-in macros win over a parameter of the same name. */
static enum macro_kind classify(const es_spec *spec, const char *name, size_t len, int *param)
{
    for (size_t i = 0; i < sizeof macro_names / sizeof macro_names[0]; i++)
        if (strlen(macro_names[i]) == len && memcmp(macro_names[i], name, len) == 0)
            return (enum macro_kind)i;
    for (size_t i = 0; i < spec->n_params; i++) {
        const char *pn = spec->params[i].name;
        if (strlen(pn) == len && memcmp(pn, name, len) == 0) {
            *param = (int)i;
            return M_PARAM;
        }
    }
    return M_UNKNOWN;
}

/* Find the next macro in s at or after *pos: sets *start (index of '$') and
 * *end (index after '}').  0 when found, 1 when there is none, ES_ESPEC
 * (message in err) for an unterminated "${". */
static int next_macro(const char *s, size_t *pos, size_t *start, size_t *end, es_err *err)
{
    const char *p = strstr(s + *pos, "${");
    if (p == NULL)
        return 1;
    const char *q = strchr(p + 2, '}');
    if (q == NULL)
        return es_err_set(err, ES_ESPEC, "unterminated macro in '%s' (expected '}')", s);
    *start = (size_t)(p - s);
    *end = (size_t)(q - s) + 1;
    *pos = *end;
    return 0;
}

int es_spec_uses_program(const es_spec *spec)
{
    if (spec->command == NULL)
        return 1; /* W&B's default: ${env} ${interpreter} ${program} ${args} */
    for (size_t i = 0; i < spec->n_command; i++)
        if (es_command_uses_program(spec->command[i]))
            return 1;
    return 0;
}

int es_command_uses_program(const char *elem)
{
    return strstr(elem, "${program}") != NULL;
}

/* The error for an unknown macro, with the closest macro or parameter name. */
static int unknown_macro(const es_spec *spec, const char *name, size_t len, es_err *err)
{
    size_t nb = sizeof macro_names / sizeof macro_names[0];
    const char **known = malloc((nb + spec->n_params + 1) * sizeof *known);
    char *word = strndup(name, len);
    const char *sug = NULL;
    if (known != NULL && word != NULL) {
        memcpy(known, macro_names, nb * sizeof *known);
        for (size_t i = 0; i < spec->n_params; i++)
            known[nb + i] = spec->params[i].name;
        known[nb + spec->n_params] = NULL;
        sug = es_spec_suggest(word, known);
    }
    if (sug != NULL)
        es_err_set(err, ES_ESPEC, "unknown macro '${%.*s}' (did you mean '${%s}'?)", (int)len, name,
                   sug);
    else
        es_err_set(err, ES_ESPEC,
                   "unknown macro '${%.*s}' (not a built-in macro or a parameter name)", (int)len,
                   name);
    free(known);
    free(word);
    return ES_ESPEC;
}

int es_command_check_elem(const es_spec *spec, const char *elem, es_err *err)
{
    size_t pos = 0, start, end;
    int rc, param;

    while ((rc = next_macro(elem, &pos, &start, &end, err)) == 0) {
        size_t nlen = end - start - 3;
        enum macro_kind k = classify(spec, elem + start + 2, nlen, &param);
        if (k == M_UNKNOWN)
            return unknown_macro(spec, elem + start + 2, nlen, err);
        if (is_list_macro(k) && (start != 0 || elem[end] != '\0'))
            return es_err_set(err, ES_ESPEC,
                              "macro '%.*s' expands to several arguments and must be a whole "
                              "element of command, not part of '%s'",
                              (int)(end - start), elem + start, elem);
    }
    return rc < 0 ? rc : 0;
}

/* A growing NULL-terminated argv. */
typedef struct argv_buf {
    char **v;
    size_t n, cap;
} argv_buf;

/* Take ownership of s (freed on failure) and append it. */
static int argv_push(argv_buf *a, char *s)
{
    if (s == NULL)
        return -ENOMEM;
    if (a->n + 2 > a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 16;
        char **nv = realloc(a->v, ncap * sizeof *nv);
        if (nv == NULL) {
            free(s);
            return -ENOMEM;
        }
        a->v = nv;
        a->cap = ncap;
    }
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return 0;
}

/* A growing string. */
typedef struct str_buf {
    char *s;
    size_t len, cap;
} str_buf;

static int sb_add(str_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 64;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (ns == NULL)
            return -ENOMEM;
        b->s = ns;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static int sb_value(str_buf *b, const es_value *v)
{
    char small[64];
    int n = es_value_format(v, small, sizeof small);
    if ((size_t)n < sizeof small)
        return sb_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (big == NULL)
        return -ENOMEM;
    es_value_format(v, big, (size_t)n + 1);
    int rc = sb_add(b, big, (size_t)n);
    free(big);
    return rc;
}

/* "--name=value", "name=value" or "--name" as one fresh string. */
static char *arg_text(const char *prefix, const char *name, const es_value *v)
{
    str_buf b = {0};
    if (sb_add(&b, prefix, strlen(prefix)) < 0 || sb_add(&b, name, strlen(name)) < 0 ||
        (v != NULL && (sb_add(&b, "=", 1) < 0 || sb_value(&b, v) < 0))) {
        free(b.s);
        return NULL;
    }
    if (b.s == NULL)
        return strdup("");
    return b.s;
}

static int push_args(argv_buf *a, const es_spec *spec, const es_value *values, enum macro_kind k)
{
    for (size_t i = 0; i < spec->n_params; i++) {
        const es_value *v = &values[i];
        const char *name = spec->params[i].name;
        char *s;
        if (k == M_ARGS_NO_HYPHENS) {
            s = arg_text("", name, v);
        } else if (k == M_ARGS_NO_BOOLEAN_FLAGS && v->kind == ES_V_BOOL) {
            if (!v->b)
                continue;
            s = arg_text("--", name, NULL);
        } else {
            s = arg_text("--", name, v);
        }
        if (argv_push(a, s) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* 1 when an executable regular file called name is on $PATH. */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0')
        return 0;
    size_t nlen = strlen(name);
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        char *full = malloc(dlen + nlen + 3);
        if (full != NULL) {
            struct stat st;
            if (dlen == 0)
                memcpy(full, ".", (dlen = 1));
            else
                memcpy(full, p, dlen);
            full[dlen] = '/';
            memcpy(full + dlen + 1, name, nlen + 1);
            int ok = stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0;
            free(full);
            if (ok)
                return 1;
        }
        if (colon == NULL)
            return 0;
        p = colon + 1;
    }
}

/* Append the text of the scalar macro k (param: the parameter's index for
 * M_PARAM) to b.  0, or ES_ESPEC / -ENOMEM with the message in err. */
static int add_macro_text(str_buf *b, const es_spec *spec, const es_value *values,
                          const es_command_ctx *ctx, enum macro_kind k, int param, es_err *err)
{
    const char *text = NULL;
    char *json = NULL;
    int rc;
    switch (k) {
    case M_ENV:
        text = "/usr/bin/env";
        break;
    case M_INTERPRETER:
        text = ctx->interpreter ? ctx->interpreter : on_path("python") ? "python" : "python3";
        break;
    case M_PROGRAM:
        if (spec->program == NULL)
            return es_err_set(err, ES_ESPEC, "command uses ${program} but the spec has none");
        text = spec->program;
        break;
    case M_ARGS_JSON:
        if ((json = es_params_json(spec, values)) == NULL)
            return es_err_set(err, -ENOMEM, "out of memory building the command");
        text = json;
        break;
    case M_ARGS_JSON_FILE:
        if (ctx->args_json_file == NULL)
            return es_err_set(err, ES_ESPEC,
                              "command uses ${args_json_file} but no file was given");
        text = ctx->args_json_file;
        break;
    case M_PARAM:
        if (sb_value(b, &values[param]) < 0)
            return es_err_set(err, -ENOMEM, "out of memory building the command");
        return 0;
    default:
        return 0;
    }
    rc = sb_add(b, text, strlen(text));
    free(json);
    return rc < 0 ? es_err_set(err, -ENOMEM, "out of memory building the command") : 0;
}

/* Expand one template element into a (argv entries appended). */
static int expand_elem(argv_buf *a, const es_spec *spec, const es_value *values,
                       const es_command_ctx *ctx, const char *elem, es_err *err)
{
    size_t pos = 0, start, end, last = 0;
    str_buf b = {0};
    int rc, param = -1;

    if ((rc = es_command_check_elem(spec, elem, err)) < 0)
        return rc;
    while (next_macro(elem, &pos, &start, &end, err) == 0) {
        enum macro_kind k = classify(spec, elem + start + 2, end - start - 3, &param);
        if (is_list_macro(k)) /* checked above: the whole element */
            return push_args(a, spec, values, k);
        if (sb_add(&b, elem + last, start - last) < 0) {
            free(b.s);
            return es_err_set(err, -ENOMEM, "out of memory building the command");
        }
        last = end;
        if ((rc = add_macro_text(&b, spec, values, ctx, k, param, err)) < 0) {
            free(b.s);
            return rc;
        }
    }
    if (sb_add(&b, elem + last, strlen(elem + last)) < 0) {
        free(b.s);
        return es_err_set(err, -ENOMEM, "out of memory building the command");
    }
    return argv_push(a, b.s);
}

/* ---- shell: true ----------------------------------------------------------------
 *
 * The script is the template's text as written, with each macro replaced by
 * a reference to a positional parameter, and each value (each argument of a
 * list macro) passed as that parameter: /bin/sh -c SCRIPT sh V1 V2 ...  A
 * value is never part of the script, so no value can become shell syntax,
 * whatever the value and however the template reads: a quote tracker that
 * imitates a shell's grammar would always trail some shell ($'...' is
 * bash's, not dash's), and one it misled would run the value as code.
 *
 * Where the reference lands still decides how it is written, so the
 * template text before it is followed the way sh(1) tokenizes it (a stack
 * of contexts: plain text, $(...), $((...)), '...', "...", `...`, $'...',
 * and the states that reach past one character: a pending backslash, a
 * trailing '$', a # comment, a here-document): "${N}" in plain text and
 * $(...), ${N} inside "...", '"${N}"' (close, reference, reopen) inside
 * '...'.  Places where the reference would not expand as one word (after a
 * backslash or a '$', in a comment, a here-document, backquotes, $'...',
 * $((...))) are refused.  A template that misleads the tracking can only
 * leave a reference unquoted (split into words) or unexpanded: never run a
 * value, since the shell does not parse what an expansion yields.
 */

enum sh_ctx { SH_PLAIN, SH_SUBST, SH_ARITH, SH_SQUOTE, SH_DQUOTE, SH_BACKQUOTE, SH_ANSI };

#define SH_MAX_DEPTH 64

typedef struct sh_state {
    unsigned char ctx[SH_MAX_DEPTH]; /* ctx[0] is SH_PLAIN; ctx[depth] the innermost */
    int parens[SH_MAX_DEPTH];        /* open '(' inside an SH_SUBST or SH_ARITH */
    int depth;
    int escaped;    /* a backslash waits for the character it quotes */
    int dollar;     /* the text so far ends with an unquoted '$' */
    int comment;    /* inside a # comment, until a newline */
    int heredoc;    /* a << was seen: what follows may be a here-document */
    int word_start; /* the next character starts a word (so '#' starts a comment) */
    int too_deep;
} sh_state;

static void sh_push(sh_state *sh, enum sh_ctx c)
{
    if (sh->depth + 1 >= SH_MAX_DEPTH) {
        sh->too_deep = 1;
        return;
    }
    sh->depth++;
    sh->ctx[sh->depth] = (unsigned char)c;
    sh->parens[sh->depth] = 0;
}

static void sh_pop(sh_state *sh)
{
    if (sh->depth > 0)
        sh->depth--;
}

/* A '$' at t[i] in plain text, $(...) or "...": what it opens.  Returns how
 * many characters after it were taken with it. */
static size_t sh_dollar(sh_state *sh, const char *t, size_t i, size_t n, int quoted)
{
    char n1 = i + 1 < n ? t[i + 1] : '\0', n2 = i + 2 < n ? t[i + 2] : '\0';
    if (n1 == '(' && n2 == '(') {
        sh_push(sh, SH_ARITH);
        return 2;
    }
    if (n1 == '(') {
        sh_push(sh, SH_SUBST);
        return 1;
    }
    if (!quoted && n1 == '\'') {
        sh_push(sh, SH_ANSI);
        return 1;
    }
    if (!quoted && n1 == '"') {
        sh_push(sh, SH_DQUOTE);
        return 1;
    }
    if (i + 1 == n)
        sh->dollar = 1;
    return 0;
}

/* Follow n characters of template text. */
static void sh_scan(sh_state *sh, const char *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        enum sh_ctx c = (enum sh_ctx)sh->ctx[sh->depth];
        sh->dollar = 0;
        if (sh->comment) {
            if (ch == '\n')
                sh->comment = 0, sh->word_start = 1;
            continue;
        }
        if (sh->escaped) {
            sh->escaped = 0;
            sh->word_start = 0;
            continue;
        }
        if (c == SH_SQUOTE || c == SH_ANSI || c == SH_BACKQUOTE) {
            char close = c == SH_SQUOTE ? '\'' : c == SH_ANSI ? '\'' : '`';
            if (ch == '\\' && c != SH_SQUOTE)
                sh->escaped = 1;
            else if (ch == close)
                sh_pop(sh);
            continue;
        }
        if (c == SH_DQUOTE) {
            if (ch == '\\')
                sh->escaped = 1;
            else if (ch == '"')
                sh_pop(sh);
            else if (ch == '`')
                sh_push(sh, SH_BACKQUOTE);
            else if (ch == '$')
                i += sh_dollar(sh, t, i, n, 1);
            continue;
        }
        /* Unquoted: plain text, $(...) or $((...)). */
        int word_start = sh->word_start;
        sh->word_start = ch == ' ' || ch == '\t' || ch == '\n' || ch == ';' || ch == '&' ||
                         ch == '|' || ch == '(' || ch == ')' || ch == '<' || ch == '>';
        if (ch == '\\') {
            sh->escaped = 1;
        } else if (ch == '\'') {
            sh_push(sh, SH_SQUOTE);
        } else if (ch == '"') {
            sh_push(sh, SH_DQUOTE);
        } else if (ch == '`') {
            sh_push(sh, SH_BACKQUOTE);
        } else if (ch == '$') {
            i += sh_dollar(sh, t, i, n, 0);
        } else if (ch == '(' && c != SH_PLAIN) {
            sh->parens[sh->depth]++;
        } else if (ch == ')' && c != SH_PLAIN) {
            if (sh->parens[sh->depth] > 0)
                sh->parens[sh->depth]--;
            else
                sh_pop(sh);
        } else if (ch == '#' && word_start && c != SH_ARITH) {
            sh->comment = 1;
        } else if (ch == '<' && i + 1 < n && t[i + 1] == '<' && c != SH_ARITH) {
            sh->heredoc = 1;
        }
    }
}

/* Why a macro cannot be expanded where the text so far leaves the shell;
 * NULL when it can. */
static const char *sh_refusal(const sh_state *sh)
{
    enum sh_ctx c = (enum sh_ctx)sh->ctx[sh->depth];
    if (sh->too_deep)
        return "quotes and substitutions are nested too deeply";
    if (sh->comment)
        return "it is inside a shell comment";
    if (sh->heredoc)
        return "it follows a here-document (<<)";
    if (sh->escaped)
        return "it follows a backslash";
    if (sh->dollar)
        return "it follows a '$'";
    if (c == SH_BACKQUOTE)
        return "it is inside backquotes (write $(...) instead)";
    if (c == SH_ANSI)
        return "it is inside $'...'";
    for (int i = 1; i <= sh->depth; i++)
        if (sh->ctx[i] == SH_ARITH)
            return "it is inside $((...))";
    return NULL;
}

/* Append to b the reference to positional parameter n, written for where
 * sh stands (sh_refusal() said yes), and pass value as that parameter. */
static int sh_ref(sh_state *sh, str_buf *b, argv_buf *params, const char *value)
{
    enum sh_ctx c = (enum sh_ctx)sh->ctx[sh->depth];
    char ref[48];
    char *copy = strdup(value);
    if (copy == NULL || argv_push(params, copy) < 0)
        return -ENOMEM;
    size_t n = params->n;
    snprintf(ref, sizeof ref,
             c == SH_SQUOTE   ? "'\"${%zu}\"'"
             : c == SH_DQUOTE ? "${%zu}"
                              : "\"${%zu}\"",
             n);
    sh->word_start = 0;
    sh->dollar = 0;
    return sb_add(b, ref, strlen(ref));
}

/* Template text: into the script (when there is one) and through sh. */
static int sh_literal(sh_state *sh, str_buf *b, const char *text, size_t n)
{
    sh_scan(sh, text, n);
    return b != NULL ? sb_add(b, text, n) : 0;
}

/* Build the script of a shell: true spec into *b and the values its
 * references stand for into *params, or with b NULL only check that every
 * macro can be referred to (values, ctx and params unused).  On error
 * *bad_elem is the index of the template element at fault. */
static int shell_script(const es_spec *spec, const es_value *values, const es_command_ctx *ctx,
                        str_buf *b, argv_buf *params, size_t *bad_elem, es_err *err)
{
    const char *const *tmpl =
        spec->command ? (const char *const *)spec->command : es_default_command;
    size_t n = spec->command ? spec->n_command : ES_DEFAULT_COMMAND_LEN;
    sh_state sh = {.word_start = 1};
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        const char *elem = tmpl[i];
        size_t pos = 0, start, end, last = 0;
        int param = -1;
        *bad_elem = i;
        if ((rc = es_command_check_elem(spec, elem, err)) < 0)
            return rc;
        if (i > 0 && sh_literal(&sh, b, " ", 1) < 0)
            goto nomem;
        while (next_macro(elem, &pos, &start, &end, err) == 0) {
            enum macro_kind k = classify(spec, elem + start + 2, end - start - 3, &param);
            const char *why;
            if (sh_literal(&sh, b, elem + last, start - last) < 0)
                goto nomem;
            last = end;
            if ((why = sh_refusal(&sh)) != NULL)
                return es_err_set(err, ES_ESPEC,
                                  "macro '%.*s' cannot be quoted safely for the shell: %s",
                                  (int)(end - start), elem + start, why);
            if (b == NULL) {
                sh.word_start = 0;
                continue;
            }
            if (is_list_macro(k)) {
                argv_buf args = {0};
                rc = push_args(&args, spec, values, k);
                for (size_t j = 0; rc == 0 && j < args.n; j++) {
                    if (j > 0)
                        rc = sh_literal(&sh, b, " ", 1);
                    if (rc == 0)
                        rc = sh_ref(&sh, b, params, args.v[j]);
                }
                es_strv_free(args.v);
                if (rc < 0)
                    goto nomem;
            } else {
                str_buf text = {0};
                rc = add_macro_text(&text, spec, values, ctx, k, param, err);
                if (rc == 0)
                    rc = sh_ref(&sh, b, params, text.s ? text.s : "") < 0 ? -ENOMEM : 0;
                free(text.s);
                if (rc == -ENOMEM)
                    goto nomem;
                if (rc < 0)
                    return rc;
            }
        }
        if (sh_literal(&sh, b, elem + last, strlen(elem + last)) < 0)
            goto nomem;
    }
    return 0;
nomem:
    return es_err_set(err, -ENOMEM, "out of memory building the command");
}

int es_command_check_shell(const es_spec *spec, size_t *elem, es_err *err)
{
    return shell_script(spec, NULL, NULL, NULL, NULL, elem, err);
}

/* argv = {"/bin/sh", "-c", SCRIPT, "sh", V1, V2, ...} for a shell: true
 * spec ("sh" is the script's $0). */
static int build_shell(const es_spec *spec, const es_value *values, const es_command_ctx *ctx,
                       argv_buf *a, es_err *err)
{
    str_buf b = {0};
    argv_buf params = {0};
    size_t bad;
    int rc = shell_script(spec, values, ctx, &b, &params, &bad, err);
    if (rc < 0) {
        free(b.s);
        es_strv_free(params.v);
        return rc;
    }
    rc = argv_push(a, strdup("/bin/sh")) < 0 || argv_push(a, strdup("-c")) < 0 ||
                 argv_push(a, b.s ? b.s : strdup("")) < 0 || argv_push(a, strdup("sh")) < 0
             ? -ENOMEM
             : 0;
    for (size_t i = 0; rc == 0 && i < params.n; i++) {
        rc = argv_push(a, params.v[i]);
        params.v[i] = NULL;
    }
    for (size_t i = 0; i < params.n; i++)
        free(params.v[i]);
    free(params.v);
    return rc < 0 ? es_err_set(err, -ENOMEM, "out of memory building the command") : 0;
}

int es_command_build(const es_spec *spec, const es_value *values, const es_command_ctx *ctx,
                     char ***argv_out, es_err *err)
{
    static const es_command_ctx no_ctx = {NULL, NULL};
    const char *const *tmpl =
        spec->command ? (const char *const *)spec->command : es_default_command;
    size_t n = spec->command ? spec->n_command : ES_DEFAULT_COMMAND_LEN;
    argv_buf a = {0};
    int rc;

    *argv_out = NULL;
    if (values == NULL && spec->n_params > 0)
        return es_err_set(err, -EINVAL, "no values given for the %zu parameters", spec->n_params);
    if (ctx == NULL)
        ctx = &no_ctx;
    if (spec->shell) {
        if ((rc = build_shell(spec, values, ctx, &a, err)) < 0) {
            es_strv_free(a.v);
            return rc;
        }
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = expand_elem(&a, spec, values, ctx, tmpl[i], err)) < 0) {
            if (rc == -ENOMEM)
                es_err_set(err, rc, "out of memory building the command");
            es_strv_free(a.v);
            return rc;
        }
    }
    if (a.v == NULL) {
        a.v = calloc(1, sizeof *a.v);
        if (a.v == NULL)
            return es_err_set(err, -ENOMEM, "out of memory building the command");
    }
    *argv_out = a.v;
    return 0;
}
