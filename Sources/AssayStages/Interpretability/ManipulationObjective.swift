import AssayNN
import AssaySupport

/// The manipulation term L_manip of an attack, and how to measure its effect afterwards.
protocol ManipulationObjective {
    /// L_manip on images sampled for this step (in the student's autodiff graph).
    func loss(_ student: SpecNetwork, rng: inout SeededRandom, stage: String) throws -> Tensor
    /// Measures of the manipulation: original vs manipulated model.
    func measure(original: SpecNetwork, manipulated: SpecNetwork, stage: String, cancelled: () throws -> Void) throws -> [String: Double]
    /// Metadata the manipulated model artifact carries (e.g. a ProxPulse target).
    var modelMetadata: [String: String] { get }
    /// Called before step `step`: objectives that mine hard examples from the student's
    /// current state (every few steps) update themselves here.
    mutating func prepare(step: Int, student: SpecNetwork, stage: String, cancelled: () throws -> Void) throws
}

extension ManipulationObjective {
    var modelMetadata: [String: String] { [:] }
    mutating func prepare(step: Int, student: SpecNetwork, stage: String, cancelled: () throws -> Void) throws {}
}
