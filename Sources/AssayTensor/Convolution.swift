/// 2-D convolution (cross-correlation, as PyTorch): x `[N, C, H, W]`,
/// weight `[F, C, kh, kw]`, bias `[F]` → `[N, F, outH, outW]`.
///
/// y[n, f, oy, ox] = b[f] + Σ_{c,i,j} w[f, c, i, j] · x[n, c, oy·s − p + i·d, ox·s − p + j·d]
///
/// Computed as im2col + GEMM: per image, Y[F, L] = W[F, K] · col[K, L]. The batch
/// is cut into one contiguous slice per worker; a worker handles its images in
/// small groups whose column matrices sit side by side, so each GEMM is wide
/// enough to run near peak. Backward: dW = Σ dY · colᵀ (per-worker
/// accumulators merged in worker order), dcol = Wᵀ · dY then col2im for dx,
/// db = Σ dY. The columns are recomputed in backward rather than stored.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?,
                   stride: Size2 = 1, padding: Size2 = 0, dilation: Size2 = 1) -> Tensor {
    precondition(x.rank == 4, "conv2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(weight.rank == 4 && weight.shape[1] == x.shape[1],
                 "conv2d: weight \(weight.shape) does not match input channels \(x.shape[1]) (expected [F, \(x.shape[1]), kh, kw])")
    let (n, f) = (x.shape[0], weight.shape[0])
    let geo = ConvGeometry(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                           kernel: Size2(weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation)
    precondition(geo.outHeight > 0 && geo.outWidth > 0,
                 "conv2d: a \(geo.kernel) kernel (dilation \(dilation), padding \(padding)) does not fit a \(x.shape[2])x\(x.shape[3]) input")
    if let bias { precondition(bias.shape == [f], "conv2d: bias shape \(bias.shape), expected [\(f)]") }
    let (k, l) = (geo.patchSize, geo.outputPlane)
    let inStride = geo.channels * geo.inputPlane, outStride = f * l
    // 1x1 convolutions on large maps use the image itself as the column matrix;
    // small maps (and all other kernels) batch a group of images side by side so
    // the GEMM has at least ~1024 columns.
    let direct = geo.isPointwise && l >= 256
    let groupSize = direct ? 1 : max(1, min(16, (1024 + l - 1) / l))

    // Every output element is written below (GEMM with beta 0 or a staging copy).
    let out = x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            uninitializedFloats(n * outStride) { Y in
                let (X, W) = (xb.baseAddress!, wb.baseAddress!)
                let biasValues = bias?.data
                TensorThreads.forEachSlice(of: n) { _, images in
                    let width = groupSize * l
                    let col = UnsafeMutablePointer<Float>.allocate(capacity: direct ? 1 : k * width)
                    let staging = UnsafeMutablePointer<Float>.allocate(capacity: groupSize > 1 ? f * width : 1)
                    defer { col.deallocate(); staging.deallocate() }
                    var start = images.lowerBound
                    while start < images.upperBound {
                        let g = min(groupSize, images.upperBound - start)
                        let ld = g * l
                        let columns: UnsafePointer<Float>
                        if direct {
                            columns = X + start * inStride
                        } else {
                            for i in 0..<g { geo.im2col(X + (start + i) * inStride, col + i * l, ld: ld) }
                            columns = UnsafePointer(col)
                        }
                        if g == 1 {
                            sgemm(m: f, n: l, k: k, a: W, lda: k, b: columns, ldb: l, c: Y + start * outStride, ldc: l)
                        } else {
                            sgemm(m: f, n: ld, k: k, a: W, lda: k, b: columns, ldb: ld, c: staging, ldc: ld)
                            for i in 0..<g {
                                for ch in 0..<f {
                                    (Y + (start + i) * outStride + ch * l).update(from: staging + ch * ld + i * l, count: l)
                                }
                            }
                        }
                        if let biasValues {
                            for i in 0..<g {
                                for ch in 0..<f {
                                    let row = Y + (start + i) * outStride + ch * l
                                    let b = biasValues[ch]
                                    for j in 0..<l { row[j] += b }
                                }
                            }
                        }
                        start += g
                    }
                }
            }
        }
    }

    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [n, f, geo.outHeight, geo.outWidth], parents: parents) { result in
        let needInput = x.requiresGrad, needWeight = weight.requiresGrad, needBias = bias?.requiresGrad ?? false
        let workers = TensorThreads.sliceCount(of: n)
        // Per-worker partial sums for dW and db, merged in worker order below.
        var weightParts = [[Float]](repeating: [], count: workers)
        var biasParts = [[Float]](repeating: [], count: workers)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            result.grad!.withUnsafeBufferPointer { gb in
                x.data.withUnsafeBufferPointer { xb in
                    weight.data.withUnsafeBufferPointer { wb in
                        let (G, X, W) = (gb.baseAddress!, xb.baseAddress!, wb.baseAddress!)
                        let partsW = UnsafeMutablePointer<[Float]>.allocate(capacity: workers)
                        let partsB = UnsafeMutablePointer<[Float]>.allocate(capacity: workers)
                        partsW.initialize(repeating: [], count: workers)
                        partsB.initialize(repeating: [], count: workers)
                        defer {
                            for w in 0..<workers { weightParts[w] = partsW[w]; biasParts[w] = partsB[w] }
                            partsW.deinitialize(count: workers); partsW.deallocate()
                            partsB.deinitialize(count: workers); partsB.deallocate()
                        }
                        TensorThreads.forEachSlice(of: n) { worker, images in
                            let width = groupSize * l
                            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * width)
                            let dcol = UnsafeMutablePointer<Float>.allocate(capacity: needInput ? k * width : 1)
                            let staging = UnsafeMutablePointer<Float>.allocate(capacity: groupSize > 1 ? f * width : 1)
                            defer { col.deallocate(); dcol.deallocate(); staging.deallocate() }
                            var dW = [Float](repeating: 0, count: needWeight ? f * k : 0)
                            var dB = [Float](repeating: 0, count: needBias ? f : 0)
                            var start = images.lowerBound
                            while start < images.upperBound {
                                let g = min(groupSize, images.upperBound - start)
                                let ld = g * l
                                let dY: UnsafePointer<Float>
                                if g == 1 {
                                    dY = G + start * outStride
                                } else {
                                    for i in 0..<g {
                                        for ch in 0..<f {
                                            (staging + ch * ld + i * l).update(from: G + (start + i) * outStride + ch * l, count: l)
                                        }
                                    }
                                    dY = UnsafePointer(staging)
                                }
                                if needWeight {
                                    let columns: UnsafePointer<Float>
                                    if direct {
                                        columns = X + start * inStride
                                    } else {
                                        for i in 0..<g { geo.im2col(X + (start + i) * inStride, col + i * l, ld: ld) }
                                        columns = UnsafePointer(col)
                                    }
                                    dW.withUnsafeMutableBufferPointer { d in
                                        sgemm(transB: true, m: f, n: k, k: ld, a: dY, lda: ld, b: columns, ldb: ld,
                                              beta: 1, c: d.baseAddress!, ldc: k)
                                    }
                                }
                                if needBias {
                                    for ch in 0..<f { dB[ch] += laneSum(dY + ch * ld, ld) }
                                }
                                if let dx {
                                    if direct {
                                        // dx[C, L] += Wᵀ · dY straight into the gradient.
                                        sgemm(transA: true, m: k, n: l, k: f, a: W, lda: k, b: dY, ldb: l,
                                              beta: 1, c: dx + start * inStride, ldc: l)
                                    } else {
                                        sgemm(transA: true, m: k, n: ld, k: f, a: W, lda: k, b: dY, ldb: ld, c: dcol, ldc: ld)
                                        for i in 0..<g { geo.col2im(dcol + i * l, ld: ld, into: dx + (start + i) * inStride) }
                                    }
                                }
                                start += g
                            }
                            partsW[worker] = dW
                            partsB[worker] = dB
                        }
                    }
                }
            }
        }
        if needInput { x.accumulateGrad { body($0) } } else { body(nil) }
        if needWeight {
            weight.accumulateGrad { dw in
                for part in weightParts { for i in 0..<part.count { dw[i] += part[i] } }
            }
        }
        if needBias, let bias {
            bias.accumulateGrad { db in
                for part in biasParts { for i in 0..<part.count { db[i] += part[i] } }
            }
        }
    }
}
