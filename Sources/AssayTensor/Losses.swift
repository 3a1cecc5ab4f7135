#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a per-element loss is reduced.
public enum LossReduction: Sendable {
    /// Weighted mean: Σ wᵢ ℓᵢ / Σ wᵢ over counted elements (PyTorch's `mean`).
    case mean
    /// Σ wᵢ ℓᵢ.
    case sum
    /// One loss per sample (`[N]`) or per pixel (`[N, H, W]`); ignored ones are 0.
    case none
}

/// Softmax cross-entropy with optional class weights and an ignore label, per
/// sample (`logits [N, C]`, `targets` N labels) or per pixel (`logits [N, C, H, W]`,
/// `targets` N·H·W labels in n, y, x order).
///
/// ℓ = −w_y · log softmax(x)_y; targets equal to `ignoreIndex` count for nothing.
/// Gradient: dℓ/dx_c = w_y · (softmax(x)_c − [c = y]), scaled by the reduction.
/// With `.mean` the divisor is Σ w_y over counted targets (0 when all are ignored).
public func crossEntropy(_ logits: Tensor, targets: [Int], classWeights: [Float]? = nil,
                         ignoreIndex: Int? = nil, reduction: LossReduction = .mean) -> Tensor {
    precondition(logits.rank == 2 || logits.rank == 4, "crossEntropy: logits must be [N, C] or [N, C, H, W], got \(logits.shape)")
    let (n, c) = (logits.shape[0], logits.shape[1])
    let inner = logits.rank == 4 ? logits.shape[2] * logits.shape[3] : 1
    precondition(targets.count == n * inner, "crossEntropy: \(targets.count) targets for logits \(logits.shape) (expected \(n * inner))")
    if let classWeights { precondition(classWeights.count == c, "crossEntropy: \(classWeights.count) class weights for \(c) classes") }
    for t in targets where t != ignoreIndex {
        precondition(t >= 0 && t < c, "crossEntropy: target \(t) outside 0..<\(c) (set ignoreIndex for void labels)")
    }
    let logProbs = Tensor.softmaxValues(logits.data, outer: n, extent: c, inner: inner, log: true)
    var losses = [Float](repeating: 0, count: n * inner)
    var weights = [Float](repeating: 0, count: n * inner)
    var weightTotal = 0.0, lossTotal = 0.0
    for img in 0..<n {
        for i in 0..<inner {
            let t = targets[img * inner + i]
            if t == ignoreIndex { continue }
            let w = classWeights?[t] ?? 1
            let loss = -w * logProbs[(img * c + t) * inner + i]
            losses[img * inner + i] = loss
            weights[img * inner + i] = w
            weightTotal += Double(w)
            lossTotal += Double(loss)
        }
    }
    let outShape: [Int]
    let out: [Float]
    switch reduction {
    case .mean:
        outShape = []
        out = [weightTotal > 0 ? Float(lossTotal / weightTotal) : 0]
    case .sum:
        outShape = []
        out = [Float(lossTotal)]
    case .none:
        outShape = logits.rank == 4 ? [n, logits.shape[2], logits.shape[3]] : [n]
        out = losses
    }
    let divisor: Float = reduction == .mean && weightTotal > 0 ? Float(weightTotal) : 1
    return Tensor.result(out, shape: outShape, parents: [logits]) { result in
        let g = result.grad!
        logits.accumulateGrad { dx in
            // Images are independent: workers take slices of the batch.
            TensorThreads.forEachSlice(of: n, minimumPerWorker: max(1, (1 << 14) / max(1, c * inner))) { images in
                for img in images {
                    for i in 0..<inner {
                        let j = img * inner + i
                        let w = weights[j]
                        if w == 0 { continue }
                        let scale = (reduction == .none ? g[j] : g[0]) * w / divisor
                        let t = targets[j]
                        for k in 0..<c {
                            let idx = (img * c + k) * inner + i
                            dx[idx] += scale * (expf(logProbs[idx]) - (k == t ? 1 : 0))
                        }
                    }
                }
            }
        }
    }
}

/// Knowledge-distillation loss: T² · (1/N) Σₙ KL(q ‖ p) with q = softmax(teacher/T),
/// p = softmax(student/T), over `[N, C]` logits. The teacher is a fixed target (no
/// gradient flows into it). Gradient: d/d student = T · (p − q) / N.
public func distillationLoss(student: Tensor, teacher: Tensor, temperature: Float = 1) -> Tensor {
    precondition(student.shape == teacher.shape && student.rank == 2,
                 "distillationLoss: student \(student.shape) and teacher \(teacher.shape) must be equal [N, C]")
    let (n, c) = (student.shape[0], student.shape[1])
    let t = temperature
    let logP = Tensor.softmaxValues(student.data.map { $0 / t }, outer: n, extent: c, inner: 1, log: true)
    let logQ = Tensor.softmaxValues(teacher.data.map { $0 / t }, outer: n, extent: c, inner: 1, log: true)
    var total = 0.0
    for i in 0..<(n * c) {
        let q = expf(logQ[i])
        if q > 0 { total += Double(q * (logQ[i] - logP[i])) }
    }
    let value = Float(total) * t * t / Float(n)
    return Tensor.result([value], shape: [], parents: [student]) { result in
        let g = result.grad![0]
        student.accumulateGrad { dx in
            for i in 0..<(n * c) { dx[i] += g * t * (expf(logP[i]) - expf(logQ[i])) / Float(n) }
        }
    }
}

/// KL divergence KL(q ‖ p) = (1/N) Σₙ Σ_c q (log q − log p) between rows of a target
/// distribution `target` ([N, C], rows summing to 1, constant) and `logProbabilities`
/// (e.g. `logSoftmax`), PyTorch's `kl_div(..., reduction: "batchmean")`.
public func klDivergence(logProbabilities: Tensor, target: Tensor) -> Tensor {
    precondition(logProbabilities.shape == target.shape && logProbabilities.rank == 2,
                 "klDivergence: shapes \(logProbabilities.shape) and \(target.shape) must be equal [N, C]")
    let n = Float(logProbabilities.shape[0])
    let q = target.detached()
    let entropyTerm = q.data.reduce(Float(0)) { $0 + ($1 > 0 ? $1 * logf($1) : 0) }
    return (-(q * logProbabilities).sum() + entropyTerm) * (1 / n)
}

/// Mean squared error: (1/n) Σ (a − b)²; gradients flow into both.
public func mseLoss(_ a: Tensor, _ b: Tensor) -> Tensor {
    (a - b).square().mean()
}
