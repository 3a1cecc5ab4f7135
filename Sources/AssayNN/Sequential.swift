/// Runs its children in order. Unnamed children are named "0", "1", … as in
/// torchvision (`features.0.weight`).
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { register(String(i), layer) }
    }

    public init(named layers: [(String, Module)]) {
        super.init()
        for (name, layer) in layers { register(name, layer) }
    }

    public convenience init(_ layers: Module...) { self.init(layers) }

    public var layers: [Module] { children.map(\.module) }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = x
        for (_, layer) in children { y = layer(y) }
        return y
    }
}
