import Foundation

/// What a checker can know about a data set before loading it: split names,
/// sample shape, classes, attributes and mask classes.
public struct DatasetSignature: Hashable, Codable, Sendable {
    public struct Attribute: Hashable, Codable, Sendable {
        public var name: String
        public var valueNames: [String]
    }

    public var splits: [String]
    /// nil when it depends on the files (an image folder without a declared size).
    public var shape: SampleShape?
    public var classNames: [String]
    public var attributes: [Attribute]
    /// Classes of the per-pixel masks, for segmentation data.
    public var maskClassNames: [String]?
    public var voidLabel: UInt8?

    public init(splits: [String], shape: SampleShape?, classNames: [String], attributes: [Attribute] = [],
                maskClassNames: [String]? = nil, voidLabel: UInt8? = nil) {
        self.splits = splits
        self.shape = shape
        self.classNames = classNames
        self.attributes = attributes
        self.maskClassNames = maskClassNames
        self.voidLabel = voidLabel
    }

    /// The signature of a loaded data set (`splits` names its splits).
    public init(_ dataset: ImageDataset, splits: [String]) {
        self.init(splits: splits, shape: dataset.shape, classNames: dataset.classNames,
                  attributes: dataset.attributes.map { Attribute(name: $0.name, valueNames: $0.valueNames) },
                  maskClassNames: dataset.masks?.classNames, voidLabel: dataset.masks?.voidLabel)
    }
}

extension DataRecipe {
    /// The signature `build()` will produce, worked out without loading images
    /// (an artifact source reads only its manifest). Throws the same errors `build`
    /// would for unknown classes, splits or attributes, so a checker can report them early.
    public func signature() throws -> DatasetSignature {
        var signature = try source.signature()
        for step in steps { signature = try step.signature(after: signature) }
        return signature
    }
}

extension DataSource {
    func signature() throws -> DatasetSignature {
        switch self {
        case .fashionMNIST:
            return DatasetSignature(splits: ["train", "test"], shape: SampleShape(channels: 1, height: 28, width: 28),
                                    classNames: FashionMNIST.classNames)
        case let .waterbirds(_, _, preprocessing):
            return DatasetSignature(splits: WaterbirdsLoader.splitNames, shape: preprocessing.outputShape, classNames: WaterbirdsLoader.classNames,
                                    attributes: [.init(name: "place", valueNames: WaterbirdsLoader.placeNames)])
        case let .celebA(_, _, _, target, spurious, preprocessing):
            return DatasetSignature(splits: ["train", "val", "test"], shape: preprocessing.outputShape, classNames: ["not-\(target)", target],
                                    attributes: spurious.map { .init(name: $0, valueNames: ["0", "1"]) })
        case let .camVid(parts, classNames, _, voidLabel, size):
            return DatasetSignature(splits: parts.map(\.name), shape: size.map { SampleShape(channels: 3, height: $0.height, width: $0.width) },
                                    classNames: ["scene"], maskClassNames: classNames, voidLabel: voidLabel)
        case let .artifact(path):
            return try DatasetArtifact.signature(of: URL(fileURLWithPath: path))
        }
    }
}

extension DataStep {
    func signature(after input: DatasetSignature) throws -> DatasetSignature {
        var out = input
        func requireSplit(_ name: String) throws {
            if !input.splits.contains(name) { throw DataError.unknownSplit(name: name, known: input.splits) }
        }
        func requireClass(_ name: String) throws {
            if !input.classNames.contains(name) { throw DataError.unknownClass(name: name, known: input.classNames) }
        }
        switch self {
        case let .relabel(rule):
            switch rule {
            case let .subset(names):
                try names.forEach(requireClass)
                out.classNames = names
            case let .binary(positive, negativeName, positiveName):
                try positive.forEach(requireClass)
                out.classNames = [negativeName, positiveName]
            case let .mapping(pairs):
                try pairs.map(\.from).forEach(requireClass)
                var names: [String] = []
                for pair in pairs where !names.contains(pair.to) { names.append(pair.to) }
                out.classNames = names
            }
        case let .inject(attribute, correlations, _):
            if let missing = input.splits.first(where: { correlations[$0] == nil }) {
                throw DataError.invalidParameter(name: "correlation", value: "none given for split `\(missing)`",
                                                 expected: "a correlation for each of \(input.splits.map { "`\($0)`" }.joined(separator: ", "))")
            }
            if let extra = correlations.keys.sorted().first(where: { !input.splits.contains($0) }) {
                throw DataError.unknownSplit(name: extra, known: input.splits)
            }
            try attribute.validate(for: input.shape)
            if attribute.needsColour { out.shape?.channels = 3 }
            out.attributes.removeAll { $0.name == attribute.name }
            out.attributes.append(.init(name: attribute.name, valueNames: (0 ..< attribute.valueCount).map(String.init)))
        case let .split(from, parts, _):
            try requireSplit(from)
            var names: [String] = []
            for name in input.splits {
                if name == from { names += parts.map(\.name) } else { names.append(name) }
            }
            out.splits = names
        case let .carve(name, _, from, _):
            try requireSplit(from)
            var names: [String] = []
            for split in input.splits {
                names.append(split)
                if split == from { names.append(name) }
            }
            out.splits = names
        case let .scenes(spec, counts, _):
            if let unknown = counts.keys.sorted().first(where: { !input.splits.contains($0) }) {
                throw DataError.unknownSplit(name: unknown, known: input.splits)
            }
            out.splits = input.splits.filter { counts[$0] != nil }
            out.shape = SampleShape(channels: input.shape?.channels ?? 1, height: spec.canvas.height, width: spec.canvas.width)
            out.classNames = ["scene"]
            out.attributes = [.init(name: "items", valueNames: (0 ... spec.itemsPerScene.upperBound).map(String.init))]
            out.maskClassNames = [spec.backgroundClassName] + input.classNames
            out.voidLabel = nil
        case let .keepSplits(names):
            try names.forEach(requireSplit)
            out.splits = names
        }
        return out
    }
}
