/* health.h - the health of both databases, read-only: the PostgreSQL
 * target (connection, latency, server facts, tables, indexes, slow
 * statements, settings against the seed's recommendations) and the legacy
 * source (can it be opened and answer). Everything it reads is visible to
 * a role that has only pg_monitor; what a role cannot read becomes a note,
 * not a failure.
 *
 * The checks are a fixed list of steps, each one SQL statement and a
 * function that reads its answer, so that the console can run them one
 * by one on its asynchronous connection and the CLI can run them in a row.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_HEALTH_H
#define PANTRY_HEALTH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum health_status { HEALTH_OK = 0, HEALTH_DEGRADED = 1, HEALTH_DOWN = 2 };

struct health_table {
    char name[128];
    int64_t bytes, live, dead, seq_scan, seq_read, idx_scan;
    char last_autovacuum[32];   /* "" never */
};
struct health_index {
    char name[128];
    char table[128];
    int64_t bytes;
};
struct health_stmt {
    char query[256];            /* the statement text, shortened */
    int64_t calls, rows;
    double mean_ms, total_ms;
};
struct health_setting {
    const char *name;
    char current[32], recommended[32];
    int verdict;                /* 0 as recommended, -1 lower, 1 higher, 2 unknown */
    char advice[320];
};

#define HEALTH_MAX_LINES 12
/* A note or reason may quote a whole error of libpq, its hint included. */
#define HEALTH_LINE_MAX 1280

struct health {
    /* target */
    char target[256];           /* where: db=… user=… host=… */
    bool target_ok;
    double connect_ms, ping_ms;
    char target_error[1024];    /* libpq's message whole, its hint included */
    char version[160];
    int version_num;
    char database[128];
    int64_t db_bytes;
    int conns_used, conns_max, conns_reserved, conns_app;
    bool standby;               /* pg_is_in_recovery(): a hot standby */
    double replay_lag_s;        /* standby: seconds behind (0 caught up), -1 unknown */
    char wal_receiver[32];      /* standby: pg_stat_wal_receiver.status, "" none */
    char tls[128];              /* pg_tls_summary of the connection */
    int64_t blks_hit, blks_read;
    double hit_ratio;           /* -1 unknown */
    char stats_reset[32];
    struct health_table tables[20];
    size_t ntables;
    int64_t nindexes;
    struct health_index unused[100];
    size_t nunused;
    char missing[8][HEALTH_LINE_MAX]; /* missing-index hints */
    size_t nmissing;
    int pgss;                   /* 0 not available, 1 available, 2 preloaded, 3 installed */
    char pgss_schema[64];
    char pgss_hint[320];
    struct health_stmt stmts[8];
    size_t nstmts;
    /* raw settings (name, value in base units, unit kind) for the advisor */
    struct { char name[48]; double value; char unit[8]; char text[32]; } raw[24];
    size_t nraw;
    struct health_setting settings[20];
    size_t nsettings;
    int64_t ram_bytes;
    char ram_source[96];
    /* source */
    bool source_known;
    char source[256];
    bool source_ok;
    double source_ms;
    char source_server[128];
    char source_error[1024];
    /* outcome */
    char notes[HEALTH_MAX_LINES][HEALTH_LINE_MAX];
    size_t nnotes;
    enum health_status status;
    char reasons[HEALTH_MAX_LINES][HEALTH_LINE_MAX];
    size_t nreasons;
};

enum { HEALTH_STEP_PING, HEALTH_STEP_SERVER, HEALTH_STEP_TABLES, HEALTH_STEP_INDEXES,
       HEALTH_STEP_PGSS, HEALTH_STEP_STATEMENTS, HEALTH_STEP_SETTINGS, HEALTH_STEP_LAST_RUN,
       HEALTH_NSTEPS };

/* Starts a report: source is the legacy locator to check (NULL: the one
 * the last migration run recorded, if readable), ram_bytes the server's
 * memory for the advisor (0: find out or assume, see health_guess_ram). */
void health_init(struct health *h, const char *source, int64_t ram_bytes);

/* The SQL of step i given what earlier steps found (caller frees), or NULL
 * when the step does not apply (e.g. no pg_stat_statements). */
char *health_step_sql(const struct health *h, int step);

/* Reads step i's answer (res NULL with error on failure; ms its time). */
void health_step_done(struct health *h, int step, PGresult *res, const char *error, double ms);

/* The target could not be reached. */
void health_target_down(struct health *h, const char *error);

/* Opens the legacy source (when one is known) and asks it something cheap. */
void health_check_source(struct health *h);

/* Fills in the settings advice and the overall status with its reasons. */
void health_finish(struct health *h, PGconn *conn);

/* All of it, synchronously, for the CLI. */
void health_run(const char *conninfo, struct health *h);

char *health_to_json(const struct health *h);
const char *health_status_name(enum health_status s);

/* Human sizes: "256MB", "1.5GB" (numfmt_bytes_compact; the console uses it). */
void health_fmt_bytes(char *buf, size_t size, double bytes);

#endif
