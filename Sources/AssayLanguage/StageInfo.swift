import AssaySupport

/// What a checked stage provides to the stages after it.
struct StageInfo {
    var name: String
    var signature: OperatorSignature
    /// The model its `model` output holds (train, attack, segmentation-train).
    var model: ModelSpec?
    /// The model the features were extracted from (features, select).
    var featuresModel: ModelSpec?
    /// The checked parameters (for `like:`).
    var parameters: CanonicalValue
    var declaration: SectionEntry
}
