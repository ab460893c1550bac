/*
 * The memory a run may use (memlimit.h).
 *
 * Why MemAvailable and not the physical RAM: every byte of a run's results is written
 * (and its P&L sorted), so it must be resident at once.  Memory that other programs
 * hold and the kernel cannot reclaim is not there to take; MemAvailable is the kernel's
 * own estimate of what can be allocated without swapping (page cache and reclaimable
 * slabs included, Linux >= 3.14).  A run above it swaps (a radix sort over swapped
 * arrays crawls) or meets the OOM killer.  In a container /proc/meminfo shows the host,
 * so the room under the cgroup's limit (v2 memory.max - memory.current, or v1
 * memory.limit_in_bytes - memory.usage_in_bytes) caps it.  A user who knows better
 * (swap, memory about to be freed) gives --max-memory, which replaces this limit.
 */
#define _POSIX_C_SOURCE 200809L
#include "memlimit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int hs_cli_parse_size(const char *text, size_t *out)
{
    const char *p = text;
    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    errno = 0;
    double v = strtod(text, NULL); /* the digits just checked, nothing else */
    if (errno)
        return -1;
    double unit = 1;
    if (*p) {
        const char *units = "KMGT";
        const char *u = strchr(units, toupper((unsigned char)*p));
        if (!u)
            return -1;
        unit = pow(1024.0, (double)(u - units + 1));
        p++;
        if (!strcasecmp(p, "iB") || !strcasecmp(p, "B"))
            p += strlen(p);
    }
    if (*p)
        return -1;
    v *= unit;
    if (!(v < 18446744073709551615.0) || v > (double)SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A number of bytes from a one-line file, or -1 (missing, "max", unreadable). */
static double read_bytes(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char line[64];
    double v = -1;
    if (fgets(line, sizeof line, fp) && isdigit((unsigned char)line[0]))
        v = strtod(line, NULL);
    fclose(fp);
    return v;
}

/* Room left under the cgroup's limit, or -1 when there is no limit. */
static double cgroup_room(void)
{
    double max = read_bytes("/sys/fs/cgroup/memory.max");
    double cur = read_bytes("/sys/fs/cgroup/memory.current");
    if (max < 0) {
        max = read_bytes("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        cur = read_bytes("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }
    /* v1 says "no limit" with a huge number (PAGE_COUNTER_MAX pages). */
    if (max < 0 || max > 1e18)
        return -1;
    return cur > 0 && cur < max ? max - cur : max;
}

size_t hs_cli_memory_available(const char **source)
{
    double avail = -1;
    FILE *fp = fopen("/proc/meminfo", "r");
    if (fp) {
        char line[128];
        while (fgets(line, sizeof line, fp))
            if (!strncmp(line, "MemAvailable:", 13)) {
                avail = strtod(line + 13, NULL) * 1024.0; /* the file says kB */
                break;
            }
        fclose(fp);
    }
    *source = "MemAvailable in /proc/meminfo";
    if (avail < 0) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
        if (pages > 0 && page > 0) {
            avail = (double)pages * (double)page;
            *source = "physical memory";
        }
    }
    double room = cgroup_room();
    if (room >= 0 && (avail < 0 || room < avail)) {
        avail = room;
        *source = "the room under this cgroup's memory limit";
    }
    if (avail < 0) {
        *source = "unknown";
        return SIZE_MAX;
    }
    return avail >= (double)SIZE_MAX ? SIZE_MAX : (size_t)avail;
}

const char *hs_cli_bytes_str(double bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    size_t u = 0;
    while (bytes >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0f B", bytes);
    else
        snprintf(buf, len, bytes < 100 ? "%.3g %s" : "%.0f %s", bytes, units[u]);
    return buf;
}
