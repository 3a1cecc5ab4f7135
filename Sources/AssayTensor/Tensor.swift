/// A dense Float32 tensor in row-major (C) order, NCHW for images, that records
/// the operations made from it so gradients can flow back (reverse-mode autodiff).
///
/// A tensor is a reference type: the autodiff graph holds its inputs, and a
/// parameter is updated in place by an optimiser. Values live in `data`
/// (contiguous, `shape.reduce(1, *)` elements); after `backward()` the gradient
/// of the scalar with respect to this tensor is in `grad` (same layout), when
/// `requiresGrad` is set.
///
/// ```swift
/// var rng = SeededRandom(seed: 1)
/// let w = Tensor.normal([3, 2], std: 0.1, rng: &rng).requiringGrad()
/// let x = Tensor([1, 2], shape: [1, 2])
/// let loss = matmul(x, w.transposed()).square().sum()
/// loss.backward()   // w.grad now holds d loss / d w
/// ```
public final class Tensor {
    /// Extent of each axis; a scalar has shape `[]`.
    public let shape: [Int]
    /// The values, row-major.
    public var data: [Float]
    /// d(scalar)/d(self) after `backward()`, or nil when nothing has flowed here.
    public var grad: [Float]?
    /// Whether gradients are computed for this tensor. Leaves (parameters,
    /// inputs being optimised) set it explicitly; op results inherit it from
    /// their inputs unless gradients are switched off (`Autograd.withoutGradients`).
    public var requiresGrad: Bool
    /// A name for messages and graph dumps (e.g. the parameter path).
    public var label: String?

    /// Inputs this tensor was computed from (empty for leaves and in no-grad mode).
    var parents: [Tensor] = []
    /// Propagates `self.grad` to the parents' gradients. Receives the output
    /// itself so closures never capture their own result (no reference cycles).
    var backwardRule: ((Tensor) -> Void)?
    /// Set when `backward()` freed this result's graph (its inputs and rule).
    var graphReleased = false

    /// A tensor holding `data` with the given shape.
    ///
    /// - Precondition: `data.count == shape.reduce(1, *)`.
    public init(_ data: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(data.count == shape.reduce(1, *),
                     "Tensor: \(data.count) values do not fill shape \(shape) (\(shape.reduce(1, *)) elements)")
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
    }

    /// Number of elements.
    public var count: Int { data.count }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Row-major strides in elements.
    public var strides: [Int] { Tensor.strides(of: shape) }

    /// The single value of a one-element tensor (a loss, a metric).
    public var item: Float {
        precondition(data.count == 1, "Tensor.item: tensor of shape \(shape) has \(data.count) elements, expected 1")
        return data[0]
    }

    /// Whether this tensor was produced by a recorded operation.
    public var isLeaf: Bool { backwardRule == nil && !graphReleased }

    /// Marks this tensor as a leaf that gradients flow into; returns self for chaining.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        requiresGrad = flag
        return self
    }

    /// A copy of the values with no history and no gradient requirement.
    public func detached() -> Tensor { Tensor(data, shape: shape) }

    /// Clears the gradient (the optimiser calls this before each step).
    public func zeroGrad() { grad = nil }

    static func strides(of shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= shape[axis]
        }
        return result
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = data.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), data: [\(preview)\(data.count > 8 ? ", …" : "")])"
    }
}

/// An array of `count` Floats whose contents the caller overwrites entirely
/// (skips the zero fill of large op outputs).
@inline(__always)
func uninitializedFloats(_ count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { fill(buffer.baseAddress!) }
        initialized = count
    }
}
