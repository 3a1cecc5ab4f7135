import AssaySupport

/// Metrics over the points of a parameter sweep, as a table and one plot per
/// metric against the swept parameter.
///
/// ```swift
/// let sweep = SweepComparison(parameterNames: ["keep_fraction", "lambda"], metricNames: ["wga", "mean_acc"],
///                             points: [.init(parameters: ["keep_fraction": .number(0.1), "lambda": .number(0.01)],
///                                            metrics: ["wga": 0.78, "mean_acc": 0.90], provenance: digest), …])
/// section.add(sweep.section(title: "Sweep over keep_fraction"))
/// ```
///
/// The first parameter is the x axis; each combination of the others becomes a
/// line. Points that differ only in parameters not listed (seeds) are averaged.
public struct SweepComparison: Sendable {
    public enum ParameterValue: Sendable, Hashable, Comparable {
        case number(Double)
        case text(String)

        public var description: String {
            switch self {
            case .number(let value): return NumberFormat.automatic.format(value)
            case .text(let text): return text
            }
        }

        /// Numbers before text; numbers by value, text lexicographically.
        public static func < (a: ParameterValue, b: ParameterValue) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): return x < y
            case (.text(let x), .text(let y)): return x < y
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
    }

    public struct Point: Sendable {
        public var parameters: [String: ParameterValue]
        public var metrics: [String: Double]
        /// The artifact the metrics were read from.
        public var provenance: Digest?

        public init(parameters: [String: ParameterValue], metrics: [String: Double], provenance: Digest? = nil) {
            self.parameters = parameters
            self.metrics = metrics
            self.provenance = provenance
        }
    }

    public var parameterNames: [String]
    public var metricNames: [String]
    public var points: [Point]
    /// Number format per metric; `.automatic` when absent.
    public var formats: [String: NumberFormat]
    /// Direction per metric; guessed from the name when absent. The best value per metric is marked.
    public var directions: [String: MetricDirection]

    public init(parameterNames: [String], metricNames: [String], points: [Point],
                formats: [String: NumberFormat] = [:], directions: [String: MetricDirection] = [:]) {
        self.parameterNames = parameterNames
        self.metricNames = metricNames
        self.points = points
        self.formats = formats
        self.directions = directions
    }

    func direction(of metric: String) -> MetricDirection {
        directions[metric] ?? MetricDirection.guess(for: metric)
    }

    /// Points ordered by their parameter values, in `parameterNames` order.
    func sortedPoints() -> [Point] {
        points.enumerated().sorted { a, b in
            for name in parameterNames {
                let x = a.element.parameters[name], y = b.element.parameters[name]
                if x == y { continue }
                guard let x else { return false }
                guard let y else { return true }
                return x < y
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// One row per point: parameters, then metrics; the best value of each metric is highlighted.
    public func table(caption: String? = nil) -> ReportTable {
        let columns = parameterNames.map { ReportTable.Column($0) }
            + metricNames.map { ReportTable.Column($0, format: formats[$0] ?? .automatic) }
        var best: [String: Double] = [:]
        var means: [[ParameterValue?]: [String: Double]] = [:]
        for key in Set(points.map { point in parameterNames.map { point.parameters[$0] } }) {
            let members = points.filter { point in parameterNames.map { point.parameters[$0] } == key }
            for metric in metricNames { means[key, default: [:]][metric] = SeedStatistics(members.compactMap { $0.metrics[metric] })?.mean }
        }
        for metric in metricNames {
            let values = means.values.compactMap { $0[metric] }.filter(\.isFinite)
            switch direction(of: metric) {
            case .higherIsBetter: best[metric] = values.max()
            case .lowerIsBetter: best[metric] = values.min()
            case .neutral: break
            }
        }
        // Points with equal listed parameters differ only in seeds: one row, mean ± sd (n).
        var rows: [(parameters: [ParameterValue?], points: [Point])] = []
        for point in sortedPoints() {
            let key = parameterNames.map { point.parameters[$0] }
            if let i = rows.firstIndex(where: { $0.parameters == key }) { rows[i].points.append(point) } else { rows.append((key, [point])) }
        }
        var table = ReportTable(caption: caption, columns: columns, showsProvenance: rows.contains { $0.points.count == 1 && $0.points[0].provenance != nil })
        for group in rows {
            var row: [ReportCell] = group.parameters.map { value in
                switch value {
                case .number(let value)?: return .number(value)
                case .text(let text)?: return .code(text)
                case nil: return .empty
                }
            }
            for metric in metricNames {
                guard let stats = SeedStatistics(group.points.compactMap { $0.metrics[metric] }) else { row.append(.empty); continue }
                let tone: ReportCell.Tone = best[metric] == stats.mean && rows.count > 1 ? .good : .normal
                if stats.count == 1 {
                    row.append(.number(stats.mean, from: group.points[0].provenance, tone: tone))
                } else {
                    row.append(ReportCell(.text(stats.text(formats[metric] ?? .fixed(4))), tone: tone))
                }
            }
            table.addRow(row)
        }
        return table
    }

    /// One chart per metric against the first parameter.
    public func charts() -> [ParameterChart] {
        guard let xName = parameterNames.first else { return [] }
        let others = Array(parameterNames.dropFirst())
        let xValues = Array(Set(points.compactMap { $0.parameters[xName] })).sorted()
        let numbers = xValues.compactMap { value -> Double? in
            if case .number(let number) = value { return number }
            return nil
        }
        let axis: ParameterChart.XAxis
        if numbers.count == xValues.count && !numbers.isEmpty {
            // A log axis when the values are positive and span two decades or more (C, λ, learning rates).
            let logarithmic = numbers.allSatisfy { $0 > 0 } && (numbers.max()! / numbers.min()!) >= 100
            axis = .numeric(numbers, logarithmic: logarithmic)
        } else {
            axis = .categorical(xValues.map(\.description))
        }
        // Each distinct setting of the other parameters is one line.
        let settings = Array(Set(points.map { point in others.map { point.parameters[$0] } }))
            .sorted { a, b in a.lexicographicallyPrecedes(b) { x, y in
                guard let x else { return y != nil }
                guard let y else { return false }
                return x < y
            } }
        return metricNames.map { metric in
            let series = settings.map { setting -> ParameterChart.Series in
                let name = zip(others, setting).map { "\($0)=\($1?.description ?? "–")" }.joined(separator: ", ")
                let values = xValues.map { x -> Double in
                    let matching = points.filter { point in
                        point.parameters[xName] == x && others.map({ point.parameters[$0] }) == setting
                    }.compactMap { $0.metrics[metric] }.filter(\.isFinite)
                    return matching.isEmpty ? .nan : matching.reduce(0, +) / Double(matching.count)
                }
                return ParameterChart.Series(name: name, values: values)
            }
            return ParameterChart(metric: metric, parameter: xName, x: axis, series: series)
        }
    }

    /// A report section: the charts side by side, then the table.
    public func section(title: String) -> ReportSection {
        var section = ReportSection(title: title)
        if points.isEmpty {
            section.add(.note("The sweep has no completed points.", tone: .muted))
            return section
        }
        let charts = charts()
        if !charts.isEmpty {
            section.add(.chartRow(charts, caption: "Each metric against \(parameterNames.first ?? "the parameter"); one line per setting of the other swept parameters."))
        }
        section.add(.table(table()))
        return section
    }
}
