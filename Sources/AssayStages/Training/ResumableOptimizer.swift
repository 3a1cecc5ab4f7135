import AssayNN
import AssayTensor
import Foundation

/// SGD (momentum, L2 weight decay) or Adam (coupled L2), with PyTorch's update rules, whose
/// whole state can be saved into a checkpoint and restored, so that training resumed after an
/// interruption continues bit for bit as if it had never stopped. (AssayNN's optimisers keep
/// their moments private, which would make a resumed run drift from an uninterrupted one.)
final class ResumableOptimizer {
    /// The `optimizer` parameter of the training stages.
    enum Kind: String, Decodable { case sgd, adam }

    let kind: Kind
    let parameters: [Tensor]
    var learningRate: Float
    let momentum: Float, weightDecay: Float
    let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// SGD velocity or Adam's first moment, per parameter (empty until the first step).
    private(set) var first: [[Float]]
    /// Adam's second moment.
    private(set) var second: [[Float]]
    private(set) var steps: Int = 0

    init(kind: Kind, parameters: [Tensor], learningRate: Float, momentum: Float, weightDecay: Float) {
        self.kind = kind
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        first = Array(repeating: [], count: parameters.count)
        second = Array(repeating: [], count: parameters.count)
    }

    func zeroGrad() { for p in parameters { p.grad = nil } }

    func step() {
        steps += 1
        let t = Float(steps)
        let c1 = 1 - powf(beta1, t), c2 = 1 - powf(beta2, t)
        for (i, p) in parameters.enumerated() where p.requiresGrad {
            guard let grad = p.grad else { continue }
            let (lr, wd, mu, b1, b2, eps) = (learningRate, weightDecay, momentum, beta1, beta2, epsilon)
            switch kind {
            case .sgd:
                let fresh = first[i].isEmpty
                if mu != 0 && fresh { first[i] = [Float](repeating: 0, count: p.count) }
                p.data.withUnsafeMutableBufferPointer { theta in
                    first[i].withUnsafeMutableBufferPointer { v in
                        for j in 0..<theta.count {
                            var g = grad[j] + wd * theta[j]
                            if mu != 0 {
                                v[j] = fresh ? g : mu * v[j] + g  // PyTorch starts the buffer at the first gradient
                                g = v[j]
                            }
                            theta[j] -= lr * g
                        }
                    }
                }
            case .adam:
                if first[i].isEmpty {
                    first[i] = [Float](repeating: 0, count: p.count)
                    second[i] = [Float](repeating: 0, count: p.count)
                }
                p.data.withUnsafeMutableBufferPointer { theta in
                    first[i].withUnsafeMutableBufferPointer { m in
                        second[i].withUnsafeMutableBufferPointer { v in
                            for j in 0..<theta.count {
                                let g = grad[j] + wd * theta[j]
                                m[j] = b1 * m[j] + (1 - b1) * g
                                v[j] = b2 * v[j] + (1 - b2) * g * g
                                theta[j] -= lr * (m[j] / c1) / ((v[j] / c2).squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The state as named tensors (for a safetensors checkpoint) and the step count.
    func state() -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for i in parameters.indices {
            if !first[i].isEmpty { tensors["optimizer.first.\(i)"] = Tensor(first[i], shape: [first[i].count]) }
            if !second[i].isEmpty { tensors["optimizer.second.\(i)"] = Tensor(second[i], shape: [second[i].count]) }
        }
        return tensors
    }

    func restore(from tensors: [String: Tensor], steps: Int) {
        self.steps = steps
        for i in parameters.indices {
            first[i] = tensors["optimizer.first.\(i)"]?.data ?? []
            second[i] = tensors["optimizer.second.\(i)"]?.data ?? []
        }
    }
}
