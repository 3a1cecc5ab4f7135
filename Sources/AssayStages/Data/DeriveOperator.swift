import AssayData
import AssayEngine

/// `derive`: every split of the source relabelled (`binary`, `subset`, `relabel`) and/or with
/// an injected spurious attribute at that split's correlation.
struct DeriveOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let parameters = try StageParameters(node)
        var splits = try DataStageIO.splits(node, inputs: inputs, prefix: "source")
        let seed = UInt64(parameters.int("seed", default: 0))
        if let rule = try relabeling(parameters) {
            splits = try DataStageIO.wrap(node, "label") { try splits.map { _, dataset in try dataset.relabeled(rule) } }
        }
        try context.checkCancelled()
        var metrics = DataStageIO.sizeMetrics(splits)
        if parameters.has("attribute") {
            let attribute = try parameters.sub("attribute")
            let spec = try spuriousAttribute(attribute)
            var correlations: [String: Double] = [:]
            for name in splits.names { correlations[name] = try attribute.double("correlation.\(name)") }
            splits = try DataStageIO.wrap(node, "attribute") { try splits.injecting(spec, correlations: correlations, seed: seed) }
            for (name, dataset) in splits.all {
                let values = try dataset.attribute(named: spec.name).values
                let aligned = zip(values, dataset.labels).filter { Int($0) == Int($1) % spec.valueCount }.count
                metrics["\(name).aligned-fraction"] = dataset.count == 0 ? 0 : Double(aligned) / Double(dataset.count)
            }
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: metrics)
    }

    func relabeling(_ parameters: StageParameters) throws -> Relabeling? {
        guard let (kind, body) = parameters.variant("label") else { return nil }
        switch kind {
        case "binary":
            let names = body.strings("names", default: ["negative", "positive"])
            return .binary(positive: body.strings("positive"), negativeName: names.first ?? "negative", positiveName: names.last ?? "positive")
        case "subset":
            return .subset(body.value.listValue?.compactMap(\.stringValue) ?? [])
        case "relabel":
            // `[{from, to}, ...]` in the order written: new classes are numbered by first appearance.
            guard let pairs = body.value.listValue else {
                throw StageError(stage: parameters.stage, path: "label.relabel", "expected a list of `{from, to}` pairs", help: "rerun `assay check`")
            }
            return .mapping(try pairs.map { pair in
                guard let from = pair["from"]?.stringValue, let to = pair["to"]?.stringValue else {
                    throw StageError(stage: parameters.stage, path: "label.relabel", "a relabel pair lacks `from` or `to`", help: "rerun `assay check`")
                }
                return ClassMapping(from: from, to: to)
            })
        default:
            throw StageError(stage: parameters.stage, path: "label", "`\(kind)` is not a kind of label derivation", help: "use binary, subset or relabel")
        }
    }

    func spuriousAttribute(_ attribute: StageParameters) throws -> SpuriousAttribute {
        let kind = try attribute.string("kind")
        let size = attribute.int("size", default: 2)
        let feature: SpuriousFeature
        switch kind {
        case "tint": feature = .tint()
        case "border": feature = .border(width: size)
        case "patch": feature = .cornerPatch(size: size)
        case "texture": feature = .backgroundTexture()
        default: throw StageError(stage: attribute.stage, path: "attribute.kind", "`\(kind)` is not a kind of attribute", help: "use tint, border, patch or texture")
        }
        return SpuriousAttribute(name: attribute.string("name", default: kind), feature: feature)
    }
}
