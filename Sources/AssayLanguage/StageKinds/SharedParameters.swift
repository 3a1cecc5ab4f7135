import AssaySupport

/// Parameters several stage kinds take, written once so that their defaults and ranges agree.
extension StageKind {
    static let seed = ParameterSchema("seed", .int, default: 0, min: 0, doc: "Seed of every random choice the stage makes.")
    static let batchSize = ParameterSchema("batch-size", .int, default: 64, min: 1, doc: "Examples per mini-batch.")
    static let epochs = ParameterSchema("epochs", .int, default: 10, min: 1, doc: "Passes over the training data.")
    static let optimizer = ParameterSchema("optimizer", .enumeration(["adam", "sgd"]), default: "adam", doc: "Optimiser.")
    static let learningRate = ParameterSchema("lr", .double, default: 1e-3, min: 0, exclusiveMin: true, doc: "Learning rate.")
    static let momentum = ParameterSchema("momentum", .double, default: 0.9, min: 0, max: 1, doc: "SGD momentum (ignored by Adam).")
    static let weightDecay = ParameterSchema("weight-decay", .double, default: 0.0, min: 0, doc: "L2 weight decay.")
    // The training stages (`train`, `segmentation-train`) share these, as they share the trainer.
    static let validation = ParameterSchema("val", .reference(.dataset, many: false), doc: "A split evaluated after each epoch.")
    static let augment = ParameterSchema("augment", .enumeration(["none", "flip", "crop-flip"]), default: "none", doc: "Data augmentation.")
    static let lrStep = ParameterSchema("lr-step", .int, default: 0, min: 0, doc: "Multiply the learning rate by `lr-gamma` every this many epochs (0: constant).")
    static let lrGamma = ParameterSchema("lr-gamma", .double, default: 0.1, min: 0, max: 1, exclusiveMin: true, doc: "Step-decay factor.")
    /// For inference-only work (features, evaluate, circuit, visualize's natural ranking).
    static let precision = ParameterSchema("precision", .enumeration(["fp32", "bf16"]), default: "fp32", keyOmitsDefault: true,
                                           doc: "Number format of the forward pass's matrix products: `bf16` rounds their operands to bfloat16 and sums in float32 (faster on CPUs with AVX512-BF16, and the same bytes on any CPU: emulated, slowly, where the instructions are missing); `fp32` is plain float32.")
    static let top = ParameterSchema("top", .int, default: 9, min: 1, doc: "Size k of the natural top-k set.")

    /// Examples per split, for the data kinds' `limit:` and `samples:`.
    static let perSplitCount = ParameterType.record([
        ParameterSchema("train", .int, min: 1, doc: "Examples in `train`."),
        ParameterSchema("val", .int, min: 1, doc: "Examples in `val`."),
        ParameterSchema("test", .int, min: 1, doc: "Examples in `test`."),
    ])
}
