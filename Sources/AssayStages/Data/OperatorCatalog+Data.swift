import AssayEngine

extension OperatorCatalog {
    static var dataOperators: [(String, any StageOperator)] {
        [
            ("load-fashion-mnist", LoadFashionMNISTOperator()),
            ("derive", DeriveOperator()),
            ("split", SplitOperator()),
            ("group-split", GroupSplitOperator()),
        ]
    }
}
