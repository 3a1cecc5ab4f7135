import AssayEngine
import AssayLanguage

extension OperatorCatalog {
    static var segmentationOperators: [(StageKind, any StageOperator)] {
        [(.segmentationTrain, SegmentationTrainOperator()), (.segmentationEvaluate, SegmentationEvaluateOperator())]
    }
}
