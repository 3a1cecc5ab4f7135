/// y = max(x, 0).
public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

/// y = x for x > 0, else slope · x.
public final class LeakyReLU: Module {
    public let slope: Float
    public init(slope: Float = 0.01) {
        self.slope = slope
        super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor { x.leakyRelu(slope: slope) }
}

/// y = tanh x.
public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}

/// y = 1 / (1 + e^−x).
public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// y = x (a placeholder that keeps torchvision's indices aligned).
public final class Identity: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x }
}

/// `[N, …]` → `[N, ∏…]`.
public final class Flatten: Module {
    public override init() { super.init() }
    public override func forward(_ x: Tensor) -> Tensor { x.flattened() }
}
