import AssayData
import AssayEngine

/// `split`: new splits carved from existing ones (`val: { from: train, size: 10000 }`), in the
/// order the checker lists them (sorted by name, so the result is independent of YAML order).
/// Each carve draws its own seeded permutation; examples keep their original order.
struct SplitOperator: StageOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let parameters = try StageParameters(node)
        var splits = try DataStageIO.splits(node, inputs: inputs, prefix: "source")
        let seed = UInt64(parameters.int("seed", default: 0))
        let requests = parameters.lookup("splits")?.mapValue ?? [:]
        for (index, name) in requests.keys.sorted().enumerated() {
            try context.checkCancelled()
            let request = StageParameters(stage: node.id, value: requests[name]!)
            let from = try request.string("from")
            let amount: SplitAmount
            if let size = request.lookup("size")?.intValue {
                amount = .count(size)
            } else {
                // Rounded down, as the checker counts the sizes it shows.
                let available = try DataStageIO.wrap(node, "splits.\(name).from") { try splits.split(from).count }
                amount = .count(Int((Double(available) * (try request.double("fraction"))).rounded(.down)))
            }
            splits = try DataStageIO.wrap(node, "splits.\(name)") {
                try DatasetSplitter.carve(name, amount: amount, from: from, of: splits, seed: seed &+ UInt64(index))
            }
        }
        try DataStageIO.write(splits, node: node, context: context)
        return StageResult(metrics: DataStageIO.sizeMetrics(splits))
    }
}
