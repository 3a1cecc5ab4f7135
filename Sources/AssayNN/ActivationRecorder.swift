/// Records intermediate activations by module path while a forward pass runs:
/// feature extraction from all layers, activation maximisation of a channel of
/// a named layer, and circuit attribution (the recorded tensors stay in the
/// autodiff graph, so a loss built from them backpropagates, and after
/// `backward()` each recorded tensor's `grad` holds d loss / d activation).
///
/// ```swift
/// let (logits, acts) = model.forward(x, recording: ["features.3"])
/// let unit = acts["features.3"]!.channel(51).mean()
/// ```
public final class ActivationRecorder {
    final class Slot { var recorder: ActivationRecorder? }
    /// Per thread, like `Autograd`'s switch: concurrent stages record separately.
    static let slot = ThreadLocal { Slot() }
    static var active: ActivationRecorder? {
        get { slot.value.recorder }
        set { slot.value.recorder = newValue }
    }

    /// Whether a recorder is active on this thread: layers may fuse ops (batch norm +
    /// ReLU) only when none is, since fusing skips the intermediate outputs it records.
    public static var isActive: Bool { active != nil }

    let paths: [ObjectIdentifier: String]
    let wanted: Set<String>?
    let edits: [String: (Tensor) -> Tensor]
    /// Recorded outputs in call order (a module called twice appears twice).
    public private(set) var recorded: [(path: String, activation: Tensor)] = []

    init(root: Module, wanted: Set<String>?, edits: [String: (Tensor) -> Tensor] = [:]) {
        var paths: [ObjectIdentifier: String] = [:]
        for (path, module) in root.namedModules() where !path.isEmpty {
            paths[ObjectIdentifier(module)] = path
        }
        self.paths = paths
        self.wanted = wanted
        self.edits = edits
    }

    /// Applies the edit registered for the module's path (if any), records the
    /// result when wanted, and returns what the network continues with.
    func process(_ module: Module, _ output: Tensor) -> Tensor {
        guard let path = paths[ObjectIdentifier(module)] else { return output }
        let edited = edits[path].map { $0(output) } ?? output
        if wanted?.contains(path) ?? true { recorded.append((path, edited)) }
        return edited
    }
}

/// Activations recorded during one forward pass, by module path.
public struct RecordedActivations {
    /// (path, activation) in the order the modules ran.
    public let ordered: [(path: String, activation: Tensor)]

    /// The last activation recorded for `path`.
    public subscript(path: String) -> Tensor? { ordered.last { $0.path == path }?.activation }

    /// Paths in call order, without repeats.
    public var paths: [String] {
        var seen = Set<String>()
        return ordered.map(\.path).filter { seen.insert($0).inserted }
    }
}

/// Errors from looking up activations by path.
public enum ActivationPathError: Error, CustomStringConvertible, Equatable {
    case unknownModule(path: String, known: [String])

    public var description: String {
        switch self {
        case let .unknownModule(path, known):
            let hint = known.prefix(12).joined(separator: ", ")
            return "no module at path '\(path)'; known paths include: \(hint)\(known.count > 12 ? ", …" : "")"
        }
    }
}

extension Module {
    /// Runs the model on `x` and returns its output with the activations of the
    /// modules at `paths` (nil: every submodule). `editing` replaces the output of
    /// the module at a path by a function of it before the network continues
    /// (ablating or scaling channels for circuit analysis); edits stay in the
    /// autodiff graph. Throws for a path with no module.
    public func forward(_ x: Tensor, recording paths: [String]?,
                        editing edits: [String: (Tensor) -> Tensor] = [:]) throws -> (output: Tensor, activations: RecordedActivations) {
        let known = namedModules().map(\.path).filter { !$0.isEmpty }
        for p in (paths ?? []) + Array(edits.keys) where p.isEmpty || module(at: p) == nil {
            throw ActivationPathError.unknownModule(path: p, known: known)
        }
        let recorder = ActivationRecorder(root: self, wanted: paths.map(Set.init), edits: edits)
        let previous = ActivationRecorder.active
        ActivationRecorder.active = recorder
        defer { ActivationRecorder.active = previous }
        let output = self(x)
        return (output, RecordedActivations(ordered: recorder.recorded))
    }
}
