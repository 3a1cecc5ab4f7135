/// What a stage computes. Stage implementations (AssayStages) conform; the engine calls `run`
/// only on a cache miss, with verified inputs and a context to write outputs into.
///
/// An operator must be deterministic given its node, inputs and `context.threads`, must write
/// each of `node.outputs` to `context.output(named:)`, and should call `context.checkCancelled()`
/// between units of work. It may be called concurrently for different nodes.
public protocol StageOperator: Sendable {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult
}

/// An operator written as a closure (handy in tests and for small glue stages).
public struct ClosureOperator: StageOperator {
    let body: @Sendable (PlanNode, [String: ArtifactHandle], StageContext) throws -> StageResult

    public init(_ body: @escaping @Sendable (PlanNode, [String: ArtifactHandle], StageContext) throws -> StageResult) {
        self.body = body
    }

    public func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        try body(node, inputs, context)
    }
}
