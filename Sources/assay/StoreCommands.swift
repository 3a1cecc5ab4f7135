import ArgumentParser
import AssayEngine
import Foundation

/// `assay gc`: removes objects no recent run or pin references, and reports what it freed.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Free store space: keep what the last runs and pins reference.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Runs whose results are kept.")
    var keepRuns: Int = 10

    @Flag(help: "Also remove checkpoints of interrupted stages.")
    var checkpoints = false

    func run() throws {
        let handle = try store.open()
        let report = try Console.failing("cannot collect garbage") {
            try handle.collectGarbage(keepingRuns: keepRuns, history: handle.openHistoryReporting(), removeCheckpoints: checkpoints)
        }
        print("freed \(StoreStatistics.bytes(report.bytesFreed)) (\(report.objectsRemoved) objects, \(report.recordsRemoved) cache records); kept \(report.objectsKept) objects, \(StoreStatistics.bytes(report.bytesKept))")
    }
}

/// `assay export RUN... --output FILE`: a portable archive of runs' artifacts and cache records.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write runs' results to a portable archive (tar) for another machine.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "Run ids (or `last`).")
    var runs: [String]

    @Option(name: .shortAndLong, help: "The archive to write.")
    var output: String

    func run() throws {
        let handle = try store.open()
        let summary = try Console.failing("cannot export") {
            let history = try handle.openHistoryReporting()
            let ids = try runs.map { try history.resolveRunID($0) }
            return try handle.exportArchive(runs: ids, history: history, to: URL(fileURLWithPath: output))
        }
        print("wrote \(output): \(summary.records) cache records, \(summary.objects) objects, \(StoreStatistics.bytes(summary.bytes))")
    }
}

/// `assay import FILE`: adds an archive's results to the store; later runs find them as hits.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Add an exported archive's results to the store.")

    @Option(help: ArgumentHelp("The store folder (created if missing).", valueName: "dir"))
    var store: String = ".assay"

    @Argument(help: "The archive.")
    var archive: String

    func run() throws {
        let handle = try Console.failing("cannot open the store at \(store)") { try Store(root: URL(fileURLWithPath: store)) }
        let summary = try Console.failing("cannot import \(archive)") {
            try handle.importArchive(from: URL(fileURLWithPath: archive), history: try handle.openHistoryReporting())
        }
        print("imported \(summary.records) cache records and \(summary.objects) objects (\(summary.alreadyPresent) already present)")
    }
}
