import AssaySupport

extension StageKind {
    /// `load-image-folder`: its signature.
    static let loadImageFolder = StageKind(signature: OperatorSignature(
        name: "load-image-folder", version: 3, doc: "Images listed in a metadata CSV (Waterbirds / CelebA layout): a file column, a label column, a split column and attribute columns.",
        parameters: [
            ParameterSchema("root", .path(mustExist: true), required: true, doc: "Folder with the images and the CSV."),
            ParameterSchema("metadata", .string, default: "metadata.csv", doc: "CSV file name, relative to `root`."),
            ParameterSchema("image-column", .string, default: "img_filename", doc: "Column with image paths relative to `root`."),
            ParameterSchema("label-column", .string, default: "y", doc: "Column with integer labels."),
            ParameterSchema("split-column", .string, default: "split", doc: "Column with split codes."),
            ParameterSchema("splits", .record([
                ParameterSchema("train", .string, default: "0", doc: "Code of the training split."),
                ParameterSchema("val", .string, default: "1", doc: "Code of the validation split."),
                ParameterSchema("test", .string, default: "2", doc: "Code of the test split."),
            ]), default: ["train": "0", "val": "1", "test": "2"], doc: "Split codes in the split column."),
            ParameterSchema("attributes", .list(.string), default: [], doc: "Columns holding binary attributes (e.g. `place`)."),
            ParameterSchema("classes", .list(.string), required: true, doc: "Class names, in label order."),
            ParameterSchema("size", .list(.int), default: [64, 64], max: 65536, doc: "Images are resized to [H, W]."),
            ParameterSchema("channels", .int, default: 3, min: 1, max: 3, doc: "Grey (1) or RGB (3)."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true))
}
