import AssaySupport

extension StageKind {
    /// `visualize`: its signature and checks.
    public static let visualize = StageKind(signature: OperatorSignature(
        name: "visualize", version: 3, doc: "Feature visualisations of a unit: natural (top-k images) and/or synthetic (activation maximisation).",
        parameters: [
            ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
            ParameterSchema("unit", .unit, doc: "The unit, `layer[channel]`; may come from `like`."),
            ParameterSchema("like", .reference(.visualization, many: false), doc: "Reuse the unit and settings of another `visualize` stage."),
            ParameterSchema("natural", .record([
                top,
                ParameterSchema("over", .reference(.dataset, many: false), required: true, doc: "The split ranked by activation."),
                precision,
            ]), doc: "Top-k natural images."),
            ParameterSchema("synthetic", .record(synthetic), doc: "Synthetic image by gradient ascent from noise."),
        ],
        outputs: [
            OutputSlot("visualization", .visualization, doc: "Activation ranking, top-k indices and synthetic images."),
            OutputSlot("natural.png", .image, doc: "Grid of the top-k natural images."),
            OutputSlot("synthetic.png", .image, doc: "The synthetic images, one per restart."),
        ], sharedCode: [.optimizer, .convolution]),
        check: { stage, checker in checkVisualize(&stage, checker) })

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

    /// `like:` lends its unit, images and split; a unit and at least one kind of picture are
    /// needed; the ranked split fits the model. Only the pictures asked for are outputs.
    private static func checkVisualize(_ stage: inout StageCheck, _ checker: StageChecker) -> Bool {
        let (body, path, name) = (stage.body, stage.path, stage.name)
        if let likeRef = stage.bindings.inputs.removeValue(forKey: "like"), let like = checker.stages[likeRef.stage] {
            for key in ["unit", "natural", "synthetic"] where stage.parameters[key] == nil || stage.parameters[key] == .null {
                stage.parameters[key] = like.parameters[key] ?? .null
            }
            if body["natural"] == nil, let likeEntry = checker.entry("stages", likeRef.stage) {
                // The natural images are ranked over the same split as the stage it imitates.
                let likeBody = checker.resolve(likeEntry.node, path: "stages.\(likeRef.stage)")["visualize"]
                if let over = likeBody?["natural"]?["over"] {
                    var ctx = StageBindings()
                    checker.resolveReference(over, .dataset, slot: "natural.over", path: "\(path).natural.over", context: &ctx)
                    stage.bindings.inputs.merge(ctx.inputs) { a, _ in a }
                }
            }
            if let spec = stage.bindings.model, let unit = stage.parameters["unit"], let layer = unit["layer"]?.stringValue, let channel = unit["channel"]?.intValue {
                _ = checker.checkUnit(Value(kind: .string("\(layer)[\(channel)]"), span: body["like"]!.span, text: "\(layer)[\(channel)]"), path: "\(path).like",
                                      context: StageBindings(model: spec))
            }
        }
        let p = stage.parameters
        if (p["unit"] == nil || p["unit"] == .null) && body["unit"] == nil && body["like"] == nil {
            checker.error("missing-field", "`visualize` needs a `unit:` (or `like:` naming a stage that has one)", stage.keySpan, help: ["add `unit: conv2[5]`"], path: "\(path).unit")
            return false
        }
        if (p["unit"] ?? .null) == .null { return false }
        if (p["natural"] ?? .null) == .null && (p["synthetic"] ?? .null) == .null {
            checker.error("missing-field", "`visualize` needs `natural:`, `synthetic:` or both", stage.keySpan,
                          help: ["add `natural: { top: 9, over: DATA.test }` and/or `synthetic: { steps: 256 }`"], path: path)
            return false
        }
        if let spec = stage.bindings.model, let data = stage.bindings.datasets["natural.over"] {
            guard checker.checkDataFits(spec, data, use: body["natural"]?["over"], path: "\(path).natural.over") else { return false }
        }
        // A visualisation writes the pictures it was asked for: none is promised that will not exist.
        for (key, picture) in [("natural", "natural.png"), ("synthetic", "synthetic.png")] where (p[key] ?? .null) == .null { stage.outputs[picture] = nil }
        return true
    }
}
