import AssaySupport
import Foundation
import XCTest

@testable import AssayEngine

/// An operator that hashed its output while writing it hands the digest over (`StageContext.recordDigest`);
/// the engine publishes under it without reading the file again, unless the file changed since.
final class RecordedDigestTests: XCTestCase {
    private func run(_ fixture: EngineFixture, _ body: @escaping @Sendable (StageContext) throws -> Void) throws -> Digest {
        let writer = ClosureOperator { node, _, context in
            try body(context)
            return StageResult()
        }
        let plan = try Plan(nodes: [PlanNode(id: "w", operatorName: "writer", parametersJSON: "{}", outputs: ["out"])])
        let result = try fixture.engine(operators: ["writer": writer]).run(plan)
        XCTAssertEqual(result.executed, ["w"])
        return try XCTUnwrap(result.report(stage: "w")?.outputs["out"])
    }

    func testARecordedDigestNamesTheObjectWithoutRehashing() throws {
        let fixture = try EngineFixture()
        // A digest that is not the bytes' own shows that the file was not read again (no operator should do this).
        let claimed = Digest.of("something else")
        let digest = try run(fixture) { context in
            try Data("bytes".utf8).write(to: context.output(named: "out"))
            context.recordDigest(claimed, ofOutput: "out")
        }
        XCTAssertEqual(digest, claimed)
        XCTAssertTrue(fixture.store.hasObject(claimed))
    }

    func testAnOutputChangedAfterItsDigestWasRecordedIsHashed() throws {
        let fixture = try EngineFixture()
        let digest = try run(fixture) { context in
            let url = context.output(named: "out")
            try Data("first".utf8).write(to: url)
            context.recordDigest(Digest.of("first"), ofOutput: "out")
            try Data("second, longer".utf8).write(to: url)
        }
        XCTAssertEqual(digest, Digest.of("second, longer"))
        XCTAssertEqual(try fixture.store.verifyObject(digest), true)
    }

    func testAHashingWriterDigestIsTheObjectsName() throws {
        let fixture = try EngineFixture()
        let bytes = (0 ..< 100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let digest = try run(fixture) { context in
            let writer = try HashingFileWriter(creating: context.output(named: "out").path)
            try bytes.withUnsafeBytes { try writer.write($0) }
            context.recordDigest(try writer.finish(), ofOutput: "out")
        }
        XCTAssertEqual(digest, Digest.of(bytes))
        XCTAssertEqual(try fixture.store.verifyObject(digest), true)
    }
}
