import AssayLearn
import AssaySupport

/// A segmentation target as stages receive it inlined: class names, the void label (ignored by
/// the loss and the metrics), and the class weighting of the loss.
struct SegmentationTarget: Decodable {
    enum Weighting: Equatable {
        case none
        case medianFrequency
        case explicit([Double])
    }

    var classes: [String]
    /// The void class's name and its index in `classes`.
    var void: String?
    var voidIndex: Int?
    var weighting: Weighting

    enum CodingKeys: String, CodingKey { case classes, void, voidIndex = "void-index", weights }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        classes = try c.decode([String].self, forKey: .classes)
        guard classes.count >= 2 else {
            throw DecodingError.dataCorruptedError(forKey: .classes, in: c, debugDescription: "a segmentation target needs at least two classes")
        }
        void = try c.decodeIfPresent(String.self, forKey: .void)
        voidIndex = try c.decodeIfPresent(Int.self, forKey: .voidIndex)
        let (kind, body) = try c.superDecoder(forKey: .weights).variant()
        switch kind {
        case "none": weighting = .none
        case "median-frequency": weighting = .medianFrequency
        case "explicit":
            let w = try [Double](from: body)
            guard w.count == classes.count else {
                throw DecodingError.dataCorruptedError(forKey: .weights, in: c, debugDescription: "\(w.count) class weights for \(classes.count) classes")
            }
            weighting = .explicit(w)
        default:
            throw DecodingError.dataCorruptedError(forKey: .weights, in: c, debugDescription: "unknown class weighting `\(kind)`")
        }
    }

    /// The loss's class weights for a training set's masks (nil: unweighted).
    func classWeights<Masks: Sequence>(masks: Masks, stage: String) throws -> [Float]? where Masks.Element == [Int32] {
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
