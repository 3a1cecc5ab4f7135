import AssayEngine
import AssayLanguage

extension OperatorCatalog {
    static var groupRobustnessOperators: [(StageKind, any StageOperator)] {
        [
            (.features, FeaturesOperator()),
            (.select, SelectOperator()),
            (.retrainLastLayer, RetrainLastLayerOperator()),
            (.report, ReportOperator()),
        ]
    }
}
