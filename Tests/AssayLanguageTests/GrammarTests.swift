import AssayLanguage
import XCTest

final class GrammarTests: XCTestCase {
    func testCheckedInSchemaIsUpToDate() throws {
        let url = Repository.root.appendingPathComponent("grammar/assay.schema.json")
        let generated = SchemaGenerator.schema()
        if ProcessInfo.processInfo.environment["ASSAY_UPDATE_GOLDEN"] == "1" { try generated.write(to: url, atomically: true, encoding: .utf8) }
        let checkedIn = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(checkedIn == generated, "grammar/assay.schema.json is stale: run `assay schema > grammar/assay.schema.json`")
    }

    func testSchemaIsValidJSONWithEveryOperator() throws {
        let object = try JSONSerialization.jsonObject(with: Data(SchemaGenerator.schema().utf8)) as! [String: Any]
        let defs = object["$defs"] as! [String: Any]
        for op in OperatorRegistry.standard.stageOperators { XCTAssertNotNil(defs["operator-\(op.name)"], op.name) }
    }

    func testRegistryNamesAreUniqueVersionedAndTyped() {
        let registry = OperatorRegistry.standard
        XCTAssertEqual(Set(registry.operators.map(\.name)).count, registry.operators.count)
        for op in registry.operators {
            XCTAssertGreaterThanOrEqual(op.version, 1, op.name)
            XCTAssertFalse(op.outputs.isEmpty, op.name)
            XCTAssertEqual(Set(op.parameters.map(\.name)).count, op.parameters.count, op.name)
        }
        XCTAssertEqual(registry.signature("train")?.inputs.map(\.name), ["data", "val"])
        XCTAssertEqual(registry.signature("visualize")?.inputs.map(\.name), ["model", "like", "natural.over"])
        for name in ["load-fashion-mnist", "load-image-folder", "load-camvid", "load-synthetic", "compose-scenes", "derive", "split", "group-split"] {
            XCTAssertEqual(registry.signature(name)?.isImplicit, true, name)
        }
    }
}

final class ReferenceTests: XCTestCase {
    func testReferenceTablesAreUpToDate() throws {
        let url = Repository.root.appendingPathComponent("grammar/REFERENCE.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let generated = ReferenceGenerator.tables()
        guard let range = text.range(of: ReferenceGenerator.beginMarker) else { return XCTFail("REFERENCE.md has no generated section") }
        if ProcessInfo.processInfo.environment["ASSAY_UPDATE_GOLDEN"] == "1" {
            try (String(text[..<range.lowerBound]) + generated).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertTrue(String(text[range.lowerBound...]) == generated, "grammar/REFERENCE.md is stale: regenerate with ASSAY_UPDATE_GOLDEN=1")
    }
}
