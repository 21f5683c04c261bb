/* gen_write.c - the SQLite writer: DDL from the contract, prepared inserts,
 * the _prisma_migrations table, the UNIQUE keys, and the dirt report.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "gen_private.h"
#include "progress.h"
#include "sqlite_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * SQLite.
 * ------------------------------------------------------------------------ */

int gen_exec_sql(struct gen *g, const char *sql)
{
    char *msg;
    if (sqlite_exec(g->sql, sql, "SQLite", &msg) == 0)
        return 0;
    gen_fail(g, "%s (in: %.60s)", msg, sql);
    free(msg);
    return -1;
}

static void add_quoted(struct strbuf *sb, const char *s, char q)
{
    sb_addc(sb, q);
    for (; *s; s++) {
        if (*s == q)
            sb_addc(sb, q);
        sb_addc(sb, *s);
    }
    sb_addc(sb, q);
}

/* CREATE TABLE from the contract. Every column is nullable but the primary
 * key: §1 has NOT NULL columns, but the dirt injects NULLs into the NOT
 * NULL enum columns (hand edits did, in the real database), and SQLite
 * would refuse them. The declared types are SQL Server's, spelled by
 * legacy_mssql_type(); SQLite cannot parse NVARCHAR(MAX), so that one is
 * quoted, which SQLite keeps verbatim as the declared type.
 * A table with a primary key is WITHOUT ROWID: stored in key order, as SQL
 * Server stores a table clustered on its primary key (Prisma's default).
 * As a rowid table it was stored in insertion order, and reading it in
 * key order, as migrate does, read each page about ten times. */
void gen_ddl_table(struct strbuf *sb, const struct legacy_table *t)
{
    bool has_key = false;
    sb_adds(sb, "CREATE TABLE ");
    add_quoted(sb, t->name, '"');
    sb_adds(sb, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        const struct legacy_column *c = &t->cols[i];
        const char *type = legacy_mssql_type(c);
        sb_adds(sb, i ? ",\n    " : "\n    ");
        add_quoted(sb, c->name, '"');
        sb_addc(sb, ' ');
        if (strchr(type, '(') && !strchr(type, ',') && strstr(type, "(MAX)"))
            add_quoted(sb, type, '"');
        else
            sb_adds(sb, type);
        if (c->kind == COL_ID_TEXT || c->kind == COL_ID_UUID) {
            sb_adds(sb, " NOT NULL PRIMARY KEY");
            has_key = true;
        }
        if (c->fallback) {
            sb_adds(sb, " DEFAULT ");
            if (c->kind == COL_BIT || c->kind == COL_INT)
                sb_addf(sb, "%ld", strtol(c->fallback, NULL, 10));
            else
                add_quoted(sb, c->fallback, '\'');
        }
    }
    sb_adds(sb, has_key ? "\n) WITHOUT ROWID" : "\n)");
}

static int prepare_insert(struct gen *g, struct tstate *ts)
{
    struct strbuf sb;
    sb_init(&sb);
    sb_adds(&sb, "INSERT INTO ");
    add_quoted(&sb, ts->t->name, '"');
    sb_adds(&sb, " (");
    for (size_t i = 0; i < ts->t->ncols; i++) {
        if (i)
            sb_adds(&sb, ", ");
        add_quoted(&sb, ts->t->cols[i].name, '"');
    }
    sb_adds(&sb, ") VALUES (");
    for (size_t i = 0; i < ts->t->ncols; i++)
        sb_adds(&sb, i ? ", ?" : "?");
    sb_adds(&sb, ")");
    int rc = sqlite3_prepare_v2(g->sql, sb.buf, -1, &ts->ins, NULL);
    sb_free(&sb);
    if (rc != SQLITE_OK)
        return gen_fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    return 0;
}

