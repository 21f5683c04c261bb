/* health.c - the health report of both databases (see health.h).
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "health.h"
#include "numfmt.h"
#include "pg.h"
#include "sanitize.h"
#include "source.h"
#include "util.h"
#include "clock.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* After a cut to fit a buffer: drops a multi-byte character the cut split,
 * which would make the text invalid UTF-8 (and its JSON string vanish:
 * jansson refuses invalid UTF-8). */
static void cut_to_character(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char c = (unsigned char)s[i - 1];
    size_t need = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

static void add_line(char (*lines)[HEALTH_LINE_MAX], size_t *n, const char *fmt, ...) PANTRY_PRINTF(3, 4);
static void add_line(char (*lines)[HEALTH_LINE_MAX], size_t *n, const char *fmt, ...)
{
    if (*n >= HEALTH_MAX_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(lines[*n], HEALTH_LINE_MAX, fmt, ap);
    va_end(ap);
    if (w >= HEALTH_LINE_MAX)
        cut_to_character(lines[*n]);
    (*n)++;
}
#define NOTE(h, ...) add_line((h)->notes, &(h)->nnotes, __VA_ARGS__)
#define REASON(h, ...) add_line((h)->reasons, &(h)->nreasons, __VA_ARGS__)

static void copy(char *dst, size_t size, const char *src)
{
    if ((size_t)snprintf(dst, size, "%s", src ? src : "") >= size)
        cut_to_character(dst);
}

static int64_t i64(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void health_fmt_bytes(char *buf, size_t size, double b)
{
    numfmt_bytes_compact(b, buf, size);
}

void health_init(struct health *h, const char *source, int64_t ram_bytes)
{
    memset(h, 0, sizeof *h);
    h->hit_ratio = -1;
    h->replay_lag_s = -1;
    h->ram_bytes = ram_bytes;
    if (ram_bytes > 0)
        copy(h->ram_source, sizeof h->ram_source, "given with --memory");
    if (source && *source) {
        h->source_known = true;
        copy(h->source, sizeof h->source, source);
    }
}

/* The settings the advisor reads: the seed's DZ-004/DZ-012 tuning list.
 * Fixed names, so the SQL below is a constant. */
#define SETTINGS_LIST                                                                    \
    "'shared_buffers','effective_cache_size','maintenance_work_mem','work_mem',"         \
    "'max_connections','wal_buffers','checkpoint_completion_target','checkpoint_timeout'," \
    "'max_wal_size','random_page_cost','effective_io_concurrency',"                      \
    "'default_statistics_target','autovacuum_vacuum_scale_factor',"                      \
    "'autovacuum_analyze_scale_factor','autovacuum_vacuum_cost_delay'"

char *health_step_sql(const struct health *h, int step)
{
    switch (step) {
    case HEALTH_STEP_PING:
        return xstrdup("SELECT 1");
    case HEALTH_STEP_SERVER:
        return xstrdup(
            "SELECT version(), current_setting('server_version_num')::int, current_database(), "
            "pg_database_size(current_database()), "
            "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
            "current_setting('max_connections')::int, "
            "current_setting('superuser_reserved_connections')::int, "
            "(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pantrycrm'), "
            "d.blks_hit, d.blks_read, "
            "coalesce(to_char(d.stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ''), "
            /* role and replay lag: caught up when all WAL received is
             * replayed (an idle primary sends no transactions to time) */
            "pg_is_in_recovery(), "
            "CASE WHEN NOT pg_is_in_recovery() THEN NULL "
            "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END, "
            "coalesce((SELECT status FROM pg_stat_wal_receiver), '') "
            "FROM pg_stat_database d WHERE d.datname = current_database()");
    case HEALTH_STEP_TABLES:
        return xstrdup(
            "SELECT schemaname || '.' || relname, pg_total_relation_size(relid), n_live_tup, "
            "n_dead_tup, seq_scan, seq_tup_read, coalesce(idx_scan, 0), "
            "coalesce(to_char(last_autovacuum AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '') "
            "FROM pg_stat_user_tables "
            "ORDER BY pg_total_relation_size(relid) DESC, 1 LIMIT 20");
    case HEALTH_STEP_INDEXES:
        /* Unused: never scanned since the statistics were reset, and not
         * enforcing anything (unique and primary keys are never unused). */
        return xstrdup(
            "SELECT s.schemaname || '.' || s.indexrelname, s.schemaname || '.' || s.relname, "
            "pg_relation_size(s.indexrelid), count(*) OVER () "
            "FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid "
            "WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY pg_relation_size(s.indexrelid) DESC, 1 LIMIT 100");
    case HEALTH_STEP_PGSS:
        return xstrdup(
            "SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'), "
            "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'), "
            "current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])', "
            "(SELECT count(*) FROM pg_stat_user_indexes)");
    case HEALTH_STEP_STATEMENTS: {
        if (h->pgss != 3 || !h->pgss_schema[0])
            return NULL;
        /* The schema name comes from the catalog; quote it as an
         * identifier all the same. */
        struct strbuf sb;
        sb_init(&sb);
        sb_adds(&sb, "\"");
        for (const char *p = h->pgss_schema; *p; p++) {
            if (*p == '"')
                sb_addc(&sb, '"');
            sb_addc(&sb, *p);
        }
        sb_adds(&sb, "\"");
        char *schema = sb_detach(&sb);
        const char *mean = h->version_num >= 130000 ? "mean_exec_time" : "mean_time";
        const char *total = h->version_num >= 130000 ? "total_exec_time" : "total_time";
        char *sql = xasprintf(
            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 250), calls, rows, %s, %s "
            "FROM %s.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
            "WHERE datname = current_database()) ORDER BY %s DESC LIMIT 8",
            mean, total, schema, mean);
        free(schema);
        return sql;
    }
    case HEALTH_STEP_SETTINGS:
        return xstrdup("SELECT name, setting, coalesce(unit, ''), "
                       "current_setting(name) FROM pg_settings WHERE name IN (" SETTINGS_LIST
                       ") ORDER BY name");
    case HEALTH_STEP_LAST_RUN:
        if (h->source_known)
            return NULL;
        return xstrdup("SELECT source FROM migration.run ORDER BY id DESC LIMIT 1");
    default:
        return NULL;
    }
}

/* A setting's value in base units: bytes for memory, ms for time. */
static double setting_base(const char *setting, const char *unit)
{
    double v = strtod(setting, NULL);
    if (!strcmp(unit, "8kB"))
        return v * 8192;
    if (!strcmp(unit, "kB"))
        return v * 1024;
    if (!strcmp(unit, "MB"))
        return v * 1024 * 1024;
    if (!strcmp(unit, "B"))
        return v;
    if (!strcmp(unit, "s"))
        return v * 1000;
    if (!strcmp(unit, "min"))
        return v * 60000;
    return v; /* ms or unitless */
}

void health_step_done(struct health *h, int step, PGresult *res, const char *error, double ms)
{
    if (!res) {
        switch (step) {
        case HEALTH_STEP_PING:
            health_target_down(h, error);
            break;
        case HEALTH_STEP_LAST_RUN:
            NOTE(h, "the legacy source is unknown: cannot read migration.run (%s)",
                 error ? error : "?");
            break;
        default:
            NOTE(h, "check %d failed: %s", step, error ? error : "?");
            break;
        }
        return;
    }
    int n = PQntuples(res);
    switch (step) {
    case HEALTH_STEP_PING:
        h->target_ok = true;
        h->ping_ms = ms;
        break;
    case HEALTH_STEP_SERVER:
        if (n < 1)
            break;
        copy(h->version, sizeof h->version, PQgetvalue(res, 0, 0));
        h->version_num = atoi(PQgetvalue(res, 0, 1));
        copy(h->database, sizeof h->database, PQgetvalue(res, 0, 2));
        h->db_bytes = i64(res, 0, 3);
        h->conns_used = (int)i64(res, 0, 4);
        h->conns_max = (int)i64(res, 0, 5);
        h->conns_reserved = (int)i64(res, 0, 6);
        h->conns_app = (int)i64(res, 0, 7);
        h->blks_hit = i64(res, 0, 8);
        h->blks_read = i64(res, 0, 9);
        copy(h->stats_reset, sizeof h->stats_reset, PQgetvalue(res, 0, 10));
        h->standby = PQgetvalue(res, 0, 11)[0] == 't';
        h->replay_lag_s = PQgetisnull(res, 0, 12) ? -1 : atof(PQgetvalue(res, 0, 12));
        copy(h->wal_receiver, sizeof h->wal_receiver, PQgetvalue(res, 0, 13));
        if (h->blks_hit + h->blks_read > 0)
            h->hit_ratio = (double)h->blks_hit / (double)(h->blks_hit + h->blks_read);
        break;
    case HEALTH_STEP_TABLES:
        h->ntables = 0;
        for (int r = 0; r < n && h->ntables < sizeof h->tables / sizeof h->tables[0]; r++) {
            struct health_table *t = &h->tables[h->ntables++];
            copy(t->name, sizeof t->name, PQgetvalue(res, r, 0));
            t->bytes = i64(res, r, 1);
            t->live = i64(res, r, 2);
            t->dead = i64(res, r, 3);
            t->seq_scan = i64(res, r, 4);
            t->seq_read = i64(res, r, 5);
            t->idx_scan = i64(res, r, 6);
            copy(t->last_autovacuum, sizeof t->last_autovacuum, PQgetvalue(res, r, 7));
        }
        break;
    case HEALTH_STEP_INDEXES:
        h->nunused = 0;
        for (int r = 0; r < n && h->nunused < sizeof h->unused / sizeof h->unused[0]; r++) {
            struct health_index *x = &h->unused[h->nunused++];
            copy(x->name, sizeof x->name, PQgetvalue(res, r, 0));
            copy(x->table, sizeof x->table, PQgetvalue(res, r, 1));
            x->bytes = i64(res, r, 2);
        }
        break;
    case HEALTH_STEP_PGSS:
        if (n < 1)
            break;
        h->nindexes = i64(res, 0, 3);
        if (!PQgetisnull(res, 0, 0)) {
            h->pgss = 3;
            copy(h->pgss_schema, sizeof h->pgss_schema, PQgetvalue(res, 0, 0));
        } else if (!strcmp(PQgetvalue(res, 0, 2), "t")) {
            h->pgss = 2;
            copy(h->pgss_hint, sizeof h->pgss_hint,
                 "pg_stat_statements is loaded but not created in this database: run "
                 "CREATE EXTENSION pg_stat_statements; (as a superuser or the database owner)");
        } else if (!strcmp(PQgetvalue(res, 0, 1), "t")) {
            h->pgss = 1;
            copy(h->pgss_hint, sizeof h->pgss_hint,
                 "pg_stat_statements is not enabled: add it to shared_preload_libraries in "
                 "postgresql.conf (ALTER SYSTEM SET shared_preload_libraries = "
                 "'pg_stat_statements'), restart the server, then run CREATE EXTENSION "
                 "pg_stat_statements; in this database");
        } else {
            h->pgss = 0;
            copy(h->pgss_hint, sizeof h->pgss_hint,
                 "pg_stat_statements is not installed on the server: install the PostgreSQL "
                 "contrib package, add it to shared_preload_libraries, restart, then CREATE "
                 "EXTENSION pg_stat_statements;");
        }
        break;
    case HEALTH_STEP_STATEMENTS:
        h->nstmts = 0;
        for (int r = 0; r < n && h->nstmts < sizeof h->stmts / sizeof h->stmts[0]; r++) {
            struct health_stmt *s = &h->stmts[h->nstmts++];
            copy(s->query, sizeof s->query, PQgetvalue(res, r, 0));
            s->calls = i64(res, r, 1);
            s->rows = i64(res, r, 2);
            s->mean_ms = strtod(PQgetvalue(res, r, 3), NULL);
            s->total_ms = strtod(PQgetvalue(res, r, 4), NULL);
        }
        break;
    case HEALTH_STEP_SETTINGS:
        h->nraw = 0;
        for (int r = 0; r < n && h->nraw < sizeof h->raw / sizeof h->raw[0]; r++) {
            copy(h->raw[h->nraw].name, sizeof h->raw[0].name, PQgetvalue(res, r, 0));
            copy(h->raw[h->nraw].unit, sizeof h->raw[0].unit, PQgetvalue(res, r, 2));
            copy(h->raw[h->nraw].text, sizeof h->raw[0].text, PQgetvalue(res, r, 3));
            h->raw[h->nraw].value = setting_base(PQgetvalue(res, r, 1), PQgetvalue(res, r, 2));
            h->nraw++;
        }
        break;
    case HEALTH_STEP_LAST_RUN:
        if (n > 0 && !PQgetisnull(res, 0, 0)) {
            h->source_known = true;
            copy(h->source, sizeof h->source, PQgetvalue(res, 0, 0));
        }
        break;
    default:
        break;
    }
}

void health_target_down(struct health *h, const char *error)
{
    h->target_ok = false;
    copy(h->target_error, sizeof h->target_error, error ? error : "unreachable");
    /* libpq's messages span lines; a status reason is one line */
    for (char *p = h->target_error; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    str_rtrim(h->target_error);
}

void health_check_source(struct health *h)
{
    if (!h->source_known)
        return;
    double t0 = clock_mono_ms();
    char *err = NULL;
    struct source *src = source_open(h->source, &err);
    if (src) {
        /* A cheap question that needs the database, not just the file. */
        int64_t rows = 0;
        if (src->ops->estimate(src, "Organization", &rows, &err) == 0) {
            h->source_ok = true;
            if (src->ops->facts) {
                struct source_facts f;
                memset(&f, 0, sizeof f);
                char *ferr = NULL;
                if (src->ops->facts(src, &f, &ferr) == 0)
                    copy(h->source_server, sizeof h->source_server, f.server);
                free(ferr);
                source_facts_free(&f);
            }
        }
        source_close(src);
    }
    h->source_ms = clock_mono_ms() - t0;
    if (!h->source_ok)
        copy(h->source_error, sizeof h->source_error, err ? str_rtrim(err) : "unreachable");
    free(err);
}

/* ---- the settings advisor ------------------------------------------------ */

#define MB (1024.0 * 1024.0)
#define GB (1024.0 * MB)
/* The seed's reference server (DZ-012: Azure B1, 1.75 GB of RAM). */
#define SEED_RAM (1.75 * GB)

enum kind { K_MEM, K_TIME, K_NUM, K_MAX };

struct rule {
    const char *name;
    enum kind kind;
    double (*rec)(double ram);  /* NULL: fixed value below */
    double fixed;
    const char *why;            /* what the setting does and why the seed's value */
};

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}
/* The seed's values for 1.75 GB, scaled to this server's memory. */
static double r_shared(double ram) { return ram * 0.25; }
static double r_cache(double ram) { return ram * 0.75; }
static double r_maint(double ram) { return clampd(ram * 128 / 1792, 64 * MB, 2 * GB); }
static double r_work(double ram) { return clampd(ram * 8 / 1792, 4 * MB, 64 * MB); }

static const struct rule rules[] = {
    {"shared_buffers", K_MEM, r_shared, 0,
     "PostgreSQL's own page cache; the seed gives it 25% of RAM (256MB of 1.75GB)"},
    {"effective_cache_size", K_MEM, r_cache, 0,
     "the planner's estimate of all cache (PostgreSQL + OS); the seed says 75% of RAM; too low "
     "and the planner shuns index scans"},
    {"maintenance_work_mem", K_MEM, r_maint, 0,
     "memory of CREATE INDEX and VACUUM: the migration rebuilds every index after its bulk "
     "load; the seed's 128MB per 1.75GB"},
    {"work_mem", K_MEM, r_work, 0,
     "memory per sort or hash in a query (the dashboard refresh, sorted lists); the seed's 8MB "
     "per 1.75GB; it is multiplied by concurrent queries, so keep it modest"},
    {"max_connections", K_MAX, NULL, 80,
     "the seed allows 80 (a pool of 8 per app instance, room for the platform); each idle "
     "connection costs memory and every one may use work_mem"},
    {"wal_buffers", K_MEM, NULL, 16 * MB, "WAL written in one go; the seed's 16MB suits bulk loads"},
    {"checkpoint_completion_target", K_NUM, NULL, 0.9,
     "spreads checkpoint writes over the interval (the seed's 0.9) to avoid I/O spikes"},
    {"checkpoint_timeout", K_TIME, NULL, 15 * 60000.0,
     "the seed's 15min between checkpoints: fewer full-page writes during the migration"},
    {"max_wal_size", K_MEM, NULL, 1536 * MB,
     "the seed's checkpoint_segments = 32 was removed in PostgreSQL 9.5; its equivalent is "
     "max_wal_size = 3 x 32 x 16MB = 1.5GB"},
    {"random_page_cost", K_NUM, NULL, 1.1,
     "the seed's 1.1 for SSD storage; 4 (the default) assumes spinning disks and makes index "
     "scans look too dear"},
    {"effective_io_concurrency", K_NUM, NULL, 200,
     "the seed's 200 for SSD: concurrent prefetch in bitmap heap scans"},
    {"default_statistics_target", K_NUM, NULL, 100, "the seed keeps the default 100"},
    {"autovacuum_vacuum_scale_factor", K_NUM, NULL, 0.1,
     "the seed's 0.1 vacuums a CRM table after 10% of it changed (default 20%)"},
    {"autovacuum_analyze_scale_factor", K_NUM, NULL, 0.05,
     "the seed's 0.05 refreshes planner statistics after 5% changed (default 10%)"},
    {"autovacuum_vacuum_cost_delay", K_TIME, NULL, 10,
     "the seed's 10ms throttles autovacuum gently"},
};

static void fmt_value(char *buf, size_t size, enum kind k, double v)
{
    if (k == K_MEM)
        health_fmt_bytes(buf, size, v);
    else if (k == K_TIME) {
        if (v >= 60000 && (long long)v % 60000 == 0)
            snprintf(buf, size, "%.0fmin", v / 60000);
        else if (v >= 1000 && (long long)v % 1000 == 0)
            snprintf(buf, size, "%.0fs", v / 1000);
        else
            snprintf(buf, size, "%gms", v);
    } else
        snprintf(buf, size, "%g", v);
}

/* The machine's memory from /proc/meminfo, when the server runs here. */
static int64_t local_ram(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return (int64_t)kb * 1024;
}

static bool host_is_local(PGconn *conn)
{
    const char *host = conn ? PQhost(conn) : NULL;
    return host && (host[0] == '/' || !strcmp(host, "localhost") || !strcmp(host, "127.0.0.1") ||
                    !strcmp(host, "::1"));
}

static void advise(struct health *h, PGconn *conn)
{
    if (h->ram_bytes <= 0) {
        int64_t ram = host_is_local(conn) ? local_ram() : 0;
        if (ram > 0) {
            h->ram_bytes = ram;
            copy(h->ram_source, sizeof h->ram_source, "this machine's (the server is local)");
        } else {
            h->ram_bytes = (int64_t)SEED_RAM;
            copy(h->ram_source, sizeof h->ram_source,
                 "assumed: the seed's 1.75GB server (give --memory)");
        }
    }
    h->nsettings = 0;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const struct rule *r = &rules[i];
        struct health_setting *s = &h->settings[h->nsettings++];
        s->name = r->name;
        double rec = r->rec ? r->rec((double)h->ram_bytes) : r->fixed;
        if (r->rec) /* whole megabytes, as one would write them in postgresql.conf */
            rec = (double)(long long)(rec / MB) * MB;
        if (r->kind == K_MAX)
            snprintf(s->recommended, sizeof s->recommended, "<= %g", rec);
        else
            fmt_value(s->recommended, sizeof s->recommended, r->kind, rec);
        const char *text = NULL;
        double cur = 0;
        for (size_t j = 0; j < h->nraw; j++)
            if (!strcmp(h->raw[j].name, r->name)) {
                cur = h->raw[j].value;
                text = h->raw[j].text;
            }
        if (!text) {
            copy(s->current, sizeof s->current, "?");
            s->verdict = 2;
            snprintf(s->advice, sizeof s->advice, "not readable here; %s", r->why);
            continue;
        }
        if (r->kind == K_MEM || r->kind == K_TIME)
            fmt_value(s->current, sizeof s->current, r->kind, cur);
        else
            copy(s->current, sizeof s->current, text);
        if (r->kind == K_MAX)
            s->verdict = cur > rec ? 1 : 0;
        else if (rec > 0 && cur < rec * 0.8)
            s->verdict = -1;
        else if (rec > 0 && cur > rec * 1.25)
            s->verdict = 1;
        else
            s->verdict = 0;
        /* Through a local buffer: s->recommended lives in the same struct
         * as the destination, which -Wrestrict cannot tell apart. */
        char advice[sizeof s->advice];
        if (s->verdict == 0)
            snprintf(advice, sizeof advice, "as recommended: %s", r->why);
        else
            snprintf(advice, sizeof advice, "%s than recommended (%s): %s",
                     s->verdict < 0 ? "lower" : "higher", s->recommended, r->why);
        memcpy(s->advice, advice, sizeof advice);
    }
}

void health_finish(struct health *h, PGconn *conn)
{
    h->nreasons = 0;
    if (!h->target_ok) {
        h->status = HEALTH_DOWN;
        REASON(h, "the PostgreSQL target is unreachable: %s", h->target_error);
        return;
    }
    if (conn) {
        char *tls = pg_tls_summary(conn);
        copy(h->tls, sizeof h->tls, tls);
        free(tls);
    }
    advise(h, conn);
    /* missing-index hints: big tables read mostly by sequential scans */
    h->nmissing = 0;
    for (size_t i = 0; i < h->ntables && h->nmissing < 8; i++) {
        const struct health_table *t = &h->tables[i];
        if (t->live >= 10000 && t->seq_scan > 0 && t->seq_scan > t->idx_scan &&
            t->seq_read / t->seq_scan >= 10000)
            snprintf(h->missing[h->nmissing++], sizeof h->missing[0],
                     "%s: %lld sequential scans (%lld rows each on average) vs %lld index scans: "
                     "a frequent query filters it without an index",
                     t->name, (long long)t->seq_scan, (long long)(t->seq_read / t->seq_scan),
                     (long long)t->idx_scan);
    }
    h->status = HEALTH_OK;
    if (h->source_known && !h->source_ok)
        REASON(h, "the legacy source %s cannot be read: %s", h->source, h->source_error);
    int usable = h->conns_max - h->conns_reserved;
    if (usable > 0 && h->conns_used * 10 >= usable * 9)
        REASON(h, "connections nearly exhausted: %d of %d in use", h->conns_used, usable);
    if (h->hit_ratio >= 0 && h->blks_hit + h->blks_read >= 100000 && h->hit_ratio < 0.90)
        REASON(h, "cache hit ratio %.1f%% is below 90%%: shared_buffers may be too small",
               h->hit_ratio * 100);
    for (size_t i = 0; i < h->ntables; i++) {
        const struct health_table *t = &h->tables[i];
        if (t->dead >= 10000 && t->dead * 5 > t->live)
            REASON(h, "%s has %lld dead rows for %lld live: autovacuum is not keeping up",
                   t->name, (long long)t->dead, (long long)t->live);
    }
    if (h->ping_ms > 1000)
        REASON(h, "the target answers slowly: %.0f ms for SELECT 1", h->ping_ms);
    if (h->standby && strcmp(h->wal_receiver, "streaming") != 0)
        REASON(h, "this standby is not streaming from its primary (WAL receiver: %s)",
               h->wal_receiver[0] ? h->wal_receiver : "none");
    else if (h->standby && h->replay_lag_s > 300)
        REASON(h, "this standby's replay is %.0f s behind the primary", h->replay_lag_s);
    if (h->nreasons)
        h->status = HEALTH_DEGRADED;
}

void health_run(const char *conninfo, struct health *h)
{
    double t0 = clock_mono_ms();
    char *err = NULL;
    PGconn *conn = pg_connect(conninfo, "check the target's health", &err);
    h->connect_ms = clock_mono_ms() - t0;
    if (!conn) {
        health_target_down(h, err);
        free(err);
        health_check_source(h);
        health_finish(h, NULL);
        return;
    }
    char *desc = pg_describe(conn);
    copy(h->target, sizeof h->target, desc);
    free(desc);
    for (int step = 0; step < HEALTH_NSTEPS; step++) {
        char *sql = health_step_sql(h, step);
        if (!sql)
            continue;
        double s0 = clock_mono_ms();
        PGresult *res = pg_exec(conn, &err, sql, 0, NULL);
        health_step_done(h, step, res, err, clock_mono_ms() - s0);
        PQclear(res);
        free(err);
        err = NULL;
        free(sql);
        if (step == HEALTH_STEP_PING && !h->target_ok)
            break;
    }
    health_check_source(h);
    health_finish(h, conn);
    PQfinish(conn);
}

const char *health_status_name(enum health_status s)
{
    return s == HEALTH_OK ? "ok" : s == HEALTH_DEGRADED ? "degraded" : "down";
}

static json_t *lines_json(const char (*lines)[HEALTH_LINE_MAX], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(lines[i]));
    return a;
}

