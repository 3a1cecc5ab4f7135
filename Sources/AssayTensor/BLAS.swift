import CBF16GEMM
import CBLAS

/// Row-major single-precision GEMM: `C = alpha · op(A) · op(B) + beta · C`,
/// with `op(A)` of shape m×k and `op(B)` k×n. A thin wrapper so ops read as maths.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
           alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
           b: UnsafePointer<Float>, ldb: Int,
           beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // BLAS skips the product; honour beta explicitly.
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
        return
    }
    TensorThreads.ensureConfigured()
    if GEMMCounter.enabled { GEMMCounter.add(2 * m * n * k) }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// A forward pass's product, in the op's `precision` (read by the op on entry, see
/// ``TensorPrecision``): float32 BLAS, or bfloat16 operands with float32 sums. `beta` is 0 or 1.
@inline(__always)
func forwardGEMM(_ precision: TensorPrecision, transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard precision == .bf16 else {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    precondition(beta == 0 || beta == 1, "forwardGEMM: bfloat16 products take beta 0 or 1, got \(beta)")
    guard m > 0, n > 0 else { return }
    if GEMMCounter.enabled { GEMMCounter.add(2 * m * n * k) }
    assay_bf16_gemm(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), beta == 1 ? 1 : 0, c, Int32(ldc))
}

/// Public access to the linked BLAS for benchmarks: C[m×n] = A[m×k] · B[k×n].
public enum BLASKernel {
    public static func multiply(_ a: [Float], _ b: [Float], into c: inout [Float], m: Int, n: Int, k: Int) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                }
            }
        }
    }
}
