import AssayEngine
import AssayReport
import AssaySupport

/// Data-set and group stages as one compact table: per stage and split, the examples, the
/// agreement of the injected attribute with the label, and the group counts by group name.
/// Never bar charts of counts: they bury the answer under numbers of a different kind.
extension RunReportBuilder {
    static func isDataStage(_ s: StageRecord) -> Bool { s.stage.hasPrefix("datasets.") || s.stage.hasPrefix("groups.") }

    func dataSection() -> ReportSection? {
        // One point is enough: data stages rarely depend on a swept parameter, and the plan lists the rest.
        let firstPoint = details.stages.first?.point ?? ""
        let stages = details.stages.filter { Self.isDataStage($0) && $0.point == firstPoint && !$0.metrics.isEmpty }
        guard !stages.isEmpty else { return nil }
        var table = ReportTable(columns: [.init("stage"), .init("split"), .init("examples", format: .integer),
                                          .init("attribute agreement", format: .percent(1)), .init("groups (count)", alignment: .leading)],
                                showsProvenance: false)
        for s in stages {
            let names = groupNames(s)
            var splits: [String] = []
            for key in s.metrics.keys.sorted() {
                let split = String(key.prefix { $0 != "." })
                if split != key, !splits.contains(split) { splits.append(split) }
            }
            for split in splits {
                let examples = s.metrics["\(split).examples"]
                let agreement = s.metrics["\(split).aligned-fraction"]
                // `test.group0.count` → "label=other, border=0: 285".
                let counts = s.metrics.keys.filter { $0.hasPrefix("\(split).group") && $0.hasSuffix(".count") }.sorted { a, b in
                    Self.groupID(a, split: split) ?? 0 < Self.groupID(b, split: split) ?? 0
                }.map { key -> String in
                    let id = Self.groupID(key, split: split).map(String.init) ?? key
                    return "\(names[id] ?? "group \(id)"): \(Int(s.metrics[key]!))"
                }
                if examples == nil && agreement == nil && counts.isEmpty { continue }
                table.addRow([.text(s.stage), .code(split), examples.map { .number($0) } ?? .empty, agreement.map { .number($0) } ?? .empty,
                              .text(counts.joined(separator: " · "))])
            }
        }
        guard !table.rows.isEmpty else { return nil }
        var section = ReportSection(title: "Data")
        section.add(.table(table))
        return section
    }

    /// 3 from `test.group3.count`.
    static func groupID(_ key: String, split: String) -> Int? {
        Int(key.dropFirst(split.count + ".group".count).dropLast(".count".count))
    }
}
