import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
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
    /// The weights path of `spec` resolved against the experiment's directory, as the checker and planner resolve it.
    public static func resolvedPath(_ weights: String, baseDirectory: String) -> String {
        ExperimentPath.resolve(weights, relativeTo: baseDirectory)
    }

    /// Builds the network of `spec` (initialised from `seed`) and, when the spec names `weights`
    /// (or, for Squeeze-SegNet, `encoder-weights`), loads them. The network is returned in
    /// evaluation mode when weights were loaded.
    public static func network(for spec: ModelSpec, baseDirectory: String, seed: UInt64, stage: String) throws -> SpecNetwork {
        try network(for: spec, weightsAt: spec.weights.map { resolvedPath($0, baseDirectory: baseDirectory) },
                    encoderWeightsAt: spec.encoderWeights.map { resolvedPath($0, baseDirectory: baseDirectory) }, seed: seed, stage: stage)
    }

    /// Builds the network of `spec` (initialised from `seed`) and loads the files at `weights` and
    /// (Squeeze-SegNet) `encoderWeights`, absolute paths; in evaluation mode when one was loaded.
    public static func network(for spec: ModelSpec, weightsAt weights: String?, encoderWeightsAt encoder: String?, seed: UInt64, stage: String) throws -> SpecNetwork {
        let network = try SpecNetwork(spec: spec, seed: seed)
        if let weights {
            try load(into: network, from: weights, stage: stage)
            network.eval()
        }
        if let encoder {
            try loadSqueezeNetEncoder(into: network, from: encoder, stage: stage)
            network.eval()
        }
        return network
    }

    /// The network of a stage's inlined model (`model:`), loading the weights files the checker
    /// declared for it (`model.weights`, `model.encoder-weights`) from where the planner found them.
    static func network(for spec: ModelSpec, of node: PlanNode, seed: UInt64) throws -> SpecNetwork {
        try network(for: spec, weightsAt: spec.weights == nil ? nil : try node.file("model.weights"),
                    encoderWeightsAt: spec.encoderWeights == nil ? nil : try node.file("model.encoder-weights"), seed: seed, stage: node.id)
    }

    /// Copies every tensor of the safetensors file at `path` into `network`. All tensors must fit:
    /// a missing, unexpected or mis-shaped tensor throws a ``StageError`` naming each one with the
    /// shape the model expects, and the network is left unchanged.
    public static func load(into network: SpecNetwork, from path: String, stage: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path: path) } catch {
            throw StageError(stage: stage, path: "models.\(network.spec.name).weights", "cannot read weights \(path): \(SystemErrorText.message(for: error))",
                             help: "give a safetensors file (PyTorch: `safetensors.torch.save_file(model.state_dict(), path)`)")
        }
        try rejectNonFinite(contents, path: path, field: "models.\(network.spec.name).weights", stage: stage)
        do { try network.loadStateDict(contents.tensors, strict: true) } catch let error as StateDictError {
            throw StageError(stage: stage, path: "models.\(network.spec.name).weights", mismatchMessage(error, path: path, spec: network.spec),
                             help: "tensor names follow torchvision's state_dict; check the architecture, `width`, `classes` and `input`")
        }
    }

    /// Weights holding NaN or ±∞ would train to `loss nan` or predict garbage: refused at load,
    /// naming the first such tensor (by name) and how many of its values are not finite.
    /// (`assay check` reads only the file's header, so it cannot see them.)
    static func rejectNonFinite(_ contents: SafeTensors.Contents, path: String, field: String, stage: String) throws {
        for name in contents.tensors.keys.sorted() {
            let values = contents.tensors[name]!.data
            guard !FiniteValues.allFinite(values), let first = FiniteValues.firstNonFinite(values) else { continue }
            let bad = values.lazy.filter { !$0.isFinite }.count
            throw StageError(stage: stage, path: field,
                             "weights \(path): tensor `\(name)` holds \(FiniteValues.text(values[first])) at element \(first) (\(bad) of \(values.count) values are not finite)",
                             help: "the file is damaged or was saved from a diverged training; export the weights again from a healthy model")
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

    /// Initialises a Squeeze-SegNet's encoder (`conv1`, `fire2` … `fire9`) from torchvision SqueezeNet 1.0
    /// weights (an ImageNet-pretrained `squeezenet1_0` saved with safetensors); the decoder keeps its
    /// initialisation and the classifier (`classifier.*`) is not used. Every encoder tensor must be in
    /// the file with the right shape, else a ``StageError`` names each one; nothing changes then.
    public static func loadSqueezeNetEncoder(into network: SpecNetwork, from path: String, stage: String) throws {
        let contents: SafeTensors.Contents
        do { contents = try SafeTensors.read(path: path) } catch {
            throw StageError(stage: stage, path: "models.\(network.spec.name).encoder-weights", "cannot read SqueezeNet weights \(path): \(SystemErrorText.message(for: error))",
                             help: "give a safetensors file (PyTorch: `safetensors.torch.save_file(torchvision.models.squeezenet1_0().state_dict(), path)`)")
        }
        try rejectNonFinite(contents, path: path, field: "models.\(network.spec.name).encoder-weights", stage: stage)
        // Every `features.*` tensor is meant for the encoder: one at an index the encoder lacks is unexpected.
        var renamed: [String: Tensor] = [:]
        var unmapped: [String] = []
        for (name, tensor) in contents.tensors where SqueezeNetEncoder.isEncoderSource(name) {
            if let target = SqueezeNetEncoder.encoderName(of: name) { renamed[target] = tensor } else { unmapped.append(name) }
        }
        let own = network.stateDict()
        let encoder = own.filter { name, _ in SqueezeNetEncoder.torchvisionName(of: name) != nil }
        func source(_ name: String) -> String { SqueezeNetEncoder.torchvisionName(of: name) ?? name }
        let missing = encoder.keys.filter { renamed[$0] == nil }.sorted()
        let unexpected = (renamed.keys.filter { own[$0] == nil }.map(source) + unmapped).sorted()
        let mismatched = encoder.keys.sorted().compactMap { name -> StateDictMismatch? in
            guard let t = renamed[name], t.shape != encoder[name]!.shape else { return nil }
            return StateDictMismatch(name: source(name), expected: encoder[name]!.shape, found: t.shape)
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            let message = mismatchMessage(
                missing: missing.map(source), unexpected: unexpected, mismatched: mismatched,
                expectedShapes: Dictionary(uniqueKeysWithValues: encoder.map { (source($0.key), $0.value.shape) }), path: path, spec: network.spec)
            throw StageError(stage: stage, path: "models.\(network.spec.name).encoder-weights", message,
                             help: "give torchvision `squeezenet1_0` weights; the encoder matches them at `width: 1` with 3 input channels")
        }
        var merged = own
        for (name, t) in renamed { merged[name] = t }
        try network.loadStateDict(merged, strict: true)
    }

    /// `(x − mean) / std` per channel of an `[N, C, H, W]` batch in [0, 1] with the spec's normalisation
    /// (torchvision's ImageNet statistics for built-ins with `weights:`); `x` unchanged when the spec
    /// has none. The same map every stage applies (``PixelNormalization/applied(toUnitRange:)``);
    /// differentiable (attacks take gradients through it).
    public static func normalize(_ x: Tensor, for spec: ModelSpec) -> Tensor {
        PixelNormalization(expectedBy: spec).applied(toUnitRange: x)
    }
}
