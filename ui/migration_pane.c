/* migration_pane.c - the Migration pane (see migration_pane.h).
 *
 * The pane re-reads the state file twice a second while shown: the engine
 * writes it (WAL), any number of consoles read it. A run is started as its
 * own process, so that it goes on when the console quits.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "migration_pane.h"
#include "assess_panel.h"
#include "clock.h"
#include "paths.h"
#include "runinfo.h"
#include "spawn.h"
#include "worker.h"

#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct migration_pane {
    struct pane base;
    struct mig_view m;
    char *source;           /* the source an 'm' asks about */
    struct assess_panel *preflight;
};

static const struct pane_ops migration_pane_ops;

struct mig_view *migration_pane_view(struct pane *p)
{
    return p && p->ops == &migration_pane_ops ? &((struct migration_pane *)p)->m : NULL;
}

static bool migration_paused(const struct mig_view *m)
{
    for (size_t i = 0; i < m->ntables; i++)
        if (strcmp(m->tables[i].phase, "paused") == 0)
            return true;
    return false;
}

static const char *const spark_chars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};

static void draw(struct pane *p, int y, int x, int h, int w)
{
    struct app *app = p->app;
    struct assess_panel *pre = ((struct migration_pane *)p)->preflight;
    struct mig_view *m = &((struct migration_pane *)p)->m;
    if (m->error[0]) {
        ui_put(app, y, x, w, ROLE_ERROR, m->error);
        return;
    }
    if (!m->found) {
        ui_put(app, y, x, w, ROLE_TITLE, "No migration has run from this machine yet.");
        ui_put(app, y + 2, x, w, ROLE_OK,
               "Press m to migrate the demo's legacy source, or run: pantrycrm migrate --source sqlite:FILE");
        ui_put(app, y + 3, x, w, ROLE_DIM, "This pane follows a run live, from any terminal.");
        ui_put(app, y + 4, x, w, ROLE_DIM, "Press A first to assess the source: what will be quarantined, and why.");
        if (assess_panel_lines(pre, app) && h > 7)
            assess_panel_draw(pre, app, y + 6, x, h - 6, w);
        return;
    }
    /* The pre-flight panel takes the bottom lines when there is one and
     * every table's line still fits above it: the tables come first. */
    int panel = assess_panel_lines(pre, app);
    if (panel && h - panel - 1 >= 2 + (int)m->ntables) {
        assess_panel_draw(pre, app, y + h - panel, x, panel, w);
        h -= panel + 1;
    }
    char line[512];
    bool paused = migration_paused(m) && strcmp(m->run.status, "running") == 0;
    snprintf(line, sizeof line, "Run %lld  %s  from %s  started %s", (long long)m->run.id,
             paused ? "paused (p resumes)" : m->run.status, m->run.source, m->run.started_at);
    ui_put(app, y, x, w, ROLE_TITLE, line);
    if (m->have_sync) {
        /* The live sync after the load: how far behind the source it is. */
        double now = clock_wall_s();
        const struct state_sync *s = &m->sync;
        snprintf(line, sizeof line, "Sync: source version %lld, applied %lld; the last round "
                 "started %lld versions (%.1f s) behind, applied %.0f changes/s, %.0f s ago",
                 (long long)s->source_version, (long long)s->applied_version,
                 (long long)s->lag_versions, s->lag_seconds, s->rate, (double)(long long)now - s->at);
        ui_put(app, y + 1, x, w, s->lag_versions > 0 ? ROLE_DIM : ROLE_OK, line);
    }
    if (m->have_fb && (!m->have_sync || m->fb.at >= m->sync.at)) {
        /* After the cutover: the fallback to the legacy database, in its place. */
        double now = clock_wall_s();
        const struct fallback_round_state *f = &m->fb;
        snprintf(line, sizeof line, "Fallback: %lld changes pending (oldest %.1f s); the last round "
                 "applied %lld at %.0f changes/s, %.0f s ago; %lld in the fallback quarantine, %lld errors",
                 (long long)f->pending, f->lag_s, (long long)f->changes, f->rate, (double)(long long)now - f->at,
                 (long long)f->quarantined, (long long)f->errors);
        ui_put(app, y + 1, x, w, f->quarantined ? ROLE_ERROR : f->pending ? ROLE_DIM : ROLE_OK,
               line);
    }
    /* The numbers and the phase come first; the bar takes what is left
     * (a narrow pane lost the phase column behind a fixed bar). */
    int barw = w - 20 - 66;
    barw = barw > 30 ? 30 : barw < 5 ? 5 : barw;
    int row = y + 2;
    /* The throughput takes the 3 lines under the tables only when they
     * all fit with it; else the tables take them, and a last line says
     * how many are not shown. */
    bool spark_room = 2 + (int)m->ntables + 3 <= h;
    int end = spark_room ? y + h - 3 : 2 + (int)m->ntables <= h ? y + h : y + h - 1;
    size_t shown = 0;
    for (size_t i = 0; i < m->ntables && row < end; i++, row++, shown++) {
        const struct state_table_progress *t = &m->tables[i];
        double frac = t->rows_total > 0 ? (double)t->rows_read / (double)t->rows_total : 0;
        if (strcmp(t->phase, "done") == 0)
            frac = 1;
        if (frac > 1)
            frac = 1;
        double rate = t->seconds > 0 ? (double)t->rows_read / t->seconds : 0;
        char eta[32] = "";
        if (rate > 0 && t->rows_total > t->rows_read && strcmp(t->phase, "done") != 0
            && strcmp(t->phase, "paused") != 0)
            snprintf(eta, sizeof eta, "ETA %.0fs", (double)(t->rows_total - t->rows_read) / rate);
        snprintf(line, sizeof line, "%-18s", t->table);
        ui_put(app, row, x, 18, ROLE_OK, line);
        int fill = (int)(frac * barw);
        attrset(app->attr[ROLE_BAR]);
        mvhline(row, x + 19, ' ', fill);
        attrset(A_NORMAL);
        /* The empty part is drawn in text, not the alternate charset,
         * whose bullet some terminfo entries map to '~'. */
        move(row, x + 19 + fill);
        for (int k = fill; k < barw; k++)
            addstr(app->utf8 ? "·" : ".");
        if (w - 20 - barw >= 66)
            snprintf(line, sizeof line, "%3.0f%% %9lld rows %8.0f/s  Q %-6lld R %-6lld %-9s %s",
                     frac * 100, (long long)t->rows_read, rate, (long long)t->rows_quarantined,
                     (long long)t->rows_repaired, t->phase, eta);
        else /* narrow: the phase before the rate and the repairs */
            snprintf(line, sizeof line, "%3.0f%% %9lld rows Q %-5lld %-9s %s", frac * 100,
                     (long long)t->rows_read, (long long)t->rows_quarantined, t->phase, eta);
        ui_put(app, row, x + 20 + barw, w - 20 - barw, ROLE_OK, line);
    }
    if (shown < m->ntables) {
        snprintf(line, sizeof line, "(%zu more table%s: a taller terminal shows them)", m->ntables - shown,
                 m->ntables - shown == 1 ? "" : "s");
        ui_put(app, row, x, w, ROLE_DIM, line);
        return;
    }
    if (m->nspark > 0 && spark_room && row + 2 < y + h) {
        double max = 1;
        for (size_t i = 0; i < m->nspark; i++)
            if (m->spark[i] > max)
                max = m->spark[i];
        struct strbuf sb;
        sb_init(&sb);
        for (size_t i = 0; i < m->nspark && (int)i < w - 24; i++) {
            int level = (int)(m->spark[i] / max * 8 + 0.5);
            sb_adds(&sb, app->utf8 ? spark_chars[level] : level > 4 ? "#" : level > 0 ? "." : " ");
        }
        snprintf(line, sizeof line, "throughput (max %.0f rows/s)", max);
        ui_put(app, row + 1, x, w, ROLE_DIM, line);
        attrset(app->attr[ROLE_OK]);
        mvaddstr(row + 2, x, sb.buf ? sb.buf : "");
        attrset(A_NORMAL);
        sb_free(&sb);
    }
}

