/* proc.c - running helper programs.
 * Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later. */
#include "config.h"

#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int proc_is_executable(const char *path)
{
    return access(path, X_OK) == 0;
}

int proc_run(const char *const argv[], const char *as_user, struct strbuf *out)
{
    size_t n = 0;
    while (argv[n])
        n++;
    const char **full = xcalloc(n + 5, sizeof *full);
    size_t k = 0;
    if (as_user && geteuid() == 0) {
        full[k++] = "runuser";
        full[k++] = "-u";
        full[k++] = as_user;
        full[k++] = "--";
    }
    for (size_t i = 0; i < n; i++)
        full[k++] = argv[i];
    full[k] = NULL;

    int pfd[2] = {-1, -1};
    if (out && pipe2(pfd, O_CLOEXEC) != 0) {
        free(full);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        free(full);
        if (out) {
            close(pfd[0]);
            close(pfd[1]);
        }
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        if (out) {
            dup2(pfd[1], STDOUT_FILENO);
            dup2(pfd[1], STDERR_FILENO);
        } else {
            dup2(STDERR_FILENO, STDOUT_FILENO);
        }
        signal(SIGPIPE, SIG_DFL);
        execvp(full[0], (char *const *)full);
        /* The child owns a copy of the heap: free the vector so that a
         * leak checker watching the child (valgrind follows fork) sees
         * it clean when the program is missing. */
        free(full);
        _exit(127);
    }
    free(full);
    if (out) {
        close(pfd[1]);
        char buf[4096];
        for (;;) {
            ssize_t r = read(pfd[0], buf, sizeof buf);
            if (r > 0)
                sb_addn(out, buf, (size_t)r);
            else if (r == 0 || errno != EINTR)
                break;
        }
        close(pfd[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}
