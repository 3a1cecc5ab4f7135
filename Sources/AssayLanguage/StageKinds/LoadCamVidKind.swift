import AssaySupport

extension StageKind {
    /// `load-camvid`: its signature.
    static let loadCamVid = StageKind(signature: OperatorSignature(
        name: "load-camvid", version: 1, doc: "CamVid-style folders: `train`, `val`, `test` with images and `trainannot`, `valannot`, `testannot` with label PNGs.",
        parameters: [
            ParameterSchema("root", .path(mustExist: true), required: true, doc: "The data set folder."),
            ParameterSchema("classes", .list(.string), default: .list(camvidClasses.map { .string($0) }), minCount: 1, doc: "Class names in label order."),
            ParameterSchema("void", .int, default: 11, min: 0, doc: "Label value of void pixels."),
            ParameterSchema("size", .list(.int), default: [360, 480], max: 65536, doc: "Images are resized to [H, W]."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true))

    static let camvidClasses = [
        "sky", "building", "pole", "road", "pavement", "tree", "sign", "fence", "car", "pedestrian", "bicyclist", "void",
    ]
}