/* A source as the status line names it: a long path keeps its last two
 * parts ("…/demo/legacy.db"), so that the rest of the message still fits. */
static const char *short_source(const char *source, char *buf, size_t size)
{
    size_t len = strlen(source);
    if (len <= 40)
        return source;
    const char *cut = source + len - 30; /* no slash: its last characters */
    for (const char *p = source + len - 1, *last = NULL; p > source; p--)
        if (*p == '/') {
            if (last) {
                cut = p;
                break;
            }
            last = p;
        }
    snprintf(buf, size, "…%.60s", cut);
    return buf;
}

/* The source to migrate, and what an 'm' would do with it, in *what
 * ("resume run 3 (interrupted) from X"): the target's last run decides
 * (last, when the target records one), since its checkpoints are keys of
 * its own source (a resume from another source would mix two databases);
 * then this machine's last run; then the demo's legacy file. Caller frees
 * both; NULL when no source is known. */
static char *migration_source(struct migration_pane *mp, struct run_info *last, char **what)
{
    *what = NULL;
    if (last) {
        char sb[64];
        *what = xasprintf("%s run %lld (%s) from %s", run_info_unfinished(last) ? "resume" : "repeat",
                          last->id, last->status, short_source(last->source, sb, sizeof sb));
        char *source = last->source;
        last->source = NULL;
        return source;
    }
    if (mp->m.found && mp->m.run.source[0]) {
        char sb[64];
        *what = xasprintf("migrate again from %s (this machine's last run)",
                          short_source(mp->m.run.source, sb, sizeof sb));
        return xstrdup(mp->m.run.source);
    }
    char *data = paths_data_home();
    char *demo = xasprintf("%s/demo/legacy.db", data);
    free(data);
    if (access(demo, R_OK) == 0) {
        char sb[64];
        *what = xasprintf("start a migration of the demo's legacy source %s", short_source(demo, sb, sizeof sb));
        return demo;
    }
    free(demo);
    return NULL;
}

