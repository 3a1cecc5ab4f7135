/// The standard semantic-segmentation scores of a confusion matrix accumulated
/// over a test set, void pixels already excluded (SegNet / Squeeze-SegNet tables).
///
/// - global accuracy `Σ_c TP_c / Σ_c N_c` (all counted pixels);
/// - class recall `TP_c / (TP_c + FN_c)`; class-average accuracy is its mean over the
///   classes that occur in the ground truth;
/// - `IoU_c = TP_c / (TP_c + FP_c + FN_c)`; mean IoU averages over the classes that
///   occur in the ground truth or the prediction.
/// A class absent from both truth and prediction has no defined IoU (0/0): it is
/// reported as `nil` and left out of the mean rather than counted as 0 or 1.
/// A class only predicted (never true) has IoU 0 and counts in the mean.
public struct SegmentationMetrics: Sendable, Codable, Equatable {
    public var globalAccuracy: Double
    public var classAverageAccuracy: Double
    public var meanIoU: Double
    /// Per class; `nil` where the class is absent from truth (recall) or from both (IoU).
    public var classRecall: [Double?]
    public var classIoU: [Double?]

    public init(_ confusion: ConfusionMatrix) {
        let k = confusion.classCount
        let total = confusion.total
        globalAccuracy = total == 0 ? 0 : Double(confusion.correct) / Double(total)
        classRecall = (0..<k).map { c in
            let n = confusion.truthCount(c)
            return n == 0 ? nil : Double(confusion[c, c]) / Double(n)
        }
        classIoU = (0..<k).map { c in
            let tp = confusion[c, c]
            let union = confusion.truthCount(c) + confusion.predictedCount(c) - tp
            return union == 0 ? nil : Double(tp) / Double(union)
        }
        let recalls = classRecall.compactMap { $0 }
        let ious = classIoU.compactMap { $0 }
        classAverageAccuracy = recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count)
        meanIoU = ious.isEmpty ? 0 : ious.reduce(0, +) / Double(ious.count)
    }
}
