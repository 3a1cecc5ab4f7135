import CBF16GEMM

/// The number format of the forward pass's matrix products.
///
/// `bf16` rounds both operands of every forward GEMM (convolutions, linear layers, matmul) to
/// bfloat16 and sums in float32: about twice the multiply rate of float32 on CPUs with
/// AVX512-BF16, for inference where 8 bits of mantissa are enough. Backward passes stay float32.
/// The result has the same bytes on every CPU (an exact emulation runs where the instructions are
/// missing, much slower) and for any worker count, as float32's does.
///
/// Scoped like the worker count: `withPrecision(.bf16) { … }` sets it for the calls inside (a
/// task-local value); ops read it once on entry, before handing chunks to workers.
public enum TensorPrecision: String, Sendable, CaseIterable, Codable {
    case fp32, bf16

    @TaskLocal private static var scoped: TensorPrecision?

    /// The innermost `withPrecision` scope's format, else `fp32`.
    public static var current: TensorPrecision { scoped ?? .fp32 }

    /// Runs `body` with forward products in `precision`.
    public static func withPrecision<R>(_ precision: TensorPrecision, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(precision, operation: body)
    }

    /// Whether this CPU runs bfloat16 products natively (else they are emulated, same bytes).
    public static var bf16IsNative: Bool { assay_bf16_native() != 0 }
}
