import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
import AssaySupport
import Foundation

/// `attack`: manipulation fine-tuning of a copy of a trained model,
///
///   L(θ) = (1 − α) · L_preserve(θ; θ₀) + α · L_manip(θ),
///
/// with L_preserve on a mini-batch of clean data each step — distillation T²·KL(softmax(z₀/T) ‖
/// softmax(z/T)), KL(softmax(z₀) ‖ softmax(z)) to the frozen original θ₀, or cross-entropy on the
/// labels — and L_manip one of ``RankingObjective`` (push-down, push-up, fairwashing),
/// ``ProxPulseObjective`` or ``CircuitBreakerObjective``; Adam for `steps` steps. The original
/// artifact is untouched; the output `model` is the manipulated copy and `metrics` holds
/// accuracy before/after on the preserve data (up to 10,000 examples) and the objective's measures.
///
/// The ``Trainer`` takes the steps (behind the divergence guard) and every `checkpointEvery`
/// steps saves the student, Adam's state and the random generator (``TrainingCheckpoint``, as
/// `train` does), so an interrupted attack resumes there and ends with the same bytes. The block is a multiple of the objectives' re-mining period, so what they
/// re-mine at the resumed step is what an uninterrupted run re-mines there.
struct AttackOperator: ParameterizedOperator {
    /// Examples of the preserve data scored for accuracy before and after.
    static let accuracyExamples = 10_000
    /// Steps between checkpoints: a multiple of ``RankingObjective/refreshEvery`` and
    /// ``ProxPulseObjective/refreshEvery`` (10).
    static let checkpointEvery = 50

    func run(_ parameters: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let stage = node.id
        let p = parameters.attack
        guard let modelHandle = inputs["attack.model"] else { throw StageError(stage: stage, path: "attack.model", "the input `attack.model` was not provided") }
        let original = try ModelArtifact.read(from: modelHandle.url, stage: stage)
        original.freeze()
        let student = try ModelArtifact.read(from: modelHandle.url, stage: stage)
        let objectiveKind = p.objective.kind, preserveKind = p.preserve.kind
        let alpha = Float(p.alpha), steps = p.steps
        let batchSize = p.batchSize, seed = p.seed
        let preserveData = try readDataset(inputs, "attack.preserve.\(preserveKind).data", stage: stage)
        var manipulation = try makeObjective(p.objective, attack: p, node: node, inputs: inputs, original: original, context: context)

        let accuracyIndices = Array(0..<min(Self.accuracyExamples, preserveData.count))
        let accuracyBefore = try accuracy(original, preserveData, accuracyIndices, context: context)
        let preserveInputs = NetworkInputs(network: original, shape: preserveData.shape)
        let trainer = Trainer(kind: StageKind.attack.name, stage: stage, network: student, optimizer: Adam(student.trainableParameters, learningRate: Float(p.lr)),
                              schedule: nil, learningRatePath: "attack.lr", learningRate: p.lr, context: context)
        var rng = SeededRandom(seed: seed, stream: 0xA77)
        var lastPreserve: Float = 0, lastManip: Float = 0
        var startStep = 0
        if let checkpoint = try trainer.resume() {
            guard let state = checkpoint.random["attack"].flatMap(SeededRandom.init(state:)),
                  checkpoint.step % Self.checkpointEvery == 0, checkpoint.step <= steps else {
                throw StageError(stage: stage, "its checkpoint was not written by this version of `attack`",
                                 help: "remove the stage's checkpoint with `assay gc --checkpoints` to start over")
            }
            rng = state
            startStep = checkpoint.step
            lastPreserve = Float(checkpoint.extra["preserve-loss"] ?? "") ?? 0
            lastManip = Float(checkpoint.extra["manipulation-loss"] ?? "") ?? 0
            context.notice("resumed after step \(startStep)", fraction: Double(startStep) / Double(steps + 1))
        }
        for step in startStep..<steps {
            try context.checkCancelled()
            let picks = (0..<min(batchSize, preserveData.count)).map { _ in rng.nextInt(below: preserveData.count) }
            let x = preserveInputs.batch(preserveData, picks)
            student.zeroGrad()
            let logits = student(x)
            let preserveLoss: Tensor
            switch p.preserve {
            case .ce:
                preserveLoss = crossEntropy(logits, targets: picks.map { Int(preserveData.labels[$0]) })
            case .kl:
                let teacher = Autograd.withoutGradients { original(x).softmax() }
                preserveLoss = klDivergence(logProbabilities: logits.logSoftmax(), target: teacher)
            case .distill(let temperature):
                let teacher = Autograd.withoutGradients { original(x) }
                preserveLoss = distillationLoss(student: logits, teacher: teacher, temperature: Float(temperature))
            }
            try manipulation.prepare(step: step, student: student, stage: stage, cancelled: context.checkCancelled)
            let manipLoss = try manipulation.loss(student, rng: &rng, stage: stage)
            let loss = (1 - alpha) * preserveLoss + alpha * manipLoss
            try trainer.step(loss, epoch: nil, step: step + 1)
            lastPreserve = preserveLoss.item
            lastManip = manipLoss.item
            if (step + 1) % Self.checkpointEvery == 0, step + 1 < steps {
                try trainer.saveCheckpoint(epoch: 0, random: ["attack": rng.state],
                                           extra: ["preserve-loss": String(lastPreserve), "manipulation-loss": String(lastManip)])
            }
            context.report(fraction: Double(step + 1) / Double(steps + 1), message: "\(objectiveKind) attack", metrics: [
                "step": Double(step + 1), "total-steps": Double(steps), "loss": Double(loss.item),
                "preserve-loss": Double(lastPreserve), "manipulation-loss": Double(lastManip),
            ])
        }
        student.zeroGrad()
        context.report(fraction: Double(steps) / Double(steps + 1), message: "measuring the manipulation")
        var metrics = try manipulation.measure(original: original, manipulated: student, stage: stage, cancelled: context.checkCancelled)
        let accuracyAfter = try accuracy(student, preserveData, accuracyIndices, context: context)
        metrics["accuracy-before"] = accuracyBefore
        metrics["accuracy-after"] = accuracyAfter
        metrics["accuracy-delta"] = accuracyAfter - accuracyBefore
        metrics["preserve-loss"] = Double(lastPreserve)
        metrics["manipulation-loss"] = Double(lastManip)
        if let before = metrics["over-accuracy-before"], let after = metrics["over-accuracy-after"] { metrics["over-accuracy-delta"] = after - before }
        try ModelArtifact.write(student, to: context.output(named: "model"), metadata: manipulation.modelMetadata)
        try MetricsFile.write(metrics, extra: ["objective": .string(objectiveKind), "preserve": .string(preserveKind)], to: context.output(named: "metrics"))
        return StageResult(metrics: metrics)
    }

