import AssayEngine

extension OperatorCatalog {
    static var segmentationOperators: [(String, any StageOperator)] {
        []
    }
}
