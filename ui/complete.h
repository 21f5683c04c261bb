/* complete.h - what Tab completes on the console's prompt line.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_COMPLETE_H
#define PANTRY_COMPLETE_H

/* A prompt_completer (prompt.h); ctx is the struct app. */
char **console_complete(const char *line, int start, int end, void *ctx);

#endif
