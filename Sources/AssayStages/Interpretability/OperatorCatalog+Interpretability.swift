import AssayEngine

extension OperatorCatalog {
    static var interpretabilityOperators: [(String, any StageOperator)] {
        [
            ("visualize", VisualizeOperator()),
            ("attack", AttackOperator()),
            ("circuit", CircuitOperator()),
            ("compare", CompareOperator()),
            ("compare-circuits", CompareCircuitsOperator()),
        ]
    }
}
