import AssayEngine
import AssaySupport

/// A stage's parameters, decoded from the canonical JSON the planner hashed. Every operator reads
/// them as one typed struct (``decode(_:)``, ``ParameterizedOperator``).
///
/// The checker has already validated types, ranges and defaults, so a failure here means
/// the planner and the operator disagree about a signature: the message says which.
public struct StageParameters {
    public let stage: String
    public let value: CanonicalValue

    public init(_ node: PlanNode) throws {
        stage = node.id
        do { value = try CanonicalValue(json: node.parameters) } catch {
            throw StageError(stage: node.id, "its parameters are not valid JSON (\(SystemErrorText.message(for: error)))")
        }
    }

    public init(stage: String, value: CanonicalValue) {
        self.stage = stage
        self.value = value
    }

    /// The parameters as a typed struct (``ParameterizedOperator``); a field that is absent or of
    /// another type is reported as the planner and the operator disagreeing about the signature.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try CanonicalValueDecoder().decode(type, from: value) } catch let error as DecodingError {
            switch error {
            case .keyNotFound(let key, let context):
                throw missing(CanonicalValueDecoder.dataPath(context.codingPath), "the field `\(CanonicalValueDecoder.parameterName(key.stringValue))`")
            case .valueNotFound(_, let context), .typeMismatch(_, let context), .dataCorrupted(let context):
                throw StageError(stage: stage, path: CanonicalValueDecoder.dataPath(context.codingPath),
                                 "unexpected value in the stage's parameters: \(context.debugDescription)", help: disagreement)
            @unknown default:
                throw StageError(stage: stage, "its parameters cannot be read: \(error)", help: disagreement)
            }
        }
    }

    var disagreement: String {
        "the planner and the `\(stage)` operator disagree about its signature; rerun `assay check`, and report it if it persists"
    }

    func missing(_ path: String, _ expected: String) -> StageError {
        StageError(stage: stage, path: path, "expected \(expected) in the stage's parameters", help: disagreement)
    }
}
