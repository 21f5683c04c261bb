/* form.h - editing an organization, creating one, logging an interaction,
 * and the conflict view when someone else saved first.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_FORM_H
#define PANTRY_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "edit.h"

struct app;

enum form_kind { FORM_EDIT_ORG, FORM_NEW_ORG, FORM_LOG_INTERACTION };

struct form {
    enum form_kind kind;
    const struct edit_field *fields;
    size_t nfields;
    char **values;              /* what the form shows now (NULL = empty) */
    char **loaded;              /* as read, to mark what changed */
    struct edit_org org;        /* id and the optimistic-locking token */
    char *org_id, *org_name;    /* FORM_LOG_INTERACTION: the organization */
    size_t sel, top;
    bool conflict;              /* showing yours against theirs */
    struct edit_org theirs;
    bool *clash;                /* per field: changed by both, not yet decided */
    bool saving;                /* a save is under way (a job: worker.h) */
};

/* Opens a form; false with a status message when it cannot (read-only,
 * busy). The edit form opens once its row is read (a job, worker.h): a
 * row gone by then is said on the status line. */
bool form_open_edit(struct app *app, const char *org_id);
bool form_open_new(struct app *app);
bool form_open_log(struct app *app, const char *org_id, const char *org_name);
void form_close(struct app *app);

/* A key for the open form; true when the form handled it. */
bool form_key(struct app *app, int key);
/* The value typed into the field prompt. */
void form_field_entered(struct app *app, const char *value);
void form_draw(struct app *app, int y, int x, int h, int w);
/* A save in progress. */
bool form_saving(const struct app *app);

#endif
