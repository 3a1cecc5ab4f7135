import AssaySupport

/// What a name declared in an experiment denotes.
public enum SymbolKind: String, Sendable, CaseIterable {
    case parameter, dataset, split, group, model, layer, attack, target, stage

    /// The section whose entries declare symbols of this kind (splits and layers live inside entries).
    public var section: String {
        switch self {
        case .parameter: return "params"
        case .dataset, .split: return "datasets"
        case .group: return "groups"
        case .model, .layer: return "models"
        case .attack: return "attacks"
        case .target: return "segmentation"
        case .stage: return "stages"
        }
    }

    public static func declared(inSection section: String) -> SymbolKind? {
        [.parameter, .dataset, .group, .model, .attack, .target, .stage].first { $0.section == section }
    }
}

/// A declared name: a section entry (`datasets.fmnist`), a split (`bordered.val`) or a named layer (`cnn.conv1`).
public struct SymbolDeclaration: Hashable, Sendable {
    public var kind: SymbolKind
    /// The entry's name; splits and layers are qualified by their data set or model (`bordered.val`, `cnn.fc1`).
    public var name: String
    /// The key naming it.
    public var span: SourceSpan
    /// The key and its whole value (an outline's range).
    public var extent: SourceSpan
}

/// A use of a declared name.
public struct SymbolReference: Hashable, Sendable {
    public var kind: SymbolKind
    /// Qualified as in ``SymbolDeclaration/name``.
    public var name: String
    /// The characters naming it (`bordered` in `bordered.train`, `epochs` in `$epochs`).
    public var span: SourceSpan
}

/// Declarations and references of a loaded experiment and its includes, with spans, for
/// go-to-definition, find-references, renaming-free navigation and the outline.
public struct SymbolIndex: Sendable {
    public internal(set) var declarations: [SymbolDeclaration] = []
    public internal(set) var references: [SymbolReference] = []
    /// Derived data sets and the data set each one is derived `from:` (their splits are inherited).
    public internal(set) var derivedFrom: [String: String] = [:]

    public init() {}

    public func declaration(_ kind: SymbolKind, _ name: String) -> SymbolDeclaration? {
        declarations.first { $0.kind == kind && $0.name == name }
    }

    /// Where a name is defined: its declaration, or for an undeclared split (`fmnist.train`) the split inherited
    /// through `from:` or the data set that provides it; for a layer without a name, its model.
    public func definition(_ kind: SymbolKind, _ name: String) -> SymbolDeclaration? {
        if let d = declaration(kind, name) { return d }
        guard kind == .split || kind == .layer, let dot = name.firstIndex(of: ".") else { return nil }
        let owner = String(name[..<dot])
        if kind == .layer { return declaration(.model, owner) }
        var dataset = owner
        var seen: Set<String> = [dataset]
        while let base = derivedFrom[dataset], seen.insert(base).inserted {
            if let d = declaration(.split, base + name[dot...]) { return d }
            dataset = base
        }
        return declaration(.dataset, dataset) ?? declaration(.dataset, owner)
    }

    public func references(to kind: SymbolKind, _ name: String) -> [SymbolReference] {
        references.filter { $0.kind == kind && $0.name == name }
    }

    /// Declared names of a kind, in declaration order.
    public func names(_ kind: SymbolKind) -> [String] {
        declarations.filter { $0.kind == kind }.map(\.name)
    }

    /// The declaration or reference under a byte offset of a file (the innermost: a split before its data set).
    public func symbol(inFile file: String, atOffset offset: Int) -> (kind: SymbolKind, name: String, span: SourceSpan)? {
        func contains(_ s: SourceSpan) -> Bool { s.file == file && s.start.offset <= offset && offset <= s.end.offset }
        let refs = references.filter { contains($0.span) }.map { ($0.kind, $0.name, $0.span) }
        let decls = declarations.filter { contains($0.span) }.map { ($0.kind, $0.name, $0.span) }
        return (refs + decls).min { ($0.2.end.offset - $0.2.start.offset) < ($1.2.end.offset - $1.2.start.offset) }
    }
}
