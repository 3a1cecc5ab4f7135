/// 2-D convolution (cross-correlation, as PyTorch): x `[N, C, H, W]`,
/// weight `[F, C, kh, kw]`, bias `[F]` → `[N, F, outH, outW]`.
///
/// y[n, f, oy, ox] = b[f] + Σ_{c,i,j} w[f, c, i, j] · x[n, c, oy·s − p + i·d, ox·s − p + j·d]
///
/// The forward pass and the input gradient run on oneDNN (`OneDNNConvolution`),
/// whose kernels give the same bytes on any thread count. The weight and bias
/// gradients sum over the batch: they are computed per fixed chunk of images and the
/// chunks added in chunk order (`convolutionParameterGradients`), so the worker count
/// cannot change them either.
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
    let inStride = geo.channels * geo.inputPlane, outStride = f * geo.outputPlane
    let needsGraph = Autograd.recording && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
    let precision = TensorPrecision.current

    // oneDNN writes every output element; bfloat16 products (`TensorPrecision`) run on our kernel.
    let out = x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            uninitializedFloats(n * outStride) { Y in
                if precision == .bf16 {
                    convolutionForwardBF16(geo, batch: n, filters: f, input: xb.baseAddress!, weight: wb.baseAddress!, bias: bias?.data, output: Y)
                    return
                }
                func run(_ b: UnsafePointer<Float>?) {
                    OneDNNConvolution.forward(geo, batch: n, filters: f, training: needsGraph,
                                              input: xb.baseAddress!, weight: wb.baseAddress!, bias: b, output: Y)
                }
                if let bias { bias.data.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            }
        }
    }

    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [n, f, geo.outHeight, geo.outWidth], parents: parents) { result in
        if x.requiresGrad {
            let dx = result.grad!.withUnsafeBufferPointer { gb in
                weight.data.withUnsafeBufferPointer { wb in
                    uninitializedFloats(n * inStride) {
                        OneDNNConvolution.backwardData(geo, batch: n, filters: f, outputGradient: gb.baseAddress!,
                                                       weight: wb.baseAddress!, inputGradient: $0)
                    }
                }
            }
            x.addGrad(dx)
        }
        let needWeight = weight.requiresGrad, needBias = bias?.requiresGrad ?? false
        guard needWeight || needBias else { return }
        let (weightParts, biasParts) = result.grad!.withUnsafeBufferPointer { gb in
            x.data.withUnsafeBufferPointer { xb in
                convolutionParameterGradients(geo, batch: n, filters: f, input: xb.baseAddress!, outputGradient: gb.baseAddress!,
                                              weight: needWeight, bias: needBias)
            }
        }
        if needWeight { weight.accumulateGrad { weightParts.addInOrder(into: $0) } }
        if needBias, let bias { bias.accumulateGrad { biasParts.addInOrder(into: $0) } }
    }
}

/// The weight gradient dW = Σₙ dYₙ · colₙᵀ ([F, C, kh, kw]) and bias gradient db = Σ dY ([F]) of
/// a convolution, as per-chunk partial sums to add up in chunk order (empty when not wanted).
/// The chunks depend only on the shapes, so the sums are the same bytes on any worker count.
///
/// Two paths, chosen by shape alone (`weightGradientOnOneDNN`), so a shape's bytes never
/// depend on anything else. Per layer, one worker, thread CPU time (SegNet and
/// Squeeze-SegNet at batch 16, ResNet-50 and AlexNet at 32): oneDNN's backward-weights takes
/// 0.3–0.7× the time of im2col + GEMM on 3×3 and larger kernels over maps of 8×8 and up
/// (SegNet's 16→16 3×3 at 64×64: 3.7 ms against 10.7), but 1.2–1.6× on 4×4 and 7×7 maps
/// (its per-chunk weight copies outweigh the little work), 1.1–11× on 1×1 kernels (GEMM needs
/// no im2col for them) and 1.6–2× on patches under 48 values (SegNet's 1→16 first layer).
func convolutionParameterGradients(_ geo: ConvGeometry, batch n: Int, filters f: Int,
                                   input X: UnsafePointer<Float>, outputGradient G: UnsafePointer<Float>,
                                   weight needWeight: Bool, bias needBias: Bool) -> (weight: PartialSums, bias: PartialSums) {
    if needWeight && weightGradientOnOneDNN(geo) {
        return convolutionParameterGradientsOnOneDNN(geo, batch: n, filters: f, input: X, outputGradient: G, bias: needBias)
    }
    return convolutionParameterGradientsByGEMM(geo, batch: n, filters: f, input: X, outputGradient: G, weight: needWeight, bias: needBias)
}

/// Whether oneDNN computes this shape's weight gradient (see `convolutionParameterGradients`).
func weightGradientOnOneDNN(_ geo: ConvGeometry) -> Bool {
    geo.kernel != Size2(1) && geo.patchSize >= 48 && geo.outputPlane >= 64
}

