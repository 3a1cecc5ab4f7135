import AssayLanguage
import AssaySupport
import XCTest

/// Single checker rules, written with markers: a line ending in `#! id` must get an error with that ID,
/// and no other line may get one.
final class CheckerRuleTests: XCTestCase {
    func assertMarkers(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        var expected: [String] = []
        for (i, l) in text.components(separatedBy: "\n").enumerated() {
            if let r = l.range(of: "#! ") { expected.append("\(i + 1):\(l[r.upperBound...].trimmingCharacters(in: .whitespaces))") }
        }
        let result = checkText(text)
        let actual = result.diagnostics.filter { $0.severity == .error }.map { "\($0.span?.start.line ?? 0):\($0.id)" }
        XCTAssertEqual(actual.sorted(), expected.sorted(), result.diagnostics.map(\.message).joined(separator: "\n"), file: file, line: line)
    }

    let header = """
        assay: 1
        datasets:
          fmnist: { fashion-mnist: {} }
        models:
          cnn:
            - conv1: { conv: { out: 8, kernel: 3, pad: 1 } }
            - relu
            - pool1: { maxpool: 2 }
            - flatten
            - fc: { linear: 10 }
        """

    func testAllErrorsOfAFileAreReportedInOnePass() {
        assertMarkers(header + """

            stages:
              erm: { train: { model: cnn, data: fmnst.train } }           #! unknown-dataset
              ev: { evaluate: { model: erm2, data: fmnist.test } }        #! unknown-stage
              t2: { train: { model: cnn, data: fmnist.train, lr: 0 } }    #! out-of-range
              t3: { train: { model: cnn, data: fmnist.train, epochs: x } } #! wrong-type
            """)
    }

    func testUnitsAreCheckedAgainstTheTrainedModel() {
        assertMarkers(header + """

            stages:
              erm: { train: { model: cnn, data: fmnist.train } }
              ok: { visualize: { model: erm, unit: "conv1[7]", synthetic: {} } }
              by-path: { visualize: { model: erm, unit: "pool1[0]", synthetic: {} } }
              high: { visualize: { model: erm, unit: "conv1[8]", synthetic: {} } }  #! unit-out-of-range
              typo: { visualize: { model: erm, unit: "conv[1]", synthetic: {} } }   #! unknown-unit
            """)
    }

    func testACircuitAttackBreaksTheCircuitOfItsUnit() {
        // The circuit attack's `unit` is the head; a separate `head:` is not a field (it used to be, and was ignored beside `unit`).
        assertMarkers(header + """

            attacks:
              break:
                model: erm
                unit: fc[1]
                objective: { circuit: { top-m: 2, over: fmnist.test } }
                preserve: { ce: { data: fmnist.train } }
              old-style:
                model: erm
                unit: conv1[5]
                objective: { circuit: { head: "fc[1]", over: fmnist.test } }  #! unknown-field
                preserve: { ce: { data: fmnist.train } }
              headless:
                model: erm                                        #! missing-field
                objective: { circuit: { over: fmnist.test } }
                preserve: { ce: { data: fmnist.train } }
            stages:
              erm: { train: { model: cnn, data: fmnist.train } }
              a: { attack: break }
              b: { attack: old-style }
              c: { attack: headless }
            """)
    }

    func testTorchvisionModulePathsNameUnits() {
        assertMarkers("""
            assay: 1
            datasets:
              imgs: { synthetic: { shape: [3, 224, 224], classes: 10 } }
            models:
              net: { resnet18: { width: 0.25 } }
              alex: { alexnet: { width: 0.25 } }
            stages:
              erm: { train: { model: net, data: imgs.train } }
              a: { train: { model: alex, data: imgs.train } }
              v1: { visualize: { model: erm, unit: "layer4.1.conv2[3]", synthetic: {} } }
              v2: { visualize: { model: a, unit: "features.10[63]", synthetic: {} } }
              v3: { visualize: { model: a, unit: "features.10[64]", synthetic: {} } }  #! unit-out-of-range
            """)
    }

    func testFinalWidthMustEqualTheClassCountOfTheDerivedTask() {
        assertMarkers("""
            assay: 1
            datasets:
              fmnist: { fashion-mnist: {} }
              tops: { from: fmnist, label: { binary: { positive: [shirt] } } }
            models:
              cnn:
                - conv: { out: 4 }
                - flatten
                - linear: 10        #! class-count-mismatch
            stages:
              erm: { train: { model: cnn, data: tops.train } }
            """)
    }

