#define _GNU_SOURCE
#include "cpty.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int cpty_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
               const char *slave_path, int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    sigset_t none, all;
    int rc;
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (slave_path) {
        posix_spawn_file_actions_addopen(&actions, 0, slave_path, O_RDWR, 0);
        posix_spawn_file_actions_adddup2(&actions, 0, 1);
        posix_spawn_file_actions_adddup2(&actions, 0, 2);
    } else {
        posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
        posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    }
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

int cpty_decode_status(int status, int *value) {
    if (WIFEXITED(status)) { *value = WEXITSTATUS(status); return 1; }
    if (WIFSIGNALED(status)) { *value = WTERMSIG(status); return 2; }
    return 0;
}

int cpty_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

// The handler may only do async-signal-safe work: one write(2) to the self-pipe the poll loop watches.
static volatile sig_atomic_t cpty_signal_fd = -1;

static void cpty_note_signal(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (cpty_signal_fd >= 0) (void)!write(cpty_signal_fd, &byte, 1);
    errno = saved;
}

int cpty_watch_signal(int signo, int fd, void *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = cpty_note_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    cpty_signal_fd = fd;
    return sigaction(signo, &action, (struct sigaction *)previous);
}

int cpty_restore_signal(int signo, const void *previous) {
    return sigaction(signo, (const struct sigaction *)previous, NULL);
}

unsigned long cpty_sigaction_size(void) { return sizeof(struct sigaction); }
