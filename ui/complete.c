/* complete.c - Tab completion for the prompt line: the ':' commands, sort
 * names, filter fields and values, file names for :export, and the labels
 * of a form's enumerated field.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "complete.h"
#include "app.h"
#include "form.h"
#include "list_pane.h"

#include "browse.h"
#include "legacy.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* File names for ":export FORMAT WORD": the entries of WORD's directory
 * ("~/" is the home directory), directories with a trailing '/'. */
static char **complete_files(const char *line, int start, int end)
{
    char word[512];
    snprintf(word, sizeof word, "%.*s", end - start, line + start);
    char *slash = strrchr(word, '/');
    char shown[512] = "", dir[1024] = ".";
    if (slash) {
        snprintf(shown, sizeof shown, "%.*s", (int)(slash - word + 1), word);
        const char *home = getenv("HOME");
        if (shown[0] == '~' && shown[1] == '/' && home)
            snprintf(dir, sizeof dir, "%s/%s", home, shown + 2);
        else
            snprintf(dir, sizeof dir, "%s", shown);
    }
    size_t n = 0, cap = 16;
    char **out = xcalloc(cap + 1, sizeof *out);
    DIR *d = opendir(dir);
    for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap *= 2;
            out = xrealloc(out, (cap + 1) * sizeof *out);
        }
        char path[1600];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        bool is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        out[n++] = xasprintf("%s%s%s", shown, e->d_name, is_dir ? "/" : "");
    }
    if (d)
        closedir(d);
    out[n] = NULL;
    return out;
}

/* Completion for the ':' line: commands, then sort names and filter fields. */
char **console_complete(const char *line, int start, int end, void *ctx)
{
    struct app *app = ctx;
    /* A form's enumerated field: its labels. */
    if (app && app->prompt_kind == 'f' && app->form) {
        const struct edit_field *f = &app->form->fields[app->form->sel];
        size_t n = 0;
        const char *const *labels = f->kind == EDIT_ENUM && f->enum_type
                                    ? legacy_enum_labels(f->enum_type, &n) : NULL;
        char **out = xcalloc(n + 1, sizeof *out);
        for (size_t i = 0; i < n; i++)
            out[i] = xstrdup(labels[i]);
        return out;
    }
    /* ":export csv|jsonl FILE": the third word is a file name */
    if (strncmp(line, "export ", 7) == 0) {
        int words = 0;
        for (int i = 0; i < start; i++)
            if (line[i] != ' ' && (i == 0 || line[i - 1] == ' '))
                words++;
        if (words >= 2)
            return complete_files(line, start, end);
    }
    static const char *const verbs[] = {"sort ", "filter ", "goto ", "search ", "export csv ", "export jsonl ",
                                        "orgs", "contacts", "migration", "quit", NULL};
    /* The list a command goes to: the pane on screen when it is a list,
     * else the organizations (console.c, command_pane); its sorts and
     * filters only, so that nothing offered is then refused. */
    const struct list_view *lv = app && app->current ? list_pane_view(app->current) : NULL;
    bool contacts = lv && lv->spec.entity == BROWSE_CONTACTS;
    static const char *const org_sorts[] = {"name", "priority", "segment", "status", "city", "updatedAt",
                                            "nextFollowUpDate", "estimatedRevenue", "-name", "-updatedAt",
                                            "revenue", "follow-up", "updated", "-revenue", NULL};
    static const char *const contact_sorts[] = {"lastName", "createdAt", "email", "updatedAt",
                                                "-lastName", "-createdAt", "-updatedAt", NULL};
    static const char *const org_filters[] = {"priority=", "segment=", "status=", "type=", "state=",
                                              "city=", "followup=due", "followup=overdue",
                                              "followup=today", "email=flagged", "clear", NULL};
    static const char *const contact_filters[] = {"primary=yes", "primary=no", "organization=",
                                                  "email=flagged", "clear", NULL};
    const char *const *sorts = contacts ? contact_sorts : org_sorts;
    const char *const *filters = contacts ? contact_filters : org_filters;
    const char *const *pool = verbs;
    if (start > 0 && strncmp(line, "sort", 4) == 0)
        pool = sorts;
    else if (start > 0 && strncmp(line, "filter", 6) == 0) {
        /* readline ends words at '=' (not at ','): after "field=", offer
         * that field's labels, each after the values already typed
         * before the word's last comma ("FINE_DINING,CAT" Tab) */
        int fs = start;
        while (fs > 0 && line[fs - 1] != '=' && line[fs - 1] != ' ')
            fs--;
        if (fs > 0 && line[fs - 1] == '=') {
            int fe = fs - 1, fb = fe;
            while (fb > 0 && line[fb - 1] != ' ')
                fb--;
            char field[32];
            snprintf(field, sizeof field, "%.*s", fe - fb, line + fb);
            size_t n;
            const char *const *labels = browse_filter_labels(field, &n);
            if (labels) {
                int comma = end;
                while (comma > start && line[comma - 1] != ',')
                    comma--;
                char **out = xcalloc(n + 1, sizeof *out);
                for (size_t i = 0; i < n; i++)
                    out[i] = xasprintf("%.*s%s", comma - start, line + start, labels[i]);
                return out;
            }
        }
        pool = filters;
    }
    size_t n = 0;
    while (pool[n])
        n++;
    char **out = xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(pool[i]);
    return out;
}

