import AssayData
import AssayEngine
import AssayLanguage
import AssayNN
@testable import AssayStages
import AssaySupport
import XCTest

/// The plan of `experiments/fv-attacks.yaml` written out node by node (a fixture stage stands in
/// for loading and training): the five attacks on one unit of a trained model, visualisations
/// before and after, circuits before and after, and the comparisons.
struct AttackSuite {
    var network: SpecNetwork
    var train: ImageDataset
    var test: ImageDataset
    var unit: NetworkUnit
    var head: NetworkUnit
    var concept: ImageDataset
    var decoy: ImageDataset
    var target: URL
    var steps = 800
    var lr = 2e-3
    var alpha = 0.5
    var batchSize = 32
    var syntheticSteps = 64
    /// ProxPulse reshapes a whole activation landscape: it may get more steps and a larger step.
    var pulseSteps: Int?
    var pulseLR: Double?
    /// The unit ProxPulse attacks (default `unit`): one whose receptive field covers the whole
    /// input, so that its synthetic FV can take the target's layout.
    var pulseUnit: NetworkUnit?

    /// The conv unit with the highest top-1 activation over `test`; its top-1 image's class is the
    /// concept to hide and the best-liked other class is the decoy.
    static func choose(_ network: SpecNetwork, layer: String, channels: Int, test: ImageDataset) throws -> (unit: NetworkUnit, concept: Int32, decoy: Int32) {
        let units = (0..<channels).map { NetworkUnit(layer: layer, channel: $0) }
        let rankings = try units.map { try UnitRanking.measure(network, unit: $0, dataset: test, stage: "t", cancelled: {}) }
        let best = (0..<channels).max { rankings[$0].scores.max()! < rankings[$1].scores.max()! }!
        let scores = rankings[best].scores
        let conceptClass = test.labels[UnitRanking.top(scores, k: 1)[0]]
        let classMeans = (0..<10).map { c in zip(scores, test.labels).filter { $0.1 == c }.map(\.0).reduce(0, +) / Float(max(1, test.labels.filter { $0 == c }.count)) }
        // The decoy: the best-liked class after the concept's (close enough for a tiny model to swap).
        let decoyClass = Int32((0..<10).sorted { classMeans[$0] > classMeans[$1] }.first { Int32($0) != conceptClass }!)
        return (units[best], conceptClass, decoyClass)
    }

    /// The neuron of a vector layer with the highest top-1 activation over `test` (one pass).
    static func chooseNeuron(_ network: SpecNetwork, layer: String, test: ImageDataset) throws -> NetworkUnit {
        let inputs = NetworkInputs(network: network, shape: test.shape)
        var best: [Float] = []
        try Autograd.withoutGradients {
            try inputs.forEachBatch(test, batchSize: 256) { x, _ in
                let (_, recorded) = try recordedForward(network, x, paths: [layer], stage: "t")
                let a = try XCTUnwrap(recorded[layer])
                let width = a.shape[1]
                if best.isEmpty { best = [Float](repeating: -.infinity, count: width) }
                for n in 0..<a.shape[0] { for c in 0..<width { best[c] = max(best[c], a.data[n * width + c]) } }
            }
        }
        return NetworkUnit(layer: layer, channel: best.indices.max { best[$0] < best[$1] }!)
    }

    static func checkerboard(at url: URL) throws {
        let pixels = (0..<784).map { i -> UInt8 in ((i / 28) / 7 + (i % 28) / 7) % 2 == 0 ? 255 : 0 }
        try PNGCodec.write(RasterImage(planar: pixels, shape: SampleShape(channels: 1, height: 28, width: 28)), to: url)
    }

    /// The operator's version in the registry (so the plan's keys are the checker's).
    static func version(_ name: String) -> Int { OperatorRegistry.standard.signature(name)?.version ?? 1 }

    func json(_ value: CanonicalValue) -> [UInt8] { value.canonicalJSON }

    var unitValue: CanonicalValue { Self.value(unit) }

    static func value(_ unit: NetworkUnit) -> CanonicalValue { .map(["layer": .string(unit.layer), "channel": .int(unit.channel)]) }

    func attackNode(_ id: String, objective: String, body: [String: CanonicalValue], extraInputs: [String: String] = [:], preserve: String = "distill",
                    steps: Int? = nil, lr: Double? = nil, unit: NetworkUnit? = nil) -> PlanNode {
        let attack: CanonicalValue = .map([
            "model": .null, "unit": Self.value(unit ?? self.unit),
            "objective": .map([objective: .map(body.merging(["over": .null]) { a, _ in a })]),
            "preserve": .map([preserve: .map(["data": .null, "temperature": .double(1)])]),
            "alpha": .double(alpha), "steps": .int(steps ?? self.steps), "lr": .double(lr ?? self.lr), "batch-size": .int(batchSize), "seed": .int(0),
        ])
        var inputs = [
            PlanInput(slot: "attack.model", node: "fixture", output: "model"),
            PlanInput(slot: "attack.objective.\(objective).over", node: "fixture", output: "test"),
            PlanInput(slot: "attack.preserve.\(preserve).data", node: "fixture", output: "train"),
        ]
        for (slot, output) in extraInputs { inputs.append(PlanInput(slot: "attack.objective.\(objective).\(slot)", node: "fixture", output: output)) }
        // The planner records where each file the checker declared lies; the operator reads it from there.
        let locals = body["target"]?.stringValue.map { ["path:attack.objective.\(objective).target": $0] } ?? [:]
        return PlanNode(id: id, operatorName: "attack", operatorVersion: Self.version("attack"), parameters: json(.map(["attack": attack])), inputs: inputs,
                        outputs: ["metrics", "model"], locals: locals)
    }

