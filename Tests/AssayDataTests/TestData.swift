import Foundation
@testable import AssayData

/// Small synthetic data sets and scratch folders for the tests.
enum TestData {
    /// `count` grey `size`×`size` images of `classes` classes: label i mod classes,
    /// a bright square whose size depends on the label on a dark background.
    static func squares(count: Int, classes: Int = 4, size: Int = 8) -> ImageDataset {
        let shape = SampleShape(channels: 1, height: size, width: size)
        var pixels = [UInt8](repeating: 0, count: count * shape.count)
        var labels: [Int32] = []
        for i in 0 ..< count {
            let y = i % classes
            labels.append(Int32(y))
            let side = 2 + y % (size - 3)
            for r in 2 ..< 2 + side { for c in 2 ..< 2 + side { pixels[i * shape.count + r * size + c] = UInt8(100 + (i * 7) % 150) } }
        }
        return try! ImageDataset(shape: shape, pixels: pixels, labels: labels, classNames: (0 ..< classes).map { "c\($0)" })
    }

    /// A fresh empty directory under the system's temporary folder.
    static func scratchDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("assay-data-tests-\(name)-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: url)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A gradient RGB image whose colours identify `seed`.
    static func gradient(width: Int, height: Int, channels: Int, seed: Int) -> RasterImage {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0 ..< height {
            for x in 0 ..< width {
                for c in 0 ..< channels {
                    pixels[(y * width + x) * channels + c] = UInt8((x * 8 + y * 4 + c * 60 + seed * 30) % 256)
                }
            }
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    static var hasFashionMNIST: Bool {
        FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory.appendingPathComponent("train-images-idx3-ubyte.gz").path)
    }
}
