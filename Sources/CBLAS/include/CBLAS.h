// OpenBLAS's CBLAS interface, loaded on first use (see LazyOpenBLAS.c).
#include <cblas.h>

/// Whether OpenBLAS is already loaded in this process (1) or not yet (0): commands that
/// multiply no matrix never load it.
int assay_blas_is_loaded(void);
