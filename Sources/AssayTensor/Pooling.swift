/// Where each max-pool output came from: for output element (n, c, oy, ox),
/// the flat index iy·W + ix of the winning input pixel in plane (n, c), as
/// PyTorch's `return_indices=True`. `MaxUnpool` scatters back to these positions.
public struct MaxPoolIndices: Equatable, Sendable {
    /// Shape of the pooled output `[N, C, outH, outW]`.
    public let shape: [Int]
    /// Height and width of the input that was pooled.
    public let inputSize: Size2
    /// One flat in-plane index per output element.
    public let values: [Int32]

    public init(shape: [Int], inputSize: Size2, values: [Int32]) {
        precondition(values.count == shape.reduce(1, *), "MaxPoolIndices: \(values.count) indices for shape \(shape)")
        self.shape = shape
        self.inputSize = inputSize
        self.values = values
    }
}

/// Output extent of a pooling window, PyTorch's rule (ceil mode drops a last
/// window that would start inside the right padding).
func pooledExtent(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1, ceilMode: Bool) -> Int {
    let span = size + 2 * padding - dilation * (kernel - 1) - 1
    var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
    if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
    return out
}

/// Max pooling over k×k windows: y = max over the window; returns the argmax
/// indices too. Ties keep the first maximum in row-major window order; padding
/// never wins. Backward sends each output gradient to its argmax pixel.
public func maxPool2d(_ x: Tensor, kernel: Size2, stride: Size2? = nil, padding: Size2 = 0,
                      dilation: Size2 = 1, ceilMode: Bool = false) -> (output: Tensor, indices: MaxPoolIndices) {
    precondition(x.rank == 4, "maxPool2d: input must be [N, C, H, W], got \(x.shape)")
    let s = stride ?? kernel
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    precondition(padding.h * 2 <= kernel.h && padding.w * 2 <= kernel.w, "maxPool2d: padding \(padding) must be at most half the kernel \(kernel)")
    let oh = pooledExtent(h, kernel: kernel.h, stride: s.h, padding: padding.h, dilation: dilation.h, ceilMode: ceilMode)
    let ow = pooledExtent(w, kernel: kernel.w, stride: s.w, padding: padding.w, dilation: dilation.w, ceilMode: ceilMode)
    precondition(oh > 0 && ow > 0, "maxPool2d: a \(kernel) window does not fit a \(h)x\(w) input")
    let planes = n * c
    // Kernel taps inside the image, per output row and column (computed once).
    func taps(_ o: Int, stride: Int, pad: Int, dil: Int, k: Int, extent: Int) -> Range<Int> {
        let start = o * stride - pad
        let lo = start >= 0 ? 0 : (-start + dil - 1) / dil
        let last = extent - 1 - start
        let hi = last < 0 ? 0 : min(k, last / dil + 1)
        return lo..<max(lo, hi)
    }
    let rowTaps = (0..<oh).map { taps($0, stride: s.h, pad: padding.h, dil: dilation.h, k: kernel.h, extent: h) }
    let colTaps = (0..<ow).map { taps($0, stride: s.w, pad: padding.w, dil: dilation.w, k: kernel.w, extent: w) }
    var idx = [Int32](repeating: 0, count: planes * oh * ow)
    // A whole 3x3 window (AlexNet's and Squeeze-SegNet's pools, away from the edges).
    let isPlain3x3 = kernel == Size2(3) && dilation == Size2(1)
    let isPlain2x2 = kernel == Size2(2) && s == Size2(2) && padding == Size2(0) && dilation == Size2(1)
        && 2 * oh <= h && 2 * ow <= w
    let out = x.data.withUnsafeBufferPointer { xb in
        idx.withUnsafeMutableBufferPointer { ib in
            uninitializedFloats(planes * oh * ow) { Y in
                let (X, I) = (xb.baseAddress!, ib.baseAddress!)
                TensorThreads.forEachSlice(of: planes, minimumPerWorker: 4) { range in
                    if isPlain2x2 {
                        maxPool2x2(X, Y, I, planes: range, h: h, w: w, oh: oh, ow: ow)
                        return
                    }
                    for p in range {
                        let src = X + p * h * w
                        var o = p * oh * ow
                        for oy in 0..<oh {
                            let ky = rowTaps[oy], y0 = oy * s.h - padding.h
                            for ox in 0..<ow {
                                let kx = colTaps[ox], x0 = ox * s.w - padding.w
                                if isPlain3x3 && ky.count == 3 && kx.count == 3 {
                                    (Y[o], I[o]) = maxOf3x3(src, at: y0 * w + x0, width: w)
                                    o += 1
                                    continue
                                }
                                var bestIndex = (y0 + ky.lowerBound * dilation.h) * w + x0 + kx.lowerBound * dilation.w
                                var best = src[bestIndex]
                                for ki in ky {
                                    let row = (y0 + ki * dilation.h) * w + x0
                                    for kj in kx {
                                        let v = src[row + kj * dilation.w]
                                        // Selects, not a branch (random data mispredicts); NaN wins as in PyTorch.
                                        let better = !(v <= best)
                                        best = better ? v : best
                                        bestIndex = better ? row + kj * dilation.w : bestIndex
                                    }
                                }
                                Y[o] = best
                                I[o] = Int32(bestIndex)
                                o += 1
                            }
                        }
                    }
                }
            }
        }
    }
    let indices = MaxPoolIndices(shape: [n, c, oh, ow], inputSize: Size2(h, w), values: idx)
    let output = Tensor.result(out, shape: [n, c, oh, ow], parents: [x]) { result in
        let g = result.grad!
        var dx = [Float](repeating: 0, count: x.count)
        dx.withUnsafeMutableBufferPointer { db in
            g.withUnsafeBufferPointer { gb in
                idx.withUnsafeBufferPointer { ib in
                    let (D, G, I) = (db.baseAddress!, gb.baseAddress!, ib.baseAddress!)
                    TensorThreads.forEachSlice(of: planes, minimumPerWorker: 4) { range in
                        for p in range {
                            let base = p * oh * ow, dst = D + p * h * w
                            for o in base..<(base + oh * ow) { dst[Int(I[o])] += G[o] }
                        }
                    }
                }
            }
        }
        x.addGrad(dx)
    }
    return (output, indices)
}

