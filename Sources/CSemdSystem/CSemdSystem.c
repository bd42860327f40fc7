// CSemdSystem: the few system calls Swift cannot call directly.
#include "CSemdSystem.h"
#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif
#ifdef __APPLE__
#include <stddef.h>
#include <sys/ucred.h>
_Static_assert(offsetof(struct xucred, cr_version) == offsetof(semd_local_peer_credentials, version), "xucred layout");
_Static_assert(offsetof(struct xucred, cr_uid) == offsetof(semd_local_peer_credentials, uid), "xucred layout");
_Static_assert(offsetof(struct xucred, cr_ngroups) == offsetof(semd_local_peer_credentials, group_count), "xucred layout");
_Static_assert(offsetof(struct xucred, cr_groups) == offsetof(semd_local_peer_credentials, groups), "xucred layout");
_Static_assert(sizeof(((struct xucred *)0)->cr_groups) == sizeof(((semd_local_peer_credentials *)0)->groups), "xucred groups");
#endif

int semd_set_io_priority(int io_class, int level) {
#if defined(__linux__) && defined(SYS_ioprio_set)
    const int who_process = 1;
    return (int)syscall(SYS_ioprio_set, who_process, 0, (io_class << 13) | level);
#else
    (void)io_class;
    (void)level;
    errno = ENOSYS;
    return -1;
#endif
}

int semd_set_thread_niceness(int niceness) {
#if defined(__linux__) && defined(SYS_gettid)
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), niceness);
#else
    (void)niceness;
    errno = ENOSYS;
    return -1;
#endif
}

int semd_thread_niceness(void) {
#if defined(__linux__) && defined(SYS_gettid)
    errno = 0;
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
#else
    return getpriority(PRIO_PROCESS, 0);
#endif
}

int semd_so_peercred(void) {
#if defined(__linux__) && defined(SO_PEERCRED)
    return SO_PEERCRED;
#else
    return -1;
#endif
}
