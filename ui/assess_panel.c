/* assess_panel.c - the migration pane's pre-flight panel.
 *
 * The assessment reads the whole source (minutes on a big one), so it runs
 * as its own process, started like a migration from the pane: detached,
 * writing its JSON atomically to <state file>.assess.json. The panel only
 * reads that file, again when its modification time changes, and boils it
 * down to a few lines. Every value from the source goes through ui_put,
 * which sanitizes it.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "assess_panel.h"
#include "spawn.h"
#include "util.h"

#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct assess_panel {
    char *path;              /* the JSON file */
    struct timespec mtime;   /* of the file last read */
    json_t *a;               /* its content, or NULL */
    time_t started;          /* when this console started one, or 0 */
    off_t log_size;          /* of the log when it started */
    char error[256];
};

struct assess_panel *assess_panel_new(void)
{
    return xcalloc(1, sizeof(struct assess_panel));
}

void assess_panel_free(struct assess_panel *panel)
{
    if (!panel)
        return;
    json_decref(panel->a);
    free(panel->path);
    free(panel);
}

/* A run that failed says so in its log and writes no result: show its
 * last line instead of "assessing" for ever. */
static void check_log(struct assess_panel *panel, struct app *app)
{
    char *log = xasprintf("%s.assess.log", app->state_path);
    struct stat st;
    if (stat(log, &st) == 0 && st.st_size > panel->log_size) {
        size_t len = 0;
        char *text = file_read_all(log, &len);
        if (text) {
            while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
                text[--len] = '\0';
            char *last = strrchr(text, '\n');
            snprintf(panel->error, sizeof panel->error, "Pre-flight failed: %s",
                     last ? last + 1 : text);
            panel->started = 0;
            free(text);
        }
    }
    free(log);
}

static void reload(struct assess_panel *panel, struct app *app)
{
    if (!panel->path)
        panel->path = xasprintf("%s.assess.json", app->state_path);
    if (panel->started)
        check_log(panel, app);
    struct stat st;
    if (stat(panel->path, &st) != 0)
        return;
    if (panel->a && st.st_mtim.tv_sec == panel->mtime.tv_sec
        && st.st_mtim.tv_nsec == panel->mtime.tv_nsec)
        return;
    json_error_t jerr;
    json_t *a = json_load_file(panel->path, 0, &jerr);
    if (!a) {
        snprintf(panel->error, sizeof panel->error, "cannot read %s: %s", panel->path, jerr.text);
        return;
    }
    json_decref(panel->a);
    panel->a = a;
    panel->mtime = st.st_mtim;
    panel->error[0] = '\0';
    if (panel->started && st.st_mtim.tv_sec >= panel->started) {
        panel->started = 0;
        /* the result is on screen: "assessing … in the background" is old news */
        if (strncmp(app->status, " assessing ", 11) == 0)
            app->status[0] = '\0';
    }
}

void assess_panel_start(struct assess_panel *panel, struct app *app, const char *source)
{
    char *out = xasprintf("%s.assess.json", app->state_path);
    const char *args[] = {"assess", "--source", source, "--output", out, NULL};
    char *err = NULL;
    char *log = xasprintf("%s.assess.log", app->state_path);
    struct stat st;
    panel->log_size = stat(log, &st) == 0 ? st.st_size : 0;
    free(log);
    if (spawn_detached(app->state_path, ".assess.log", app->conninfo, args, &err)) {
        panel->started = time(NULL);
        panel->error[0] = '\0';
        ui_status(app, " assessing %s in the background; the result appears here", source);
    } else {
        ui_status(app, " %s", err);
    }
    free(err);
    free(out);
}

int assess_panel_lines(struct assess_panel *panel, struct app *app)
{
    reload(panel, app);
    return panel->a || panel->started || panel->error[0] ? 5 : 0;
}

static int64_t ival(const json_t *o, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(o, k));
}

