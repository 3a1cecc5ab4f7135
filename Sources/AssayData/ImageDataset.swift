/// The shape of one image, channels first: C × H × W.
public struct SampleShape: Hashable, Codable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image: C·H·W.
    public var count: Int { channels * height * width }
    /// Pixels per plane: H·W.
    public var planeCount: Int { height * width }
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A named per-example categorical attribute (e.g. `place` with values `land`, `water`).
public struct DatasetAttribute: Hashable, Codable, Sendable {
    public var name: String
    /// Names of the values 0..<valueNames.count.
    public var valueNames: [String]
    /// One value per example, each in 0..<valueNames.count.
    public var values: [Int32]

    public init(name: String, valueNames: [String], values: [Int32]) {
        self.name = name
        self.valueNames = valueNames
        self.values = values
    }
}

/// Per-pixel class labels for segmentation: N × H × W bytes, one class index per pixel.
public struct SegmentationMasks: Hashable, Sendable {
    /// Class names of the mask values 0..<classNames.count.
    public var classNames: [String]
    /// A value meaning "not labelled" (excluded from losses and metrics), if any.
    public var voidLabel: UInt8?
    /// N·H·W class indices, example-major then row-major.
    public var pixels: DatasetBytes

    public init(classNames: [String], voidLabel: UInt8?, pixels: [UInt8]) {
        self.init(classNames: classNames, voidLabel: voidLabel, pixels: DatasetBytes(pixels))
    }

    public init(classNames: [String], voidLabel: UInt8?, pixels: DatasetBytes) {
        self.classNames = classNames
        self.voidLabel = voidLabel
        self.pixels = pixels
    }
}

/// An in-memory image data set: uint8 images N × C × H × W (channels first),
/// one label per image, named attributes, optional segmentation masks and group ids.
///
/// Value semantics: derivations return new data sets and never mutate their input.
public struct ImageDataset: Hashable, Sendable {
    public var shape: SampleShape
    /// N·C·H·W bytes, example-major, then channel, row, column (mapped from the artifact file
    /// when read from one).
    public var pixels: DatasetBytes
    public var labels: [Int32]
    public var classNames: [String]
    public var attributes: [DatasetAttribute]
    public var masks: SegmentationMasks?
    /// Explicit group ids (see `GroupScheme`), set by `withGroups(by:)`.
    public var groupIDs: [Int32]?

    /// Checks that every array agrees with `shape` and the label count.
    public init(shape: SampleShape, pixels: [UInt8], labels: [Int32], classNames: [String],
                attributes: [DatasetAttribute] = [], masks: SegmentationMasks? = nil, groupIDs: [Int32]? = nil) throws {
        try self.init(shape: shape, pixels: DatasetBytes(pixels), labels: labels, classNames: classNames, attributes: attributes,
                      masks: masks, groupIDs: groupIDs)
    }

    public init(shape: SampleShape, pixels: DatasetBytes, labels: [Int32], classNames: [String],
                attributes: [DatasetAttribute] = [], masks: SegmentationMasks? = nil, groupIDs: [Int32]? = nil) throws {
        self.shape = shape
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
        self.attributes = attributes
        self.masks = masks
        self.groupIDs = groupIDs
        try validate()
    }

    public var count: Int { labels.count }

