/* form.c - the edit, create and log-interaction forms.
 *
 * j/k or arrows choose a field, Enter edits it on the prompt line
 * (pre-filled), w saves, Esc leaves (asking when something changed); the
 * keys are the key table's FORM and MERGE scopes, so they can be rebound.
 * Saving validates every field first. An optimistic-lock conflict is a
 * three-way merge (what was loaded, what was typed, what is there now):
 * fields only one side changed are merged and saved; fields both changed
 * are shown side by side and decided one by one (o keeps yours, t takes
 * theirs), then saved.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "form.h"
#include "guard.h"
#include "legacy.h"
#include "app.h"
#include "prompt.h"
#include "worker.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char **dup_values(char *const *v, size_t n)
{
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = v && v[i] ? xstrdup(v[i]) : NULL;
    return out;
}

static void free_values(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void form_close(struct app *app)
{
    struct form *f = app->form;
    if (!f)
        return;
    free_values(f->values, f->nfields);
    free_values(f->loaded, f->nfields);
    edit_org_free(&f->org);
    edit_org_free(&f->theirs);
    free(f->clash);
    free(f->org_id);
    free(f->org_name);
    free(f);
    app->form = NULL;
}

static bool can_write(struct app *app)
{
    char *err = NULL;
    if (!guard_write("editing", &err)) {
        ui_status(app, " %s", err);
        free(err);
        return false;
    }
    return true;
}

static struct form *form_new(struct app *app, enum form_kind kind)
{
    form_close(app);
    struct form *f = xcalloc(1, sizeof *f);
    f->kind = kind;
    f->fields = kind == FORM_LOG_INTERACTION ? edit_interaction_fields(&f->nfields)
                                             : edit_org_fields(&f->nfields);
    app->form = f;
    return f;
}

/* Reading the row to edit is a round trip: it runs as a job (worker.h)
 * and the form opens when the row is there. */
struct open_job {
    char *id;
    struct edit_org org;
    char *err;
    int rc;
};

static void open_run(PGconn *conn, void *arg)
{
    struct open_job *j = arg;
    j->rc = edit_org_load(conn, j->id, &j->org, &j->err);
}

static void open_done(struct app *app, void *arg, bool ran, bool cancelled)
{
    struct open_job *j = arg;
    if (!ran || cancelled) {
        if (cancelled)
            ui_status(app, " not opened (cancelled)");
        edit_org_free(&j->org);
    } else if (j->rc != 0) {
        ui_status(app, " %s", j->rc > 0 ? "that organization is gone" : j->err);
        edit_org_free(&j->org);
    } else {
        app->status[0] = '\0';
        struct form *f = form_new(app, FORM_EDIT_ORG);
        f->org = j->org;
        f->values = dup_values(j->org.values, f->nfields);
        f->loaded = dup_values(j->org.values, f->nfields);
    }
    free(j->err);
    free(j->id);
    free(j);
}

bool form_open_edit(struct app *app, const char *org_id)
{
    if (!can_write(app))
        return false;
    struct open_job *j = xcalloc(1, sizeof *j);
    j->id = xstrdup(org_id);
    if (!worker_start(app, " opening…", open_run, open_done, j)) {
        free(j->id);
        free(j);
        return false;
    }
    return true;
}

bool form_open_new(struct app *app)
{
    if (!can_write(app))
        return false;
    struct form *f = form_new(app, FORM_NEW_ORG);
    f->values = dup_values(NULL, f->nfields);
    /* The schema's defaults, shown so that the user sees what is saved. */
    for (size_t i = 0; i < f->nfields; i++) {
        if (strcmp(f->fields[i].column, "type") == 0)
            f->values[i] = xstrdup("PROSPECT");
        else if (strcmp(f->fields[i].column, "status") == 0)
            f->values[i] = xstrdup("ACTIVE");
    }
    /* as loaded: a default is not a change (no '*', Esc does not ask) */
    f->loaded = dup_values(f->values, f->nfields);
    return true;
}

