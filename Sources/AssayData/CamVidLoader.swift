import Foundation

/// Loads a CamVid-style segmentation folder: an image folder and a label folder
/// with one label image per image, paired by file stem (`x.png` ↔ `x.png` or
/// `x_L.png`, the original CamVid naming).
///
/// Label images are either class indices (8-bit grey or palette PNG, value =
/// class) or colour images decoded through a palette (one RGB colour per class;
/// colours not in the palette become the void label).
public struct CamVidLoader: Sendable {
    public enum LabelFormat: Hashable, Codable, Sendable {
        case classIndex
        /// `colours[k]` is the RGB colour of class k.
        case colour(colours: [[UInt8]])
    }

    public var imageDirectory: URL
    public var labelDirectory: URL
    public var classNames: [String]
    public var labelFormat: LabelFormat
    /// The mask value meaning "unlabelled" (CamVid's 11-class version uses 11).
    public var voidLabel: UInt8?
    /// Output size; images are resized bilinearly, labels by nearest neighbour.
    public var size: ImageSize?
    public var channels: Int

    public init(imageDirectory: URL, labelDirectory: URL, classNames: [String], labelFormat: LabelFormat = .classIndex,
                voidLabel: UInt8? = nil, size: ImageSize? = nil, channels: Int = 3) {
        self.imageDirectory = imageDirectory
        self.labelDirectory = labelDirectory
        self.classNames = classNames
        self.labelFormat = labelFormat
        self.voidLabel = voidLabel
        self.size = size
        self.channels = channels
    }

    /// Loads every image with its label image, in file-name order. Labels are all 0
    /// (class `scene`); the per-pixel classes are in `masks`.
    public func load() throws -> ImageDataset {
        let (imageFiles, labelFiles) = try files()
        let decoded = try ImageBatchDecoder.decode(imageFiles, preprocessing: preprocessing)
        return try ImageDataset(shape: decoded.shape, pixels: decoded.pixels, labels: [Int32](repeating: 0, count: imageFiles.count),
                                classNames: ["scene"],
                                masks: SegmentationMasks(classNames: classNames, voidLabel: voidLabel, pixels: try decodeMasks(labelFiles[...], shape: decoded.shape)))
    }

    /// Writes what `load()` returns as a one-split artifact at `url`, with the same bytes, a block of
    /// images at a time: memory holds a block, not the data set. The label images are read twice, first
    /// to count the pixels of each class for the artifact's summary (which precedes the blocks).
    /// `progress(done, total)` is called before each block (it may throw to cancel; no file is left).
    /// Returns the number of frames.
    @discardableResult
    public func write(to url: URL, blockSize: Int = 64, progress: (_ done: Int, _ total: Int) throws -> Void = { _, _ in }) throws -> Int {
        let (imageFiles, labelFiles) = try files()
        let n = imageFiles.count, total = 3 * n
        let shape = try ImageBatchDecoder.outputShape(imageFiles, preprocessing: preprocessing)
        var valueCounts = [Int](repeating: 0, count: 256)
        for start in stride(from: 0, to: n, by: max(1, blockSize)) {
            try progress(start, total)
            for v in try decodeMasks(labelFiles[start ..< min(n, start + max(1, blockSize))], shape: shape) { valueCounts[Int(v)] += 1 }
        }
        let metadata = try ImageDataset(shape: SampleShape(channels: shape.channels, height: 0, width: 0), pixels: [],
                                        labels: [Int32](repeating: 0, count: n), classNames: ["scene"],
                                        masks: SegmentationMasks(classNames: classNames, voidLabel: voidLabel, pixels: []))
        var summary = metadata.summary
        summary.shape = shape
        summary.maskPixels = DatasetSummary.maskRows(valueCounts: valueCounts, classNames: classNames, voidLabel: voidLabel)
        try DatasetArtifact.writeStreamed(DatasetArtifact.SplitLayout(name: "all", dataset: metadata, shape: shape, summary: summary), to: url, pixels: { emit in
            try DatasetArtifact.forEachBlock(count: n, blockSize: blockSize, progress: { try progress(n + $0, total) }) { range in
                let decoded = try ImageBatchDecoder.decode(Array(imageFiles[range]), preprocessing: preprocessing)
                guard decoded.shape == shape else {
                    throw DataError.shapeMismatch(what: "image `\(imageFiles[range.lowerBound].path)` (or another of its block)",
                                                  expected: "\(shape) like `\(imageFiles[0].path)` (declare a size to make sizes agree)", found: decoded.shape.description)
                }
                return decoded.pixels
            } emit: { try $0.withUnsafeBytes(emit) }
        }, masks: { emit in
            try DatasetArtifact.forEachBlock(count: n, blockSize: blockSize, progress: { try progress(2 * n + $0, total) }) {
                try decodeMasks(labelFiles[$0], shape: shape)
            } emit: { try $0.withUnsafeBytes(emit) }
        })
        return n
    }

