/* paths.c - XDG base directories and the shipped data directory.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "paths.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *home_dir(void)
{
    const char *h = getenv("HOME");
    if (h && *h)
        return h;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir ? pw->pw_dir : "/";
}

static char *xdg_dir(const char *env, const char *fallback)
{
    const char *v = getenv(env);
    /* The spec says relative values are invalid and must be ignored. */
    if (v && v[0] == '/')
        return xasprintf("%s/pantrycrm", v);
    return xasprintf("%s/%s/pantrycrm", home_dir(), fallback);
}

char *paths_data_home(void)
{
    return xdg_dir("XDG_DATA_HOME", ".local/share");
}

char *paths_state_home(void)
{
    return xdg_dir("XDG_STATE_HOME", ".local/state");
}

char *paths_config_home(void)
{
    return xdg_dir("XDG_CONFIG_HOME", ".config");
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *paths_pkgdata(void)
{
    const char *env = getenv("PANTRYCRM_DATADIR");
    if (env && *env)
        return xstrdup(env);

    /* Running uninstalled: the executable sits in the build tree, whose
     * source tree holds data/. Checked through /proc so that an installed
     * copy never reads a stale source tree by accident. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        char builddir[PATH_MAX];
        if (realpath(ABS_TOP_BUILDDIR, builddir) && str_starts_with(exe, builddir)) {
            char *src = xasprintf("%s/data", ABS_TOP_SRCDIR);
            if (is_dir(src))
                return src;
            free(src);
        }
    }
    return xstrdup(PKGDATADIR);
}

int paths_mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char saved = *s;
            *s = '\0';
            if (mkdir(p, mode) != 0 && errno != EEXIST) {
                int e = errno;
                free(p);
                errno = e;
                return -1;
            }
            *s = saved;
            if (saved == '\0')
                break;
        }
    }
    free(p);
    return is_dir(path) ? 0 : (errno = ENOTDIR, -1);
}

bool paths_world_traversable(const char *path)
{
    char *p = xstrdup(path);
    bool ok = true;
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
            ok = false;
            break;
        }
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            break;
        *slash = '\0';
    }
    free(p);
    return ok;
}

char *paths_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}
