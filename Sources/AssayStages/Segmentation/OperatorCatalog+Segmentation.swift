import AssayEngine

extension OperatorCatalog {
    static var segmentationOperators: [(String, any StageOperator)] {
        [("segmentation-train", SegmentationTrainOperator()), ("segmentation-evaluate", SegmentationEvaluateOperator())]
    }
}
