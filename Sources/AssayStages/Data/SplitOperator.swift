import AssayData
import AssayEngine

/// `split`: new splits carved from existing ones (`val: { from: train, size: 10000 }`), in the
/// order the checker lists them (sorted by name, so the result is independent of YAML order).
/// Each carve draws its own seeded permutation; examples keep their original order.
struct SplitOperator: ParameterizedOperator {
    struct Parameters: Decodable {
        /// New split name → where it comes from and how much of it (a size or a fraction).
        var splits: [String: Request]
        var seed: UInt64

        struct Request: Decodable {
            var from: String
            var size: Int?
            var fraction: Double?
        }
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        var splits = try DataStageIO.splits(node, inputs: inputs, prefix: "source")
        let seed = p.seed
        for (index, name) in p.splits.keys.sorted().enumerated() {
            try context.checkCancelled()
            let request = p.splits[name]!
            let from = request.from
            let amount: SplitAmount
            if let size = request.size {
                amount = .count(size)
            } else if let fraction = request.fraction {
                // Rounded down, as the checker counts the sizes it shows.
                let available = try DataStageIO.wrap(node, "splits.\(name).from") { try splits.split(from).count }
                amount = .count(Int((Double(available) * fraction).rounded(.down)))
            } else {
                throw StageError(stage: node.id, path: "splits.\(name)", "neither `size` nor `fraction` is given", help: "rerun `assay check`; the plan is incomplete")
            }
            splits = try DataStageIO.wrap(node, "splits.\(name)") {
                try DatasetSplitter.carve(name, amount: amount, from: from, of: splits, seed: seed &+ UInt64(index))
            }
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(splits))
    }
}
