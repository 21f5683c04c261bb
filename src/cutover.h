/* cutover.h - the go/no-go gate and the record of the switch-over.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_CUTOVER_H
#define PANTRY_CUTOVER_H
#endif
