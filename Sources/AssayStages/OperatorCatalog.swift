import AssayEngine

/// The implementations of the registry's operators, by operator name.
///
/// `AssayLanguage.OperatorRegistry` declares what each operator takes and produces; this
/// catalogue says how it is computed. A test checks that the two list the same names.
/// Every operator runs inside its stage's worker-count scope (`WorkerScopedOperator`).
public enum OperatorCatalog {
    public static var standard: [String: any StageOperator] {
        var all: [String: any StageOperator] = [:]
        for (name, op) in entries { all[name] = WorkerScopedOperator(base: op) }
        return all
    }

    /// Each research line lists its operators in its own folder's `OperatorCatalog+Line.swift`.
    static var entries: [(String, any StageOperator)] {
        dataOperators + trainingOperators + groupRobustnessOperators + interpretabilityOperators + segmentationOperators
    }
}
