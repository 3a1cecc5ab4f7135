import AssaySupport

extension StageKind {
    /// `derive`: its signature.
    public static let derive = StageKind(signature: OperatorSignature(
        name: "derive", version: 1, doc: "A data set derived from another: relabelled, binary or class subset, with an injected spurious attribute.",
        parameters: [
            ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set derived from (`from:`)."),
            ParameterSchema("label", .variant([
                "binary": .record([
                    ParameterSchema("positive", .list(.string), required: true, doc: "Classes mapped to label 1."),
                    ParameterSchema("names", .list(.string), default: ["negative", "positive"], doc: "Names of labels 0 and 1."),
                ]),
                "subset": .list(.string),
                "relabel": .record([]),
            ]), doc: "How labels are derived."),
            ParameterSchema("attribute", .record([
                ParameterSchema("name", .string, doc: "Attribute name used by groups (default: the kind)."),
                ParameterSchema("kind", .enumeration(["tint", "border", "patch", "texture"]), required: true, doc: "What is injected."),
                ParameterSchema("size", .int, default: 2, min: 1, doc: "Border width or patch size in pixels."),
                ParameterSchema("correlation", .record([
                    ParameterSchema("train", .double, min: 0, max: 1, doc: "P(attribute = label) in `train`."),
                    ParameterSchema("val", .double, min: 0, max: 1, doc: "P(attribute = label) in `val`."),
                    ParameterSchema("test", .double, min: 0, max: 1, doc: "P(attribute = label) in `test`."),
                ]), required: true, doc: "Per-split probability that the attribute agrees with the label."),
            ]), doc: "An injected spurious attribute."),
            seed,
        ],
        outputs: [OutputSlot("<split>", .dataset, doc: "One output per split of the source.")],
        isImplicit: true))
}
