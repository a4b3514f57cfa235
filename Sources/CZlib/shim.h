#ifndef RUNBOOK_CZLIB_SHIM_H
#define RUNBOOK_CZLIB_SHIM_H
#include <zlib.h>
#endif
