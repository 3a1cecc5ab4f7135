import AssayLanguage
@testable import AssayStages
import XCTest

final class OperatorCatalogTests: XCTestCase {
    /// Every operator the checker accepts has an implementation, and nothing is implemented
    /// that the checker cannot produce (the catalogue's doc comment promises this test).
    func testTheCatalogueImplementsExactlyTheRegistrysOperators() {
        let declared = Set(OperatorRegistry.standard.operators.map(\.name))
        let implemented = Set(OperatorCatalog.standard.keys)
        XCTAssertEqual(declared.subtracting(implemented), [], "declared in OperatorRegistry but not implemented in OperatorCatalog")
        XCTAssertEqual(implemented.subtracting(declared), [], "implemented in OperatorCatalog but not declared in OperatorRegistry")
    }

    /// One entry per kind: a second entry for a kind would silently replace the first.
    func testEveryKindHasExactlyOneEntry() {
        let names = OperatorCatalog.entries.map(\.0.name)
        XCTAssertEqual(names.count, Set(names).count, "a kind is listed twice in the catalogue: \(names)")
        XCTAssertEqual(names.sorted(), StageKind.all.map(\.name).sorted())
    }
}
