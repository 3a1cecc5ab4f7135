/// Everything that can go wrong when AssayLearn is handed data or parameters.
///
/// Each message says what was expected, what was found, and how to fix it.
public enum LearnError: Error, Equatable, CustomStringConvertible {
    /// Two inputs that must describe the same examples differ in length.
    case countMismatch(what: String, expected: Int, found: Int)
    /// A fit or metric received no examples.
    case empty(what: String)
    /// Classification needs at least two classes in the training labels.
    case singleClass(label: Int32)
    /// A parameter is outside its valid range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A model was applied to data with a different number of features.
    case featureCountMismatch(expected: Int, found: Int)
    /// A label is outside the declared class range.
    case labelOutOfRange(label: Int32, classes: Int)
    /// An image is smaller than the metric's window.
    case imageTooSmall(width: Int, height: Int, window: Int)

    public var description: String {
        switch self {
        case let .countMismatch(what, expected, found):
            return "\(what): expected \(expected) entries (one per example), found \(found); pass arrays that describe the same examples"
        case let .empty(what):
            return "\(what) is empty; at least one example is needed (check the data split or group filter that produced it)"
        case let .singleClass(label):
            return "the training labels contain only class \(label); a classifier needs at least two classes (check the label mapping or the subsample)"
        case let .invalidParameter(name, value, expected):
            return "parameter `\(name)` = \(value) is invalid: expected \(expected)"
        case let .featureCountMismatch(expected, found):
            return "the model was fitted on \(expected) features but the data has \(found); apply it to features built the same way (same layers, pooling and selection)"
        case let .labelOutOfRange(label, classes):
            return "label \(label) is outside 0..<\(classes); declare every class or map labels to 0..<\(classes)"
        case let .imageTooSmall(width, height, window):
            return "image of \(width)×\(height) is smaller than the \(window)×\(window) window; use images at least \(window) pixels on each side"
        }
    }
}
