import AssayEngine
import AssayLanguage

extension OperatorCatalog {
    static var dataOperators: [(StageKind, any StageOperator)] {
        [
            (.loadFashionMNIST, LoadFashionMNISTOperator()),
            (.loadImageFolder, LoadImageFolderOperator()),
            (.loadCamVid, LoadCamVidOperator()),
            (.loadCelebA, LoadCelebAOperator()),
            (.loadSynthetic, LoadSyntheticOperator()),
            (.composeScenes, ComposeScenesOperator()),
            (.derive, DeriveOperator()),
            (.split, SplitOperator()),
            (.groupSplit, GroupSplitOperator()),
        ]
    }
}