/* Starts `pantrycrm migrate` detached from the console, so that it goes
 * on when the console quits or the SSH session drops. */
static bool spawn_migration(struct migration_pane *mp, const char *source, char **err)
{
    struct app *app = mp->base.app;
    const char *args[] = {"migrate", "--source", source, "--progress", "json",
                          "--state", app->state_path, NULL};
    return spawn_detached(app->state_path, ".migrate.log", app->conninfo, args, err);
}

static void read_migration(struct migration_pane *mp)
{
    struct mig_view *m = &mp->m;
    struct state *st = state_open_readonly(mp->base.app->state_path);
    if (!st) {
        m->found = false;
        return;
    }
    char *err = NULL;
    if (state_read_latest(st, &m->run, &m->found, m->tables, 16, &m->ntables, m->spark, 64,
                          &m->nspark, &err) != 0) {
        snprintf(m->error, sizeof m->error, "%s", err);
        free(err);
    } else {
        m->error[0] = '\0';
    }
    m->have_sync = state_sync_get(st, &m->sync);
    m->have_fb = fallback_state_get(st, &m->fb);
    state_close(st);
}

/* True while the last recorded migration's process is alive. */
static bool migration_running(struct migration_pane *mp)
{
    read_migration(mp);
    struct mig_view *m = &mp->m;
    return m->found && strcmp(m->run.status, "running") == 0 && m->run.pid > 0
           && kill((pid_t)m->run.pid, 0) == 0;
}

static void tick(struct pane *p, double now, bool shown)
{
    struct migration_pane *mp = (struct migration_pane *)p;
    if (!shown || now - mp->m.read_at < 0.5)
        return;
    mp->m.read_at = now;
    read_migration(mp);
}

static const char *quit_question(struct pane *p)
{
    return migration_running((struct migration_pane *)p)
           ? " a migration is running (it goes on without the console); quit? y/n" : NULL;
}

static const char *writes(struct pane *p, enum action a, bool shown)
{
    (void)p;
    switch (a) {
    case ACT_MIG_START:
        return "starting a migration";
    case ACT_MIG_PAUSE:
        return "pausing or resuming a migration";
    case ACT_MIG_ABORT:
        return shown ? "stopping a migration" : NULL;
    default:
        return NULL;
    }
}

/* What m and A do once the source is known: A assesses it, m asks. */
static void with_source(struct migration_pane *mp, enum action a, struct run_info *last)
{
    struct app *app = mp->base.app;
    char *what = NULL;
    char *source = migration_source(mp, last, &what);
    if (!source) {
        ui_status(app, " no source known: run 'pantrycrm %s --source sqlite:FILE' once",
                  a == ACT_MIG_ASSESS ? "assess" : "migrate");
    } else if (a == ACT_MIG_ASSESS) {
        assess_panel_start(mp->preflight, app, source);
        free(source);
    } else {
        free(mp->source);
        mp->source = source;
        app_ask(app, &mp->base, ACT_MIG_START, " %s? y/n", what);
    }
    free(what);
}

/* The target's last run is read by a job (worker.h): a round trip. */
struct lookup_job {
    struct migration_pane *mp;
    enum action a;
    struct run_info last;
    int found;
};

static void lookup_run(PGconn *conn, void *arg)
{
    struct lookup_job *j = arg;
    char *err = NULL;
    j->found = run_info_last(conn, &j->last, &err);
    free(err);  /* no schema or no connection: the next sources are asked */
}

static void lookup_done(struct app *app, void *arg, bool ran, bool cancelled)
{
    struct lookup_job *j = arg;
    if (cancelled)
        ui_status(app, " cancelled");
    else if (ran)
        with_source(j->mp, j->a, j->found == 1 ? &j->last : NULL);
    run_info_free(&j->last);
    free(j);
}

