import AssaySupport

/// One computation of a checked experiment.
///
/// - `id`: the stage's name for user stages (`erm`); `datasets.NAME` for a data
///   set's load/derive stage, `datasets.NAME.split` for its split stage,
///   `groups.NAME` for a group split.
/// - `parameters`: a `.map` with every parameter of the operator, defaults
///   filled, numbers converted to their declared type, declarations (models,
///   attacks, targets) inlined; reference parameters are *not* in it (they
///   are `inputs`). Its canonical JSON is what the planner hashes.
/// - `inputs`: slot (parameter path, `data.0` for lists) → producer output. Inputs that take a whole data
///   set get one slot per split: `source.train`, `source.test` (derive, split, group-split) or
///   `items.train`, ... (compose-scenes). References inside an inlined attack are prefixed `attack.`
///   (`attack.model`, `attack.objective.push-down.over`, `attack.preserve.distill.data`).
/// - `outputs`: output name → type (for data stages, one per split).
/// - `files`: files and folders the stage reads (parameter path → absolute path, e.g. `path`, `root`,
///   `model.weights`), so the planner can add their content digests to the stage's key.
/// - `resources`: never part of a cache key.
public struct StageInstance: Hashable, Codable, Sendable {
    public var id: String
    public var operatorName: String
    public var operatorVersion: Int
    public var parameters: CanonicalValue
    public var inputs: [String: StageOutputRef]
    public var outputs: [String: ArtifactType]
    public var resources: ResourceSpec
    public var files: [String: String]
    /// Where the stage is declared.
    public var span: SourceSpan

    public init(
        id: String, operatorName: String, operatorVersion: Int, parameters: CanonicalValue, inputs: [String: StageOutputRef],
        outputs: [String: ArtifactType], resources: ResourceSpec, span: SourceSpan, files: [String: String] = [:]
    ) {
        self.files = files
        self.id = id
        self.operatorName = operatorName
        self.operatorVersion = operatorVersion
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
        self.resources = resources
        self.span = span
    }

    /// The ids of the stages this one reads from.
    public var dependencies: [String] { Array(Set(inputs.values.map(\.stage))).sorted() }

    /// Everything that identifies the computation (no span, no resources), for property tests and diffs.
    public var canonical: CanonicalValue {
        .map([
            "id": .string(id),
            "operator": .string(operatorName),
            "version": .int(operatorVersion),
            "parameters": parameters,
            "inputs": .map(inputs.mapValues { .string($0.description) }),
            "outputs": .map(outputs.mapValues { .string($0.rawValue) }),
        ])
    }
}
