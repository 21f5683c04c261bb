/* drizzle_schema.c - `pantrycrm db drizzle`: a Drizzle ORM schema (schema.ts
 * and relations.ts) written from the target's catalog, so that the
 * application's schema can be rebuilt from the database it runs on and
 * compared with the shipped data/drizzle/schema.ts (tests/drizzle.sh does).
 *
 * One catalog query returns the public schema as JSON (enums, tables with
 * their columns, constraints and indexes); the rest only prints. What
 * Drizzle's schema language cannot say stops the run with the object named
 * (INCLUDE columns, a descending expression key, a column type outside the
 * list below) instead of writing a schema that differs from the database.
 *
 * The output follows what drizzle-kit 0.31 reads back from a database, so
 * that `drizzle-kit push` with it changes nothing: expressions and operator
 * classes of index keys inside sql`...`, defaults as the catalog prints them
 * less a trailing cast (drizzle-kit drops it too).
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "drizzle.h"
#include "pg.h"
#include "progress.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char catalog_sql[] =
    "SELECT json_build_object("
    " 'enums', (SELECT coalesce(json_agg(json_build_object('name', t.typname,"
    "     'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)"
    "                FROM pg_enum e WHERE e.enumtypid = t.oid)) ORDER BY t.oid), '[]')"
    "   FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'e'),"
    " 'tables', (SELECT coalesce(json_agg(json_build_object("
    "   'name', c.relname,"
    "   'columns', (SELECT json_agg(json_build_object("
    "       'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),"
    "       'enum', CASE WHEN ty.typtype = 'e' THEN ty.typname END,"
    "       'notnull', a.attnotnull, 'default', pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum)"
    "     FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid"
    "     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
    "     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),"
    "   'constraints', (SELECT coalesce(json_agg(json_build_object("
    "       'name', k.conname, 'type', k.contype,"
    "       'cols', (SELECT json_agg(a.attname ORDER BY u.i) FROM unnest(k.conkey) WITH ORDINALITY u(n, i)"
    "                JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n),"
    "       'ftable', (SELECT f.relname FROM pg_class f WHERE f.oid = k.confrelid),"
    "       'fcols', (SELECT json_agg(a.attname ORDER BY u.i) FROM unnest(k.confkey) WITH ORDINALITY u(n, i)"
    "                 JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n),"
    "       'upd', k.confupdtype, 'del', k.confdeltype,"
    "       'check', CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END)"
    "     ORDER BY k.contype DESC, k.oid), '[]')"
    "     FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'f', 'c')),"
    "   'indexes', (SELECT coalesce(json_agg(json_build_object("
    "       'name', ic.relname, 'method', am.amname, 'unique', i.indisunique,"
    "       'include', i.indnatts > i.indnkeyatts, 'where', pg_get_expr(i.indpred, i.indrelid),"
    "       'with', ic.reloptions,"
    "       'keys', (SELECT json_agg(json_build_object("
    "           'expr', pg_get_indexdef(i.indexrelid, k, true),"
    "           'column', (SELECT a.attname FROM pg_attribute a"
    "                      WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]),"
    "           'desc', (i.indoption[k - 1] & 1) <> 0, 'nullsfirst', (i.indoption[k - 1] & 2) <> 0,"
    "           'opclass', (SELECT CASE WHEN NOT o.opcdefault THEN o.opcname END"
    "                       FROM pg_opclass o WHERE o.oid = i.indclass[k - 1])) ORDER BY k)"
    "         FROM generate_series(1, i.indnkeyatts) k)) ORDER BY ic.oid), '[]')"
    "     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam"
    "     WHERE i.indrelid = c.oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
    "           WHERE k.conindid = i.indexrelid AND k.conrelid = c.oid)))"
    "   ORDER BY c.oid), '[]')"
    "   FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'))";

/* --- names ---------------------------------------------------------------- */

/* "OrganizationPriority" -> "organizationPriority": the first letter lower. */
static void add_lower_first(struct strbuf *sb, const char *name)
{
    sb_addc(sb, (char)tolower((unsigned char)name[0]));
    sb_adds(sb, name + 1);
}

/* The export name of a table: lower first letter, plural ("Opportunity" ->
 * "opportunities", "User" -> "users"), as the migration plan names them. */
