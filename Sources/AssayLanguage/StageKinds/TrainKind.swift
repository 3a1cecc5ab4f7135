import AssaySupport

extension StageKind {
    /// `train`: its signature.
    static let train = StageKind(signature: OperatorSignature(
        name: "train", version: 2, doc: "Trains a classifier declared under `models:` with softmax cross-entropy.",
        parameters: [
            ParameterSchema("model", .declaration(.model), required: true, doc: "The model declaration to train."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The training split, e.g. `fmnist.train`."),
            ParameterSchema("val", .reference(.dataset, many: false), doc: "A split evaluated after each epoch."),
            epochs, batchSize, optimizer, learningRate, momentum, weightDecay,
            ParameterSchema("augment", .enumeration(["none", "flip", "crop-flip"]), default: "none", doc: "Data augmentation."),
            seed,
        ],
        outputs: [OutputSlot("model", .trainedModel, doc: "The trained weights."), OutputSlot("metrics", .metrics, doc: "Loss and accuracy per epoch.")], sharedCode: [.optimizer]))
}
