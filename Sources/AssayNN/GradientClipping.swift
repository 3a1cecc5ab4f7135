/// Rescales the gradients of `parameters` so their global L2 norm is at most
/// `maxNorm` (PyTorch's `clip_grad_norm_`): g ← g · min(1, maxNorm / ‖g‖).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        for v in g { total += Double(v) * Double(v) }
    }
    let norm = Float(total.squareRoot())
    if norm > maxNorm && norm > 0 {
        let factor = maxNorm / norm
        for p in parameters where p.grad != nil {
            p.grad = p.grad!.map { $0 * factor }
        }
    }
    return norm
}
