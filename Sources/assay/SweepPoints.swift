import AssayEngine
import AssaySupport
import Foundation

/// The points of a recorded run read back as parameter values, with the seed parameters set
/// apart: a parameter named `seed` or declared `role: seed` is aggregated over (mean ± sd),
/// never plotted against. Points that differ only in seeds share one `setting`.
struct SweepPoints {
    /// Parameter name → value, per point label (`seed=1,lr=0.1`).
    let values: [String: [(name: String, value: String)]]
    let seedNames: Set<String>

    init(_ details: RunDetails) {
        var values: [String: [(name: String, value: String)]] = [:]
        for point in details.summary.points {
            values[point] = point.split(separator: ",").compactMap { pair in
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return kv.count == 2 ? (kv[0], kv[1]) : nil
            }
        }
        self.values = values
        var seeds: Set<String> = ["seed"]
        // `role: seed` declarations travel in the resolved experiment of each point.
        if let document = try? CanonicalValue(json: details.parametersJSON) {
            for (_, experiment) in document.mapValue ?? [:] {
                for name in experiment["seed-parameters"]?.listValue ?? [] { if let n = name.stringValue { seeds.insert(n) } }
            }
        }
        seedNames = seeds
    }

    /// The swept parameters that are not seeds, in the order the labels give them.
    var parameterNames: [String] {
        var names: [String] = []
        for point in values.keys.sorted() { for (n, _) in values[point]! where !seedNames.contains(n) && !names.contains(n) { names.append(n) } }
        return names
    }

    /// The swept seed parameters present in this run.
    var sweptSeeds: [String] {
        Set(values.values.flatMap { $0.map(\.name) }).intersection(seedNames).sorted()
    }

    /// A point's label without its seed values: the points of one setting aggregate together.
    func setting(of point: String) -> String {
        (values[point] ?? []).filter { !seedNames.contains($0.name) }.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
    }

    /// Point labels grouped by setting, settings in first-seen order.
    func settings(of points: [String]) -> [(setting: String, points: [String])] {
        var out: [(setting: String, points: [String])] = []
        for p in points {
            let s = setting(of: p)
            if let i = out.firstIndex(where: { $0.setting == s }) { out[i].points.append(p) } else { out.append((s, [p])) }
        }
        return out
    }
}
