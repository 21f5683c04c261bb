/* export_job.h - the console's ':export': the whole list written to a file
 * by a thread with a connection of its own, so that the console goes on
 * (browsing included) while it runs; the status line counts the rows.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_EXPORT_JOB_H
#define PANTRY_EXPORT_JOB_H

#include <stdbool.h>

#include "browse.h"
#include "export.h"

struct app;
struct export_job;

/* Starts writing spec's list (copied: the pane may change its filters
 * meanwhile) to file. The rows go to file.part, renamed to file when
 * complete; a cancel or an error removes it, so file is never half
 * written. NULL with a status message when the file cannot be opened. */
struct export_job *export_job_start(struct app *app, const struct browse_spec *spec,
                                    enum export_format fmt, const char *file);
/* Each tick: the live count on the status line; true once the job ended
 * (its outcome said there): free it then. */
bool export_job_tick(struct export_job *x);
/* Esc or ^C: stops it at once (the statement under way is cancelled). */
void export_job_cancel(struct export_job *x);
/* Cancels it if still running, waits for the thread, frees it. */
void export_job_free(struct export_job *x);

#endif
