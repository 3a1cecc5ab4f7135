import AssaySupport

extension StageKind {
    /// `load-celeba`: its signature.
    static let loadCelebA = StageKind(signature: OperatorSignature(
        name: "load-celeba", version: 1,
        doc: "CelebA from its own files: `img_align_celeba/`, `list_attr_celeba.txt` and `list_eval_partition.txt`. The label is the `target` attribute (classes `not-TARGET`, `TARGET`); each of `attributes` becomes a 0/1 attribute.",
        parameters: [
            ParameterSchema("root", .path(mustExist: true), required: true, doc: "Folder holding the images folder and the two listing files."),
            ParameterSchema("target", .string, required: true, doc: "The attribute that becomes the label, e.g. `Blond_Hair`."),
            ParameterSchema("attributes", .list(.string), default: [], doc: "Spurious attributes kept for groups, e.g. `[Male]`."),
            ParameterSchema("images", .string, default: .string(CelebAFormat.imageFolder), doc: "Images folder, relative to `root`."),
            ParameterSchema("attribute-file", .string, default: .string(CelebAFormat.attributeFile), doc: "Attribute listing, relative to `root`."),
            ParameterSchema("partition-file", .string, default: .string(CelebAFormat.partitionFile), doc: "Partition listing (0 train, 1 val, 2 test), relative to `root`."),
            ParameterSchema("crop", .list(.int), max: 65536, doc: "Centre crop [H, W] before resizing (the DFR recipe: [178, 178]); none if absent."),
            ParameterSchema("size", .list(.int), default: [224, 224], max: 65536, doc: "Images are resized to [H, W]."),
            ParameterSchema("channels", .int, default: 3, min: 1, max: 3, doc: "Grey (1) or RGB (3)."),
            ParameterSchema("limit", perSplitCount, doc: "Keep only the first n images of a split (CI-sized runs)."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true))
}
