import AssayLearn
import AssaySupport

/// A segmentation target as stages receive it inlined: class names, the void label (ignored by
/// the loss and the metrics), and the class weighting of the loss.
struct SegmentationTarget {
    enum Weighting: Equatable {
        case none
        case medianFrequency
        case explicit([Double])
    }

    var classes: [String]
    var voidIndex: Int?
    var weighting: Weighting

    init(_ p: StageParameters, at path: String = "target") throws {
        let t = try p.sub(path)
        classes = t.strings("classes")
        guard classes.count >= 2 else { throw StageError(stage: p.stage, path: "\(path).classes", "a segmentation target needs at least two classes") }
        voidIndex = t.lookup("void-index")?.intValue
        switch t.variant("weights")?.kind ?? "none" {
        case "median-frequency": weighting = .medianFrequency
        case "explicit":
            let w = t.lookup("weights")?["explicit"]?.listValue?.compactMap(\.doubleValue) ?? []
            guard w.count == classes.count else {
                throw StageError(stage: p.stage, path: "\(path).weights.explicit", "\(w.count) class weights for \(classes.count) classes")
            }
            weighting = .explicit(w)
        default: weighting = .none
        }
    }

    /// The loss's class weights for a training set's masks (nil: unweighted).
    func classWeights(masks: [[Int32]], stage: String) throws -> [Float]? {
        switch weighting {
        case .none: return nil
        case .explicit(let w): return w.map(Float.init)
        case .medianFrequency:
            do {
                return try MedianFrequencyWeights.compute(masks: masks, classCount: classes.count, void: voidIndex.map(Int32.init)).map(Float.init)
            } catch {
                throw StageError(stage: stage, path: "target.weights", "median-frequency weights: \(SystemErrorText.message(for: error))")
            }
        }
    }
}
