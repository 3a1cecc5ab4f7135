#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning rate as a function of the step (or epoch) index, starting at 0.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// Step decay: η_t = η₀ · γ^⌊t / stepSize⌋ (PyTorch's StepLR).
public struct StepSchedule: LearningRateSchedule {
    public let base: Float, stepSize: Int, gamma: Float

    public init(base: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize must be positive, got \(stepSize)")
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Float {
        base * powf(gamma, Float(step / stepSize))
    }
}

/// Cosine annealing: η_t = η_min + (η₀ − η_min)(1 + cos(π·t/T))/2 for t ≤ T, then η_min
/// (PyTorch's CosineAnnealingLR without restarts), with optional linear warm-up.
public struct CosineSchedule: LearningRateSchedule {
    public let base: Float, minimum: Float, totalSteps: Int, warmupSteps: Int

    public init(base: Float, totalSteps: Int, minimum: Float = 0, warmupSteps: Int = 0) {
        precondition(totalSteps > 0, "CosineSchedule: totalSteps must be positive, got \(totalSteps)")
        self.base = base
        self.minimum = minimum
        self.totalSteps = totalSteps
        self.warmupSteps = warmupSteps
    }

    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
        let t = Float(min(step, totalSteps)) / Float(totalSteps)
        return minimum + (base - minimum) * (1 + cosf(Float.pi * t)) / 2
    }
}

/// A constant learning rate.
public struct ConstantSchedule: LearningRateSchedule {
    public let base: Float
    public init(_ base: Float) { self.base = base }
    public func learningRate(at step: Int) -> Float { base }
}