/// oneDNN's backward-weights per chunk of `OneDNNConvolution.chunks(batch:)`.
func convolutionParameterGradientsOnOneDNN(_ geo: ConvGeometry, batch n: Int, filters f: Int,
                                           input X: UnsafePointer<Float>, outputGradient G: UnsafePointer<Float>,
                                           bias needBias: Bool) -> (weight: PartialSums, bias: PartialSums) {
    let chunks = OneDNNConvolution.chunks(batch: n).count
    let weightParts = PartialSums(count: chunks, length: f * geo.patchSize)
    let biasParts = PartialSums(count: chunks, length: needBias ? f : 0)
    OneDNNConvolution.backwardWeights(geo, batch: n, filters: f, input: X, outputGradient: G,
                                      weightParts: weightParts, biasParts: needBias ? biasParts : nil)
    return (weightParts, biasParts)
}

/// im2col + GEMM over fixed groups of images whose column matrices sit side by side.
func convolutionParameterGradientsByGEMM(_ geo: ConvGeometry, batch n: Int, filters f: Int,
                                         input X: UnsafePointer<Float>, outputGradient G: UnsafePointer<Float>,
                                         weight needWeight: Bool, bias needBias: Bool) -> (weight: PartialSums, bias: PartialSums) {
    let (k, l) = (geo.patchSize, geo.outputPlane)
    let inStride = geo.channels * geo.inputPlane, outStride = f * l
    // 1x1 convolutions on large maps use the image itself as the column matrix;
    // other kernels batch a group of images side by side so the GEMM has at least
    // ~1024 columns, but keep at least 4 groups when the batch allows so small
    // batches still feed several workers.
    let direct = geo.isPointwise && l >= 256
    let groupSize = direct ? 1 : max(1, min(16, (1024 + l - 1) / l, (n + 3) / 4))
    let groups = Chunks(n, size: groupSize)
    let reduction = ReductionChunks(parts: groups.count)
    // One dW and db accumulator per reduction chunk, merged in chunk order by the caller.
    let weightParts = PartialSums(count: reduction.count, length: needWeight ? f * k : 0)
    let biasParts = PartialSums(count: reduction.count, length: needBias ? f : 0)
    TensorThreads.forEachChunk(reduction.count, workers: TensorThreads.count) { chunks in
        let width = groupSize * l
        let col = UnsafeMutablePointer<Float>.allocate(capacity: direct || !needWeight ? 1 : k * width)
        let staging = UnsafeMutablePointer<Float>.allocate(capacity: groupSize > 1 ? f * width : 1)
        defer { col.deallocate(); staging.deallocate() }
        for chunk in chunks {
            let dW = weightParts[chunk], dB = biasParts[chunk]
            for group in reduction.range(chunk) {
                let images = groups.range(group)
                let (start, g) = (images.lowerBound, images.count)
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
                    sgemm(transB: true, m: f, n: k, k: ld, a: dY, lda: ld, b: columns, ldb: ld,
                          beta: 1, c: dW, ldc: k)
                }
                if needBias {
                    for ch in 0..<f { dB[ch] += laneSum(dY + ch * ld, ld) }
                }
            }
        }
    }
    return (weightParts, biasParts)
}

/// The forward pass with bfloat16 products (``TensorPrecision``), which oneDNN's float32
/// primitives do not give: each image's columns (im2col, or the image itself for a pointwise
/// kernel), then W · columns on our bfloat16 kernel, plus the bias. Images are independent, so
/// how workers share them cannot change a value.
func convolutionForwardBF16(_ geo: ConvGeometry, batch n: Int, filters f: Int, input X: UnsafePointer<Float>,
                            weight W: UnsafePointer<Float>, bias: [Float]?, output Y: UnsafeMutablePointer<Float>) {
    let (k, l) = (geo.patchSize, geo.outputPlane)
    let inStride = geo.channels * geo.inputPlane, outStride = f * l
    TensorThreads.forEachChunk(n, workers: TensorThreads.count) { images in
        let col = UnsafeMutablePointer<Float>.allocate(capacity: geo.isPointwise ? 1 : k * l)
        defer { col.deallocate() }
        for i in images {
            let columns: UnsafePointer<Float>
            if geo.isPointwise {
                columns = X + i * inStride
            } else {
                geo.im2col(X + i * inStride, col, ld: l)
                columns = UnsafePointer(col)
            }
            let y = Y + i * outStride
            forwardGEMM(.bf16, m: f, n: l, k: k, a: W, lda: k, b: columns, ldb: l, c: y, ldc: l)
            if let bias {
                for ch in 0..<f {
                    let row = y + ch * l, b = bias[ch]
                    for j in 0..<l { row[j] += b }
                }
            }
        }
    }
}
