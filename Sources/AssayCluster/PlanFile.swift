import AssayEngine
import AssaySupport
import Foundation

/// A plan handed to Slurm jobs through the shared store: its nodes as JSON,
/// written once under `<store>/cluster/plans/<digest>.json` (the digest of
/// those bytes), so every job of a run and every run of the same plan read
/// the same file and nothing is ever overwritten.
public enum PlanFile {
    /// Writes the plan (unless that file exists) and returns its path.
    public static func write(_ plan: Plan, into store: Store) throws -> String {
        let bytes = try encode(plan)
        let directory = store.root.appendingPathComponent("cluster").appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(Digest.of(bytes).hex + ".json")
        if !FileManager.default.fileExists(atPath: url.path) {
            try bytes.write(to: url, options: .atomic)
        }
        return url.path
    }

    public static func read(from path: String) throws -> Plan {
        let nodes = try JSONDecoder().decode([PlanNode].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return try Plan(nodes: nodes)
    }

    static func encode(_ plan: Plan) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(plan.nodes)
    }
}