/// The common 2x2, stride-2, unpadded max pool with every window inside the
/// image: four loads and three selects per output, no bounds logic.
@inline(__always)
private func maxPool2x2(_ X: UnsafePointer<Float>, _ Y: UnsafeMutablePointer<Float>, _ I: UnsafeMutablePointer<Int32>,
                        planes: Range<Int>, h: Int, w: Int, oh: Int, ow: Int) {
    for p in planes {
        let src = X + p * h * w
        var o = p * oh * ow
        for oy in 0..<oh {
            let top = 2 * oy * w, bottom = top + w
            for ox in 0..<ow {
                let i0 = top + 2 * ox
                var best = src[i0], bestIndex = i0
                for candidate in [i0 + 1, bottom + 2 * ox, bottom + 2 * ox + 1] {
                    let v = src[candidate]
                    let better = !(v <= best)
                    best = better ? v : best
                    bestIndex = better ? candidate : bestIndex
                }
                Y[o] = best
                I[o] = Int32(truncatingIfNeeded: bestIndex)
                o += 1
            }
        }
    }
}

/// The maximum of the 3x3 window whose top-left pixel is `src[corner]` and its flat
/// index, comparing in the general loop's row-major order with the same selects
/// (the first tap's comparison with itself changes nothing, so it is skipped).
@inline(__always)
private func maxOf3x3(_ src: UnsafePointer<Float>, at corner: Int, width w: Int) -> (Float, Int32) {
    var best = src[corner], bestIndex = corner
    @inline(__always) func visit(_ candidate: Int) {
        let v = src[candidate]
        let better = !(v <= best)
        best = better ? v : best
        bestIndex = better ? candidate : bestIndex
    }
    visit(corner + 1); visit(corner + 2)
    visit(corner + w); visit(corner + w + 1); visit(corner + w + 2)
    visit(corner + 2 * w); visit(corner + 2 * w + 1); visit(corner + 2 * w + 2)
    return (best, Int32(truncatingIfNeeded: bestIndex))
}

