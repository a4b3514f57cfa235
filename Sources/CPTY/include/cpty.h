#ifndef RUNBOOK_CPTY_H
#define RUNBOOK_CPTY_H
#include <sys/types.h>

/// Spawns `argv` in a new session. When `slave_path` is non-NULL it is opened on fd 0 (becoming the
/// controlling terminal, since setsid runs first) and dup'ed to 1 and 2; otherwise fds 0/1/2 are
/// `stdin_fd`/`stdout_fd`/`stderr_fd`. All other descriptors are closed. Returns 0 or an errno value.
int cpty_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
               const char *slave_path, int stdin_fd, int stdout_fd, int stderr_fd);

/// Decodes a wait status: returns 1 and the exit code, 2 and the signal, or 0 when neither.
int cpty_decode_status(int status, int *value);
#endif
