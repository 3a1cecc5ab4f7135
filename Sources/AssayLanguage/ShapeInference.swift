import AssaySupport

/// Infers every layer's shapes and tensors from the model's input shape, reporting what cannot work.
struct ShapeInference {
    let modelName: String
    var diagnostics: [Diagnostic] = []

    init(modelName: String) { self.modelName = modelName }

    /// Resolves the layers; returns nil for the rest of the list once a shape cannot be inferred.
    mutating func run(_ decls: [LayerDecl], input: [Int]) -> [LayerSpec]? {
        var shape = input
        var specs: [LayerSpec] = []
        var byName: [String: LayerSpec] = [:]
        for (index, decl) in decls.enumerated() {
            let path = decl.path ?? decl.name ?? String(index)
            let name = decl.name ?? path
            let shown = decl.name.map { "`\($0)`" } ?? "layer \(index) (`\(decl.kind.rawValue)`)"
            guard let spec = layer(decl, name: name, shown: shown, path: path, input: shape, earlier: byName) else { return nil }
            // Keep every later computation far from integer overflow.
            let elements = TensorSpec(name: "", shape: spec.outputShape).elementCount
            if spec.outputShape.contains(where: { $0 > 1 << 24 }) || elements > 1 << 40 || spec.tensors.contains(where: { $0.elementCount > 1 << 40 }) {
                fail("out-of-range", "\(shown) produces \(shapeText(spec.outputShape)), far larger than any model Assay can run", decl,
                     help: ["check the sizes and channel counts of this layer and the ones before it"])
                return nil
            }
            specs.append(spec)
            byName[name] = spec
            if byName[path] == nil { byName[path] = spec }
            shape = spec.outputShape
        }
        return specs
    }

    private mutating func fail(_ id: MessageID, _ message: String, _ decl: LayerDecl, label: String? = nil, help: [String] = [], notes: [DiagnosticNote] = []) {
        diagnostics.append(.error(id, message, at: decl.span, label: label, notes: notes, help: help, path: decl.dataPath))
    }

    private func pair(_ decl: LayerDecl, _ key: String, default d: [Int]) -> [Int] {
        guard let v = decl.args[key] else { return d }
        if let i = v.intValue { return [i, i] }
        if let l = v.intList, l.count == 2 { return l }
        if let l = v.intList, l.count == 1 { return [l[0], l[0]] }
        return d
    }

