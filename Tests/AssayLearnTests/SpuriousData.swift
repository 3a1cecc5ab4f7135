import AssaySupport
@testable import AssayLearn

/// Synthetic group-robustness data: label y ∈ {0, 1}, spurious attribute a ∈ {0, 1},
/// group g = 2y + a. Feature 0 carries y weakly (the core feature), feature 1 carries
/// a strongly (the spurious one), the rest are noise.
enum SpuriousData {
    static func make(groupSizes: [Int], noiseFeatures: Int, seed: UInt64) -> (x: FeatureMatrix, labels: [Int32], groups: [Int32]) {
        var random = SeededRandom(seed: seed)
        var rows: [[Float]] = [], labels: [Int32] = [], groups: [Int32] = []
        for (g, size) in groupSizes.enumerated() {
            let y = g / 2, a = g % 2
            for _ in 0..<size {
                var row = [Float(2 * y - 1) * 1.5 + random.nextNormal(),
                           Float(2 * a - 1) * 3 + 0.5 * random.nextNormal()]
                for _ in 0..<noiseFeatures { row.append(random.nextNormal()) }
                rows.append(row)
                labels.append(Int32(y))
                groups.append(Int32(g))
            }
        }
        return (FeatureMatrix(rowArrays: rows), labels, groups)
    }
}
