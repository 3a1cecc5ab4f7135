import AssaySupport

/// The action key of a stage: what the action cache is indexed by.
///
/// key = SHA-256( "assay-key" ‖ scheme ‖ len(op) ‖ op ‖ version ‖ len(params) ‖ params ‖
///                 for each slot in order: len(slot) ‖ slot ‖ digest(input) )
///
/// Inputs enter by the *content digest* of the artifact, not by the producer's key, so a
/// producer that reruns and writes identical bytes leaves its dependents' keys unchanged
/// (early cutoff). Every field is length-prefixed so no two recipes share a byte string.
public enum StageKey {
    /// Bump when the key layout changes: every key then changes and everything reruns once.
    public static let scheme: UInt32 = 1

    public static func compute(
        operatorName: String, operatorVersion: Int, parameters: [UInt8], inputs: [(slot: String, digest: Digest)]
    ) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update("assay-key")
        append(UInt64(scheme), to: &hasher)
        appendString(operatorName, to: &hasher)
        append(UInt64(bitPattern: Int64(operatorVersion)), to: &hasher)
        append(UInt64(parameters.count), to: &hasher)
        hasher.update(parameters)
        append(UInt64(inputs.count), to: &hasher)
        for input in inputs {
            appendString(input.slot, to: &hasher)
            hasher.update(input.digest.bytes)
        }
        return hasher.finalize()
    }

    private static func append(_ value: UInt64, to hasher: inout SHA256Hasher) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { hasher.update(bytes: $0) }
    }

    private static func appendString(_ s: String, to hasher: inout SHA256Hasher) {
        append(UInt64(s.utf8.count), to: &hasher)
        hasher.update(s)
    }
}
