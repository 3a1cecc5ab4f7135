/// Finding NaN and ±∞ in blocks of values, cheaply enough to run on every gradient of every
/// training step.
///
/// The test is one branch-free vectorised pass: x·0 is ±0 for every finite x (however large) and
/// NaN for NaN and ±∞, so the sum of x·0 over a block is 0 exactly when every value is finite.
/// Only when it is not does ``firstNonFinite(_:)`` look for the culprit.
///
/// ```swift
/// if !FiniteValues.allFinite(gradient) { let i = FiniteValues.firstNonFinite(gradient)! … }
/// ```
public enum FiniteValues {
    /// Whether no value is NaN or infinite.
    public static func allFinite(_ values: [Float]) -> Bool {
        values.withUnsafeBufferPointer(allFinite)
    }

    public static func allFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = values.baseAddress else { return true }
        let lanes = 16, blocks = values.count / lanes
        var zeros = SIMD16<Float>(repeating: 0)
        let raw = UnsafeRawPointer(base)
        for b in 0..<blocks {
            zeros += raw.loadUnaligned(fromByteOffset: b * lanes * MemoryLayout<Float>.stride, as: SIMD16<Float>.self) * 0
        }
        var tail: Float = 0
        for i in (blocks * lanes)..<values.count { tail += values[i] * 0 }
        return zeros.sum() + tail == 0
    }

    /// The index of the first NaN or infinite value, nil when all are finite.
    public static func firstNonFinite(_ values: [Float]) -> Int? {
        values.firstIndex { !$0.isFinite }
    }

    /// How a non-finite value reads in messages: `nan`, `inf` or `-inf` (a finite value as Swift prints it).
    public static func text(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }
}