    var preprocessing: ImagePreprocessing {
        ImagePreprocessing(channels: channels, resize: size.map { .exact(height: $0.height, width: $0.width) })
    }

    /// The images in file-name order and the label image of each.
    func files() throws -> (images: [URL], labels: [URL]) {
        let imageFiles = try Self.listImages(imageDirectory)
        var labelFiles: [URL] = []
        for image in imageFiles {
            let stem = image.deletingPathExtension().lastPathComponent
            let candidates = ["png", "PNG"].flatMap { ext in [stem + "." + ext, stem + "_L." + ext] }
            guard let found = candidates.map({ labelDirectory.appendingPathComponent($0) })
                .first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                throw DataError.missingFile(path: labelDirectory.appendingPathComponent(stem + ".png").path,
                                            role: "label image for `\(image.path)` (also tried `\(stem)_L.png`)")
            }
            labelFiles.append(found)
        }
        return (imageFiles, labelFiles)
    }

    /// The label images `labelFiles`, resized by nearest neighbour to `shape`, as H·W class indices each
    /// (decoded in parallel, each into its own slot); a value that is no class nor void is an error.
    func decodeMasks(_ labelFiles: ArraySlice<URL>, shape: SampleShape) throws -> [UInt8] {
        let files = Array(labelFiles)
        var maskPixels = [UInt8](repeating: 0, count: files.count * shape.planeCount)
        let errors = ResultSlots<Void>(count: files.count)
        maskPixels.withUnsafeMutableBufferPointer { block in
            let base = SendablePointer(block.baseAddress!)
            DataWorkers.forEach(files.count) { i in
                errors.set(i, Result {
                    var mask = try readMask(files[i])
                    mask = Resampling.nearest(mask, height: shape.height, width: shape.width)
                    if let bad = mask.pixels.first(where: { Int($0) >= classNames.count && $0 != voidLabel }) {
                        throw DataError.imageDecoding(path: files[i].path, reason: "label value \(bad) is not a class (0…\(classNames.count - 1)) nor the void label")
                    }
                    mask.pixels.withUnsafeBufferPointer { src in
                        (base.pointer + i * shape.planeCount).update(from: src.baseAddress!, count: shape.planeCount)
                    }
                })
            }
        }
        if let error = errors.firstError() { throw error }
        return maskPixels
    }

    private func readMask(_ url: URL) throws -> RasterImage {
        let data = try PNGCodec.readFile(url, role: "label image")
        switch labelFormat {
        case .classIndex:
            return try PNGCodec.decodeIndices(data, path: url.path)
        case let .colour(colours):
            let rgb = try PNGCodec.decode(data, channels: 3, path: url.path)
            var lookup: [UInt32: UInt8] = [:]
            for (k, c) in colours.enumerated() where c.count == 3 {
                lookup[UInt32(c[0]) << 16 | UInt32(c[1]) << 8 | UInt32(c[2])] = UInt8(k)
            }
            let void = voidLabel ?? UInt8(min(255, colours.count))
            var out = [UInt8](repeating: 0, count: rgb.width * rgb.height)
            for p in out.indices {
                let key = UInt32(rgb.pixels[3 * p]) << 16 | UInt32(rgb.pixels[3 * p + 1]) << 8 | UInt32(rgb.pixels[3 * p + 2])
                out[p] = lookup[key] ?? void
            }
            return RasterImage(width: rgb.width, height: rgb.height, channels: 1, pixels: out)
        }
    }

    static func listImages(_ directory: URL) throws -> [URL] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw DataError.missingFile(path: directory.path, role: "image folder")
        }
        let images = names.filter { ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        if images.isEmpty {
            throw DataError.invalidParameter(name: "image folder", value: "`\(directory.path)` has no .png/.jpg files", expected: "at least one image")
        }
        return images.map { directory.appendingPathComponent($0) }
    }
}
