/// An output of a stage, as another stage consumes it.
public struct StageOutputRef: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The producing stage's id.
    public var stage: String
    /// The output's name in the producer's signature (`model`, `metrics`, a split name such as `train`).
    public var output: String

    public init(stage: String, output: String) {
        self.stage = stage
        self.output = output
    }

    public var description: String { "\(stage).\(output)" }
}
