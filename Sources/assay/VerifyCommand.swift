import ArgumentParser
import AssayEngine
import AssaySupport
import Foundation

/// `assay verify [--store DIR] [--reexecute N|STAGE…]`: re-hashes every object, checks every
/// action record, repairs what it can and says what it did; exits 1 when it found damage.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store: re-hash every object, check every cache record, remove what is damaged.",
        discussion: """
            A corrupt object, a damaged or edited cache record, or a record whose objects are gone is \
            removed, so the next run recomputes it. With --reexecute, recorded stages are run again in a \
            scratch store and their outputs compared with the recorded ones (a determinism audit). \
            Exits 0 when nothing was damaged (and every re-executed stage matched), 1 otherwise.
            """)

    @OptionGroup var store: StoreOptions

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Re-run N recorded stages (a fixed sample), or the named stages, in a scratch store and compare their outputs.", valueName: "N|stage"))
    var reexecute: [String] = []

    @Option(help: "Threads per re-executed stage (default: the machine's cores; speed only: results do not depend on it).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let n = Int(reexecute.first ?? ""), reexecute.count == 1, n < 1 { throw ValidationError("--reexecute N: N must be at least 1") }
    }

    func run() throws {
        let handle = try store.open()
        let report = try Console.failing("cannot verify \(handle.root.path)") { try handle.verify() }
        // After the records: a rebuilt history takes its outputs and metrics from sound records only.
        let recovery = try Console.failing("cannot check the run history") { try handle.checkHistory() }
        for line in VerifyCommand.lines(report, store: handle, history: recovery) { print(line) }
        var damaged = report.damageFound || recovery != nil
        if !reexecute.isEmpty {
            damaged = try Reexecution.run(reexecute, store: handle, threads: threads) || damaged
        }
        if damaged { throw ExitCode(1) }
    }

    static func lines(_ report: StoreVerification, store: Store, history: HistoryRecovery?) -> [String] {
        var out: [String] = []
        let objects = "\(report.objectsChecked) object\(report.objectsChecked == 1 ? "" : "s") (\(StoreStatistics.bytes(report.bytesChecked))) re-hashed"
        if report.corruptObjects.isEmpty {
            out.append("\(objects): all intact")
        } else {
            out.append("\(objects): \(report.corruptObjects.count) corrupt, removed (the stages that made them run again):")
            for o in report.corruptObjects { out.append("  object \(o.digest.short)  \(o.path)") }
        }
        let records = "\(report.recordsChecked) cache record\(report.recordsChecked == 1 ? "" : "s") checked"
        if report.refusedRecords.isEmpty {
            out.append("\(records): all sound")
        } else {
            out.append("\(records): \(report.refusedRecords.count) refused and removed (their stages run again):")
            for r in report.refusedRecords {
                out.append("  \(r.stage.map { "`\($0)`" } ?? "unreadable record")  actions/\(r.file): \(r.problem)")
            }
        }
        if !report.unchecksummedRecords.isEmpty {
            let names = Set(report.unchecksummedRecords).sorted().map { "`\($0)`" }.joined(separator: ", ")
            out.append("\(report.unchecksummedRecords.count) record\(report.unchecksummedRecords.count == 1 ? " was" : "s were") written before records had checksums (kept; their recipe and objects check out): \(names)")
        }
        if !report.unreadable.isEmpty {
            out.append("\(report.unreadable.count) file\(report.unreadable.count == 1 ? "" : "s") could not be read (left as they are; check permissions and the disk):")
            for u in report.unreadable { out.append("  \(u.path): \(u.problem)") }
        }
        out.append(history.map { "history: \($0)" } ?? "history: sound")
        out.append(report.damageFound || history != nil
            ? (report.unreadable.isEmpty ? "damage found and repaired: the next `assay run` recomputes what was removed"
                                          : "problems found: what was damaged was removed (the next `assay run` recomputes it); what could not be read was left")
            : "store \(store.root.path) is sound")
        return out
    }
}
