import AssayData
import AssayEngine
import AssayLanguage
@testable import AssayStages
import AssaySupport
import XCTest

/// The registry's signatures and the operators' parameter structs describe the same fields:
/// every stage kind's struct decodes the parameters its signature makes (defaults, required
/// fields filled, every enumeration value and variant alternative) and those the checker writes
/// for generated experiments, and reads every field it is given. A field added to a signature
/// but not to the struct, a default of the wrong type, or an enumeration value the operator
/// does not know fails here instead of at run time.
final class OperatorParametersTests: XCTestCase {
    /// Kinds whose operators read parameters some other way than a typed struct: none (kept so a
    /// new kind that does is named here, on purpose, rather than slipping through).
    static let untyped: Set<String> = []
    /// Parameters the checker and the planner add for the cache key only (shared code versions, file digests).
    static let keyOnly: Set<String> = ["code", "sources"]
    /// Fields the signature leaves optional but the checker's semantic rules require (`visualize`
    /// needs a unit, written or copied from `like:`).
    static let requiredByChecker: [String: Set<String>] = ["visualize": ["unit"]]

    var operators: [String: any StageOperator] { Dictionary(OperatorCatalog.entries.map { ($0.0.name, $0.1) }, uniquingKeysWith: { a, _ in a }) }

    func typed(_ name: String) -> (any ParameterizedOperator)? { operators[name] as? any ParameterizedOperator }

    func testEveryStageKindIsTypedExceptTheListedOnes() {
        for signature in OperatorRegistry.standard.operators {
            let hasParameters = signature.parameters.contains { if case .reference = $0.type { return false }; return true }
            if typed(signature.name) != nil {
                XCTAssertFalse(Self.untyped.contains(signature.name), "`\(signature.name)` is typed now: remove it from `untyped`")
            } else if hasParameters {
                XCTAssertTrue(Self.untyped.contains(signature.name), "`\(signature.name)` reads its parameters by string key: give its operator a `Parameters` struct")
            }
        }
    }

    func testEveryTypedKindDecodesTheParametersItsSignatureMakes() throws {
        let declarations = try checkedDeclarations()
        for signature in OperatorRegistry.standard.operators {
            guard let op = typed(signature.name) else { continue }
            // Sample 0 is the defaults; the others also try each enumeration value and variant alternative.
            for sample in 0..<12 {
                let required = Self.requiredByChecker[signature.name] ?? []
                let fields = signature.parameters.map { field -> ParameterSchema in
                    var f = field
                    if required.contains(f.name) { f.required = true }
                    return f
                }
                let value = SignatureSample(declarations: declarations, index: sample).parameters(fields)
                do {
                    let unread = try op.unreadParameters(value, stage: signature.name)
                    XCTAssertEqual(unread, [], "`\(signature.name)` ignores signature fields; parameters \(value.canonicalString)")
                } catch {
                    XCTFail("`\(signature.name)` cannot decode its signature's parameters \(value.canonicalString): \(error)")
                }
            }
        }
    }

    func testEveryTypedKindDecodesWhatTheCheckerWritesForGeneratedExperiments() throws {
        var decoded: Set<String> = []
        for instance in try checkedInstances() {
            guard let op = typed(instance.operatorName) else { continue }
            var value = instance.parameters
            if case .map(var map) = value {
                for key in Self.keyOnly { map[key] = nil }
                value = .map(map)
            }
            do {
                XCTAssertEqual(try op.unreadParameters(value, stage: instance.id), [], "`\(instance.operatorName)` ignores fields the checker wrote")
                decoded.insert(instance.operatorName)
            } catch {
                XCTFail("stage `\(instance.id)` (\(instance.operatorName)): \(error)\nparameters: \(value.canonicalString)")
            }
        }
        let expected = Set(OperatorRegistry.standard.stageOperators.map(\.name)).filter { typed($0) != nil }
        XCTAssertEqual(expected.subtracting(decoded), [], "typed stage kinds that no generated experiment used")
    }

    func testAMissingOrMistypedFieldIsAnInternalErrorNamingItsPath() throws {
        let good: CanonicalValue = ["layers": ["penultimate"], "pool": ["target": 16], "normalize": "none", "batch-size": 8]
        _ = try StageParameters(stage: "f", value: good).decode(FeaturesOperator.Parameters.self)
        func failure(_ value: CanonicalValue) -> StageError? {
            do { _ = try StageParameters(stage: "f", value: value).decode(FeaturesOperator.Parameters.self) } catch { return error as? StageError }
            return nil
        }
        var missing = good
        if case .map(var m) = missing { m["pool"] = ["size": 16]; missing = .map(m) }
        XCTAssertEqual(failure(missing)?.path, "pool.target")
        XCTAssertTrue(failure(missing)?.help?.contains("disagree") ?? false)
        var mistyped = good
        if case .map(var m) = mistyped { m["batch-size"] = "8"; mistyped = .map(m) }
        XCTAssertEqual(failure(mistyped)?.path, "batch-size")
        var unknown = good
        if case .map(var m) = unknown { m["normalize"] = "whiten"; unknown = .map(m) }
        XCTAssertEqual(failure(unknown)?.path, "normalize")
    }

