import ArgumentParser
import AssayEngine
import AssaySupport
import Foundation

/// `assay plan FILE`: the stages in order with their keys, whether each is cached, and the
/// expected cost of what would run (from the history).
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show the stages an experiment lowers to, their keys, and which are cached.")

    @OptionGroup var experiment: ExperimentOptions

    func run() throws {
        let session = try experiment.load(reusingPlans: true)
        let engine = session.engine()
        let result = try Console.failing("cannot plan \(experiment.file)") { try engine.status(points: session.enginePoints, description: session.runDescription) }
        print(PlanText.render(result: result, engine: engine, session: session))
    }
}

/// `assay status [FILE]`: with a file, how many of its stages are cached; without, the store's state.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Summarise an experiment's cache state, or the store's contents and last runs.")

    @Argument(help: "An experiment file (optional).")
    var file: String?

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Override a parameter.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("The store folder.", valueName: "dir"))
    var store: String?

    func run() throws {
        if let file {
            var options = ExperimentOptions()
            options.file = file
            options.parameters = parameters
            options.store = store
            let session = try options.load(reusingPlans: true)
            let result = try Console.failing("cannot read the store") { try session.engine().status(points: session.enginePoints, description: session.runDescription) }
            let cached = result.stages.filter { $0.status == .hit }
            let pending = result.stages.filter { $0.status != .hit }
            print("\(file): \(cached.count) of \(result.stages.count) stages cached" + (session.points.count > 1 ? " over \(session.points.count) sweep points" : ""))
            if !pending.isEmpty {
                print("would run: " + pending.map(RunSummaryText.label).joined(separator: ", "))
            }
            return
        }
        var storeOptions = StoreOptions()
        if let store { storeOptions.store = store }
        let handle = try storeOptions.open()
        let history = try Console.failing("cannot read the history") { try handle.openHistoryReporting() }
        let runs = try Console.failing("cannot read the history") { try history.recentRuns(limit: 5) }
        let (objects, bytes) = StoreStatistics.objects(in: handle)
        print("store \(handle.root.path): \(objects) objects, \(StoreStatistics.bytes(bytes))")
        if runs.isEmpty { print("no runs recorded yet"); return }
        print("last runs:")
        for r in runs { print("  " + LogCommand.line(r)) }
    }
}

enum StoreStatistics {
    static func objects(in store: Store) -> (count: Int, bytes: Int64) {
        let objects = store.root.appendingPathComponent("objects")
        guard let e = FileManager.default.enumerator(at: objects, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return (0, 0) }
        var count = 0
        var bytes: Int64 = 0
        for case let url as URL in e {
            guard let v = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), v.isRegularFile == true else { continue }
            count += 1
            bytes += Int64(v.fileSize ?? 0)
        }
        return (count, bytes)
    }

    static func bytes(_ n: Int64) -> String { ByteCount.text(n) }
}
