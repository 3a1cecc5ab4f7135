import CBLAS
import Foundation

/// Newton–CG for binary L2-regularised logistic regression,
/// `F(w) = ½||w||₂² + Σᵢ Cᵢ log(1 + exp(−yᵢ wᵀxᵢ))` (liblinear's `L2R_LR` objective, with a
/// cost `Cᵢ` per example: `C` times its sample weight).
///
/// The gradient is `∇F = w + Xᵀ(Cᵢ yᵢ(σ(yᵢzᵢ) − 1))` and the Hessian
/// `H = I + Xᵀ D X` with `Dᵢ = Cᵢ σ(zᵢ)(1 − σ(zᵢ))`; each step solves `H s = −∇F` by
/// conjugate gradients (Hessian-vector products by two BLAS matrix-vector products)
/// and backtracks on `F`. Stops when `||∇F|| ≤ tolerance · ||∇F(0)||`.
enum L2LogisticSolver {
    static func solve(_ design: LogisticDesign, signs y: [Double], costs: [Double], tolerance: Double,
                      maxNewtonIterations: Int) -> [Double] {
        let n = design.count, p = design.width
        var w = [Double](repeating: 0, count: p)
        var z = [Double](repeating: 0, count: n)
        var curvature = [Double](repeating: 0, count: n)

        // Newton–CG wants exact Hessian products: work on a Double copy.
        let wide = design.values.map(Double.init)
        return wide.withUnsafeBufferPointer { xb -> [Double] in
            let x = xb.baseAddress!
            func scores(_ v: [Double], into out: inout [Double]) {  // out = X v
                cblas_dgemv(CblasRowMajor, CblasTrans, Int32(p), Int32(n), 1, x, Int32(n), v, 1, 0, &out, 1)
            }
            func transposeTimes(_ u: [Double], into out: inout [Double]) {  // out = Xᵀ u (feature-major)
                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(p), Int32(n), 1, x, Int32(n), u, 1, 0, &out, 1)
            }
            func objective(_ w: [Double], _ z: [Double]) -> Double {
                var f = 0.5 * w.reduce(0) { $0 + $1 * $1 }
                for i in 0..<n {
                    let m = -y[i] * z[i]
                    f += costs[i] * (m > 0 ? m + log1p(exp(-m)) : log1p(exp(m)))
                }
                return f
            }
            func gradient(_ w: [Double], _ z: [Double]) -> [Double] {
                var u = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    let s = 1 / (1 + exp(-y[i] * z[i]))
                    u[i] = costs[i] * (s - 1) * y[i]
                    curvature[i] = s * (1 - s)
                }
                var g = [Double](repeating: 0, count: p)
                transposeTimes(u, into: &g)
                for j in 0..<p { g[j] += w[j] }
                return g
            }
            func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

            var g = gradient(w, z)
            let initialNorm = norm(g)
            var f = objective(w, z)
            var xv = [Double](repeating: 0, count: n)
            var hv = [Double](repeating: 0, count: p)
            for _ in 0..<maxNewtonIterations {
                let gNorm = norm(g)
                if gNorm <= tolerance * initialNorm || gNorm == 0 { break }
                // Conjugate gradients on H s = −g, to a relative residual of min(0.1, sqrt(||g||)).
                var s = [Double](repeating: 0, count: p)
                var r = g.map { -$0 }
                var d = r
                var rr = r.reduce(0) { $0 + $1 * $1 }
                let cgTarget = min(0.1, gNorm.squareRoot()) * gNorm
                for _ in 0..<max(p, 10) {
                    if rr.squareRoot() <= cgTarget { break }
                    scores(d, into: &xv)
                    for i in 0..<n { xv[i] *= costs[i] * curvature[i] }
                    transposeTimes(xv, into: &hv)
                    var dHd = 0.0
                    for j in 0..<p { hv[j] += d[j]; dHd += d[j] * hv[j] }
                    let alpha = rr / dHd
                    for j in 0..<p { s[j] += alpha * d[j]; r[j] -= alpha * hv[j] }
                    let rrNew = r.reduce(0) { $0 + $1 * $1 }
                    let beta = rrNew / rr
                    rr = rrNew
                    for j in 0..<p { d[j] = r[j] + beta * d[j] }
                }
                // Backtracking (Armijo) on F along s.
                let slope = zip(g, s).reduce(0) { $0 + $1.0 * $1.1 }
                var step = 1.0
                var accepted = false
                var zs = [Double](repeating: 0, count: n)
                scores(s, into: &zs)
                for _ in 0..<30 {
                    let wNew = (0..<p).map { w[$0] + step * s[$0] }
                    let zNew = (0..<n).map { z[$0] + step * zs[$0] }
                    let fNew = objective(wNew, zNew)
                    if fNew <= f + 1e-4 * step * slope {
                        w = wNew; z = zNew; f = fNew
                        accepted = true
                        break
                    }
                    step *= 0.5
                }
                if !accepted { break }
                g = gradient(w, z)
            }
            return w
        }
    }
}
