/* userconf.c - the user's configuration file.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "userconf.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *config_default_path(void)
{
    char *dir = paths_config_home();
    char *p = xasprintf("%s/config", dir);
    free(dir);
    return p;
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

int config_load(const char *path, struct config *cfg, char **err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = xstrdup(path);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : (*err = xasprintf("%s: %s", path, strerror(errno)), -1);
    char buf[1024];
    int line = 0, rc = 0;
    while (rc == 0 && fgets(buf, sizeof buf, f)) {
        line++;
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(buf);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            *err = xasprintf("%s:%d: expected 'key = value'", path, line);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!strcmp(key, "read-only")) {
            if (parse_bool(val, &cfg->read_only) != 0) {
                *err = xasprintf("%s:%d: read-only takes true or false, not '%s'", path, line, val);
                rc = -1;
            }
        } else if (!strcmp(key, "color")) {
            if (!strcmp(val, "auto"))
                cfg->color = CONFIG_COLOR_AUTO;
            else if (!strcmp(val, "never"))
                cfg->color = CONFIG_COLOR_NEVER;
            else if (!strcmp(val, "always"))
                cfg->color = CONFIG_COLOR_ALWAYS;
            else {
                *err = xasprintf("%s:%d: color takes auto, never or always, not '%s'", path, line, val);
                rc = -1;
            }
        } else if (!strncmp(key, "key.", 4) && key[4]) {
            if (!*val) {
                *err = xasprintf("%s:%d: %s needs at least one key", path, line, key);
                rc = -1;
                break;
            }
            cfg->bindings = xrealloc(cfg->bindings, (cfg->nbindings + 1) * sizeof *cfg->bindings);
            cfg->bindings[cfg->nbindings++] = (struct config_binding){xstrdup(key + 4), xstrdup(val), line};
        } else {
            *err = xasprintf("%s:%d: unknown setting '%s' (known: read-only, color, key.ACTION)",
                             path, line, key);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < cfg->nbindings; i++) {
        free(cfg->bindings[i].action);
        free(cfg->bindings[i].keys);
    }
    free(cfg->bindings);
    free(cfg->path);
    memset(cfg, 0, sizeof *cfg);
}
