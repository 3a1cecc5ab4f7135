import AssayEngine
import AssaySupport

/// A stage's parameters, decoded from the canonical JSON the planner hashed. Operators read
/// them as one typed struct (``decode(_:)``, ``ParameterizedOperator``); the accessors by string
/// key remain for the data operators not yet converted.
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

    /// The value at a dotted path (`optimizer.lr`, `data.0`), nil when absent or null.
    public func lookup(_ path: String) -> CanonicalValue? {
        var current: CanonicalValue? = value
        for part in path.split(separator: ".") {
            guard let c = current else { return nil }
            if case .list(let items) = c, let i = Int(part) { current = i < items.count ? items[i] : nil } else { current = c[String(part)] }
        }
        if case .null = current { return nil }
        return current
    }

    public func has(_ path: String) -> Bool { lookup(path) != nil }

    public func sub(_ path: String) throws -> StageParameters {
        guard let v = lookup(path) else { throw missing(path, "a mapping") }
        return StageParameters(stage: stage, value: v)
    }

    public func int(_ path: String) throws -> Int {
        guard let v = lookup(path)?.intValue else { throw missing(path, "an integer") }
        return v
    }

    public func int(_ path: String, default fallback: Int) -> Int { lookup(path)?.intValue ?? fallback }

    public func double(_ path: String) throws -> Double {
        guard let v = lookup(path)?.doubleValue else { throw missing(path, "a number") }
        return v
    }

    public func double(_ path: String, default fallback: Double) -> Double { lookup(path)?.doubleValue ?? fallback }

    public func string(_ path: String) throws -> String {
        guard let v = lookup(path)?.stringValue else { throw missing(path, "a string") }
        return v
    }

    public func string(_ path: String, default fallback: String) -> String { lookup(path)?.stringValue ?? fallback }

    public func bool(_ path: String, default fallback: Bool) -> Bool { lookup(path)?.boolValue ?? fallback }

    public func strings(_ path: String, default fallback: [String] = []) -> [String] {
        lookup(path)?.listValue?.compactMap(\.stringValue) ?? fallback
    }

    public func ints(_ path: String, default fallback: [Int] = []) -> [Int] {
        lookup(path)?.listValue?.compactMap(\.intValue) ?? fallback
    }

    public func doubles(_ path: String, default fallback: [Double] = []) -> [Double] {
        lookup(path)?.listValue?.compactMap(\.doubleValue) ?? fallback
    }

    /// A variant written as `{kind: {...}}` or as the bare word `kind`: its kind and body.
    public func variant(_ path: String) -> (kind: String, body: StageParameters)? {
        guard let v = lookup(path) else { return nil }
        if let word = v.stringValue { return (word, StageParameters(stage: stage, value: .map([:]))) }
        if case .map(let m) = v, m.count == 1, let (k, body) = m.first { return (k, StageParameters(stage: stage, value: body)) }
        return nil
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
