import AssaySupport

/// Reading a model back from the canonical form stages receive in their parameters
/// (the inverse of ``ModelSpec/canonical`` and ``LayerSpec/canonical``).
extension ModelSpec {
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var description: String { "malformed model description at `\(path)`" }
    }

    /// `name` is not part of the canonical form (renaming a model changes no key); pass it in.
    public init(canonical value: CanonicalValue, name: String) throws {
        func need<T>(_ v: T?, _ path: String) throws -> T {
            guard let v else { throw DecodingError(path: path) }
            return v
        }
        let layers = try need(value["layers"]?.listValue, "layers").enumerated().map { i, l in try LayerSpec(canonical: l, path: "layers.\(i)") }
        self.init(
            name: name,
            architecture: try need(value["architecture"]?.stringValue, "architecture"),
            task: try need(value["task"]?.stringValue.flatMap(ModelTask.init(rawValue:)), "task"),
            inputShape: try need(value["input"]?.intList, "input"),
            outputShape: try need(value["output"]?.intList, "output"),
            classes: try need(value["classes"]?.intValue, "classes"),
            width: value["width"]?.doubleValue ?? 1,
            weights: value["weights"]?.stringValue,
            encoderWeights: value["encoder-weights"]?.stringValue,
            normalizeMean: value["normalize"]?["mean"]?.listValue?.compactMap(\.doubleValue) ?? [],
            normalizeStd: value["normalize"]?["std"]?.listValue?.compactMap(\.doubleValue) ?? [],
            layers: layers)
    }
}

extension LayerSpec {
    public init(canonical value: CanonicalValue, path dataPath: String) throws {
        func need<T>(_ v: T?, _ key: String) throws -> T {
            guard let v else { throw ModelSpec.DecodingError(path: "\(dataPath).\(key)") }
            return v
        }
        let tensors = try need(value["tensors"]?.listValue, "tensors").map { t in
            TensorSpec(name: try need(t["name"]?.stringValue, "tensors.name"), shape: try need(t["shape"]?.intList, "tensors.shape"),
                       trainable: t["trainable"]?.boolValue ?? true)
        }
        let children = try (value["children"]?.listValue ?? []).enumerated().map { i, c in
            try LayerSpec(canonical: c, path: "\(dataPath).children.\(i)")
        }
        self.init(
            kind: try need(value["kind"]?.stringValue.flatMap(LayerKind.init(rawValue:)), "kind"),
            name: try need(value["name"]?.stringValue, "name"),
            path: try need(value["path"]?.stringValue, "path"),
            attributes: value["attributes"]?.mapValue ?? [:],
            inputShape: try need(value["input"]?.intList, "input"),
            outputShape: try need(value["output"]?.intList, "output"),
            tensors: tensors, children: children)
    }
}
