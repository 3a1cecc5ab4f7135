import AssayData
import AssaySupport
import Foundation
@testable import AssayReport

/// A report with every kind of block, shaped like a small DFR run with an
/// attack and a sweep. Tests check it; `SampleReportTests` writes it out for
/// the browser check.
enum SampleReport {
    static let metricsDigest = Digest.of("metrics of dfr-all-layers")
    static let ermDigest = Digest.of("metrics of erm")

    /// A deterministic 32×32 RGB pattern standing in for a feature visualisation.
    static func pattern(_ seed: Int, size: Int = 32) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<size {
            for x in 0..<size {
                let a = Double(x) / Double(size), b = Double(y) / Double(size)
                let wave = sin(Double(seed + 1) * 3 * a + Double(seed) * b * 4)
                pixels += [UInt8(255 * a), UInt8(127.5 + 127.5 * wave), UInt8(255 * b)]
            }
        }
        return pixels
    }

    static func image(_ seed: Int, caption: String? = nil) -> EmbeddedImage {
        let png = [UInt8](try! PNGCodec.encode(RasterImage(width: 32, height: 32, channels: 3, pixels: pattern(seed))))
        return try! EmbeddedImage(png: png, alt: "pattern \(seed)", caption: caption)
    }

    /// A grey 48×48 input with a three-class mask (background, disc, bar) blended over it.
    static func segmentationOverlay() -> EmbeddedImage {
        let size = 48
        var input: [UInt8] = []
        var mask: [UInt8] = []
        for y in 0..<size {
            for x in 0..<size {
                input.append(UInt8(255 * (x + y) / (2 * size)))
                let dx = Double(x - 16), dy = Double(y - 18)
                mask.append(dx * dx + dy * dy < 100 ? 1 : (x > 30 && y > 8 && y < 40 ? 2 : 0))
            }
        }
        let grey = RasterImage(width: size, height: size, channels: 1, pixels: input)
        let overlay = MaskRendering.overlay(mask, on: grey, palette: MaskRendering.palette(count: 3), alpha: 0.45)
        return try! EmbeddedImage(png: [UInt8](PNGCodec.encode(overlay)), alt: "segmentation overlay", caption: "classes: background, disc, bar")
    }

    static func sweepPoints() -> [SweepComparison.Point] {
        var points: [SweepComparison.Point] = []
        for c in [0.01, 0.03, 0.1, 0.3, 1.0] {
            for layers in ["last", "all"] {
                let decades: Double = log10(c * 100)
                let bonus: Double = layers == "all" ? 0.05 : 0
                let metrics: [String: Double] = ["wga": 0.6 + 0.05 * decades + bonus, "mean_acc": 0.9 - 0.02 * decades]
                points.append(SweepComparison.Point(parameters: ["C": .number(c), "layers": .text(layers)], metrics: metrics,
                                                    provenance: Digest.of("sweep \(c) \(layers)")))
            }
        }
        return points
    }

    static func document() -> ReportDocument {
        var overview = ReportSection(title: "Run")
        overview.add(.keyValues([
            KeyValue("experiment", .code("experiments/colored-fmnist-dfr.yaml")),
            KeyValue("worst-group accuracy", .number(0.7812, format: .percent(1), from: metricsDigest, tone: .highlight)),
            KeyValue("stages", "7"),
        ]))
        overview.add(.code("""
        experiment: colored-fmnist-dfr
        stages:
          erm: {train: small-cnn, data: fmnist.train, epochs: 10}
          dfr: {retrain: erm, layers: all, keep_fraction: 0.1}
        # a comment with <markup> & "quotes"
        """, language: "yaml"))
        overview.add(.plan(PlanTable(rows: [
            .init(stage: "load", operation: "dataset.fmnist", key: Digest.of("k1"), status: .cached),
            .init(stage: "erm", operation: "train.classifier", key: Digest.of("k2"), status: .cached),
            .init(stage: "features", operation: "features.all-layers", key: Digest.of("k3"), status: .ran, seconds: 12.4),
            .init(stage: "dfr", operation: "retrain.last-layer", key: Digest.of("k4"), status: .ran, seconds: 3.1),
            .init(stage: "attack", operation: "attack.push-down", key: Digest.of("k5"), status: .failed, seconds: 0.4),
            .init(stage: "report", operation: "evaluate", key: nil, status: .skipped),
        ])))

        var results = ReportSection(title: "Results")
        var table = ReportTable(caption: "Accuracy", columns: [.init("method"), .init("worst group", format: .percent(1)),
                                                            .init("mean", format: .percent(1)), .init("examples", format: .integer)],
                                showsProvenance: true)
        table.addRow(["ERM", .number(0.612, from: ermDigest, tone: .bad), .number(0.951, from: ermDigest), .number(10_000)])
        table.addRow(["DFR (all layers)", .number(0.7812, from: metricsDigest, tone: .good), .number(0.902, from: metricsDigest), .number(10_000)])
        table.addRow(["missing", .empty, .number(.nan), .empty])
        results.add(.table(table))
        results.add(.chart(LineChart(title: "Training loss", xLabel: "epoch", yLabel: "loss", series: [
            ChartSeries(name: "train", values: [2.3, 1.2, 0.8, 0.61, 0.52, 0.47, 0.44, 0.42, 0.41, 0.405]),
            ChartSeries(name: "validation", values: [2.2, 1.3, 0.95, 0.83, 0.8, 0.79, 0.8, 0.81, 0.83, 0.86]),
        ], yScale: .logarithmic, showsMarkers: true), caption: "Loss per epoch, log scale."))
        results.add(.chart(BarChart(title: "Accuracy per group", yLabel: "accuracy",
                                    categories: ["0/red", "0/green", "1/red", "1/green"],
                                    series: [.init(name: "ERM", values: [0.99, 0.66, 0.61, 0.97]),
                                             .init(name: "DFR", values: [0.91, 0.81, 0.78, 0.93])],
                                    highlight: .lowestPerSeries, yDomain: 0...1, valueFormat: .percent(0)),
                            caption: "Each method's worst group is outlined."))
        results.add(.chart(HeatMap(title: "Confusion matrix", rowLabels: ["T-shirt", "Trouser", "Pullover"],
                                   columnLabels: ["T-shirt", "Trouser", "Pullover"],
                                   values: [[812, 12, 90], [4, 960, 3], [120, 2, 770]],
                                   rowAxisLabel: "true", columnAxisLabel: "predicted"), caption: nil))

        var attack = ReportSection(title: "Attack: push-down")
        let before: [Double] = (0..<60).map { (index: Int) -> Double in Double(60 - index) + sin(Double(index)) }
        let after: [Double] = (0..<60).map { (index: Int) -> Double in
            index < 9 ? Double(index) : Double(60 - index) + cos(Double(index))
        }
        attack.add(.chart(ScatterChart.rankShift(before: before, after: after, topK: 9), caption: "Original top-9 pushed down."))
        attack.add(.figure(ReportFigure(images: (0..<6).map { image($0, caption: "#\($0 + 1)") }, layout: .grid(columns: 6),
                                        caption: "Natural FV before the attack: top-6 images.", displayWidth: 96)))
        attack.add(.figure(.rows([("before", (10..<15).map { image($0) }), ("after", (20..<25).map { image($0) })],
                                 caption: "Top-5 natural FV of unit 12, before and after the attack.", displayWidth: 72)))
        attack.add(.figure(.beforeAfter(image(7), image(8), caption: "Synthetic FV of unit 12, before and after.")))
        attack.add(.figure(ReportFigure(images: [segmentationOverlay()], caption: "Predicted segmentation over the input.",
                                        displayWidth: 192)))
        attack.add(.note("Accuracy changed by −0.3 pp: the attack preserved behaviour.", tone: .good))

        let sweep = SweepComparison(
            parameterNames: ["C", "layers"], metricNames: ["wga", "mean_acc"],
            points: sweepPoints(),
            formats: ["wga": .percent(1), "mean_acc": .percent(1)])
        let sweepSection = sweep.section(title: "Sweep over C")

        let diff = RunDiff(before: RunSummary(name: "baseline", metrics: [.init(name: "wga", value: 0.612, provenance: ermDigest),
                                                                       .init(name: "loss", value: 0.41)],
                                              stageKeys: ["erm": Digest.of("a"), "dfr": Digest.of("b")]),
                           after: RunSummary(name: "all-layers", metrics: [.init(name: "wga", value: 0.7812, provenance: metricsDigest),
                                                                        .init(name: "loss", value: 0.45)],
                                             stageKeys: ["erm": Digest.of("a"), "dfr": Digest.of("c"), "select": Digest.of("d")]),
                           formats: ["wga": .percent(1), "loss": .fixed(3)])

        return ReportDocument(title: "colored-fmnist-dfr", subtitle: "run 3f2a · 7 stages",
                              sections: [overview, results, attack, sweepSection, diff.section(title: "Against the baseline")],
                              footer: "Assay report (sample written by the test suite).")
    }
}
