import Foundation
import AssayNN

/// The decorrelated (Fourier) image parameterisation of feature visualisation: an image plane
/// is a weighted sum of real 2-D Fourier modes,
///
///   x[h, w] = Σ_k c_k · φ_k[h, w],  φ_k = s(f_k) · {cos, sin}(2π (k_y h / H + k_x w / W)),
///
/// with each mode scaled by s(f) = 1 / max(f, 1/max(H, W)) (f the mode's spatial frequency in
/// cycles per pixel) divided by the largest scale, so equal steps on the coefficients change
/// low frequencies more than high ones: gradient ascent then yields smooth, natural-looking
/// images instead of high-frequency noise.
struct FourierBasis {
    let height: Int
    let width: Int
    /// `[K, H·W]`: one scaled mode per row (a constant, outside the autodiff graph).
    let modes: Tensor

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        var rows: [Float] = []
        var count = 0
        let floor = 1 / Double(max(height, width))
        for ky in 0..<height {
            for kx in 0...(width / 2) {
                let fy = Double(min(ky, height - ky)) / Double(height), fx = Double(kx) / Double(width)
                let scale = 1 / max((fy * fy + fx * fx).squareRoot(), floor) * floor
                // The sine of a self-conjugate mode (0 or Nyquist on both axes) is zero: skip it.
                let selfConjugate = (ky == 0 || 2 * ky == height) && (kx == 0 || 2 * kx == width)
                for sine in selfConjugate ? [false] : [false, true] {
                    for h in 0..<height {
                        for w in 0..<width {
                            let phase = 2 * Double.pi * (Double(ky * h) / Double(height) + Double(kx * w) / Double(width))
                            rows.append(Float(scale * (sine ? sin(phase) : cos(phase))))
                        }
                    }
                    count += 1
                }
            }
        }
        modes = Tensor(rows, shape: [count, height * width])
    }

    var modeCount: Int { modes.shape[0] }

    /// Planes from coefficients `[P, K]` → `[P, H·W]` (differentiable in the coefficients).
    func planes(_ coefficients: Tensor) -> Tensor { matmul(coefficients, modes) }
}
