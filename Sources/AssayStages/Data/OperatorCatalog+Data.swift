import AssayEngine

extension OperatorCatalog {
    static var dataOperators: [(String, any StageOperator)] {
        [
            ("load-fashion-mnist", LoadFashionMNISTOperator()),
            ("load-image-folder", LoadImageFolderOperator()),
            ("load-camvid", LoadCamVidOperator()),
            ("load-celeba", LoadCelebAOperator()),
            ("load-synthetic", LoadSyntheticOperator()),
            ("compose-scenes", ComposeScenesOperator()),
            ("derive", DeriveOperator()),
            ("split", SplitOperator()),
            ("group-split", GroupSplitOperator()),
        ]
    }
}
