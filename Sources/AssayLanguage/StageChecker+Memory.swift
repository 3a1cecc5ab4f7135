import AssaySupport

/// Check-time bounds on what a stage will hold in memory, so that a size no machine can
/// allocate (`pool: { target: 99999999999 }`) is an error naming its field instead of an abort
/// in the middle of a run. Estimates are lower bounds: they count the big arrays only.
extension StageChecker {
    /// `a · b` and `a + b` that stop at `Int.max` instead of trapping.
    static func product(_ factors: Int...) -> Int {
        factors.reduce(1) { a, b in
            let (r, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? Int.max : r
        }
    }

    static func sum(_ terms: [Int]) -> Int {
        terms.reduce(0) { a, b in
            let (r, overflow) = a.addingReportingOverflow(b)
            return overflow ? Int.max : r
        }
    }

    /// Examples in the splits bound to `slots`; an unknown split size counts as one example.
    func exampleCount(_ context: StageBindings, slots: [String]) -> (count: Int, known: Bool) {
        var known = true
        let counts = slots.map { slot -> Int in
            guard let info = context.datasets[slot], let split = context.inputs[slot]?.output, let n = info.sizes[split] else { known = false; return 1 }
            return n
        }
        return (Self.sum(counts), known)
    }

    /// A `features` stage holds every split's pooled features as 4-byte floats, twice (as
    /// recorded, then normalised and assembled).
    func featuresMemory(_ spec: ModelSpec, layers: [LayerSpec], target: Int, context: StageBindings) -> (bytes: Int, perExample: Int, examples: Int, known: Bool) {
        let perExample = Self.sum(layers.map { PooledFeatureCount.count(shape: $0.outputShape, target: target) })
        let slots = context.datasets.keys.filter { $0.hasPrefix("data") }.sorted()
        let (examples, known) = exampleCount(context, slots: slots)
        return (Self.product(2, 4, perExample, examples), perExample, examples, known)
    }

    /// Training holds the weights, their gradients and two optimiser moments (4-byte floats) and
    /// every layer's output for a batch twice (forward and backward). The training images stay
    /// in the memory-mapped artifact and are read a batch at a time, so they do not count.
    func trainingMemory(_ spec: ModelSpec, batchSize: Int) -> Int {
        let activations = Self.sum(spec.flattenedLayers.map { TensorSpec(name: "", shape: $0.outputShape).elementCount })
        return Self.sum([Self.product(4, 4, spec.parameterCount), Self.product(2, 4, batchSize, activations)])
    }

    /// Reports `bytes` when they exceed the stage's declared memory or, without one, the machine's.
    func checkMemory(_ bytes: Int, stage: String, what: String, declared: Int?, at span: SourceSpan?, field: String, path: String, help: [String]) {
        let limit = declared ?? session.machine.memoryBytes
        guard bytes > limit else { return }
        let limitText = declared != nil ? "its `resources: { memory: \(MachineLimits.describe(bytes: limit)) }`"
                                        : "this machine's \(MachineLimits.describe(bytes: limit)) of memory"
        let needed = bytes == Int.max ? "more memory than can be counted" : "at least \(MachineLimits.describe(bytes: bytes))"
        error("exceeds-memory", "stage `\(stage)` needs \(needed) for \(what), more than \(limitText)", span,
              label: "from `\(field)`", help: help, path: path)
    }

    /// In training, batch norm needs more than one value per channel: a batch of one example
    /// through a batch norm over vectors (or 1×1 maps) cannot be normalised. Checked when the
    /// training split's size is known (the last batch holds `n mod batch-size` examples).
    func checkBatchNormBatches(_ spec: ModelSpec, batchSize: Int, context: StageBindings, at span: SourceSpan?, path: String) {
        guard let norm = spec.flattenedLayers.first(where: { $0.kind == .batchnorm && $0.outputShape.dropFirst().reduce(1, *) == 1 }) else { return }
        let (n, known) = exampleCount(context, slots: ["data"])
        guard known, n > 0 else { return }
        let last = n % batchSize == 0 ? min(n, batchSize) : n % batchSize
        guard last == 1 else { return }
        let candidates = Array(batchSize + 1...batchSize + 8) + Array(stride(from: batchSize - 1, through: 2, by: -1))
        let better = candidates.first { b in n % b != 1 } ?? batchSize + 1
        error("batch-too-small", "training on \(n) examples in batches of \(batchSize) leaves a batch of one example, which batch norm `\(spec.tapName(ofPath: norm.path))` (one value per channel) cannot normalise",
              span, label: "batch-size \(batchSize)", help: ["use a `batch-size:` that leaves at least two examples in every batch, e.g. \(better)"], path: path)
    }
}
