import AssaySupport

/// What stages exist and what they take: the signatures of the stage kinds (each kind, with its
/// own checks, lives in one file under `StageKinds/`; `StageKind.all` lists them) and the
/// schemas of the declarations, resources and executor.
///
/// The checker validates stage bodies against these signatures, the JSON
/// Schema generator writes `grammar/assay.schema.json` from them, and the
/// planner and executor read names, versions and outputs from them.
public struct OperatorRegistry: Sendable {
    public let operators: [OperatorSignature]
    /// Schemas of the declarations stages can inline (`attacks:`, `segmentation:`, `groups:`).
    public let declarations: [String: [ParameterSchema]]
    /// Per-stage resources (`resources:` on a stage or at the top level).
    public let resources: [ParameterSchema]
    /// The top-level `executor:` block.
    public let executor: [ParameterSchema]

    public func signature(_ name: String) -> OperatorSignature? { operators.first { $0.name == name } }

    /// Operators a user may write under `stages:`, sorted by name.
    public var stageOperators: [OperatorSignature] { operators.filter { !$0.isImplicit }.sorted { $0.name < $1.name } }

    /// The registry of Assay language version 1.
    public static let standard = OperatorRegistry(
        operators: StageKind.all.map(\.signature),
        declarations: ["attack": attackSchema, "segmentation-target": segmentationTargetSchema, "groups": groupsSchema],
        resources: resourceSchema,
        executor: executorSchema)

    // MARK: Declarations

    static let groupsSchema: [ParameterSchema] = [
        ParameterSchema("data", .string, required: true, doc: "The data set (a name under `datasets:`)."),
        ParameterSchema("by", .list(.string), default: ["label"], minCount: 1, doc: "`label` and attribute names; groups are their combinations."),
        ParameterSchema("balance", .enumeration(["none", "subsample", "reweight"]), default: "subsample",
                        doc: "Subsample every group to the smallest, or reweight; the `balance` of the `select` and `retrain-last-layer` stages that use these groups and do not give their own."),
        StageKind.seed,
    ]

    /// Fields `groups:` declarations no longer take, with the reason.
    static let retiredGroupsFields = [
        "halves": "`retrain-last-layer` draws its own seeded tuning halves of the split it fits on, so precomputed halves of `val` had no effect",
    ]

    static let dataUse = ParameterSchema("over", .reference(.dataset, many: false), required: true, doc: "The split ranked by activation.")

    static let attackSchema: [ParameterSchema] = [
        ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model attacked."),
        ParameterSchema("unit", .unit, required: true, doc: "The unit whose interpretation is manipulated, `layer[channel]`; for `circuit`, the head unit whose circuit is broken."),
        ParameterSchema("objective", .variant([
            "push-down": .record([StageKind.top, dataUse]),
            "push-up": .record([StageKind.top, dataUse, ParameterSchema("decoy", .reference(.dataset, many: false), required: true, doc: "Images that should become the new top-k.")]),
            "fairwashing": .record([StageKind.top, dataUse, ParameterSchema("concept", .reference(.dataset, many: false), required: true, doc: "Images of the concept to hide.")]),
            "proxpulse": .record([
                StageKind.top, dataUse,
                ParameterSchema("target", .path(mustExist: true), required: true, doc: "Image the synthetic FV should converge to (its layout needs a unit that sees the whole input, e.g. a `linear` layer's neuron)."),
                ParameterSchema("radius", .double, default: 0.1, min: 0, doc: "Neighbourhood of the target rewarded too."),
            ]),
            "circuit": .record([
                ParameterSchema("top-m", .int, default: 3, min: 1, doc: "Top-attributed channels per layer (before `unit`, the head) suppressed."),
                dataUse,
            ]),
        ]), required: true, doc: "What the manipulation aims for."),
        ParameterSchema("preserve", .variant([
            "distill": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term."), ParameterSchema("temperature", .double, default: 1.0, min: 0, exclusiveMin: true, doc: "Softmax temperature.")]),
            "kl": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term.")]),
            "ce": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term.")]),
        ]), required: true, doc: "Term keeping behaviour: distillation / KL to the original model, or cross-entropy on labels."),
        ParameterSchema("alpha", .double, default: 0.5, min: 0, max: 1, doc: "Weight α in (1−α)·L_preserve + α·L_manip."),
        ParameterSchema("steps", .int, default: 300, min: 1, doc: "Optimisation steps."),
        ParameterSchema("lr", .double, default: 1e-3, min: 0, exclusiveMin: true, doc: "Learning rate."),
        StageKind.batchSize, StageKind.seed,
    ]

    static let segmentationTargetSchema: [ParameterSchema] = [
        ParameterSchema("data", .string, required: true, doc: "The segmentation data set whose classes are predicted."),
        ParameterSchema("void", .string, doc: "A class name ignored by the loss and the metrics."),
        ParameterSchema("weights", .variant([
            "none": .record([]),
            "median-frequency": .record([]),
            "explicit": .list(.double),
        ]), default: "none", doc: "Class weights of the loss: none, median-frequency balancing (w_c = median(f)/f_c), or explicit."),
    ]

    static let resourceSchema: [ParameterSchema] = [
        ParameterSchema("cpus", .int, default: 1, min: 1, doc: "CPU cores."),
        ParameterSchema("memory", .memory, default: .int(4 << 30), doc: "Memory, e.g. `8GiB`."),
        ParameterSchema("time", .duration, default: 3600, doc: "Time limit, e.g. `2h`."),
        ParameterSchema("partition", .string, doc: "Slurm partition."),
        ParameterSchema("gpus", .int, default: 0, min: 0, doc: "GPUs."),
    ]

    static let executorSchema: [ParameterSchema] = [
        ParameterSchema("kind", .enumeration(["local", "slurm"]), default: "local", doc: "Where stages run."),
        ParameterSchema("jobs", .int, default: 1, min: 1, doc: "Stages run in parallel."),
        ParameterSchema("account", .string, doc: "Slurm account."),
        ParameterSchema("store", .string, doc: "The store folder (default `.assay/` beside the experiment)."),
    ]
}
