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
            let n = p.count
            p.data.withUnsafeMutableBufferPointer { thetaBuffer in
                grad.withUnsafeBufferPointer { gradBuffer in
                    v.withUnsafeMutableBufferPointer { velocityBuffer in
                        let (theta, gradient) = (thetaBuffer.baseAddress!, gradBuffer.baseAddress!)
                        let velocity = velocityBuffer.baseAddress
                        // Elements are independent: slices and SIMD lanes compute each with the
                        // same operations in the same order as one scalar loop would.
                        TensorThreads.forEachSlice(of: n, minimumPerWorker: Optimizers.elementsPerWorker) { range in
                            forEachLanes(of: range) { j, lanes in
                                var g = load(gradient, j, lanes) + wd * load(theta, j, lanes)
                                if mu != 0, let velocity {
                                    // PyTorch starts the buffer at the first gradient.
                                    let m = first ? g : mu * load(velocity, j, lanes) + g
                                    store(m, velocity, j, lanes)
                                    g = nesterov ? g + mu * m : m
                                }
                                store(load(theta, j, lanes) - lr * g, theta, j, lanes)
                            }
                        }
                    }
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
            let n = p.count
            p.data.withUnsafeMutableBufferPointer { thetaBuffer in
                grad.withUnsafeBufferPointer { gradBuffer in
                    m.withUnsafeMutableBufferPointer { firstBuffer in
                        v.withUnsafeMutableBufferPointer { secondBuffer in
                            let (theta, gradient) = (thetaBuffer.baseAddress!, gradBuffer.baseAddress!)
                            let (first, second) = (firstBuffer.baseAddress!, secondBuffer.baseAddress!)
                            // Elements are independent: slices and SIMD lanes compute each with the
                            // same operations in the same order as one scalar loop would.
                            TensorThreads.forEachSlice(of: n, minimumPerWorker: Optimizers.elementsPerWorker) { range in
                                forEachLanes(of: range) { j, lanes in
                                    var g = load(gradient, j, lanes), t = load(theta, j, lanes)
                                    if dec { t -= lr * wd * t } else { g += wd * t }
                                    let mj = b1 * load(first, j, lanes) + (1 - b1) * g
                                    let vj = b2 * load(second, j, lanes) + (1 - b2) * g * g
                                    t -= lr * (mj / c1) / ((vj / c2).squareRoot() + eps)
                                    store(mj, first, j, lanes)
                                    store(vj, second, j, lanes)
                                    store(t, theta, j, lanes)
                                }
                            }
                        }
                    }
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

/// Shared pieces of the optimisers' elementwise updates.
enum Optimizers {
    /// Elements below which an update stays on one thread (a thread hand-off costs more).
    static let elementsPerWorker = 1 << 15
}

/// Runs `update(j, lanes)` over `range` in blocks of eight elements from j (the last
/// block may hold fewer `lanes`). Each lane computes exactly what a scalar loop
/// computes (IEEE operations per lane), so where a block or slice ends never
/// changes a value.
@inline(__always)
private func forEachLanes(of range: Range<Int>, _ update: (_ j: Int, _ lanes: Int) -> Void) {
    var j = range.lowerBound
    while j < range.upperBound {
        let lanes = min(8, range.upperBound - j)
        update(j, lanes)
        j += lanes
    }
}

/// Elements j..<j+lanes as a vector (zeros in the unused lanes).
@inline(__always)
private func load(_ p: UnsafeMutablePointer<Float>, _ j: Int, _ lanes: Int) -> SIMD8<Float> {
    load(UnsafePointer(p), j, lanes)
}

@inline(__always)
private func load(_ p: UnsafePointer<Float>, _ j: Int, _ lanes: Int) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self) }
    var v = SIMD8<Float>()
    for lane in 0..<lanes { v[lane] = p[j + lane] }
    return v
}

/// Writes the first `lanes` lanes of `v` to elements j..<j+lanes.
@inline(__always)
private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ j: Int, _ lanes: Int) {
    if lanes == 8 { return UnsafeMutableRawPointer(p + j).storeBytes(of: v, as: SIMD8<Float>.self) }
    for lane in 0..<lanes { p[j + lane] = v[lane] }
}