bool form_open_log(struct app *app, const char *org_id, const char *org_name)
{
    if (!can_write(app))
        return false;
    struct form *f = form_new(app, FORM_LOG_INTERACTION);
    f->values = dup_values(NULL, f->nfields);
    f->loaded = dup_values(NULL, f->nfields);
    f->org_id = xstrdup(org_id);
    f->org_name = xstrdup(org_name ? org_name : "");
    for (size_t i = 0; i < f->nfields; i++)
        if (strcmp(f->fields[i].column, "date") == 0) {
            /* now, in the form the field accepts */
            time_t t = time(NULL);
            struct tm tm;
            localtime_r(&t, &tm);
            char buf[32];
            strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
            f->values[i] = xstrdup(buf);
        }
    free_values(f->loaded, f->nfields);
    f->loaded = dup_values(f->values, f->nfields);
    return true;
}

static bool changed(const struct form *f, size_t i)
{
    const char *a = f->values[i], *b = f->loaded[i];
    return (a == NULL) != (b == NULL) || (a && b && strcmp(a, b) != 0);
}

static bool any_changed(const struct form *f)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (changed(f, i))
            return true;
    return false;
}

void form_field_entered(struct app *app, const char *value)
{
    struct form *f = app->form;
    if (!f)
        return;
    const struct edit_field *fd = &f->fields[f->sel];
    char *msg = edit_validate(fd, value);
    if (msg) {
        ui_status(app, " %s", msg);
        free(msg);
        return;
    }
    free(f->values[f->sel]);
    f->values[f->sel] = edit_normalise(fd, value);
    if (f->sel + 1 < f->nfields)
        f->sel++;
}

/* The saved row may have moved in the sort (updatedAt changed): follow it. */
static void after_save(struct app *app, const char *what, const char *id)
{
    ui_status(app, " %s", what);
    char *follow = id ? xstrdup(id) : NULL;
    form_close(app);
    app_refresh(app, follow);
    free(follow);
}

static void save(struct app *app, int attempt);

/* The next field both sides changed and the user has not decided, from
 * the cursor on (wrapping); nfields when none is left. */
static size_t next_clash(const struct form *f)
{
    for (size_t k = 0; k < f->nfields; k++) {
        size_t i = (f->sel + k) % f->nfields;
        if (f->clash && f->clash[i])
            return i;
    }
    return f->nfields;
}

static void ask_clash(struct app *app)
{
    struct form *f = app->form;
    size_t left = 0;
    for (size_t i = 0; i < f->nfields; i++)
        left += f->clash[i];
    f->sel = next_clash(f);
    const char *t = f->theirs.values[f->sel];
    char mine[16], theirs[16];
    ui_status(app, " %s was changed by both of you (%zu field%s left): %s keeps yours, %s takes theirs (%.40s)",
              f->fields[f->sel].label, left, left == 1 ? "" : "s",
              keymap_key_name(ACT_MERGE_MINE, mine, sizeof mine),
              keymap_key_name(ACT_MERGE_THEIRS, theirs, sizeof theirs), t ? t : "empty");
}

/* Someone saved the row after it was loaded: merge their version into
 * ours field by field; save at once when nothing clashes. */
static void merge_theirs(struct app *app, struct edit_org *theirs, int attempt)
{
    struct form *f = app->form;
    char **merged = NULL;
    free(f->clash);
    f->clash = xcalloc(f->nfields, sizeof *f->clash);
    size_t clashes = edit_merge3(f->loaded, f->values, theirs->values, f->nfields, &merged, f->clash);
    /* Their version is the new base, and its token the one to save against. */
    free_values(f->values, f->nfields);
    f->values = merged;
    free_values(f->loaded, f->nfields);
    f->loaded = dup_values(theirs->values, f->nfields);
    free(f->org.updated_at);
    f->org.updated_at = xstrdup(theirs->updated_at);
    edit_org_free(&f->theirs);
    f->theirs = *theirs;
    memset(theirs, 0, sizeof *theirs);
    if (clashes == 0) {
        free(f->clash);
        f->clash = NULL;
        save(app, attempt + 1);
        return;
    }
    f->conflict = true;
    f->sel = 0;
    ask_clash(app);
}

