import AssaySupport

/// One kind of stage, whole: its signature (fields, types, defaults, ranges, docs, outputs) and
/// the checks its signature cannot express. Each kind is built in its own file in this folder
/// (`TrainKind.swift`, ...) and listed once, in ``all``; the registry, the JSON Schema, the
/// reference and the checker all read that list. The operator that runs a kind (AssayStages)
/// decodes its parameters with the defaults of this signature.
public struct StageKind: Sendable {
    public var signature: OperatorSignature
    /// The kind's name as experiments write it (`train`, `load-camvid`).
    public var name: String { signature.name }
    /// Checks across fields once the stage's fields were checked against the signature (references
    /// bound, defaults filled). Returns false when the stage cannot run; the reason was reported.
    var check: @Sendable (inout StageCheck, StageChecker) -> Bool = { _, _ in true }
    /// A data source's checks (`datasets: { NAME: { camvid: ... } }`): what the checker knows of its
    /// data, or nil when it cannot be loaded (the reason was reported).
    var describe: (@Sendable (inout SourceCheck, DatasetChecker) -> DatasetInfo?)? = nil

    /// Every kind, in the order the reference lists them: stage kinds, then the implicit data kinds.
    /// Adding a kind: its file in this folder, its name here, and its operator in AssayStages' catalogue.
    public static let all: [StageKind] = [
        .train, .evaluate, .features, .select, .retrainLastLayer, .visualize, .attack, .circuit, .segmentationTrain, .segmentationEvaluate,
        .report, .compare, .compareCircuits,
        .loadFashionMNIST, .loadImageFolder, .loadCelebA, .loadCamVid, .loadSynthetic, .composeScenes, .derive, .split, .groupSplit,
    ]

    /// The kind named `name` (`train`, `load-camvid`).
    static func named(_ name: String) -> StageKind? { byName[name] }

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.signature.name, $0) })
}
