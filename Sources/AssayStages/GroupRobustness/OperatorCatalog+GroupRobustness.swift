import AssayEngine

extension OperatorCatalog {
    static var groupRobustnessOperators: [(String, any StageOperator)] {
        [
            ("features", FeaturesOperator()),
            ("select", SelectOperator()),
            ("retrain-last-layer", RetrainLastLayerOperator()),
            ("report", ReportOperator()),
        ]
    }
}
