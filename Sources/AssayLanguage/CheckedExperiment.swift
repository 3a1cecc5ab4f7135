import AssaySupport

/// A fully checked experiment for one point of its parameter sweep.
///
/// Stages are in dependency order (every stage after all of its inputs);
/// ties keep the order of declaration, data stages first.
public struct CheckedExperiment: Hashable, Codable, Sendable {
    public var name: String
    public var description: String?
    /// The file it was read from.
    public var file: String
    /// Every parameter's value at this point (defaults, overrides and the sweep point applied).
    public var parameters: [String: CanonicalValue]
    /// The values of the swept parameters at this point (empty without a sweep).
    public var sweepPoint: [String: CanonicalValue]
    public var stages: [StageInstance]
    /// Models resolved with the input shape of the data they meet, by declaration name.
    public var models: [String: ModelSpec]
    /// The executor block (`kind`, `jobs`, ...), defaults filled.
    public var executor: CanonicalValue
    /// Parameters named `seed` or declared `role: seed`: reports aggregate over their values.
    public var seedParameters: [String] = []

    public init(
        name: String, description: String?, file: String, parameters: [String: CanonicalValue], sweepPoint: [String: CanonicalValue],
        stages: [StageInstance], models: [String: ModelSpec], executor: CanonicalValue
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.parameters = parameters
        self.sweepPoint = sweepPoint
        self.stages = stages
        self.models = models
        self.executor = executor
    }

    public func stage(_ id: String) -> StageInstance? { stages.first { $0.id == id } }

    /// Parameters and stages in canonical form: reordering keys, comments or number spellings in the source
    /// leave these bytes unchanged.
    /// `seed-parameters` appears only when a seed is declared, so older canonical forms are unchanged.
    public var canonical: CanonicalValue {
        var map: [String: CanonicalValue] = [
            "name": .string(name),
            "parameters": .map(parameters),
            "stages": .list(stages.map(\.canonical)),
        ]
        if !seedParameters.isEmpty { map["seed-parameters"] = .list(seedParameters.map { .string($0) }) }
        return .map(map)
    }
}

/// The result of checking a file: one experiment per sweep point (none when there are errors),
/// every diagnostic, and the source files they point into.
public struct CheckResult: Sendable {
    public var experiments: [CheckedExperiment]
    public var diagnostics: [Diagnostic]
    public var sources: [SourceFile]
    /// What the check read from the file system: the experiment and its includes, every path
    /// probed and every header read (``CheckInput``).
    public var inputs = CheckInputs()

    public var hasErrors: Bool { diagnostics.hasErrors }
}
