@testable import AssayTensor
import CBF16GEMM
import Foundation
import XCTest

/// `precision: bf16` products: hand-computed cases, the documented summation order, the same
/// bytes from the AVX512-BF16 kernel and the emulation, closeness to float32, and the ops that
/// use them giving the same bits on any worker count.
final class TensorPrecisionTests: XCTestCase {
    private func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, native: Bool, transA: Bool = false, transB: Bool = false,
                         accumulateOnto start: [Float]? = nil) -> [Float] {
        var c = start ?? [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    assay_bf16_gemm_using(native ? 1 : 0, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k),
                                          ap.baseAddress!, Int32(transA ? m : k), bp.baseAddress!, Int32(transB ? k : n),
                                          start == nil ? 0 : 1, cp.baseAddress!, Int32(n))
                }
            }
        }
        return c
    }

    private var native: Bool { TensorPrecision.bf16IsNative }

    func testOperandsRoundToNearestEvenBFloat16() {
        // 1 + 2⁻⁸ lies halfway between the bfloat16 neighbours 1 and 1 + 2⁻⁷: it rounds to even, 1.
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: it rounds to even, 1 + 2⁻⁶.
        for native in [false, native] {
            XCTAssertEqual(product([1 + 1.0 / 256], [1], m: 1, n: 1, k: 1, native: native), [1])
            XCTAssertEqual(product([1 + 3.0 / 256], [1], m: 1, n: 1, k: 1, native: native), [1 + 1.0 / 64])
            // Small integers are exact in bfloat16, so their products are exact: [1 2; 3 4] · [5 6; 7 8].
            XCTAssertEqual(product([1, 2, 3, 4], [5, 6, 7, 8], m: 2, n: 2, k: 2, native: native), [19, 22, 43, 50])
        }
    }

    /// Each k-pair adds its odd product, then its even one, pairs in order from k = 0:
    /// 0 + a₁b₁ (1) + a₀b₀ (1) + a₃b₃ (2²⁴) + a₂b₂ (0) = 2²⁴ + 2, where summing from the top of k
    /// would lose both ones (2²⁴ + 1 rounds to 2²⁴).
    func testSumsRunPairByPairOddMemberFirst() {
        for native in [false, native] {
            XCTAssertEqual(product([1, 1, 0, 16_777_216], [1, 1, 1, 1], m: 1, n: 1, k: 4, native: native), [16_777_218])
        }
    }

    func testAccumulatingStartsTheSumFromC() {
        for native in [false, native] {
            XCTAssertEqual(product([1, 2], [3, 4], m: 1, n: 1, k: 2, native: native, accumulateOnto: [0.5]), [11.5])
        }
    }

    /// The fast kernel's packers and tiles against the one-element-at-a-time emulation, over
    /// shapes with partial tiles, odd k, several k blocks and every transpose.
    func testKernelAndEmulationGiveTheSameBytes() throws {
        guard native else { throw XCTSkip("this CPU has no AVX512-BF16: only the emulation runs here") }
        let shapes = [(1, 1, 1), (5, 7, 3), (13, 33, 257), (64, 200, 576), (37, 45, 1023), (12, 32, 2), (130, 1100, 600)]
        for (i, (m, n, k)) in shapes.enumerated() {
            let a = randomTensor([m * k], seed: UInt64(10 + i)).data, b = randomTensor([k * n], seed: UInt64(50 + i)).data
            for (transA, transB) in [(false, false), (false, true), (true, false), (true, true)] {
                let fast = product(a, b, m: m, n: n, k: k, native: true, transA: transA, transB: transB)
                let emulated = product(a, b, m: m, n: n, k: k, native: false, transA: transA, transB: transB)
                XCTAssertEqual(fast.map(\.bitPattern), emulated.map(\.bitPattern), "\(m)×\(n)×\(k) transA \(transA) transB \(transB)")
            }
        }
    }

    /// Both operands rounded to 8 significant bits: each product is off by at most about 2⁻⁸ of
    /// |a||b|, so the sum is within 2⁻⁷ · Σ|a||b| of the float32 one (with float32's own error).
    func testProductsStayWithinBFloat16RoundingOfFloat32() {
        let (m, n, k) = (9, 40, 300)
        let a = randomTensor([m, k], seed: 3), b = randomTensor([k, n], seed: 4)
        let exact = matmul(a, b).data
        let rounded = TensorPrecision.withPrecision(.bf16) { matmul(a, b).data }
        for i in 0..<m {
            for j in 0..<n {
                var magnitude: Float = 0
                for p in 0..<k { magnitude += abs(a.data[i * k + p] * b.data[p * n + j]) }
                XCTAssertLessThanOrEqual(abs(rounded[i * n + j] - exact[i * n + j]), magnitude / 128, "element \(i), \(j)")
            }
        }
        XCTAssertNotEqual(rounded, exact, "bfloat16 products should differ from float32 somewhere")
    }

    func testBF16OpsGiveTheSameBitsOnAnyWorkerCount() {
        let x = randomTensor([5, 3, 9, 9], seed: 21), w = randomTensor([8, 3, 3, 3], seed: 22, std: 0.3), b = randomTensor([8], seed: 23)
        let fc = randomTensor([10, 8 * 81], seed: 24, std: 0.05), fb = randomTensor([10], seed: 25)
        let up = randomTensor([8, 2, 3, 3], seed: 26, std: 0.3)
        func run() -> [[Float]] {
            TensorPrecision.withPrecision(.bf16) {
                Autograd.withoutGradients {
                    let y = conv2d(x, weight: w, bias: b, padding: 1)
                    let z = linear(y.reshaped([5, 8 * 81]), weight: fc, bias: fb)
                    let t = convTranspose2d(y, weight: up, bias: nil, stride: 2)
                    return [y.data, z.data, t.data]
                }
            }
        }
        let reference = TensorThreads.withWorkers(1, run)
        for workers in [2, 3, 8] {
            let result = TensorThreads.withWorkers(workers, run)
            for (i, (r, o)) in zip(reference, result).enumerated() {
                XCTAssertEqual(r.map(\.bitPattern), o.map(\.bitPattern), "output \(i) differs between 1 and \(workers) workers")
            }
        }
        let fp32 = Autograd.withoutGradients { conv2d(x, weight: w, bias: b, padding: 1).data }
        XCTAssertNotEqual(reference[0], fp32, "the scope must reach the convolution's products")
        let worst = zip(reference[0], fp32).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 0.05, "3×3×3 dot products of unit-scale values stay close to float32")
    }
}
