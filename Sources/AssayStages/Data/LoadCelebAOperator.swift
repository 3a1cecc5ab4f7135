import AssayData
import AssayEngine
import AssaySupport
import Foundation

/// `load-celeba`: CelebA from its own files. The label is the `target` attribute, each of
/// `attributes` a 0/1 attribute; the partition file gives the splits. The checker has read the
/// header and the partition file; a bad attribute line, a missing image or one that does not
/// decode is an error naming the file and line. Images are decoded a block at a time straight
/// into the output files, so memory does not grow with the 202,599 images.
struct LoadCelebAOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let p = try StageParameters(node)
        let root = URL(fileURLWithPath: try p.string("root"), isDirectory: true)
        // The planner passes the files it hashed; without a plan (tests), they are found under `root`.
        func file(_ field: String, _ fallback: String) -> URL {
            URL(fileURLWithPath: node.locals["path:\(field)"] ?? root.appendingPathComponent(p.string(field, default: fallback)).path)
        }
        let loader = CelebALoader(imageDirectory: file("images", CelebAFormat.imageFolder), attributeFile: file("attribute-file", CelebAFormat.attributeFile),
                                  partitionFile: file("partition-file", CelebAFormat.partitionFile), target: try p.string("target"), spurious: p.strings("attributes"))
        var limit: [String: Int] = [:]
        for split in CelebAFormat.splitNames { if let n = p.lookup("limit.\(split)")?.intValue { limit[split] = n } }
        let size = p.ints("size", default: [224, 224]), crop = p.ints("crop")
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        guard crop.isEmpty || crop.count == 2 else { throw StageError(stage: node.id, path: "crop", "expected [H, W]") }
        let preprocessing = ImagePreprocessing(channels: try p.int("channels"), resize: .exact(height: size[0], width: size[1]),
                                               centerCrop: crop.isEmpty ? nil : ImageSize(height: crop[0], width: crop[1]), order: .cropThenResize)
        context.report(fraction: 0, message: "reading the attribute and partition files")
        let listings = try DataStageIO.wrap(node, "attribute-file") { try loader.listings(limit: limit) }
        return StageResult(metrics: try DataStageIO.writeDecoding(listings, preprocessing: preprocessing, node: node, context: context, errorPath: "images"))
    }
}
