import AssayLanguage
import AssayNN
import AssayTensor
import Foundation

/// Loading `weights:` (a safetensors file with torchvision-named tensors) into a network built
/// from a checked ``ModelSpec``, and the input normalisation such weights expect.
///
/// Stages that train, attack or visualise a model call ``network(for:baseDirectory:seed:stage:)``
/// (or build the ``SpecNetwork`` themselves and call ``load(into:from:stage:)``):
///
/// ```swift
/// let net = try PretrainedWeights.network(for: spec, baseDirectory: experimentDirectory, seed: 0, stage: "attack")
/// let logits = net(PretrainedWeights.normalize(images, for: spec))
/// ```
///
/// Files written by `safetensors.torch.save_file(model.state_dict(), path)` load as they are:
/// `num_batches_tracked` counters are accepted and ignored, and F16/BF16/F64 tensors are converted
/// to Float32.
public enum PretrainedWeights {
    /// The weights path of `spec` resolved against the experiment's directory (absolute paths stay).
    public static func resolvedPath(_ weights: String, baseDirectory: String) -> String {
        weights.hasPrefix("/") ? weights : URL(fileURLWithPath: baseDirectory).appendingPathComponent(weights).standardizedFileURL.path
    }

    /// Builds the network of `spec` (initialised from `seed`) and, when the spec names `weights`,
    /// loads them. The network is returned in evaluation mode when weights were loaded.
    public static func network(for spec: ModelSpec, baseDirectory: String, seed: UInt64, stage: String) throws -> SpecNetwork {
        let network = try SpecNetwork(spec: spec, seed: seed)
        if let weights = spec.weights {
            try load(into: network, from: resolvedPath(weights, baseDirectory: baseDirectory), stage: stage)
            network.eval()
        }
        return network
    }

