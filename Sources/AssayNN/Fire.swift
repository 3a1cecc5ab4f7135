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
        register("squeeze", squeeze, batchNorm: batchNorm)
        register("squeeze_activation", ReLU())
        register("expand1x1", expand1x1, batchNorm: batchNorm)
        register("expand1x1_activation", ReLU())
        register("expand3x3", expand3x3, batchNorm: batchNorm)
        register("expand3x3_activation", ReLU())
    }

    public var outChannels: Int { expand1x1.outChannels + expand3x3.outChannels }

    public override func forward(_ x: Tensor) -> Tensor {
        let s = batchNormedReLU(after: "squeeze", squeeze(x), activation: "squeeze_activation")
        let a = batchNormedReLU(after: "expand1x1", expand1x1(s), activation: "expand1x1_activation")
        let b = batchNormedReLU(after: "expand3x3", expand3x3(s), activation: "expand3x3_activation")
        return Tensor.concat([a, b], axis: 1)
    }
}

extension Module {
    /// Registers the conv `conv` as `name` and, with `batchNorm`, a batch norm over its output
    /// channels as `name_bn` (applied by ``batchNormed(after:_:)``).
    func register(_ name: String, _ conv: Conv2d, batchNorm: Bool) {
        register(name, conv)
        if batchNorm { register(name + "_bn", BatchNorm2d(conv.outChannels)) }
    }

    /// `x`, the output of the conv registered as `conv`, through its batch norm when it has one.
    func batchNormed(after conv: String, _ x: Tensor) -> Tensor {
        children.first { $0.name == conv + "_bn" }.map { $0.module(x) } ?? x
    }

    /// `activation`(`batchNormed(after: conv, x)`), the batch norm and its ReLU as one op
    /// (`BatchNorm2d.forwardReLU`: the same bits) when no `ActivationRecorder` observes
    /// the norm's output.
    func batchNormedReLU(after conv: String, _ x: Tensor, activation: String) -> Tensor {
        if !ActivationRecorder.isActive, let norm = children.first(where: { $0.name == conv + "_bn" })?.module as? BatchNorm2d {
            return norm.forwardReLU(x)
        }
        return child(activation)(batchNormed(after: conv, x))
    }

    /// The direct child named `name` (a programming error if absent).
    func child(_ name: String) -> Module {
        guard let found = children.first(where: { $0.name == name }) else {
            preconditionFailure("\(type(of: self)): no child named '\(name)'")
        }
        return found.module
    }
}
