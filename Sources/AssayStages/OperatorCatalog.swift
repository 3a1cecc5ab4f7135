import AssayEngine
import AssayLanguage

/// The implementations of the language's stage kinds, keyed by kind.
///
/// `AssayLanguage.StageKind` declares what each kind takes and produces; this catalogue says
/// how it is computed. Entries name the kind itself (`.train`), not a string, so an entry cannot
/// drift from its signature; `OperatorCatalogTests` checks that every kind has exactly one entry.
/// Every operator runs inside its stage's worker-count scope (`WorkerScopedOperator`).
public enum OperatorCatalog {
    public static var standard: [String: any StageOperator] {
        var all: [String: any StageOperator] = [:]
        for (kind, op) in entries { all[kind.name] = WorkerScopedOperator(base: op) }
        return all
    }

    /// Each research line lists its operators in its own folder's `OperatorCatalog+Line.swift`.
    static var entries: [(StageKind, any StageOperator)] {
        dataOperators + trainingOperators + groupRobustnessOperators + interpretabilityOperators + segmentationOperators
    }
}