void assess_panel_draw(struct assess_panel *panel, struct app *app, int y, int x, int h, int w)
{
    char line[512];
    if (h <= 0)
        return;
    if (panel->started && (!panel->a || panel->mtime.tv_sec < panel->started)) {
        snprintf(line, sizeof line, "Pre-flight: assessing the source (started %lds ago)...",
                 (long)(time(NULL) - panel->started));
        ui_put(app, y, x, w, ROLE_WARN, line);
        return;
    }
    if (panel->error[0]) {
        ui_put(app, y, x, w, ROLE_ERROR, panel->error);
        return;
    }
    if (!panel->a)
        return;
    const json_t *a = panel->a;
    char when[64] = "";
    struct tm tm;
    time_t t = panel->mtime.tv_sec;
    if (localtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    double secs = json_real_value(json_object_get(json_object_get(a, "expected_run"), "seconds"));
    char eta[48];
    if (secs < 1)
        snprintf(eta, sizeof eta, "under a second");
    else if (secs < 120)
        snprintf(eta, sizeof eta, "about %.0f s", secs);
    else
        snprintf(eta, sizeof eta, "about %.0f min", secs / 60);
    snprintf(line, sizeof line, "Pre-flight (%s, A again): %lld rows, %lld predicted to quarantine, "
             "%s to migrate", when, (long long)ival(a, "rows"),
             (long long)ival(a, "predicted_quarantined"), eta);
    ui_put(app, y, x, w, ROLE_TITLE, line);
    /* The reasons, summed over the tables, most frequent first. */
    json_t *reasons = json_object();
    int64_t nul = 0, sur = 0, nonuuid = 0, collide = 0, unmatched = 0;
    size_t i, ci;
    const json_t *tab, *c;
    json_array_foreach(json_object_get(a, "tables"), i, tab) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(tab, "quarantine_reasons"), k, v) {
            json_t *old = json_object_get(reasons, k);
            json_object_set_new(reasons, k, json_integer(json_integer_value(old)
                                                         + json_integer_value(v)));
        }
        json_array_foreach(json_object_get(tab, "columns"), ci, c) {
            nul += ival(c, "values_with_nul");
            sur += ival(c, "values_with_lone_surrogates");
            nonuuid += ival(c, "non_uuid_ids");
            size_t di;
            const json_t *d;
            json_array_foreach(json_object_get(c, "distinct"), di, d)
                unmatched += json_is_null(json_object_get(d, "maps_to"));
        }
        json_array_foreach(json_object_get(tab, "unique_keys"), ci, c)
            collide += ival(c, "case_insensitive_duplicates");
    }
    struct strbuf sb;
    sb_init(&sb);
    for (int pass = 0; pass < 8 && json_object_size(reasons); pass++) {
        const char *best = NULL, *k;
        json_t *v;
        json_int_t n = -1;
        json_object_foreach(reasons, k, v)
            if (json_integer_value(v) > n) {
                n = json_integer_value(v);
                best = k;
            }
        sb_addf(&sb, "%s%s %lld", sb.len ? ", " : "  quarantine: ", best, (long long)n);
        json_object_del(reasons, best);
    }
    json_decref(reasons);
    if (h > 1 && sb.len)
        ui_put(app, y + 1, x, w, ROLE_WARN, sb.buf);
    sb_free(&sb);
    snprintf(line, sizeof line, "  text: NUL in %lld values, lone surrogates in %lld; "
             "non-UUID ids %lld; enum spellings with no label %lld; case-only duplicates %lld",
             (long long)nul, (long long)sur, (long long)nonuuid, (long long)unmatched,
             (long long)collide);
    if (h > 2)
        ui_put(app, y + 2, x, w, ROLE_OK, line);
    const json_t *f = json_object_get(a, "facts");
    if (h > 3 && json_object_get(f, "snapshot_isolation")) {
        const json_t *si = json_object_get(f, "snapshot_isolation");
        const json_t *ct = json_object_get(f, "change_tracking");
        snprintf(line, sizeof line, "  source: snapshot isolation %s, change tracking %s",
                 json_is_true(si) ? "on" : json_is_false(si) ? "OFF" : "unknown",
                 json_is_true(ct) ? "on" : json_is_false(ct) ? "OFF" : "unknown");
        ui_put(app, y + 3, x, w, json_is_false(si) || json_is_false(ct) ? ROLE_WARN : ROLE_OK, line);
    }
    if (h > 4) {
        snprintf(line, sizeof line, "  details: pantrycrm assess --source %s",
                 json_string_value(json_object_get(a, "source")) ? json_string_value(json_object_get(a, "source")) : "...");
        ui_put(app, y + 4, x, w, ROLE_DIM, line);
    }
}
