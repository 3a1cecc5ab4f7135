import AssaySupport
import Foundation

extension StageKind {
    /// `image-folder:` data sets: the signature of their loader and its checks.
    public static let loadImageFolder = StageKind(signature: OperatorSignature(
        name: "load-image-folder", version: 4, doc: "Images listed in a metadata CSV (Waterbirds / CelebA layout): a file column, a label column, a split column and attribute columns.",
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
        isImplicit: true),
        describe: { source, checker in describeImageFolder(source, checker) })

    /// Images of `size` with `channels`, the metadata CSV's columns present, at least two classes.
    private static func describeImageFolder(_ source: SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        guard let size = source.pair("size", checker), let channels = source.channels(checker) else { return nil }
        guard checkMetadataColumns(source, checker) else { return nil }
        let classes = source.parameters["classes"]?.listValue?.compactMap(\.stringValue) ?? []
        if classes.count < 2 {
            checker.error("out-of-range", "an image-folder data set needs at least two classes", source.body["classes"]?.span ?? source.body.span, path: "\(source.path).classes")
            return nil
        }
        return source.info(splits: ["train", "val", "test"], sizes: [:], shape: [channels, size[0], size[1]], classes: classes,
                           attributes: source.parameters["attributes"]?.listValue?.compactMap(\.stringValue) ?? [], task: .classification)
    }

    /// The metadata CSV must exist and have every column the declaration names (its header row is read).
    private static func checkMetadataColumns(_ check: SourceCheck, _ checker: DatasetChecker) -> Bool {
        let (params, source, path) = (check.parameters, check.body, check.path)
        guard let root = params["root"]?.stringValue, let metadata = params["metadata"]?.stringValue else { return false }
        let rootPath = checker.absolutePath(root)
        let csv = URL(fileURLWithPath: rootPath).appendingPathComponent(metadata).path
        checker.willRead(csv)
        guard let handle = FileHandle(forReadingAtPath: csv) else {
            checker.error("path-not-found", "metadata file `\(metadata)` does not exist in `\(root)`", source["metadata"]?.span ?? source["root"]?.span ?? source.span,
                          label: "no such file", help: ["`metadata:` names a CSV file inside `root:` (default `metadata.csv`)"], path: "\(path).metadata")
            return false
        }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 65536), as: UTF8.self)
        let header = head.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\r")) }
        var wanted: [(field: String, column: String)] = []
        for field in ["image-column", "label-column", "split-column"] {
            if let c = params[field]?.stringValue { wanted.append((field, c)) }
        }
        for (i, a) in (params["attributes"]?.listValue ?? []).enumerated() {
            if let c = a.stringValue { wanted.append(("attributes[\(i)]", c)) }
        }
        var ok = true
        for (field, column) in wanted where !columns.contains(column) {
            let fieldName = field.hasPrefix("attributes") ? "attributes" : field
            var help = ["columns of `\(metadata)`: " + columns.joined(separator: ", ")]
            if let s = EditDistance.suggestion(for: column, among: columns) { help.insert("did you mean `\(s)`?", at: 0) }
            let span = field.hasPrefix("attributes") ? (source["attributes"]?.items?[safe: Int(field.dropFirst(11).dropLast()) ?? 0]?.span ?? source.span) : (source[fieldName]?.span ?? source.span)
            checker.error("unknown-column", "`\(metadata)` has no column `\(column)`", span, label: "not in the CSV header", help: help, path: "\(path).\(field)")
            ok = false
        }
        return ok
    }
}