static char *table_export(const char *table)
{
    struct strbuf sb;
    sb_init(&sb);
    size_t n = strlen(table);
    if (n > 1 && table[n - 1] == 'y' && !strchr("aeiou", table[n - 2])) {
        char *stem = xstrndup(table, n - 1);
        add_lower_first(&sb, stem);
        sb_adds(&sb, "ies");
        free(stem);
    } else {
        add_lower_first(&sb, table);
        sb_adds(&sb, str_ends_with(table, "s") ? "es" : "s");
    }
    return sb_detach(&sb);
}

static char *enum_export(const char *type)
{
    struct strbuf sb;
    sb_init(&sb);
    add_lower_first(&sb, type);
    sb_adds(&sb, "Enum");
    return sb_detach(&sb);
}

static bool is_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_' || *s == '$'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$'))
            return false;
    return true;
}

/* A JavaScript string literal in single quotes. */
static void add_str(struct strbuf *sb, const char *s)
{
    sb_addc(sb, '\'');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'' || c == '\\')
            sb_addc(sb, '\\');
        if (c < 0x20)
            sb_addf(sb, "\\x%02x", c);
        else
            sb_addc(sb, (char)c);
    }
    sb_addc(sb, '\'');
}

/* obj.name, or obj['odd name']. */
static void add_member(struct strbuf *sb, const char *obj, const char *name)
{
    sb_adds(sb, obj);
    if (is_identifier(name)) {
        sb_addc(sb, '.');
        sb_adds(sb, name);
    } else {
        sb_addc(sb, '[');
        add_str(sb, name);
        sb_addc(sb, ']');
    }
}

/* sql`...` around SQL text, with what a template literal would interpret escaped. */
static void add_sql(struct strbuf *sb, const char *sql)
{
    sb_adds(sb, "sql`");
    for (const char *s = sql; *s; s++) {
        if (*s == '`' || *s == '\\' || (*s == '$' && s[1] == '{'))
            sb_addc(sb, '\\');
        sb_addc(sb, *s);
    }
    sb_addc(sb, '`');
}

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static bool is_column(json_t *columns, const char *name, size_t len)
{
    size_t i;
    json_t *c;
    json_array_foreach(columns, i, c) {
        const char *n = jstr(c, "name");
        if (strlen(n) == len && strncmp(n, name, len) == 0)
            return true;
    }
    return false;
}

/* Words of a type name that follow its first word after "::". */
static bool type_word(const char *w, size_t n)
{
    static const char *const words[] = {"precision", "varying", "with", "without", "time", "zone"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && strncmp(words[i], w, n) == 0)
            return true;
    return false;
}

/* sql`...` of an expression of the table, its column references written
 * ${t.column}: drizzle-kit writes those back as it writes them in its own
 * snapshots, so the schema compares equal to one written by hand that way.
 * Words in string literals, after "::" (types), before "(" (functions) and
 * after "." are left alone. */
static void add_sql_cols(struct strbuf *sb, const char *expr, json_t *columns)
{
    sb_adds(sb, "sql`");
    const char *p = expr;
    bool in_type = false;
    while (*p) {
        if (*p == '\'') {
            const char *q = p + 1;
            while (*q && !(*q == '\'' && q[1] != '\''))
                q += *q == '\'' ? 2 : 1;
            for (; p <= q && *p; p++) {
                if (*p == '`' || *p == '\\' || (*p == '$' && p[1] == '{'))
                    sb_addc(sb, '\\');
                sb_addc(sb, *p);
            }
            in_type = false;
            continue;
        }
        bool quoted = *p == '"';
        if (quoted || isalpha((unsigned char)*p) || *p == '_') {
            const char *start = p, *name = p;
            size_t n;
            if (quoted) {
                name = ++p;
                while (*p && *p != '"')
                    p++;
                n = (size_t)(p - name);
                if (*p)
                    p++;
            } else {
                while (isalnum((unsigned char)*p) || *p == '_' || *p == '$')
                    p++;
                n = (size_t)(p - name);
            }
            bool after_dot = start > expr && start[-1] == '.';
            bool cast = start >= expr + 2 && start[-1] == ':' && start[-2] == ':';
            bool typeword = in_type && !quoted && type_word(name, n);
            bool call = *p == '(';
            char *col = xstrndup(name, n);
            if (!after_dot && !cast && !typeword && !call && is_column(columns, name, n)) {
                sb_adds(sb, "${");
                add_member(sb, "t", col);
                sb_addc(sb, '}');
            } else {
                for (const char *c = start; c < p; c++) {
                    if (*c == '`' || *c == '\\' || (*c == '$' && c[1] == '{'))
                        sb_addc(sb, '\\');
                    sb_addc(sb, *c);
                }
            }
            free(col);
            in_type = cast || typeword;
            continue;
        }
        if (*p != ' ')
            in_type = false;
        if (*p == '`' || *p == '\\' || (*p == '$' && p[1] == '{'))
            sb_addc(sb, '\\');
        sb_addc(sb, *p++);
    }
    sb_addc(sb, '`');
}

