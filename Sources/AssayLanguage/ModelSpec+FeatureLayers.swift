/// A layer request of a `features` stage that names nothing in the model.
public struct FeatureLayerError: Error, Equatable, Sendable {
    public var requested: String
    public var message: String
}

extension ModelSpec {
    /// The layers a `features` stage records for `requested` (names, module paths, `all`,
    /// `penultimate`), in request order without repeats: the one reading the checker bounds
    /// and the operator executes.
    ///
    /// `all` is every top-level layer except `flatten` and `dropout` (they only repeat their
    /// input); `penultimate` is the last such layer before the final one.
    public func featureLayers(_ requested: [String]) throws -> [LayerSpec] {
        let informative = layers.filter { ![.flatten, .dropout].contains($0.kind) }
        var found: [LayerSpec] = []
        for name in requested {
            let matched: [LayerSpec]
            switch name {
            case "all": matched = informative
            case "penultimate":
                guard informative.count >= 2 else {
                    throw FeatureLayerError(requested: name, message: "model `\(self.name)` has no penultimate layer (it has \(informative.count) layer\(informative.count == 1 ? "" : "s") besides flatten and dropout)")
                }
                matched = [informative[informative.count - 2]]
            default:
                guard let layer = layer(named: name) else {
                    throw FeatureLayerError(requested: name, message: "model `\(self.name)` has no layer `\(name)`")
                }
                matched = [layer]
            }
            for layer in matched where !found.contains(where: { $0.path == layer.path }) { found.append(layer) }
        }
        return found
    }
}
