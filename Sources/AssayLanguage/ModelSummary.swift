/// The layer table `assay check --summary` prints: name, kind, output shape and parameters per layer, and totals.
public enum ModelSummary {
    public static func table(_ spec: ModelSpec) -> String {
        var rows: [[String]] = [["layer", "kind", "output", "params"]]
        for layer in spec.layers {
            rows.append([layer.name, layer.kind.rawValue, shape(layer.outputShape), grouped(layer.parameterCount)])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines: [String] = []
        lines.append("model \(spec.name) (\(spec.architecture), input \(shape(spec.inputShape)))")
        for (i, row) in rows.enumerated() {
            let cells = row.enumerated().map { c, text in c == 3 ? pad(left: text, widths[c]) : pad(right: text, widths[c]) }
            lines.append("  " + cells.joined(separator: "  "))
            if i == 0 { lines.append("  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        let buffers = spec.allTensors.filter { !$0.trainable }.reduce(0) { $0 + $1.elementCount }
        lines.append("  total: \(grouped(spec.parameterCount)) trainable parameters (\(grouped(buffers)) buffer values), output \(shape(spec.outputShape))")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func shape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

    /// `61100840` → `61,100,840`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    static func pad(right s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
    static func pad(left s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}
