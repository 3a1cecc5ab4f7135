import AssayData
import AssayLearn

/// How close synthetic images came to a target image: the mean over images of SSIM (window 11,
/// σ 1.5, values in [0, 1]) and of the cosine similarity of the centred images
/// cos(x − x̄, t − t̄) (centring makes a flat grey image score 0, not ~1).
enum TargetSimilarity {
    static func measure(_ images: [Float], target: [Float], shape: SampleShape) throws -> (ssim: Double, cosine: Double) {
        let n = shape.count
        guard n > 0, target.count == n, images.count >= n else { return (.nan, .nan) }
        var ssim = 0.0, cosine = 0.0
        let count = images.count / n
        for i in 0..<count {
            let image = Array(images[(i * n)..<((i + 1) * n)])
            ssim += try StructuralSimilarity.ssim(image, target, channels: shape.channels, width: shape.width, height: shape.height)
            cosine += Metrics.cosineSimilarity(centred(image), centred(target))
        }
        return (ssim / Double(count), cosine / Double(count))
    }

    static func centred(_ x: [Float]) -> [Float] {
        let mean = x.reduce(0, +) / Float(max(1, x.count))
        return x.map { $0 - mean }
    }
}
