import XCTest
@testable import AssayData

final class ResamplingTests: XCTestCase {
    /// The bilinear resize computed in Double, one output value at a time (the implementation before the
    /// fixed-point one): the exact value, rounded once.
    private func reference(_ image: RasterImage, height: Int, width: Int) -> RasterImage {
        if image.height == height && image.width == width { return image }
        let c = image.channels
        let sy = Double(image.height) / Double(height), sx = Double(image.width) / Double(width)
        var out = [UInt8](repeating: 0, count: height * width * c)
        for y in 0 ..< height {
            let s = min(max((Double(y) + 0.5) * sy - 0.5, 0), Double(image.height - 1))
            let y0 = Int(s), y1 = min(y0 + 1, image.height - 1), fy = s - Double(y0)
            for x in 0 ..< width {
                let t = min(max((Double(x) + 0.5) * sx - 0.5, 0), Double(image.width - 1))
                let x0 = Int(t), x1 = min(x0 + 1, image.width - 1), fx = t - Double(x0)
                for ch in 0 ..< c {
                    let p = image.pixels
                    let a = Double(p[(y0 * image.width + x0) * c + ch]), b = Double(p[(y0 * image.width + x1) * c + ch])
                    let d = Double(p[(y1 * image.width + x0) * c + ch]), e = Double(p[(y1 * image.width + x1) * c + ch])
                    let top = a + (b - a) * fx, bottom = d + (e - d) * fx
                    out[(y * width + x) * c + ch] = UInt8(min(255, max(0, (top + (bottom - top) * fy).rounded())))
                }
            }
        }
        return RasterImage(width: width, height: height, channels: c, pixels: out)
    }

    /// Pixels from a fixed pseudo-random sequence: neighbours differ by up to 255, the hardest case for
    /// an interpolation's rounding.
    static func noise(width: Int, height: Int, channels: Int, seed: UInt64) -> RasterImage {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        let pixels = (0 ..< width * height * channels).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The fixed-point resize (12-bit weights, one rounding) is within ±1 of the exact value everywhere,
    /// and equal to it almost everywhere, shrinking, enlarging and mixed, grey and RGB.
    func testBilinearIsWithinOneOfTheExactValue() {
        var compared = 0, differing = 0
        for (w, h, c, tw, th) in [(20, 16, 3, 8, 10), (13, 11, 1, 31, 7), (500, 375, 3, 224, 224), (313, 235, 3, 224, 224), (1, 1, 3, 4, 4),
                                  (7, 5, 3, 7, 3), (250, 188, 1, 224, 224), (64, 48, 3, 17, 13)] {
            for image in [TestData.gradient(width: w, height: h, channels: c, seed: w + h), Self.noise(width: w, height: h, channels: c, seed: UInt64(w * h))] {
                let fixed = Resampling.bilinear(image, height: th, width: tw), exact = reference(image, height: th, width: tw)
                XCTAssertEqual(fixed.shape, exact.shape)
                let worst = zip(fixed.pixels, exact.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1, "\(w)×\(h)×\(c) → \(tw)×\(th)")
                compared += fixed.pixels.count
                differing += zip(fixed.pixels, exact.pixels).filter { $0 != $1 }.count
            }
        }
        // Values off by one are those within 2^-12 of a rounding boundary: rare.
        XCTAssertLessThan(Double(differing) / Double(compared), 0.01, "\(differing) of \(compared) bytes differ from the exact values")
    }

    /// Resizing with windows straight into planes gives the bytes of resizing, cropping and
    /// transposing separately: a crop of the resized image (resize then crop) and a resize of a crop
    /// of the source (crop then resize).
    func testWindowedPlanarResizeEqualsResizeCropAndTranspose() {
        for c in [1, 3] {
            let image = Self.noise(width: 50, height: 40, channels: c, seed: UInt64(c))
            let output = Resampling.Window(top: 3, left: 5, height: 10, width: 12)
            var planes = [UInt8](repeating: 0, count: c * 10 * 12)
            image.pixels.withUnsafeBufferPointer { src in
                Resampling.bilinearPlanar(src.baseAddress!, width: 50, height: 40, channels: c, window: Resampling.Window(height: 40, width: 50),
                                          size: ImageSize(height: 20, width: 30), output: output, into: &planes)
            }
            let resizedThenCropped = Resampling.crop(Resampling.bilinear(image, height: 20, width: 30), top: 3, left: 5, height: 10, width: 12)
            XCTAssertEqual(planes, resizedThenCropped.planar, "resize then crop, \(c) channels")

            let source = Resampling.Window(top: 4, left: 9, height: 30, width: 33)
            var whole = [UInt8](repeating: 0, count: c * 17 * 21)
            image.pixels.withUnsafeBufferPointer { src in
                Resampling.bilinearPlanar(src.baseAddress!, width: 50, height: 40, channels: c, window: source,
                                          size: ImageSize(height: 17, width: 21), output: Resampling.Window(height: 17, width: 21), into: &whole)
            }
            let croppedThenResized = Resampling.bilinear(Resampling.crop(image, top: 4, left: 9, height: 30, width: 33), height: 17, width: 21)
            XCTAssertEqual(whole, croppedThenResized.planar, "crop then resize, \(c) channels")
        }
    }

    /// An axis that is not resized copies its pixels exactly (weight zero), so a pure crop or a
    /// one-axis resize loses nothing on the other axis.
    func testAnAxisNotResizedIsCopiedExactly() {
        let image = Self.noise(width: 9, height: 7, channels: 3, seed: 9)
        let taller = Resampling.bilinear(image, height: 14, width: 9)
        for y in stride(from: 0, to: 14, by: 1) {
            // Half-pixel centres: output rows 2k+1 / 2k+2 blend source rows k and k+1 by ¼ and ¾; x is untouched,
            // so every output column is the same blend of one source column.
            let s = min(max((Double(y) + 0.5) / 2 - 0.5, 0), 6), y0 = Int(s), y1 = min(y0 + 1, 6), f = s - Double(y0)
            for x in 0 ..< 9 {
                for ch in 0 ..< 3 {
                    let a = Double(image.pixels[(y0 * 9 + x) * 3 + ch]), b = Double(image.pixels[(y1 * 9 + x) * 3 + ch])
                    XCTAssertEqual(Int(taller.pixels[(y * 9 + x) * 3 + ch]), Int((a + (b - a) * f).rounded()), "row \(y) column \(x)")
                }
            }
        }
        XCTAssertEqual(Resampling.bilinear(image, height: 7, width: 9), image)
    }
}
