import AssaySupport
import XCTest

final class CanonicalValueDecoderTests: XCTestCase {
    struct Training: Decodable, Equatable {
        struct Pool: Decodable, Equatable { var target: Int }
        enum Optimizer: String, Decodable { case adam, sgd }
        var batchSize: Int
        var lr: Double
        var seed: UInt64
        var optimizer: Optimizer
        var layers: [String]
        var pool: Pool
        var val: String?
    }

    let good: CanonicalValue = ["batch-size": 64, "lr": 0.001, "seed": 3, "optimizer": "sgd", "layers": ["fc1", "fc2"], "pool": ["target": 16], "val": .null]

    func decodingError(_ value: CanonicalValue) -> DecodingError? {
        do { _ = try CanonicalValueDecoder().decode(Training.self, from: value) } catch { return error as? DecodingError }
        return nil
    }

    func replacing(_ key: String, with v: CanonicalValue?) -> CanonicalValue {
        guard case .map(var m) = good else { return good }
        m[key] = v
        return .map(m)
    }

    func path(of error: DecodingError?) -> String? {
        switch error {
        case .keyNotFound(_, let c)?, .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .dataCorrupted(let c)?:
            return CanonicalValueDecoder.dataPath(c.codingPath)
        default: return nil
        }
    }

    func testPropertiesReadTheirKebabCaseParameters() throws {
        let t = try CanonicalValueDecoder().decode(Training.self, from: good)
        XCTAssertEqual(t, Training(batchSize: 64, lr: 0.001, seed: 3, optimizer: .sgd, layers: ["fc1", "fc2"], pool: .init(target: 16), val: nil))
        XCTAssertEqual(CanonicalValueDecoder.parameterName("fitFraction"), "fit-fraction")
        XCTAssertEqual(CanonicalValueDecoder.parameterName("l2"), "l2")
    }

    func testAMissingFieldIsAnErrorAtItsPath() {
        guard case .keyNotFound? = decodingError(replacing("batch-size", with: nil)) else { return XCTFail("a missing field decoded") }
        XCTAssertEqual(path(of: decodingError(replacing("batch-size", with: nil))), "batch-size")
        XCTAssertEqual(path(of: decodingError(replacing("pool", with: ["size": 3]))), "pool.target")
        XCTAssertEqual(path(of: decodingError(replacing("lr", with: .null))), "lr", "null is not a value for a non-optional field")
    }

    func testKindsAreNotConverted() {
        // The old `channels` bug: a string where the signature says integer.
        XCTAssertEqual(path(of: decodingError(replacing("batch-size", with: "64"))), "batch-size")
        XCTAssertNotNil(decodingError(replacing("batch-size", with: 64.0)), "a double is not an integer")
        XCTAssertNotNil(decodingError(replacing("seed", with: -1)), "a negative seed does not fit UInt64")
        XCTAssertEqual(path(of: decodingError(replacing("layers", with: ["fc1", 2]))), "layers.1")
        XCTAssertEqual(path(of: decodingError(replacing("optimizer", with: "rmsprop"))), "optimizer")
        XCTAssertNil(decodingError(replacing("lr", with: 1)), "an integer is an exact double")
    }

    func testOptionalFieldsAreNilWhenAbsentOrNull() throws {
        XCTAssertNil(try CanonicalValueDecoder().decode(Training.self, from: replacing("val", with: nil)).val)
        XCTAssertEqual(try CanonicalValueDecoder().decode(Training.self, from: replacing("val", with: "x")).val, "x")
    }

    func testUnreadFieldsAreListedByPath() throws {
        let extra = replacing("momentum", with: 0.9)
        XCTAssertEqual(try CanonicalValueDecoder().unreadFields(decoding: Training.self, from: good), [])
        XCTAssertEqual(try CanonicalValueDecoder().unreadFields(decoding: Training.self, from: extra), ["momentum"])
        guard case .map(var m) = good else { return }
        m["pool"] = ["target": 16, "stride": 2]
        XCTAssertEqual(try CanonicalValueDecoder().unreadFields(decoding: Training.self, from: .map(m)), ["pool.stride"])
    }

    enum Weights: Decodable, Equatable {
        case none, explicit([Double])
        init(from decoder: Decoder) throws {
            let (kind, body) = try decoder.variant()
            switch kind {
            case "none": self = .none
            case "explicit": self = .explicit(try [Double](from: body))
            default: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown `\(kind)`"))
            }
        }
    }

    func testVariantsAreAOneKeyMappingOrABareWord() throws {
        let d = CanonicalValueDecoder()
        XCTAssertEqual(try d.decode(Weights.self, from: "none"), Weights.none)
        XCTAssertEqual(try d.decode(Weights.self, from: ["none": [:]]), Weights.none)
        XCTAssertEqual(try d.decode(Weights.self, from: ["explicit": [1.0, 2.0]]), .explicit([1, 2]))
        XCTAssertThrowsError(try d.decode(Weights.self, from: ["none": [:], "explicit": [1.0]]))
        XCTAssertThrowsError(try d.decode(Weights.self, from: "explicit"), "a bare word has an empty body")
    }
}