    func visualize(_ id: String, model: String, unit: NetworkUnit? = nil) -> PlanNode {
        PlanNode(id: id, operatorName: "visualize", operatorVersion: Self.version("visualize"), parameters: json(.map([
            "unit": Self.value(unit ?? self.unit), "natural": .map(["top": .int(9), "over": .null]),
            "synthetic": .map(["steps": .int(syntheticSteps), "restarts": .int(2), "parameterization": .string("fourier"), "lr": .double(0.05),
                               "l2": .double(1e-4), "tv": .double(1e-3), "jitter": .int(2), "seed": .int(0),
                               "blur": .double(0), "scale": .double(0.05), "rotation": .double(5)]),
        ])), inputs: [PlanInput(slot: "model", node: model, output: "model"), PlanInput(slot: "natural.over", node: "fixture", output: "test")],
        outputs: ["natural.png", "synthetic.png", "visualization"])
    }

    func circuit(_ id: String, model: String) -> PlanNode {
        PlanNode(id: id, operatorName: "circuit", operatorVersion: Self.version("circuit"), parameters: json(.map([
            "head": .map(["layer": .string(head.layer), "channel": .int(head.channel)]), "top-m": .int(3), "layers": .list([.string("all")]),
            "attribution": .string("activation-x-gradient"), "samples": .int(256), "data": .null,
        ])), inputs: [PlanInput(slot: "model", node: model, output: "model"), PlanInput(slot: "data", node: "fixture", output: "test")], outputs: ["circuit"])
    }

    func compare(_ id: String, before: String, after: String) -> PlanNode {
        PlanNode(id: id, operatorName: "compare", operatorVersion: Self.version("compare"),
                 parameters: json(.map(["metrics": .list(["kendall-tau", "top-k-overlap", "synthetic-distance", "class-change"].map { .string($0) })])),
                 inputs: [PlanInput(slot: "before", node: before, output: "visualization"), PlanInput(slot: "after", node: after, output: "visualization")],
                 outputs: ["before-after.png", "metrics"])
    }

    var nodes: [PlanNode] {
        [
            PlanNode(id: "fixture", operatorName: "fixture", parametersJSON: "{}", outputs: ["concept", "decoy", "model", "test", "train"]),
            attackNode("hidden", objective: "push-down", body: ["top": .int(9)]),
            attackNode("decoyed", objective: "push-up", body: ["top": .int(9), "decoy": .null], extraInputs: ["decoy": "decoy"], preserve: "kl"),
            attackNode("washed", objective: "fairwashing", body: ["top": .int(9), "concept": .null], extraInputs: ["concept": "concept"], preserve: "ce"),
            attackNode("pulsed", objective: "proxpulse", body: ["top": .int(9), "target": .string(target.path), "radius": .double(0.1)],
                       steps: pulseSteps, lr: pulseLR, unit: pulseUnit),
            attackNode("broken", objective: "circuit", body: ["top-m": .int(3)], unit: head),
            visualize("before", model: "fixture"), visualize("after", model: "hidden"),
            visualize("pulse-before", model: "fixture", unit: pulseUnit), visualize("pulsed-view", model: "pulsed", unit: pulseUnit),
            compare("effect", before: "before", after: "after"), compare("pulse-effect", before: "pulse-before", after: "pulsed-view"),
            circuit("circuit-before", model: "fixture"), circuit("circuit-after", model: "broken"),
            PlanNode(id: "circuit-effect", operatorName: "compare-circuits", operatorVersion: Self.version("compare-circuits"), parametersJSON: "{}",
                     inputs: [PlanInput(slot: "before", node: "circuit-before", output: "circuit"), PlanInput(slot: "after", node: "circuit-after", output: "circuit")],
                     outputs: ["metrics"]),
        ]
    }

    /// Runs the plan (or only the stages `only`, with what they need) in a store under `directory`.
    func run(in directory: URL, only: Set<String>? = nil, observer: @escaping @Sendable (EngineEvent) -> Void = { _ in }) throws -> (RunResult, Engine) {
        let engine = try engine(in: directory)
        let chosen = only.map { wanted in nodes.filter { wanted.contains($0.id) } } ?? nodes
        return (try engine.run(try Plan(nodes: chosen), options: RunOptions(threadsPerStage: 2), observer: observer), engine)
    }

    /// An engine on the store under `directory` whose `fixture` operator writes this suite's data and model.
    func engine(in directory: URL) throws -> Engine {
        var operators = OperatorCatalog.standard
        let (train, test, concept, decoy, network) = (train, test, concept, decoy, network)
        operators["fixture"] = ClosureOperator { _, _, context in
            try DatasetArtifact.write(train, to: context.output(named: "train"))
            try DatasetArtifact.write(test, to: context.output(named: "test"))
            try DatasetArtifact.write(concept, to: context.output(named: "concept"))
            try DatasetArtifact.write(decoy, to: context.output(named: "decoy"))
            try ModelArtifact.write(network, to: context.output(named: "model"))
            return StageResult()
        }
        return Engine(store: try Store(root: directory.appendingPathComponent("store")), operators: operators)
    }
}
