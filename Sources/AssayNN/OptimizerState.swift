/// Everything an optimiser carries from one step to the next: per parameter (in the optimiser's
/// parameter order) the steps it has taken and its named buffers (SGD's `velocity`, Adam's
/// `first-moment` and `second-moment`). An optimiser restored from it continues bit for bit as
/// the one it was taken from, so a resumed training ends with the bytes of an uninterrupted one.
///
/// ``tensors(prefix:)`` and ``init(kind:tensors:steps:prefix:)`` store it as named tensors (exact:
/// Float32 values travel as their bit patterns) with the step counts beside them as text.
public struct OptimizerState: Equatable, Sendable {
    /// The optimiser that wrote it: `sgd`, `adam` or `adamw`.
    public var kind: String
    public var parameters: [Slot]

    /// One parameter's state: no buffers before its first step.
    public struct Slot: Equatable, Sendable {
        public var steps: Int
        public var buffers: [String: [Float]]

        public init(steps: Int = 0, buffers: [String: [Float]] = [:]) {
            self.steps = steps
            self.buffers = buffers
        }
    }

    public init(kind: String, parameters: [Slot]) {
        self.kind = kind
        self.parameters = parameters
    }

    /// The buffers as tensors named `PREFIX<index>.<buffer>`.
    public func tensors(prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (i, slot) in parameters.enumerated() {
            for (name, values) in slot.buffers { out["\(prefix)\(i).\(name)"] = Tensor(values, shape: [values.count]) }
        }
        return out
    }

    /// The step counts, one per parameter, as space-separated text.
    public var stepsText: String { parameters.map { String($0.steps) }.joined(separator: " ") }

    /// Reads back what ``tensors(prefix:)`` and ``stepsText`` wrote; tensors without `prefix` are ignored.
    public init(kind: String, tensors: [String: Tensor], steps: String, prefix: String) throws {
        let counts = steps.split(separator: " ").map { Int($0) }
        guard !counts.contains(nil) else { throw OptimizerStateMismatch("its step counts are not integers") }
        var slots = counts.map { Slot(steps: $0!) }
        for (name, tensor) in tensors where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let i = Int(rest[..<dot]), slots.indices.contains(i) else {
                throw OptimizerStateMismatch("the tensor `\(name)` names no parameter of \(slots.count)")
            }
            slots[i].buffers[String(rest[rest.index(after: dot)...])] = tensor.data
        }
        self.init(kind: kind, parameters: slots)
    }

    /// Checks that this state fits an optimiser of `kind` over `parameters`, with exactly the
    /// buffers `expected` names (per parameter, once it has stepped).
    func validate(kind: String, parameters: [Tensor], buffers expected: Set<String>) throws {
        guard self.kind == kind else { throw OptimizerStateMismatch("it is the state of `\(self.kind)`, not `\(kind)`") }
        guard self.parameters.count == parameters.count else {
            throw OptimizerStateMismatch("it holds \(self.parameters.count) parameters, the optimiser has \(parameters.count)")
        }
        for (i, (slot, p)) in zip(self.parameters, parameters).enumerated() {
            guard slot.steps >= 0 else { throw OptimizerStateMismatch("parameter \(i) has a negative step count") }
            guard slot.buffers.isEmpty || Set(slot.buffers.keys) == expected else {
                throw OptimizerStateMismatch("parameter \(i) has buffers \(slot.buffers.keys.sorted()), expected \(expected.sorted())")
            }
            for (name, values) in slot.buffers where values.count != p.count {
                throw OptimizerStateMismatch("parameter \(i)'s `\(name)` has \(values.count) values, the parameter \(p.count)")
            }
        }
    }
}

/// Why an optimiser state does not fit the optimiser it is restored into.
public struct OptimizerStateMismatch: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "the optimiser state does not fit: \(reason)" }
}
