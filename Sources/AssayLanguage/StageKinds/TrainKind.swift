import AssaySupport

extension StageKind {
    /// `train`: its signature; its checks are those of training (``checkTraining``).
    public static let train = StageKind(signature: OperatorSignature(
        name: "train", version: 2, doc: "Trains a classifier declared under `models:` with softmax cross-entropy.",
        parameters: [
            ParameterSchema("model", .declaration(.model), required: true, doc: "The model declaration to train."),
            ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The training split, e.g. `fmnist.train`."),
            validation, epochs, batchSize, optimizer, learningRate, momentum, weightDecay, augment, seed, lrStep, lrGamma,
        ],
        outputs: [OutputSlot("model", .trainedModel, doc: "The trained weights."), OutputSlot("metrics", .metrics, doc: "Loss and accuracy per epoch.")], sharedCode: [.optimizer, .convolution]),
        check: { stage, checker in checkTraining(&stage, checker, task: .classification) })

    /// `train` and `segmentation-train`: the data has the task's kind (and a target's classes), the
    /// model declaration resolves against it, `val` is shaped like it, and the model, a batch and
    /// the data fit in memory. The model's weight files become files the stage reads.
    static func checkTraining(_ stage: inout StageCheck, _ checker: StageChecker, task: ModelTask) -> Bool {
        let (body, path, kind) = (stage.body, stage.path, stage.signature.name)
        guard let data = stage.bindings.datasets["data"], let modelName = stage.parameters["model"]?.stringValue, let use = body["model"] else { return false }
        if data.task != task {
            checker.error("wrong-data-kind", "`\(kind)` needs \(task.rawValue) data, but `\(data.name)` is a \(data.task.rawValue) data set", body["data"]?.span ?? body.span,
                          help: [task == .classification ? "use `segmentation-train` for segmentation data" : "use `train` for classification data"], path: "\(path).data")
            return false
        }
        var expected = data.classes.count
        if task == .segmentation, let t = checker.targets.found.values.first(where: { $0.canonical == stage.parameters["target"] }) {
            if t.dataset.name != data.name, t.classes != data.classes {
                checker.error("class-count-mismatch", "target classes (\(t.classes.count)) differ from the classes of `\(data.name)` (\(data.classes.count))",
                              body["target"]?.span ?? body.span, path: "\(path).target")
                return false
            }
            expected = t.classes.count
        }
        guard let spec = checker.models.resolveModel(named: modelName, input: data.sampleShape, expectedClasses: expected, task: task, use: use, path: "\(path).model") else { return false }
        if let val = stage.bindings.datasets["val"], val.task != task {
            checker.error("wrong-data-kind", "`val` of `\(kind)` needs \(task.rawValue) data, but `\(val.name)` is a \(val.task.rawValue) data set", body["val"]?.span ?? body.span, path: "\(path).val")
            return false
        }
        if let val = stage.bindings.datasets["val"], val.sampleShape != data.sampleShape {
            checker.error("shape-mismatch", "`val` samples are \(checker.shapeText(val.sampleShape)) but training samples are \(checker.shapeText(data.sampleShape))",
                          body["val"]?.span ?? body.span, path: "\(path).val")
            return false
        }
        stage.parameters["model"] = checker.models.canonicalModel(spec)
        stage.model = spec
        // A `batch-size` that failed its own check was reported; nothing is estimated from it.
        if let batchSize = stage.parameters["batch-size"]?.intValue {
            checker.checkMemory(checker.trainingMemory(spec, batchSize: batchSize), stage: stage.name,
                                what: "model `\(spec.name)` (\(spec.parameterCount) parameters) and a batch of \(batchSize)", declared: stage.declaredMemory,
                                at: use.span, field: "model", path: "\(path).model",
                                help: ["use a smaller model, a smaller `batch-size:`, or smaller images", "on a cluster, declare `resources: { memory: ... }`"])
            checker.checkBatchNormBatches(spec, batchSize: batchSize, context: stage.bindings, at: body["batch-size"]?.span ?? stage.keySpan, path: "\(path).batch-size")
        }
        for (field, file) in [("weights", spec.weights), ("encoder-weights", spec.encoderWeights)] {
            guard let file else { continue }
            stage.bindings.files["model.\(field)"] = checker.absolutePath(file)
        }
        return true
    }
}
