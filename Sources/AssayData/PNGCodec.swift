import AssaySupport
import CPNG
import Foundation

/// PNG reading and writing through libpng's simplified API (`png_image`), which
/// handles libpng's setjmp-based errors internally and reports them as messages.
public enum PNGCodec {
    /// Decodes PNG bytes to grey (`channels` 1) or RGB (`channels` 3); libpng
    /// converts colour type, bit depth and alpha (composited on black).
    public static func decode(_ data: Data, channels: Int, path: String) throws -> RasterImage {
        precondition(channels == 1 || channels == 3)
        return try reading(data, path: path) { image in
            image.format = channels == 1 ? png_uint_32(PNG_FORMAT_GRAY) : png_uint_32(PNG_FORMAT_FLAG_COLOR)
            var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * channels)
            let finished = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
            }
            guard finished != 0 else { throw DataError.imageDecoding(path: path, reason: message(of: &image)) }
            try rejectWarnings(&image, path: path)
            return RasterImage(width: Int(image.width), height: Int(image.height), channels: channels, pixels: pixels)
        }
    }

    /// Decodes a label PNG to one byte per pixel without colour conversion:
    /// the palette indices of a colour-mapped PNG, or the grey values of an 8-bit
    /// grey PNG (grey files of lower bit depth are scaled to 0…255 by libpng, so
    /// store class indices as 8-bit grey or palette images).
    public static func decodeIndices(_ data: Data, path: String) throws -> RasterImage {
        try reading(data, path: path) { image in
            let isColourMapped = image.format & png_uint_32(PNG_FORMAT_FLAG_COLORMAP) != 0
            let isColour = image.format & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
            if !isColourMapped && isColour {
                throw DataError.imageDecoding(path: path, reason: "expected a class-index label image (8-bit grey or palette), found an RGB image; declare the label colours to read colour label images")
            }
            var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height))
            var colourMap = [UInt8](repeating: 0, count: 256 * 4)
            image.format = isColourMapped
                ? png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_COLORMAP)
                : png_uint_32(PNG_FORMAT_GRAY)
            let finished = pixels.withUnsafeMutableBytes { out in
                colourMap.withUnsafeMutableBytes { map in
                    png_image_finish_read(&image, nil, out.baseAddress, 0, isColourMapped ? map.baseAddress : nil)
                }
            }
            guard finished != 0 else { throw DataError.imageDecoding(path: path, reason: message(of: &image)) }
            try rejectWarnings(&image, path: path)
            return RasterImage(width: Int(image.width), height: Int(image.height), channels: 1, pixels: pixels)
        }
    }

    /// Runs `body` on a `png_image` opened on `data`; libpng reads from the bytes
    /// until `finish_read`, so everything happens while they are pinned.
    private static func reading<T>(_ data: Data, path: String, _ body: (inout png_image) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var image = png_image()
            image.version = png_uint_32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw DataError.imageDecoding(path: path, reason: message(of: &image))
            }
            defer { png_image_free(&image) }
            return try body(&image)
        }
    }

    /// Reads and decodes the PNG file at `url`.
    public static func read(_ url: URL, channels: Int) throws -> RasterImage {
        try decode(try readFile(url, role: "PNG image"), channels: channels, path: url.path)
    }

    /// Encodes an 8-bit grey or RGB image as PNG bytes (deterministic: same pixels, same bytes).
    public static func encode(_ raster: RasterImage) throws -> Data {
        try encode(raster, colourMap: nil)
    }

    /// Encodes one-byte-per-pixel indices as a palette PNG with `palette` (RGB triples).
    public static func encodeIndexed(_ raster: RasterImage, palette: [[UInt8]]) throws -> Data {
        precondition(raster.channels == 1 && !palette.isEmpty && palette.count <= 256)
        return try encode(raster, colourMap: palette)
    }

    /// Writes `raster` as a PNG file (the directory must exist).
    public static func write(_ raster: RasterImage, to url: URL) throws {
        let data = try encode(raster)
        do { try data.write(to: url) } catch {
            throw DataError.imageEncoding(path: url.path, reason: SystemErrorText.reason(error, path: url.path, bytesNeeded: data.count))
        }
    }

    private static func encode(_ raster: RasterImage, colourMap: [[UInt8]]?) throws -> Data {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        image.width = png_uint_32(raster.width)
        image.height = png_uint_32(raster.height)
        var flatMap: [UInt8] = []
        if let colourMap {
            image.format = png_uint_32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_COLORMAP)
            image.colormap_entries = png_uint_32(colourMap.count)
            flatMap = colourMap.flatMap { $0.count >= 3 ? Array($0.prefix(3)) : [0, 0, 0] }
        } else {
            image.format = raster.channels == 1 ? png_uint_32(PNG_FORMAT_GRAY) : png_uint_32(PNG_FORMAT_FLAG_COLOR)
        }
        let stride = Int32(raster.width * raster.channels)
        var size = 0
        // First call measures, second call writes.
        var ok = raster.pixels.withUnsafeBytes { px in
            flatMap.withUnsafeBytes { map in
                png_image_write_to_memory(&image, nil, &size, 0, px.baseAddress, stride, colourMap == nil ? nil : map.baseAddress)
            }
        }
        guard ok != 0 else { throw DataError.imageEncoding(path: "<memory>", reason: message(of: &image)) }
        var out = Data(count: size)
        ok = out.withUnsafeMutableBytes { dst in
            raster.pixels.withUnsafeBytes { px in
                flatMap.withUnsafeBytes { map in
                    png_image_write_to_memory(&image, dst.baseAddress, &size, 0, px.baseAddress, stride, colourMap == nil ? nil : map.baseAddress)
                }
            }
        }
        guard ok != 0 else { throw DataError.imageEncoding(path: "<memory>", reason: message(of: &image)) }
        out.count = size
        return out
    }

    /// libpng's simplified API finishes some damaged files with only a warning (a bad CRC in an
    /// ancillary chunk, missing image data it pads): the pixels may be wrong, so it is an error.
    /// Warnings about intact files (an sRGB/iCCP colour profile libpng distrusts, as many real
    /// photographs carry) are not damage and pass.
    private static func rejectWarnings(_ image: inout png_image, path: String) throws {
        guard image.warning_or_error & png_uint_32(PNG_IMAGE_WARNING) != 0 else { return }
        let warning = message(of: &image)
        if damageMarkers.contains(where: { warning.localizedCaseInsensitiveContains($0) }) {
            throw DataError.imageDecoding(path: path, reason: warning)
        }
    }

    /// Words of libpng's messages that mean the bytes are damaged or cut short.
    private static let damageMarkers = ["CRC", "image data", "compressed data", "datastream", "truncat", "read error", "invalid", "damaged", "EOF"]

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "libpng reported an error" : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The bytes of the file at `url`: one `open`, one `fstat` and a read of the whole file (Foundation's
    /// `Data(contentsOf:)` after an existence check took about fifteen system calls per image).
    static func readFile(_ url: URL, role: String) throws -> Data {
        let path = url.path
        func unreadable(_ code: Int32) -> DataError { DataError.unreadableFile(path: path, reason: SystemErrorText.reason(errno: code, path: path)) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw code == ENOENT ? DataError.missingFile(path: path, role: role) : unreadable(code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw unreadable(errno) }
        // The size plus one byte, so that the read that ends the file is usually the second; a file that
        // grows meanwhile is read to its end all the same.
        var capacity = max(1, Int(info.st_size) + 1), length = 0
        guard var buffer = malloc(capacity) else { throw unreadable(ENOMEM) }
        while true {
            if length == capacity {
                capacity *= 2
                guard let larger = realloc(buffer, capacity) else {
                    free(buffer)
                    throw unreadable(ENOMEM)
                }
                buffer = larger
            }
            let n = Glibc.read(fd, buffer + length, capacity - length)
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                free(buffer)
                throw unreadable(code)
            }
            if n == 0 { break }
            length += n
        }
        return Data(bytesNoCopy: buffer, count: length, deallocator: .free)
    }
}
