/// Updates parameters from their gradients. Parameters whose `requiresGrad` is
/// off (frozen) or that received no gradient are skipped.
public protocol Optimizer: AnyObject {
    /// The parameters being optimised.
    var parameters: [Tensor] { get }
    /// Step size; schedules set it between steps.
    var learningRate: Float { get set }
    /// Applies one update from the current gradients.
    func step()
    /// Moments and step counts, to save in a checkpoint.
    var state: OptimizerState { get }
    /// Continues from a saved state; throws ``OptimizerStateMismatch`` (and changes nothing) when
    /// it was taken from another kind of optimiser or other parameters.
    func restore(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight
/// decay, as PyTorch: g ← ∇ + λθ; v ← μv + g; θ ← θ − η·(nesterov ? g + μv : v).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    private var velocity: [[Float]?]
    private var steps: [Int]

    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    public var state: OptimizerState {
        OptimizerState(kind: "sgd", parameters: zip(steps, velocity).map { steps, v in
            OptimizerState.Slot(steps: steps, buffers: v.map { ["velocity": $0] } ?? [:])
        })
    }

    public func restore(_ state: OptimizerState) throws {
        try state.validate(kind: "sgd", parameters: parameters, buffers: momentum != 0 ? ["velocity"] : [])
        steps = state.parameters.map(\.steps)
        velocity = state.parameters.map { $0.buffers["velocity"] }
    }

    public func step() {
        for (i, p) in parameters.enumerated() where p.requiresGrad {
            guard let grad = p.grad else { continue }
            steps[i] += 1
            let (lr, mu, wd) = (learningRate, momentum, weightDecay)
            var v = velocity[i] ?? []
            velocity[i] = nil  // keep the buffer uniquely referenced: update in place, no copy
            let first = v.isEmpty
            if mu != 0 && first { v = [Float](repeating: 0, count: p.count) }
            p.data.withUnsafeMutableBufferPointer { theta in
                for j in 0..<theta.count {
                    var g = grad[j] + wd * theta[j]
                    if mu != 0 {
                        // PyTorch starts the buffer at the first gradient.
                        v[j] = first ? g : mu * v[j] + g
                        g = nesterov ? g + mu * v[j] : v[j]
                    }
                    theta[j] -= lr * g
                }
            }
            if mu != 0 { velocity[i] = v }
        }
    }
}

/// Adam (Kingma & Ba) with bias correction; `weightDecay` adds λθ to the
/// gradient (coupled L2, PyTorch's `Adam`).
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    let decoupled: Bool
    private var moments: [([Float], [Float])?]
    private var steps: [Int]

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        decoupled = false
        moments = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    init(decoupled parameters: [Tensor], learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        decoupled = true
        moments = Array(repeating: nil, count: parameters.count)
        steps = Array(repeating: 0, count: parameters.count)
    }

    public var state: OptimizerState {
        OptimizerState(kind: decoupled ? "adamw" : "adam", parameters: zip(steps, moments).map { steps, moments in
            OptimizerState.Slot(steps: steps, buffers: moments.map { ["first-moment": $0.0, "second-moment": $0.1] } ?? [:])
        })
    }

    public func restore(_ state: OptimizerState) throws {
        try state.validate(kind: decoupled ? "adamw" : "adam", parameters: parameters, buffers: ["first-moment", "second-moment"])
        steps = state.parameters.map(\.steps)
        moments = state.parameters.map { slot in slot.buffers["first-moment"].flatMap { m in slot.buffers["second-moment"].map { (m, $0) } } }
    }

    public func step() {
        for (i, p) in parameters.enumerated() where p.requiresGrad {
            guard let grad = p.grad else { continue }
            var (m, v) = moments[i] ?? ([Float](repeating: 0, count: p.count), [Float](repeating: 0, count: p.count))
            moments[i] = nil  // keep the buffers uniquely referenced: update in place, no copy
            steps[i] += 1
            let t = Float(steps[i])
            let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
            let (lr, b1, b2, eps, wd, dec) = (learningRate, beta1, beta2, epsilon, weightDecay, decoupled)
            p.data.withUnsafeMutableBufferPointer { theta in
                for j in 0..<theta.count {
                    var g = grad[j]
                    if dec { theta[j] -= lr * wd * theta[j] } else { g += wd * theta[j] }
                    m[j] = b1 * m[j] + (1 - b1) * g
                    v[j] = b2 * v[j] + (1 - b2) * g * g
                    theta[j] -= lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + eps)
                }
            }
            moments[i] = (m, v)
        }
    }
}

/// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay θ ← θ − ηλθ
/// applied before the Adam update; PyTorch's default λ = 0.01.
public final class AdamW: Adam {
    public override init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(decoupled: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
