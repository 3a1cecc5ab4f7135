/// An image carried inside the report as a `data:` URI, so the file needs no
/// network or neighbouring files at view time.
public struct EmbeddedImage: Sendable, Equatable {
    public enum Failure: Error, Equatable {
        /// The bytes do not start with the PNG signature and an IHDR chunk.
        case notPNG
    }

    public let mimeType: String
    public let bytes: [UInt8]
    /// Pixel size read from the PNG header.
    public let pixelWidth: Int
    public let pixelHeight: Int
    public var alt: String
    public var caption: String?

    /// Wraps PNG bytes, reading the size from the IHDR chunk.
    public init(png bytes: [UInt8], alt: String, caption: String? = nil) throws {
        guard let size = EmbeddedImage.pngSize(bytes) else { throw Failure.notPNG }
        self.mimeType = "image/png"
        self.bytes = bytes
        self.pixelWidth = size.width
        self.pixelHeight = size.height
        self.alt = alt
        self.caption = caption
    }

    /// The `data:` URI for an `<img src>`.
    public var dataURI: String {
        "data:\(mimeType);base64,\(Base64.encode(bytes))"
    }

    static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func bigEndian(_ offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let width = bigEndian(16), height = bigEndian(20)
        guard width > 0, height > 0 else { return nil }
        return (width, height)
    }
}
