@_exported import AssayTensor

/// A layer or network: named parameters, named buffers and named child modules,
/// with torchvision's dotted naming (`features.0.weight`, `layer1.0.bn1.running_mean`).
///
/// Subclasses register what they own in their initialiser and override
/// `forward(_:)`. Calling a module (`model(x)`) runs `forward` and, while an
/// `ActivationRecorder` is active, records the output under the module's path.
///
/// ```swift
/// final class Head: Module {
///     let fc: Linear
///     init(rng: inout SeededRandom) {
///         fc = Linear(64, 10, rng: &rng)
///         super.init()
///         register("fc", fc)
///     }
///     override func forward(_ x: Tensor) -> Tensor { fc(globalAvgPool2d(x)) }
/// }
/// ```
open class Module {
    /// Training mode (batch statistics, dropout on) or evaluation mode.
    public private(set) var isTraining = true
    /// Direct children in registration order.
    public private(set) var children: [(name: String, module: Module)] = []
    /// This module's own parameters (not its children's) in registration order.
    public private(set) var ownParameters: [(name: String, tensor: Tensor)] = []
    /// This module's own buffers (running statistics…), saved but not trained.
    public private(set) var ownBuffers: [(name: String, tensor: Tensor)] = []

    public init() {}

    /// Computes the module's output. Subclasses override; call the module itself
    /// (`module(x)`), not `forward`, so activations can be recorded.
    open func forward(_ x: Tensor) -> Tensor { x }

    /// Runs `forward` and reports the output to the active recorder, if any.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = forward(x)
        guard let recorder = ActivationRecorder.active else { return y }
        return recorder.process(self, y)
    }

    /// Adds a child module under `name` (a path component: no dots).
    public func register(_ name: String, _ module: Module) {
        precondition(!name.contains("."), "Module.register: child name '\(name)' must not contain '.'")
        precondition(!children.contains { $0.name == name }, "Module.register: duplicate child name '\(name)'")
        children.append((name, module))
    }

    /// Adds a trainable parameter under `name`; it is marked as requiring gradients.
    public func registerParameter(_ name: String, _ tensor: Tensor) {
        precondition(!ownParameters.contains { $0.name == name }, "Module.registerParameter: duplicate parameter '\(name)'")
        tensor.requiresGrad = true
        ownParameters.append((name, tensor))
    }

    /// Adds a non-trainable tensor that belongs in the state dict (e.g. `running_mean`).
    public func registerBuffer(_ name: String, _ tensor: Tensor) {
        precondition(!ownBuffers.contains { $0.name == name }, "Module.registerBuffer: duplicate buffer '\(name)'")
        tensor.requiresGrad = false
        ownBuffers.append((name, tensor))
    }

    /// Every module in the tree with its dotted path ("" for self), depth first.
    public func namedModules() -> [(path: String, module: Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in children {
            for (path, module) in child.namedModules() {
                result.append((path.isEmpty ? name : "\(name).\(path)", module))
            }
        }
        return result
    }

    /// Every parameter with its dotted path, in registration order.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in
            module.ownParameters.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.tensor) }
        }
    }

    /// Every buffer with its dotted path.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        namedModules().flatMap { path, module in
            module.ownBuffers.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.tensor) }
        }
    }

    /// All parameters (for optimisers).
    public var parameters: [Tensor] { namedParameters().map(\.tensor) }

    /// Parameters still being trained (not frozen).
    public var trainableParameters: [Tensor] { parameters.filter(\.requiresGrad) }

    /// Total number of parameter values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The module at a dotted path (`"features.3"`, `"layer4.1.conv2"`), or nil.
    public func module(at path: String) -> Module? {
        if path.isEmpty { return self }
        var current: Module = self
        for component in path.split(separator: ".") {
            guard let next = current.children.first(where: { $0.name == component })?.module else { return nil }
            current = next
        }
        return current
    }

    /// Switches this module and all descendants to training (true) or evaluation mode.
    public func train(_ on: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = on }
    }

    /// Evaluation mode: running statistics, no dropout.
    public func eval() { train(false) }

    /// Stops (or resumes) training of every parameter below this module.
    public func freeze(_ frozen: Bool = true) {
        for p in parameters { p.requiresGrad = !frozen }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}
