#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AssaySupport

extension Tensor {
    /// Circular shift of `[N, C, H, W]` images by `dy` rows and `dx` columns
    /// (torch.roll over the last two axes): y[.., (i + dy) mod H, (j + dx) mod W] = x[.., i, j].
    /// Backward rolls the gradient back.
    public func rolled(dy: Int, dx: Int) -> Tensor {
        precondition(rank == 4, "rolled: expects [N, C, H, W], got \(shape)")
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let sy = ((dy % h) + h) % h, sx = ((dx % w) + w) % w
        var out = [Float](repeating: 0, count: count)
        for p in 0..<planes {
            let base = p * h * w
            for y in 0..<h { for x in 0..<w { out[base + ((y + sy) % h) * w + (x + sx) % w] = data[base + y * w + x] } }
        }
        let input = self
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { d in
                for p in 0..<planes {
                    let base = p * h * w
                    for y in 0..<h { for x in 0..<w { d[base + y * w + x] += g[base + ((y + sy) % h) * w + (x + sx) % w] } }
                }
            }
        }
    }

    /// Random jitter for feature visualisation: a roll by offsets drawn uniformly
    /// from −maxShift...maxShift on each axis.
    public func jittered(maxShift: Int, rng: inout SeededRandom) -> Tensor {
        let dy = rng.nextInt(below: 2 * maxShift + 1) - maxShift
        let dx = rng.nextInt(below: 2 * maxShift + 1) - maxShift
        return rolled(dy: dy, dx: dx)
    }

    /// Resamples `[N, C, H, W]` images under a similarity transform about the
    /// image centre, bilinearly, with zeros outside (differentiable in the input).
    ///
    /// Output pixel (y, x) reads the input at
    /// s = R(−θ) · ((x, y) − c) / scale + c − t, with c the centre and t the translation,
    /// so the content appears scaled by `scale`, rotated by `rotation` radians
    /// (counter-clockwise on screen) and shifted by t. The map is linear in x:
    /// backward scatters the gradient with the same bilinear weights.
    public func affineResampled(scale: Float = 1, rotation: Float = 0, translation: (dy: Float, dx: Float) = (0, 0)) -> Tensor {
        precondition(rank == 4, "affineResampled: expects [N, C, H, W], got \(shape)")
        precondition(scale > 0, "affineResampled: scale must be positive, got \(scale)")
        let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
        let cy = Float(h - 1) / 2, cx = Float(w - 1) / 2
        let (c, s) = (cosf(rotation), sinf(rotation))
        // Per output pixel: the 4 source indices and bilinear weights (−1 = outside).
        var taps = [(Int, Float)](repeating: (-1, 0), count: h * w * 4)
        for y in 0..<h {
            for x in 0..<w {
                let u = Float(x) - cx, v = Float(y) - cy
                let srcX = (c * u - s * v) / scale + cx - translation.dx
                let srcY = (s * u + c * v) / scale + cy - translation.dy
                let x0 = Int(floorf(srcX)), y0 = Int(floorf(srcY))
                let fx = srcX - Float(x0), fy = srcY - Float(y0)
                let corners = [(y0, x0, (1 - fy) * (1 - fx)), (y0, x0 + 1, (1 - fy) * fx),
                               (y0 + 1, x0, fy * (1 - fx)), (y0 + 1, x0 + 1, fy * fx)]
                for (k, corner) in corners.enumerated() {
                    let inside = corner.0 >= 0 && corner.0 < h && corner.1 >= 0 && corner.1 < w
                    taps[(y * w + x) * 4 + k] = inside ? (corner.0 * w + corner.1, corner.2) : (-1, 0)
                }
            }
        }
        var out = [Float](repeating: 0, count: count)
        for p in 0..<planes {
            let base = p * h * w
            for o in 0..<(h * w) {
                var v: Float = 0
                for k in 0..<4 { let (i, wt) = taps[o * 4 + k]; if i >= 0 { v += wt * data[base + i] } }
                out[base + o] = v
            }
        }
        let input = self
        return Tensor.result(out, shape: shape, parents: [input]) { result in
            let g = result.grad!
            input.accumulateGrad { d in
                for p in 0..<planes {
                    let base = p * h * w
                    for o in 0..<(h * w) {
                        for k in 0..<4 { let (i, wt) = taps[o * 4 + k]; if i >= 0 { d[base + i] += wt * g[base + o] } }
                    }
                }
            }
        }
    }
}
