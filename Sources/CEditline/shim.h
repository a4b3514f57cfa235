#ifndef RUNBOOK_CEDITLINE_SHIM_H
#define RUNBOOK_CEDITLINE_SHIM_H
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
// Always libedit's readline emulation, never GNU readline's headers (both are installed; mixing them breaks).
#include <editline/readline.h>

// Accessors for libedit's globals: Swift 6 treats mutable C globals as unsafe shared state.
static inline void runbook_rl_set_catch_signals(int on) {
    rl_catch_signals = on;
    rl_catch_sigwinch = on;
}
// `runbook:` lines in ~/.editrc apply to runbook only.
static inline void runbook_rl_name_runbook(void) { rl_readline_name = "runbook"; }
static inline void runbook_rl_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}
static inline void runbook_rl_set_completion_over(int over) { rl_attempted_completion_over = over; }
static inline void runbook_rl_set_append_character(int character) { rl_completion_append_character = character; }
static inline const char *runbook_rl_line_buffer(void) { return rl_line_buffer; }
static inline int runbook_rl_point(void) { return rl_point; }
static inline int runbook_rl_end(void) { return rl_end; }
static inline FILE *runbook_stdout(void) { return stdout; }

// Signals that arrive while a line is being read. The handlers only set flags (async-signal-safe); the reader
// polls them between reads. They live here, in C, because a Swift closure is not safe to run in a signal handler.
// Keep every caller of these functions in one Swift file: a static inline function is emitted once per file.
static inline volatile sig_atomic_t *runbook_interrupt_flag(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline volatile sig_atomic_t *runbook_resize_flag(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline volatile sig_atomic_t *runbook_continue_flag(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline void runbook_on_continue(int signo) {
    (void)signo;
    *runbook_continue_flag() = 1;
}
static inline void runbook_on_interrupt(int signo) {
    (void)signo;
    *runbook_interrupt_flag() = 1;
}
static inline void runbook_on_resize(int signo) {
    (void)signo;
    *runbook_resize_flag() = 1;
}

/// The handlers the reader replaced, to put back when it stops reading (a running command's Ctrl-C must go to it).
struct runbook_saved_signals {
    struct sigaction interrupt;
    struct sigaction resize;
    struct sigaction resume;
};

/// Catches SIGINT, SIGWINCH and SIGCONT (after Ctrl-Z and `fg`) without SA_RESTART, so a blocked poll() returns
/// at once with EINTR.
static inline int runbook_catch_signals(struct runbook_saved_signals *saved) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = runbook_on_interrupt;
    *runbook_interrupt_flag() = 0;
    if (sigaction(SIGINT, &action, &saved->interrupt) != 0) return -1;
    action.sa_handler = runbook_on_resize;
    *runbook_resize_flag() = 0;
    if (sigaction(SIGWINCH, &action, &saved->resize) != 0) return -1;
    action.sa_handler = runbook_on_continue;
    *runbook_continue_flag() = 0;
    return sigaction(SIGCONT, &action, &saved->resume);
}

static inline void runbook_restore_signals(const struct runbook_saved_signals *saved) {
    sigaction(SIGINT, &saved->interrupt, NULL);
    sigaction(SIGWINCH, &saved->resize, NULL);
    sigaction(SIGCONT, &saved->resume, NULL);
}

/// Returns and clears the flag (1 when a Ctrl-C arrived since the last call).
static inline int runbook_take_interrupt(void) {
    int seen = *runbook_interrupt_flag();
    *runbook_interrupt_flag() = 0;
    return seen;
}

static inline int runbook_take_continue(void) {
    int seen = *runbook_continue_flag();
    *runbook_continue_flag() = 0;
    return seen;
}

static inline int runbook_take_resize(void) {
    int seen = *runbook_resize_flag();
    *runbook_resize_flag() = 0;
    return seen;
}

/// The terminal's size in columns and rows (0 when `fd` is not a terminal).
static inline int runbook_window_size(int fd, unsigned short *columns, unsigned short *rows) {
    struct winsize size;
    memset(&size, 0, sizeof size);
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *columns = size.ws_col;
    *rows = size.ws_row;
    return 0;
}
/// Makes the character type UTF-8 (libedit decodes typed text and the prompt by the locale; under the C locale it
/// shows `›` as octal escapes). Keeps the user's locale when it is already UTF-8. Returns 0 on success.
static inline int runbook_use_utf8_ctype(void) {
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0) return 0;
    if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) return 0;
    return setlocale(LC_CTYPE, "en_US.UTF-8") != NULL ? 0 : -1;
}
#endif
