import Foundation

/// Every error the engine reports, with the stage, path or key it concerns and how to fix it.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    case duplicateStage(String)
    case duplicateOutput(stage: String, output: String)
    case duplicateSlot(stage: String, slot: String)
    case unknownStage(stage: String, slot: String, reference: String)
    case unknownOutput(stage: String, slot: String, producer: String, output: String, available: [String])
    /// The stages of a cycle in data-flow order, first repeated at the end.
    case cycle([String])
    case unknownSelection(option: String, stage: String)
    case duplicatePoint(String)
    case onlyNeedsCachedInputs(stage: String, missing: [String])
    case unknownOperator(stage: String, operatorName: String)
    case missingOutput(stage: String, output: String, expectedAt: String)
    case corruptObject(digest: String, path: String)
    case missingObject(digest: String)
    case io(path: String, message: String)
    case malformedRecord(path: String, message: String)
    case sqlite(path: String, message: String)
    case unknownRun(String)
    case unknownStageInHistory(String)
    case unknownLineageReference(String)
    case ambiguousReference(String)
    case archive(path: String, message: String)
    case cancelled
    case stageFailed(stage: String, message: String)

    public var description: String {
        switch self {
        case .duplicateStage(let s):
            return "stage `\(s)` is declared twice; stage names must be unique in a plan"
        case .duplicateOutput(let s, let o):
            return "stage `\(s)` declares output `\(o)` twice"
        case .duplicateSlot(let s, let slot):
            return "stage `\(s)` binds input slot `\(slot)` twice"
        case .unknownStage(let s, let slot, let r):
            return "stage `\(s)` reads slot `\(slot)` from unknown stage `\(r)`; declare `\(r)` or fix the reference"
        case .unknownOutput(let s, let slot, let p, let o, let available):
            return "stage `\(s)` reads slot `\(slot)` from `\(p).\(o)`, but `\(p)` only has outputs \(available.map { "`\($0)`" }.joined(separator: ", "))"
        case .cycle(let stages):
            return "the stages form a cycle: \(stages.joined(separator: " → ")); remove one of these dependencies"
        case .duplicatePoint(let p):
            return "sweep point `\(p)` is given twice; point names must be unique"
        case .unknownSelection(let option, let s):
            return "\(option) names stage `\(s)`, which is not in the plan"
        case .onlyNeedsCachedInputs(let s, let missing):
            return "--only \(s) needs its inputs cached, but \(missing.map { "`\($0)`" }.joined(separator: ", ")) must run first; run without --only, or with --from"
        case .unknownOperator(let s, let op):
            return "stage `\(s)` uses operator `\(op)`, which this engine has no implementation for"
        case .missingOutput(let s, let o, let path):
            return "stage `\(s)` finished without writing its output `\(o)` (expected at \(path))"
        case .corruptObject(let d, let path):
            return "object \(d) at \(path) does not hash to its name; it was removed and will be rebuilt"
        case .missingObject(let d):
            return "object \(d) is not in the store"
        case .io(let path, let message):
            return "\(path): \(message)"
        case .malformedRecord(let path, let message):
            return "malformed store record \(path): \(message); delete it and rerun"
        case .sqlite(let path, let message):
            return "history database \(path): \(message)"
        case .unknownRun(let r):
            return "no run `\(r)` in the history; `assay log` lists the runs"
        case .unknownStageInHistory(let s):
            return "stage `\(s)` has no record in the history"
        case .unknownLineageReference(let r):
            return "`\(r)` is no artifact digest, stage key, run or stage recorded in this store; `assay log` lists runs, `assay show RUN` their stages"
        case .ambiguousReference(let r):
            return "`\(r)` is the prefix of several digests; give more hex digits"
        case .archive(let path, let message):
            return "archive \(path): \(message)"
        case .cancelled:
            return "cancelled"
        case .stageFailed(let s, let message):
            return "stage `\(s)` failed: \(message)"
        }
    }
}

extension EngineError: LocalizedError {
    public var errorDescription: String? { description }
}