    private func accuracy(_ network: SpecNetwork, _ data: ImageDataset, _ indices: [Int], context: StageContext) throws -> Double {
        let inputs = NetworkInputs(network: network, shape: data.shape)
        var correct = 0
        try Autograd.withoutGradients {
            try inputs.forEachBatch(data, batchSize: 256, indices: indices) { x, members in
                try context.checkCancelled()
                for (predicted, i) in zip(argmaxRows(network(x)), members) where predicted == data.labels[i] { correct += 1 }
            }
        }
        return indices.isEmpty ? .nan : Double(correct) / Double(indices.count)
    }

    private func makeObjective(_ objective: Parameters.Objective, attack p: Parameters.Attack, node: PlanNode, inputs: [String: ArtifactHandle],
                               original: SpecNetwork, context: StageContext) throws -> ManipulationObjective {
        let stage = node.id
        let kind = objective.kind
        let slot = "attack.objective.\(kind)"
        let over = try readDataset(inputs, "\(slot).over", stage: stage)
        switch objective {
        case .circuit(let topM):
            // The circuit attack's unit is the head whose circuit it breaks.
            let head = p.unit
            let layers = try ChannelAttribution.layers(before: head, in: original.spec, requested: ["all"], stage: stage)
            guard !layers.isEmpty else {
                throw StageError(stage: stage, path: "attack.unit", "no conv layer lies before the head `\(head)`, so it has no circuit to break",
                                 help: "name a later unit, e.g. a neuron of the last linear layer")
            }
            let extractor = CircuitExtractor(head: head, layers: layers, topM: topM)
            return try CircuitBreakerObjective(extractor: extractor, over: over, samples: 256, original: original, stage: stage, cancelled: context.checkCancelled)
        case .ranking(let goal, let top):
            return try rankingObjective(goal, top: top, over: over, slot: slot, attack: p, node: node, inputs: inputs, original: original, context: context)
        }
    }