    private func shapeText(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    private mutating func requireImage(_ decl: LayerDecl, _ input: [Int]) -> Bool {
        if input.count == 3 { return true }
        fail("expected-image-input", "`\(decl.kind.rawValue)` needs an image-shaped input [C, H, W], but receives \(shapeText(input))", decl,
             label: "input is \(shapeText(input))", help: ["move this layer before `flatten` / `global-avgpool`, or use `linear` on vectors"])
        return false
    }

    static func convTensors(_ path: String, out: Int, inPerGroup: Int, kernel: [Int], bias: Bool, transposed: Bool = false) -> [TensorSpec] {
        var t = [TensorSpec(name: "\(path).weight", shape: transposed ? [inPerGroup, out, kernel[0], kernel[1]] : [out, inPerGroup, kernel[0], kernel[1]])]
        if bias { t.append(TensorSpec(name: "\(path).bias", shape: [out])) }
        return t
    }

    static func batchnormTensors(_ path: String, _ features: Int) -> [TensorSpec] {
        [
            TensorSpec(name: "\(path).weight", shape: [features]), TensorSpec(name: "\(path).bias", shape: [features]),
            TensorSpec(name: "\(path).running_mean", shape: [features], trainable: false),
            TensorSpec(name: "\(path).running_var", shape: [features], trainable: false),
            TensorSpec(name: "\(path).num_batches_tracked", shape: [], trainable: false),
        ]
    }

    static func pairValue(_ p: [Int]) -> CanonicalValue { .list(p.map { .int($0) }) }

    /// A convolution child of a composite layer (no checks: composites are validated as a whole).
    static func convChild(_ path: String, name: String, input: [Int], out: Int, kernel: Int, stride: Int = 1, pad: Int = 0, bias: Bool = true) -> LayerSpec {
        let h = (input[1] + 2 * pad - kernel) / stride + 1, w = (input[2] + 2 * pad - kernel) / stride + 1
        return LayerSpec(
            kind: .conv, name: name, path: path,
            attributes: [
                "in": .int(input[0]), "out": .int(out), "kernel": pairValue([kernel, kernel]), "stride": pairValue([stride, stride]),
                "padding": pairValue([pad, pad]), "dilation": pairValue([1, 1]), "groups": 1, "bias": .bool(bias),
            ],
            inputShape: input, outputShape: [out, h, w],
            tensors: convTensors(path, out: out, inPerGroup: input[0], kernel: [kernel, kernel], bias: bias))
    }

    static func batchnormChild(_ path: String, name: String, shape: [Int]) -> LayerSpec {
        LayerSpec(kind: .batchnorm, name: name, path: path, attributes: ["features": .int(shape[0]), "eps": .double(1e-5), "momentum": .double(0.1)],
                  inputShape: shape, outputShape: shape, tensors: batchnormTensors(path, shape[0]))
    }

    static func reluChild(_ path: String, name: String, shape: [Int]) -> LayerSpec {
        LayerSpec(kind: .relu, name: name, path: path, attributes: [:], inputShape: shape, outputShape: shape)
    }

    private mutating func layer(_ decl: LayerDecl, name: String, shown: String, path: String, input: [Int], earlier: [String: LayerSpec]) -> LayerSpec? {
        func spec(_ attributes: [String: CanonicalValue], _ output: [Int], _ tensors: [TensorSpec] = [], _ children: [LayerSpec] = []) -> LayerSpec {
            LayerSpec(kind: decl.kind, name: name, path: path, attributes: attributes, inputShape: input, outputShape: output, tensors: tensors, children: children)
        }
        switch decl.kind {
        case .conv, .convTranspose:
            guard requireImage(decl, input) else { return nil }
            let out = decl.args["out"]?.intValue ?? 1
            let kernel = pair(decl, "kernel", default: decl.kind == .conv ? [3, 3] : [2, 2])
            let stride = pair(decl, "stride", default: decl.kind == .conv ? [1, 1] : [2, 2])
            let pad = pair(decl, "pad", default: [0, 0])
            let dilation = pair(decl, "dilation", default: [1, 1])
            let groups = decl.args["groups"]?.intValue ?? 1
            let bias = decl.args["bias"]?.boolValue ?? true
            if input[0] % groups != 0 || out % groups != 0 {
                fail("bad-groups", "`groups: \(groups)` must divide both the input channels (\(input[0])) and the output channels (\(out))", decl)
                return nil
            }
            if groups != 1 {
                // The checker knows the shapes of a grouped convolution, but the tensor engine only runs groups = 1.
                fail("unsupported-layer-option", "\(shown) has `groups: \(groups)`: grouped convolutions are not supported by the tensor engine", decl,
                     label: "groups: \(groups)", help: ["remove `groups:` (a full convolution), or split the channels into separate layers joined by `concat`"])
                return nil
            }
            var attributes: [String: CanonicalValue] = [
                "in": .int(input[0]), "out": .int(out), "kernel": Self.pairValue(kernel), "stride": Self.pairValue(stride),
                "padding": Self.pairValue(pad), "dilation": Self.pairValue(dilation), "groups": .int(groups), "bias": .bool(bias),
            ]
            var output = [out, 0, 0]
            if decl.kind == .conv {
                for axis in 0..<2 {
                    let extent = input[axis + 1] + 2 * pad[axis]
                    let reach = dilation[axis] * (kernel[axis] - 1) + 1
                    if extent < reach {
                        fail("kernel-too-large",
                             "the \(kernel[0])×\(kernel[1]) kernel of \(shown) is larger than its \(input[1])×\(input[2]) input (padded: \(input[1] + 2 * pad[0])×\(input[2] + 2 * pad[1]))",
                             decl, label: "kernel \(kernel[0])×\(kernel[1]) on \(input[1])×\(input[2])",
                             help: ["use a smaller kernel, add `pad:`, or remove a pooling layer before this one"])
                        return nil
                    }
                    output[axis + 1] = (extent - reach) / stride[axis] + 1
                }
                return spec(attributes, output, Self.convTensors(path, out: out, inPerGroup: input[0] / groups, kernel: kernel, bias: bias))
            }
            let outputPad = pair(decl, "output-pad", default: [0, 0])
            attributes["output-padding"] = Self.pairValue(outputPad)
            if outputPad[0] >= stride[0] || outputPad[1] >= stride[1] {
                // As PyTorch: the extra size must be smaller than the stride, or the output has pixels no input reaches.
                fail("out-of-range", "\(shown) has `output-pad: \(shapeText(outputPad))`, which must be smaller than its stride \(shapeText(stride))", decl,
                     label: "output-pad \(shapeText(outputPad))", help: ["use `output-pad:` below the stride, or a larger `stride:`"])
                return nil
            }
            for axis in 0..<2 {
                output[axis + 1] = (input[axis + 1] - 1) * stride[axis] - 2 * pad[axis] + dilation[axis] * (kernel[axis] - 1) + outputPad[axis] + 1
                if output[axis + 1] < 1 {
                    fail("kernel-too-large", "\(shown) would produce an empty output from a \(input[1])×\(input[2]) input", decl)
                    return nil
                }
            }
            var tensors = Self.convTensors(path, out: out / groups, inPerGroup: input[0], kernel: kernel, bias: false, transposed: true)
            if bias { tensors.append(TensorSpec(name: "\(path).bias", shape: [out])) }
            return spec(attributes, output, tensors)
        case .batchnorm:
            let features = input[0]
            return spec(
                ["features": .int(features), "eps": .double(decl.args["eps"]?.doubleValue ?? 1e-5), "momentum": .double(decl.args["momentum"]?.doubleValue ?? 0.1)],
                input, Self.batchnormTensors(path, features))
        case .relu, .tanh, .sigmoid:
            return spec([:], input)
        case .leakyRelu:
            return spec(["slope": .double(decl.args["slope"]?.doubleValue ?? 0.01)], input)
        case .dropout:
            let p = decl.args["p"]?.doubleValue ?? 0.5
            if p >= 1 {
                fail("out-of-range", "dropout probability \(p) must be below 1", decl)
                return nil
            }
            return spec(["p": .double(p)], input)
        case .maxpool, .avgpool:
            guard requireImage(decl, input) else { return nil }
            let kernel = pair(decl, "kernel", default: [2, 2])
            let stride = pair(decl, "stride", default: kernel)
            let pad = pair(decl, "pad", default: [0, 0])
            let ceil = decl.args["ceil"]?.boolValue ?? false
            if pad[0] * 2 > kernel[0] || pad[1] * 2 > kernel[1] {
                fail("out-of-range", "pooling padding \(pad) must be at most half the kernel \(kernel)", decl)
                return nil
            }
            var output = [input[0], 0, 0]
            for axis in 0..<2 {
                let extent = input[axis + 1] + 2 * pad[axis]
                if extent < kernel[axis] {
                    fail("kernel-too-large",
                         "the \(kernel[0])×\(kernel[1]) window of \(shown) is larger than its \(input[1])×\(input[2]) input",
                         decl, label: "window \(kernel[0])×\(kernel[1]) on \(input[1])×\(input[2])",
                         help: ["use a smaller window, or remove a pooling layer before this one"])
                    return nil
                }
                let span = extent - kernel[axis]
                var o = (ceil ? (span + stride[axis] - 1) / stride[axis] : span / stride[axis]) + 1
                // PyTorch: the last window must start inside the input or left padding.
                if ceil, (o - 1) * stride[axis] >= input[axis + 1] + pad[axis] { o -= 1 }
                output[axis + 1] = o
            }
            var attributes: [String: CanonicalValue] = [
                "kernel": Self.pairValue(kernel), "stride": Self.pairValue(stride), "padding": Self.pairValue(pad), "ceil": .bool(ceil),
            ]
            if decl.kind == .avgpool { attributes["count-include-pad"] = .bool(decl.args["count-include-pad"]?.boolValue ?? true) }
            return spec(attributes, output)
        case .adaptiveAvgpool:
            guard requireImage(decl, input) else { return nil }
            let size = pair(decl, "size", default: [1, 1])
            return spec(["size": Self.pairValue(size)], [input[0], size[0], size[1]])
        case .globalAvgpool:
            guard requireImage(decl, input) else { return nil }
            return spec([:], [input[0]])
        case .flatten:
            return spec([:], [input.reduce(1, *)])
        case .unpool:
            let of = decl.args["of"]?.stringValue ?? ""
            guard let pool = earlier[of], pool.kind == .maxpool else {
                let pools = earlier.values.filter { $0.kind == .maxpool }.map(\.name)
                var help = ["name an earlier `maxpool` layer, e.g. `- pool1: { maxpool: 2 }`, and write `unpool: pool1`"]
                if let s = EditDistance.suggestion(for: of, among: pools) { help.insert("did you mean `\(s)`?", at: 0) }
                let what = earlier[of] == nil ? "no earlier layer is named `\(of)`" : "`\(of)` is a \(earlier[of]!.kind.rawValue), not a maxpool"
                fail("unpool-without-pool", "\(shown) unpools with the indices of `\(of)`, but \(what)", decl, label: "needs a maxpool", help: help)
                return nil
            }
            if pool.outputShape != input {
                fail("unpool-shape-mismatch",
                     "\(shown) receives \(shapeText(input)) but `\(of)` produced indices of shape \(shapeText(pool.outputShape))",
                     decl, label: "input \(shapeText(input))", help: ["unpool must receive a tensor shaped like its pool's output; check the channels of the layers in between"])
                return nil
            }
            return spec(["of": .string(pool.path), "size": Self.pairValue([pool.inputShape[1], pool.inputShape[2]])], pool.inputShape)
        case .fire:
            guard requireImage(decl, input) else { return nil }
            let s = decl.args["squeeze"]?.intValue ?? 1, e1 = decl.args["expand1"]?.intValue ?? 1, e3 = decl.args["expand3"]?.intValue ?? 1
            let bn = decl.args["batch-norm"]?.boolValue ?? false
            let squeezed = [s, input[1], input[2]]
            // Each conv, then its batch norm (with `batch-norm: true`), then its ReLU: the module's order.
            func unit(_ conv: String, input: [Int], out: Int, kernel: Int, pad: Int = 0, activation: String) -> [LayerSpec] {
                let shape = [out, input[1], input[2]]
                return [Self.convChild("\(path).\(conv)", name: "\(name).\(conv)", input: input, out: out, kernel: kernel, pad: pad)]
                    + (bn ? [Self.batchnormChild("\(path).\(conv)_bn", name: "\(name).\(conv)_bn", shape: shape)] : [])
                    + [Self.reluChild("\(path).\(activation)", name: "\(name).\(activation)", shape: shape)]
            }
            let children = unit("squeeze", input: input, out: s, kernel: 1, activation: "squeeze_activation")
                + unit("expand1x1", input: squeezed, out: e1, kernel: 1, activation: "expand1x1_activation")
                + unit("expand3x3", input: squeezed, out: e3, kernel: 3, pad: 1, activation: "expand3x3_activation")
            return spec(["in": .int(input[0]), "squeeze": .int(s), "expand1": .int(e1), "expand3": .int(e3), "batch-norm": .bool(bn)],
                        [e1 + e3, input[1], input[2]], [], children)
        case .squeezeDecoder:
            guard requireImage(decl, input) else { return nil }
            let s = decl.args["squeeze"]?.intValue ?? 1, e1 = decl.args["expand1"]?.intValue ?? 1, e3 = decl.args["expand3"]?.intValue ?? 1
            let bn = decl.args["batch-norm"]?.boolValue ?? false
            let expanded = [e1 + e3, input[1], input[2]]
            // Each conv followed by its batch norm (with `batch-norm: true`), in the module's order.
            func normalized(_ conv: String, input: [Int], out: Int, kernel: Int, pad: Int = 0) -> [LayerSpec] {
                [Self.convChild("\(path).\(conv)", name: "\(name).\(conv)", input: input, out: out, kernel: kernel, pad: pad)]
                    + (bn ? [Self.batchnormChild("\(path).\(conv)_bn", name: "\(name).\(conv)_bn", shape: [out, input[1], input[2]])] : [])
            }
            let children = normalized("expand1x1", input: input, out: e1, kernel: 1)
                + normalized("expand3x3", input: input, out: e3, kernel: 3, pad: 1)
                + [Self.reluChild("\(path).expand_activation", name: "\(name).expand_activation", shape: expanded)]
                + normalized("squeeze", input: expanded, out: s, kernel: 1)
                + [Self.reluChild("\(path).squeeze_activation", name: "\(name).squeeze_activation", shape: [s, input[1], input[2]])]
            return spec(["in": .int(input[0]), "expand1": .int(e1), "expand3": .int(e3), "squeeze": .int(s), "batch-norm": .bool(bn)],
                        [s, input[1], input[2]], [], children)
        case .residual:
            guard requireImage(decl, input) else { return nil }
            let planes = decl.args["planes"]?.intValue ?? 1
            let bottleneck = decl.args["block"]?.stringValue == "bottleneck"
            let stride = decl.args["stride"]?.intValue ?? 1
            let out = bottleneck ? planes * 4 : planes
            let h = (input[1] + 2 - 3) / stride + 1, w = (input[2] + 2 - 3) / stride + 1
            if h < 1 || w < 1 {
                fail("kernel-too-large", "the residual block \(shown) (stride \(stride)) is larger than its \(input[1])×\(input[2]) input", decl)
                return nil
            }
            let outShape = [out, h, w]
            let needed = stride != 1 || input[0] != out
            let requested = decl.args["downsample"]?.stringValue ?? "auto"
            let downsample = requested == "auto" ? needed : requested == "true"
            if downsample && !needed {
                // torchvision's blocks project the shortcut exactly when the shapes differ; the engine builds only those.
                fail("unsupported-layer-option",
                     "the residual block \(shown) asks for `downsample: true`, but its input and output shapes are equal (\(shapeText(input))): the tensor engine projects the shortcut only when they differ",
                     decl, label: "downsample: true", help: ["remove `downsample:` (auto), or change `stride:`/`planes:` so the shapes differ"])
                return nil
            }
            if !downsample && needed {
                fail("residual-shape-mismatch",
                     "the residual block \(shown) adds its output \(shapeText(outShape)) to its input \(shapeText(input)): the shapes differ",
                     decl, label: "output \(shapeText(outShape)) + shortcut \(shapeText(input))",
                     help: ["remove `downsample: false` so a 1×1 projection matches the shapes, or use `stride: 1` and `planes: \(input[0])`"])
                return nil
            }
            var children: [LayerSpec] = []
            if bottleneck {
                let a = [planes, input[1], input[2]]
                children.append(Self.convChild("\(path).conv1", name: "\(name).conv1", input: input, out: planes, kernel: 1, bias: false))
                children.append(Self.batchnormChild("\(path).bn1", name: "\(name).bn1", shape: a))
                children.append(Self.convChild("\(path).conv2", name: "\(name).conv2", input: a, out: planes, kernel: 3, stride: stride, pad: 1, bias: false))
                children.append(Self.batchnormChild("\(path).bn2", name: "\(name).bn2", shape: [planes, h, w]))
                children.append(Self.convChild("\(path).conv3", name: "\(name).conv3", input: [planes, h, w], out: out, kernel: 1, bias: false))
                children.append(Self.batchnormChild("\(path).bn3", name: "\(name).bn3", shape: outShape))
            } else {
                children.append(Self.convChild("\(path).conv1", name: "\(name).conv1", input: input, out: planes, kernel: 3, stride: stride, pad: 1, bias: false))
                children.append(Self.batchnormChild("\(path).bn1", name: "\(name).bn1", shape: outShape))
                children.append(Self.convChild("\(path).conv2", name: "\(name).conv2", input: outShape, out: planes, kernel: 3, pad: 1, bias: false))
                children.append(Self.batchnormChild("\(path).bn2", name: "\(name).bn2", shape: outShape))
            }
            if downsample {
                children.append(Self.convChild("\(path).downsample.0", name: "\(name).downsample.0", input: input, out: out, kernel: 1, stride: stride, bias: false))
                children.append(Self.batchnormChild("\(path).downsample.1", name: "\(name).downsample.1", shape: outShape))
            }
            return spec(
                ["block": .string(bottleneck ? "bottleneck" : "basic"), "in": .int(input[0]), "planes": .int(planes), "out": .int(out),
                 "stride": .int(stride), "downsample": .bool(downsample)],
                outShape, [], children)
        case .linear:
            guard input.count == 1 else {
                fail("expected-flat-input", "\(shown) (linear) needs a vector input, but receives \(shapeText(input))", decl,
                     label: "input is \(shapeText(input))", help: ["add `- flatten` (→ [\(input.reduce(1, *))]) or `- global-avgpool` (→ [\(input[0])]) before it"])
                return nil
            }
            let out = decl.args["out"]?.intValue ?? 1
            let bias = decl.args["bias"]?.boolValue ?? true
            var tensors = [TensorSpec(name: "\(path).weight", shape: [out, input[0]])]
            if bias { tensors.append(TensorSpec(name: "\(path).bias", shape: [out])) }
            return spec(["in": .int(input[0]), "out": .int(out), "bias": .bool(bias)], [out], tensors)
        case .concat, .add:
            let names = decl.args["with"]?.listValue?.compactMap(\.stringValue) ?? []
            var output = input
            var paths: [CanonicalValue] = []
            for other in names {
                guard let layer = earlier[other] else {
                    var help = ["name an earlier layer of this model"]
                    if let s = EditDistance.suggestion(for: other, among: earlier.keys) { help.insert("did you mean `\(s)`?", at: 0) }
                    fail("unknown-layer", "\(shown) combines with `\(other)`, but no earlier layer has that name", decl, help: help)
                    return nil
                }
                paths.append(.string(layer.path))
                let shape = layer.outputShape
                if decl.kind == .add {
                    if shape != input {
                        fail("residual-shape-mismatch", "\(shown) adds `\(other)` \(shapeText(shape)) to the current tensor \(shapeText(input)): the shapes differ", decl,
                             label: "\(shapeText(input)) + \(shapeText(shape))", help: ["add a 1×1 `conv` or pooling so both sides have the same shape"])
                        return nil
                    }
                } else {
                    if shape.count != input.count || shape.dropFirst() != input.dropFirst() {
                        fail("concat-shape-mismatch", "\(shown) concatenates `\(other)` \(shapeText(shape)) with \(shapeText(input)): only the channel count may differ", decl,
                             label: "\(shapeText(input)) ++ \(shapeText(shape))")
                        return nil
                    }
                    output[0] += shape[0]
                }
            }
            return spec(["with": .list(paths)], output)
        }
    }
}