static int insert_row(struct gen *g, struct tstate *ts)
{
    sqlite3_stmt *st = ts->ins;
    for (size_t c = 0; c < ts->t->ncols; c++) {
        const struct cell *cl = &g->cells[c];
        int rc, i = (int)c + 1;
        switch (cl->type) {
        case CELL_TEXT:
            /* An explicit length, so that a NUL inside is stored. The
             * buffers live until the next row is made, after the step. */
            rc = sqlite3_bind_text(st, i, cl->s, (int)cl->len, SQLITE_STATIC);
            break;
        case CELL_INT: rc = sqlite3_bind_int64(st, i, cl->i); break;
        case CELL_REAL: rc = sqlite3_bind_double(st, i, cl->d); break;
        default: rc = sqlite3_bind_null(st, i); break;
        }
        if (rc != SQLITE_OK)
            return gen_fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return gen_fail(g, "SQLite: inserting into %s: %s", ts->t->name, sqlite3_errmsg(g->sql));
    return 0;
}

int gen_table(struct gen *g, struct tstate *ts)
{
    int email_col = ts->tab == T_CONTACT ? legacy_column_index(ts->t, "email") : -1;
    if (prepare_insert(g, ts) != 0)
        return -1;
    for (long i = 0; i < ts->rows; i++) {
        g->row = i;
        rng_seed(&g->r, hash3(g->seed, SALT(ts->tab, P_ROW), (uint64_t)i));
        gen_prep(g, ts->tab, i);
        gen_prep_main_enum(g, ts, i);
        for (size_t c = 0; c < ts->t->ncols; c++) {
            g->dirty[c] = false;
            gen_fill_cell(g, ts, (int)c);
        }
        if (g->o->messy)
            gen_dirty_row(g, ts, i);
        for (size_t c = 0; c < ts->t->ncols; c++)
            if (g->cells[c].odd_ref && ts->plan[c].col->kind == COL_FK_UUID)
                gen_tally(g, ts, (int)c, D_NON_UUID_REF);
        if (email_col >= 0 && !g->dirty[email_col] && g->cells[email_col].type == CELL_TEXT) {
            sb_reset(&g->last_email);
            sb_addn(&g->last_email, g->cells[email_col].s, g->cells[email_col].len);
        }
        if (insert_row(g, ts) != 0)
            return -1;
    }
    sqlite3_finalize(ts->ins);
    ts->ins = NULL;
    return 0;
}

/* Prisma's bookkeeping table as its SQL Server provider creates it. */
int gen_prisma_migrations(struct gen *g)
{
    static const char *const names[] = {
        "20220114093000_init", "20220602141500_contracts", "20230305080000_lead_scoring",
    };
    if (gen_exec_sql(g, "CREATE TABLE \"_prisma_migrations\" (\n"
                    "    \"id\" VARCHAR(36) NOT NULL PRIMARY KEY,\n"
                    "    \"checksum\" VARCHAR(64) NOT NULL,\n"
                    "    \"finished_at\" DATETIMEOFFSET,\n"
                    "    \"migration_name\" NVARCHAR(250) NOT NULL,\n"
                    "    \"logs\" \"NVARCHAR(MAX)\",\n"
                    "    \"rolled_back_at\" DATETIMEOFFSET,\n"
                    "    \"started_at\" DATETIMEOFFSET NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
                    "    \"applied_steps_count\" INT NOT NULL DEFAULT 0\n)") != 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(g->sql, "INSERT INTO \"_prisma_migrations\" VALUES (?, ?, ?, ?, NULL, "
                                    "NULL, ?, 1)", -1, &st, NULL) != SQLITE_OK)
        return gen_fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
    for (size_t i = 0; i < N_(names); i++) {
        uint64_t h = hash3(g->seed, SALT(0, P_MIGRATION), i);
        char id[40], sum[80], started[48], finished[48];
        gen_fmt_uuid(id, h, hash3(h, 1, i), false);
        for (int k = 0; k < 4; k++)
            snprintf(sum + 16 * k, 17, "%016" PRIx64, hash3(h, 2, (uint64_t)k));
        /* The migration's own timestamp is in its name. */
        int y, mo, d, hh, mm, ss;
        if (sscanf(names[i], "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &hh, &mm, &ss) != 6)
            y = 2022, mo = d = 1, hh = mm = ss = 0;
        int64_t t = gen_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
        gen_fmt_datetime2(started, t, 1230000);
        gen_fmt_datetime2(finished, t + 1, 4560000);
        strcat(started, " +00:00");
        strcat(finished, " +00:00");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, sum, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, finished, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, names[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, started, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) {
            gen_fail(g, "SQLite: %s", sqlite3_errmsg(g->sql));
            sqlite3_finalize(st);
            return -1;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return (int)N_(names);
}

int gen_create_unique_keys(struct gen *g)
{
    for (size_t i = 0; i < N_(unique_keys); i++) {
        struct strbuf sb;
        sb_init(&sb);
        sb_adds(&sb, "CREATE UNIQUE INDEX ");
        add_quoted(&sb, unique_keys[i].name, '"');
        sb_adds(&sb, " ON ");
        add_quoted(&sb, unique_keys[i].table, '"');
        sb_adds(&sb, " (");
        for (int k = 0; k < 3 && unique_keys[i].cols[k]; k++) {
            if (k)
                sb_adds(&sb, ", ");
            add_quoted(&sb, unique_keys[i].cols[k], '"');
        }
        sb_adds(&sb, ")");
        int rc = gen_exec_sql(g, sb.buf);
        sb_free(&sb);
        if (rc != 0)
            return -1;
    }
    return 0;
}


/* ------------------------------------------------------------------------
 * The dirt report.
 * ------------------------------------------------------------------------ */

json_t *gen_dirt_json(struct gen *g, int migrations)
{
    json_t *root = json_object(), *rows = json_object(), *kinds = json_object();
    json_t *syn = json_object(), *dirt = json_object(), *totals = json_object();
    char seed[32], now[40];
    snprintf(seed, sizeof seed, "%" PRIu64, g->seed);
    gen_fmt_datetime2(now, g->now, 0);
    json_object_set_new(root, "generator", json_string("pantrycrm demo generate " PACKAGE_VERSION));
    json_object_set_new(root, "scale", json_integer(g->scale));
    json_object_set_new(root, "seed", json_string(seed));
    json_object_set_new(root, "messy", json_boolean(g->o->messy));
    json_object_set_new(root, "surrogates", json_string(g->o->escape_surrogates ? "escape" : "wtf8"));
    json_object_set_new(root, "reference_time", json_string(now));
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    for (size_t t = 0; t < nt; t++)
        json_object_set_new(rows, tables[t].name, json_integer(g->n[gen_tab_of(tables[t].name)]));
    json_object_set_new(rows, "_prisma_migrations", json_integer(migrations));
    json_object_set_new(root, "rows", rows);
    for (int k = 0; k < D_COUNT; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "rate", json_real(dirt_info[k].bp / 10000.0));
        json_object_set_new(o, "meaning", json_string(dirt_info[k].meaning));
        json_object_set_new(kinds, dirt_info[k].name, o);
    }
    json_object_set_new(root, "kinds", kinds);
    for (size_t s = 0; s < N_(synonyms); s++) {
        json_t *m = json_object_get(syn, synonyms[s].type);
        if (!m)
            json_object_set_new(syn, synonyms[s].type, m = json_object());
        json_object_set_new(m, synonyms[s].value, json_string(synonyms[s].label));
    }
    json_object_set_new(root, "synonyms", syn);
    json_t *unmatched = json_array();
    for (size_t u = 0; u < N_(unmatched_values); u++)
        json_array_append_new(unmatched, json_string(unmatched_values[u]));
    json_object_set_new(root, "unmatched_values", unmatched);
    for (size_t t = 0; t < nt; t++) {
        int ti = gen_tab_of(tables[t].name);
        json_t *to = NULL;
        for (size_t c = 0; c < tables[t].ncols; c++) {
            json_t *co = NULL;
            for (int k = 0; k < D_COUNT; k++) {
                long v = g->dirt[ti][c][k];
                if (!v)
                    continue;
                if (!to)
                    json_object_set_new(dirt, tables[t].name, to = json_object());
                if (!co)
                    json_object_set_new(to, tables[t].cols[c].name, co = json_object());
                json_object_set_new(co, dirt_info[k].name, json_integer(v));
            }
        }
    }
    json_object_set_new(root, "dirt", dirt);
    for (int k = 0; k < D_COUNT; k++)
        json_object_set_new(totals, dirt_info[k].name, json_integer(g->totals[k]));
    json_object_set_new(root, "totals", totals);
    return root;
}

void gen_report_dirt(struct gen *g, const struct progress *log)
{
    size_t nt;
    const struct legacy_table *tables = legacy_tables(&nt);
    progress_say(log, "dirt injected (table.column kind count):");
    for (size_t t = 0; t < nt; t++) {
        int ti = gen_tab_of(tables[t].name);
        for (size_t c = 0; c < tables[t].ncols; c++)
            for (int k = 0; k < D_COUNT; k++)
                if (g->dirt[ti][c][k]) {
                    char name[96];
                    snprintf(name, sizeof name, "%s.%s", tables[t].name, tables[t].cols[c].name);
                    progress_say(log, "  %-34s %-18s %8ld", name, dirt_info[k].name,
                                 g->dirt[ti][c][k]);
                }
    }
    for (int k = 0; k < D_COUNT; k++)
        progress_say(log, "  %-34s %-18s %8ld", "total", dirt_info[k].name, g->totals[k]);
}
