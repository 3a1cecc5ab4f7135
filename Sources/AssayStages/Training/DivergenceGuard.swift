import AssayNN
import AssayTensor
import Foundation

/// Stops `train`, `attack` and `segmentation-train` at the first step whose loss or gradient is
/// NaN or infinite, before the optimiser writes it into the weights, with an error naming the
/// stage, the epoch and step, and a lower learning rate to try. The stage then fails, so nothing
/// is published or recorded as complete (checkpoints of earlier epochs stay, as after Ctrl-C).
///
/// The ``Trainer`` calls ``check(loss:epoch:step:)`` after `backward()` and before the optimiser's step. Its cost
/// is one test of the loss and one vectorised pass over the gradients (``FiniteValues``), small
/// next to the backward pass that produced them.
struct DivergenceGuard {
    let stage: String
    /// The data path of the learning rate: `lr`, or `attack.lr`.
    let learningRatePath: String
    let learningRate: Double
    private let parameters: [(name: String, tensor: Tensor)]

    init(stage: String, learningRatePath: String = "lr", learningRate: Double, network: Module) {
        self.stage = stage
        self.learningRatePath = learningRatePath
        self.learningRate = learningRate
        parameters = network.namedParameters().filter { $0.tensor.requiresGrad }
    }

    /// - Parameters:
    ///   - epoch: 1-based, nil for stages without epochs (`attack`).
    ///   - step: 1-based, within the epoch when there is one.
    func check(loss: Tensor, epoch: Int?, step: Int) throws {
        let value = loss.item
        guard value.isFinite else { throw diverged("the loss is \(FiniteValues.text(value))", epoch: epoch, step: step) }
        for (name, tensor) in parameters {
            guard let gradient = tensor.grad, !FiniteValues.allFinite(gradient) else { continue }
            let index = FiniteValues.firstNonFinite(gradient) ?? 0
            throw diverged("the gradient of `\(name)` is \(FiniteValues.text(gradient[index])) (element \(index)) while the loss is \(value)",
                           epoch: epoch, step: step)
        }
    }

    private func diverged(_ what: String, epoch: Int?, step: Int) -> StageError {
        let position = epoch.map { "epoch \($0), step \(step)" } ?? "step \(step)"
        return StageError(
            stage: stage, path: learningRatePath, "training diverged at \(position): \(what); the stage stops here and records nothing",
            help: "lower `\(learningRatePath)` (it is \(Self.format(learningRate))), e.g. to \(Self.format(learningRate / 10)), and run again")
    }

    static func format(_ rate: Double) -> String { String(format: "%g", rate) }
}
