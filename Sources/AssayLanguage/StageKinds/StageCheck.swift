import AssaySupport

/// A stage handed to its kind's checks (``StageKind/check``): what was written and bound comes in;
/// the parameters, bindings and outputs the kind may refine go out, with the models its dependents
/// see. Nothing else passes between the checker and the kind.
struct StageCheck {
    /// The stage's name and data path (`stages.NAME`).
    let name: String
    let path: String
    let signature: OperatorSignature
    /// The operator's body as written (after a shorthand is expanded) and the span of its key.
    let body: Value
    let keySpan: SourceSpan
    /// The stage's `resources: { memory: }`, when it declares one.
    let declaredMemory: Int?
    /// Checked parameters, every default filled (a field that failed its check is absent).
    var parameters: [String: CanonicalValue]
    var bindings: StageBindings
    /// The outputs the stage will write (the signature's, unless the kind leaves some out).
    var outputs: [String: ArtifactType]
    /// The model its `model` output holds (train, attack, segmentation-train).
    var model: ModelSpec?
    /// The model its features come from (features, select, retrain-last-layer).
    var featuresModel: ModelSpec?
}
