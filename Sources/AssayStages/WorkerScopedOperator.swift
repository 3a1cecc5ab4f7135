import AssayData
import AssayEngine
import AssayTensor

/// Runs an operator with the tensor engine's and the data library's (image decoding) worker
/// counts set to its stage's `threads`, for that stage's calls only: stages run side by side
/// (`--jobs`) each keep their own count. The count changes speed, never bytes.
struct WorkerScopedOperator: StageOperator {
    let base: any StageOperator

    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        try TensorThreads.withWorkers(max(1, context.threads)) {
            try DataWorkers.withWorkers(max(1, context.threads)) {
                try base.run(node, inputs: inputs, context: context)
            }
        }
    }
}
