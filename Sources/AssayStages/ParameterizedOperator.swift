import AssayEngine
import AssaySupport

/// An operator that reads its stage's parameters as one typed struct, decoded from what the
/// checker wrote (``StageParameters/decode(_:)``).
///
/// The struct's fields are the stage kind's signature (`OperatorRegistry`), named in camel case
/// (`batchSize` reads `batch-size`), with no default values: the signature is the only home of
/// defaults, and the checker fills every one before a stage is planned. A field that is missing or
/// of another type is the planner and the operator disagreeing, reported as such; a test decodes
/// every kind's struct from the parameters its signature's defaults make.
protocol ParameterizedOperator: StageOperator {
    associatedtype Parameters: Decodable
    func run(_ parameters: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult
}

extension ParameterizedOperator {
    func run(_ node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        try run(try StageParameters(node).decode(Parameters.self), node: node, inputs: inputs, context: context)
    }

    /// The data paths of fields in `value` that ``Parameters`` does not read (for tests: a signature
    /// field the operator ignores); throws what ``StageParameters/decode(_:)`` would.
    func unreadParameters(_ value: CanonicalValue, stage: String) throws -> [String] {
        let parameters = StageParameters(stage: stage, value: value)
        _ = try parameters.decode(Parameters.self)
        return try CanonicalValueDecoder().unreadFields(decoding: Parameters.self, from: value)
    }
}
