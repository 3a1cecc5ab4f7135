/// A layer request of a `features` stage that names nothing in the model.
public struct FeatureLayerError: Error, Equatable, Sendable {
    public var requested: String
    public var message: String
}

/// Layer taps: the names a model's layers are recorded and shown under, and which layers a
/// `features` stage records. The checker (to bound a stage's size and accept `layers:`) and the
/// operators (to record and label activations) read them from here.
extension ModelSpec {
    /// Whether a top-level layer was written without a name (its name is then its index).
    static func isUnnamed(_ layer: LayerSpec) -> Bool {
        layer.name == layer.path && !layer.name.isEmpty && layer.name.allSatisfy(\.isASCIIDigit)
    }

    /// The tap name of each top-level layer, in order: its own name, or for an unnamed layer the
    /// name of the nearest named layer before it and its own kind (`fc1.relu`; `fc1.relu2` for a
    /// second ReLU after `fc1`; the kind alone before any named layer). Not part of the canonical
    /// form: it is derived from it, so it changes no training key.
    public var tapNames: [String] {
        var used = Set(flattenedLayers.map(\.name))
        var names: [String] = []
        var base: String?
        for layer in layers {
            guard Self.isUnnamed(layer) else {
                names.append(layer.name)
                base = layer.name
                continue
            }
            let stem = base.map { "\($0).\(layer.kind.rawValue)" } ?? layer.kind.rawValue
            var name = stem, n = 2
            while used.contains(name) { name = "\(stem)\(n)"; n += 1 }
            used.insert(name)
            names.append(name)
        }
        return names
    }

    /// The tap name of the layer at module path `path` (a nested layer keeps its own name).
    public func tapName(ofPath path: String) -> String {
        if let i = layers.firstIndex(where: { $0.path == path }) { return tapNames[i] }
        return flattenedLayers.first { $0.path == path }?.name ?? path
    }

    /// The layer named `name` by its tap name (`fc1.relu`), its own name or its module path.
    public func layer(tapped name: String) -> LayerSpec? {
        if let i = tapNames.firstIndex(of: name) { return layers[i] }
        return layer(named: name)
    }

    /// The top-level layer whose output is the input of the final linear layer: the
    /// representation DFR retrains on (post-activation). Without a linear layer, the input of
    /// the final layer; nil for a one-layer model.
    public var penultimateLayer: LayerSpec? {
        guard layers.count >= 2 else { return nil }
        guard let last = layers.lastIndex(where: { $0.kind == .linear }) else { return layers[layers.count - 2] }
        return last >= 1 ? layers[last - 1] : nil
    }

    /// The layers a `features` stage records for `requested` (tap names, names, module paths,
    /// `all`, `penultimate`), in request order without repeats.
    ///
    /// `all` is every top-level layer except `flatten` and `dropout` (they only repeat their
    /// input); `penultimate` is ``penultimateLayer``.
    public func featureLayers(_ requested: [String]) throws -> [LayerSpec] {
        var found: [LayerSpec] = []
        for name in requested {
            let matched: [LayerSpec]
            switch name {
            case "all": matched = layers.filter { ![.flatten, .dropout].contains($0.kind) }
            case "penultimate":
                guard let layer = penultimateLayer else {
                    throw FeatureLayerError(requested: name, message: "model `\(self.name)` has no penultimate layer: nothing comes before its final layer")
                }
                matched = [layer]
            default:
                guard let layer = layer(tapped: name) else {
                    throw FeatureLayerError(requested: name, message: "model `\(self.name)` has no layer `\(name)`")
                }
                matched = [layer]
            }
            for layer in matched where !found.contains(where: { $0.path == layer.path }) { found.append(layer) }
        }
        return found
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