static void look_up_last_run(struct migration_pane *mp, enum action a)
{
    struct app *app = mp->base.app;
    if (!app->conn || app->reconnect[0]) {  /* cut off: this machine's record decides */
        with_source(mp, a, NULL);
        return;
    }
    struct lookup_job *j = xcalloc(1, sizeof *j);
    j->mp = mp;
    j->a = a;
    if (!worker_start(app, " looking up the target's last migration run…", lookup_run, lookup_done, j))
        free(j);
}

/* m, p and A work from any pane (and bring this one on screen); a, which
 * stops a run, only here, where the run is in sight. */
static bool action(struct pane *p, enum action a, bool shown)
{
    struct migration_pane *mp = (struct migration_pane *)p;
    struct app *app = p->app;
    if (a != ACT_MIG_START && a != ACT_MIG_PAUSE && a != ACT_MIG_ASSESS && a != ACT_MIG_ABORT)
        return shown; /* other keys mean nothing here */
    if (a == ACT_MIG_ABORT && !shown)
        return false;
    bool running = migration_running(mp);
    struct mig_view *m = &mp->m;
    char *err = NULL, sb[64];
    const char *msrc = short_source(m->run.source, sb, sizeof sb);
    if (a == ACT_MIG_ASSESS) {
        app_show(app, p);
        look_up_last_run(mp, a);
        return true;
    }
    if (a == ACT_MIG_START) {
        if (running) {
            ui_status(app, " run %lld from %s is already running", (long long)m->run.id, msrc);
            return true;
        }
        if (app->confirm == ACT_MIG_START) { /* the y of the question below */
            if (!mp->source)
                return true;
            if (spawn_migration(mp, mp->source, &err))
                ui_status(app, " migration from %s started; it goes on if you quit",
                          short_source(mp->source, sb, sizeof sb));
            else
                ui_status(app, " %s", err);
            free(err);
            free(mp->source);
            mp->source = NULL;
            app_show(app, p);
            return true;
        }
        app_show(app, p);
        look_up_last_run(mp, a);
        return true;
    }
    if (!running) {
        if (m->found)
            ui_status(app, " no migration is running (the last, run %lld from %s, is %s)",
                      (long long)m->run.id, msrc, m->run.status);
        else
            ui_status(app, " no migration is running");
        return true;
    }
    if (a == ACT_MIG_ABORT) {
        if (app->confirm != ACT_MIG_ABORT) {
            app_ask(app, p, ACT_MIG_ABORT, " stop run %lld (from %s) at the next batch boundary? y/n",
                    (long long)m->run.id, msrc);
        } else if (kill((pid_t)m->run.pid, SIGINT) == 0) {
            ui_status(app, " stopping run %lld at the next batch boundary; 'm' resumes it from %s",
                      (long long)m->run.id, msrc);
        } else {
            ui_status(app, " cannot signal the migration: %s", strerror(errno));
        }
        return true;
    }
    /* pause or resume */
    struct state *st = state_open(app->state_path, &err);
    if (!st) {
        ui_status(app, " %s", err);
        free(err);
        return true;
    }
    bool paused = migration_paused(m);
    if (state_control_set(st, m->run.id, paused ? "run" : "pause", &err) == 0)
        ui_status(app, " %s run %lld (from %s)", paused ? "resuming" : "pausing", (long long)m->run.id,
                  msrc);
    else
        ui_status(app, " %s", err);
    free(err);
    state_close(st);
    return true;
}

static void free_op(struct pane *p)
{
    struct migration_pane *mp = (struct migration_pane *)p;
    assess_panel_free(mp->preflight);
    free(mp->source);
    free(mp);
}

static void keys_hint(struct pane *p, char *buf, size_t size)
{
    (void)p;
    char m[16], pause[16], abort_[16], assess[16];
    keymap_key_name(ACT_MIG_START, m, sizeof m);
    keymap_key_name(ACT_MIG_PAUSE, pause, sizeof pause);
    keymap_key_name(ACT_MIG_ABORT, abort_, sizeof abort_);
    keymap_key_name(ACT_MIG_ASSESS, assess, sizeof assess);
    snprintf(buf, size, "%s Migrate  %s Pause  %s Stop  %s Assess", m, pause, abort_, assess);
}

static const struct pane_ops migration_pane_ops = {
    .free = free_op,
    .keys_hint = keys_hint,
    .draw = draw,
    .action = action,
    .writes = writes,
    .tick = tick,
    .quit_question = quit_question,
};

struct pane *migration_pane_new(struct app *app)
{
    struct migration_pane *mp = xcalloc(1, sizeof *mp);
    mp->base = (struct pane){&migration_pane_ops, app, "migration", "Migration", ACT_PANE_MIGRATION};
    mp->preflight = assess_panel_new();
    return &mp->base;
}
