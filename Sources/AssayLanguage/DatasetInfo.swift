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
