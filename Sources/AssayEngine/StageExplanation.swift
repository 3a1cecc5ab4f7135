import AssaySupport

/// Why a stage will (or will not) run: the answer to "why did this rerun?".
public struct StageExplanation: Sendable, Equatable {
    public var point: String
    public var stage: String
    /// The current key, when all inputs are available (nil if an upstream stage must run first).
    public var key: Digest?
    public var willRun: Bool
    /// Empty when the stage is cached.
    public var reasons: [RerunReason]
}

public enum RerunReason: Sendable, Equatable, CustomStringConvertible {
    /// No record of this stage in the history or the store.
    case neverRun
    case forced
    case operatorChanged(from: String, to: String)
    case operatorVersionChanged(from: Int, to: Int)
    /// Parameter data paths that changed since the last recorded run.
    case parametersChanged([ValueChange])
    /// An input artifact differs (`current` nil: its producer must run first, see `upstream`).
    case inputChanged(slot: String, previous: Digest?, current: Digest?, upstream: String)
    /// The recipe is identical but the cached result is gone (collected or deleted).
    case cachedResultMissing(key: Digest)
    /// The cached output was damaged; it was removed and will be rebuilt.
    case cachedObjectCorrupt(output: String, digest: Digest)

    public var description: String {
        switch self {
        case .neverRun: return "never run"
        case .forced: return "forced"
        case .operatorChanged(let a, let b): return "operator changed: \(a) → \(b)"
        case .operatorVersionChanged(let a, let b): return "operator version bumped: \(a) → \(b)"
        case .parametersChanged(let changes): return "parameters changed: " + changes.map(\.description).joined(separator: "; ")
        case .inputChanged(let slot, let previous, let current, let upstream):
            if let current {
                return "input `\(slot)` changed: \(previous?.short ?? "none") → \(current.short) (from `\(upstream)`)"
            }
            return "input `\(slot)` will change: upstream `\(upstream)` runs first"
        case .cachedResultMissing(let key): return "same recipe, but its cached result \(key.short) is missing (collected?)"
        case .cachedObjectCorrupt(let output, let digest): return "cached output `\(output)` (\(digest.short)) was corrupt"
        }
    }
}
