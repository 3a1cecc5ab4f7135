// The oneDNN entry points Assay calls, resolved from libdnnl.so.2 on the first convolution.
//
// Linking oneDNN made every process load it and what it needs (libstdc++, libgomp, libOpenCL)
// at start-up, `assay --version` included; most commands convolve nothing. Each function below
// has the prototype of <oneapi/dnnl/dnnl.h> and forwards to the library's own. A function the
// code starts to use is added to DNNL_FUNCTIONS and given a forwarder here.

// Hidden: the executable must not export these names, or libdnnl's calls to its own API (it
// makes many) would bind to the forwarders instead of to itself.
#pragma GCC visibility push(hidden)
#include "CDNNL.h"
#pragma GCC visibility pop

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Debian's libdnnl2 (2.x C API: *_desc_init, then dnnl_primitive_desc_create).
static const char *const library_name = "libdnnl.so.2";

#define DNNL_FUNCTIONS(X)                                 \
    X(dnnl_engine_create)                                 \
    X(dnnl_engine_destroy)                                \
    X(dnnl_stream_create)                                 \
    X(dnnl_stream_destroy)                                \
    X(dnnl_stream_wait)                                   \
    X(dnnl_memory_desc_init_by_tag)                       \
    X(dnnl_memory_desc_init_by_strides)                   \
    X(dnnl_memory_desc_equal)                             \
    X(dnnl_memory_desc_get_size)                          \
    X(dnnl_memory_create)                                 \
    X(dnnl_memory_destroy)                                \
    X(dnnl_memory_get_data_handle)                        \
    X(dnnl_memory_set_data_handle)                        \
    X(dnnl_primitive_attr_create)                         \
    X(dnnl_primitive_attr_destroy)                        \
    X(dnnl_primitive_attr_set_scratchpad_mode)            \
    X(dnnl_dilated_convolution_forward_desc_init)         \
    X(dnnl_dilated_convolution_backward_data_desc_init)   \
    X(dnnl_dilated_convolution_backward_weights_desc_init) \
    X(dnnl_primitive_desc_create)                         \
    X(dnnl_primitive_desc_destroy)                        \
    X(dnnl_primitive_desc_query)                          \
    X(dnnl_primitive_desc_query_md)                       \
    X(dnnl_reorder_primitive_desc_create)                 \
    X(dnnl_primitive_create)                              \
    X(dnnl_primitive_destroy)                             \
    X(dnnl_primitive_execute)                             \
    X(dnnl_version)

// One pointer per function, typed by the header's own prototype.
static struct {
#define DECLARE(name) __typeof__(name) *name;
    DNNL_FUNCTIONS(DECLARE)
#undef DECLARE
} dnnl;
static void (*omp_set_num_threads_in_dnnl)(int);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static volatile int loaded = 0;

// A missing library cannot be reported to a caller in the middle of a convolution, so the
// process stops with a message that says how to fix it (as for OpenBLAS).
static void fail(const char *what) {
    fprintf(stderr,
            "error: cannot use oneDNN: %s\n"
            "  = help: install it (Debian/Ubuntu: apt-get install libdnnl2) and rerun; "
            "cached stages are kept\n",
            what);
    exit(1);
}

static void *resolve(void *handle, const char *symbol) {
    void *address = dlsym(handle, symbol);
    if (address == NULL) {
        char message[256];
        snprintf(message, sizeof message, "%s has no `%s`", library_name, symbol);
        fail(message);
    }
    return address;
}

static void load(void) {
    void *handle = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        fail(reason != NULL ? reason : library_name);
    }
#define RESOLVE(name) dnnl.name = (__typeof__(name) *)resolve(handle, #name);
    DNNL_FUNCTIONS(RESOLVE)
#undef RESOLVE
    // Found in libdnnl's dependencies (its libgomp), as dlsym searches them too.
    omp_set_num_threads_in_dnnl = (void (*)(int))resolve(handle, "omp_set_num_threads");
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

static inline void ensure_loaded(void) {
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) pthread_once(&load_once, load);
}

int assay_dnnl_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

void assay_omp_set_num_threads(int count) {
    ensure_loaded();
    omp_set_num_threads_in_dnnl(count);
}

