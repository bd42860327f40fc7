// CSemdSystem: the few system calls Swift cannot call directly (variadic syscall()).
#ifndef SEMD_CSEMDSYSTEM_H
#define SEMD_CSEMDSYSTEM_H

/// Sets this process's I/O scheduling class and level (Linux ioprio_set; class 2 = best-effort,
/// level 0..7). Returns 0 on success, -1 with errno set otherwise (always -1 elsewhere).
int semd_set_io_priority(int io_class, int level);

#endif