    /// The drift this guards against, shown on purpose-built structs: `load-image-folder` once read
    /// `channels` as a string while its signature declares an integer (so it always fell back to 3),
    /// and a struct that forgets a signature field silently ignores what the user wrote.
    func testAMistypedOrForgottenFieldIsCaught() throws {
        struct ChannelsAsString: Decodable { var channels: String }
        struct TrainWithoutMomentum: Decodable {
            var model: CanonicalValue, epochs: Int, batchSize: Int, optimizer: String, lr: Double, weightDecay: Double, augment: String, seed: Int
            var lrStep: Int, lrGamma: Double
        }
        let registry = OperatorRegistry.standard
        let sample = SignatureSample(declarations: try checkedDeclarations(), index: 0)
        let folder = sample.parameters(try XCTUnwrap(registry.signature("load-image-folder")).parameters)
        XCTAssertThrowsError(try StageParameters(stage: "s", value: folder).decode(ChannelsAsString.self)) { error in
            XCTAssertEqual((error as? StageError)?.path, "channels")
        }
        let train = sample.parameters(try XCTUnwrap(registry.signature("train")).parameters)
        XCTAssertEqual(try CanonicalValueDecoder().unreadFields(decoding: TrainWithoutMomentum.self, from: train), ["momentum"])
    }

    // MARK: Fixtures

    /// Generated experiments (every attack objective, both segmentation upsamplings), checked.
    func checkedInstances() throws -> [StageInstance] {
        let harness = try StageHarness()
        let checkerboard: [UInt8] = (0..<64).map { (i: Int) -> UInt8 in (i / 8 + i % 8) % 2 == 0 ? 0 : 255 }
        try PNGCodec.write(RasterImage(width: 8, height: 8, channels: 1, pixels: checkerboard), to: harness.directory.appendingPathComponent("target.png"))
        var texts: [(String, UInt64)] = []
        for (i, objective) in CheckedExperimentsRunPropertyTests.objectives.enumerated() {
            var generator = ExperimentGenerator(seed: UInt64(i))
            texts.append((generator.classification(wanted: ExperimentGenerator.imageKinds[i % ExperimentGenerator.imageKinds.count], objective: objective), UInt64(i)))
        }
        for (i, upsampling) in [LayerKind.unpool, .convTranspose].enumerated() {
            var generator = ExperimentGenerator(seed: UInt64(1000 + i))
            texts.append((generator.segmentation(upsampling: upsampling), UInt64(1000 + i)))
        }
        var instances: [StageInstance] = []
        for (text, seed) in texts {
            let file = harness.directory.appendingPathComponent("case-\(seed).yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let checked = Checker.check(path: file.path)
            instances += checked.experiments.flatMap(\.stages)
        }
        return instances
    }

    /// Declarations as the checker inlines them (a model, a segmentation target), taken from checked experiments.
    func checkedDeclarations() throws -> [DeclarationKind: CanonicalValue] {
        var found: [DeclarationKind: CanonicalValue] = [:]
        for instance in try checkedInstances() {
            if let model = instance.parameters["model"], case .map = model { found[.model] = model }
            if let target = instance.parameters["target"], case .map = target { found[.segmentationTarget] = target }
        }
        XCTAssertNotNil(found[.model])
        XCTAssertNotNil(found[.segmentationTarget])
        return found
    }
}

/// The parameters a signature makes when nothing optional is written: each field's default (null
/// when it has none), required fields filled with a valid value; with `index` > 0, enumerations
/// and variants take their `index`-th value (cyclically) instead, and optional blocks are written.
struct SignatureSample {
    var declarations: [DeclarationKind: CanonicalValue]
    var index: Int

    func parameters(_ fields: [ParameterSchema]) -> CanonicalValue {
        var map: [String: CanonicalValue] = [:]
        for field in fields {
            if case .reference = field.type { continue }
            if index > 0, let chosen = alternative(field.type, field) {
                map[field.name] = chosen
            } else if let d = field.defaultValue {
                map[field.name] = d
            } else {
                map[field.name] = field.required ? value(field.type, field) : .null
            }
        }
        return .map(map)
    }

    /// The `index`-th value of an enumeration or variant field (or of a list of enumerations).
    func alternative(_ type: ParameterType, _ field: ParameterSchema) -> CanonicalValue? {
        switch type {
        case .enumeration(let values): return .string(values[index % values.count])
        case .list(.enumeration(let values)): return [.string(values[index % values.count])]
        case .variant: return value(type, field)
        // An optional block without a default (`natural:`, `synthetic:` of `visualize`) is written, its fields defaulted.
        case .record where field.defaultValue == nil: return value(type, field)
        default: return nil
        }
    }

    func value(_ type: ParameterType, _ field: ParameterSchema) -> CanonicalValue {
        switch type {
        case .int: return .int(Int(field.minimum ?? 0) + 1)
        case .double:
            if let lo = field.minimum, let hi = field.maximum { return .double((lo + hi) / 2) }
            return .double((field.minimum ?? 0) + 0.5)
        case .bool: return true
        case .string: return "x"
        case .path: return "/dev/null"
        case .enumeration(let values): return .string(values[index % values.count])
        case .list(let element):
            let count = max(field.minCount, min(2, field.maxCount ?? 2))
            return .list(Array(repeating: value(element, field), count: count))
        case .record(let fields): return parameters(fields)
        case .variant(let alternatives):
            let names = alternatives.keys.sorted()
            let name = names[index % names.count]
            return [name: value(alternatives[name]!, field)]
        case .reference: return .null
        case .declaration(.attack): return parameters(OperatorRegistry.standard.declarations["attack"]!)
        case .declaration(let kind): return declarations[kind] ?? .null
        case .unit: return ["layer": "conv1", "channel": 0]
        case .memory: return .int(1 << 30)
        case .duration: return 3600
        }
    }
}
