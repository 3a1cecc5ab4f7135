import AssaySupport

/// SqueezeNet's Fire module with torchvision's names: a 1x1 `squeeze` conv + ReLU,
/// then parallel 1x1 `expand1x1` and 3x3 (padding 1) `expand3x3` convs, each
/// followed by ReLU, concatenated on channels → `expand1x1 + expand3x3` channels.
///
/// With `batchNorm`, each conv is followed by a batch norm before its ReLU
/// (`squeeze_bn`, `expand1x1_bn`, `expand3x3_bn`), as in SegNet's conv–BN–ReLU units.
public final class Fire: Module {
    public let squeeze: Conv2d, expand1x1: Conv2d, expand3x3: Conv2d
    public let batchNorm: Bool

    public init(_ inChannels: Int, squeeze squeezeChannels: Int, expand1x1 e1: Int, expand3x3 e3: Int,
                batchNorm: Bool = false, rng: inout SeededRandom) {
        squeeze = Conv2d(inChannels, squeezeChannels, kernel: 1, rng: &rng)
        expand1x1 = Conv2d(squeezeChannels, e1, kernel: 1, rng: &rng)
        expand3x3 = Conv2d(squeezeChannels, e3, kernel: 3, padding: 1, rng: &rng)
        self.batchNorm = batchNorm
        super.init()
        register("squeeze", squeeze)
        if batchNorm { register("squeeze_bn", BatchNorm2d(squeezeChannels)) }
        register("squeeze_activation", ReLU())
        register("expand1x1", expand1x1)
        if batchNorm { register("expand1x1_bn", BatchNorm2d(e1)) }
        register("expand1x1_activation", ReLU())
        register("expand3x3", expand3x3)
        if batchNorm { register("expand3x3_bn", BatchNorm2d(e3)) }
        register("expand3x3_activation", ReLU())
    }

    public var outChannels: Int { expand1x1.outChannels + expand3x3.outChannels }

    public override func forward(_ x: Tensor) -> Tensor {
        let s = child("squeeze_activation")(normalized("squeeze", squeeze(x)))
        let a = child("expand1x1_activation")(normalized("expand1x1", expand1x1(s)))
        let b = child("expand3x3_activation")(normalized("expand3x3", expand3x3(s)))
        return Tensor.concat([a, b], axis: 1)
    }

    /// `x` through the batch norm that follows the conv `conv`, if the module has batch norms.
    private func normalized(_ conv: String, _ x: Tensor) -> Tensor {
        batchNorm ? child(conv + "_bn")(x) : x
    }
}

extension Module {
    /// The direct child named `name` (a programming error if absent).
    func child(_ name: String) -> Module {
        guard let found = children.first(where: { $0.name == name }) else {
            preconditionFailure("\(type(of: self)): no child named '\(name)'")
        }
        return found.module
    }
}
