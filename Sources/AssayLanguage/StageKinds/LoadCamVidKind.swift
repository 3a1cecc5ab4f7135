import AssaySupport
import Foundation

extension StageKind {
    /// `camvid:` data sets: the signature of their loader and its checks.
    public static let loadCamVid = StageKind(signature: OperatorSignature(
        name: "load-camvid", version: 2, doc: "CamVid-style folders: `train`, `val`, `test` with images and `trainannot`, `valannot`, `testannot` with label PNGs.",
        parameters: [
            ParameterSchema("root", .path(mustExist: true), required: true, doc: "The data set folder."),
            ParameterSchema("classes", .list(.string), default: .list(camvidClasses.map { .string($0) }), minCount: 1, doc: "Class names in label order."),
            ParameterSchema("void", .int, default: 11, min: 0, doc: "Label value of void pixels."),
            ParameterSchema("size", .list(.int), default: [360, 480], max: 65536, doc: "Images are resized to [H, W]."),
        ],
        outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
        isImplicit: true),
        describe: { source, checker in describeCamVid(source, checker) })

    static let camvidClasses = [
        "sky", "building", "pole", "road", "pavement", "tree", "sign", "fence", "car", "pedestrian", "bicyclist", "void",
    ]

    /// RGB images of `size`; `root` holds the six CamVid folders.
    private static func describeCamVid(_ source: SourceCheck, _ checker: DatasetChecker) -> DatasetInfo? {
        guard let size = source.pair("size", checker) else { return nil }
        if let root = source.parameters["root"]?.stringValue {
            let rootPath = checker.absolutePath(root)
            let missing = ["train", "trainannot", "val", "valannot", "test", "testannot"].filter {
                !checker.probe(URL(fileURLWithPath: rootPath).appendingPathComponent($0).path).isDirectory
            }
            if !missing.isEmpty {
                checker.error("path-not-found", "`\(root)` is not a CamVid-style folder: it lacks " + missing.map { "`\($0)/`" }.joined(separator: ", "),
                              source.body["root"]?.span ?? source.body.span, label: "missing folders",
                              help: ["a CamVid folder holds images in train/, val/, test/ and label PNGs in trainannot/, valannot/, testannot/"], path: "\(source.path).root")
                return nil
            }
        }
        // `classes` that failed its own check was reported.
        guard let classes = source.parameters["classes"]?.listValue?.compactMap(\.stringValue) else { return nil }
        return source.info(splits: ["train", "val", "test"], sizes: [:], shape: [3, size[0], size[1]], classes: classes, task: .segmentation)
    }
}