/* The save runs as a job (worker.h) because edit_org_save is a
 * transaction of several round trips (BEGIN, UPDATE ... RETURNING, the
 * row as it is now on a conflict, COMMIT) whose lost-update protection
 * and messages must stay those of src/crm/edit.c. The form's values are
 * copied into the job, so the thread and the screen share nothing. */
struct save_job {
    enum form_kind kind;
    int attempt;
    struct edit_org org;        /* FORM_LOG_INTERACTION: only its id */
    char **values;
    size_t nvalues;
    enum edit_result result;
    struct edit_org theirs;
    char *err, *new_id;
};

static void save_run(PGconn *conn, void *arg)
{
    struct save_job *j = arg;
    if (j->kind == FORM_LOG_INTERACTION)
        j->result = edit_log_interaction(conn, j->org.id, j->values, &j->new_id, &j->err);
    else
        j->result = edit_org_save(conn, &j->org, &j->theirs, &j->err);
}

static void save_job_free(struct save_job *j)
{
    edit_org_free(&j->org);
    edit_org_free(&j->theirs);
    free_values(j->values, j->nvalues);
    free(j->err);
    free(j->new_id);
    free(j);
}

/* What the save came to, on the UI thread. */
static void saved(struct app *app, void *arg, bool ran, bool cancelled)
{
    struct save_job *j = arg;
    struct form *f = app->form;
    if (f)
        f->saving = false;
    if (!f || !ran) {   /* the console is closing, or the save never began */
        if (f && cancelled)
            ui_status(app, " not saved (cancelled); the form is kept");
        save_job_free(j);
        return;
    }
    enum edit_result r = j->result;
    const char *err = j->err;
    if (r != EDIT_OK && cancelled) {
        char k[16];
        ui_status(app, " not saved (cancelled); the form is kept, %s saves it",
                  keymap_key_name(ACT_FORM_SAVE, k, sizeof k));
        save_job_free(j);
        return;
    }
    if (f->kind == FORM_LOG_INTERACTION) {
        if (r == EDIT_OK)
            after_save(app, "interaction logged", f->org_id);
        else
            ui_status(app, " %s", err ? err : "could not log the interaction");
        save_job_free(j);
        return;
    }
    if (r == EDIT_OK && f->kind == FORM_NEW_ORG && j->org.id) {
        free(f->org.id);
        f->org.id = xstrdup(j->org.id);
    }
    int attempt = j->attempt;
    switch (r) {
    case EDIT_OK:
        after_save(app, f->kind == FORM_NEW_ORG ? "organization created"
                        : attempt > 0 ? "saved, merged with the change someone saved meanwhile"
                        : "saved", f->org.id);
        break;
    case EDIT_CONFLICT:
        if (attempt >= 3) { /* a row rewritten as fast as we merge */
            ui_status(app, " this organization keeps changing under you: nothing was saved; try again");
            break;
        }
        merge_theirs(app, &j->theirs, attempt);
        break;
    case EDIT_GONE:
        ui_status(app, " the organization was deleted meanwhile; nothing was saved");
        break;
    default:
        ui_status(app, " %s", err ? err : "could not save");
        break;
    }
    save_job_free(j);
}

bool form_saving(const struct app *app)
{
    return app->form && app->form->saving;
}

