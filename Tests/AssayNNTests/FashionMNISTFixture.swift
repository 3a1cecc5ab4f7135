import Foundation

/// Fashion-MNIST read straight from the Debian package's IDX .gz files (the real
/// loader lives in AssayData, which these tests cannot import).
struct FashionMNISTFixture {
    static let directory = "/usr/share/datasets/fashion-mnist"

    let images: [Float]   // N·784, scaled to [0, 1]
    let labels: [Int]

    var count: Int { labels.count }

    /// Loads the train or test split, or throws XCTSkip-worthy errors when absent.
    static func load(train: Bool) throws -> FashionMNISTFixture {
        let prefix = train ? "train" : "t10k"
        let imageBytes = try gunzip("\(directory)/\(prefix)-images-idx3-ubyte.gz")
        let labelBytes = try gunzip("\(directory)/\(prefix)-labels-idx1-ubyte.gz")
        let n = Int(bigEndian32(imageBytes, 4))
        precondition(bigEndian32(imageBytes, 0) == 2051 && bigEndian32(labelBytes, 0) == 2049, "not IDX files")
        let images = imageBytes[16..<(16 + n * 784)].map { Float($0) / 255 }
        let labels = labelBytes[8..<(8 + n)].map { Int($0) }
        return FashionMNISTFixture(images: images, labels: labels)
    }

    static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    static func gunzip(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw FixtureMissing(path: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    struct FixtureMissing: Error { let path: String }
}
