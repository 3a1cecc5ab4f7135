import AssayData
import AssaySupport
import Foundation

/// The `visualization` output of `visualize`: the unit, its full activation ranking over the
/// natural data (so later stages can compute Kendall τ or any top-k), the top-k exemplars,
/// and the synthetic images with their activations. JSON with sorted keys (stable digest).
struct VisualizationArtifact: Codable, Hashable, Sendable {
    struct Natural: Codable, Hashable, Sendable {
        var k: Int
        /// The unit's score on every example of the ranked split, in data set order.
        var scores: [Float]
        /// Indices of the k highest scores, best first.
        var top: [Int]
        var topScores: [Float]
        var topLabels: [Int32]
        /// The model's accuracy on the ranked split (it was run on every example anyway).
        var accuracy: Double
        /// The top-k images' pixels (planar, one sample after another), so that `compare` can
        /// show them without the data set.
        var topImages: [UInt8]?
    }

    var unit: NetworkUnit
    /// The model's input shape [C, H, W].
    var shape: [Int]
    var natural: Natural?
    var settings: SyntheticSettings?
    var synthetic: SyntheticVisualizer.Result?
    /// The image a ProxPulse attack steered this model's synthetic FV towards, if the model carries one.
    var target: [Float]?

    var sampleShape: SampleShape { SampleShape(channels: shape[0], height: shape[1], width: shape[2]) }

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url)
    }

    static func read(from url: URL, stage: String, slot: String) throws -> VisualizationArtifact {
        do { return try JSONDecoder().decode(VisualizationArtifact.self, from: Data(contentsOf: url)) } catch {
            throw StageError(stage: stage, path: slot, "cannot read the visualization artifact: \(SystemErrorText.message(for: error))")
        }
    }
}
