import AssayNN
import AssaySupport

extension SpecNetwork {
    /// How a built-in's reference implementation initialises its weights after construction,
    /// where that differs from PyTorch's per-layer defaults.
    enum ReferenceInitialization: Equatable {
        /// Every `Conv2d` weight He-normal for ReLU, N(0, 2 / fanIn) (Caffe's `msra` filler, used by
        /// SegNet and Squeeze-SegNet), every `Conv2d` bias zero; batch norms stay at γ = 1, β = 0.
        case heNormalConvolutions

        /// The scheme of `architecture`, nil where PyTorch's defaults are the reference.
        ///
        /// The segmentation networks need it: without batch norm, Squeeze-SegNet chains ~35
        /// convolutions and ReLUs, and PyTorch's default conv weights (variance 1/(3·fanIn), a
        /// sixth of what keeps ReLU activations at constant scale) shrink the signal about 2.5×
        /// per layer, so the first layers' gradients come out ~1e-13 and training stalls.
        init?(architecture: String) {
            switch architecture {
            case "squeeze-segnet", "segnet": self = .heNormalConvolutions
            default: return nil
            }
        }
    }

    /// Re-initialises the parameters as the architecture's reference code does, in module order,
    /// drawing from a generator of its own so the result depends on `seed` only.
    func applyReferenceInitialization(seed: UInt64) {
        guard let scheme = ReferenceInitialization(architecture: spec.architecture) else { return }
        var rng = SeededRandom(seed: seed ^ 0x5EED_1417_0000_0001)
        switch scheme {
        case .heNormalConvolutions:
            for (_, module) in namedModules() {
                guard let conv = module as? Conv2d else { continue }
                conv.weight.data = Tensor.kaimingNormal(conv.weight.shape, rng: &rng).data
                if let bias = conv.bias { bias.data = [Float](repeating: 0, count: bias.count) }
            }
        }
    }
}
