/*
 * How much memory a run may use (memlimit.c): the machine's available memory or the
 * user's --max-memory, sizes as the user writes them (512M, 8G) and as messages print
 * them (12.3 GiB).
 */
#ifndef HEDGESIM_CLI_MEMLIMIT_H
#define HEDGESIM_CLI_MEMLIMIT_H

#include <stddef.h>

/* "123", "1.5G", "512M", "8GiB", "64k": bytes, K/M/G/T are powers of 1024 (case and a
 * trailing B or iB ignored).  Returns 0 and the size, or -1 for anything else. */
int hs_cli_parse_size(const char *text, size_t *out);

/* The memory a run may take now, in bytes, and in *source where the number comes from
 * (for messages): the smaller of MemAvailable (/proc/meminfo) and the room left under
 * the cgroup's memory.max; physical RAM (sysconf) where /proc is missing; SIZE_MAX when
 * nothing can be read. */
size_t hs_cli_memory_available(const char **source);

/* bytes as "512 B", "12.3 KiB", "7.5 MiB", "101 GiB", into buf. */
const char *hs_cli_bytes_str(double bytes, char *buf, size_t len);

#endif