dnnl_status_t dnnl_engine_create(dnnl_engine_t *engine, dnnl_engine_kind_t kind, size_t index) {
    ensure_loaded();
    return dnnl.dnnl_engine_create(engine, kind, index);
}

dnnl_status_t dnnl_engine_destroy(dnnl_engine_t engine) {
    ensure_loaded();
    return dnnl.dnnl_engine_destroy(engine);
}

dnnl_status_t dnnl_stream_create(dnnl_stream_t *stream, dnnl_engine_t engine, unsigned flags) {
    ensure_loaded();
    return dnnl.dnnl_stream_create(stream, engine, flags);
}

dnnl_status_t dnnl_stream_destroy(dnnl_stream_t stream) {
    ensure_loaded();
    return dnnl.dnnl_stream_destroy(stream);
}

dnnl_status_t dnnl_stream_wait(dnnl_stream_t stream) {
    ensure_loaded();
    return dnnl.dnnl_stream_wait(stream);
}

dnnl_status_t dnnl_memory_desc_init_by_tag(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims,
                                           dnnl_data_type_t data_type, dnnl_format_tag_t tag) {
    ensure_loaded();
    return dnnl.dnnl_memory_desc_init_by_tag(memory_desc, ndims, dims, data_type, tag);
}

dnnl_status_t dnnl_memory_desc_init_by_strides(dnnl_memory_desc_t *memory_desc, int ndims, const dnnl_dims_t dims,
                                               dnnl_data_type_t data_type, const dnnl_dims_t strides) {
    ensure_loaded();
    return dnnl.dnnl_memory_desc_init_by_strides(memory_desc, ndims, dims, data_type, strides);
}

int dnnl_memory_desc_equal(const dnnl_memory_desc_t *lhs, const dnnl_memory_desc_t *rhs) {
    ensure_loaded();
    return dnnl.dnnl_memory_desc_equal(lhs, rhs);
}

size_t dnnl_memory_desc_get_size(const dnnl_memory_desc_t *memory_desc) {
    ensure_loaded();
    return dnnl.dnnl_memory_desc_get_size(memory_desc);
}

dnnl_status_t dnnl_memory_create(dnnl_memory_t *memory, const dnnl_memory_desc_t *memory_desc, dnnl_engine_t engine,
                                 void *handle) {
    ensure_loaded();
    return dnnl.dnnl_memory_create(memory, memory_desc, engine, handle);
}

dnnl_status_t dnnl_memory_destroy(dnnl_memory_t memory) {
    ensure_loaded();
    return dnnl.dnnl_memory_destroy(memory);
}

dnnl_status_t dnnl_memory_get_data_handle(const_dnnl_memory_t memory, void **handle) {
    ensure_loaded();
    return dnnl.dnnl_memory_get_data_handle(memory, handle);
}

dnnl_status_t dnnl_memory_set_data_handle(dnnl_memory_t memory, void *handle) {
    ensure_loaded();
    return dnnl.dnnl_memory_set_data_handle(memory, handle);
}

dnnl_status_t dnnl_primitive_attr_create(dnnl_primitive_attr_t *attr) {
    ensure_loaded();
    return dnnl.dnnl_primitive_attr_create(attr);
}

dnnl_status_t dnnl_primitive_attr_destroy(dnnl_primitive_attr_t attr) {
    ensure_loaded();
    return dnnl.dnnl_primitive_attr_destroy(attr);
}

dnnl_status_t dnnl_primitive_attr_set_scratchpad_mode(dnnl_primitive_attr_t attr, dnnl_scratchpad_mode_t mode) {
    ensure_loaded();
    return dnnl.dnnl_primitive_attr_set_scratchpad_mode(attr, mode);
}

dnnl_status_t dnnl_dilated_convolution_forward_desc_init(
    dnnl_convolution_desc_t *conv_desc, dnnl_prop_kind_t prop_kind, dnnl_alg_kind_t alg_kind,
    const dnnl_memory_desc_t *src_desc, const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *bias_desc,
    const dnnl_memory_desc_t *dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates,
    const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    ensure_loaded();
    return dnnl.dnnl_dilated_convolution_forward_desc_init(conv_desc, prop_kind, alg_kind, src_desc, weights_desc,
                                                           bias_desc, dst_desc, strides, dilates, padding_l, padding_r);
}

