import AssayLanguage
import AssaySupport

extension ModelSpec {
    /// Rebuilds a spec from ``ModelSpec/canonical`` (the form the checker inlines into a
    /// `train` stage's `model` parameter). The declaration's name is not part of that form,
    /// so the caller supplies one.
    static func decode(canonical value: CanonicalValue, name: String, stage: String) throws -> ModelSpec {
        func fail(_ what: String) -> StageError {
            StageError(stage: stage, path: "model", "the inlined model has no valid `\(what)`",
                       help: "the planner and the operator disagree about the model's form; rerun `assay check`")
        }
        guard let architecture = value["architecture"]?.stringValue else { throw fail("architecture") }
        guard let task = value["task"]?.stringValue.flatMap(ModelTask.init(rawValue:)) else { throw fail("task") }
        guard let input = value["input"]?.intList, let output = value["output"]?.intList else { throw fail("input/output") }
        guard let classes = value["classes"]?.intValue else { throw fail("classes") }
        guard let layers = value["layers"]?.listValue else { throw fail("layers") }
        return ModelSpec(
            name: name, architecture: architecture, task: task, inputShape: input, outputShape: output, classes: classes,
            width: value["width"]?.doubleValue ?? 1, weights: value["weights"]?.stringValue,
            normalizeMean: value["normalize"]?["mean"]?.listValue?.compactMap(\.doubleValue) ?? [],
            normalizeStd: value["normalize"]?["std"]?.listValue?.compactMap(\.doubleValue) ?? [],
            layers: try layers.map { try LayerSpec.decode(canonical: $0, stage: stage) })
    }
}

extension LayerSpec {
    static func decode(canonical value: CanonicalValue, stage: String) throws -> LayerSpec {
        guard let kindName = value["kind"]?.stringValue, let kind = LayerKind(rawValue: kindName),
              let name = value["name"]?.stringValue, let path = value["path"]?.stringValue else {
            throw StageError(stage: stage, path: "model.layers", "a layer of the inlined model has no valid kind, name or path",
                             help: "rerun `assay check`")
        }
        let tensors = (value["tensors"]?.listValue ?? []).compactMap { t -> TensorSpec? in
            guard let n = t["name"]?.stringValue, let shape = t["shape"]?.intList else { return nil }
            return TensorSpec(name: n, shape: shape, trainable: t["trainable"]?.boolValue ?? true)
        }
        return LayerSpec(
            kind: kind, name: name, path: path, attributes: value["attributes"]?.mapValue ?? [:],
            inputShape: value["input"]?.intList ?? [], outputShape: value["output"]?.intList ?? [], tensors: tensors,
            children: try (value["children"]?.listValue ?? []).map { try decode(canonical: $0, stage: stage) })
    }
}