    func testGroupSplitsMayOnlyUseAttributesTheDataSetHas() {
        assertMarkers("""
            assay: 1
            datasets:
              fmnist: { fashion-mnist: {} }
              tinted: { from: fmnist, attribute: { tint: { correlation: 0.9 }, name: colour } }
            groups:
              good: { data: tinted, by: [label, colour] }
              bad: { data: tinted, by: [label, color] }       #! unknown-attribute
              none: { data: fmnist, by: [label, colour] }     #! unknown-attribute
            """)
    }

    func testUnpoolNeedsAnEarlierMaxpoolAndResidualShapesMustAgree() {
        assertMarkers("""
            assay: 1
            models:
              a:
                layers:
                  - conv: { out: 4, pad: 1 }
                  - unpool: pool1            #! unpool-without-pool
                input: [1, 8, 8]
              b:
                layers:
                  - stem: { conv: { out: 4, pad: 1 } }
                  - conv: { out: 8, pad: 1 }
                  - add: { with: [stem] }    #! residual-shape-mismatch
                input: [1, 8, 8]
              c:
                layers:
                  - stem: { conv: { out: 4, pad: 1 } }
                  - conv: { out: 4, pad: 1 }
                  - add: { with: [stem] }
                  - residual: { planes: 8, stride: 2 }
                  - residual: { planes: 8, block: bottleneck }
                input: [1, 8, 8]
            """)
    }

    func testSegmentationOutputMustMatchTheTarget() {
        assertMarkers("""
            assay: 1
            datasets:
              fmnist: { fashion-mnist: {} }
              scenes: { compose: { items: fmnist, canvas: [32, 32] } }
            segmentation:
              parts: { data: scenes, void: background }
              wrong: { data: fmnist }                         #! wrong-data-kind
            models:
              good: { squeeze-segnet: { width: 0.125, target: parts } }
              seg: { segnet: { width: 0.125, target: parts } }
              bad:
                - conv: { out: 11, kernel: 3, pad: 1 }
                - maxpool: 2                                  #! segmentation-output-mismatch
            stages:
              a: { segmentation-train: { model: good, data: scenes.train, target: parts } }
              b: { segmentation-train: { model: seg, data: scenes.train, target: parts } }
              c: { segmentation-train: { model: bad, data: scenes.train, target: parts } }
              d: { segmentation-evaluate: { model: a, data: scenes.test, target: parts } }
            """)
    }

    func testSegmentationBuiltinOptionsAreRejectedElsewhere() {
        assertMarkers("""
            assay: 1
            models:
              a: { squeeze-segnet: { input: 64, classes: 3, batch-norm: true, head-kernel: 8, decoder-kernel: 3 } }
              b: { segnet: { input: 64, classes: 3, batch-norm: false } }
              c: { segnet: { input: 64, classes: 3, head-kernel: 4 } }            #! unknown-field
              d: { resnet18: { input: 64, classes: 3, batch-norm: true } }        #! unknown-field
              e: { squeeze-segnet: { input: 64, classes: 3, head-kernel: 1 } }    #! out-of-range
              f: { squeeze-segnet: { input: 64, classes: 3, batch-norm: 2 } }     #! wrong-type
            """)
    }

    func testStagesAndDataSetsMayNotFormCycles() {
        assertMarkers("""
            assay: 1
            datasets:
              a: { from: b }                   #! dataset-cycle
              b: { from: a }
            """)
    }

