import AssayLearn
import AssayNN
import AssaySupport

/// Natural-FV manipulations (push-down, push-up, fairwashing): a sum of activation hinges and
/// ranking margins, some re-mined from the student every `refreshEvery` steps.
/// Measures the new ranking of the split: top-k overlap with the old top-k, Kendall τ-b, the
/// unit's new top-1 relative to the old (alive if ≥ ½), and how many of `tracked` images
/// (decoys, concept images) sit in the top-k before and after.
struct RankingObjective: ManipulationObjective {
    var context: UnitContext
    var hinges: [ActivationHinge]
    /// Images of the split counted in the top-k (the decoy or concept set), with their name.
    var tracked: (name: String, indices: Set<Int>)?
    /// Hinges rebuilt from the student's current scores on the split every `refreshEvery` steps
    /// (hard-example mining: the images that currently threaten the goal).
    var mined: ((UnitRanking, SpecNetwork) throws -> [any ManipulationTerm])?
    var refreshEvery = 10
    private var current: [any ManipulationTerm] = []

    init(context: UnitContext, hinges: [ActivationHinge], tracked: (name: String, indices: Set<Int>)? = nil,
         mined: ((UnitRanking, SpecNetwork) throws -> [any ManipulationTerm])? = nil) {
        self.context = context
        self.hinges = hinges
        self.tracked = tracked
        self.mined = mined
    }

    mutating func prepare(step: Int, student: SpecNetwork, stage: String, cancelled: () throws -> Void) throws {
        guard let mined, step % refreshEvery == 0 else { return }
        let ranking = try UnitRanking.measure(student, unit: context.unit, dataset: context.over, stage: stage, cancelled: cancelled)
        current = try mined(ranking, student)
    }

    func loss(_ student: SpecNetwork, rng: inout SeededRandom, stage: String) throws -> Tensor {
        var total = Tensor(scalar: 0)
        for hinge in (hinges as [any ManipulationTerm]) + current {
            total = total + (try hinge.loss(student, unit: context.unit, inputs: context.inputs, scale: context.scale, rng: &rng, stage: stage))
        }
        return total
    }

    func measure(original: SpecNetwork, manipulated: SpecNetwork, stage: String, cancelled: () throws -> Void) throws -> [String: Double] {
        let after = try UnitRanking.measure(manipulated, unit: context.unit, dataset: context.over, stage: stage, cancelled: cancelled)
        let newTop = UnitRanking.top(after.scores, k: context.k)
        let oldTop1 = context.scores[context.order[0]], newTop1 = after.scores[newTop[0]]
        var metrics: [String: Double] = [
            "k": Double(context.k),
            "top-k-overlap": Double(Set(context.top).intersection(newTop).count),
            "kendall-tau": KendallTau.tauB(context.scores, after.scores),
            "top1-before": Double(oldTop1), "top1-after": Double(newTop1),
            "top1-ratio": Double(newTop1) / Double(oldTop1),
            "over-accuracy-before": context.original.accuracy(labels: context.over.labels),
            "over-accuracy-after": after.accuracy(labels: context.over.labels),
        ]
        if let tracked {
            metrics["\(tracked.name)-in-top-k-before"] = Double(context.top.filter(tracked.indices.contains).count)
            metrics["\(tracked.name)-in-top-k-after"] = Double(newTop.filter(tracked.indices.contains).count)
        }
        return metrics
    }
}
