import AssayEngine
import AssayLanguage
import AssayPlanner
import AssaySupport
import Foundation

/// Whether the stages of a checked experiment are in the store the CLI would use (`executor.store`,
/// else `.assay/` beside the file), with each stage's key and last metrics: the engine's dry run,
/// which reads the action cache and runs nothing.
struct StageCacheStatus {
    struct Entry {
        var cached: Bool
        var key: String?
        var metrics: [String: Double]
    }

    var store: String
    var entries: [String: Entry]

    /// Nil when the store does not exist yet (hovering must not create one) or cannot be read.
    static func look(up experiment: CheckedExperiment, root: String) -> StageCacheStatus? {
        let file = URL(fileURLWithPath: root)
        let storeURL: URL
        if let configured = experiment.executor["store"]?.stringValue {
            storeURL = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : file.deletingLastPathComponent().appendingPathComponent(configured)
        } else {
            storeURL = Store.defaultRoot(forExperimentAt: file)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: storeURL.appendingPathComponent("actions").path, isDirectory: &isDirectory), isDirectory.boolValue,
              let store = try? Store(root: storeURL) else { return nil }
        let planner = Planner(sources: SourceDigests(cacheFile: storeURL.appendingPathComponent("sources.json")))
        guard let plan = try? planner.lower(experiment),
              let result = try? Engine(store: store, operators: [:]).status(plan) else { return nil }
        var entries: [String: Entry] = [:]
        for report in result.stages {
            entries[report.stage] = Entry(cached: report.status == .hit, key: report.key?.hex, metrics: report.metrics)
        }
        return StageCacheStatus(store: storeURL.path, entries: entries)
    }
}
