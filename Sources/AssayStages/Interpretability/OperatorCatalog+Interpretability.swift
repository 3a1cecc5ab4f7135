import AssayEngine
import AssayLanguage

extension OperatorCatalog {
    static var interpretabilityOperators: [(StageKind, any StageOperator)] {
        [
            (.visualize, VisualizeOperator()),
            (.attack, AttackOperator()),
            (.circuit, CircuitOperator()),
            (.compare, CompareOperator()),
            (.compareCircuits, CompareCircuitsOperator()),
        ]
    }
}
