/*
 * store_objectives.c -- a sweep's objectives and constraints in the store
 * (table sweep_objective, schema v11): written with the sweep, read back
 * into the tree reports print.  Rows are few (at most three objectives and
 * a handful of constraints per sweep), so the two statements are prepared
 * when used rather than at open, and both live here.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

static void bind_opt(sqlite3_stmt *s, int i, int has, double v)
{
    if (has)
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

int es_store__objectives_add(es_store *st, int64_t sweep_id, const es_spec *sp, es_err *err)
{
    if (sp->n_objectives == 0 && sp->n_constraints == 0)
        return 0;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO sweep_objective(sweep_id, role, ord, name, goal, ref, min,"
                           " max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &s, NULL) != SQLITE_OK)
        return es_store__db_fail(st, err, "recording the sweep's objectives");
    int rc = SQLITE_DONE;
    size_t n = sp->n_objectives + sp->n_constraints;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
        int is_obj = i < sp->n_objectives;
        sqlite3_bind_int64(s, 1, sweep_id);
        es_store__bind_text(s, 2, is_obj ? "objective" : "constraint");
        if (is_obj) {
            const es_objective *o = &sp->objectives[i];
            sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
            es_store__bind_text(s, 4, o->name);
            es_store__bind_text(s, 5, es_goal_name(o->goal));
            bind_opt(s, 6, o->has_ref, o->ref);
            bind_opt(s, 7, 0, 0);
            bind_opt(s, 8, 0, 0);
        } else {
            const es_constraint *c = &sp->constraints[i - sp->n_objectives];
            sqlite3_bind_int64(s, 3, (sqlite3_int64)(i - sp->n_objectives));
            es_store__bind_text(s, 4, c->name);
            es_store__bind_text(s, 5, NULL);
            bind_opt(s, 6, 0, 0);
            bind_opt(s, 7, c->has_min, c->min);
            bind_opt(s, 8, c->has_max, c->max);
        }
        rc = sqlite3_step(s);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? 0 : es_store__db_fail(st, err, "recording the sweep's objectives");
}

int es_store__objectives_load(es_store *st, es_store_sweep *sw)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT role, name, goal, ref, min, max FROM sweep_objective"
                           " WHERE sweep_id = ?1 ORDER BY role DESC, ord",
                           -1, &s, NULL) != SQLITE_OK)
        return ES_ESTORE;
    sqlite3_bind_int64(s, 1, sw->id);
    int rc, nomem = 0;
    while (!nomem && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        int kind = name ? es_objective_kind_of(name) : -1;
        if (role == NULL || name == NULL || kind < 0)
            continue; /* a newer ecosweep's built-in: not one this one computes */
        if (strcmp(role, "objective") == 0) {
            es_objective *o = es_store__grow(&sw->objectives, &sw->n_objectives, sizeof *o);
            if (o == NULL || (o->name = strdup(name)) == NULL) {
                nomem = 1;
                break;
            }
            const char *goal = (const char *)sqlite3_column_text(s, 2);
            o->kind = (es_objective_kind)kind;
            o->goal = goal && strcmp(goal, "maximize") == 0 ? ES_GOAL_MAXIMIZE : ES_GOAL_MINIMIZE;
            o->has_ref = sqlite3_column_type(s, 3) != SQLITE_NULL;
            o->ref = o->has_ref ? sqlite3_column_double(s, 3) : NAN;
        } else if (strcmp(role, "constraint") == 0) {
            es_constraint *c = es_store__grow(&sw->constraints, &sw->n_constraints, sizeof *c);
            if (c == NULL || (c->name = strdup(name)) == NULL) {
                nomem = 1;
                break;
            }
            c->kind = (es_objective_kind)kind;
            c->has_min = sqlite3_column_type(s, 4) != SQLITE_NULL;
            c->has_max = sqlite3_column_type(s, 5) != SQLITE_NULL;
            c->min = c->has_min ? sqlite3_column_double(s, 4) : NAN;
            c->max = c->has_max ? sqlite3_column_double(s, 5) : NAN;
        }
    }
    sqlite3_finalize(s);
    return nomem ? -ENOMEM : rc == SQLITE_DONE ? 0 : ES_ESTORE;
}
