import AssayData
import AssayNN
import AssaySupport
import Foundation

/// Synthetic feature visualisation: gradient ascent on the input, from seeded noise, to
/// maximise a unit's mean activation under regularisers and random transformations:
///
///   x = σ(z)  (z: pixels, or z = Σ_k c_k φ_k in the Fourier parameterisation),
///   maximise  s(T(x)) − λ₂ Σ (x − ½)² − λ_tv TV²(x),
///
/// with T a random jitter (circular shift), scaling and rotation drawn afresh each step (so
/// the image must excite the unit robustly, not through one adversarial pixel pattern) and
/// Adam on z. All restarts are optimised together as one batch; the sigmoid keeps pixels
/// in the data's [0, 1] range, so activations are comparable with natural images'.
struct SyntheticVisualizer {
    let settings: SyntheticSettings

    struct Result: Codable, Hashable, Sendable {
        /// `restarts` images, `C×H×W` each, values in [0, 1].
        var images: [Float]
        /// The unit's score on each final image (untransformed).
        var activations: [Float]
        /// The unit's score on each starting noise image.
        var startActivations: [Float]
    }

    /// Runs the ascent; `progress(step)` is called after each step (throw to stop).
    func run(_ network: SpecNetwork, unit: NetworkUnit, shape: SampleShape, stage: String,
             progress: (Int) throws -> Void = { _ in }) throws -> Result {
        let wasTrainable = network.trainableParameters.count == network.parameters.count
        network.freeze()
        defer { if wasTrainable { network.freeze(false) } }
        let inputs = NetworkInputs(network: network, shape: shape)
        let r = settings.restarts, planes = settings.restarts * shape.channels
        var rng = SeededRandom(seed: settings.seed, stream: 0xF7)
        let basis = settings.parameterization == .fourier ? FourierBasis(height: shape.height, width: shape.width) : nil
        let parameter: Tensor
        if let basis {
            parameter = Tensor.normal([planes, basis.modeCount], std: 0.05, rng: &rng)
        } else {
            parameter = Tensor.normal([r, shape.channels, shape.height, shape.width], std: 0.5, rng: &rng)
        }
        parameter.requiresGrad = true
        func image() -> Tensor {
            let z = basis.map { $0.planes(parameter).reshaped([r, shape.channels, shape.height, shape.width]) } ?? parameter
            return z.sigmoid()
        }
        func activations(_ x: Tensor) throws -> [Float] {
            try Autograd.withoutGradients { try unit.forward(network, inputs.normalized(x), stage: stage).scores.data }
        }
        let start = try activations(image())
        let optimizer = Adam([parameter], learningRate: Float(settings.learningRate))
        for step in 0..<settings.steps {
            parameter.grad = nil
            let x = image()
            var transformed = x
            if settings.jitter > 0 { transformed = transformed.jittered(maxShift: settings.jitter, rng: &rng) }
            if settings.scale > 0 || settings.rotation > 0 {
                let s = 1 + Float(settings.scale) * (2 * rng.nextFloat() - 1)
                let angle = Float(settings.rotation * Double.pi / 180) * (2 * rng.nextFloat() - 1)
                transformed = transformed.affineResampled(scale: s, rotation: angle)
            }
            let score = try unit.forward(network, inputs.normalized(transformed), stage: stage).scores.sum()
            var loss = -score
            if settings.l2 > 0 { loss = loss + Float(settings.l2) * (x - 0.5).square().sum() }
            if settings.tv > 0 { loss = loss + Float(settings.tv) * x.totalVariation(squared: true) }
            loss.backward()
            optimizer.step()
            if basis == nil, settings.blur > 0, step % 4 == 3 { blur(parameter, weight: Float(settings.blur), shape: shape) }
            try progress(step + 1)
        }
        let final = Autograd.withoutGradients { image() }
        return Result(images: final.data, activations: try activations(final), startActivations: start)
    }

    /// Mixes each pixel parameter with its 3×3 neighbourhood mean (outside the graph):
    /// z ← (1 − w) z + w · box₃(z), a cheap low-pass regulariser for the pixel parameterisation.
    private func blur(_ z: Tensor, weight: Float, shape: SampleShape) {
        let (h, w) = (shape.height, shape.width)
        let planes = z.count / (h * w)
        var out = z.data
        for p in 0..<planes {
            let base = p * h * w
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0, n: Float = 0
                    for dy in -1...1 { for dx in -1...1 where (0..<h).contains(y + dy) && (0..<w).contains(x + dx) {
                        sum += z.data[base + (y + dy) * w + x + dx]
                        n += 1
                    } }
                    out[base + y * w + x] = (1 - weight) * z.data[base + y * w + x] + weight * sum / n
                }
            }
        }
        z.data = out
    }
}
