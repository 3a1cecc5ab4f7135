import AssayEngine
import AssayLanguage

extension OperatorCatalog {
    static var trainingOperators: [(StageKind, any StageOperator)] {
        [
            (.train, TrainOperator()),
            (.evaluate, EvaluateOperator()),
        ]
    }
}
