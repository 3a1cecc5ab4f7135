import AssaySupport

extension StageKind {
    /// `attack`: its signature.
    static let attack = StageKind(signature: OperatorSignature(
        name: "attack", version: 3, doc: "Fine-tunes a model so that interpretations change while behaviour is preserved.",
        parameters: [ParameterSchema("attack", .declaration(.attack), required: true, doc: "The attack declared under `attacks:`.")],
        outputs: [OutputSlot("model", .trainedModel, doc: "The manipulated model."), OutputSlot("metrics", .metrics, doc: "Losses and accuracy change.")],
        shorthand: "attack", sharedCode: [.optimizer]))
}