/* --- columns -------------------------------------------------------------- */

/* The builder call of a column type, or NULL when it has none here. */
static char *column_builder(json_t *col)
{
    const char *name = jstr(col, "name"), *type = jstr(col, "type"), *en = jstr(col, "enum");
    struct strbuf sb;
    sb_init(&sb);
    int p, s, len;
    if (en) {
        char *e = enum_export(en);
        sb_adds(&sb, e);
        free(e);
        sb_addc(&sb, '(');
        add_str(&sb, name);
        sb_addc(&sb, ')');
        return sb_detach(&sb);
    }
    static const struct { const char *pg, *fn, *opts; } simple[] = {
        {"text", "text", ""}, {"uuid", "uuid", ""}, {"boolean", "boolean", ""},
        {"integer", "integer", ""}, {"smallint", "smallint", ""},
        {"bigint", "bigint", ", { mode: 'number' }"},
        {"double precision", "doublePrecision", ""}, {"real", "real", ""},
        {"numeric", "numeric", ""}, {"jsonb", "jsonb", ""}, {"json", "json", ""},
        {"timestamp with time zone", "timestamp", ", { withTimezone: true, mode: 'date' }"},
        {"timestamp without time zone", "timestamp", ", { mode: 'date' }"},
        {"date", "date", ", { mode: 'date' }"},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(type, simple[i].pg) == 0) {
            sb_addf(&sb, "%s(", simple[i].fn);
            add_str(&sb, name);
            sb_addf(&sb, "%s)", simple[i].opts);
            return sb_detach(&sb);
        }
    }
    if (sscanf(type, "numeric(%d,%d)", &p, &s) == 2) {
        sb_adds(&sb, "numeric(");
        add_str(&sb, name);
        sb_addf(&sb, ", { precision: %d, scale: %d })", p, s);
    } else if (sscanf(type, "character varying(%d)", &len) == 1) {
        sb_adds(&sb, "varchar(");
        add_str(&sb, name);
        sb_addf(&sb, ", { length: %d })", len);
    } else {
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}

/* A catalog literal 'x'::type (quotes doubled inside) as plain text, or NULL. */
static char *quoted_literal(const char *def)
{
    if (def[0] != '\'')
        return NULL;
    struct strbuf sb;
    sb_init(&sb);
    const char *s = def + 1;
    for (; *s; s++) {
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
        sb_addc(&sb, *s);
    }
    if (*s != '\'' || (s[1] != '\0' && strncmp(s + 1, "::", 2) != 0)) {
        sb_free(&sb);
        return NULL;
    }
    return sb_detach(&sb);
}

