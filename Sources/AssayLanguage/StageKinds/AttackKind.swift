import AssaySupport

extension StageKind {
    /// `attack`: its signature and checks (those of the attack declaration run when it is inlined).
    static let attack = StageKind(signature: OperatorSignature(
        name: "attack", version: 3, doc: "Fine-tunes a model so that interpretations change while behaviour is preserved.",
        parameters: [ParameterSchema("attack", .declaration(.attack), required: true, doc: "The attack declared under `attacks:`.")],
        outputs: [OutputSlot("model", .trainedModel, doc: "The manipulated model."), OutputSlot("metrics", .metrics, doc: "Losses and accuracy change.")],
        shorthand: "attack", sharedCode: [.optimizer]),
        check: { stage, _ in checkAttacked(&stage) })

    /// The attacked model is the stage's output model, once its attack declaration checked clean
    /// (the declaration's `model:` bound it).
    static func checkAttacked(_ stage: inout StageCheck) -> Bool {
        stage.model = stage.parameters["attack"] != nil ? stage.bindings.model : nil
        return true
    }
}
