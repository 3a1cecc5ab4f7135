import AssayNN

/// The `optimizer` parameter of the training stages: AssayNN's SGD (momentum, L2 weight decay)
/// or Adam (coupled L2), with PyTorch's update rules.
enum TrainingOptimizer: String, Decodable {
    case sgd, adam

    /// The optimiser over `parameters` with the stage's `lr`, `momentum` (SGD only) and `weight-decay`.
    func make(lr: Double, momentum: Double, weightDecay: Double, parameters: [Tensor]) -> Optimizer {
        switch self {
        case .sgd: return SGD(parameters, learningRate: Float(lr), momentum: Float(momentum), weightDecay: Float(weightDecay))
        case .adam: return Adam(parameters, learningRate: Float(lr), weightDecay: Float(weightDecay))
        }
    }
}
