import AssaySupport
import Foundation

/// newGLMNET for binary L1-regularised logistic regression
/// (Yuan, Ho & Lin, "An improved GLMNET for L1-regularized logistic regression", JMLR 2012),
/// the algorithm behind liblinear's `L1R_LR` solver.
///
/// Minimises `F(w) = ||w||₁ + Σᵢ Cᵢ log(1 + exp(−yᵢ wᵀxᵢ))`, with a cost `Cᵢ` per example
/// (`C` times its sample weight, as liblinear does for scikit-learn's `sample_weight`). Each outer step builds
/// the quadratic model `q(d) = ∇Lᵀd + ½ dᵀ(H + νI)d + ||w + d||₁` of the loss at `w`
/// (H = C Xᵀ D X, Dᵢ = σᵢ(1 − σᵢ)), minimises it by randomised cyclic coordinate
/// descent with shrinking, then backtracks `w + βᵏd` (β = ½) until the sufficient
/// decrease `F(w + βᵏd) − F(w) ≤ σ βᵏ (∇Lᵀd + ||w + d||₁ − ||w||₁)` holds.
/// Stops when the summed minimum-norm subgradient falls below `tolerance` times its
/// value at `w = 0` (also when warm-started from `initial`, so a warm start changes
/// the path, not the target).
enum L1LogisticSolver {
    static func solve(_ design: LogisticDesign, signs: [Double], costs: [Double], tolerance: Double,
                      maxNewtonIterations: Int, initial: [Double]? = nil, random: inout SeededRandom) -> [Double] {
        let n = design.count, p = design.width
        let nu = 1e-12, sigma = 0.01
        let maxInnerIterations = 1000, maxLineSearch = 20
        var innerTolerance = 1.0

        var w = [Double](repeating: 0, count: p)
        var wpd = [Double](repeating: 0, count: p)
        var expWx = [Double](repeating: 1, count: n)      // exp(wᵀxᵢ)
        var expWxNew = [Double](repeating: 0, count: n)
        var tau = [Double](repeating: 0, count: n)        // C / (1 + exp(wᵀxᵢ))
        var curvature = [Double](repeating: 0, count: n)  // C σ(1 − σ)
        var xTd = [Double](repeating: 0, count: n)
        var weightedXTd = [Double](repeating: 0, count: n)  // curvatureᵢ · (X d)ᵢ, so each coordinate's gradient is one dot product
        var hessianDiagonal = [Double](repeating: 0, count: p)
        var gradient = [Double](repeating: 0, count: p)
        var negativeColumnSum = [Double](repeating: 0, count: p)  // C Σ_{yᵢ=−1} xᵢⱼ
        var index = Array(0..<p)
        let negativeWeights = (0..<n).map { signs[$0] < 0 ? costs[$0] : 0 }

        var wNorm = 0.0
        var initialViolation = -1.0
        design.values.withUnsafeBufferPointer { x in
            for j in 0..<p { negativeColumnSum[j] = MixedPrecisionKernels.dot(x.baseAddress! + j * n, negativeWeights, count: n) }
            guard let initial, initial.count == p else { return }
            // Violation at w = 0, where τᵢ = C/2: ∇ⱼ = C/2 Σᵢ (−xᵢⱼ) + negativeColumnSumⱼ.
            let halfC = costs.map { $0 / 2 }
            initialViolation = 0
            for j in 0..<p {
                let g = negativeColumnSum[j] - MixedPrecisionKernels.dot(x.baseAddress! + j * n, halfC, count: n)
                initialViolation += max(abs(g) - 1, 0)
            }
            w = initial
            var wx = [Double](repeating: 0, count: n)
            for j in 0..<p where w[j] != 0 { MixedPrecisionKernels.axpy(w[j], x.baseAddress! + j * n, &wx, count: n) }
            for i in 0..<n { expWx[i] = exp(wx[i]) }
            wNorm = w.reduce(0) { $0 + abs($1) }
        }

        func refreshExampleTerms() {
            for i in 0..<n {
                let t = 1 / (1 + expWx[i])  // σ(−wᵀxᵢ); stays finite when exp overflows
                tau[i] = costs[i] * t
                curvature[i] = costs[i] * t * (1 - t)
            }
        }
        refreshExampleTerms()

        var previousMaxViolation = Double.infinity

        design.values.withUnsafeBufferPointer { xBuffer in
            let x = xBuffer.baseAddress!
            var newton = 0
            while newton < maxNewtonIterations {
                // Gradient and Hessian diagonal of the loss; outer shrinking of coordinates at zero
                // whose subgradient is well inside [−1, 1].
                var maxViolation = 0.0, violationSum = 0.0
                var activeSize = p
                var s = 0
                while s < activeSize {
                    let j = index[s]
                    let column = x + j * n
                    let (g, squares) = MixedPrecisionKernels.dotAndWeightedSquares(column, tau, curvature, count: n)
                    hessianDiagonal[j] = nu + squares
                    gradient[j] = -g + negativeColumnSum[j]
                    let gp = gradient[j] + 1, gn = gradient[j] - 1
                    var violation = 0.0
                    if w[j] == 0 {
                        if gp < 0 { violation = -gp }
                        else if gn > 0 { violation = gn }
                        else if gp > previousMaxViolation / Double(n) && gn < -previousMaxViolation / Double(n) {
                            activeSize -= 1
                            index.swapAt(s, activeSize)
                            continue
                        }
                    } else if w[j] > 0 {
                        violation = abs(gp)
                    } else {
                        violation = abs(gn)
                    }
                    maxViolation = max(maxViolation, violation)
                    violationSum += violation
                    s += 1
                }
                if newton == 0 && initialViolation < 0 { initialViolation = violationSum }
                if violationSum <= tolerance * initialViolation { break }

                // Coordinate descent on the quadratic model, over wpd = w + d.
                for i in 0..<n { xTd[i] = 0; weightedXTd[i] = 0 }
                for j in 0..<p { wpd[j] = w[j] }
                var inner = 0
                var qpActiveSize = activeSize
                var qpPreviousMax = Double.infinity
                while inner < maxInnerIterations {
                    var qpMax = 0.0, qpSum = 0.0
                    for j in 0..<qpActiveSize {
                        let k = j + random.nextInt(below: qpActiveSize - j)
                        index.swapAt(k, j)
                    }
                    var s = 0
                    while s < qpActiveSize {
                        let j = index[s]
                        let h = hessianDiagonal[j]
                        let column = x + j * n
                        let g = gradient[j] + (wpd[j] - w[j]) * nu + MixedPrecisionKernels.dot(column, weightedXTd, count: n)
                        let gp = g + 1, gn = g - 1
                        var violation = 0.0
                        if wpd[j] == 0 {
                            if gp < 0 { violation = -gp }
                            else if gn > 0 { violation = gn }
                            else if gp > qpPreviousMax / Double(n) && gn < -qpPreviousMax / Double(n) {
                                qpActiveSize -= 1
                                index.swapAt(s, qpActiveSize)
                                continue
                            }
                        } else if wpd[j] > 0 {
                            violation = abs(gp)
                        } else {
                            violation = abs(gn)
                        }
                        qpMax = max(qpMax, violation)
                        qpSum += violation
                        s += 1

                        // Exact minimiser of g z + ½ h z² + |wpd + z|.
                        var z: Double
                        if gp < h * wpd[j] { z = -gp / h }
                        else if gn > h * wpd[j] { z = -gn / h }
                        else { z = -wpd[j] }
                        if abs(z) < 1e-12 { continue }
                        z = min(max(z, -10), 10)
                        wpd[j] += z
                        MixedPrecisionKernels.axpyWeighted(z, column, curvature, &weightedXTd, count: n)
                    }
                    inner += 1
                    if qpSum <= innerTolerance * initialViolation {
                        if qpActiveSize == activeSize { break }
                        qpActiveSize = activeSize  // reactivate the shrunk coordinates and check again
                        qpPreviousMax = .infinity
                        continue
                    }
                    qpPreviousMax = qpMax
                }

                // X d for the line search, from the coordinates that moved (the inner loop
                // only tracks the curvature-weighted copy it needs for gradients).
                for j in 0..<p where wpd[j] != w[j] {
                    MixedPrecisionKernels.axpy(wpd[j] - w[j], x + j * n, &xTd, count: n)
                }

                // Line search along d = wpd − w.
                var delta = 0.0, wNormNew = 0.0
                for j in 0..<p {
                    delta += gradient[j] * (wpd[j] - w[j])
                    wNormNew += abs(wpd[j])
                }
                delta += wNormNew - wNorm
                var negativeSumXTd = 0.0
                for i in 0..<n where signs[i] < 0 { negativeSumXTd += costs[i] * xTd[i] }

                var accepted = false
                for _ in 0..<maxLineSearch {
                    var condition = wNormNew - wNorm + negativeSumXTd - sigma * delta
                    for i in 0..<n {
                        let expXTd = exp(xTd[i])
                        expWxNew[i] = expWx[i] * expXTd
                        condition += costs[i] * log((1 + expWxNew[i]) / (expXTd + expWxNew[i]))
                    }
                    if condition <= 0 {
                        wNorm = wNormNew
                        for j in 0..<p { w[j] = wpd[j] }
                        swap(&expWx, &expWxNew)
                        refreshExampleTerms()
                        accepted = true
                        break
                    }
                    wNormNew = 0
                    for j in 0..<p {
                        wpd[j] = (w[j] + wpd[j]) * 0.5
                        wNormNew += abs(wpd[j])
                    }
                    delta *= 0.5
                    negativeSumXTd *= 0.5
                    for i in 0..<n { xTd[i] *= 0.5 }
                }
                if !accepted {
                    // Too many halvings: recompute exp(wᵀx) from w to shed accumulated rounding.
                    var wx = [Double](repeating: 0, count: n)
                    for j in 0..<p where w[j] != 0 { MixedPrecisionKernels.axpy(w[j], x + j * n, &wx, count: n) }
                    for i in 0..<n { expWx[i] = exp(wx[i]) }
                    refreshExampleTerms()
                }
                if inner == 1 { innerTolerance *= 0.25 }
                newton += 1
                previousMaxViolation = maxViolation
            }
        }
        return w
    }
}
