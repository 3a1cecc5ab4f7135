/// A validated DAG of stages: every input names an existing stage and output, names are unique,
/// and there is no cycle. `order` lists the node indices topologically (ties keep plan order).
public struct Plan: Sendable {
    public let nodes: [PlanNode]
    /// Node indices in a topological order.
    public let order: [Int]
    public let indexByID: [String: Int]
    /// For each node, the indices of the nodes that consume one of its outputs.
    public let dependents: [[Int]]

    public init(nodes: [PlanNode]) throws {
        var index: [String: Int] = [:]
        index.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            if index[node.id] != nil { throw EngineError.duplicateStage(node.id) }
            index[node.id] = i
            if let output = Plan.firstRepeated(node.outputs) { throw EngineError.duplicateOutput(stage: node.id, output: output) }
            if let slot = Plan.firstRepeated(node.inputs.map(\.slot)) { throw EngineError.duplicateSlot(stage: node.id, slot: slot) }
        }
        var dependents = [[Int]](repeating: [], count: nodes.count)
        var missing = [Int](repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            // Few inputs (the usual stage) are compared pairwise; many (an aggregate) use a set.
            var producers: [Int] = []
            var producerSet: Set<Int>? = node.inputs.count > 16 ? [] : nil
            for input in node.inputs {
                guard let p = index[input.node] else {
                    throw EngineError.unknownStage(stage: node.id, slot: input.slot, reference: input.node)
                }
                guard nodes[p].outputs.contains(input.output) else {
                    throw EngineError.unknownOutput(
                        stage: node.id, slot: input.slot, producer: input.node, output: input.output,
                        available: nodes[p].outputs)
                }
                let isNew = producerSet != nil ? producerSet!.insert(p).inserted : !producers.contains(p)
                if isNew {
                    producers.append(p)
                    dependents[p].append(i)
                    missing[i] += 1
                }
            }
        }
        // Kahn's algorithm, taking ready nodes in plan order so the order is stable.
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var ready = (0..<nodes.count).filter { missing[$0] == 0 }.reversed() as [Int]
        while let i = ready.popLast() {
            order.append(i)
            var released: [Int] = []
            for d in dependents[i] {
                missing[d] -= 1
                if missing[d] == 0 { released.append(d) }
            }
            ready.append(contentsOf: released.reversed())
        }
        if order.count < nodes.count {
            throw EngineError.cycle(Plan.findCycle(nodes: nodes, index: index, stuck: missing))
        }
        self.nodes = nodes
        self.order = order
        self.indexByID = index
        self.dependents = dependents
    }

    public subscript(id: String) -> PlanNode? { indexByID[id].map { nodes[$0] } }

    /// The indices of `roots` and everything downstream of them.
    public func downstream(of roots: [Int]) -> Set<Int> {
        var seen = Set<Int>()
        var stack = roots
        while let i = stack.popLast() {
            if seen.insert(i).inserted { stack.append(contentsOf: dependents[i]) }
        }
        return seen
    }

    /// The indices of `roots` and everything they (transitively) read.
    public func upstream(of roots: [Int]) -> Set<Int> {
        var seen = Set<Int>()
        var stack = roots
        while let i = stack.popLast() {
            if seen.insert(i).inserted {
                stack.append(contentsOf: nodes[i].inputs.compactMap { indexByID[$0.node] })
            }
        }
        return seen
    }

    /// Walks producer edges among the nodes Kahn's algorithm could not release until one repeats.
    /// The first name that appears twice. A stage has a handful of inputs and outputs: comparing
    /// pairs costs less than a hash set per stage, which a 10,001-stage plan built on every command.
    private static func firstRepeated(_ names: [String]) -> String? {
        if names.count > 16 {
            var seen = Set<String>()
            return names.first { !seen.insert($0).inserted }
        }
        for i in names.indices where names[..<i].contains(names[i]) { return names[i] }
        return nil
    }

    private static func findCycle(nodes: [PlanNode], index: [String: Int], stuck: [Int]) -> [String] {
        guard let start = stuck.firstIndex(where: { $0 > 0 }) else { return [] }
        var path: [Int] = []
        var position: [Int: Int] = [:]
        var current = start
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            // Follow an input whose producer is itself stuck: it must lie on or lead to a cycle.
            guard let next = nodes[current].inputs.lazy.compactMap({ index[$0.node] }).first(where: { stuck[$0] > 0 })
            else { break }
            current = next
        }
        guard let first = position[current] else { return path.map { nodes[$0].id } }
        // The walk followed consumer → producer edges; report the cycle in data-flow order.
        let cycle = path[first...].map { nodes[$0].id }.reversed()
        return Array(cycle) + [cycle.first!]
    }
}
