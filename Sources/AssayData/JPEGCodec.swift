import AssaySupport
import CJPEG
import Foundation

/// JPEG reading and writing through libjpeg(-turbo). libjpeg's fatal errors
/// longjmp, which Swift cannot catch, so the work runs in C helpers in the
/// `CJPEG` shim that return the error message instead.
public enum JPEGCodec {
    /// Decodes JPEG bytes to grey (`channels` 1) or RGB (`channels` 3), at 1/`scaleDenominator`
    /// of the size (1, 2, 4 or 8; libjpeg's scaled inverse DCT, sizes rounded up). The rows are
    /// decoded straight into the image's array, sized from the header.
    public static func decode(_ data: Data, channels: Int, path: String, scaleDenominator: Int = 1) throws -> RasterImage {
        precondition(channels == 1 || channels == 3)
        precondition([1, 2, 4, 8].contains(scaleDenominator))
        var width: Int32 = 0, height: Int32 = 0, gotChannels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        var status: Int32 = 1
        // The output size libjpeg computes (jdiv_round_up); an unreadable header fails in the decode and says why.
        let full = size(of: data) ?? (0, 0)
        let d = scaleDenominator
        let capacity = (full.width + d - 1) / d * ((full.height + d - 1) / d) * channels
        let pixels = [UInt8](unsafeUninitializedCapacity: max(1, capacity)) { buffer, initialized in
            var output: UnsafeMutablePointer<UInt8>?
            status = data.withUnsafeBytes { raw in
                assay_jpeg_decode_scaled(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), channels == 1 ? 1 : 0, Int32(d),
                                         buffer.baseAddress, capacity, &output, &width, &height, &gotChannels, &message, message.count)
            }
            initialized = status == 0 ? Int(width) * Int(height) * Int(gotChannels) : 0
        }
        guard status == 0 else {
            throw DataError.imageDecoding(path: path, reason: String(cString: message))
        }
        guard Int(gotChannels) == channels else {
            throw DataError.imageDecoding(path: path, reason: "libjpeg produced \(gotChannels) channels, expected \(channels)")
        }
        return RasterImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// The width and height in the header of JPEG bytes, without decoding them (nil if the header is unreadable).
    public static func size(of data: Data) -> (width: Int, height: Int)? {
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { raw in
            assay_jpeg_size(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), &width, &height, &message, message.count)
        }
        return status == 0 ? (Int(width), Int(height)) : nil
    }

    /// Encodes an 8-bit grey or RGB image as a baseline JPEG of the given quality (1…100).
    public static func encode(_ raster: RasterImage, quality: Int = 90) throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = raster.pixels.withUnsafeBufferPointer { px in
            assay_jpeg_encode(px.baseAddress, Int32(raster.width), Int32(raster.height), Int32(raster.channels),
                              Int32(max(1, min(100, quality))), &output, &size, &message, message.count)
        }
        guard status == 0, let output else {
            throw DataError.imageEncoding(path: "<memory>", reason: String(cString: message))
        }
        defer { free(output) }
        return Data(bytes: output, count: Int(size))
    }

    /// Writes `raster` as a JPEG file.
    public static func write(_ raster: RasterImage, to url: URL, quality: Int = 90) throws {
        let data = try encode(raster, quality: quality)
        do { try data.write(to: url) } catch {
            throw DataError.imageEncoding(path: url.path, reason: SystemErrorText.reason(error, path: url.path, bytesNeeded: data.count))
        }
    }
}