    /// A manipulation of the unit's natural top-`top` set over `over` (and, for ProxPulse, of its synthetic image).
    private func rankingObjective(_ goal: Parameters.RankingGoal, top: Int, over: ImageDataset, slot: String, attack p: Parameters.Attack, node: PlanNode,
                                  inputs: [String: ArtifactHandle], original: SpecNetwork, context: StageContext) throws -> ManipulationObjective {
        let stage = node.id
        let unit = p.unit
        let unitContext = try UnitContext(unit: unit, over: over, k: top, original: original, stage: stage, cancelled: context.checkCancelled)
        switch goal {
        case .pushDown:
            let top = unitContext.top
            return RankingObjective(context: unitContext, hinges: [unitContext.pushBelowThreshold(over, top), unitContext.keepAlive(excluding: Set(top))])
        case .pushUp:
            let decoy = try readDataset(inputs, "\(slot).decoy", stage: stage)
            let decoyInOver = indicesOfImages(in: over, matching: decoy)
            // The decoys the student already likes best (3k, re-mined as it changes) must outrank,
            // by 10% of s₁, the non-decoys it currently ranks highest (10k).
            let k = unitContext.k, s1 = unitContext.scale
            let mine: (UnitRanking, SpecNetwork) throws -> [any ManipulationTerm] = { ranking, student in
                let decoyScores = try UnitRanking.measure(student, unit: unit, dataset: decoy, stage: stage, cancelled: context.checkCancelled).scores
                let favourites = Array(UnitRanking.descendingOrder(decoyScores).prefix(3 * k))
                let rivals = Array(UnitRanking.descendingOrder(ranking.scores).lazy.filter { !decoyInOver.contains($0) }.prefix(10 * k))
                return [
                    RankingMargin(winners: (decoy, favourites), losers: (over, rivals), margin: 0.1 * s1),
                    // …without silencing the unit: favourites keep at least half the old top-1.
                    ActivationHinge(dataset: decoy, indices: favourites, bounds: favourites.map { _ in 0.5 * s1 }, side: .above, samplesPerStep: 16),
                ]
            }
            return RankingObjective(context: unitContext, hinges: [], tracked: ("decoy", decoyInOver), mined: mine)
        case .fairwashing:
            let concept = try readDataset(inputs, "\(slot).concept", stage: stage)
            let conceptInOver = indicesOfImages(in: over, matching: concept)
            // The concept images that currently reach the top ranks (score above the rank-10k
            // threshold), re-mined from the student as it changes; at least the k best of them.
            let k = unitContext.k, threshold = unitContext.threshold, unitToHide = unit
            let mine: (UnitRanking, SpecNetwork) throws -> [any ManipulationTerm] = { _, student in
                let scores = try UnitRanking.measure(student, unit: unitToHide, dataset: concept, stage: stage, cancelled: context.checkCancelled).scores
                let visible = UnitRanking.descendingOrder(scores).enumerated().filter { $0.offset < k || scores[$0.element] >= threshold }.map(\.element)
                return [unitContext.pushBelowThreshold(concept, visible)]
            }
            return RankingObjective(context: unitContext, hinges: [unitContext.keepAlive(excluding: conceptInOver)], tracked: ("concept", conceptInOver), mined: mine)
        case .proxpulse(let radius):
            // The target image is the file the checker declared and the planner hashed.
            let path = try node.file("\(slot).target")
            let target = try ProxPulseTarget.load(path, shape: over.shape, stage: stage)
            let top = unitContext.top
            let natural = RankingObjective(context: unitContext, hinges: [unitContext.pushBelowThreshold(over, top), unitContext.keepAlive(excluding: Set(top))])
            var settings = SyntheticSettings()
            settings.restarts = 2
            settings.seed = p.seed
            context.report(fraction: 0, message: "synthetic FV of the original model")
            let old = try SyntheticVisualizer(settings: settings).run(original, unit: unit, shape: over.shape, stage: stage) { _ in try context.checkCancelled() }
            return ProxPulseObjective(natural: natural, target: target, radius: Float(radius), oldSynthetic: old.images, settings: settings)
        }
    }
}
