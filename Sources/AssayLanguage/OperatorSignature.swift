/// One typed output of an operator.
public struct OutputSlot: Hashable, Sendable {
    public var name: String
    public var type: ArtifactType
    public var doc: String

    public init(_ name: String, _ type: ArtifactType, doc: String) {
        self.name = name
        self.type = type
        self.doc = doc
    }
}

/// One typed input of an operator, found at a (dotted) parameter path.
public struct InputSlot: Hashable, Sendable {
    /// The parameter path, e.g. `data` or `natural.over`; lists of references give slots `data.0`, `data.1`, ...
    public var name: String
    public var type: ArtifactType
    public var many: Bool
    public var required: Bool
}

/// What a stage kind is: its name, version, inputs, outputs and parameters.
///
/// The version is part of every cache key: bump it when the operator's
/// computation changes so that its results (and their dependents) are recomputed.
public struct OperatorSignature: Hashable, Sendable {
    /// The word used in experiments (`train`, `retrain-last-layer`) or the implicit stage's name (`load-fashion-mnist`).
    public var name: String
    public var version: Int
    public var doc: String
    /// Parameters, including reference-typed ones (the inputs) and declaration-typed ones (inlined).
    public var parameters: [ParameterSchema]
    public var outputs: [OutputSlot]
    /// Implicit operators (data loading, derivation, splits, group splits) cannot be written under `stages:`.
    public var isImplicit: Bool
    /// The parameter a scalar shorthand fills (`attacked: { attack: hide-trousers }`).
    public var shorthand: String?
    /// Parameters the operator no longer takes, with why: the checker rejects them with
    /// that reason instead of a bare "unknown field".
    public var retired: [String: String]
    /// Shared result-changing code the operator runs; its versions are part of the stage's key.
    public var sharedCode: [SharedCode]

    public init(
        name: String, version: Int, doc: String, parameters: [ParameterSchema], outputs: [OutputSlot],
        isImplicit: Bool = false, shorthand: String? = nil, retired: [String: String] = [:], sharedCode: [SharedCode] = []
    ) {
        self.name = name
        self.version = version
        self.doc = doc
        self.parameters = parameters
        self.outputs = outputs
        self.isImplicit = isImplicit
        self.shorthand = shorthand
        self.retired = retired
        self.sharedCode = sharedCode
    }

    /// Every reference-typed parameter, with its dotted path.
    public var inputs: [InputSlot] {
        var slots: [InputSlot] = []
        func walk(_ params: [ParameterSchema], prefix: String, required: Bool) {
            for p in params {
                let path = prefix.isEmpty ? p.name : "\(prefix).\(p.name)"
                switch p.type {
                case .reference(let a, let many): slots.append(InputSlot(name: path, type: a, many: many, required: required && p.required))
                case .record(let fields): walk(fields, prefix: path, required: required && p.required)
                default: break
                }
            }
        }
        walk(parameters, prefix: "", required: true)
        return slots
    }

    public func parameter(_ name: String) -> ParameterSchema? { parameters.first { $0.name == name } }
    public func output(_ name: String) -> OutputSlot? { outputs.first { $0.name == name } }
}
