// The few OpenBLAS entry points Assay calls, resolved from libopenblas.so.0 on first use.
//
// Linking OpenBLAS made every process pay for it at start-up, `assay --version` included:
// ~14,000 symbol relocations and the worker threads its constructor starts. Most commands
// (check, plan, status, a no-op run) multiply no matrix, so the library is opened only when
// a stage first computes. Each function below has the prototype of <cblas.h> and forwards
// to the library's own.
#include "CBLAS.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

// Debian's libopenblas0-pthread (or -openmp, -serial) provides this soname through alternatives.
static const char *const library_name = "libopenblas.so.0";

typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const float, const float *, const blasint,
                         const float *, const blasint, const float, float *, const blasint);
typedef void (*dgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE,
                         const blasint, const blasint, const blasint, const double, const double *, const blasint,
                         const double *, const blasint, const double, double *, const blasint);
typedef void (*sgemv_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const blasint, const blasint,
                         const float, const float *, const blasint, const float *, const blasint, const float,
                         float *, const blasint);
typedef void (*dgemv_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const blasint, const blasint,
                         const double, const double *, const blasint, const double *, const blasint, const double,
                         double *, const blasint);
typedef void (*set_threads_fn)(int);
typedef char *(*describe_fn)(void);
typedef int (*shutdown_fn)(void);

static struct {
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    sgemv_fn sgemv;
    dgemv_fn dgemv;
    set_threads_fn set_num_threads;
    describe_fn get_config;
    describe_fn get_corename;
} blas;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static volatile int loaded = 0;

// A missing library cannot be reported to a caller in the middle of a matrix product, so
// the process stops with a message that says how to fix it.
static void fail(const char *what) {
    fprintf(stderr,
            "error: cannot use OpenBLAS: %s\n"
            "  = help: install it (Debian/Ubuntu: apt-get install libopenblas0-pthread) and rerun; "
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
    blas.sgemm = (sgemm_fn)resolve(handle, "cblas_sgemm");
    blas.dgemm = (dgemm_fn)resolve(handle, "cblas_dgemm");
    blas.sgemv = (sgemv_fn)resolve(handle, "cblas_sgemv");
    blas.dgemv = (dgemv_fn)resolve(handle, "cblas_dgemv");
    blas.set_num_threads = (set_threads_fn)resolve(handle, "openblas_set_num_threads");
    blas.get_config = (describe_fn)resolve(handle, "openblas_get_config");
    blas.get_corename = (describe_fn)resolve(handle, "openblas_get_corename");
    // Assay runs OpenBLAS on one thread (TensorThreads): the workers its constructor started
    // would only spin on sched_yield. OpenBLAS starts them again if more threads are asked for.
    shutdown_fn shutdown = (shutdown_fn)dlsym(handle, "blas_thread_shutdown_");
    if (shutdown != NULL) shutdown();
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

static inline void ensure_loaded(void) {
    if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE)) pthread_once(&load_once, load);
}

int assay_blas_is_loaded(void) { return __atomic_load_n(&loaded, __ATOMIC_ACQUIRE); }

void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M, OPENBLAS_CONST blasint N,
                 OPENBLAS_CONST blasint K, OPENBLAS_CONST float alpha, OPENBLAS_CONST float *A,
                 OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *B, OPENBLAS_CONST blasint ldb,
                 OPENBLAS_CONST float beta, float *C, OPENBLAS_CONST blasint ldc) {
    ensure_loaded();
    blas.sgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void cblas_dgemm(OPENBLAS_CONST enum CBLAS_ORDER Order, OPENBLAS_CONST enum CBLAS_TRANSPOSE TransA,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE TransB, OPENBLAS_CONST blasint M, OPENBLAS_CONST blasint N,
                 OPENBLAS_CONST blasint K, OPENBLAS_CONST double alpha, OPENBLAS_CONST double *A,
                 OPENBLAS_CONST blasint lda, OPENBLAS_CONST double *B, OPENBLAS_CONST blasint ldb,
                 OPENBLAS_CONST double beta, double *C, OPENBLAS_CONST blasint ldc) {
    ensure_loaded();
    blas.dgemm(Order, TransA, TransB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void cblas_sgemv(OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
                 OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n, OPENBLAS_CONST float alpha,
                 OPENBLAS_CONST float *a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float *x,
                 OPENBLAS_CONST blasint incx, OPENBLAS_CONST float beta, float *y, OPENBLAS_CONST blasint incy) {
    ensure_loaded();
    blas.sgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void cblas_dgemv(OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans,
                 OPENBLAS_CONST blasint m, OPENBLAS_CONST blasint n, OPENBLAS_CONST double alpha,
                 OPENBLAS_CONST double *a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST double *x,
                 OPENBLAS_CONST blasint incx, OPENBLAS_CONST double beta, double *y, OPENBLAS_CONST blasint incy) {
    ensure_loaded();
    blas.dgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

void openblas_set_num_threads(int num_threads) {
    ensure_loaded();
    blas.set_num_threads(num_threads);
}

char *openblas_get_config(void) {
    ensure_loaded();
    return blas.get_config();
}

char *openblas_get_corename(void) {
    ensure_loaded();
    return blas.get_corename();
}
