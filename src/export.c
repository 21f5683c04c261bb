/* export.c - a browse list to CSV, streaming by keyset pages.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "export.h"
#include "util.h"

#include <string.h>

#define EXPORT_PAGE 1000

void export_csv_field(FILE *out, const char *v)
{
    if (!v)
        return;
    if (!v[strcspn(v, ",\"\r\n")]) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

int64_t export_csv(struct browse_session *s, const struct browse_spec *spec, FILE *out,
                   export_progress progress, void *ctx, char **err)
{
    size_t ncols;
    const char *const *names = browse_column_names(spec->entity, &ncols);
    for (size_t c = 0; c < ncols; c++) {
        if (c)
            fputc(',', out);
        export_csv_field(out, names[c]);
    }
    fputs("\r\n", out);
    int64_t rows = 0;
    struct browse_key key = {0};
    enum browse_move move = BROWSE_FIRST;
    for (;;) {
        struct browse_page page = {0};
        if (!browse_fetch_page(s, spec, move, move == BROWSE_FIRST ? NULL : &key, EXPORT_PAGE,
                               &page, err)) {
            browse_key_free(&key);
            return -1;
        }
        for (size_t r = 0; r < page.nrows; r++) {
            for (size_t c = 0; c < ncols; c++) {
                if (c)
                    fputc(',', out);
                export_csv_field(out, page.rows[r][c]);
            }
            fputs("\r\n", out);
        }
        rows += (int64_t)page.nrows;
        bool end = page.at_end || page.nrows == 0;
        browse_key_free(&key);
        if (page.nrows > 0)
            browse_key_from_row(spec->sort, page.rows[page.nrows - 1], &key);
        browse_page_free(&page);
        if (ferror(out)) {
            *err = xstrdup("writing the file failed");
            browse_key_free(&key);
            return -1;
        }
        if (progress && progress(ctx, rows)) {
            browse_key_free(&key);
            return -2;
        }
        if (end)
            break;
        move = BROWSE_NEXT;
    }
    browse_key_free(&key);
    return rows;
}
