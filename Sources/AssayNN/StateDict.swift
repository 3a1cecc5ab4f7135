/// A tensor in a state dict that does not fit the module.
public struct StateDictMismatch: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let expected: [Int]
    public let found: [Int]

    public init(name: String, expected: [Int], found: [Int]) {
        self.name = name
        self.expected = expected
        self.found = found
    }

    public var description: String { "'\(name)': expected shape \(expected), found \(found)" }
}

/// Why a state dict could not be loaded into a module: every offending tensor is named.
public struct StateDictError: Error, Equatable, CustomStringConvertible {
    public let missing: [String]
    public let unexpected: [String]
    public let mismatched: [StateDictMismatch]
    public let expectedShapes: [String: [Int]]

    public var description: String {
        var lines = ["state dict does not match the model:"]
        for name in missing { lines.append("  missing tensor '\(name)' (expected shape \(expectedShapes[name] ?? []))") }
        for name in unexpected { lines.append("  unexpected tensor '\(name)' (the model has no such parameter or buffer)") }
        for m in mismatched { lines.append("  wrong shape for \(m)") }
        lines.append("  To fix: export the weights from the same architecture, or rename the tensors to the model's paths.")
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Parameters and buffers by dotted name (torchvision's naming; the
    /// `num_batches_tracked` counters are not kept).
    public func stateDict() -> [String: Tensor] {
        var dict: [String: Tensor] = [:]
        for (name, t) in namedParameters() { dict[name] = t }
        for (name, t) in namedBuffers() { dict[name] = t }
        return dict
    }

    /// Copies values into this module's parameters and buffers in place (the
    /// tensors keep their identity, so optimisers stay attached). Tensors named
    /// `*.num_batches_tracked` are accepted and ignored. In strict mode a missing,
    /// unexpected or mis-shaped tensor throws a `StateDictError` naming each one
    /// and nothing is changed.
    public func loadStateDict(_ tensors: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        var missing: [String] = [], unexpected: [String] = [], mismatched: [StateDictMismatch] = []
        for name in own.keys.sorted() where tensors[name] == nil { missing.append(name) }
        for name in tensors.keys.sorted() where own[name] == nil && !name.hasSuffix("num_batches_tracked") {
            unexpected.append(name)
        }
        for (name, target) in own.sorted(by: { $0.key < $1.key }) {
            if let source = tensors[name], source.shape != target.shape {
                mismatched.append(StateDictMismatch(name: name, expected: target.shape, found: source.shape))
            }
        }
        if !mismatched.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(missing: missing, unexpected: unexpected, mismatched: mismatched,
                                 expectedShapes: own.mapValues(\.shape))
        }
        for (name, target) in own {
            if let source = tensors[name] { target.data = source.data }
        }
    }

    /// Writes the state dict as a safetensors file.
    public func saveSafeTensors(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: path)
    }

    /// Loads a safetensors file written by Assay or by PyTorch (`safetensors.torch.save_file`).
    public func loadSafeTensors(from path: String, strict: Bool = true) throws {
        try loadStateDict(SafeTensors.read(path: path).tensors, strict: strict)
    }
}
