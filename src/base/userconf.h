/* userconf.h - pantrycrm's configuration files, which it reads and never
 * writes (what it learns at run time goes to the state file).
 *
 * Two files in one format (documented in pantrycrm.conf(5)), read in
 * order, the later overriding the earlier key by key:
 *   $(sysconfdir)/pantrycrm/config       (or $PANTRYCRM_SYSCONFIG)
 *   $XDG_CONFIG_HOME/pantrycrm/config    (or $PANTRYCRM_CONFIG)
 *
 *   read-only = true                          # console read-only by default
 *   color = auto | never | always
 *   color.header = white on blue bold         # per role
 *   key.PAGE_DOWN = PgDn Space ^F             # rebind an action
 *   connection.prod = host=pg.example.org dbname=crm sslmode=verify-full
 *   default-connection = prod                 # when no -d is given
 *   migrate.jobs = 4
 *   migrate.batch-size = 10000
 *   synonyms = /etc/pantrycrm/synonyms.conf
 *   source = sqlite:/srv/legacy.db
 *   password-command = az account get-access-token --resource-type oss-rdbms --query accessToken -o tsv
 *   pooler = auto | yes | no                  # transaction pooler in front?
 *
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#ifndef PANTRY_USERCONF_H
#define PANTRY_USERCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum config_color { CONFIG_COLOR_AUTO, CONFIG_COLOR_NEVER, CONFIG_COLOR_ALWAYS };

/* Where a setting came from, for messages and `pantrycrm config --show`. */
struct config_origin {
    const char *file;   /* points into config.files */
    int line;
};

struct config_binding {
    char *action;       /* "PAGE_DOWN" */
    char *keys;         /* "PgDn Space ^F" */
    int line;
    const char *file;
};

struct config_connection {
    char *name;         /* "prod" */
    char *conninfo;     /* a libpq URI or key=value string */
    struct config_origin at;
};

/* Text attributes of a colour role, independent of curses. */
enum {
    CONFIG_ATTR_BOLD = 1, CONFIG_ATTR_DIM = 2, CONFIG_ATTR_UNDERLINE = 4,
    CONFIG_ATTR_REVERSE = 8, CONFIG_ATTR_NORMAL = 16
};
#define CONFIG_COLOR_UNSET (-2)    /* no colour given: keep the default */
#define CONFIG_COLOR_DEFAULT (-1)  /* the terminal's own colour */

struct config_style {
    char *role;         /* "header" */
    int fg, bg;         /* 0..7 (curses COLOR_*), CONFIG_COLOR_DEFAULT or _UNSET */
    int attrs;          /* CONFIG_ATTR_* */
    struct config_origin at;
};

struct config {
    char *path;         /* the last file read (the user's) */
    char *files[4];     /* every file read, in order; origins point here */
    size_t nfiles;
    bool read_only;
    struct config_origin read_only_at;
    enum config_color color;
    struct config_binding *bindings;
    size_t nbindings;
    struct config_connection *connections;
    size_t nconnections;
    char *default_connection;
    struct config_origin default_connection_at;
    struct config_style *styles;
    size_t nstyles;
    int jobs;           /* 0: not set */
    long batch_rows;    /* 0: not set */
    char *synonyms;
    char *source;
    /* A command printing the password (an Entra ID token): run per connection. */
    char *password_command;
    char *pooler;       /* "auto" (NULL), "yes", "no": see pg_pooled */
    /* Harmless oddities worth a word ("connection.x holds a password"). */
    char **warnings;
    size_t nwarnings;
};

/* The colour roles the console knows, NULL-terminated. */
extern const char *const config_roles[];

/* The setting names, for `pantrycrm config --keys` (and the man page test);
 * "key.ACTION" style entries stand for families. NULL-terminated. */
extern const char *const config_keys[];

/* How key.ACTION values are checked while reading (the key table lives in
 * the console, which the core does not link): NULL when fine, else a
 * message the caller frees. main sets keymap_check. */
typedef char *(*config_binding_check)(const char *action, const char *keys);
void config_set_binding_check(config_binding_check fn);

/* $XDG_CONFIG_HOME/pantrycrm/config, or $PANTRYCRM_CONFIG. Caller frees. */
char *config_default_path(void);
/* $(sysconfdir)/pantrycrm/config, or $PANTRYCRM_SYSCONFIG. Caller frees. */
char *config_system_path(void);

/* Reads path into cfg (defaults first). A missing file is no error.
 * Unknown keys and bad values stop with "FILE:LINE: message" in *err
 * (every mistake of the file, one per line): a typo must not silently
 * leave a support session writable. */
int config_load(const char *path, struct config *cfg, char **err);
/* Reads one more file on top of what cfg holds (cfg initialised by
 * config_load or zeroed with config_defaults). */
int config_load_more(const char *path, struct config *cfg, char **err);
void config_defaults(struct config *cfg);
/* The system file, then the user's. */
int config_load_all(struct config *cfg, char **err);
void config_free(struct config *cfg);

/* The process's configuration, loaded once by config_init (main does it
 * before any command runs); without it, config_get loads it quietly. */
int config_init(char **err);
const struct config *config_get(void);

/* A -d argument to a conninfo: "@NAME" or a bare NAME (a word without '='
 * or "://", which libpq would reject anyway) names a connection of the
 * configuration; NULL means the configuration's default-connection, if
 * any. Anything else is returned unchanged. NULL with *err (caller frees)
 * for a name the configuration lacks. The result lives as long as the
 * configuration or the argument. */
const char *config_resolve_conninfo(const char *arg, char **err);

/* The effective configuration as config lines, each with its origin
 * (caller frees; the command line prints it). */
char *config_text(const struct config *cfg);

#endif
