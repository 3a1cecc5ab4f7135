import AssaySupport

/// The executed plan: one row per stage with its cache key and whether it was
/// served from the cache.
public struct PlanTable: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// Served from the cache: the key was already computed.
        case cached
        /// Computed in this run.
        case ran
        case failed
        /// Not reached (a dependency failed, or the run stopped).
        case skipped
    }

    public struct Row: Sendable, Equatable {
        public var stage: String
        public var operation: String
        public var key: Digest?
        public var status: Status
        /// Wall time in seconds, if it ran.
        public var seconds: Double?

        public init(stage: String, operation: String, key: Digest?, status: Status, seconds: Double? = nil) {
            self.stage = stage
            self.operation = operation
            self.key = key
            self.status = status
            self.seconds = seconds
        }
    }

    public var rows: [Row]

    public init(rows: [Row]) {
        self.rows = rows
    }

    /// "7 stages: 5 cached, 2 ran", omitting zero counts.
    public var summary: String {
        let counts = Status.allCases.compactMap { status -> String? in
            let count = rows.filter { $0.status == status }.count
            return count > 0 ? "\(count) \(status.rawValue)" : nil
        }
        let noun = rows.count == 1 ? "stage" : "stages"
        return counts.isEmpty ? "\(rows.count) \(noun)" : "\(rows.count) \(noun): " + counts.joined(separator: ", ")
    }
}
