import AssayLearn
import Foundation

/// The `head` artifact of `retrain-last-layer` (format `assay.head/1`, see
/// `ArtifactFormats.md`): the averaged DFR classifier with its standardiser, which feature
/// columns (and layers) it reads, the chosen C and the C-tuning table. Sorted-key JSON.
public struct RetrainedHead: Codable, Equatable, Sendable {
    public var format = "assay.head/1"
    public var model: DFRModel
    public var chosenC: Double
    public var tuning: [DFRTuningRow]
    /// Columns of the *input* features artifact the head reads, and their layers.
    public var columns: [Int]
    public var layers: [LayerColumns]
    public var classes: [String]

    enum CodingKeys: String, CodingKey {
        case format, model, tuning, columns, layers, classes
        case chosenC = "chosen-c"
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
