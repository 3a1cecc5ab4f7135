import AssaySupport

/// Squeeze-SegNet's decoder module, the Fire order reversed: parallel 1x1
/// `expand1x1` and 3x3 (padding 1) `expand3x3` convs on the input, concatenated,
/// ReLU, then a 1x1 `squeeze` conv (+ ReLU unless `finalActivation` is false)
/// down to `outChannels`.
///
/// With `batchNorm`, each conv is followed by a batch norm before its ReLU
/// (`expand1x1_bn`, `expand3x3_bn`, `squeeze_bn`).
public final class SqueezeDecoder: Module {
    public let expand1x1: Conv2d, expand3x3: Conv2d, squeeze: Conv2d
    public let finalActivation: Bool
    public let batchNorm: Bool

    public init(_ inChannels: Int, expand1x1 e1: Int, expand3x3 e3: Int, squeeze outChannels: Int,
                finalActivation: Bool = true, batchNorm: Bool = false, rng: inout SeededRandom) {
        expand1x1 = Conv2d(inChannels, e1, kernel: 1, rng: &rng)
        expand3x3 = Conv2d(inChannels, e3, kernel: 3, padding: 1, rng: &rng)
        squeeze = Conv2d(e1 + e3, outChannels, kernel: 1, rng: &rng)
        self.finalActivation = finalActivation
        self.batchNorm = batchNorm
        super.init()
        register("expand1x1", expand1x1, batchNorm: batchNorm)
        register("expand3x3", expand3x3, batchNorm: batchNorm)
        register("expand_activation", ReLU())
        register("squeeze", squeeze, batchNorm: batchNorm)
        if finalActivation { register("squeeze_activation", ReLU()) }
    }

    public var outChannels: Int { squeeze.outChannels }

    public override func forward(_ x: Tensor) -> Tensor {
        let expanded: Tensor
        if batchNorm && !ActivationRecorder.isActive {
            // relu(concat(bn(a), bn(b))) = concat(relu(bn(a)), relu(bn(b))), each half fused.
            expanded = Tensor.concat([batchNormedReLU(after: "expand1x1", expand1x1(x), activation: "expand_activation"),
                                      batchNormedReLU(after: "expand3x3", expand3x3(x), activation: "expand_activation")], axis: 1)
        } else {
            let a = batchNormed(after: "expand1x1", expand1x1(x)), b = batchNormed(after: "expand3x3", expand3x3(x))
            expanded = child("expand_activation")(Tensor.concat([a, b], axis: 1))
        }
        if finalActivation { return batchNormedReLU(after: "squeeze", squeeze(expanded), activation: "squeeze_activation") }
        return batchNormed(after: "squeeze", squeeze(expanded))
    }
}
