import AssaySupport

/// What the checker knows about a data set without loading it.
struct DatasetInfo {
    var name: String
    /// The stage producing its splits (`datasets.NAME`, or `datasets.NAME.split`).
    var stage: String
    var splits: [String]
    /// Known split sizes (after limits), used to check split sizes.
    var sizes: [String: Int]
    /// Per-example shape, `[C, H, W]`.
    var sampleShape: [Int]
    /// Class names in label order (for segmentation: pixel classes).
    var classes: [String]
    var attributes: [String]
    var task: ModelTask
    var declaration: SectionEntry
}

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
