/// Transposed 2-D convolution (PyTorch's `conv_transpose2d`): x `[N, Cin, H, W]`,
/// weight `[Cin, Cout, kh, kw]`, bias `[Cout]` → `[N, Cout, outH, outW]` with
/// outH = (H − 1)·s − 2·p + d·(kh − 1) + outputPadding + 1.
///
/// It is the adjoint of conv2d: each input pixel scatters w[cin, :, :, :] · x
/// into the output window. The forward pass is the input gradient of the
/// convolution from y's grid down to x's (weight [Cin, Cout, kh, kw] read as that
/// convolution's [F, C, kh, kw]) and its input gradient is that convolution's
/// forward pass, both on oneDNN (`OneDNNConvolution`, the same bytes on any thread
/// count). Its weight gradient is that convolution's, with dy as the input and x as
/// the output gradient (`convolutionParameterGradients`: per fixed chunk of images,
/// merged in chunk order, so the worker count cannot change it); db = Σ dy, each
/// channel summed over the images in order.
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
    let inStride = cin * h * w, outStride = cout * outH * outW

    var out = TensorPrecision.current == .bf16 ? transposedForwardBF16(x, weight: weight, geo: geo) : x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            uninitializedFloats(n * outStride) {
                OneDNNConvolution.backwardData(geo, batch: n, filters: cin, outputGradient: xb.baseAddress!,
                                               weight: wb.baseAddress!, inputGradient: $0)
            }
        }
    }
    if let bias {
        // One plane per (image, channel): independent additions, shared among the workers.
        let plane = outH * outW
        out.withUnsafeMutableBufferPointer { ob in
            bias.data.withUnsafeBufferPointer { bb in
                TensorThreads.forEachSlice(of: n * cout, minimumPerWorker: max(1, (1 << 15) / plane)) { planes in
                    for p in planes {
                        let (row, b) = (ob.baseAddress! + p * plane, bb[p % cout])
                        for j in 0..<plane { row[j] += b }
                    }
                }
            }
        }
    }

    let parents = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.result(out, shape: [n, cout, outH, outW], parents: parents) { result in
        let needInput = x.requiresGrad, needWeight = weight.requiresGrad
        if needInput {
            let dx = result.grad!.withUnsafeBufferPointer { gb in
                weight.data.withUnsafeBufferPointer { wb in
                    uninitializedFloats(n * inStride) {
                        OneDNNConvolution.forward(geo, batch: n, filters: cin, training: false, input: gb.baseAddress!,
                                                  weight: wb.baseAddress!, bias: nil, output: $0)
                    }
                }
            }
            x.addGrad(dx)
        }
        if needWeight {
            let parts = result.grad!.withUnsafeBufferPointer { gb in
                x.data.withUnsafeBufferPointer { xb in
                    convolutionParameterGradients(geo, batch: n, filters: cin, input: gb.baseAddress!, outputGradient: xb.baseAddress!,
                                                  weight: true, bias: false).weight
                }
            }
            weight.accumulateGrad { parts.addInOrder(into: $0) }
        }
        bias?.accumulateGrad { db in
            // Each channel's sum runs over the images in order on one worker.
            result.grad!.withUnsafeBufferPointer { gb in
                let plane = outH * outW
                TensorThreads.forEachSlice(of: cout) { channels in
                    for ch in channels {
                        for img in 0..<n { db[ch] += laneSum(gb.baseAddress! + img * outStride + ch * plane, plane) }
                    }
                }
            }
        }
    }
}

/// The forward pass with bfloat16 products (``TensorPrecision``): per image, col = Wᵀ · x on our
/// bfloat16 kernel, scattered into the output by col2im. Images are independent.
private func transposedForwardBF16(_ x: Tensor, weight: Tensor, geo: ConvGeometry) -> [Float] {
    let (n, cin) = (x.shape[0], x.shape[1])
    let (k, l) = (geo.patchSize, geo.outHeight * geo.outWidth)
    let inStride = cin * l, outStride = geo.channels * geo.inputPlane
    let workers = TensorThreads.count
    var out = [Float](repeating: 0, count: n * outStride)
    x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
            out.withUnsafeMutableBufferPointer { ob in
                let (X, W, Y) = (xb.baseAddress!, wb.baseAddress!, ob.baseAddress!)
                TensorThreads.forEachChunk(n, workers: workers) { images in
                    let col = UnsafeMutablePointer<Float>.allocate(capacity: k * l)
                    defer { col.deallocate() }
                    for img in images {
                        forwardGEMM(.bf16, transA: true, m: k, n: l, k: cin, a: W, lda: k, b: X + img * inStride, ldb: l, c: col, ldc: l)
                        geo.col2im(col, ld: l, into: Y + img * outStride)
                    }
                }
            }
        }
    }
    return out
}
