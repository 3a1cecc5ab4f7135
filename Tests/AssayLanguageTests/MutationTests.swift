import AssayLanguage
import AssaySupport
import AssayTestSupport
import XCTest

/// Thousands of randomly corrupted experiments: the checker must never crash, and a file it
/// cannot turn into an experiment must always get at least one error.
final class MutationTests: XCTestCase {
    func testCorruptedExperimentsNeverCrashAndInvalidOnesAlwaysGetAnError() throws {
        let names = ["colored-fmnist-dfr.yaml", "fv-attacks.yaml", "segmentation.yaml", "waterbirds-dfr.yaml", "architectures.yaml", "dfr-sweep.yaml",
                     "celeba-dfr.yaml"]
        let texts = try names.map(Repository.text)
        var random = SeededRandom(seed: 2024)
        var invalid = 0
        let count = 2000
        for i in 0..<count {
            let k = i % texts.count
            var text = texts[k]
            for _ in 0...random.nextInt(below: 3) { text = ExperimentMutator.mutate(text, &random) }
            let result = checkText(text, as: names[k])
            XCTAssertTrue(!result.experiments.isEmpty || result.hasErrors, "no experiment and no error for mutation \(i):\n\(text)")
            XCTAssertEqual(result.experiments.isEmpty, result.hasErrors)
            for d in result.diagnostics { XCTAssertTrue(DiagnosticCatalogue.ids.contains(d.id), "uncatalogued id \(d.id)") }
            if result.hasErrors { invalid += 1 }
        }
        XCTAssertGreaterThan(invalid, count / 4, "mutations should mostly break files")
    }

    func testHugeNumbersAreRangeErrorsNotCrashes() {
        let text = """
            assay: 1
            datasets:
              fmnist: { fashion-mnist: {} }
              scenes: { compose: { items: fmnist, canvas: [9223372036854775807, 64] } }
              syn: { synthetic: { shape: [3, 65536, 65536] } }
            models:
              a:
                - linear: 9223372036854775807
              b:
                - conv: { out: 65536, kernel: 1 }
                - conv-transpose: { out: 65536, kernel: 65536, stride: 65536 }
                - flatten
                - linear: 65536
              c: { resnet18: { width: 1e308 } }
            stages:
              t1: { train: { model: a, data: fmnist.train, epochs: 99999999999999999999 } }
              t2: { train: { model: b, data: syn.train } }
              t3:
                train: { model: a, data: fmnist.train }
                resources: { memory: 1e300G, time: 99999999999999999d }
            """
        let result = checkText(text)
        XCTAssertTrue(result.hasErrors)
        XCTAssertTrue(result.diagnostics.allSatisfy { DiagnosticCatalogue.ids.contains($0.id) })
    }
}
