/*
 * prio.c - background threads below the render thread (see prio.h).
 */
#include "base/prio.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int prio_background(void)
{
    id_t tid = (id_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && now >= PRIO_BACKGROUND_NICE)
        return 0; /* already there (a pool thread's later jobs) */
    return setpriority(PRIO_PROCESS, tid, PRIO_BACKGROUND_NICE) == 0 ? 0 : -errno;
}
