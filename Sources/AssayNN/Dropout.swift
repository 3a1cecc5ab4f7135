import AssaySupport

/// Dropout in training mode, identity in evaluation mode. Masks come from the
/// layer's own seeded generator, so a fixed seed gives the same masks per run.
public final class Dropout: Module, RandomizedModule {
    public let probability: Float
    private var rng: SeededRandom

    public init(_ probability: Float = 0.5, seed: UInt64 = 0) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        self.probability = probability
        rng = SeededRandom(seed: seed)
        super.init()
    }

    /// Restarts the mask sequence (e.g. at the start of a reproducible run).
    public func reseed(_ seed: UInt64) { rng = SeededRandom(seed: seed) }

    public var randomState: [UInt64] {
        get { rng.state }
        set { rng = SeededRandom(state: newValue) ?? rng }
    }

    public override func forward(_ x: Tensor) -> Tensor {
        isTraining ? dropout(x, probability: probability, rng: &rng) : x
    }
}
