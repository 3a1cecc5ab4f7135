import AssayEngine
import AssayLanguage
import AssaySupport

/// What a command needs of a checked, lowered experiment, as the ``PlanCache`` keeps it: each
/// sweep point's plan, the experiment's name and executor settings, the run description's
/// parameters (the resolved experiment as canonical JSON) and the experiment file's digest.
public struct CachedPlan: Sendable {
    public struct Point: Sendable {
        public var label: String
        public var plan: Plan
    }

    public var points: [Point]
    public var name: String
    public var executor: CanonicalValue
    /// Canonical JSON of every point's resolved experiment, and its SHA-256.
    public var parametersJSON: String
    public var parametersDigest: Digest
    /// SHA-256 of the experiment file's bytes.
    public var experimentDigest: Digest

    public init(points: [Point], name: String, executor: CanonicalValue, parametersJSON: String, parametersDigest: Digest, experimentDigest: Digest) {
        self.points = points
        self.name = name
        self.executor = executor
        self.parametersJSON = parametersJSON
        self.parametersDigest = parametersDigest
        self.experimentDigest = experimentDigest
    }

    /// The points of a fresh check and lowering, in the same form.
    public init(planned: [PlannedPoint], experimentDigest: Digest) {
        let parameters: CanonicalValue = .map(Dictionary(uniqueKeysWithValues: planned.map { ($0.label, $0.experiment.canonical) }))
        let json = parameters.canonicalString
        self.init(
            points: planned.map { Point(label: $0.label, plan: $0.plan) }, name: planned.first?.experiment.name ?? "",
            executor: planned.first?.experiment.executor ?? .map([:]), parametersJSON: json, parametersDigest: Digest.of(json),
            experimentDigest: experimentDigest)
    }
}

extension CachedPlan {
    func encode(into w: inout PlanCacheWriter) {
        w.string(name)
        w.string(executor.canonicalString)
        w.digest(experimentDigest)
        w.blob(Array(parametersJSON.utf8))
        w.digest(parametersDigest)
        w.count(points.count)
        for point in points {
            w.string(point.label)
            w.count(point.plan.nodes.count)
            for node in point.plan.nodes {
                w.string(node.id)
                w.string(node.operatorName)
                w.int(Int64(node.operatorVersion))
                w.blob(node.parameters)
                w.count(node.inputs.count)
                for input in node.inputs {
                    w.string(input.slot)
                    w.string(input.node)
                    w.string(input.output)
                }
                w.count(node.outputs.count)
                for output in node.outputs { w.string(output) }
                for map in [node.resources, node.locals] {
                    w.count(map.count)
                    for (k, v) in map.sorted(by: { $0.key < $1.key }) {
                        w.string(k)
                        w.string(v)
                    }
                }
            }
        }
    }

    static func decode(from r: inout PlanCacheReader) throws -> CachedPlan {
        let name = try r.string()
        let executor = try CanonicalValue(json: try r.string())
        let experimentDigest = try r.digest()
        let parametersJSON = String(decoding: try r.blob(), as: UTF8.self)
        let parametersDigest = try r.digest()
        var points: [Point] = []
        for _ in 0..<(try r.count()) {
            let label = try r.string()
            let n = try r.count()
            var nodes: [PlanNode] = []
            nodes.reserveCapacity(n)
            for _ in 0..<n {
                let id = try r.string(), op = try r.string(), version = Int(try r.int()), parameters = try r.blob()
                var inputs: [PlanInput] = []
                for _ in 0..<(try r.count()) { inputs.append(PlanInput(slot: try r.string(), node: try r.string(), output: try r.string())) }
                var outputs: [String] = []
                for _ in 0..<(try r.count()) { outputs.append(try r.string()) }
                var maps: [[String: String]] = []
                for _ in 0..<2 {
                    let count = try r.count()
                    var map: [String: String] = [:]
                    map.reserveCapacity(count)
                    for _ in 0..<count { map[try r.string()] = try r.string() }
                    maps.append(map)
                }
                nodes.append(PlanNode(id: id, operatorName: op, operatorVersion: version, parameters: parameters, inputs: inputs, outputs: outputs,
                                      resources: maps[0], locals: maps[1]))
            }
            // A plan that no longer validates is a damaged entry, like any other inconsistency.
            guard let plan = try? Plan(nodes: nodes) else { throw PlanCacheReader.Damaged() }
            points.append(Point(label: label, plan: plan))
        }
        return CachedPlan(points: points, name: name, executor: executor, parametersJSON: parametersJSON, parametersDigest: parametersDigest,
                          experimentDigest: experimentDigest)
    }
}
