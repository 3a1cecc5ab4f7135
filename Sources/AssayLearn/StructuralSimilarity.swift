import Foundation

/// Structural similarity (SSIM; Wang, Bovik, Sheikh & Simoncelli 2004) of two grey
/// images with values in [0, L] (L = `dataRange`, 1 by default):
///
///     SSIM(x, y) = mean over windows of
///                  (2μₓμᵧ + C₁)(2σₓᵧ + C₂) / ((μₓ² + μᵧ² + C₁)(σₓ² + σᵧ² + C₂))
///
/// with Gaussian-weighted local statistics (window 11 × 11, σ = 1.5, weights summing
/// to 1, no Bessel correction), `C₁ = (0.01 L)²`, `C₂ = (0.03 L)²`. Only windows that
/// lie wholly inside the image are averaged (the reference MATLAB code's "valid"
/// filtering; equal to scikit-image's `gaussian_weights=True` result, which crops the
/// same border), so images must be at least 11 pixels on each side.
public enum StructuralSimilarity {
    public static let windowSize = 11
    public static let sigma = 1.5

    /// SSIM of two `height × width` images, row-major.
    public static func ssim(_ x: [Float], _ y: [Float], width: Int, height: Int, dataRange: Double = 1) throws -> Double {
        guard x.count == width * height else { throw LearnError.countMismatch(what: "pixels of the first image", expected: width * height, found: x.count) }
        guard y.count == width * height else { throw LearnError.countMismatch(what: "pixels of the second image", expected: width * height, found: y.count) }
        let size = windowSize
        guard width >= size, height >= size else { throw LearnError.imageTooSmall(width: width, height: height, window: size) }
        let c1 = (0.01 * dataRange) * (0.01 * dataRange)
        let c2 = (0.03 * dataRange) * (0.03 * dataRange)

        let radius = size / 2
        var kernel = (0..<size).map { i -> Double in
            let d = Double(i - radius)
            return exp(-d * d / (2 * sigma * sigma))
        }
        let kernelSum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / kernelSum }

        // Separable valid filtering of x, y, x², y², xy.
        let outW = width - size + 1, outH = height - size + 1
        func filter(_ image: [Double]) -> [Double] {
            var horizontal = [Double](repeating: 0, count: height * outW)
            for r in 0..<height {
                for c in 0..<outW {
                    var s = 0.0
                    for k in 0..<size { s += kernel[k] * image[r * width + c + k] }
                    horizontal[r * outW + c] = s
                }
            }
            var out = [Double](repeating: 0, count: outH * outW)
            for r in 0..<outH {
                for c in 0..<outW {
                    var s = 0.0
                    for k in 0..<size { s += kernel[k] * horizontal[(r + k) * outW + c] }
                    out[r * outW + c] = s
                }
            }
            return out
        }
        let xd = x.map(Double.init), yd = y.map(Double.init)
        let muX = filter(xd), muY = filter(yd)
        let xx = filter(xd.map { $0 * $0 }), yy = filter(yd.map { $0 * $0 })
        let xy = filter(zip(xd, yd).map { $0 * $1 })
        var total = 0.0
        for i in muX.indices {
            let mx = muX[i], my = muY[i]
            let vx = xx[i] - mx * mx, vy = yy[i] - my * my, cxy = xy[i] - mx * my
            total += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        return total / Double(muX.count)
    }

    /// Mean SSIM over the channels of two `[channels, height, width]` images.
    public static func ssim(_ x: [Float], _ y: [Float], channels: Int, width: Int, height: Int, dataRange: Double = 1) throws -> Double {
        let plane = width * height
        guard x.count == channels * plane, y.count == channels * plane else {
            throw LearnError.countMismatch(what: "pixels of a \(channels)-channel image", expected: channels * plane, found: x.count == channels * plane ? y.count : x.count)
        }
        var sum = 0.0
        for c in 0..<channels {
            sum += try ssim(Array(x[(c * plane)..<((c + 1) * plane)]), Array(y[(c * plane)..<((c + 1) * plane)]),
                            width: width, height: height, dataRange: dataRange)
        }
        return sum / Double(channels)
    }
}
