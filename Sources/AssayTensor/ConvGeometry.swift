/// The index arithmetic of a 2-D convolution window over one image, and the
/// im2col / col2im transforms that turn a convolution into a GEMM.
///
/// Output extent (PyTorch's formula): out = ⌊(in + 2·pad − dil·(k − 1) − 1) / stride⌋ + 1.
/// The column matrix has K = C·kh·kw rows and L = outH·outW columns;
/// row (c, i, j), column (oy, ox) holds x[c, oy·s − p + i·d, ox·s − p + j·d] (0 outside).
struct ConvGeometry {
    let channels: Int, height: Int, width: Int
    let kernel: Size2, stride: Size2, padding: Size2, dilation: Size2
    let outHeight: Int, outWidth: Int

    init(channels: Int, height: Int, width: Int, kernel: Size2, stride: Size2, padding: Size2, dilation: Size2) {
        self.channels = channels
        self.height = height
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        outHeight = (height + 2 * padding.h - dilation.h * (kernel.h - 1) - 1) / stride.h + 1
        outWidth = (width + 2 * padding.w - dilation.w * (kernel.w - 1) - 1) / stride.w + 1
    }

    /// Rows of the column matrix.
    var patchSize: Int { channels * kernel.h * kernel.w }
    /// Columns of the column matrix for one image.
    var outputPlane: Int { outHeight * outWidth }
    var inputPlane: Int { height * width }

    /// A 1x1, stride-1, unpadded convolution: the image already is its column matrix.
    var isPointwise: Bool {
        kernel == Size2(1) && stride == Size2(1) && padding == Size2(0)
    }

    /// The output columns `ox` whose input column `ox·s + offset` lies inside the image.
    @inline(__always)
    func validRange(offset: Int, stride s: Int, extent: Int, outExtent: Int) -> Range<Int> {
        // ox ≥ ceil(−offset / s) and ox ≤ floor((extent − 1 − offset) / s)
        let lo = offset >= 0 ? 0 : (-offset + s - 1) / s
        let hiInclusive = extent - 1 - offset
        let hi = hiInclusive < 0 ? 0 : min(outExtent, hiInclusive / s + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Writes the column matrix of `image` ([C, H, W]) into `col` with row stride `ld`.
    func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, ld: Int) {
        if isPointwise {
            // Each channel plane is one row of the column matrix.
            for c in 0..<channels { (col + c * ld).update(from: image + c * inputPlane, count: inputPlane) }
            return
        }
        let (oh, ow) = (outHeight, outWidth)
        var row = 0
        for c in 0..<channels {
            let plane = image + c * inputPlane
            for ki in 0..<kernel.h {
                let rowOffset = ki * dilation.h - padding.h
                let validY = validRange(offset: rowOffset, stride: stride.h, extent: height, outExtent: oh)
                for kj in 0..<kernel.w {
                    let colOffset = kj * dilation.w - padding.w
                    let validX = validRange(offset: colOffset, stride: stride.w, extent: width, outExtent: ow)
                    let dst = col + row * ld
                    // Zero the whole row once when padding shows in it, then copy
                    // the valid spans (one call per output row, not three).
                    if validX.count < ow || validY.count < oh { dst.update(repeating: 0, count: oh * ow) }
                    if validX.isEmpty {
                        row += 1
                        continue
                    }
                    for oy in validY {
                        let d = dst + oy * ow
                        let src = plane + (oy * stride.h + rowOffset) * width
                        if stride.w == 1 {
                            (d + validX.lowerBound).update(from: src + validX.lowerBound + colOffset, count: validX.count)
                        } else {
                            for ox in validX { d[ox] = src[ox * stride.w + colOffset] }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the column matrix `col` (row stride `ld`) back into `image` ([C, H, W]):
    /// the adjoint of `im2col`.
    func col2im(_ col: UnsafePointer<Float>, ld: Int, into image: UnsafeMutablePointer<Float>) {
        if isPointwise {
            for c in 0..<channels {
                let (src, dst) = (col + c * ld, image + c * inputPlane)
                for i in 0..<inputPlane { dst[i] += src[i] }
            }
            return
        }
        let (oh, ow) = (outHeight, outWidth)
        var row = 0
        for c in 0..<channels {
            let plane = image + c * inputPlane
            for ki in 0..<kernel.h {
                let rowOffset = ki * dilation.h - padding.h
                let validY = validRange(offset: rowOffset, stride: stride.h, extent: height, outExtent: oh)
                for kj in 0..<kernel.w {
                    let colOffset = kj * dilation.w - padding.w
                    let validX = validRange(offset: colOffset, stride: stride.w, extent: width, outExtent: ow)
                    let srcRow = col + row * ld
                    if !validX.isEmpty {
                        for oy in validY {
                            let s = srcRow + oy * ow
                            let dst = plane + (oy * stride.h + rowOffset) * width + colOffset
                            if stride.w == 1 {
                                for ox in validX { dst[ox] += s[ox] }
                            } else {
                                for ox in validX { dst[ox * stride.w] += s[ox] }
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

/// Σᵢ p[i] with 16 independent lanes (vectorises; the fixed lane order keeps it deterministic).
@inline(__always)
func laneSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n {
        acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var total = acc.sum()
    while i < n {
        total += p[i]
        i += 1
    }
    return total
}
