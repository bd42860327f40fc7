// CSemdSystem: the few system calls Swift cannot call directly (variadic syscall()).
#ifndef SEMD_CSEMDSYSTEM_H
#define SEMD_CSEMDSYSTEM_H

#include <stdint.h>

/// The layout of Linux's `struct ucred` (SO_PEERCRED), which glibc declares only under _GNU_SOURCE:
/// the peer's process id, user id and group id as they were when it connected.
typedef struct {
    int32_t pid;
    uint32_t uid;
    uint32_t gid;
} semd_peer_credentials;

/// The SO_PEERCRED option name (Linux), or -1 where there is none.
int semd_so_peercred(void);

/// The leading fields of macOS's `struct xucred`, which getsockopt(SOL_LOCAL, LOCAL_PEERCRED) fills
/// (the kernel copies as many bytes as asked for): layout version, effective uid, group count and the
/// 16 groups. A plain copy of its prefix, because `struct xucred` ends in a union holding a pointer,
/// which Swift cannot pass between threads; CSemdSystem.c checks the offsets against Apple's header
/// when built on macOS. Unused on Linux. (macOS is untested: README, Platforms.)
typedef struct {
    uint32_t version;
    uint32_t uid;
    int16_t group_count;
    uint32_t groups[16];
} semd_local_peer_credentials;

/// Sets this process's I/O scheduling class and level (Linux ioprio_set; class 2 = best-effort,
/// level 0..7). Returns 0 on success, -1 with errno set otherwise (always -1 elsewhere).
int semd_set_io_priority(int io_class, int level);

/// Sets the calling thread's niceness (Linux: threads are scheduled apart, so this leaves the
/// process's other threads alone; raising niceness needs no privilege). Returns 0 on success, -1
/// with errno set otherwise (always -1 elsewhere).
int semd_set_thread_niceness(int niceness);

/// The calling thread's niceness (Linux; the process's elsewhere).
int semd_thread_niceness(void);

#endif
