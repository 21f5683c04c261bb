/* edit.h - changing CRM rows from the console: the seed's validation rules,
 * optimistic locking, cascades shown before a delete. No ncurses here.
 *
 * Every write is parameterised, runs in one transaction with a short
 * lock_timeout (a row locked elsewhere gives an error, never a frozen
 * console), and checks "updatedAt" so that nothing another session saved
 * meanwhile is overwritten silently.
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_EDIT_H
#define PANTRY_EDIT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum edit_kind {
    EDIT_TEXT,          /* free text */
    EDIT_ENUM,          /* one label of enum_type */
    EDIT_EMAIL,         /* an address of plausible shape */
    EDIT_URL,           /* http(s)://host… or host.tld… */
    EDIT_INT,           /* a whole number >= 0 */
    EDIT_MONEY,         /* a number >= 0, at most 2 decimals (estimatedRevenue: any decimals) */
    EDIT_TIMESTAMP      /* YYYY-MM-DD[ HH:MM[:SS]], in the session's time zone */
};

struct edit_field {
    const char *column;     /* "zipCode" */
    const char *label;      /* "ZIP code" */
    enum edit_kind kind;
    bool required;
    const char *enum_type;  /* EDIT_ENUM: "OrganizationSegment" */
};

/* The editable fields of an organization, in form order. */
const struct edit_field *edit_org_fields(size_t *n);
/* The fields of a new interaction logged from the detail view. */
const struct edit_field *edit_interaction_fields(size_t *n);

/* NULL when value (NULL or "" = empty) is acceptable for the field, else a
 * message for the status line, e.g. "Email: 'bob@' is not an address"
 * (caller frees). Enum values are accepted in any case and must then be
 * normalised with edit_normalise. */
char *edit_validate(const struct edit_field *f, const char *value);
/* The canonical form of a valid value: enum labels upper-cased, blanks
 * trimmed, "" → NULL (returns NULL). Caller frees. */
char *edit_normalise(const struct edit_field *f, const char *value);

/* True for the one EDIT_MONEY column that is double precision
 * ("estimatedRevenue"); the others are numeric(14,2). */
bool edit_money_is_float(const struct edit_field *f);

/* An organization as the form edits it: one value per edit_org_fields
 * entry (NULL for SQL NULL), and the "updatedAt" it was read at (text, as
 * PostgreSQL prints it: the optimistic-locking token). */
struct edit_org {
    char *id;
    char **values;
    size_t nvalues;
    char *updated_at;
};
void edit_org_free(struct edit_org *o);

/* Three-way merge after an optimistic-lock conflict: base is what the form
 * loaded, mine what the user made of it, theirs what was saved meanwhile.
 * A field only one side changed takes that side's value, so nobody's
 * change is silently undone; a field both changed to the same value takes
 * it; a field both changed differently is a clash (clash[i] true, merged
 * keeps mine) for the user to decide. merged gets n values (NULL = empty;
 * free each and the array). Returns the number of clashes. */
size_t edit_merge3(char *const *base, char *const *mine, char *const *theirs, size_t n,
                   char ***merged, bool *clash);

/* Reads one organization by id. 0, 1 when there is no such row, -1 with *err. */
int edit_org_load(PGconn *conn, const char *id, struct edit_org *out, char **err);

/* Whether the session's role may insert, update and delete organizations
 * (the console opens read-only otherwise): 1, 0, or -1 with *err. */
int edit_role_can_write(PGconn *conn, char **err);

enum edit_result { EDIT_OK, EDIT_CONFLICT, EDIT_GONE, EDIT_INVALID, EDIT_ERROR };

/* Saves o: an UPDATE when o->id is set (only if "updatedAt" still equals
 * o->updated_at; it then becomes now()), else an INSERT (o->id and
 * o->updated_at are filled in). Validates every field first (EDIT_INVALID,
 * message in *err). On EDIT_CONFLICT, *current holds the row as it is now
 * (caller frees with edit_org_free) so that both versions can be shown;
 * EDIT_GONE when the row was deleted meanwhile. */
enum edit_result edit_org_save(PGconn *conn, struct edit_org *o, struct edit_org *current,
                               char **err);

/* What deleting an organization takes with it (ON DELETE CASCADE) and
 * what it detaches (ON DELETE SET NULL). */
struct edit_cascade {
    int64_t contacts, interactions, opportunities, contracts;   /* deleted */
    int64_t leads;                                               /* detached */
};
int edit_org_cascade(PGconn *conn, const char *id, struct edit_cascade *out, char **err);

/* Deletes the organization if it is still as read (updated_at); the
 * cascades happen in the same transaction. */
enum edit_result edit_org_delete(PGconn *conn, const char *id, const char *updated_at, char **err);

/* Logs an interaction with an organization: values follow
 * edit_interaction_fields (type, subject, date, duration, outcome,
 * description, nextAction); validated; bumps the organization's
 * "lastContactDate" to the interaction's date when that is later, in the
 * same transaction. New id in *new_id (caller frees). */
enum edit_result edit_log_interaction(PGconn *conn, const char *org_id, char *const *values,
                                      char **new_id, char **err);

#endif