static void save(struct app *app, int attempt)
{
    struct form *f = app->form;
    if (app->reconnect[0] || PQstatus(app->conn) == CONNECTION_BAD) {
        /* the form stays open with every value: nothing typed is lost */
        ui_status(app, " not connected: reconnecting; the form is kept, save again once connected");
        return;
    }
    /* Validate everything first: the status line names the first problem
     * and the cursor goes to its field. */
    for (size_t i = 0; i < f->nfields; i++) {
        char *msg = edit_validate(&f->fields[i], f->values[i]);
        if (msg) {
            ui_status(app, " %s", msg);
            free(msg);
            f->sel = i;
            return;
        }
    }
    if (attempt == 0 && f->kind == FORM_EDIT_ORG && !any_changed(f)) {
        /* a save would only move updatedAt, and with it make everyone
         * else's open form of this row merge for nothing */
        form_close(app);
        ui_status(app, " nothing changed; nothing was saved");
        return;
    }
    struct save_job *j = xcalloc(1, sizeof *j);
    j->kind = f->kind;
    j->attempt = attempt;
    j->values = dup_values(f->values, f->nfields);
    j->nvalues = f->nfields;
    if (f->kind == FORM_LOG_INTERACTION) {
        j->org.id = xstrdup(f->org_id);
    } else {
        j->org.id = f->org.id ? xstrdup(f->org.id) : NULL;
        j->org.updated_at = f->org.updated_at ? xstrdup(f->org.updated_at) : NULL;
        j->org.values = dup_values(f->values, f->nfields);
        j->org.nvalues = f->nfields;
    }
    f->saving = true;   /* before: without a thread, saved runs within */
    if (!worker_start(app, " saving…", save_run, saved, j)) {
        f->saving = false;
        save_job_free(j);
    }
}

bool form_key(struct app *app, int key)
{
    struct form *f = app->form;
    if (!f)
        return false;
    if (f->saving)
        return true;    /* the console holds keys back while saving */
    /* The form's own keys first (its q leaves the form, not the console),
     * then the moves of the lists. */
    enum action a = keymap_lookup(f->conflict ? KEYS_MERGE | KEYS_FORM : KEYS_FORM, key);
    if (a == ACT_NONE)
        a = keymap_lookup(KEYS_LIST | KEYS_GLOBAL, key);
    if (f->conflict) {
        /* One field at a time, the one under the cursor: o keeps yours,
         * t takes theirs; when none is left the merge is saved. */
        if (a == ACT_MERGE_MINE || a == ACT_MERGE_THEIRS) {
            size_t i = f->sel;
            if (!f->clash[i]) {
                ask_clash(app);
                return true;
            }
            if (a == ACT_MERGE_THEIRS) {
                free(f->values[i]);
                f->values[i] = f->theirs.values[i] ? xstrdup(f->theirs.values[i]) : NULL;
            }
            f->clash[i] = false;
            if (next_clash(f) < f->nfields) {
                ask_clash(app);
            } else {
                f->conflict = false;
                save(app, 1);
            }
        } else if (a == ACT_UP && f->sel > 0) {
            f->sel--;
        } else if (a == ACT_DOWN && f->sel + 1 < f->nfields) {
            f->sel++;
        } else if (a == ACT_CANCEL || a == ACT_FORM_LEAVE) {
            /* back to the form: the merge so far stays, w saves it */
            f->conflict = false;
            free(f->clash);
            f->clash = NULL;
            char k[16];
            ui_status(app, " the merged values are in the form; %s saves them against the version now saved",
                      keymap_key_name(ACT_FORM_SAVE, k, sizeof k));
        }
        return true;
    }
    if (a == ACT_UP && f->sel > 0)
        f->sel--;
    else if (a == ACT_DOWN && f->sel + 1 < f->nfields)
        f->sel++;
    else if (a == ACT_TOP)
        f->sel = 0;
    else if (a == ACT_BOTTOM)
        f->sel = f->nfields - 1;
    else if (a == ACT_OPEN && app->prompt) {
        char label[64];
        snprintf(label, sizeof label, "%s: ", f->fields[f->sel].label);
        app->prompt_kind = 'f';
        prompt_open_with(app->prompt, label, f->values[f->sel]);
    } else if (a == ACT_FORM_SAVE) {
        save(app, 0);
    } else if (a == ACT_CANCEL || a == ACT_FORM_LEAVE || a == ACT_BACK) {
        if (any_changed(f)) {
            char yes[16];
            app_ask(app, NULL, ACT_BACK, " leave without saving? %s/n", /* yes closes the form */
                    keymap_key_name(ACT_CONFIRM_YES, yes, sizeof yes));
        } else {
            form_close(app);
        }
    }
    return true;
}

