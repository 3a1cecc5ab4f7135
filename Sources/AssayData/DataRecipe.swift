import AssaySupport
import Foundation

/// Where a data set's examples come from.
public enum DataSource: Hashable, Codable, Sendable {
    /// Fashion-MNIST IDX files (`train`, `test`); nil = the Debian package's directory.
    case fashionMNIST(directory: String?)
    /// Waterbirds layout: `root` with `metadata.csv` (`train`, `val`, `test`).
    case waterbirds(root: String, metadataFile: String, preprocessing: ImagePreprocessing)
    /// CelebA's own files (`train`, `val`, `test`); no partition file = `list_eval_partition.txt` beside the attributes.
    case celebA(imageDirectory: String, attributeFile: String, partitionFile: String?, target: String, spurious: [String],
                preprocessing: ImagePreprocessing)
    /// CamVid-style folders, one split per (name, images, labels) entry.
    case camVid(splits: [CamVidSplit], classNames: [String], labelFormat: CamVidLoader.LabelFormat, voidLabel: UInt8?, size: ImageSize?)
    /// A stored artifact (all its splits).
    case artifact(path: String)
}

/// One split of a CamVid-style source: its name and its two folders.
public struct CamVidSplit: Hashable, Codable, Sendable {
    public var name: String
    public var imageDirectory: String
    public var labelDirectory: String
    public init(name: String, imageDirectory: String, labelDirectory: String) {
        self.name = name
        self.imageDirectory = imageDirectory
        self.labelDirectory = labelDirectory
    }
}

/// A named part of a split.
public struct SplitPart: Hashable, Codable, Sendable {
    public var name: String
    public var amount: SplitAmount
    public init(_ name: String, _ amount: SplitAmount) {
        self.name = name
        self.amount = amount
    }
}

/// One derivation step, applied to all splits unless it names them.
public enum DataStep: Hashable, Codable, Sendable {
    case relabel(Relabeling)
    /// Spurious attribute injection with one correlation per split.
    case inject(SpuriousAttribute, correlations: [String: Double], seed: UInt64)
    /// Replaces split `from` by seeded parts of it (e.g. `all` → train/val/test).
    case split(from: String, parts: [SplitPart], seed: UInt64)
    /// Moves part of split `from` into a new split `name` (e.g. `val` from `train`).
    case carve(name: String, amount: SplitAmount, from: String, seed: UInt64)
    /// Replaces the data by scenes composed from its items, `counts` scenes per split.
    case scenes(SceneSpec, counts: [String: Int], seed: UInt64)
    /// Keeps only the named splits, in this order.
    case keepSplits([String])
}

/// A data set as a source plus derivation steps: a plain, `Codable` value whose
/// canonical JSON (sorted keys) can key the cache, and which `build` turns into
/// splits deterministically.
///
/// `DataRecipe.version` is part of `canonicalJSON`: bump it when a change to the
/// loaders or derivations alters their output bytes, so cached data sets are rebuilt.
public struct DataRecipe: Hashable, Codable, Sendable {
    public static let version = 2

    public var source: DataSource
    public var steps: [DataStep]

    public init(source: DataSource, steps: [DataStep] = []) {
        self.source = source
        self.steps = steps
    }

    /// Deterministic JSON of the recipe and `version`.
    public func canonicalJSON() throws -> Data {
        struct Keyed: Encodable {
            var version: Int
            var recipe: DataRecipe
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Keyed(version: Self.version, recipe: self))
    }

    /// SHA-256 of `canonicalJSON()` (the recipe's identity, not the input files' content).
    public func digest() throws -> Digest { Digest.of(try canonicalJSON()) }

    /// Loads the source and applies the steps in order; `progress` hears each step's name.
    public func build(progress: (String) -> Void = { _ in }) throws -> DatasetSplits {
        progress("load \(source.label)")
        var splits = try source.load()
        for step in steps {
            progress(step.label)
            splits = try step.apply(to: splits)
        }
        return splits
    }
}

extension DataSource {
    var label: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .waterbirds: return "waterbirds"
        case .celebA: return "celeba"
        case .camVid: return "camvid"
        case let .artifact(path): return "artifact \(path)"
        }
    }

    func load() throws -> DatasetSplits {
        switch self {
        case let .fashionMNIST(directory):
            return try FashionMNIST.loadAll(directory: directory.map { URL(fileURLWithPath: $0) } ?? FashionMNIST.defaultDirectory)
        case let .waterbirds(root, metadataFile, preprocessing):
            return try WaterbirdsLoader(root: URL(fileURLWithPath: root), metadataFile: metadataFile, preprocessing: preprocessing).load()
        case let .celebA(images, attributes, partition, target, spurious, preprocessing):
            let attributeFile = URL(fileURLWithPath: attributes)
            let partitionFile = partition.map { URL(fileURLWithPath: $0) }
                ?? attributeFile.deletingLastPathComponent().appendingPathComponent(CelebAFormat.partitionFile)
            return try CelebALoader(imageDirectory: URL(fileURLWithPath: images), attributeFile: attributeFile, partitionFile: partitionFile,
                                    target: target, spurious: spurious).load(preprocessing: preprocessing)
        case let .camVid(parts, classNames, labelFormat, voidLabel, size):
            var result = DatasetSplits()
            for part in parts {
                result[part.name] = try CamVidLoader(imageDirectory: URL(fileURLWithPath: part.imageDirectory),
                                                     labelDirectory: URL(fileURLWithPath: part.labelDirectory), classNames: classNames,
                                                     labelFormat: labelFormat, voidLabel: voidLabel, size: size).load()
            }
            return result
        case let .artifact(path):
            return try DatasetArtifact.read(from: URL(fileURLWithPath: path))
        }
    }
}

extension DataStep {
    var label: String {
        switch self {
        case .relabel: return "relabel"
        case let .inject(attribute, _, _): return "inject \(attribute.name)"
        case let .split(from, parts, _): return "split \(from) into \(parts.map(\.name).joined(separator: ", "))"
        case let .carve(name, _, from, _): return "carve \(name) from \(from)"
        case .scenes: return "compose scenes"
        case let .keepSplits(names): return "keep \(names.joined(separator: ", "))"
        }
    }

    func apply(to splits: DatasetSplits) throws -> DatasetSplits {
        switch self {
        case let .relabel(rule):
            return try splits.map { _, set in try set.relabeled(rule) }
        case let .inject(attribute, correlations, seed):
            return try splits.injecting(attribute, correlations: correlations, seed: seed)
        case let .split(from, parts, seed):
            let pieces = try DatasetSplitter.split(try splits.split(from), into: parts.map { ($0.name, $0.amount) }, seed: seed)
            var result = DatasetSplits()
            for name in splits.names {
                if name == from {
                    for (piece, set) in pieces.all { result[piece] = set }
                } else if pieces[name] == nil {
                    result[name] = splits[name]
                } else {
                    throw DataError.invalidParameter(name: "split", value: "part `\(name)` already exists", expected: "new split names")
                }
            }
            return result
        case let .carve(name, amount, from, seed):
            if splits[name] != nil {
                throw DataError.invalidParameter(name: "split", value: "`\(name)` already exists", expected: "a new split name to carve")
            }
            return try DatasetSplitter.carve(name, amount: amount, from: from, of: splits, seed: seed)
        case let .scenes(spec, counts, seed):
            return try SceneComposer.compose(items: splits, counts: counts, spec: spec, seed: seed)
        case let .keepSplits(names):
            var result = DatasetSplits()
            for name in names { result[name] = try splits.split(name) }
            return result
        }
    }
}
