import AssayEngine

extension OperatorCatalog {
    static var dataOperators: [(String, any StageOperator)] {
        []
    }
}
