import AssayNN

/// How a synthetic feature visualisation is optimised (the `synthetic:` block of `visualize`).
struct SyntheticSettings: Codable, Hashable, Sendable {
    enum Parameterization: String, Codable, Sendable { case pixel, fourier }

    var steps = 256
    var learningRate = 0.05
    /// Weight of the L2 penalty Σ (x − ½)² on the image (values in [0, 1]).
    var l2 = 1e-4
    /// Weight of the squared total variation Σ (Δ_h x)² + (Δ_w x)².
    var tv = 1e-3
    /// Gaussian-like blur of the pixel parameters every 4 steps (0: none), a weight in [0, 1].
    var blur = 0.0
    /// Random circular shift in pixels per step.
    var jitter = 2
    /// Random scaling by a factor in [1 − scale, 1 + scale] per step.
    var scale = 0.05
    /// Random rotation in ±rotation degrees per step.
    var rotation = 5.0
    var parameterization = Parameterization.fourier
    var restarts = 1
    var seed: UInt64 = 0

    init() {}

    init(_ p: Parameters) {
        steps = p.steps
        learningRate = p.lr
        l2 = p.l2
        tv = p.tv
        blur = p.blur
        jitter = p.jitter
        scale = p.scale
        rotation = p.rotation
        parameterization = p.parameterization
        restarts = p.restarts
        seed = p.seed
    }

    /// The `synthetic:` block of `visualize` as its signature declares it (the defaults above
    /// are the fixed settings of ProxPulse's own synthetic images, not this block's).
    struct Parameters: Decodable {
        var steps: Int
        var lr: Double
        var l2: Double
        var tv: Double
        var jitter: Int
        var parameterization: Parameterization
        var restarts: Int
        var blur: Double
        var scale: Double
        var rotation: Double
        var seed: UInt64
    }
}
