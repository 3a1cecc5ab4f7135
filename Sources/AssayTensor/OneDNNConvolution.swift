import CDNNL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 2-D convolution forward and backward-data through oneDNN (what PyTorch uses on
/// CPU), with NCHW / OIHW tensors at the boundary: each call reorders its operands
/// into the blocked layouts oneDNN picks for the shape (`format_tag any`), runs the
/// primitive, and reorders the result back, as PyTorch does.
///
/// Threads: the batch is cut into chunks of images whose size depends only on the
/// batch (`chunkSize`), and our workers take chunks, each running oneDNN on one
/// OpenMP thread. oneDNN's own OpenMP threads would spin-wait between calls and
/// take cores from the workers of the ops in between (measured: training 1.7–2×
/// slower on two cores under load); its kernels on one thread compute every output
/// element as one dot product in an order fixed by the shape, so the bytes cannot
/// depend on the worker count (TensorThreadsTests holds them to it across many
/// shapes). Backward-weights sums over the batch, and oneDNN splits that sum by its
/// thread count, so it too runs per chunk on one thread, each chunk into its own
/// accumulator, and the caller adds the chunks up in chunk order (`PartialSums`).
enum OneDNNConvolution {
    /// Which primitive a cached entry runs.
    enum Pass: Hashable {
        case forwardTraining, forwardInference, backwardData, backwardWeights
    }

    /// Everything a primitive depends on (`batch` is a chunk's image count).
    struct Key: Hashable {
        let batch: Int, channels: Int, height: Int, width: Int, filters: Int
        let kernel: Size2, stride: Size2, padding: Size2, dilation: Size2
        let hasBias: Bool
        let pass: Pass

        /// The key of `pass` over a chunk of `batch` images of this layer.
        init(_ geo: ConvGeometry, batch: Int, filters: Int, hasBias: Bool, pass: Pass) {
            (self.batch, channels, height, width, self.filters) = (batch, geo.channels, geo.height, geo.width, filters)
            (kernel, stride, padding, dilation) = (geo.kernel, geo.stride, geo.padding, geo.dilation)
            (self.hasBias, self.pass) = (hasBias, pass)
        }
    }

    /// The multiply-adds of the GEMM the convolution replaces (2·filters·patch·pixels per image),
    /// so benchmarks state convolution throughput as they did when it was one.
    private static func countFlops(_ geo: ConvGeometry, batch: Int, filters: Int) {
        if GEMMCounter.enabled { GEMMCounter.add(2 * batch * filters * geo.outputPlane * geo.patchSize) }
    }

    /// Images per chunk: about 8 chunks, so two to eight workers stay busy.
    static func chunkSize(batch: Int) -> Int { max(1, (batch + 7) / 8) }

    /// The batch's chunks (`chunkSize` images each, the last maybe fewer).
    static func chunks(batch: Int) -> Chunks { Chunks(batch, size: chunkSize(batch: batch)) }

    /// Runs `body(primitive, images, chunk)` for each chunk of the batch on the scoped workers.
    private static func forEachChunk(batch: Int, key: (Int) -> Key, _ body: (ConvolutionPrimitive, Range<Int>, Int) -> Void) {
        let chunks = chunks(batch: batch)
        TensorThreads.forEachChunk(chunks.count, workers: TensorThreads.count) { indices in
            OpenMP.setThreads(1)
            for index in indices {
                let images = chunks.range(index)
                body(ConvolutionPrimitive.cached(key(images.count)), images, index)
            }
        }
    }

    /// The weights, which every chunk reads whole, reordered once for all chunks (the layout the
    /// first chunk's primitive reads, operand `index`) rather than once per chunk: measured, those
    /// per-chunk copies were a tenth of SegNet's oneDNN time. A chunk whose primitive reads another
    /// layout (a shorter last chunk may) reorders its own.
    private struct SharedWeights {
        let operand: OneDNNPrimitive.Operand
        let pointer: UnsafeMutableRawPointer
        let reordered: UnsafeMutableRawPointer?

        init(batch: Int, key: (Int) -> Key, operand index: Int, pointer: UnsafePointer<Float>) {
            OpenMP.setThreads(1)  // a reorder on oneDNN's thread team would leave it spinning
            let primitive = ConvolutionPrimitive.cached(key(OneDNNConvolution.chunks(batch: batch).range(0).count))
            operand = primitive.operands[index]
            self.pointer = UnsafeMutableRawPointer(mutating: pointer)
            reordered = primitive.primitive.reordered(operand, from: self.pointer)
        }

        func argument(_ id: Int32, for operand: OneDNNPrimitive.Operand) -> OneDNNPrimitive.Argument {
            if let reordered, operand.hasInnerLayout(of: self.operand) { return .init(id, reordered, operand, isReordered: true) }
            return .init(id, pointer, operand)
        }

        func release() { reordered?.deallocate() }
    }

    /// y = conv(x, w) + b into `output` ([N, F, outH, outW], NCHW).
    static func forward(_ geo: ConvGeometry, batch: Int, filters: Int, training: Bool,
                        input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        let (inStride, outStride) = (geo.channels * geo.inputPlane, filters * geo.outputPlane)
        countFlops(geo, batch: batch, filters: filters)
        let key: (Int) -> Key = {
            Key(geo, batch: $0, filters: filters, hasBias: bias != nil, pass: training ? .forwardTraining : .forwardInference)
        }
        let weights = SharedWeights(batch: batch, key: key, operand: 1, pointer: weight)
        defer { weights.release() }
        forEachChunk(batch: batch, key: key) { primitive, images, _ in
            var arguments = [
                OneDNNPrimitive.Argument(DNNL_ARG_SRC, UnsafeMutableRawPointer(mutating: input + images.lowerBound * inStride), primitive.operands[0]),
                weights.argument(DNNL_ARG_WEIGHTS, for: primitive.operands[1]),
                OneDNNPrimitive.Argument(DNNL_ARG_DST, UnsafeMutableRawPointer(output + images.lowerBound * outStride), primitive.operands[2]),
            ]
            if let bias { arguments.append(.init(DNNL_ARG_BIAS, UnsafeMutableRawPointer(mutating: bias), primitive.operands[3])) }
            primitive.primitive.execute(arguments)
        }
    }

    /// dx = convᵀ(dy, w) into `inputGradient` ([N, C, H, W], NCHW; overwritten).
    static func backwardData(_ geo: ConvGeometry, batch: Int, filters: Int,
                             outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             inputGradient: UnsafeMutablePointer<Float>) {
        let (inStride, outStride) = (geo.channels * geo.inputPlane, filters * geo.outputPlane)
        countFlops(geo, batch: batch, filters: filters)
        let key: (Int) -> Key = {
            Key(geo, batch: $0, filters: filters, hasBias: false, pass: .backwardData)
        }
        let weights = SharedWeights(batch: batch, key: key, operand: 1, pointer: weight)
        defer { weights.release() }
        forEachChunk(batch: batch, key: key) { primitive, images, _ in
            primitive.primitive.execute([
                .init(DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(mutating: outputGradient + images.lowerBound * outStride), primitive.operands[0]),
                weights.argument(DNNL_ARG_WEIGHTS, for: primitive.operands[1]),
                .init(DNNL_ARG_DIFF_SRC, UnsafeMutableRawPointer(inputGradient + images.lowerBound * inStride), primitive.operands[2]),
            ])
        }
    }

    /// dW (and db) of each chunk of the batch into that chunk's accumulator: `weightParts[chunk]`
    /// ([F, C, kh, kw], OIHW) and `biasParts[chunk]` ([F]) are overwritten. Both hold one
    /// accumulator per chunk of `chunks(batch:)`; the caller adds them up in chunk order.
    static func backwardWeights(_ geo: ConvGeometry, batch: Int, filters: Int,
                                input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                weightParts: PartialSums, biasParts: PartialSums?) {
        let (inStride, outStride) = (geo.channels * geo.inputPlane, filters * geo.outputPlane)
        precondition(weightParts.count == chunks(batch: batch).count && weightParts.length == filters * geo.patchSize,
                     "OneDNNConvolution.backwardWeights: one [F, C, kh, kw] accumulator per chunk expected")
        countFlops(geo, batch: batch, filters: filters)
        forEachChunk(batch: batch, key: {
            Key(geo, batch: $0, filters: filters, hasBias: biasParts != nil, pass: .backwardWeights)
        }) { primitive, images, chunk in
            var arguments: [OneDNNPrimitive.Argument] = [
                .init(DNNL_ARG_SRC, UnsafeMutableRawPointer(mutating: input + images.lowerBound * inStride), primitive.operands[0]),
                .init(DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(mutating: outputGradient + images.lowerBound * outStride), primitive.operands[1]),
                .init(DNNL_ARG_DIFF_WEIGHTS, UnsafeMutableRawPointer(weightParts[chunk]), primitive.operands[2]),
            ]
            if let biasParts { arguments.append(.init(DNNL_ARG_DIFF_BIAS, UnsafeMutableRawPointer(biasParts[chunk]), primitive.operands[3])) }
            primitive.primitive.execute(arguments)
        }
    }
}

/// One cached convolution primitive with its operands, created on first use of a key.
final class ConvolutionPrimitive: @unchecked Sendable {
    let primitive: OneDNNPrimitive
    /// Forward: src, weights, dst, bias. Backward-data: diff_dst, weights, diff_src.
    /// Backward-weights: src, diff_dst, diff_weights, diff_bias.
    let operands: [OneDNNPrimitive.Operand]

    private init(_ key: OneDNNConvolution.Key) {
        let src = OneDNN.descriptor([key.batch, key.channels, key.height, key.width], dnnl_format_tag_any)
        let weights = OneDNN.descriptor([key.filters, key.channels, key.kernel.h, key.kernel.w], dnnl_format_tag_any)
        let outHeight = (key.height + 2 * key.padding.h - key.dilation.h * (key.kernel.h - 1) - 1) / key.stride.h + 1
        let outWidth = (key.width + 2 * key.padding.w - key.dilation.w * (key.kernel.w - 1) - 1) / key.stride.w + 1
        let dstDims = [key.batch, key.filters, outHeight, outWidth]
        let dst = OneDNN.descriptor(dstDims, dnnl_format_tag_any)
        let bias = OneDNN.descriptor([key.filters], dnnl_x)
        let strides = [Int64(key.stride.h), Int64(key.stride.w)]
        // oneDNN counts dilation from 0 (no gap), PyTorch from 1.
        let dilates = [Int64(key.dilation.h - 1), Int64(key.dilation.w - 1)]
        let padding = [Int64(key.padding.h), Int64(key.padding.w)]

        func forwardDescriptor(_ prop: dnnl_prop_kind_t, withBias: Bool) -> dnnl_convolution_desc_t {
            var desc = dnnl_convolution_desc_t()
            var (s, w, b, d) = (src, weights, bias, dst)
            let status = withUnsafePointer(to: &b) { b in
                dnnl_dilated_convolution_forward_desc_init(&desc, prop, dnnl_convolution_direct, &s, &w, withBias ? b : nil, &d,
                                                           strides, dilates, padding, padding)
            }
            OneDNN.check(status, "convolution forward descriptor \(key)")
            return desc
        }

        let userSource = [key.batch, key.channels, key.height, key.width]
        let userWeights = [key.filters, key.channels, key.kernel.h, key.kernel.w]
        switch key.pass {
        case .forwardTraining, .forwardInference:
            var desc = forwardDescriptor(key.pass == .forwardTraining ? dnnl_forward_training : dnnl_forward_inference, withBias: key.hasBias)
            primitive = OneDNNPrimitive(descriptor: &desc, hint: nil)
            operands = [
                primitive.operand(dnnl_query_src_md, user: OneDNN.descriptor(userSource, dnnl_nchw), isInput: true),
                primitive.operand(dnnl_query_weights_md, user: OneDNN.descriptor(userWeights, dnnl_oihw), isInput: true),
                primitive.operand(dnnl_query_dst_md, user: OneDNN.descriptor(dstDims, dnnl_nchw), isInput: false),
            ] + (key.hasBias ? [primitive.operand(dnnl_query_weights_md, index: 1, user: bias, isInput: true)] : [])
        case .backwardData:
            // oneDNN needs the matching forward primitive's description as a hint.
            var forward = forwardDescriptor(dnnl_forward_training, withBias: false)
            let hint = OneDNNPrimitive.descriptor(&forward, hint: nil)
            defer { dnnl_primitive_desc_destroy(hint) }
            var desc = dnnl_convolution_desc_t()
            var (s, w, d) = (src, weights, dst)
            OneDNN.check(dnnl_dilated_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &s, &w, &d,
                                                                          strides, dilates, padding, padding),
                         "convolution backward-data descriptor \(key)")
            primitive = OneDNNPrimitive(descriptor: &desc, hint: hint)
            operands = [
                primitive.operand(dnnl_query_diff_dst_md, user: OneDNN.descriptor(dstDims, dnnl_nchw), isInput: true),
                primitive.operand(dnnl_query_weights_md, user: OneDNN.descriptor(userWeights, dnnl_oihw), isInput: true),
                primitive.operand(dnnl_query_diff_src_md, user: OneDNN.descriptor(userSource, dnnl_nchw), isInput: false),
            ]
        case .backwardWeights:
            var forward = forwardDescriptor(dnnl_forward_training, withBias: key.hasBias)
            let hint = OneDNNPrimitive.descriptor(&forward, hint: nil)
            defer { dnnl_primitive_desc_destroy(hint) }
            var desc = dnnl_convolution_desc_t()
            var (s, w, b, d) = (src, weights, bias, dst)
            let status = withUnsafePointer(to: &b) { b in
                dnnl_dilated_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &s, &w, key.hasBias ? b : nil, &d,
                                                                    strides, dilates, padding, padding)
            }
            OneDNN.check(status, "convolution backward-weights descriptor \(key)")
            primitive = OneDNNPrimitive(descriptor: &desc, hint: hint)
            operands = [
                primitive.operand(dnnl_query_src_md, user: OneDNN.descriptor(userSource, dnnl_nchw), isInput: true),
                primitive.operand(dnnl_query_diff_dst_md, user: OneDNN.descriptor(dstDims, dnnl_nchw), isInput: true),
                primitive.operand(dnnl_query_diff_weights_md, user: OneDNN.descriptor(userWeights, dnnl_oihw), isInput: false),
            ] + (key.hasBias ? [primitive.operand(dnnl_query_diff_weights_md, index: 1, user: bias, isInput: false)] : [])
        }
    }

    private nonisolated(unsafe) static var cache: [OneDNNConvolution.Key: ConvolutionPrimitive] = [:]
    private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        return mutex
    }()

    /// The primitive for `key`, created once per process (a network has a few dozen
    /// distinct layer shapes; primitives hold JIT code, so creating them per call costs).
    static func cached(_ key: OneDNNConvolution.Key) -> ConvolutionPrimitive {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let found = cache[key] { return found }
        // oneDNN plans a primitive's work split for the calling thread's OpenMP thread count:
        // planned for more than the one thread it runs on, it would start a spinning team.
        OpenMP.setThreads(1)
        let made = ConvolutionPrimitive(key)
        cache[key] = made
        return made
    }
}

/// Shared oneDNN state and error checking.
enum OneDNN {
    /// The CPU engine every primitive runs on.
    static let engine: dnnl_engine_t = {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "CPU engine creation")
        return engine!
    }()

    /// A failed oneDNN call means a shape the checker let through that oneDNN
    /// cannot run, or a broken installation: a programming error, not bad input.
    static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        precondition(status == dnnl_success, "oneDNN: \(what()) failed (status \(status.rawValue))")
    }

    /// An f32 memory descriptor of `dims` in layout `tag`.
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        let sizes = dims.map(Int64.init)
        check(dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), sizes, dnnl_f32, tag), "memory descriptor \(dims)")
        return desc
    }
}

/// OpenMP's thread count for the calling thread, which oneDNN reads when it creates
/// and runs a primitive (always 1 here: see `OneDNNConvolution`). libgomp comes with libdnnl,
/// which CDNNL opens on first use and finds it in.
enum OpenMP {
    static func setThreads(_ count: Int) { assay_omp_set_num_threads(Int32(count)) }
}
