import AssayEngine

extension OperatorCatalog {
    static var interpretabilityOperators: [(String, any StageOperator)] {
        []
    }
}