/* The .default...() of a column, as drizzle-kit reads the default back. */
static void add_default(struct strbuf *sb, json_t *col)
{
    const char *def = jstr(col, "default"), *type = jstr(col, "type");
    if (!def)
        return;
    if (strcmp(def, "now()") == 0) {
        sb_adds(sb, ".defaultNow()");
        return;
    }
    if (strcmp(def, "gen_random_uuid()") == 0 && strcmp(type, "uuid") == 0) {
        sb_adds(sb, ".defaultRandom()");
        return;
    }
    if (strcmp(def, "true") == 0 || strcmp(def, "false") == 0) {
        sb_addf(sb, ".default(%s)", def);
        return;
    }
    char *lit = quoted_literal(def);
    if (lit && (strcmp(type, "jsonb") == 0 || strcmp(type, "json") == 0)) {
        /* JSON text is a JavaScript expression; checked by parsing it. */
        json_t *v = json_loads(lit, JSON_DECODE_ANY, NULL);
        if (v) {
            sb_addf(sb, ".default(%s)", lit);
            json_decref(v);
            free(lit);
            return;
        }
    } else if (lit && strncmp(type, "numeric", 7) != 0) {
        sb_adds(sb, ".default(");
        add_str(sb, lit);
        sb_addc(sb, ')');
        free(lit);
        return;
    }
    free(lit);
    char *end;
    errno = 0;
    (void)strtod(def, &end);
    if (*def && !*end && errno == 0 && strncmp(type, "numeric", 7) != 0) {
        sb_addf(sb, ".default(%s)", def);
        return;
    }
    sb_adds(sb, ".default(");
    add_sql(sb, def);
    sb_addc(sb, ')');
}

/* --- tables ----------------------------------------------------------------- */

static const char *fk_action(const char *code)
{
    switch (code ? code[0] : 'a') {
    case 'r': return "restrict";
    case 'c': return "cascade";
    case 'n': return "set null";
    case 'd': return "set default";
    default: return NULL; /* no action: Drizzle's default */
    }
}

static void add_cols(struct strbuf *sb, json_t *cols)
{
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        if (i)
            sb_adds(sb, ", ");
        add_member(sb, "t", json_string_value(c));
    }
}

static int add_index(struct strbuf *sb, const char *table, json_t *columns, json_t *ix, char **err)
{
    const char *name = jstr(ix, "name"), *method = jstr(ix, "method");
    if (json_is_true(json_object_get(ix, "include"))) {
        *err = xasprintf("index \"%s\" on \"%s\" has INCLUDE columns, which Drizzle cannot describe",
                         name, table);
        return -1;
    }
    sb_adds(sb, json_is_true(json_object_get(ix, "unique")) ? "  uniqueIndex(" : "  index(");
    add_str(sb, name);
    sb_addf(sb, ").using('%s', ", method);
    size_t i;
    json_t *k;
    /* drizzle-kit reads every key of an index that holds an expression as
     * an expression (it asks whether the index has any): such an index's
     * column keys go inside sql`...` too, or push would rebuild it. */
    bool any_expr = false;
    json_array_foreach(json_object_get(ix, "keys"), i, k)
        any_expr = any_expr || !jstr(k, "column");
    json_array_foreach(json_object_get(ix, "keys"), i, k) {
        const char *col = any_expr ? NULL : jstr(k, "column"), *opclass = jstr(k, "opclass");
        bool desc = json_is_true(json_object_get(k, "desc"));
        bool nf = json_is_true(json_object_get(k, "nullsfirst"));
        if (i)
            sb_adds(sb, ", ");
        if (col) {
            add_member(sb, "t", col);
            if (desc)
                sb_adds(sb, nf ? ".desc().nullsFirst()" : ".desc()");
            else if (nf)
                sb_adds(sb, ".nullsFirst()");
            if (opclass)
                sb_addf(sb, ".op('%s')", opclass);
        } else {
            if (desc || nf) {
                *err = xasprintf("index \"%s\" on \"%s\" orders an expression DESC or NULLS FIRST, "
                                 "which Drizzle cannot describe", name, table);
                return -1;
            }
            char *e = opclass ? xasprintf("%s %s", jstr(k, "expr"), opclass) : xstrdup(jstr(k, "expr"));
            add_sql_cols(sb, e, columns);
            free(e);
        }
    }
    sb_addc(sb, ')');
    if (jstr(ix, "where")) {
        sb_adds(sb, ".where(");
        add_sql_cols(sb, jstr(ix, "where"), columns);
        sb_addc(sb, ')');
    }
    /* Storage parameters ("deduplicate_items=off"): drizzle-kit reads them
     * back as strings and compares, so they are written as strings. */
    json_t *with = json_object_get(ix, "with");
    if (json_array_size(with) > 0) {
        sb_adds(sb, ".with({ ");
        json_t *opt;
        json_array_foreach(with, i, opt) {
            const char *kv = json_string_value(opt), *eq = kv ? strchr(kv, '=') : NULL;
            char *key = eq ? xstrndup(kv, (size_t)(eq - kv)) : NULL;
            if (!key || !is_identifier(key)) {
                *err = xasprintf("index \"%s\" on \"%s\" has a storage parameter Drizzle cannot describe (%s)",
                                 name, table, kv ? kv : "?");
                free(key);
                return -1;
            }
            if (i)
                sb_adds(sb, ", ");
            sb_adds(sb, key);
            sb_adds(sb, ": ");
            add_str(sb, eq + 1);
            free(key);
        }
        sb_adds(sb, " })");
    }
    sb_adds(sb, ",\n");
    return 0;
}

