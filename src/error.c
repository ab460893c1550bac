/*
 * hs_error: one-line error messages carried as values (see error.h).
 */
#include "hedgesim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

hs_status hs_error_set(hs_error *err, hs_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* A message is one line: fold any newline a caller's value smuggled in. */
        for (char *c = err->msg; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        err->status = status;
    }
    return status;
}

void hs_error_clear(hs_error *err)
{
    if (err) {
        err->status = HS_OK;
        err->msg[0] = '\0';
    }
}
