import XCTest
@testable import AssayData

final class ResamplingTests: XCTestCase {
    /// The bilinear resize as first written (indexing arrays, one output value at a time): the
    /// pointer version must give the same bytes, so stored data sets keep their digests.
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

    func testBilinearMatchesTheReferenceBytesForShrinkingAndEnlarging() {
        for (w, h, c, tw, th) in [(20, 16, 3, 8, 10), (13, 11, 1, 31, 7), (500, 375, 3, 224, 224), (1, 1, 3, 4, 4), (7, 5, 3, 7, 3)] {
            let image = TestData.gradient(width: w, height: h, channels: c, seed: w + h)
            XCTAssertEqual(Resampling.bilinear(image, height: th, width: tw), reference(image, height: th, width: tw), "\(w)×\(h)×\(c) → \(tw)×\(th)")
        }
    }
}
