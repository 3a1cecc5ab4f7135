import AssaySupport

extension StageKind {
    /// `attack`: its signature and checks (those of the attack declaration run when it is inlined).
    public static let attack = StageKind(signature: OperatorSignature(
        name: "attack", version: 3, doc: "Fine-tunes a model so that interpretations change while behaviour is preserved.",
        parameters: [ParameterSchema("attack", .declaration(.attack), required: true, doc: "The attack declared under `attacks:`.")],
        outputs: [OutputSlot("model", .trainedModel, doc: "The manipulated model."), OutputSlot("metrics", .metrics, doc: "Losses and accuracy change.")],
        shorthand: "attack", sharedCode: [.optimizer, .convolution]),
        check: { stage, _ in checkAttacked(&stage) })

    /// The attacked model is the stage's output model, once its attack declaration checked clean
    /// (the declaration's `model:` bound it).
    static func checkAttacked(_ stage: inout StageCheck) -> Bool {
        stage.model = stage.parameters["attack"] != nil ? stage.bindings.model : nil
        return true
    }

    /// An attack declaration whose fields checked clean against the model it attacks: every split it
    /// uses is shaped like the model's input, and a ProxPulse objective's SSIM window fits the images.
    static func checkAttackDeclaration(_ v: Value, model spec: ModelSpec, bindings: StageBindings, slot: String, path: String, _ checker: StageChecker) -> Bool {
        for (slotName, data) in bindings.datasets where slotName.hasPrefix(slot + ".") {
            if data.sampleShape != spec.inputShape {
                checker.error("shape-mismatch", "`\(data.name)` has samples of shape \(checker.shapeText(data.sampleShape)), but model `\(spec.name)` takes \(checker.shapeText(spec.inputShape))",
                              v.span, path: path)
                return false
            }
        }
        // ProxPulse scores the synthetic image against its target with SSIM, whose window
        // (AssayLearn's StructuralSimilarity) is 11×11 pixels.
        if let objective = v["objective"], objective["proxpulse"] != nil, spec.inputShape.count == 3, min(spec.inputShape[1], spec.inputShape[2]) < 11 {
            checker.error("image-too-small", "a `proxpulse` attack compares images with an 11×11 SSIM window, but model `\(spec.name)` takes \(spec.inputShape[1])×\(spec.inputShape[2]) images",
                          objective.span, label: "needs images of at least 11×11", help: ["use images of at least 11×11 pixels, or another objective"], path: "\(path).objective")
            return false
        }
        return true
    }
}