    /// The bytes of image `index`, C·H·W values.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        pixels.slice(index * shape.count ..< (index + 1) * shape.count)
    }

    /// The mask of image `index`, H·W class indices, if the data set has masks.
    public func mask(at index: Int) -> ArraySlice<UInt8>? {
        guard let masks else { return nil }
        return masks.pixels.slice(index * shape.planeCount ..< (index + 1) * shape.planeCount)
    }

    public func attribute(named name: String) throws -> DatasetAttribute {
        guard let found = attributes.first(where: { $0.name == name }) else {
            throw DataError.unknownAttribute(name: name, known: attributes.map(\.name))
        }
        return found
    }

    public func classIndex(of name: String) throws -> Int {
        guard let index = classNames.firstIndex(of: name) else {
            throw DataError.unknownClass(name: name, known: classNames)
        }
        return index
    }

    /// Adds or replaces an attribute.
    public func withAttribute(_ attribute: DatasetAttribute) throws -> ImageDataset {
        var copy = self
        if let i = copy.attributes.firstIndex(where: { $0.name == attribute.name }) {
            copy.attributes[i] = attribute
        } else {
            copy.attributes.append(attribute)
        }
        try copy.validate()
        return copy
    }

    /// The examples at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int]) -> ImageDataset {
        let sampleCount = shape.count, plane = shape.planeCount
        var newPixels = [UInt8](repeating: 0, count: indices.count * sampleCount)
        newPixels.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "subset index \(i) out of range 0..<\(count)")
                    (dst.baseAddress! + k * sampleCount).update(from: src.baseAddress! + i * sampleCount, count: sampleCount)
                }
            }
        }
        var copy = self
        copy.pixels = DatasetBytes(newPixels)
        copy.labels = indices.map { labels[$0] }
        copy.attributes = attributes.map { attribute in
            DatasetAttribute(name: attribute.name, valueNames: attribute.valueNames, values: indices.map { attribute.values[$0] })
        }
        copy.groupIDs = groupIDs.map { ids in indices.map { ids[$0] } }
        if let masks {
            var newMasks = [UInt8](repeating: 0, count: indices.count * plane)
            for (k, i) in indices.enumerated() {
                newMasks.replaceSubrange(k * plane ..< (k + 1) * plane, with: masks.pixels.slice(i * plane ..< (i + 1) * plane))
            }
            copy.masks = SegmentationMasks(classNames: masks.classNames, voidLabel: masks.voidLabel, pixels: DatasetBytes(newMasks))
        }
        return copy
    }

    /// The examples of all `parts` in order; shapes, classes, attributes and mask classes must agree.
    public static func concatenate(_ parts: [ImageDataset]) throws -> ImageDataset {
        guard var result = parts.first else {
            throw DataError.invalidParameter(name: "concatenate", value: "no data sets", expected: "at least one data set")
        }
        for (k, part) in parts.enumerated().dropFirst() {
            func check(_ what: String, _ a: String, _ b: String) throws {
                if a != b { throw DataError.shapeMismatch(what: "concatenating part \(k): \(what)", expected: a, found: b) }
            }
            try check("sample shape", result.shape.description, part.shape.description)
            try check("class names", result.classNames.joined(separator: ","), part.classNames.joined(separator: ","))
            try check("attributes", result.attributes.map { "\($0.name)\($0.valueNames)" }.joined(separator: ","),
                      part.attributes.map { "\($0.name)\($0.valueNames)" }.joined(separator: ","))
            try check("masks", result.masks.map { "\($0.classNames) void \(String(describing: $0.voidLabel))" } ?? "none",
                      part.masks.map { "\($0.classNames) void \(String(describing: $0.voidLabel))" } ?? "none")
            try check("group ids", result.groupIDs == nil ? "none" : "present", part.groupIDs == nil ? "none" : "present")
            result.pixels += part.pixels
            result.labels += part.labels
            for a in result.attributes.indices { result.attributes[a].values += part.attributes[a].values }
            if result.masks != nil { result.masks!.pixels += part.masks!.pixels }
            if result.groupIDs != nil { result.groupIDs! += part.groupIDs! }
        }
        return result
    }

    func validate() throws {
        let n = labels.count
        if pixels.count != n * shape.count {
            throw DataError.shapeMismatch(what: "pixel block", expected: "\(n) × \(shape) = \(n * shape.count) bytes", found: "\(pixels.count)")
        }
        if shape.channels != 1 && shape.channels != 3 {
            throw DataError.shapeMismatch(what: "channels", expected: "1 (grey) or 3 (RGB)", found: "\(shape.channels)")
        }
        if let bad = labels.first(where: { $0 < 0 || Int($0) >= classNames.count }) {
            throw DataError.shapeMismatch(what: "labels", expected: "values in 0..<\(classNames.count)", found: "\(bad)")
        }
        var seen = Set<String>()
        for attribute in attributes {
            if !seen.insert(attribute.name).inserted {
                throw DataError.invalidParameter(name: "attribute", value: attribute.name, expected: "distinct attribute names")
            }
            if attribute.values.count != n {
                throw DataError.shapeMismatch(what: "attribute `\(attribute.name)`", expected: "\(n) values", found: "\(attribute.values.count)")
            }
            if let bad = attribute.values.first(where: { $0 < 0 || Int($0) >= attribute.valueNames.count }) {
                throw DataError.shapeMismatch(what: "attribute `\(attribute.name)`", expected: "values in 0..<\(attribute.valueNames.count)", found: "\(bad)")
            }
        }
        if let masks, masks.pixels.count != n * shape.planeCount {
            throw DataError.shapeMismatch(what: "masks", expected: "\(n) × \(shape.height)×\(shape.width) bytes", found: "\(masks.pixels.count)")
        }
        if let groupIDs, groupIDs.count != n {
            throw DataError.shapeMismatch(what: "group ids", expected: "\(n) values", found: "\(groupIDs.count)")
        }
    }
}
