import AssaySupport

extension StageKind {
    /// `visualize`: its signature.
    static let visualize = StageKind(signature: OperatorSignature(
        name: "visualize", version: 3, doc: "Feature visualisations of a unit: natural (top-k images) and/or synthetic (activation maximisation).",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
            ParameterSchema("unit", .unit, doc: "The unit, `layer[channel]`; may come from `like`."),
            ParameterSchema("like", .reference(.visualization, many: false), doc: "Reuse the unit and settings of another `visualize` stage."),
            ParameterSchema("natural", .record([
                top,
                ParameterSchema("over", .reference(.dataset, many: false), required: true, doc: "The split ranked by activation."),
            ]), doc: "Top-k natural images."),
            ParameterSchema("synthetic", .record(synthetic), doc: "Synthetic image by gradient ascent from noise."),
        ],
        outputs: [
            OutputSlot("visualization", .visualization, doc: "Activation ranking, top-k indices and synthetic images."),
            OutputSlot("natural.png", .image, doc: "Grid of the top-k natural images."),
            OutputSlot("synthetic.png", .image, doc: "The synthetic images, one per restart."),
        ], sharedCode: [.optimizer]))

    /// Fields of `synthetic:` (activation maximisation).
    static let synthetic: [ParameterSchema] = [
        ParameterSchema("steps", .int, default: 256, min: 1, doc: "Gradient-ascent steps."),
        ParameterSchema("lr", .double, default: 0.05, min: 0, exclusiveMin: true, doc: "Step size."),
        ParameterSchema("l2", .double, default: 1e-4, min: 0, doc: "L2 penalty on the image."),
        ParameterSchema("tv", .double, default: 1e-3, min: 0, doc: "Total-variation penalty."),
        ParameterSchema("jitter", .int, default: 2, min: 0, doc: "Random translation in pixels per step."),
        ParameterSchema("parameterization", .enumeration(["pixel", "fourier"]), default: "fourier", doc: "Optimise pixels or a decorrelated Fourier basis."),
        ParameterSchema("restarts", .int, default: 1, min: 1, doc: "Independent starts from noise."),
        ParameterSchema("blur", .double, default: 0.0, min: 0, max: 1, doc: "Blur weight applied to pixel parameters every 4 steps."),
        ParameterSchema("scale", .double, default: 0.05, min: 0, max: 0.5, doc: "Random rescaling by ± this fraction per step."),
        ParameterSchema("rotation", .double, default: 5.0, min: 0, doc: "Random rotation by ± this many degrees per step."),
        seed,
    ]
}
