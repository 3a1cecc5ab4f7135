import AssayLanguage
import AssaySupport
import XCTest

final class ModelSpecCanonicalTests: XCTestCase {
    func testEveryModelOfTheExamplesRoundTripsThroughItsCanonicalForm() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path).filter { $0.hasSuffix(".yaml") }
        var checked = 0
        for file in files {
            let result = Checker.check(path: root.appendingPathComponent("experiments/\(file)").path)
            for (name, spec) in result.experiments.first?.models ?? [:] {
                let decoded = try ModelSpec(canonical: spec.canonical, name: name)
                XCTAssertEqual(decoded, spec, "\(file): \(name)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    func testAMalformedDescriptionNamesTheMissingField() {
        XCTAssertThrowsError(try ModelSpec(canonical: .map(["layers": .list([])]), name: "m")) { error in
            XCTAssertEqual((error as? ModelSpec.DecodingError)?.path, "architecture")
        }
    }
}
