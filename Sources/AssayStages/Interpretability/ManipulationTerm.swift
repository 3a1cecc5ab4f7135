import AssayNN
import AssaySupport

/// One term of L_manip evaluated on images sampled each step.
protocol ManipulationTerm {
    func loss(_ network: SpecNetwork, unit: NetworkUnit, inputs: NetworkInputs, scale: Float, rng: inout SeededRandom, stage: String) throws -> Tensor
}

/// ``ActivationHinge`` is the basic term.
extension ActivationHinge: ManipulationTerm {}
