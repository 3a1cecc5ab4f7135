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

    init(_ p: StageParameters) throws {
        steps = p.int("steps", default: steps)
        learningRate = p.double("lr", default: learningRate)
        l2 = p.double("l2", default: l2)
        tv = p.double("tv", default: tv)
        blur = p.double("blur", default: blur)
        jitter = p.int("jitter", default: jitter)
        scale = p.double("scale", default: scale)
        rotation = p.double("rotation", default: rotation)
        let name = p.string("parameterization", default: parameterization.rawValue)
        guard let kind = Parameterization(rawValue: name) else {
            throw StageError(stage: p.stage, path: "synthetic.parameterization", "unknown parameterization `\(name)`", help: "use `pixel` or `fourier`")
        }
        parameterization = kind
        restarts = max(1, p.int("restarts", default: restarts))
        seed = UInt64(max(0, p.int("seed", default: 0)))
    }
}
