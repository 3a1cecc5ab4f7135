import AssayData
import AssayEngine

/// `derive`: every split of the source relabelled (`binary`, `subset`, `relabel`) and/or with
/// an injected spurious attribute at that split's correlation.
struct DeriveOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        var label: Label?
        var attribute: Attribute?
        var seed: UInt64

        /// `binary`, `subset` or `relabel` (pairs in the order written: new classes are numbered by first appearance).
        struct Label: Decodable {
            var rule: Relabeling

            init(from decoder: Decoder) throws {
                struct Binary: Decodable { var positive: [String]; var names: [String] }
                let (kind, body) = try decoder.variant()
                switch kind {
                case "binary":
                    let binary = try Binary(from: body)
                    rule = .binary(positive: binary.positive, negativeName: binary.names.first ?? "negative", positiveName: binary.names.last ?? "positive")
                case "subset":
                    rule = .subset(try [String](from: body))
                case "relabel":
                    // The checker writes `[{from, to}, ...]` in the order written; the signature declares a
                    // record `{old: new}`, read in name order (`[String: String]` keeps none).
                    if let pairs = try? [ClassMapping](from: body) {
                        rule = .mapping(pairs)
                    } else {
                        rule = .mapping(try [String: String](from: body).sorted { $0.key < $1.key }.map { ClassMapping(from: $0.key, to: $0.value) })
                    }
                default:
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "`\(kind)` is not a kind of label derivation (binary, subset or relabel)"))
                }
            }
        }

        struct Attribute: Decodable {
            /// Absent: the kind.
            var name: String?
            var kind: String
            var size: Int
            var correlation: Correlations

            struct Correlations: Decodable {
                var train: Double?
                var val: Double?
                var test: Double?
            }
        }
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        var splits = try DataStageIO.splits(node, inputs: inputs, prefix: "source")
        if let rule = p.label?.rule {
            splits = try DataStageIO.wrap(node, "label") { try splits.map { _, dataset in try dataset.relabeled(rule) } }
        }
        try context.checkCancelled()
        var metrics = DataStageIO.sizeMetrics(splits)
        if let attribute = p.attribute {
            let spec = try spuriousAttribute(attribute, stage: node.id)
            var correlations: [String: Double] = [:]
            for name in splits.names {
                let given = ["train": attribute.correlation.train, "val": attribute.correlation.val, "test": attribute.correlation.test][name] ?? nil
                guard let correlation = given else {
                    throw StageError(stage: node.id, path: "attribute.correlation.\(name)", "no correlation for the split `\(name)`", help: "rerun `assay check`; the plan is incomplete")
                }
                correlations[name] = correlation
            }
            splits = try DataStageIO.wrap(node, "attribute") { try splits.injecting(spec, correlations: correlations, seed: p.seed) }
            for (name, dataset) in splits.all {
                let values = try dataset.attribute(named: spec.name).values
                let aligned = zip(values, dataset.labels).filter { Int($0) == Int($1) % spec.valueCount }.count
                metrics["\(name).aligned-fraction"] = dataset.count == 0 ? 0 : Double(aligned) / Double(dataset.count)
            }
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: metrics)
    }

    func spuriousAttribute(_ attribute: Parameters.Attribute, stage: String) throws -> SpuriousAttribute {
        let feature: SpuriousFeature
        switch attribute.kind {
        case "tint": feature = .tint()
        case "border": feature = .border(width: attribute.size)
        case "patch": feature = .cornerPatch(size: attribute.size)
        case "texture": feature = .backgroundTexture()
        default: throw StageError(stage: stage, path: "attribute.kind", "`\(attribute.kind)` is not a kind of attribute", help: "use tint, border, patch or texture")
        }
        return SpuriousAttribute(name: attribute.name ?? attribute.kind, feature: feature)
    }
}
