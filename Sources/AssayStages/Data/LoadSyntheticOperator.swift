import AssayData
import AssayEngine
import AssaySupport
import Foundation

/// `load-synthetic`: a seeded classification data set whose classes differ by a visible
/// pattern, plus Gaussian pixel noise of standard deviation `noise` (intensities in [0, 1]):
/// - `blobs`: a bright Gaussian blob at a class-specific position on a circle;
/// - `stripes`: stripes of a class-specific orientation;
/// - `gaussian`: a class-specific random template (drawn once from the seed).
/// Example i of a split has label i mod classes; each split draws from its own stream.
struct LoadSyntheticOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var generator: String
        var classes: Int
        var shape: [Int]
        var samples: SplitCounts
        var noise: Double
        var seed: UInt64
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let generator = p.generator
        let classes = p.classes
        let dims = p.shape
        guard dims.count == 3, dims.allSatisfy({ $0 > 0 }), classes >= 2 else {
            throw StageError(stage: node.id, path: "shape", "expected [C, H, W] with positive entries and at least two classes")
        }
        let shape = SampleShape(channels: dims[0], height: dims[1], width: dims[2])
        let noise = Float(p.noise)
        let seed = p.seed
        let templates = Self.templates(generator, classes: classes, shape: shape, seed: seed)
        var splits = DatasetSplits()
        for (k, split) in ["train", "val", "test"].enumerated() where node.outputs.contains(split) {
            try context.checkCancelled()
            guard let count = p.samples[split] else {
                throw StageError(stage: node.id, path: "samples.\(split)", "no sample count for the split `\(split)`", help: "rerun `assay check`; the plan is incomplete")
            }
            var random = SeededRandom(seed: seed, stream: UInt64(k + 1))
            var pixels = [UInt8](repeating: 0, count: count * shape.count)
            var labels = [Int32](repeating: 0, count: count)
            for i in 0..<count {
                let y = i % classes
                labels[i] = Int32(y)
                for j in 0..<shape.count {
                    let v = templates[y][j] + noise * random.nextNormal()
                    pixels[i * shape.count + j] = UInt8(max(0, min(255, (v * 255).rounded())))
                }
            }
            splits[split] = try DataStageIO.wrap(node) {
                try ImageDataset(shape: shape, pixels: pixels, labels: labels, classNames: (0..<classes).map { "class-\($0)" })
            }
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(splits))
    }

    /// One noiseless image per class, values in [0, 1], planar.
    static func templates(_ generator: String, classes: Int, shape: SampleShape, seed: UInt64) -> [[Float]] {
        let (h, w) = (Float(shape.height), Float(shape.width))
        var random = SeededRandom(seed: seed, stream: 0)
        return (0..<classes).map { y in
            let angle = 2 * Float.pi * Float(y) / Float(classes)
            var image = [Float](repeating: 0, count: shape.count)
            for c in 0..<shape.channels {
                for r in 0..<shape.height {
                    for x in 0..<shape.width {
                        let value: Float
                        switch generator {
                        case "stripes":
                            let t = Float(r) * sinf(angle / 2) + Float(x) * cosf(angle / 2)
                            value = sinf(t * 2 * .pi / 4) > 0 ? 0.8 : 0.1
                        case "gaussian":
                            value = min(1, max(0, 0.5 + 0.25 * random.nextNormal()))
                        default:
                            let cy = h / 2 + h / 4 * sinf(angle), cx = w / 2 + w / 4 * cosf(angle)
                            let d2 = (Float(r) - cy) * (Float(r) - cy) + (Float(x) - cx) * (Float(x) - cx)
                            value = 0.9 * expf(-d2 / (2 * (h / 8) * (w / 8)))
                        }
                        image[(c * shape.height + r) * shape.width + x] = value
                    }
                }
            }
            return image
        }
    }
}
