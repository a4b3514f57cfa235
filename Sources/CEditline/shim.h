#ifndef RUNBOOK_CEDITLINE_SHIM_H
#define RUNBOOK_CEDITLINE_SHIM_H
#include <stdio.h>
// Always libedit's readline emulation, never GNU readline's headers (both are installed; mixing them breaks).
#include <editline/readline.h>
#endif