    /// Copies every tensor of the safetensors file at `path` into `network`. All tensors must fit:
    /// a missing, unexpected or mis-shaped tensor throws a ``StageError`` naming each one with the
    /// shape the model expects, and the network is left unchanged.
    public static func load(into network: SpecNetwork, from path: String, stage: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path: path) } catch {
            throw StageError(stage: stage, path: "models.\(network.spec.name).weights", "cannot read weights \(path): \(error)",
                             help: "give a safetensors file (PyTorch: `safetensors.torch.save_file(model.state_dict(), path)`)")
        }
        do { try network.loadStateDict(contents.tensors, strict: true) } catch let error as StateDictError {
            throw StageError(stage: stage, path: "models.\(network.spec.name).weights", mismatchMessage(error, path: path, spec: network.spec),
                             help: "tensor names follow torchvision's state_dict; check the architecture, `width`, `classes` and `input`")
        }
    }

    /// One line per offending tensor, in the order missing, unexpected, mis-shaped.
    static func mismatchMessage(_ error: StateDictError, path: String, spec: ModelSpec) -> String {
        mismatchMessage(missing: error.missing, unexpected: error.unexpected, mismatched: error.mismatched, expectedShapes: error.expectedShapes, path: path, spec: spec)
    }

    static func mismatchMessage(
        missing: [String], unexpected: [String], mismatched: [StateDictMismatch], expectedShapes: [String: [Int]], path: String, spec: ModelSpec
    ) -> String {
        func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }
        var lines: [String] = []
        for name in missing { lines.append("missing tensor `\(name)` (expected shape \(shape(expectedShapes[name] ?? [])))") }
        for name in unexpected { lines.append("unexpected tensor `\(name)` (model `\(spec.name)` has no such parameter or buffer)") }
        for m in mismatched { lines.append("tensor `\(m.name)` has shape \(shape(m.found)), expected \(shape(m.expected))") }
        let count = lines.count
        return "weights \(path) do not fit model `\(spec.name)` (\(spec.architecture)): \(count) tensor\(count == 1 ? "" : "s") differ:\n  "
            + lines.joined(separator: "\n  ")
    }

    /// Squeeze-SegNet's encoder module for each torchvision SqueezeNet 1.0 `features` index: the
    /// first convolution and the eight Fire modules have the same shapes and child names
    /// (`squeeze`, `expand1x1`, `expand3x3`). (Squeeze-SegNet pads its first convolution by 3 so the
    /// decoder can restore the input size; torchvision pads by 0. Both use ceil-mode pools.)
    public static let squeezeSegNetEncoder: [String: String] = [
        "features.0": "conv1", "features.3": "fire2", "features.4": "fire3", "features.5": "fire4", "features.7": "fire5",
        "features.8": "fire6", "features.9": "fire7", "features.10": "fire8", "features.12": "fire9",
    ]

    /// Initialises a Squeeze-SegNet's encoder (`conv1`, `fire2` … `fire9`) from torchvision SqueezeNet 1.0
    /// weights (an ImageNet-pretrained `squeezenet1_0` saved with safetensors); the decoder keeps its
    /// initialisation and the classifier (`classifier.*`) is not used. Every encoder tensor must be in
    /// the file with the right shape, else a ``StageError`` names each one; nothing changes then.
    public static func loadSqueezeNetEncoder(into network: SpecNetwork, from path: String, stage: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path: path) } catch {
            throw StageError(stage: stage, path: "models.\(network.spec.name)", "cannot read SqueezeNet weights \(path): \(error)")
        }
        var renamed: [String: Tensor] = [:]
        for (name, tensor) in contents.tensors where name.hasPrefix("features.") {
            let parts = name.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, let target = squeezeSegNetEncoder["features.\(parts[1])"] else { continue }
            renamed["\(target).\(parts[2])"] = tensor
        }
        let own = network.stateDict()
        let encoder = own.filter { name, _ in squeezeSegNetEncoder.values.contains { name.hasPrefix($0 + ".") } }
        let byTarget = Dictionary(uniqueKeysWithValues: squeezeSegNetEncoder.map { ($1, $0) })
        func source(_ name: String) -> String {
            let module = String(name.prefix { $0 != "." })
            return (byTarget[module] ?? module) + name.dropFirst(module.count)
        }
        let missing = encoder.keys.filter { renamed[$0] == nil }.sorted()
        let unexpected = renamed.keys.filter { own[$0] == nil }.sorted()
        let mismatched = encoder.keys.sorted().compactMap { name -> StateDictMismatch? in
            guard let t = renamed[name], t.shape != encoder[name]!.shape else { return nil }
            return StateDictMismatch(name: source(name), expected: encoder[name]!.shape, found: t.shape)
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            let message = mismatchMessage(
                missing: missing.map(source), unexpected: unexpected.map(source), mismatched: mismatched,
                expectedShapes: Dictionary(uniqueKeysWithValues: encoder.map { (source($0.key), $0.value.shape) }), path: path, spec: network.spec)
            throw StageError(stage: stage, path: "models.\(network.spec.name)", message,
                             help: "give torchvision `squeezenet1_0` weights at the same `width`")
        }
        var merged = own
        for (name, t) in renamed { merged[name] = t }
        try network.loadStateDict(merged, strict: true)
    }

    /// `(x − mean) / std` per channel of an `[N, C, H, W]` batch with the spec's normalisation
    /// (torchvision's ImageNet statistics for built-ins with `weights:`); `x` unchanged when the
    /// spec has none. Differentiable (attacks take gradients through it).
    public static func normalize(_ x: Tensor, for spec: ModelSpec) -> Tensor {
        let mean = spec.normalizeMean, std = spec.normalizeStd
        guard !mean.isEmpty, mean.count == std.count, x.rank == 4, x.shape[1] == mean.count else { return x }
        // The engine's elementwise ops take equal shapes: spread the per-channel statistics over the batch.
        let plane = x.shape[2] * x.shape[3], n = x.shape[0]
        var m = [Float](repeating: 0, count: x.count), s = [Float](repeating: 1, count: x.count)
        for b in 0..<n {
            for ch in 0..<mean.count {
                let start = (b * mean.count + ch) * plane
                for i in start..<(start + plane) { m[i] = Float(mean[ch]); s[i] = Float(std[ch]) }
            }
        }
        return (x - Tensor(m, shape: x.shape)) / Tensor(s, shape: x.shape)
    }
}
