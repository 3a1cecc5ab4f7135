import AssaySupport

/// One stage row that has a key: a hit or an execution of that key in a run.
public struct KeyedStageRow: Sendable, Equatable {
    public var runID: String
    public var point: String
    public var stage: String
    public var key: Digest
    public var executed: Bool
    public var outputs: [String: Digest]
}

extension History {
    /// Every hit and execution ever recorded, oldest first (what lineage is built from).
    public func keyedStageRows() throws -> [KeyedStageRow] {
        try locked {
            let q = try database.prepare("""
                SELECT run_id, point, stage, key, status, outputs FROM stages
                WHERE key IS NOT NULL AND status IN ('hit', 'executed') ORDER BY run_order, row_order
                """)
            var rows: [KeyedStageRow] = []
            while try q.step() {
                guard let key = q.string(3).flatMap(Digest.init(hex:)) else { continue }
                rows.append(KeyedStageRow(
                    runID: q.string(0) ?? "", point: q.string(1) ?? "", stage: q.string(2) ?? "", key: key,
                    executed: q.string(4) == "executed", outputs: History.decodeOutputs(q.string(5) ?? "")))
            }
            return rows
        }
    }
}
