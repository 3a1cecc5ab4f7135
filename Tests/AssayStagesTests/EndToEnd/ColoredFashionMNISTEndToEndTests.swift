import AssayEngine
import AssayStages
import XCTest

/// The group-robustness line end to end on a reduced Colored Fashion-MNIST: DFR must beat ERM
/// on worst-group accuracy, and edits must rerun exactly the stages they affect.
final class ColoredFashionMNISTEndToEndTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ColoredFashionMNISTHarness.fashionMNISTAvailable, "Fashion-MNIST is not installed")
    }

    func testDFRBeatsERMOnWorstGroupAccuracyAndEditsRerunOnlyWhatTheyAffect() throws {
        let harness = try ColoredFashionMNISTHarness()
        let cold = try harness.run()
        XCTAssertEqual(cold.status, .succeeded)
        let erm = try XCTUnwrap(cold.report(stage: "erm-eval")?.metrics["worst-group-accuracy"])
        let dfr = try XCTUnwrap(cold.report(stage: "dfr")?.metrics["worst-group-accuracy"])
        let allLayer = try XCTUnwrap(cold.report(stage: "all-layer")?.metrics["worst-group-accuracy"])
        XCTAssertLessThan(erm, dfr, "ERM WGA \(erm) should be below DFR WGA \(dfr)")
        XCTAssertLessThan(erm, allLayer, "ERM WGA \(erm) should be below all-layer DFR WGA \(allLayer)")
        let table = String(decoding: try XCTUnwrap(cold.report(stage: "table")?.tables["table"]), as: UTF8.self)
        XCTAssertTrue(table.contains("erm-eval") && table.contains("all-layer"), table)
        print(table)
        print("features:", cold.report(stage: "features")?.metrics ?? [:])
        print("selected:", cold.report(stage: "selected")?.metrics ?? [:])
        print("erm:", cold.report(stage: "erm")?.metrics ?? [:], "durations:", cold.stages.map { "\($0.stage)=\(String(format: "%.2f", $0.duration))" })

        // A warm rerun executes nothing.
        let warm = try harness.run()
        XCTAssertEqual(warm.executed, [])

        // Only the C grid of `dfr` changes: only `dfr` and the table (its metrics changed or not) may run.
        let cGrid = ("dfr:       { retrain-last-layer: { features: features, layers: [fc1],",
                     "dfr:       { retrain-last-layer: { features: features, layers: [fc1], c-grid: [1.0, 0.1],")
        let regrid = try harness.run(edits: [cGrid])
        XCTAssertEqual(Set(regrid.executed).subtracting(["table"]), ["dfr"])

        // A new feature target size reruns features, selection and both retrainings, not training.
        let target = ("pool: { target: 1024 }", "pool: { target: 256 }")
        let retarget = try harness.run(edits: [cGrid, target])
        XCTAssertEqual(Set(retarget.executed).subtracting(["table"]), ["features", "selected", "dfr", "all-layer"])
        XCTAssertFalse(retarget.executed.contains("erm"))
    }
}
