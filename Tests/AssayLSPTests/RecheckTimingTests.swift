import AssayLSP
import Foundation
import XCTest

/// The re-check after an edit of a 1,000-line experiment: diagnostics must follow typing.
/// The goal is ≤ 50 ms in release on an idle machine; the assertion allows for a loaded CI machine
/// and debug builds, and the measured time is printed for the record.
final class RecheckTimingTests: XCTestCase {
    /// About `lines` lines: data sets on synthetic data, a model, and chains of train/evaluate/features stages.
    static func experiment(lines: Int) -> String {
        var text = """
            assay: 1
            name: timing
            params:
              epochs: 3
              lr: 1e-3
            datasets:
              blobs:
                synthetic: { generator: blobs, classes: 2, shape: [1, 28, 28], samples: { train: 512, test: 128 } }
              bordered:
                from: blobs
                split: { val: { from: train, size: 100 } }
                attribute:
                  border: { size: 2, correlation: { train: 0.95, val: 0.5, test: 0.5 } }
            groups:
              label-by-border: { data: bordered, by: [label, border] }
            models:
              cnn:
                - conv1: { conv: { out: 16, kernel: 3, pad: 1 } }
                - relu
                - pool1: { maxpool: 2 }
                - conv2: { conv: { out: 32, kernel: 3, pad: 1 } }
                - relu
                - pool2: { maxpool: 2 }
                - flatten
                - fc1: { linear: 64 }
                - relu
                - fc2: { linear: 2 }
            stages:

            """
        var i = 0
        while text.split(separator: "\n", omittingEmptySubsequences: false).count < lines {
            text += """
                  train-\(i):
                    train:
                      model: cnn
                      data: bordered.train
                      val: bordered.val
                      epochs: $epochs
                      lr: $lr
                      seed: \(i)
                  eval-\(i):
                    evaluate: { model: train-\(i), data: bordered.test, groups: label-by-border }
                  features-\(i):
                    features:
                      model: train-\(i)
                      data: [bordered.val, bordered.test]
                      layers: [all]

                """
            i += 1
        }
        return text
    }

    func testRecheckOfAThousandLineFileAfterAnEdit() throws {
        let workspace = try Workspace()
        let text = Self.experiment(lines: 1000)
        let uri = try workspace.write("big.yaml", text)
        let client = LSPTestClient()
        client.open(uri, text)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0, "the generated file checks clean")
        var times: [Double] = []
        for round in 0..<10 {
            // Break a shape (fc2 out of 3 classes on 2-class data), then repair it.
            let at = place(of: "fc2: { linear: 2 }", in: text, offset: 15)
            let edit = round % 2 == 0 ? "3" : "2"
            client.change(uri, version: round + 2, [["range": ["start": ["line": at.line, "character": at.character], "end": ["line": at.line, "character": at.character + 1]], "text": edit]])
            let diagnostics = try XCTUnwrap(client.diagnostics(uri))
            XCTAssertEqual(diagnostics.isEmpty, edit == "2", "round \(round): \(diagnostics.prefix(1))")
            times.append(client.lastCheckSeconds)
        }
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        print("re-check after an edit of a \(lineCount)-line file: median \(String(format: "%.1f", median * 1000)) ms, min \(String(format: "%.1f", sorted[0] * 1000)) ms over \(times.count) edits")
        XCTAssertLessThan(median, 1.0, "re-checking a 1,000-line file took \(median) s")
        XCTAssertEqual(client.shutdown(), 0)
    }
}
