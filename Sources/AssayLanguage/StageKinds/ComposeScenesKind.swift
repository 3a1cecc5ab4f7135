import AssaySupport

extension StageKind {
    /// `compose-scenes`: its signature.
    static let composeScenes = StageKind(signature: OperatorSignature(
        name: "compose-scenes", version: 1, doc: "Segmentation scenes: items pasted on a canvas; a pixel's label is its item's class where the item is above `threshold`, background elsewhere.",
        parameters: [
            ParameterSchema("items", .reference(.datasetSplits, many: false), required: true, doc: "The data set the items come from (split by split)."),
            ParameterSchema("per-canvas", .list(.int), default: [2, 4], max: 1024, doc: "Range [min, max] of items per scene."),
            ParameterSchema("canvas", .list(.int), default: [64, 64], max: 65536, doc: "Scene size [H, W]."),
            ParameterSchema("overlap", .enumeration(["allow", "avoid"]), default: "avoid", doc: "Whether items may overlap (later ones on top)."),
            ParameterSchema("background", .enumeration(["black", "noise", "texture"]), default: "texture", doc: "Canvas background."),
            ParameterSchema("threshold", .double, default: 0.2, min: 0, max: 1, doc: "Item intensity above which a pixel takes the item's class."),
            ParameterSchema("samples", perSplitCount, default: ["train": 2000, "test": 500], doc: "Scenes per split."),
            seed,
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true))
}
