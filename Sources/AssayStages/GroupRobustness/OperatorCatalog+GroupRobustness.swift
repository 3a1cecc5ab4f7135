import AssayEngine

extension OperatorCatalog {
    static var groupRobustnessOperators: [(String, any StageOperator)] {
        []
    }
}
