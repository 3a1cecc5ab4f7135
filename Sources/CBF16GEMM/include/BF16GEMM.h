// A matrix product in bfloat16 with float32 accumulation (see BF16GEMM.c).
#ifndef ASSAY_BF16GEMM_H
#define ASSAY_BF16GEMM_H

/// 1 when this CPU has AVX512-BF16 and the fast kernel runs; 0 when the exact emulation runs.
int assay_bf16_native(void);

/// Row-major C[m×n] = op(A)·op(B) (+ C when `accumulate`), op(A) m×k and op(B) k×n, with
/// every input rounded to bfloat16 (nearest even) and the products summed in float32 as
/// VDPBF16PS sums them. The bytes depend only on the operands, not on the CPU or on who calls.
void assay_bf16_gemm(int trans_a, int trans_b, int m, int n, int k,
                     const float *a, int lda, const float *b, int ldb, int accumulate, float *c, int ldc);

/// The same product with the kernel chosen: native 1 needs `assay_bf16_native()`; 0 is the
/// emulation, for tests that hold the two to the same bytes.
void assay_bf16_gemm_using(int native, int trans_a, int trans_b, int m, int n, int k,
                           const float *a, int lda, const float *b, int ldb, int accumulate, float *c, int ldc);

#endif