static int add_table(struct strbuf *sb, json_t *tab, char **err)
{
    const char *table = jstr(tab, "name");
    json_t *cons = json_object_get(tab, "constraints");
    /* A one-column primary key goes on its column, as drizzle-kit writes it. */
    const char *pkcol = NULL;
    size_t i;
    json_t *k;
    json_array_foreach(cons, i, k) {
        json_t *cols = json_object_get(k, "cols");
        if (strcmp(jstr(k, "type"), "p") == 0 && json_array_size(cols) == 1)
            pkcol = json_string_value(json_array_get(cols, 0));
    }
    char *exp = table_export(table);
    if (!is_identifier(exp)) {
        *err = xasprintf("table \"%s\" has a name that cannot be a TypeScript name (%s)", table, exp);
        free(exp);
        return -1;
    }
    sb_addf(sb, "export const %s = pgTable(", exp);
    free(exp);
    add_str(sb, table);
    sb_adds(sb, ", {\n");
    json_t *col;
    json_array_foreach(json_object_get(tab, "columns"), i, col) {
        const char *name = jstr(col, "name");
        char *b = column_builder(col);
        if (!b) {
            *err = xasprintf("column \"%s\".\"%s\" has type %s, which this generator does not map",
                             table, name, jstr(col, "type"));
            return -1;
        }
        sb_adds(sb, "  ");
        if (is_identifier(name))
            sb_adds(sb, name);
        else
            add_str(sb, name);
        sb_addf(sb, ": %s", b);
        free(b);
        if (pkcol && strcmp(pkcol, name) == 0)
            sb_adds(sb, ".primaryKey()");
        if (json_is_true(json_object_get(col, "notnull")) && !(pkcol && strcmp(pkcol, name) == 0))
            sb_adds(sb, ".notNull()");
        add_default(sb, col);
        sb_adds(sb, ",\n");
    }
    sb_adds(sb, "}, (t) => [\n");
    json_array_foreach(cons, i, k) {
        const char *type = jstr(k, "type"), *name = jstr(k, "name");
        json_t *cols = json_object_get(k, "cols");
        if (strcmp(type, "p") == 0) {
            if (json_array_size(cols) == 1)
                continue;
            sb_adds(sb, "  primaryKey({ name: ");
            add_str(sb, name);
            sb_adds(sb, ", columns: [");
            add_cols(sb, cols);
            sb_adds(sb, "] }),\n");
        } else if (strcmp(type, "u") == 0) {
            sb_adds(sb, "  unique(");
            add_str(sb, name);
            sb_adds(sb, ").on(");
            add_cols(sb, cols);
            sb_adds(sb, "),\n");
        } else if (strcmp(type, "f") == 0) {
            char *fexp = table_export(jstr(k, "ftable"));
            sb_adds(sb, "  foreignKey({ name: ");
            add_str(sb, name);
            sb_adds(sb, ", columns: [");
            add_cols(sb, cols);
            sb_adds(sb, "], foreignColumns: [");
            size_t j;
            json_t *fc;
            json_array_foreach(json_object_get(k, "fcols"), j, fc) {
                if (j)
                    sb_adds(sb, ", ");
                add_member(sb, fexp, json_string_value(fc));
            }
            free(fexp);
            sb_adds(sb, "] })");
            const char *u = fk_action(jstr(k, "upd")), *d = fk_action(jstr(k, "del"));
            if (u)
                sb_addf(sb, ".onUpdate('%s')", u);
            if (d)
                sb_addf(sb, ".onDelete('%s')", d);
            sb_adds(sb, ",\n");
        } else {
            sb_adds(sb, "  check(");
            add_str(sb, name);
            sb_adds(sb, ", ");
            add_sql_cols(sb, jstr(k, "check"), json_object_get(tab, "columns"));
            sb_adds(sb, "),\n");
        }
    }
    json_t *ix;
    json_array_foreach(json_object_get(tab, "indexes"), i, ix) {
        if (add_index(sb, table, json_object_get(tab, "columns"), ix, err) != 0)
            return -1;
    }
    sb_adds(sb, "]);\n\n");
    return 0;
}

