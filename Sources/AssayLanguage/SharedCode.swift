import AssaySupport

/// Code several stage kinds share whose changes change their results (an optimiser, a solver).
/// Every kind that uses it inherits its version, so bumping it reruns exactly those stages.
///
/// Version 1 is the baseline the operators' own versions already cover and adds nothing to a
/// stage (introducing this changed no key); from version 2 the checked parameters carry
/// `code: { NAME: VERSION }`, which enters the key.
public struct SharedCode: Hashable, Sendable {
    public var name: String
    public var version: Int
    public var doc: String

    public init(name: String, version: Int, doc: String) {
        self.name = name
        self.version = version
        self.doc = doc
    }

    /// AssayNN's SGD and Adam, learning-rate schedules and gradient clipping (training, attacks,
    /// synthetic feature visualisation).
    public static let optimizer = SharedCode(name: "optimizer", version: 1, doc: "AssayNN's optimisers, schedules and gradient clipping.")
    /// AssayTensor's 2-D convolution, which every stage running a network uses. 2: forward and
    /// input gradient on oneDNN (the same bytes on any thread count, other bytes than im2col + sgemm).
    /// 3: oneDNN on one OpenMP thread per fixed chunk of the batch; version 2 was also stored by a
    /// build running oneDNN's thread team over the whole batch, whose primitives may round otherwise.
    /// 4: weight gradients of 3×3-and-larger kernels on maps of 8×8 and up on oneDNN's
    /// backward-weights (per fixed chunk of the batch), which rounds otherwise than im2col + sgemm.
    public static let convolution = SharedCode(name: "convolution", version: 4, doc: "AssayTensor's 2-D convolution: forward, input gradient and most weight gradients on oneDNN.")
    /// AssayLearn's logistic regression solvers (L1, L2, group lasso) used by DFR and Head2Toe.
    public static let logisticSolver = SharedCode(name: "logistic-solver", version: 1, doc: "AssayLearn's L1/L2/group-lasso logistic solvers.")

    /// What a stage using `code` adds to its parameters: nil while every version is the baseline.
    public static func parameter(for code: [SharedCode]) -> CanonicalValue? {
        let bumped = code.filter { $0.version > 1 }
        guard !bumped.isEmpty else { return nil }
        return .map(Dictionary(uniqueKeysWithValues: bumped.map { ($0.name, CanonicalValue.int($0.version)) }))
    }
}
