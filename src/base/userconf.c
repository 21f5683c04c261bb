/* userconf.c - pantrycrm's configuration files (see userconf.h and
 * pantrycrm.conf(5)). Read only: nothing here ever opens them for writing.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "userconf.h"
#include "paths.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char *const config_roles[] = {
    "header", "status", "selected", "title", "dim", "error", "ok", "warn", "bar", NULL,
};

const char *const config_keys[] = {
    "read-only", "color", "color.ROLE", "key.ACTION", "connection.NAME", "default-connection",
    "migrate.jobs", "migrate.batch-size", "synonyms", "source", "password-command", "pooler", NULL,
};

char *config_default_path(void)
{
    const char *env = getenv("PANTRYCRM_CONFIG");
    if (env && *env)
        return xstrdup(env);
    char *dir = paths_config_home();
    char *p = xasprintf("%s/config", dir);
    free(dir);
    return p;
}

char *config_system_path(void)
{
    const char *env = getenv("PANTRYCRM_SYSCONFIG");
    if (env && *env)
        return xstrdup(env);
    return xstrdup(SYSCONFDIR "/pantrycrm/config");
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
        *out = false;
    else
        return -1;
    return 0;
}

static bool parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static const char *const color_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", NULL,
};

static int color_index(const char *w)
{
    if (!strcmp(w, "default"))
        return CONFIG_COLOR_DEFAULT;
    for (int i = 0; color_names[i]; i++)
        if (!strcmp(w, color_names[i]))
            return i;
    return CONFIG_COLOR_UNSET;
}

static const struct { const char *name; int bit; } attr_names[] = {
    {"bold", CONFIG_ATTR_BOLD}, {"dim", CONFIG_ATTR_DIM}, {"underline", CONFIG_ATTR_UNDERLINE},
    {"reverse", CONFIG_ATTR_REVERSE}, {"normal", CONFIG_ATTR_NORMAL}, {NULL, 0},
};

/* "FG [on BG] [ATTR…]" or "on BG …" or "ATTR…"; NULL, or a message. */
static char *parse_style(const char *val, struct config_style *st)
{
    st->fg = st->bg = CONFIG_COLOR_UNSET;
    st->attrs = 0;
    char *copy = xstrdup(val);
    char *msg = NULL, *save = NULL;
    bool want_bg = false, any = false;
    for (char *w = strtok_r(copy, " \t", &save); w && !msg; w = strtok_r(NULL, " \t", &save)) {
        for (char *p = w; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        any = true;
        if (!strcmp(w, "on")) {
            if (want_bg || st->bg != CONFIG_COLOR_UNSET)
                msg = xstrdup("'on' comes once, before the background colour");
            want_bg = true;
            continue;
        }
        int ci = color_index(w);
        if (ci != CONFIG_COLOR_UNSET) {
            if (want_bg) {
                st->bg = ci;
                want_bg = false;
            } else if (st->fg == CONFIG_COLOR_UNSET && st->bg == CONFIG_COLOR_UNSET && !st->attrs) {
                st->fg = ci;
            } else {
                msg = xasprintf("colour '%s' out of place (write FG [on BG] [ATTRIBUTES])", w);
            }
            continue;
        }
        if (want_bg) {
            msg = xasprintf("'on' needs a colour, not '%s'", w);
            continue;
        }
        int bit = 0;
        for (int i = 0; attr_names[i].name; i++)
            if (!strcmp(w, attr_names[i].name))
                bit = attr_names[i].bit;
        if (!bit)
            msg = xasprintf("unknown colour or attribute '%s' (colours: black, red, green, yellow, "
                            "blue, magenta, cyan, white, default; attributes: bold, dim, "
                            "underline, reverse, normal)", w);
        st->attrs |= bit;
    }
    if (!msg && want_bg)
        msg = xstrdup("'on' needs a colour after it");
    if (!msg && !any)
        msg = xstrdup("needs a colour or an attribute");
    free(copy);
    return msg;
}

static bool is_name(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

/* NULL when conninfo parses; else a message. Sets *has_password. */
static char *check_conninfo(const char *conninfo, bool *has_password)
{
    char *perr = NULL;
    *has_password = false;
    PQconninfoOption *o = PQconninfoParse(conninfo, &perr);
    if (!o) {
        char *m = xasprintf("not a valid connection string: %s", perr ? str_rtrim(perr) : "?");
        PQfreemem(perr);
        return m;
    }
    for (PQconninfoOption *p = o; p->keyword; p++)
        if (!strcmp(p->keyword, "password") && p->val && *p->val)
            *has_password = true;
    PQconninfoFree(o);
    return NULL;
}

static void add_error(struct strbuf *errs, const char *file, int line, const char *fmt, ...)
    PANTRY_PRINTF(4, 5);
static void add_error(struct strbuf *errs, const char *file, int line, const char *fmt, ...)
{
    if (errs->len)
        sb_addc(errs, '\n');
    sb_addf(errs, "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    sb_adds(errs, m);
    free(m);
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = xstrdup(v);
}

static config_binding_check binding_check;

void config_set_binding_check(config_binding_check fn)
{
    binding_check = fn;
}

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

/* One "key = value" line; errors go to errs. */
static void apply(struct config *cfg, const char *file, int line, const char *key, const char *val,
                  struct strbuf *errs)
{
    struct config_origin at = {file, line};
    if (!strcmp(key, "read-only")) {
        if (parse_bool(val, &cfg->read_only) != 0)
            add_error(errs, file, line, "read-only takes true or false, not '%s'", val);
        else
            cfg->read_only_at = at;
    } else if (!strcmp(key, "color")) {
        if (!strcmp(val, "auto"))
            cfg->color = CONFIG_COLOR_AUTO;
        else if (!strcmp(val, "never"))
            cfg->color = CONFIG_COLOR_NEVER;
        else if (!strcmp(val, "always"))
            cfg->color = CONFIG_COLOR_ALWAYS;
        else
            add_error(errs, file, line, "color takes auto, never or always, not '%s'", val);
    } else if (!strncmp(key, "color.", 6)) {
        const char *role = key + 6;
        bool known = false;
        for (int i = 0; config_roles[i]; i++)
            known |= !strcmp(role, config_roles[i]);
        if (!known) {
            add_error(errs, file, line, "unknown colour role '%s' (roles: header, status, selected, "
                      "title, dim, error, ok, warn, bar)", role);
            return;
        }
        struct config_style st = {0};
        char *msg = parse_style(val, &st);
        if (msg) {
            add_error(errs, file, line, "%s: %s", key, msg);
            free(msg);
            return;
        }
        st.at = at;
        for (size_t i = 0; i < cfg->nstyles; i++)
            if (!strcmp(cfg->styles[i].role, role)) {
                st.role = cfg->styles[i].role;
                cfg->styles[i] = st;
                return;
            }
        st.role = xstrdup(role);
        cfg->styles = xrealloc(cfg->styles, (cfg->nstyles + 1) * sizeof *cfg->styles);
        cfg->styles[cfg->nstyles++] = st;
    } else if (!strncmp(key, "key.", 4) && key[4]) {
        if (!*val) {
            add_error(errs, file, line, "%s needs at least one key", key);
            return;
        }
        char *msg = binding_check ? binding_check(key + 4, val) : NULL;
        if (msg) {
            add_error(errs, file, line, "%s: %s", key, msg);
            free(msg);
            return;
        }
        cfg->bindings = xrealloc(cfg->bindings, (cfg->nbindings + 1) * sizeof *cfg->bindings);
        cfg->bindings[cfg->nbindings++] = (struct config_binding){xstrdup(key + 4), xstrdup(val),
                                                                  line, file};
    } else if (!strncmp(key, "connection.", 11)) {
        const char *name = key + 11;
        if (!is_name(name)) {
            add_error(errs, file, line, "a connection name is letters, digits, '_', '-' and '.', "
                      "not '%s'", name);
            return;
        }
        bool pw;
        char *msg = check_conninfo(val, &pw);
        if (msg) {
            add_error(errs, file, line, "%s: %s", key, msg);
            free(msg);
            return;
        }
        if (pw) {
            cfg->warnings = xrealloc(cfg->warnings, (cfg->nwarnings + 1) * sizeof *cfg->warnings);
            cfg->warnings[cfg->nwarnings++] =
                xasprintf("%s:%d: %s holds a password; ~/.pgpass or PGPASSWORD keep it out of "
                          "a file others may read", file, line, key);
        }
        for (size_t i = 0; i < cfg->nconnections; i++)
            if (!strcmp(cfg->connections[i].name, name)) {
                set_str(&cfg->connections[i].conninfo, val);
                cfg->connections[i].at = at;
                return;
            }
        cfg->connections = xrealloc(cfg->connections,
                                    (cfg->nconnections + 1) * sizeof *cfg->connections);
        cfg->connections[cfg->nconnections++] =
            (struct config_connection){xstrdup(name), xstrdup(val), at};
    } else if (!strcmp(key, "default-connection")) {
        const char *name = val[0] == '@' ? val + 1 : val;
        if (!is_name(name)) {
            add_error(errs, file, line, "default-connection takes a connection name, not '%s'", val);
            return;
        }
        /* Checked against the connections once every file is read: the
         * system file may name one the user's file defines. */
        set_str(&cfg->default_connection, name);
        cfg->default_connection_at = at;
    } else if (!strcmp(key, "migrate.jobs")) {
        long n;
        if (!parse_long(val, 1, 16, &n))
            add_error(errs, file, line, "migrate.jobs takes a number from 1 to 16, not '%s'", val);
        else
            cfg->jobs = (int)n;
    } else if (!strcmp(key, "migrate.batch-size")) {
        long n;
        if (!parse_long(val, 1, 1000000, &n))
            add_error(errs, file, line, "migrate.batch-size takes a number from 1 to 1000000, "
                      "not '%s'", val);
        else
            cfg->batch_rows = n;
    } else if (!strcmp(key, "synonyms")) {
        if (!*val)
            add_error(errs, file, line, "synonyms needs a file name");
        else
            set_str(&cfg->synonyms, val);
    } else if (!strcmp(key, "source")) {
        if (!*val)
            add_error(errs, file, line, "source needs a locator (e.g. sqlite:legacy.db)");
        else
            set_str(&cfg->source, val);
    } else if (!strcmp(key, "password-command")) {
        if (!*val)
            add_error(errs, file, line, "password-command needs a command");
        else
            set_str(&cfg->password_command, val);
    } else if (!strcmp(key, "pooler")) {
        if (strcmp(val, "auto") && strcmp(val, "yes") && strcmp(val, "no"))
            add_error(errs, file, line, "pooler takes auto, yes or no, not '%s'", val);
        else
            set_str(&cfg->pooler, val);
    } else {
        add_error(errs, file, line, "unknown setting '%s' (known: read-only, color, color.ROLE, "
                  "key.ACTION, connection.NAME, default-connection, migrate.jobs, "
                  "migrate.batch-size, synonyms, source, password-command, pooler)", key);
    }
}

int config_load_more(const char *path, struct config *cfg, char **err)
{
    free(cfg->path);
    cfg->path = xstrdup(path);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        *err = xasprintf("%s: %s", path, strerror(errno));
        return -1;
    }
    const char *file = NULL;
    if (cfg->nfiles < sizeof cfg->files / sizeof cfg->files[0]) {
        cfg->files[cfg->nfiles] = xstrdup(path);
        file = cfg->files[cfg->nfiles++];
    } else {
        file = cfg->path;
    }
    struct strbuf errs;
    sb_init(&errs);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int line = 0;
    while ((n = getline(&buf, &cap, f)) != -1) {
        line++;
        if (memchr(buf, '\0', (size_t)n)) {
            add_error(&errs, file, line, "the line holds a NUL byte");
            continue;
        }
        /* '#' starts a comment anywhere but inside a value that needs it:
         * conninfo values quote with single quotes, so a '#' inside '…'
         * stays. */
        bool quoted = false;
        for (char *p = buf; *p; p++) {
            if (*p == '\'')
                quoted = !quoted;
            else if (*p == '\\' && quoted && p[1])
                p++;
            else if (*p == '#' && !quoted) {
                *p = '\0';
                break;
            }
        }
        char *s = trim(buf);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            add_error(&errs, file, line, "expected 'key = value'");
            continue;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!*key) {
            add_error(&errs, file, line, "expected 'key = value' (the key is missing)");
            continue;
        }
        apply(cfg, file, line, key, val, &errs);
    }
    free(buf);
    fclose(f);
    if (errs.len) {
        *err = sb_detach(&errs);
        return -1;
    }
    sb_free(&errs);
    return 0;
}

int config_load(const char *path, struct config *cfg, char **err)
{
    config_defaults(cfg);
    return config_load_more(path, cfg, err);
}

static int check_default(struct config *cfg, char **err)
{
    if (!cfg->default_connection)
        return 0;
    for (size_t i = 0; i < cfg->nconnections; i++)
        if (!strcmp(cfg->connections[i].name, cfg->default_connection))
            return 0;
    *err = xasprintf("%s:%d: default-connection names '%s', but no connection.%s is defined",
                     cfg->default_connection_at.file, cfg->default_connection_at.line,
                     cfg->default_connection, cfg->default_connection);
    return -1;
}

/* A file named by an environment variable must exist: the user asked for
 * it, and silently running without it would hide a typo in the name. */
static char *named_file_missing(const char *env)
{
    const char *v = getenv(env);
    if (v && *v && access(v, F_OK) != 0)
        return xasprintf("%s: %s (named by %s)", v, strerror(errno), env);
    return NULL;
}

int config_load_all(struct config *cfg, char **err)
{
    config_defaults(cfg);
    char *missing = named_file_missing("PANTRYCRM_SYSCONFIG");
    if (!missing)
        missing = named_file_missing("PANTRYCRM_CONFIG");
    if (missing) {
        *err = missing;
        return -1;
    }
    char *sys = config_system_path(), *user = config_default_path();
    char *e1 = NULL, *e2 = NULL;
    int rc1 = config_load_more(sys, cfg, &e1);
    int rc2 = config_load_more(user, cfg, &e2);
    free(sys);
    free(user);
    if (rc1 == 0 && rc2 == 0)
        return check_default(cfg, err);
    *err = e1 && e2 ? xasprintf("%s\n%s", e1, e2) : xstrdup(e1 ? e1 : e2);
    free(e1);
    free(e2);
    return -1;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < cfg->nbindings; i++) {
        free(cfg->bindings[i].action);
        free(cfg->bindings[i].keys);
    }
    free(cfg->bindings);
    for (size_t i = 0; i < cfg->nconnections; i++) {
        free(cfg->connections[i].name);
        free(cfg->connections[i].conninfo);
    }
    free(cfg->connections);
    for (size_t i = 0; i < cfg->nstyles; i++)
        free(cfg->styles[i].role);
    free(cfg->styles);
    for (size_t i = 0; i < cfg->nwarnings; i++)
        free(cfg->warnings[i]);
    free(cfg->warnings);
    for (size_t i = 0; i < cfg->nfiles; i++)
        free(cfg->files[i]);
    free(cfg->default_connection);
    free(cfg->synonyms);
    free(cfg->source);
    free(cfg->password_command);
    free(cfg->pooler);
    free(cfg->path);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- the process's configuration ---------------------------------------- */

static struct config g_cfg;
static bool g_loaded;
static char *g_err;

static void free_global(void)
{
    config_free(&g_cfg);
    free(g_err);
    g_err = NULL;
}

int config_init(char **err)
{
    if (!g_loaded) {
        g_loaded = true;
        if (config_load_all(&g_cfg, &g_err) != 0) {
            /* Half a configuration is worse than none: a failed load
             * leaves the defaults in force for whoever asks anyway. */
            config_free(&g_cfg);
        }
        atexit(free_global);
    }
    if (g_err) {
        if (err)
            *err = xstrdup(g_err);
        return -1;
    }
    return 0;
}

const struct config *config_get(void)
{
    if (!g_loaded)
        config_init(NULL);
    return &g_cfg;
}

const char *config_resolve_conninfo(const char *arg, char **err)
{
    const struct config *cfg = config_get();
    if (!arg) {
        if (!cfg->default_connection)
            return NULL;
        arg = cfg->default_connection;
    } else if (arg[0] != '@' && (strchr(arg, '=') || strstr(arg, "://") || !*arg)) {
        return arg;
    }
    const char *name = arg[0] == '@' ? arg + 1 : arg;
    for (size_t i = 0; i < cfg->nconnections; i++)
        if (!strcmp(cfg->connections[i].name, name))
            return cfg->connections[i].conninfo;
    if (cfg->nfiles == 0)
        *err = xasprintf("no connection named '%s': no configuration file defines connections "
                         "(see pantrycrm.conf(5)), and a connection string needs key=value "
                         "or a postgresql:// URI", name);
    else
        *err = xasprintf("no connection named '%s' in %s%s%s (see pantrycrm.conf(5))", name,
                         cfg->files[0], cfg->nfiles > 1 ? " or " : "",
                         cfg->nfiles > 1 ? cfg->files[cfg->nfiles - 1] : "");
    return NULL;
}

/* ---- showing it ----------------------------------------------------------- */

/* The conninfo with any password value replaced, for display. */
static char *mask_password(const char *conninfo)
{
    bool pw;
    char *m = check_conninfo(conninfo, &pw);
    free(m);
    if (!pw)
        return xstrdup(conninfo);
    return xstrdup("(holds a password: not shown)");
}

static void origin(struct strbuf *out, struct config_origin at)
{
    if (at.file)
        sb_addf(out, "    # %s:%d", at.file, at.line);
    sb_adds(out, "\n");
}

static void style_text(const struct config_style *st, struct strbuf *sb)
{
    if (st->fg != CONFIG_COLOR_UNSET)
        sb_adds(sb, st->fg == CONFIG_COLOR_DEFAULT ? "default" : color_names[st->fg]);
    if (st->bg != CONFIG_COLOR_UNSET)
        sb_addf(sb, "%son %s", sb->len ? " " : "",
                st->bg == CONFIG_COLOR_DEFAULT ? "default" : color_names[st->bg]);
    for (int i = 0; attr_names[i].name; i++)
        if (st->attrs & attr_names[i].bit)
            sb_addf(sb, "%s%s", sb->len ? " " : "", attr_names[i].name);
}

char *config_text(const struct config *cfg)
{
    struct strbuf text, *out = &text;
    sb_init(out);
    sb_addf(out, "read-only = %s", cfg->read_only ? "true" : "false");
    origin(out, cfg->read_only_at);
    sb_addf(out, "color = %s\n", cfg->color == CONFIG_COLOR_NEVER ? "never"
                                 : cfg->color == CONFIG_COLOR_ALWAYS ? "always" : "auto");
    for (size_t i = 0; i < cfg->nstyles; i++) {
        struct strbuf sb;
        sb_init(&sb);
        style_text(&cfg->styles[i], &sb);
        sb_addf(out, "color.%s = %s", cfg->styles[i].role, sb.buf ? sb.buf : "");
        sb_free(&sb);
        origin(out, cfg->styles[i].at);
    }
    for (size_t i = 0; i < cfg->nbindings; i++) {
        sb_addf(out, "key.%s = %s", cfg->bindings[i].action, cfg->bindings[i].keys);
        origin(out, (struct config_origin){cfg->bindings[i].file, cfg->bindings[i].line});
    }
    for (size_t i = 0; i < cfg->nconnections; i++) {
        char *shown = mask_password(cfg->connections[i].conninfo);
        sb_addf(out, "connection.%s = %s", cfg->connections[i].name, shown);
        free(shown);
        origin(out, cfg->connections[i].at);
    }
    if (cfg->default_connection) {
        sb_addf(out, "default-connection = %s", cfg->default_connection);
        origin(out, cfg->default_connection_at);
    }
    if (cfg->jobs)
        sb_addf(out, "migrate.jobs = %d\n", cfg->jobs);
    if (cfg->batch_rows)
        sb_addf(out, "migrate.batch-size = %ld\n", cfg->batch_rows);
    if (cfg->synonyms)
        sb_addf(out, "synonyms = %s\n", cfg->synonyms);
    if (cfg->source)
        sb_addf(out, "source = %s\n", cfg->source);
    if (cfg->password_command)
        sb_addf(out, "password-command = %s\n", cfg->password_command);
    if (cfg->pooler)
        sb_addf(out, "pooler = %s\n", cfg->pooler);
    return text.buf ? text.buf : xstrdup("");
}
