/* spawn.c - starting a pantrycrm subcommand detached from the console.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "spawn.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool spawn_detached(const char *state_path, const char *log_suffix, const char *conninfo,
                    const char *const *args, char **err)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        *err = xstrdup("cannot find the pantrycrm program to start");
        return false;
    }
    exe[n] = '\0';
    /* Open the log here, not in the child, so that a failure is reported
     * in the console instead of dying unseen. */
    char *log = xasprintf("%s%s", state_path, log_suffix);
    char *dir = xstrdup(state_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (slash && paths_mkdir_p(dir, 0700) != 0) {
        *err = xasprintf("cannot create %s: %s", dir, strerror(errno));
        free(dir);
        free(log);
        return false;
    }
    free(dir);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out < 0) {
        *err = xasprintf("cannot open %s: %s", log, strerror(errno));
        free(log);
        return false;
    }
    size_t nargs = 0;
    while (args[nargs])
        nargs++;
    const char **argv = xcalloc(nargs + 4, sizeof *argv);
    size_t k = 0;
    argv[k++] = "pantrycrm";
    if (conninfo) {
        argv[k++] = "-d";
        argv[k++] = conninfo;
    }
    for (size_t i = 0; i < nargs; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    /* A close-on-exec pipe tells whether the exec happened: it closes
     * unread when it did, and carries errno when a fork or exec failed. */
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *err = xasprintf("cannot start %s: %s", args[0], strerror(errno));
        close(out);
        free(log);
        free(argv);
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        *err = xasprintf("cannot start %s: %s", args[0], strerror(errno));
        close(report[0]);
        close(report[1]);
        close(out);
        free(log);
        free(argv);
        return false;
    }
    if (pid == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0) {
            int e = errno;
            if (grandchild < 0 && write(report[1], &e, sizeof e) < 0)
                _exit(1);
            _exit(grandchild < 0);
        }
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0) {
            dup2(in, STDIN_FILENO);
            dup2(out, STDOUT_FILENO);
            dup2(out, STDERR_FILENO);
            /* Never share the console's database socket or terminal; the
             * report pipe closes itself at the exec. */
            for (int fd = 3; fd < 1024; fd++)
                if (fd != report[1])
                    close(fd);
            execv(exe, (char *const *)argv);
        }
        int e = errno;
        if (write(report[1], &e, sizeof e) < 0)
            _exit(127);
        _exit(127);
    }
    close(report[1]);
    close(out);
    int status;
    waitpid(pid, &status, 0);
    int child_errno = 0;
    ssize_t got;
    do
        got = read(report[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(report[0]);
    bool ok = got == 0;
    if (!ok)
        *err = xasprintf("cannot start %s: %s", args[0],
                         got == (ssize_t)sizeof child_errno ? strerror(child_errno)
                                                             : "the child failed");
    free(log);
    free(argv);
    return ok;
}
