import AssaySupport
import Foundation

/// The `metrics` output of a stage: a canonical JSON object with the scalar metrics under
/// `metrics` and anything structured (per-class tables, per-epoch curves) beside it.
/// Canonical bytes keep the artifact's digest stable across reruns.
public enum MetricsFile {
    public static func write(_ metrics: [String: Double], extra: [String: CanonicalValue] = [:], to url: URL) throws {
        var document = extra
        document["metrics"] = .map(metrics.mapValues { $0.isFinite ? .double($0) : .null })
        try Data(CanonicalValue.map(document).canonicalJSON).write(to: url)
    }

    public static func read(from url: URL) throws -> (metrics: [String: Double], document: CanonicalValue) {
        let document = try CanonicalValue(json: [UInt8](Data(contentsOf: url)))
        let metrics = (document["metrics"]?.mapValue ?? [:]).compactMapValues(\.doubleValue)
        return (metrics, document)
    }
}