char *health_to_json(const struct health *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(health_status_name(h->status)));
    json_object_set_new(o, "reasons", lines_json(h->reasons, h->nreasons));
    json_t *t = json_object();
    json_object_set_new(t, "ok", json_boolean(h->target_ok));
    json_object_set_new(t, "where", json_string(h->target));
    json_object_set_new(t, "error", h->target_ok ? json_null() : json_string(h->target_error));
    json_object_set_new(t, "connect_ms", json_real(h->connect_ms));
    json_object_set_new(t, "ping_ms", json_real(h->ping_ms));
    json_object_set_new(o, "target", t);
    json_t *s = json_object();
    json_object_set_new(s, "known", json_boolean(h->source_known));
    json_object_set_new(s, "locator", h->source_known ? json_string(h->source) : json_null());
    json_object_set_new(s, "ok", json_boolean(h->source_ok));
    json_object_set_new(s, "ms", json_real(h->source_ms));
    json_object_set_new(s, "server", json_string(h->source_server));
    json_object_set_new(s, "error", h->source_known && !h->source_ok ? json_string(h->source_error)
                                                                     : json_null());
    json_object_set_new(o, "source", s);
    if (h->target_ok) {
        json_t *v = json_object();
        json_object_set_new(v, "version", json_string(h->version));
        json_object_set_new(v, "version_num", json_integer(h->version_num));
        json_object_set_new(v, "database", json_string(h->database));
        json_object_set_new(v, "database_bytes", json_integer(h->db_bytes));
        json_object_set_new(v, "connections_used", json_integer(h->conns_used));
        json_object_set_new(v, "connections_max", json_integer(h->conns_max));
        json_object_set_new(v, "connections_reserved", json_integer(h->conns_reserved));
        json_object_set_new(v, "connections_pantrycrm", json_integer(h->conns_app));
        json_object_set_new(v, "cache_hit_ratio", h->hit_ratio >= 0 ? json_real(h->hit_ratio) : json_null());
        json_object_set_new(v, "role", json_string(h->standby ? "standby" : "primary"));
        json_object_set_new(v, "replay_lag_seconds",
                            h->standby && h->replay_lag_s >= 0 ? json_real(h->replay_lag_s) : json_null());
        json_object_set_new(v, "wal_receiver", h->standby ? json_string(h->wal_receiver) : json_null());
        json_object_set_new(v, "tls", json_string(h->tls));
        json_object_set_new(o, "server", v);
        json_t *ta = json_array();
        for (size_t i = 0; i < h->ntables; i++) {
            const struct health_table *x = &h->tables[i];
            json_t *r = json_object();
            json_object_set_new(r, "table", json_string(x->name));
            json_object_set_new(r, "bytes", json_integer(x->bytes));
            json_object_set_new(r, "live_rows", json_integer(x->live));
            json_object_set_new(r, "dead_rows", json_integer(x->dead));
            json_object_set_new(r, "seq_scans", json_integer(x->seq_scan));
            json_object_set_new(r, "idx_scans", json_integer(x->idx_scan));
            json_object_set_new(r, "last_autovacuum",
                                x->last_autovacuum[0] ? json_string(x->last_autovacuum) : json_null());
            json_array_append_new(ta, r);
        }
        json_object_set_new(o, "tables", ta);
        json_t *ix = json_object();
        json_object_set_new(ix, "count", json_integer(h->nindexes));
        json_t *ua = json_array();
        for (size_t i = 0; i < h->nunused; i++) {
            json_t *r = json_object();
            json_object_set_new(r, "index", json_string(h->unused[i].name));
            json_object_set_new(r, "table", json_string(h->unused[i].table));
            json_object_set_new(r, "bytes", json_integer(h->unused[i].bytes));
            json_array_append_new(ua, r);
        }
        json_object_set_new(ix, "unused", ua);
        json_object_set_new(ix, "missing_hints", lines_json(h->missing, h->nmissing));
        json_object_set_new(o, "indexes", ix);
        json_t *st = json_object();
        json_object_set_new(st, "installed", json_boolean(h->pgss == 3));
        json_object_set_new(st, "hint", h->pgss == 3 ? json_null() : json_string(h->pgss_hint));
        json_t *sa = json_array();
        for (size_t i = 0; i < h->nstmts; i++) {
            json_t *r = json_object();
            json_object_set_new(r, "query", json_string(h->stmts[i].query));
            json_object_set_new(r, "calls", json_integer(h->stmts[i].calls));
            json_object_set_new(r, "rows", json_integer(h->stmts[i].rows));
            json_object_set_new(r, "mean_ms", json_real(h->stmts[i].mean_ms));
            json_object_set_new(r, "total_ms", json_real(h->stmts[i].total_ms));
            json_array_append_new(sa, r);
        }
        json_object_set_new(st, "slowest", sa);
        json_object_set_new(o, "statements", st);
        json_t *se = json_object();
        json_object_set_new(se, "memory_bytes", json_integer(h->ram_bytes));
        json_object_set_new(se, "memory_source", json_string(h->ram_source));
        json_t *la = json_array();
        for (size_t i = 0; i < h->nsettings; i++) {
            const struct health_setting *x = &h->settings[i];
            json_t *r = json_object();
            json_object_set_new(r, "name", json_string(x->name));
            json_object_set_new(r, "current", json_string(x->current));
            json_object_set_new(r, "recommended", json_string(x->recommended));
            json_object_set_new(r, "verdict", json_string(x->verdict == 0 ? "ok" : x->verdict == 2
                                                          ? "unknown" : x->verdict < 0 ? "lower" : "higher"));
            json_object_set_new(r, "advice", json_string(x->advice));
            json_array_append_new(la, r);
        }
        json_object_set_new(se, "advice", la);
        json_object_set_new(o, "settings", se);
    }
    json_object_set_new(o, "notes", lines_json(h->notes, h->nnotes));
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    char *out = xasprintf("%s\n", text);
    free(text);
    return out;
}
