import AssaySupport
import XCTest
@testable import AssayLearn

final class StructuralSimilarityTests: XCTestCase {
    func testIdenticalImagesScoreOne() throws {
        var random = SeededRandom(seed: 3)
        let image = (0..<(16 * 20)).map { _ in random.nextFloat() }
        XCTAssertEqual(try StructuralSimilarity.ssim(image, image, width: 20, height: 16), 1, accuracy: 1e-12)
    }

    /// Two constant images a and b: σ = 0 everywhere, so every window gives
    /// (2ab + C₁)/(a² + b² + C₁) · C₂/C₂.
    func testConstantImagesGiveTheLuminanceTerm() throws {
        let a: Float = 0.25, b: Float = 0.75
        let x = [Float](repeating: a, count: 12 * 12), y = [Float](repeating: b, count: 12 * 12)
        let c1 = 0.0001
        let expected = (2 * 0.25 * 0.75 + c1) / (0.0625 + 0.5625 + c1)
        XCTAssertEqual(try StructuralSimilarity.ssim(x, y, width: 12, height: 12), expected, accuracy: 1e-9)
    }

    /// A checkerboard against its negative (1 − x): equal variances and covariance −σ²,
    /// so the structure term (−2σ² + C₂)/(2σ² + C₂) is close to −1 and the means are
    /// close (both near ½), leaving the luminance term near 1.
    func testNegativeImageScoresBelowZero() throws {
        let x: [Float] = (0..<(11 * 11)).map { (i: Int) -> Float in ((i / 11 + i % 11) % 2 == 0) ? 0 : 1 }
        let y = x.map { 1 - $0 }
        let score = try StructuralSimilarity.ssim(x, y, width: 11, height: 11)
        XCTAssertLessThan(score, -0.9)
    }

    func testNoisyCopyScoresBetweenZeroAndOneAndSymmetric() throws {
        var random = SeededRandom(seed: 5)
        let x = (0..<(28 * 28)).map { i in Float(i % 28) / 27 }
        let y = x.map { min(1, max(0, $0 + 0.1 * random.nextNormal())) }
        let xy = try StructuralSimilarity.ssim(x, y, width: 28, height: 28)
        let yx = try StructuralSimilarity.ssim(y, x, width: 28, height: 28)
        XCTAssertGreaterThan(xy, 0)
        XCTAssertLessThan(xy, 0.99)
        XCTAssertEqual(xy, yx, accuracy: 1e-12)
    }

    /// Reference values from scikit-image 0.25 (`structural_similarity(x, y,
    /// gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1)`,
    /// which averages the same interior windows) on two smooth 16×20 patterns.
    func testMatchesScikitImageOnSmoothPatterns() throws {
        let height = 16, width = 20
        var x = [Float](), y = [Float]()
        for i in 0..<height {
            for j in 0..<width {
                let di = Double(i), dj = Double(j)
                x.append(Float(0.5 + 0.4 * sin(di * 0.7) * cos(dj * 0.45)))
                y.append(Float(0.5 + 0.3 * sin(di * 0.5 + 0.3) * cos(dj * 0.6) + 0.05 * Double((i * 7 + j * 3) % 5) / 4))
            }
        }
        XCTAssertEqual(try StructuralSimilarity.ssim(x, y, width: width, height: height), 0.06190415586004659, accuracy: 1e-6)
        XCTAssertEqual(try StructuralSimilarity.ssim(x, x.map { $0 * 0.5 }, width: width, height: height), 0.6436039251246831, accuracy: 1e-6)
    }

    func testImagesSmallerThanTheWindowAreRejected() {
        XCTAssertThrowsError(try StructuralSimilarity.ssim([Float](repeating: 0, count: 100), [Float](repeating: 0, count: 100), width: 10, height: 10)) {
            XCTAssertEqual($0 as? LearnError, .imageTooSmall(width: 10, height: 10, window: 11))
        }
    }
}
