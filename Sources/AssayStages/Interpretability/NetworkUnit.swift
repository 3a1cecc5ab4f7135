import AssayNN
import AssaySupport

/// One unit of a network: a channel of the layer at module path `layer` (or one neuron of a
/// vector layer), as the checker writes it: `{layer: "conv2", channel: 51}` (which decodes as
/// a stage parameter and is how artifacts store it).
struct NetworkUnit: Codable, Hashable, Sendable, CustomStringConvertible {
    var layer: String
    var channel: Int

    var description: String { "\(layer)[\(channel)]" }

    init(layer: String, channel: Int) {
        self.layer = layer
        self.channel = channel
    }

    /// The unit's score per example from its layer's activation: the mean spatial activation
    /// s_n = (1/HW) Σ_{h,w} a[n, c, h, w] of a `[N, C, H, W]` map, or a[n, c] of a `[N, C]` layer.
    /// Stays in the autodiff graph.
    func scores(_ activation: Tensor) -> Tensor {
        let picked = activation.channel(channel)
        guard picked.rank > 1 else { return picked }
        let n = picked.shape[0]
        return picked.reshaped([n, picked.count / n]).mean(axis: 1)
    }

    /// Runs `network` on `x` recording the unit's layer: (logits, per-example unit scores).
    func forward(_ network: Module, _ x: Tensor, stage: String) throws -> (logits: Tensor, scores: Tensor) {
        let (logits, recorded) = try recordedForward(network, x, paths: [layer], stage: stage)
        guard let activation = recorded[layer] else {
            throw StageError(stage: stage, path: "unit", "layer `\(layer)` produced no activation")
        }
        guard channel < activation.shape[1] else {
            throw StageError(stage: stage, path: "unit", "`\(layer)` has \(activation.shape[1]) channels, so \(self) does not exist")
        }
        return (logits, scores(activation))
    }
}

/// `Module.forward(_:recording:)` with its path error phrased for the stage.
func recordedForward(_ network: Module, _ x: Tensor, paths: [String], stage: String) throws -> (Tensor, RecordedActivations) {
    do { return try network.forward(x, recording: paths) } catch {
        throw StageError(stage: stage, path: "unit", "\(SystemErrorText.message(for: error))", help: "name a layer of the model, e.g. `conv2[5]`")
    }
}
