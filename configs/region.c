/*
 * region.c -- country codes to grid carbon intensity (see spec.h, "Grid
 * carbon intensity by country").
 *
 * The table itself is generated at build time from configs/carbon_intensity.csv
 * (gen_carbon_intensity.cmake), so the program carries its data and never
 * looks for the CSV at run time.  This file only searches it: codes match
 * case-insensitively, and a code that matches nothing gets a suggestion so
 * that a typo in a spec or on the command line is easy to fix.  A linear
 * scan is plenty for a table of a few hundred rows read once per sweep.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec.h"
#include "spec_int.h"

/* Upper-case copy of a short code; 0 when it is empty, too long or holds
 * anything but ASCII letters. */
static int normalize(const char *code, char *out, size_t cap)
{
    size_t n = 0;
    if (code == NULL)
        return 0;
    for (; code[n] != '\0'; n++) {
        if (n + 1 >= cap || !isalpha((unsigned char)code[n]))
            return 0;
        out[n] = (char)toupper((unsigned char)code[n]);
    }
    out[n] = '\0';
    return n > 0;
}

static const es_region *find(const char *code)
{
    char up[8];
    if (!normalize(code, up, sizeof up))
        return NULL;
    for (size_t i = 0; i < es_region_table_len; i++) {
        const es_region *r = &es_region_table[i];
        if (strcmp(up, r->iso3) == 0 || (r->iso2[0] != '\0' && strcmp(up, r->iso2) == 0))
            return r;
    }
    return NULL;
}

int es_region_lookup(const char *code, es_region *out)
{
    const es_region *r = find(code);
    if (r == NULL)
        return -ENOENT;
    if (out != NULL)
        *out = *r;
    return 0;
}

/* Case-insensitive comparison of a user's word with a country name; with
 * prefix, word need only begin the name. */
static int name_matches(const char *word, const char *name, int prefix)
{
    size_t n = strlen(word);
    if (prefix ? strlen(name) < n : strlen(name) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)word[i]) != tolower((unsigned char)name[i]))
            return 0;
    return 1;
}

const es_region *es_region_suggest(const char *code)
{
    /* Codes people type that ISO 3166 spells otherwise. */
    static const char *const aliases[][2] = {{"UK", "GB"}, {"EL", "GR"}, {"EN", "GB"}};
    const es_region *best = NULL;
    size_t len;
    char up[16];

    if (code == NULL || *code == '\0')
        return NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (name_matches(code, aliases[i][0], 0))
            return find(aliases[i][1]);
    for (int prefix = 0; prefix <= 1; prefix++)
        for (size_t i = 0; i < es_region_table_len; i++)
            if ((!prefix || strlen(code) >= 3) &&
                name_matches(code, es_region_table[i].country, prefix))
                return &es_region_table[i];
    if (!normalize(code, up, sizeof up))
        return NULL;
    len = strlen(up);
    if (len != 2 && len != 3)
        return NULL;
    /* Two-letter codes are dense: allow one edit there, two for three letters.
     * Among codes at the same distance, the one sharing the longest prefix
     * wins (FRN -> FRA rather than FIN): typos tend to come late. */
    size_t best_score = (len == 2 ? 2 : 3) * 4;
    for (size_t i = 0; i < es_region_table_len; i++) {
        const es_region *r = &es_region_table[i];
        const char *other = len == 3 ? r->iso3 : r->iso2;
        size_t prefix = 0;
        if (*other == '\0')
            continue;
        while (prefix < len && up[prefix] == other[prefix])
            prefix++;
        size_t score = es_edit_distance(up, other) * 4 + (len - prefix);
        if (score < best_score) {
            best = r;
            best_score = score;
        }
    }
    return best;
}

void es_region_unknown_message(const char *code, char *buf, size_t cap)
{
    const es_region *s = es_region_suggest(code);
    if (s != NULL)
        /* Suggest the form the user was writing: FR for fx, FRA for frn. */
        snprintf(buf, cap, "unknown country code '%s' (did you mean '%s', %s?)", code,
                 strlen(code) == 2 && s->iso2[0] != '\0' ? s->iso2 : s->iso3, s->country);
    else
        snprintf(buf, cap,
                 "unknown country code '%s' (expected an ISO 3166-1 alpha-2 or alpha-3 code "
                 "from configs/carbon_intensity.csv, such as FR, FRA or USA)",
                 code);
}

size_t es_region_count(void)
{
    return es_region_table_len;
}

const es_region *es_region_at(size_t i)
{
    return i < es_region_table_len ? &es_region_table[i] : NULL;
}
