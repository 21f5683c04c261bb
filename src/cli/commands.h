/* commands.h - entry points of the subcommand groups.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_COMMANDS_H
#define PANTRY_COMMANDS_H

int cmd_db(int argc, char **argv, const char *prefix);
int cmd_demo(int argc, char **argv, const char *prefix);
int demo_activity_cmd(int argc, char **argv, const char *prefix); /* cmd_demo_activity.c */
/* Leaf commands take their own argv (argv[0] is the command name). */
int cmd_migrate(int argc, char **argv, const char *prefix);
int cmd_report(int argc, char **argv, const char *prefix);
int cmd_verify(int argc, char **argv, const char *prefix);
int cmd_quarantine(int argc, char **argv, const char *prefix);
int cmd_assess(int argc, char **argv, const char *prefix);
int cmd_config(int argc, char **argv, const char *prefix);
int cmd_export(int argc, char **argv, const char *prefix);
int cmd_stats(int argc, char **argv, const char *prefix);
int cmd_health(int argc, char **argv, const char *prefix);

int cmd_sync(int argc, char **argv, const char *prefix);
int cmd_cutover(int argc, char **argv, const char *prefix);
int cmd_fallback(int argc, char **argv, const char *prefix);

#endif
