/// Switches for the autodiff recorder and the reverse sweep.
///
/// Recording is per thread: a stage evaluating without gradients on one thread
/// does not affect a stage training on another. (Ops parallelise internally;
/// their worker threads never build graphs.)
public enum Autograd {
    final class State { var recording = true }
    static let state = ThreadLocal { State() }

    static var recording: Bool {
        get { state.value.recording }
        set { state.value.recording = newValue }
    }

    /// Whether op results currently record their inputs for `backward()`.
    public static var isRecording: Bool { recording }

    /// Runs `body` with recording off: results carry no history and need no
    /// gradient memory (evaluation, feature extraction, optimiser updates).
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        let saved = recording
        recording = false
        defer { recording = saved }
        return try body()
    }
}

extension Tensor {
    /// Builds an op result; records `parents` and `rule` only when recording is
    /// on and some parent needs a gradient.
    static func result(_ data: [Float], shape: [Int], parents: [Tensor], backward rule: @escaping (Tensor) -> Void) -> Tensor {
        TensorThreads.ensureConfigured()
        let output = Tensor(data, shape: shape)
        if Autograd.recording && parents.contains(where: { $0.requiresGrad }) {
            output.requiresGrad = true
            output.parents = parents
            output.backwardRule = rule
        }
        return output
    }

    /// Adds a whole gradient array; the first contribution is adopted without a
    /// copy (most tensors receive exactly one). Later ones are added elementwise,
    /// large arrays on all workers (each element's sum is the same however they split).
    @inline(__always)
    func addGrad(_ g: [Float]) {
        guard requiresGrad else { return }
        if grad == nil {
            grad = g
            return
        }
        grad!.withUnsafeMutableBufferPointer { d in
            g.withUnsafeBufferPointer { s in
                TensorThreads.forEachSlice(of: s.count, minimumPerWorker: 1 << 16) { range in
                    for i in range { d[i] += s[i] }
                }
            }
        }
    }

    /// Adds into this tensor's gradient (allocating zeros first) when it needs one.
    @inline(__always)
    func accumulateGrad(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        guard requiresGrad else { return }
        if grad == nil { grad = [Float](repeating: 0, count: data.count) }
        grad!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    /// Reverse sweep from this tensor: every tensor it was computed from that
    /// requires a gradient receives d(self)/d(it) · seed, added to its `grad`.
    ///
    /// With no `seed`, self must be a scalar and the seed is 1. Gradients
    /// accumulate across calls (as in PyTorch); clear them with `zeroGrad()`.
    ///
    /// The sweep frees the graph as it goes (as PyTorch without `retain_graph`):
    /// once a node has passed its gradient on, it drops its inputs and rule, so an
    /// activation and its gradient are freed as soon as nothing else holds them.
    /// A tensor the caller still holds keeps its `grad` (recorded activations,
    /// attribution). The same graph cannot be swept twice; run the forward again.
    public func backward(seed: [Float]? = nil) {
        precondition(seed != nil || data.count == 1,
                     "Tensor.backward: called on shape \(shape) without a seed; reduce to a scalar first (e.g. .sum())")
        guard requiresGrad else { return }
        var order = topologicalOrder()
        let start = seed ?? [1]
        precondition(start.count == data.count, "Tensor.backward: seed has \(start.count) values, tensor has \(data.count)")
        addGrad(start)
        while let node = order.popLast() {
            if node.grad != nil { node.backwardRule?(node) }
            node.releaseGraph()
        }
    }

    /// Drops this result's inputs and backward rule (after the sweep used them).
    private func releaseGraph() {
        guard backwardRule != nil else { return }
        backwardRule = nil
        parents = []
        graphReleased = true
    }

    /// Gradients of this scalar with respect to `inputs` (zeros where it does
    /// not depend on one). The inputs must have required gradients when the
    /// scalar was computed. Their stored `grad` is left as it was before. Like `backward()`, it
    /// consumes the graph: compute the scalar again for another call.
    public func gradients(withRespectTo inputs: [Tensor]) -> [[Float]] {
        let saved = inputs.map { $0.grad }
        for input in inputs { input.grad = nil }
        backward()
        let result = inputs.map { $0.grad ?? [Float](repeating: 0, count: $0.count) }
        for (input, old) in zip(inputs, saved) { input.grad = old }
        return result
    }

    /// Nodes reachable from self that carry a backward rule, parents before children.
    /// Iterative depth-first search: deep networks must not overflow the stack.
    func topologicalOrder() -> [Tensor] {
        precondition(!graphReleased, "Tensor.backward: this graph was already swept and freed by backward(); run the forward pass again")
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while !stack.isEmpty {
            let (node, next) = stack[stack.count - 1]
            if next < node.parents.count {
                stack[stack.count - 1].1 = next + 1
                let parent = node.parents[next]
                precondition(!parent.graphReleased,
                             "Tensor.backward: an input was computed by a graph that backward() already swept and freed; run the forward pass again")
                if parent.requiresGrad && visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                stack.removeLast()
                order.append(node)
            }
        }
        return order
    }
}

/// The value of a scalar function and its gradients with respect to the given
/// tensors, in one call: `let (loss, grads) = valueAndGrad(params) { model(x).crossEntropy(y) }`.
public func valueAndGrad(_ wrt: [Tensor], _ function: () throws -> Tensor) rethrows -> (value: Float, gradients: [[Float]]) {
    let saved = wrt.map { $0.requiresGrad }
    for t in wrt { t.requiresGrad = true; t.grad = nil }
    defer { for (t, flag) in zip(wrt, saved) { t.requiresGrad = flag } }
    let value = try function()
    value.backward()
    return (value.item, wrt.map { $0.grad ?? [Float](repeating: 0, count: $0.count) })
}

extension Tensor {
    /// Defines a differentiable op outside this library: `values` (shape `shape`)
    /// computed from `inputs`, and a `backward` rule that reads `output.grad` and
    /// adds each input's share with `input.addToGrad(_:)`. Recorded only when
    /// gradients are on and some input needs one.
    ///
    /// ```swift
    /// // y = 2x
    /// let y = Tensor.custom(x.data.map { 2 * $0 }, shape: x.shape, inputs: [x]) { out in
    ///     x.addToGrad(out.grad!.map { 2 * $0 })
    /// }
    /// ```
    public static func custom(_ values: [Float], shape: [Int], inputs: [Tensor],
                              backward: @escaping (_ output: Tensor) -> Void) -> Tensor {
        result(values, shape: shape, parents: inputs, backward: backward)
    }

    /// Adds `gradient` (same element count) into `grad` when this tensor requires one.
    public func addToGrad(_ gradient: [Float]) {
        precondition(gradient.count == count, "addToGrad: \(gradient.count) values for a tensor of \(count)")
        addGrad(gradient)
    }
}