dnnl_status_t dnnl_dilated_convolution_backward_data_desc_init(
    dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *diff_src_desc,
    const dnnl_memory_desc_t *weights_desc, const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides,
    const dnnl_dims_t dilates, const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    ensure_loaded();
    return dnnl.dnnl_dilated_convolution_backward_data_desc_init(conv_desc, alg_kind, diff_src_desc, weights_desc,
                                                                 diff_dst_desc, strides, dilates, padding_l, padding_r);
}

dnnl_status_t dnnl_dilated_convolution_backward_weights_desc_init(
    dnnl_convolution_desc_t *conv_desc, dnnl_alg_kind_t alg_kind, const dnnl_memory_desc_t *src_desc,
    const dnnl_memory_desc_t *diff_weights_desc, const dnnl_memory_desc_t *diff_bias_desc,
    const dnnl_memory_desc_t *diff_dst_desc, const dnnl_dims_t strides, const dnnl_dims_t dilates,
    const dnnl_dims_t padding_l, const dnnl_dims_t padding_r) {
    ensure_loaded();
    return dnnl.dnnl_dilated_convolution_backward_weights_desc_init(conv_desc, alg_kind, src_desc, diff_weights_desc,
                                                                    diff_bias_desc, diff_dst_desc, strides, dilates,
                                                                    padding_l, padding_r);
}

dnnl_status_t dnnl_primitive_desc_create(dnnl_primitive_desc_t *primitive_desc, const_dnnl_op_desc_t op_desc,
                                         const_dnnl_primitive_attr_t attr, dnnl_engine_t engine,
                                         const_dnnl_primitive_desc_t hint_forward_primitive_desc) {
    ensure_loaded();
    return dnnl.dnnl_primitive_desc_create(primitive_desc, op_desc, attr, engine, hint_forward_primitive_desc);
}

dnnl_status_t dnnl_primitive_desc_destroy(dnnl_primitive_desc_t primitive_desc) {
    ensure_loaded();
    return dnnl.dnnl_primitive_desc_destroy(primitive_desc);
}

dnnl_status_t dnnl_primitive_desc_query(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what, int index,
                                        void *result) {
    ensure_loaded();
    return dnnl.dnnl_primitive_desc_query(primitive_desc, what, index, result);
}

const dnnl_memory_desc_t *dnnl_primitive_desc_query_md(const_dnnl_primitive_desc_t primitive_desc, dnnl_query_t what,
                                                       int index) {
    ensure_loaded();
    return dnnl.dnnl_primitive_desc_query_md(primitive_desc, what, index);
}

dnnl_status_t dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *reorder_primitive_desc,
                                                 const dnnl_memory_desc_t *src_desc, dnnl_engine_t src_engine,
                                                 const dnnl_memory_desc_t *dst_desc, dnnl_engine_t dst_engine,
                                                 const_dnnl_primitive_attr_t attr) {
    ensure_loaded();
    return dnnl.dnnl_reorder_primitive_desc_create(reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine,
                                                   attr);
}

dnnl_status_t dnnl_primitive_create(dnnl_primitive_t *primitive, const_dnnl_primitive_desc_t primitive_desc) {
    ensure_loaded();
    return dnnl.dnnl_primitive_create(primitive, primitive_desc);
}

dnnl_status_t dnnl_primitive_destroy(dnnl_primitive_t primitive) {
    ensure_loaded();
    return dnnl.dnnl_primitive_destroy(primitive);
}

dnnl_status_t dnnl_primitive_execute(const_dnnl_primitive_t primitive, dnnl_stream_t stream, int nargs,
                                     const dnnl_exec_arg_t *args) {
    ensure_loaded();
    return dnnl.dnnl_primitive_execute(primitive, stream, nargs, args);
}

const dnnl_version_t *dnnl_version(void) {
    ensure_loaded();
    return dnnl.dnnl_version();
}
