/// Vector kernels over a single-precision data column and double-precision
/// per-example vectors, accumulating in Double.
///
/// The logistic solvers stream the feature matrix once per coordinate sweep;
/// keeping it in Float (the precision the features arrive in) halves that
/// traffic, while every sum runs in Double. Loops are written over SIMD4 lanes
/// with a fixed lane order, so results are deterministic.
enum MixedPrecisionKernels {
    @inline(__always)
    private static func load4(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Double> {
        SIMD4<Double>(UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self))
    }

    @inline(__always)
    private static func load4(_ p: UnsafePointer<Double>, _ i: Int) -> SIMD4<Double> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Double>.self)
    }

    /// `Σᵢ xᵢ aᵢ`.
    static func dot(_ x: UnsafePointer<Float>, _ a: UnsafePointer<Double>, count n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var i = 0
        while i + 8 <= n {
            s0 += load4(x, i) * load4(a, i)
            s1 += load4(x, i + 4) * load4(a, i + 4)
            i += 8
        }
        var sum = (s0 + s1).sum()
        while i < n { sum += Double(x[i]) * a[i]; i += 1 }
        return sum
    }

    /// `(Σᵢ xᵢ aᵢ, Σᵢ xᵢ² bᵢ)` in one pass over x.
    static func dotAndWeightedSquares(_ x: UnsafePointer<Float>, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                                      count n: Int) -> (Double, Double) {
        var s = SIMD4<Double>(), q = SIMD4<Double>()
        var i = 0
        while i + 4 <= n {
            let v = load4(x, i)
            s += v * load4(a, i)
            q += v * v * load4(b, i)
            i += 4
        }
        var first = s.sum(), second = q.sum()
        while i < n {
            let v = Double(x[i])
            first += v * a[i]
            second += v * v * b[i]
            i += 1
        }
        return (first, second)
    }

    /// `yᵢ += α xᵢ`.
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        var i = 0
        let a = SIMD4<Double>(repeating: alpha)
        while i + 4 <= n {
            let updated = load4(UnsafePointer(y), i) + a * load4(x, i)
            UnsafeMutableRawPointer(y + i).storeBytes(of: updated, as: SIMD4<Double>.self)
            i += 4
        }
        while i < n { y[i] += alpha * Double(x[i]); i += 1 }
    }

    /// `wᵢ += α cᵢ xᵢ`.
    static func axpyWeighted(_ alpha: Double, _ x: UnsafePointer<Float>, _ c: UnsafePointer<Double>,
                             _ w: UnsafeMutablePointer<Double>, count n: Int) {
        var i = 0
        let a = SIMD4<Double>(repeating: alpha)
        while i + 4 <= n {
            let updated = load4(UnsafePointer(w), i) + a * load4(x, i) * load4(c, i)
            UnsafeMutableRawPointer(w + i).storeBytes(of: updated, as: SIMD4<Double>.self)
            i += 4
        }
        while i < n { w[i] += alpha * Double(x[i]) * c[i]; i += 1 }
    }
}
