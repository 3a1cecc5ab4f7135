/// Transposed 2-D convolution (PyTorch's `conv_transpose2d`): x `[N, Cin, H, W]`,
/// weight `[Cin, Cout, kh, kw]`, bias `[Cout]` → `[N, Cout, outH, outW]` with
/// outH = (H − 1)·s − 2·p + d·(kh − 1) + outputPadding + 1.
///
/// It is the adjoint of conv2d: each input pixel scatters w[cin, :, :, :] · x
/// into the output window. Per image: col[K, L] = Wᵀ · x[Cin, L] then col2im into
/// y (K = Cout·kh·kw, L = H·W). Backward: col = im2col(dy), dx = W · col,
/// dW += x · colᵀ (accumulated per `ReductionChunks` chunk of images and merged in
/// chunk order, so the worker count cannot change it), db = Σ dy.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor?,
                            stride: Size2 = 1, padding: Size2 = 0, outputPadding: Size2 = 0,
                            dilation: Size2 = 1) -> Tensor {
    precondition(x.rank == 4, "convTranspose2d: input must be [N, C, H, W], got \(x.shape)")
    precondition(weight.rank == 4 && weight.shape[0] == x.shape[1],
                 "convTranspose2d: weight \(weight.shape) does not match input channels \(x.shape[1]) (expected [\(x.shape[1]), Cout, kh, kw])")
    let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let cout = weight.shape[1]
    let kernel = Size2(weight.shape[2], weight.shape[3])
    let outH = (h - 1) * stride.h - 2 * padding.h + dilation.h * (kernel.h - 1) + outputPadding.h + 1
    let outW = (w - 1) * stride.w - 2 * padding.w + dilation.w * (kernel.w - 1) + outputPadding.w + 1
    precondition(outH > 0 && outW > 0, "convTranspose2d: output would be \(outH)x\(outW)")
    if let bias { precondition(bias.shape == [cout], "convTranspose2d: bias shape \(bias.shape), expected [\(cout)]") }
    // The convolution whose adjoint this is: from the output image down to x's grid.
    let geo = ConvGeometry(channels: cout, height: outH, width: outW, kernel: kernel,
                           stride: stride, padding: padding, dilation: dilation)
    precondition(geo.outHeight == h && geo.outWidth == w, "convTranspose2d: inconsistent geometry for input \(x.shape)")
    let (k, l) = (geo.patchSize, h * w)
    let inStride = cin * l, outStride = cout * outH * outW

    let workers = TensorThreads.count, precision = TensorPrecision.current
    var out = [Float](repeating: 0, count: n * outStride)
    x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            out.withUnsafeMutableBufferPointer { ob in
                let (X, W, Y) = (xb.baseAddress!, wb.baseAddress!, ob.baseAddress!)
                TensorThreads.forEachChunk(n, workers: workers) { images in
                    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * l)
                    defer { col.deallocate() }
                    for img in images {
                        forwardGEMM(precision, transA: true, m: k, n: l, k: cin, a: W, lda: k, b: X + img * inStride, ldb: l, c: col, ldc: l)
                        geo.col2im(col, ld: l, into: Y + img * outStride)
                    }
                }
            }
        }
    }
    if let bias {
        let plane = outH * outW
        for img in 0..<n {
            for ch in 0..<cout {
                let b = bias.data[ch]
                let base = img * outStride + ch * plane
                for j in 0..<plane { out[base + j] += b }
            }
        }
    }

    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [n, cout, outH, outW], parents: parents) { result in
        let needInput = x.requiresGrad, needWeight = weight.requiresGrad
        let workers = TensorThreads.count
        let reduction = ReductionChunks(parts: n)
        let parts = PartialSums(count: reduction.count, length: needWeight ? cin * k : 0)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            result.grad!.withUnsafeBufferPointer { gb in
                x.data.withUnsafeBufferPointer { xb in
                    weight.data.withUnsafeBufferPointer { wb in
                        let (G, X, W) = (gb.baseAddress!, xb.baseAddress!, wb.baseAddress!)
                        TensorThreads.forEachChunk(reduction.count, workers: workers) { chunks in
                            let col = UnsafeMutablePointer<Float>.allocate(capacity: k * l)
                            defer { col.deallocate() }
                            for chunk in chunks {
                                let dW = parts[chunk]
                                for img in reduction.range(chunk) {
                                    geo.im2col(G + img * outStride, col, ld: l)
                                    if let dx {
                                        sgemm(m: cin, n: l, k: k, a: W, lda: k, b: col, ldb: l, beta: 1, c: dx + img * inStride, ldc: l)
                                    }
                                    if needWeight {
                                        sgemm(transB: true, m: cin, n: k, k: l, a: X + img * inStride, lda: l, b: col, ldb: l,
                                              beta: 1, c: dW, ldc: k)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if needInput { x.accumulateGrad { body($0) } } else { body(nil) }
        if needWeight {
            weight.accumulateGrad { parts.addInOrder(into: $0) }
        }
        bias?.accumulateGrad { db in
            result.grad!.withUnsafeBufferPointer { gb in
                let plane = outH * outW
                for img in 0..<n { for ch in 0..<cout { db[ch] += laneSum(gb.baseAddress! + img * outStride + ch * plane, plane) } }
            }
        }
    }
}