/* --- relations -------------------------------------------------------------- */

/* The name of a one() relation from its column: "organizationId" ->
 * "organization", "assignedToId" -> "assignedTo". */
static char *one_name(const char *col)
{
    size_t n = strlen(col);
    if (n > 2 && strcmp(col + n - 2, "Id") == 0)
        return xstrndup(col, n - 2);
    return xasprintf("%sRef", col);
}

/* Two foreign keys between the same pair of tables need a relationName on
 * both ends; one does not. */
static bool fk_ambiguous(json_t *tables, const char *child, const char *parent)
{
    size_t i, j, n = 0;
    json_t *t, *k;
    json_array_foreach(tables, i, t) {
        if (strcmp(jstr(t, "name"), child) != 0)
            continue;
        json_array_foreach(json_object_get(t, "constraints"), j, k)
            if (strcmp(jstr(k, "type"), "f") == 0 && strcmp(jstr(k, "ftable"), parent) == 0)
                n++;
    }
    return n > 1;
}

static void add_relations(struct strbuf *sb, json_t *tables)
{
    size_t i, j, m;
    json_t *t, *k, *o, *ok;
    json_array_foreach(tables, i, t) {
        const char *table = jstr(t, "name");
        char *exp = table_export(table);
        struct strbuf body;
        sb_init(&body);
        /* one(): this table's own single-column foreign keys. */
        json_array_foreach(json_object_get(t, "constraints"), j, k) {
            json_t *cols = json_object_get(k, "cols");
            if (strcmp(jstr(k, "type"), "f") != 0 || json_array_size(cols) != 1)
                continue;
            const char *col = json_string_value(json_array_get(cols, 0));
            const char *parent = jstr(k, "ftable");
            char *pexp = table_export(parent), *rn = one_name(col);
            sb_addf(&body, "  %s: one(%s, { fields: [", rn, pexp);
            add_member(&body, exp, col);
            sb_adds(&body, "], references: [");
            add_member(&body, pexp, json_string_value(json_array_get(json_object_get(k, "fcols"), 0)));
            sb_adds(&body, "]");
            if (fk_ambiguous(tables, table, parent)) {
                sb_adds(&body, ", relationName: ");
                add_str(&body, jstr(k, "name"));
            }
            sb_adds(&body, " }),\n");
            free(pexp);
            free(rn);
        }
        /* many(): the tables whose foreign keys point here. */
        json_array_foreach(tables, m, o) {
            json_array_foreach(json_object_get(o, "constraints"), j, ok) {
                json_t *cols = json_object_get(ok, "cols");
                if (strcmp(jstr(ok, "type"), "f") != 0 || json_array_size(cols) != 1
                    || strcmp(jstr(ok, "ftable"), table) != 0)
                    continue;
                char *cexp = table_export(jstr(o, "name"));
                if (fk_ambiguous(tables, jstr(o, "name"), table)) {
                    char *rn = one_name(json_string_value(json_array_get(cols, 0)));
                    sb_addf(&body, "  %sBy%c%s: many(%s, { relationName: ", cexp,
                            toupper((unsigned char)rn[0]), rn + 1, cexp);
                    add_str(&body, jstr(ok, "name"));
                    sb_adds(&body, " }),\n");
                    free(rn);
                } else {
                    sb_addf(&body, "  %s: many(%s),\n", cexp, cexp);
                }
                free(cexp);
            }
        }
        if (body.len) {
            sb_addf(sb, "export const %sRelations = relations(%s, ({ one, many }) => ({\n", exp, exp);
            sb_addn(sb, body.buf, body.len);
            sb_adds(sb, "}));\n\n");
        }
        sb_free(&body);
        free(exp);
    }
}

