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

/// A pollable descriptor that becomes readable when `pid` exits (pidfd_open), or -1 with errno set.
int cpty_pidfd_open(pid_t pid);

/// Installs a handler for `signo` that writes the signal number as one byte to `fd` (a non-blocking pipe),
/// saving the previous action in `previous`. All watched signals share the one `fd`. Returns 0 or -1.
int cpty_watch_signal(int signo, int fd, void *previous);

/// Puts back the action saved by `cpty_watch_signal`. Returns 0 or -1.
int cpty_restore_signal(int signo, const void *previous);

/// Size of the opaque buffer `cpty_watch_signal` needs for the previous action.
unsigned long cpty_sigaction_size(void);
#endif