    func testLongReferenceChainsInAnyOrderCheckWithoutDeepRecursion() {
        let n = 3000
        var text = header + "\nstages:\n"
        for i in stride(from: n - 1, to: 0, by: -1) { text += "  v\(i): { visualize: { model: erm, like: v\(i - 1) } }\n" }
        text += "  erm: { train: { model: cnn, data: fmnist.train } }\n  v0: { visualize: { model: erm, unit: \"conv1[1]\", synthetic: {} } }\n"
        let result = checkText(text)
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.experiments.first?.stages.count, n + 2)
        let cycle = (0..<1000).map { "  c\($0): { visualize: { model: erm, like: c\(($0 + 1) % 1000) } }\n" }.joined()
        let looped = checkText(header + "\nstages:\n  erm: { train: { model: cnn, data: fmnist.train } }\n" + cycle)
        XCTAssertEqual(looped.diagnostics.filter { $0.severity == .error }.map(\.id), ["dependency-too-deep"])
    }

    func testPerStageResourcesAreTyped() {
        assertMarkers(header + """

            resources: { cpus: 2, memory: 8GiB, time: 2h }
            stages:
              erm:
                train: { model: cnn, data: fmnist.train }
                resources: { cpus: 4, memory: 16G, time: 1h30m, partition: gpu, gpus: 1 }
              erm2:
                train: { model: cnn, data: fmnist.train }
                resources:
                  cpus: 0            #! out-of-range
                  memory: lots       #! wrong-type
                  time: "01:30:00"
            """)
        let result = checkText(header + "\nstages:\n  erm:\n    train: { model: cnn, data: fmnist.train }\n    resources: { memory: lots }\n")
        XCTAssertEqual(result.diagnostics.map(\.id), ["wrong-type"])
        let ok = checkText(header + "\nresources: { cpus: 2, time: 2h }\nstages:\n  erm:\n    train: { model: cnn, data: fmnist.train }\n    resources: { memory: 16GiB, time: \"01:30:00\" }\n")
        let resources = ok.experiments.first?.stage("erm")?.resources
        XCTAssertEqual(resources, ResourceSpec(cpus: 2, memoryBytes: 16 << 30, timeSeconds: 5400, partition: nil, gpus: 0))
    }

    func testLayersMayBeWrittenAsAKindAndItsShorthandArgument() throws {
        assertMarkers("""
            assay: 1
            datasets:
              fmnist: { fashion-mnist: {} }
            models:
              cnn:
                - conv 8
                - relu
                - pool: maxpool 2
                - flatten
                - dropout 0.25
                - fc: linear 10
              bad:
                - linaer 3          #! unknown-layer-kind
                - maxpool x         #! wrong-type
            stages:
              erm: { train: { model: cnn, data: fmnist.train } }
            """)
        let spec = try XCTUnwrap(checkText(header + "\nstages:\n  erm: { train: { model: cnn, data: fmnist.train } }\n").experiments.first?.models["cnn"])
        XCTAssertEqual(spec.outputShape, [10])
    }

    func testReferencesToDeclarationsOfTheWrongKindExplainTheFix() {
        let result = checkText(header + "\nstages:\n  ev: { evaluate: { model: cnn, data: fmnist.test } }\n")
        XCTAssertEqual(result.diagnostics.map(\.id), ["untrained-model"])
        XCTAssertTrue(result.diagnostics[0].help[0].contains("train"))
    }

    let groupRobustness = """
        assay: 1
        datasets:
          fmnist: { fashion-mnist: {} }
          bordered:
            from: fmnist
            split: { val: { from: train, size: 1000 } }
            label: { binary: { positive: [t-shirt, shirt], names: [other, top] } }
            attribute:
              border: { size: 2, correlation: { train: 0.9, val: 0.5, test: 0.5 } }
        groups:
          g: { data: bordered, by: [label, border] }
        models:
          cnn:
            - conv1: { conv: { out: 4, kernel: 3, pad: 1 } }
            - relu
            - flatten
            - fc: { linear: 2 }
        stages:
          erm: { train: { model: cnn, data: bordered.train } }
          f: { features: { model: erm, data: [bordered.val, bordered.test], layers: [all] } }
        """

    /// `precision` came after stages were cached: at its default it stays out of the parameters
    /// (so their keys do not change), written out or not; `bf16` enters them.
    func testPrecisionEntersTheParametersOnlyWhenItIsNotTheDefault() throws {
        let stages = """

              f-fp32: { features: { model: erm, data: [bordered.val, bordered.test], layers: [all], precision: fp32 } }
              f-bf16: { features: { model: erm, data: [bordered.val, bordered.test], layers: [all], precision: bf16 } }
              e: { evaluate: { model: erm, data: bordered.test } }
              e-bf16: { evaluate: { model: erm, data: bordered.test, precision: bf16 } }
              v: { visualize: { model: erm, unit: "conv1[0]", natural: { over: bordered.test, precision: bf16 } } }
            """
        let result = checkText(groupRobustness + stages)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
        let experiment = try XCTUnwrap(result.experiments.first)
        XCTAssertNil(experiment.stage("f")?.parameters["precision"])
        XCTAssertEqual(experiment.stage("f")?.parameters, experiment.stage("f-fp32")?.parameters)
        XCTAssertEqual(experiment.stage("f-bf16")?.parameters["precision"], .string("bf16"))
        XCTAssertNil(experiment.stage("e")?.parameters["precision"])
        XCTAssertEqual(experiment.stage("e-bf16")?.parameters["precision"], .string("bf16"))
        XCTAssertEqual(experiment.stage("v")?.parameters["natural"]?["precision"], .string("bf16"))
        XCTAssertEqual(checkText(groupRobustness + stages.replacingOccurrences(of: "precision: bf16 }", with: "precision: fp16 }")).diagnostics.map(\.id).first, "unknown-enum-value")
    }

    func testSelectRejectsALearningRateSayingWhyAndHoldsOutAProperPart() {
        assertMarkers(groupRobustness + """

              s1: { select: { features: f, groups: g, lr: 0.01 } }            #! retired-field
              s2: { select: { features: f, groups: g, fit-fraction: 1 } }     #! out-of-range
              s3: { select: { features: f, groups: g, fit-fraction: 0.3, balance: reweight } }
              d: { retrain-last-layer: { features: s3, groups: g, balance: reweight } }
            """)
        let result = checkText(groupRobustness + "\n  s: { select: { features: f, groups: g, lr: 0.01 } }\n")
        let diagnostic = result.diagnostics.first { $0.id == "retired-field" }
        XCTAssertTrue(diagnostic?.message.contains("Lipschitz") == true, "\(result.diagnostics.map(\.message))")
        XCTAssertEqual(diagnostic?.help, ["remove `lr: ...`"])
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.count, 1)
    }

    func testSelectionAndRetrainingTakeTheirGroupsBalanceUnlessTheyGiveTheirOwn() throws {
        let reweighted = groupRobustness.replacingOccurrences(of: "g: { data: bordered, by: [label, border] }",
                                                              with: "g: { data: bordered, by: [label, border], balance: reweight }")
        XCTAssertNotEqual(reweighted, groupRobustness)
        let stages = """

              s: { select: { features: f, groups: g } }
              d: { retrain-last-layer: { features: f, groups: g } }
              s-own: { select: { features: f, groups: g, balance: none } }
              d-own: { retrain-last-layer: { features: f, groups: g, balance: subsample } }
              d-same: { retrain-last-layer: { features: f, groups: g, balance: reweight } }
            """
        let result = checkText(reweighted + stages)
        XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))")
        let experiment = try XCTUnwrap(result.experiments.first)
        func balance(_ id: String) -> CanonicalValue? { experiment.stage(id)?.parameters["balance"] }
        XCTAssertEqual(balance("s"), .string("reweight"))
        XCTAssertEqual(balance("d"), .string("reweight"))
        XCTAssertEqual(balance("s-own"), .string("none"))
        XCTAssertEqual(balance("d-own"), .string("subsample"))
        // The default is resolved into the parameters, so writing it out computes the same stage.
        XCTAssertEqual(experiment.stage("d")?.parameters, experiment.stage("d-same")?.parameters)

        // Groups that do not say how to balance: the registry default, subsample.
        let plain = try XCTUnwrap(checkText(groupRobustness + stages).experiments.first)
        XCTAssertEqual(plain.stage("s")?.parameters["balance"], .string("subsample"))
        XCTAssertEqual(plain.stage("d")?.parameters["balance"], .string("subsample"))
        XCTAssertEqual(plain.stage("s-own")?.parameters["balance"], .string("none"))
    }

    func testGroupsNoLongerTakeHalvesSayingWhy() {
        let text = groupRobustness.replacingOccurrences(of: "g: { data: bordered, by: [label, border] }",
                                                        with: "g: { data: bordered, by: [label, border], halves: true }")
        let result = checkText(text)
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.id), ["retired-field"])
        let retired = result.diagnostics.first { $0.id == "retired-field" }
        XCTAssertEqual(retired?.path, "groups.g.halves")
        XCTAssertEqual(retired?.help, ["remove `halves: ...`"])
        XCTAssertTrue(retired?.message.contains("its own seeded tuning halves") == true, "\(retired?.message ?? "")")
    }

    func testAnUnknownClassOfADataSetDerivedFromADerivedOneNamesTheDataSetWhoseClassesItLists() throws {
        let result = checkText("""
            assay: 1
            datasets:
              blobs: { synthetic: { generator: blobs, classes: 3, shape: [1, 6, 6], samples: { train: 60, test: 30 }, seed: 0 } }
              merged:
                from: blobs
                label: { relabel: { class-2: b, class-0: a, class-1: a } }
              probe:
                from: merged
                label: { subset: [zzz, b] }
            """)
        let diagnostic = try XCTUnwrap(result.diagnostics.first { $0.id == "unknown-class" })
        XCTAssertEqual(diagnostic.message, "`merged` has no class `zzz`")
        XCTAssertEqual(diagnostic.help, ["classes of `merged` (`probe` is derived from it): b, a"])
    }

    /// Found by the language server's quick fix, which once wrote `data: ""`: the checker trapped on it.
    func testAnEmptyReferenceIsABadReferenceErrorNotACrash() throws {
        let result = checkText("""
            assay: 1
            datasets:
              blobs: { synthetic: { generator: blobs, classes: 2, shape: [1, 6, 6], samples: { train: 20, test: 10 }, seed: 0 } }
            models:
              m: [flatten, linear 2]
            stages:
              fit: { train: { model: m, data: "" } }
              score: { evaluate: { model: "", data: blobs.test } }
            """)
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.map(\.id), ["bad-reference", "bad-reference"])
        XCTAssertEqual(result.diagnostics.first?.path, "stages.fit.data")
        XCTAssertTrue(result.diagnostics.allSatisfy { $0.message.contains("an empty string is not a reference") }, "\(result.diagnostics)")
    }
}
