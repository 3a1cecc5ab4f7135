// oneDNN's C API, loaded on the first convolution (see LazyDNNL.c).
#include <oneapi/dnnl/dnnl.h>

/// Whether oneDNN is already loaded in this process (1) or not yet (0): commands that
/// convolve nothing never load it.
int assay_dnnl_is_loaded(void);

/// libgomp's omp_set_num_threads, from the OpenMP runtime libdnnl.so.2 loads (opening it if needed):
/// Debian ships no unversioned libgomp.so to link against.
void assay_omp_set_num_threads(int count);
