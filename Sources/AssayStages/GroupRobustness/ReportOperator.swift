import AssayEngine
import AssaySupport
import Foundation

/// `report`: one row per compared stage (method) with the chosen metric columns and, when the
/// stages scored groups, each group's accuracy. Written as JSON (`assay.report/1`) and as a
/// plain-text table in the stage's tables (`table`).
struct ReportOperator: ParameterizedOperator {
    struct Row: Equatable {
        var method: String
        var values: [String: Double]
        var groups: [(name: String, accuracy: Double)]

        static func == (a: Row, b: Row) -> Bool { a.method == b.method && a.values == b.values && a.groups.map(\.name) == b.groups.map(\.name) }
    }

    /// `compare` is the inputs.
    struct Parameters: Decodable {
        var metrics: [String]
    }

    func run(_ p: Parameters, node: PlanNode, inputs: [String: ArtifactHandle], context: StageContext) throws -> StageResult {
        let columns = p.metrics
        let compared = node.inputs.filter { $0.slot.hasPrefix("compare.") }.sorted { Int($0.slot.dropFirst(8)) ?? 0 < Int($1.slot.dropFirst(8)) ?? 0 }
        var rows: [Row] = []
        for input in compared {
            guard let handle = inputs[input.slot] else { continue }
            rows.append(try Self.row(method: input.node, data: try handle.read(), stage: node.id))
        }
        let groupNames = rows.flatMap { $0.groups.map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var json: [CanonicalValue] = []
        for row in rows {
            var values: [String: CanonicalValue] = [:]
            for c in columns where c != "group-accuracy" { values[c] = row.values[c].map { .double($0) } ?? .null }
            var entry: [String: CanonicalValue] = ["method": .string(row.method), "metrics": .map(values)]
            entry["group-accuracy"] = .map(Dictionary(uniqueKeysWithValues: row.groups.map { ($0.name, CanonicalValue.double($0.accuracy)) }))
            json.append(.map(entry))
        }
        let document = CanonicalValue.map(["format": "assay.report/1", "columns": .list(columns.map { .string($0) }), "rows": .list(json)])
        try Data(document.canonicalJSON).write(to: context.output(named: "report"))
        let text = Self.table(rows: rows, columns: columns.filter { $0 != "group-accuracy" }, groupNames: groupNames)
        var metrics: [String: Double] = [:]
        for row in rows { for c in columns { if let v = row.values[c] { metrics["\(row.method).\(c)"] = v } } }
        return StageResult(metrics: metrics, tables: ["report": document.canonicalJSON, "table": Array(text.utf8)])
    }

    /// A row from a metrics artifact: `assay.metrics/1` documents give every metric and group;
    /// other JSON gives its numeric top-level fields (for a list, those of its last element).
    static func row(method: String, data: Data, stage: String) throws -> Row {
        if let m = try? JSONDecoder().decode(ClassificationMetrics.self, from: data) {
            var values = m.stageMetrics
            values["group-accuracy"] = nil
            return Row(method: method, values: values, groups: m.groups.map { ($0.name, $0.accuracy) })
        }
        guard var object = try? JSONSerialization.jsonObject(with: data) else {
            throw StageError(stage: stage, path: "compare", "the metrics of `\(method)` are not JSON")
        }
        if let list = object as? [Any], let last = list.last { object = last }
        // A `MetricsFile` (segmentation, interpretability) keeps its scalars under `metrics`.
        if let document = object as? [String: Any], let metrics = document["metrics"] as? [String: Any] { object = metrics }
        var values: [String: Double] = [:]
        // JSON booleans are skipped; `v is Bool` cannot tell them apart, since on Linux the integers 0 and 1 pass it too.
        for (k, v) in object as? [String: Any] ?? [:] { if let n = v as? NSNumber, String(cString: n.objCType) != "c" { values[k] = n.doubleValue } }
        return Row(method: method, values: values, groups: [])
    }

    /// Fixed-width text: method, metric columns, then one column per group.
    static func table(rows: [Row], columns: [String], groupNames: [String]) -> String {
        let header = ["method"] + columns + groupNames
        let body = rows.map { row -> [String] in
            let groupCells = groupNames.map { name in row.groups.first { $0.name == name }.map { String(format: "%.4f", $0.accuracy) } ?? "—" }
            return [row.method] + columns.map { row.values[$0].map { String(format: "%.4f", $0) } ?? "—" } + groupCells
        }
        let widths = header.indices.map { i in ([header[i]] + body.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[i] - c.count) + c }
                .joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + body.map(line)).joined(separator: "\n") + "\n"
    }
}
