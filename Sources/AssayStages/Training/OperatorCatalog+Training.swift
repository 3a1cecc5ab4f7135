import AssayEngine

extension OperatorCatalog {
    static var trainingOperators: [(String, any StageOperator)] {
        [
            ("train", TrainOperator()),
            ("evaluate", EvaluateOperator()),
        ]
    }
}
