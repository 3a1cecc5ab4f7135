import AssayEngine
import AssaySupport
import Foundation

/// How a stage ended inside a Slurm job, written by the job to a file beside
/// its output so the coordinator learns more than Slurm's exit state: whether
/// the stage executed or found another run's result, and why it failed.
/// Records themselves are not copied: they are in the shared store under
/// `key`.
public struct StageOutcomeReport: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case executed, foundCached, fetchedRemote, failed, cancelled, corruptInput
    }

    public var kind: Kind
    public var key: Digest
    public var message: String?
    /// For `corruptInput`: which input, and the object it expected.
    public var slot: String?
    public var digest: Digest?

    public init(kind: Kind, key: Digest, message: String? = nil, slot: String? = nil, digest: Digest? = nil) {
        self.kind = kind
        self.key = key
        self.message = message
        self.slot = slot
        self.digest = digest
    }

    public init(_ outcome: StageOutcome, key: Digest) {
        switch outcome {
        case .executed: self.init(kind: .executed, key: key)
        case .foundCached: self.init(kind: .foundCached, key: key)
        case .fetchedRemote: self.init(kind: .fetchedRemote, key: key)
        case .failed(let message): self.init(kind: .failed, key: key, message: message)
        case .cancelled: self.init(kind: .cancelled, key: key)
        case .corruptInput(let slot, let digest): self.init(kind: .corruptInput, key: key, slot: slot, digest: digest)
        }
    }

    /// The job's exit status: Slurm marks the job COMPLETED only when the
    /// stage produced its outputs, so `afterok` dependents start only then.
    public var exitStatus: Int32 {
        switch kind {
        case .executed, .foundCached, .fetchedRemote: return 0
        case .failed: return 1
        case .cancelled: return 2
        case .corruptInput: return 3
        }
    }

    /// The engine's outcome, reading the action record back from the store
    /// for stages that produced one.
    public func outcome(in store: Store) -> StageOutcome {
        switch kind {
        case .executed, .foundCached, .fetchedRemote:
            guard let record = try? store.actionRecord(for: key) else {
                return .failed("the Slurm job reported success but the store has no action record for key \(key.short)")
            }
            switch kind {
            case .executed: return .executed(record)
            case .fetchedRemote: return .fetchedRemote(record)
            default: return .foundCached(record)
            }
        case .failed:
            return .failed(message ?? "the stage failed")
        case .cancelled:
            return .cancelled
        case .corruptInput:
            guard let slot, let digest else { return .failed("the job reported a corrupt input without naming it") }
            return .corruptInput(slot: slot, digest: digest)
        }
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Nil when the file is missing (the job never got that far).
    public static func read(from path: String) throws -> StageOutcomeReport? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode(StageOutcomeReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
