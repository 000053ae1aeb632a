/*
 * jsonline.c -- flat JSON object lines decoded with libyaml (see jsonline.h).
 */
#include "jsonline.h"

#include <errno.h>
#include <yaml.h>

/* libyaml's time grows with the square of flow nesting (a 64 KiB line of
 * "{[[[..." takes seconds), and a metric line is flat: refuse anything
 * nested deeper than this before handing it over.  One linear pass, strings
 * skipped. */
#define MAX_DEPTH 8

static int too_deep(const char *s, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == in_str)
                in_str = 0;
        } else if (c == '"' || c == '\'') {
            in_str = c;
        } else if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH)
                return 1;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

int es_jsonline_parse(const char *line, size_t len, es_jsonline_cb cb, void *ud)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -EINVAL;

    while (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
        line++;
        len--;
    }
    if (len == 0 || line[0] != '{' || too_deep(line, len))
        return -EINVAL;
    if (!yaml_parser_initialize(&parser))
        return -ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)line, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_parser_delete(&parser);
        return -EINVAL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root != NULL && root->type == YAML_MAPPING_NODE) {
        rc = 0;
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE ||
                v->type != YAML_SCALAR_NODE)
                continue;
            int quoted = v->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                         v->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
            if (cb(ud, (const char *)k->data.scalar.value, (const char *)v->data.scalar.value,
                   quoted))
                break;
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}
