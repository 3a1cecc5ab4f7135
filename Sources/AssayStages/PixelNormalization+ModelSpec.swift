import AssayData
import AssayLanguage
import AssayTensor

/// The one input normalisation of a model, used by every stage that feeds it images: the data
/// pipeline (`train`, `evaluate`, `features`, natural feature visualisations, attacks, circuits,
/// segmentation) converts bytes with it, and images optimised in [0, 1] (synthetic feature
/// visualisations, ProxPulse targets) pass through ``applied(toUnitRange:)`` inside the forward, so
/// their gradients are taken with respect to the pixels.
extension PixelNormalization {
    /// The spec's declared per-channel mean/std (torchvision's ImageNet statistics for built-ins started
    /// from `weights:` or `encoder-weights:`), else pixels in [0, 1] unchanged.
    public init(expectedBy spec: ModelSpec) {
        if !spec.normalizeMean.isEmpty, spec.normalizeMean.count == spec.normalizeStd.count, spec.normalizeStd.allSatisfy({ $0 > 0 }) {
            self.init(mean: spec.normalizeMean.map { Float($0) }, std: spec.normalizeStd.map { Float($0) })
        } else {
            self = .unitRange
        }
    }

    /// Whether the map is the identity on [0, 1] images.
    public var isIdentity: Bool { mean.allSatisfy { $0 == 0 } && std.allSatisfy { $0 == 1 } }

    /// `[N, C, H, W]` images with values in [0, 1] mapped like the data pipeline maps bytes:
    /// v = x · (1/std_c) + (−mean_c/std_c). Built from constant per-element tensors, so it is
    /// differentiable in `x`; returns `x` itself for the identity.
    public func applied(toUnitRange x: Tensor) -> Tensor {
        if isIdentity { return x }
        precondition(x.rank == 4 && (mean.count == 1 || mean.count == x.shape[1]),
                     "normalising \(x.shape) with \(mean.count) channel statistics")
        let channels = x.shape[1], plane = x.shape[2] * x.shape[3]
        var scale = [Float](repeating: 1, count: x.count), shift = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let c = (i / plane) % channels
            let m = mean[mean.count == 1 ? 0 : c], s = std[std.count == 1 ? 0 : c]
            scale[i] = 1 / s
            shift[i] = -m / s
        }
        return x * Tensor(scale, shape: x.shape) + Tensor(shift, shape: x.shape)
    }
}
