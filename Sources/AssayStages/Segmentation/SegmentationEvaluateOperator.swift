import AssayData
import AssayEngine
import AssayLearn
import AssayNN
import AssaySupport
import Foundation

/// `segmentation-evaluate`: accumulates a confusion matrix over the whole split (void pixels
/// excluded) and reports global pixel accuracy, class-average accuracy, mean IoU and the
/// per-class IoU table; writes `overlays.png` (input | prediction | truth for the first
/// scenes) when the plan asks for it.
struct SegmentationEvaluateOperator: ParameterizedOperator {
    static let overlayCount = 6

    /// `model` and `data` are inputs.
    struct Parameters: Decodable {
        var target: SegmentationTarget
        var batchSize: Int
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let target = p.target
        guard let modelHandle = inputs["model"] else { throw StageError(stage: node.id, path: "model", "no model input") }
        let network = try ModelArtifact.read(from: modelHandle.url, stage: node.id)
        let data = try readDataset(inputs, "data", stage: node.id)
        guard data.masks != nil else { throw StageError(stage: node.id, path: "data", "the data has no segmentation masks") }
        let classes = target.classes.count
        guard network.spec.classes == classes else {
            throw StageError(stage: node.id, path: "target", "the model predicts \(network.spec.classes) classes but the target has \(classes)")
        }
        let batchSize = p.batchSize
        var confusion = ConfusionMatrix(classCount: classes)
        var overlays: [RasterImage] = []
        let palette = MaskRendering.palette(count: classes)
        let batches = (data.count + batchSize - 1) / batchSize
        for (b, batch) in BatchIterator(dataset: data, batchSize: batchSize, shuffleSeed: nil, normalization: PixelNormalization(expectedBy: network.spec)).enumerated() {
            try context.checkCancelled()
            let x = Tensor(batch.images, shape: [batch.count, data.shape.channels, data.shape.height, data.shape.width])
            let logits = Autograd.withoutGradients { network(x) }
            let predicted = Self.argmaxPerPixel(logits)
            let truth = batch.masks ?? []
            do { try confusion.accumulate(predicted: predicted, truth: truth, void: target.voidIndex.map(Int32.init)) } catch {
                throw StageError(stage: node.id, path: "data", "\(SystemErrorText.message(for: error))")
            }
            let plane = data.shape.height * data.shape.width
            for i in 0..<batch.count where overlays.count < Self.overlayCount {
                let image = RasterImage(planar: data.image(at: batch.indices[i]), shape: data.shape)
                overlays.append(MaskRendering.comparison(
                    image: image, prediction: predicted[i * plane ..< (i + 1) * plane].map { UInt8(clamping: $0) },
                    groundTruth: truth[i * plane ..< (i + 1) * plane].map { UInt8(clamping: $0) }, palette: palette))
            }
            context.report(fraction: Double(b + 1) / Double(batches), message: "evaluating", metrics: ["step": Double(b + 1), "total-steps": Double(batches)])
        }
        let scores = SegmentationMetrics(confusion)
        var metrics: [String: Double] = [
            "global-accuracy": scores.globalAccuracy, "class-accuracy": scores.classAverageAccuracy, "mean-iou": scores.meanIoU,
            "parameters": Double(network.spec.parameterCount),
        ]
        var perClass: [CanonicalValue] = []
        var table = "class          IoU     recall\n"
        for (c, name) in target.classes.enumerated() where c != target.voidIndex {
            if let iou = scores.classIoU[c] { metrics["iou/\(name)"] = iou }
            perClass.append(.map(["class": .string(name), "iou": scores.classIoU[c].map { .double($0) } ?? .null,
                                  "recall": scores.classRecall[c].map { .double($0) } ?? .null]))
            table += name.padding(toLength: 13, withPad: " ", startingAt: 0)
                + "  " + Self.cell(scores.classIoU[c]) + "  " + Self.cell(scores.classRecall[c]) + "\n"
        }
        try MetricsFile.write(metrics, extra: ["classes": .list(perClass)], to: context.output(named: "metrics"))
        if node.outputs.contains("overlays.png"), !overlays.isEmpty {
            try PNGCodec.write(MaskRendering.sideBySide(overlays.map { $0 }, padding: 4), to: context.output(named: "overlays.png"))
        }
        return StageResult(metrics: metrics, tables: ["table.txt": Array(table.utf8)])
    }

    /// A right-aligned 6-character table cell: the value to 3 decimals, "-" for an absent class.
    /// (Padded by hand: `String(format: "%6s")` takes a C string, not a Swift `String`.)
    static func cell(_ value: Double?) -> String {
        let text = value.map { String(format: "%.3f", $0) } ?? "-"
        return String(repeating: " ", count: max(0, 6 - text.count)) + text
    }

    /// The class with the largest logit at each pixel, in (n, y, x) order.
    static func argmaxPerPixel(_ logits: Tensor) -> [Int32] {
        let n = logits.shape[0], c = logits.shape[1], plane = logits.shape[2] * logits.shape[3]
        var out = [Int32](repeating: 0, count: n * plane)
        logits.data.withUnsafeBufferPointer { d in
            for img in 0..<n {
                for i in 0..<plane {
                    var best = 0
                    var bestValue = d[img * c * plane + i]
                    for k in 1..<c where d[(img * c + k) * plane + i] > bestValue {
                        best = k
                        bestValue = d[(img * c + k) * plane + i]
                    }
                    out[img * plane + i] = Int32(best)
                }
            }
        }
        return out
    }
}
