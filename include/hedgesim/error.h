/*
 * hs_error: errors as values.
 *
 * Every library function that can fail returns an hs_status and fills an hs_error
 * with one line of text (file:line, key, value and what was expected where those
 * are known).  Only the command's main() prints it and chooses the exit code, so
 * the library stays usable from tests and other programs (libuv's convention).
 */
#ifndef HEDGESIM_ERROR_H
#define HEDGESIM_ERROR_H

#include <stddef.h>

/* Status codes double as the command's exit codes (docs/architecture.md). */
typedef enum hs_status {
    HS_OK = 0,
    HS_ERUNTIME = 1, /* runtime or numerical failure: out of memory, I/O, NaN */
    HS_EINPUT = 2    /* bad input or usage: the message names what and where */
} hs_status;

#define HS_ERROR_LEN 1024

typedef struct hs_error {
    hs_status status;
    char msg[HS_ERROR_LEN];
} hs_error;

/* Fill err (if not NULL) with a printf-style message and return status. */
hs_status hs_error_set(hs_error *err, hs_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear err to HS_OK with an empty message. */
void hs_error_clear(hs_error *err);

#endif