/* --- output ----------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const struct strbuf *sb, char **err)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(sb->buf, 1, sb->len, f) == sb->len;
    if (f)
        ok = (fclose(f) == 0) && ok;
    if (!ok)
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
    free(path);
    return ok ? 0 : -1;
}

static const char file_header[] =
    "// %s - written by `pantrycrm db drizzle` from the catalog of\n"
    "// %s.\n"
    "// The shipped, commented version is data/drizzle/%s; tests/drizzle.sh\n"
    "// checks that drizzle-kit finds the two the same.\n";

int drizzle_generate(const char *conninfo, const char *outdir, const struct progress *out,
                     char **err)
{
    PGconn *conn = pg_connect(conninfo, "read the catalog for a Drizzle schema", err);
    if (!conn)
        return -1;
    PGresult *r = pg_exec(conn, err, catalog_sql, 0, NULL);
    char *where = pg_describe(conn);
    PQfinish(conn);
    if (!r) {
        free(where);
        return -1;
    }
    json_error_t je;
    json_t *cat = json_loads(PQgetvalue(r, 0, 0), 0, &je);
    PQclear(r);
    if (!cat) {
        *err = xasprintf("cannot read the catalog: %s", je.text);
        free(where);
        return -1;
    }
    struct strbuf schema, rel;
    sb_init(&schema);
    sb_init(&rel);
    int rc = -1;
    sb_addf(&schema, file_header, "schema.ts", where, "schema.ts");
    sb_adds(&schema, "import { sql } from 'drizzle-orm';\n"
                     "import {\n  bigint, boolean, check, date, doublePrecision, foreignKey, index,"
                     " integer, json, jsonb,\n  numeric, pgEnum, pgTable, primaryKey, real, smallint,"
                     " text, timestamp, unique,\n  uniqueIndex, uuid, varchar,\n"
                     "} from 'drizzle-orm/pg-core';\n\n");
    size_t i;
    json_t *e, *t;
    json_array_foreach(json_object_get(cat, "enums"), i, e) {
        char *exp = enum_export(jstr(e, "name"));
        if (!is_identifier(exp)) {
            *err = xasprintf("enum type \"%s\" has a name that cannot be a TypeScript name", jstr(e, "name"));
            free(exp);
            goto out;
        }
        sb_addf(&schema, "export const %s = pgEnum(", exp);
        free(exp);
        add_str(&schema, jstr(e, "name"));
        sb_adds(&schema, ", [");
        size_t j;
        json_t *l;
        json_array_foreach(json_object_get(e, "labels"), j, l) {
            if (j)
                sb_adds(&schema, ", ");
            add_str(&schema, json_string_value(l));
        }
        sb_adds(&schema, "]);\n");
    }
    sb_addc(&schema, '\n');
    json_t *tables = json_object_get(cat, "tables");
    json_array_foreach(tables, i, t) {
        if (add_table(&schema, t, err) != 0)
            goto out;
    }
    sb_addf(&rel, file_header, "relations.ts", where, "relations.ts");
    sb_adds(&rel, "import { relations } from 'drizzle-orm';\n\nimport {");
    json_array_foreach(tables, i, t) {
        char *exp = table_export(jstr(t, "name"));
        sb_addf(&rel, "%s %s", i ? "," : "", exp);
        free(exp);
    }
    sb_adds(&rel, " } from './schema';\n\n");
    add_relations(&rel, tables);
    struct stat st;
    if (stat(outdir, &st) != 0 && mkdir(outdir, 0777) != 0) {
        *err = xasprintf("cannot create %s: %s", outdir, strerror(errno));
        goto out;
    }
    if (write_file(outdir, "schema.ts", &schema, err) != 0
        || write_file(outdir, "relations.ts", &rel, err) != 0)
        goto out;
    progress_say(out, "wrote %s/schema.ts and %s/relations.ts (%zu enums, %zu tables) from %s",
                 outdir, outdir, json_array_size(json_object_get(cat, "enums")),
                 json_array_size(tables), where);
    rc = 0;
out:
    sb_free(&schema);
    sb_free(&rel);
    free(where);
    json_decref(cat);
    return rc;
}
