import AssayData
import AssayEngine
import AssaySupport
import Foundation

/// `load-celeba`: CelebA from its own files. The label is the `target` attribute, each of
/// `attributes` a 0/1 attribute; the partition file gives the splits. The checker has read the
/// header and the partition file; a bad attribute line, a missing image or one that does not
/// decode is an error naming the file and line. Images are decoded a block at a time straight
/// into the output files, so memory does not grow with the 202,599 images.
struct LoadCelebAOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var root: String
        var target: String
        var attributes: [String]
        var images: String
        var attributeFile: String
        var partitionFile: String
        var crop: [Int]?
        var size: [Int]
        var channels: Int
        /// Keep only the first n images of a split.
        var limit: SplitCounts?
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        // Exactly the three files the checker declared and the planner hashed.
        func file(_ field: String) throws -> URL { URL(fileURLWithPath: try node.file(field)) }
        let loader = CelebALoader(imageDirectory: try file("images"), attributeFile: try file("attribute-file"),
                                  partitionFile: try file("partition-file"), target: p.target, spurious: p.attributes)
        var limit: [String: Int] = [:]
        for split in ["train", "val", "test"] { if let n = p.limit?[split] { limit[split] = n } }
        let size = p.size, crop = p.crop ?? []
        guard size.count == 2 else { throw StageError(stage: node.id, path: "size", "expected [H, W]") }
        guard crop.isEmpty || crop.count == 2 else { throw StageError(stage: node.id, path: "crop", "expected [H, W]") }
        let preprocessing = ImagePreprocessing(channels: p.channels, resize: .exact(height: size[0], width: size[1]),
                                               centerCrop: crop.isEmpty ? nil : ImageSize(height: crop[0], width: crop[1]), order: .cropThenResize)
        context.report(fraction: 0, message: "reading the attribute and partition files")
        let listings = try DataStageIO.wrap(node, "attribute-file") { try loader.listings(limit: limit) }
        return StageResult(metrics: try DataStageIO.writeDecoding(listings, preprocessing: preprocessing, node: node, context: context, errorPath: "images"))
    }
}
