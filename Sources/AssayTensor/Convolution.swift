#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 2-D convolution (cross-correlation, as PyTorch): x `[N, C, H, W]`,
/// weight `[F, C, kh, kw]`, bias `[F]` → `[N, F, outH, outW]`.
///
/// y[n, f, oy, ox] = b[f] + Σ_{c,i,j} w[f, c, i, j] · x[n, c, oy·s − p + i·d, ox·s − p + j·d]
///
/// Computed as im2col + GEMM: per image, Y[F, L] = W[F, K] · col[K, L]. The batch
/// is cut into fixed groups of images (the group size depends only on the shapes)
/// whose column matrices sit side by side, so each GEMM is wide enough to run near
/// peak; workers take groups. Backward: dW = Σ dY · colᵀ and db = Σ dY accumulate
/// per `ReductionChunks` chunk of groups and merge in chunk order; dcol = Wᵀ · dY
/// then col2im for dx. Every GEMM is the same whatever the worker count, so the
/// results are too. The columns are recomputed in backward unless cached.
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
    // the GEMM has at least ~1024 columns, but keep at least 4 groups when the
    // batch allows so small batches still feed several workers. Without backward
    // (inference), when that would leave fewer than 4 wide groups and there are
    // enough filters, groups take up to the whole batch and the filters are cut into
    // row slices for the workers instead, so the weights are packed once per wide
    // group, not once per narrow one (SegNet's 512-filter layers on 4×4 maps at
    // batch 16). Neither choice changes a value: each output element is the same
    // dot product in the same order (a test holds the two to the bit).
    let needsGraph = Autograd.recording && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
    let precision = TensorPrecision.current
    let direct = geo.isPointwise && l >= 256
    let narrowGroups = direct ? 1 : max(1, min(16, (1024 + l - 1) / l, (n + 3) / 4))
    let wideGroups = max(1, min(16, n, (1024 + l - 1) / l))
    let wideCount = (n + wideGroups - 1) / wideGroups
    let wideSlice = direct || needsGraph ? f : filterSliceSize(filters: f, groups: wideCount, columns: n * k * l, plane: l, patch: k,
                                                               smallestGroupWidth: (n - (wideCount - 1) * wideGroups) * l)
    let sliced = wideSlice < f
    let groupSize = sliced ? wideGroups : narrowGroups
    let groups = Chunks(n, size: groupSize)
    let filterSlice = sliced ? wideSlice : f
    let filterSlices = (f + filterSlice - 1) / filterSlice
    let workers = TensorThreads.count

    // Keep the forward pass's column matrices for the weight gradient when they
    // fit the budget, instead of recomputing them in backward. Groups are laid out
    // image-contiguously, so the group starting at image i sits at i·K·L. Filter
    // slices share the whole batch's columns the same way, written first.
    let cache: ColumnCache? = !direct && Autograd.recording && weight.requiresGrad ? ColumnCache.reserve(count: n * k * l) : nil
    let shared: UnsafeMutablePointer<Float>? = filterSlices > 1 ? .allocate(capacity: n * k * l) : nil
    defer { shared?.deallocate() }
    // Every output element is written below (GEMM with beta 0 or a staging copy).
    let out = x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            uninitializedFloats(n * outStride) { Y in
                let (X, W) = (xb.baseAddress!, wb.baseAddress!)
                let biasValues = bias?.data
                if let shared {
                    TensorThreads.forEachChunk(groups.count, workers: workers) { chunks in
                        for chunk in chunks {
                            let images = groups.range(chunk)
                            let (start, ld) = (images.lowerBound, images.count * l)
                            for i in images { geo.im2col(X + i * inStride, shared + start * k * l + (i - start) * l, ld: ld) }
                        }
                    }
                }
                TensorThreads.forEachChunk(groups.count * filterSlices, workers: workers) { chunks in
                    let width = groupSize * l
                    let col = UnsafeMutablePointer<Float>.allocate(capacity: direct || cache != nil || shared != nil ? 1 : k * width)
                    let staging = UnsafeMutablePointer<Float>.allocate(capacity: groupSize > 1 ? f * width : 1)
                    defer { col.deallocate(); staging.deallocate() }
                    for chunk in chunks {
                        let images = groups.range(chunk / filterSlices)
                        let rows = (chunk % filterSlices) * filterSlice ..< min(f, (chunk % filterSlices + 1) * filterSlice)
                        let (start, g) = (images.lowerBound, images.count)
                        let ld = g * l
                        let columns: UnsafePointer<Float>
                        if direct {
                            columns = X + start * inStride
                        } else if let shared {
                            columns = UnsafePointer(shared + start * k * l)
                        } else {
                            let target = cache.map { $0.pointer + start * k * l } ?? col
                            for i in 0..<g { geo.im2col(X + (start + i) * inStride, target + i * l, ld: ld) }
                            columns = UnsafePointer(target)
                        }
                        let (r0, m) = (rows.lowerBound, rows.count)
                        if g == 1 {
                            let y = Y + start * outStride
                            forwardGEMM(precision, m: m, n: l, k: k, a: W + r0 * k, lda: k, b: columns, ldb: l, c: y + r0 * l, ldc: l)
                            if let biasValues {
                                for ch in rows {
                                    let row = y + ch * l, b = biasValues[ch]
                                    for j in 0..<l { row[j] += b }
                                }
                            }
                        } else {
                            forwardGEMM(precision, m: m, n: ld, k: k, a: W + r0 * k, lda: k, b: columns, ldb: ld, c: staging + r0 * ld, ldc: ld)
                            // Scatter the group back to NCHW, adding the bias on the way.
                            for i in 0..<g {
                                for ch in rows {
                                    let row = Y + (start + i) * outStride + ch * l, src = staging + ch * ld + i * l
                                    if let biasValues {
                                        let b = biasValues[ch]
                                        for j in 0..<l { row[j] = src[j] + b }
                                    } else {
                                        row.update(from: src, count: l)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [n, f, geo.outHeight, geo.outWidth], parents: parents) { result in
        let needInput = x.requiresGrad, needWeight = weight.requiresGrad, needBias = bias?.requiresGrad ?? false
        let workers = TensorThreads.count
        let reduction = ReductionChunks(parts: groups.count)
        // One dW and db accumulator per reduction chunk, merged in chunk order below.
        let weightParts = PartialSums(count: reduction.count, length: needWeight ? f * k : 0)
        let biasParts = PartialSums(count: reduction.count, length: needBias ? f : 0)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            result.grad!.withUnsafeBufferPointer { gb in
                x.data.withUnsafeBufferPointer { xb in
                    weight.data.withUnsafeBufferPointer { wb in
                        let (G, X, W) = (gb.baseAddress!, xb.baseAddress!, wb.baseAddress!)
                        TensorThreads.forEachChunk(reduction.count, workers: workers) { chunks in
                            let width = groupSize * l
                            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * width)
                            let dcol = UnsafeMutablePointer<Float>.allocate(capacity: needInput ? k * width : 1)
                            let staging = UnsafeMutablePointer<Float>.allocate(capacity: groupSize > 1 ? f * width : 1)
                            defer { col.deallocate(); dcol.deallocate(); staging.deallocate() }
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
                                        } else if let cache {
                                            columns = UnsafePointer(cache.pointer + start * k * l)
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
                                }
                            }
                        }
                    }
                }
            }
        }
        if needInput { x.accumulateGrad { body($0) } } else { body(nil) }
        if needWeight { weight.accumulateGrad { weightParts.addInOrder(into: $0) } }
        if needBias, let bias { bias.accumulateGrad { biasParts.addInOrder(into: $0) } }
    }
}

/// Filters per row slice of an inference convolution: all of them (one slice)
/// unless fewer than 4 image groups would leave workers idle, then slices of a
/// multiple of 64 filters, at least 64, so up to 4 chunks exist. `columns` is the
/// whole batch's column matrix size (0 when slicing is not allowed); slicing needs
/// it in memory at once, so very large ones are not sliced. Depends only on shapes.
///
/// OpenBLAS computes products under about 10⁶ multiply-adds with a small-matrix
/// kernel whose summation order differs, so slicing is used only when every GEMM
/// of both cuts stays above that (one image × all filters for the narrow groups,
/// the smallest slice × the smallest wide group): then each output element is the
/// same sequential dot product either way, and slicing changes no bit.
func filterSliceSize(filters f: Int, groups: Int, columns: Int, plane l: Int, patch k: Int, smallestGroupWidth: Int) -> Int {
    guard columns > 0, columns <= 16 << 20, groups < 4, f >= 128 else { return max(f, 1) }
    let slices = min((4 + groups - 1) / groups, f / 64)
    let size = ((f + slices - 1) / slices + 63) / 64 * 64
    let smallestSlice = f - (f - 1) / size * size
    let smallMatrixLimit = 1_000_000
    guard f * l * k > smallMatrixLimit, smallestSlice * smallestGroupWidth * k > smallMatrixLimit else { return f }
    return size
}

/// Column matrices saved by a convolution's forward pass for its backward pass;
/// freed with the autodiff graph that holds it.
///
/// Caching trades memory for the im2col recomputation (≈5–10% of a training
/// step). A process-wide budget bounds the extra memory: the first layers of a
/// forward pass that fit get a cache, later ones recompute.
final class ColumnCache {
    /// Bytes all live caches together may hold.
    nonisolated(unsafe) static var byteLimit = 64 << 20
    nonisolated(unsafe) private static var bytesInUse = 0
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        return mutex
    }()

    let pointer: UnsafeMutablePointer<Float>
    private let bytes: Int

    /// A cache of `count` floats, or nil when it would exceed the budget.
    static func reserve(count: Int) -> ColumnCache? {
        let bytes = count * MemoryLayout<Float>.size
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard bytesInUse + bytes <= byteLimit else { return nil }
        bytesInUse += bytes
        return ColumnCache(count: count, bytes: bytes)
    }

    private init(count: Int, bytes: Int) {
        pointer = .allocate(capacity: count)
        self.bytes = bytes
    }

    deinit {
        pointer.deallocate()
        pthread_mutex_lock(ColumnCache.lock)
        ColumnCache.bytesInUse -= bytes
        pthread_mutex_unlock(ColumnCache.lock)
    }
}
