import AssaySupport

extension StageKind {
    /// `segmentation-train`: its signature; its checks are those of training (``checkTraining``).
    public static let segmentationTrain = StageKind(signature: OperatorSignature(
        // 2: loads `weights:` / `encoder-weights:` and normalises inputs as the weights expect (1 ignored both).
        name: "segmentation-train", version: 3, doc: "Trains a segmentation model with per-pixel softmax cross-entropy.",
        parameters: [
            ParameterSchema("model", .declaration(.model), required: true, doc: "The model declaration (e.g. `squeeze-segnet`)."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The training split of a segmentation data set."),
            ParameterSchema("target", .declaration(.segmentationTarget), required: true, doc: "The segmentation target."),
            validation, epochs, batchSize, optimizer, learningRate, momentum, weightDecay, seed, lrStep, lrGamma, augment,
        ],
        outputs: [OutputSlot("model", .trainedModel, doc: "The trained weights."), OutputSlot("metrics", .metrics, doc: "Loss and learning rate per epoch, and pixel accuracy and mean IoU on `val` when given.")], sharedCode: [.optimizer, .convolution]),
        check: { stage, checker in checkTraining(&stage, checker, task: .segmentation) })
}