/// Max unpooling (SegNet): y[n, c, idx] = x[n, c, o] for every pooled element o
/// with recorded index idx, zeros elsewhere. `outputSize` defaults to the size
/// that was pooled.
///
/// Overlapping windows (3x3 stride 2, as in Squeeze-SegNet) can record the same
/// position for several outputs; the last one in row-major order is written (as
/// PyTorch's CPU kernel does), and only that one receives the gradient:
/// dx[o] = dy[idx[o]] if o wrote idx[o], else 0. (Sending dy[idx] to every
/// element that recorded idx, as a plain gather does, is not the derivative of
/// this forward pass: the overwritten elements do not affect y.)
public func maxUnpool2d(_ x: Tensor, indices: MaxPoolIndices, outputSize: Size2? = nil) -> Tensor {
    precondition(x.shape == indices.shape, "maxUnpool2d: input \(x.shape) does not match the pooled shape \(indices.shape) its indices came from")
    let size = outputSize ?? indices.inputSize
    let (n, c) = (x.shape[0], x.shape[1])
    let inPlane = x.shape[2] * x.shape[3], outPlane = size.h * size.w
    precondition(indices.values.allSatisfy { Int($0) < outPlane }, "maxUnpool2d: an index exceeds the output plane \(size)")
    let planes = n * c
    // Whether pooled element o is the one whose value ends up at its position.
    var written = [Bool](repeating: true, count: planes * inPlane)
    var out = [Float](repeating: 0, count: planes * outPlane)
    x.data.withUnsafeBufferPointer { xb in
        indices.values.withUnsafeBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob in
                written.withUnsafeMutableBufferPointer { wb in
                    let (X, I, Y, written) = (xb.baseAddress!, ib.baseAddress!, ob.baseAddress!, wb.baseAddress!)
                    // Planes are independent: each worker keeps its own map of who wrote where.
                    TensorThreads.forEachSlice(of: planes, minimumPerWorker: 4) { range in
                        let writer = UnsafeMutablePointer<Int32>.allocate(capacity: outPlane)
                        defer { writer.deallocate() }
                        writer.initialize(repeating: -1, count: outPlane)
                        for p in range {
                            let (src, idx, dst, flags) = (X + p * inPlane, I + p * inPlane, Y + p * outPlane, written + p * inPlane)
                            for o in 0..<inPlane {
                                let target = Int(idx[o])
                                if writer[target] >= 0 { flags[Int(writer[target])] = false }
                                writer[target] = Int32(o)
                                dst[target] = src[o]
                            }
                            for o in 0..<inPlane { writer[Int(idx[o])] = -1 }
                        }
                    }
                }
            }
        }
    }
    return Tensor.result(out, shape: [n, c, size.h, size.w], parents: [x]) { result in
        guard x.requiresGrad else { return }
        // dx[o] = dy[idx[o]] where o wrote idx[o], else nothing: written into a fresh
        // gradient (0 + dy, the same bits as adding into zeros) or added into an existing one.
        let fresh = x.grad == nil
        if fresh { x.grad = [Float](unsafeUninitializedCapacity: planes * inPlane) { _, count in count = planes * inPlane } }
        result.grad!.withUnsafeBufferPointer { gb in
            indices.values.withUnsafeBufferPointer { ib in
                written.withUnsafeBufferPointer { wb in
                    x.grad!.withUnsafeMutableBufferPointer { db in
                        let (G, I, flags, D) = (gb.baseAddress!, ib.baseAddress!, wb.baseAddress!, db.baseAddress!)
                        TensorThreads.forEachSlice(of: planes, minimumPerWorker: 4) { range in
                            for p in range {
                                let dy = G + p * outPlane
                                for o in (p * inPlane)..<((p + 1) * inPlane) {
                                    if fresh {
                                        D[o] = flags[o] ? 0 + dy[Int(I[o])] : 0
                                    } else if flags[o] {
                                        D[o] += dy[Int(I[o])]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Average pooling: y = (1/|window|) Σ window. With `countIncludePad` (PyTorch's
/// default) the divisor counts padded positions; ceil-mode windows that run
/// past the padded input are clipped.
public func avgPool2d(_ x: Tensor, kernel: Size2, stride: Size2? = nil, padding: Size2 = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true) -> Tensor {
    precondition(x.rank == 4, "avgPool2d: input must be [N, C, H, W], got \(x.shape)")
    let s = stride ?? kernel
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = pooledExtent(h, kernel: kernel.h, stride: s.h, padding: padding.h, ceilMode: ceilMode)
    let ow = pooledExtent(w, kernel: kernel.w, stride: s.w, padding: padding.w, ceilMode: ceilMode)
    precondition(oh > 0 && ow > 0, "avgPool2d: a \(kernel) window does not fit a \(h)x\(w) input")
    // Window bounds and divisor per output position (same for every plane).
    struct Window { let y0, y1, x0, x1: Int; let scale: Float }
    var windows: [Window] = []
    windows.reserveCapacity(oh * ow)
    for oy in 0..<oh {
        for ox in 0..<ow {
            let ys = oy * s.h - padding.h, xs = ox * s.w - padding.w
            let ye = min(ys + kernel.h, h + padding.h), xe = min(xs + kernel.w, w + padding.w)
            let padded = (ye - ys) * (xe - xs)
            let y0 = max(ys, 0), y1 = min(ye, h), x0 = max(xs, 0), x1 = min(xe, w)
            let divisor = countIncludePad ? padded : (y1 - y0) * (x1 - x0)
            windows.append(Window(y0: y0, y1: y1, x0: x0, x1: x1, scale: 1 / Float(max(divisor, 1))))
        }
    }
    let planes = n * c
    var out = [Float](repeating: 0, count: planes * oh * ow)
    for p in 0..<planes {
        let base = p * h * w
        for (o, win) in windows.enumerated() {
            var total: Float = 0
            for iy in win.y0..<max(win.y0, win.y1) { for ix in win.x0..<max(win.x0, win.x1) { total += x.data[base + iy * w + ix] } }
            out[p * oh * ow + o] = total * win.scale
        }
    }
    return Tensor.result(out, shape: [n, c, oh, ow], parents: [x]) { result in
        let g = result.grad!
        x.accumulateGrad { dx in
            for p in 0..<planes {
                let base = p * h * w
                for (o, win) in windows.enumerated() {
                    let v = g[p * oh * ow + o] * win.scale
                    for iy in win.y0..<max(win.y0, win.y1) { for ix in win.x0..<max(win.x0, win.x1) { dx[base + iy * w + ix] += v } }
                }
            }
        }
    }
}

/// Adaptive average pooling to a fixed output grid (PyTorch's bins):
/// bin i covers [⌊i·H/out⌋, ⌈(i+1)·H/out⌉).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Size2) -> Tensor {
    precondition(x.rank == 4, "adaptiveAvgPool2d: input must be [N, C, H, W], got \(x.shape)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (oh, ow) = (outputSize.h, outputSize.w)
    func bins(_ size: Int, _ out: Int) -> [Range<Int>] {
        (0..<out).map { i in (i * size / out)..<(((i + 1) * size + out - 1) / out) }
    }
    let rows = bins(h, oh), cols = bins(w, ow)
    let planes = n * c
    var out = [Float](repeating: 0, count: planes * oh * ow)
    for p in 0..<planes {
        let base = p * h * w
        for (i, ry) in rows.enumerated() {
            for (j, rx) in cols.enumerated() {
                var total: Float = 0
                for iy in ry { for ix in rx { total += x.data[base + iy * w + ix] } }
                out[(p * oh + i) * ow + j] = total / Float(ry.count * rx.count)
            }
        }
    }
    return Tensor.result(out, shape: [n, c, oh, ow], parents: [x]) { result in
        let g = result.grad!
        x.accumulateGrad { dx in
            for p in 0..<planes {
                let base = p * h * w
                for (i, ry) in rows.enumerated() {
                    for (j, rx) in cols.enumerated() {
                        let v = g[(p * oh + i) * ow + j] / Float(ry.count * rx.count)
                        for iy in ry { for ix in rx { dx[base + iy * w + ix] += v } }
                    }
                }
            }
        }
    }
}

/// Global average pooling: `[N, C, H, W]` → `[N, C]`, y[n, c] = mean over H·W.
public func globalAvgPool2d(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "globalAvgPool2d: input must be [N, C, H, W], got \(x.shape)")
    let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    var out = [Float](repeating: 0, count: n * c)
    x.data.withUnsafeBufferPointer { xb in
        for p in 0..<(n * c) { out[p] = laneSum(xb.baseAddress! + p * plane, plane) / Float(plane) }
    }
    return Tensor.result(out, shape: [n, c], parents: [x]) { result in
        let g = result.grad!
        x.accumulateGrad { dx in
            for p in 0..<(n * c) {
                let v = g[p] / Float(plane)
                for i in 0..<plane { dx[p * plane + i] += v }
            }
        }
    }
}