void form_draw(struct app *app, int y, int x, int h, int w)
{
    struct form *f = app->form;
    char title[256], save_key[16];
    keymap_key_name(ACT_FORM_SAVE, save_key, sizeof save_key);
    if (f->kind == FORM_EDIT_ORG)
        snprintf(title, sizeof title, "Edit organization  (Enter edits a field, %s saves, Esc leaves)", save_key);
    else if (f->kind == FORM_NEW_ORG)
        snprintf(title, sizeof title, "New organization  (Enter edits a field, %s saves, Esc leaves)", save_key);
    else
        snprintf(title, sizeof title, "Log an interaction with %s  (%s saves)", f->org_name, save_key);
    ui_put(app, y, x, w, ROLE_TITLE, title);
    int rows = h - 2;
    if (f->sel < f->top)
        f->top = f->sel;
    if (rows > 0 && f->sel >= f->top + (size_t)rows)
        f->top = f->sel - (size_t)rows + 1;
    int labw = 20, valw = f->conflict ? (w - labw - 2) / 2 : w - labw - 1;
    if (f->conflict) {
        ui_put(app, y + 1, x + labw + 1, valw, ROLE_DIM, "yours");
        ui_put(app, y + 1, x + labw + 2 + valw, valw, ROLE_DIM, "theirs, where both changed (!)");
    }
    /* An enumerated field lists its choices on the form's last line (Tab
     * completes them on the field's line). */
    const struct edit_field *sf = &f->fields[f->sel];
    if (sf->kind == EDIT_ENUM && sf->enum_type && h >= 4) {
        size_t n = 0;
        const char *const *labels = legacy_enum_labels(sf->enum_type, &n);
        struct strbuf sb;
        sb_init(&sb);
        sb_addf(&sb, "%s: ", sf->label);
        for (size_t i = 0; i < n; i++)
            sb_addf(&sb, "%s%s", i ? "  " : "", labels[i]);
        ui_put(app, y + h - 1, x, w, ROLE_DIM, sb.buf);
        sb_free(&sb);
        rows--;
    }
    for (int i = 0; i < rows - 1; i++) {
        size_t k = f->top + (size_t)i;
        if (k >= f->nfields)
            break;
        int row = y + 2 + i;
        int role = k == f->sel ? ROLE_SELECTED : ROLE_OK;
        char label[64];
        bool clash = f->conflict && f->clash && f->clash[k];
        snprintf(label, sizeof label, "%s%s%s", clash ? "!" : changed(f, k) ? "*" : " ", f->fields[k].label,
                 f->fields[k].required ? " (req.)" : "");
        ui_put(app, row, x, labw, role, label);
        const char *v = f->values[k];
        ui_put(app, row, x + labw + 1, valw, v ? role : ROLE_DIM, v ? v : "·");
        if (f->conflict && k < f->theirs.nvalues) {
            const char *t = f->theirs.values[k];
            bool differs = (t == NULL) != (v == NULL) || (t && v && strcmp(t, v) != 0);
            ui_put(app, row, x + labw + 2 + valw, valw, clash ? ROLE_WARN : ROLE_DIM,
                   differs || clash ? (t ? t : "·") : "");
        }
    }
}
