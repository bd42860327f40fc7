// CBLAS: the OpenBLAS C interface, as SemanticCore sees it.
// The include path comes from pkg-config (`openblas`), which points at the
// threading variant Debian installs (openblas-pthread).
#ifndef SEMD_CBLAS_SHIM_H
#define SEMD_CBLAS_SHIM_H
#include <cblas.h>
#endif
