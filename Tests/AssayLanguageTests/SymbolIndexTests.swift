import AssayLanguage
import AssaySupport
import XCTest

/// The symbol index of the shipped examples: every kind of name resolves to its declaration.
final class SymbolIndexTests: XCTestCase {
    private func index(_ name: String) -> SymbolIndex {
        DocumentAnalysis.analyze(path: Repository.experiment(name).path).symbols
    }

    private func lines(_ references: [SymbolReference]) -> [Int] { references.map(\.span.start.line).sorted() }

    func testAttacksAndTheirStagesResolve() throws {
        let symbols = index("fv-attacks.yaml")
        let text = try Repository.text("fv-attacks.yaml").components(separatedBy: "\n")
        let declaration = try XCTUnwrap(symbols.definition(.attack, "hide-unit"))
        XCTAssertTrue(text[declaration.span.start.line - 1].contains("hide-unit:"))
        XCTAssertEqual(lines(symbols.references(to: .attack, "hide-unit")), [text.firstIndex { $0.contains("{ attack: hide-unit }") }! + 1])
        // Every stage reference resolves to a declared stage.
        for reference in symbols.references where reference.kind == .stage {
            XCTAssertNotNil(symbols.definition(.stage, reference.name), "`\(reference.name)` at \(reference.span)")
        }
    }

    func testSegmentationTargetsAreReferencedByStagesAndBuiltInModels() throws {
        let symbols = index("segmentation.yaml")
        XCTAssertNotNil(symbols.definition(.target, "fashion-parts"))
        // Two built-in models and four stages name it.
        XCTAssertEqual(symbols.references(to: .target, "fashion-parts").count, 6)
    }

    func testSplitsResolveThroughDerivedDataSetsAndReferencesOfIncludesKeepTheirFile() throws {
        let symbols = index("dfr-sweep.yaml")
        let val = try XCTUnwrap(symbols.definition(.split, "tinted.val"))
        XCTAssertTrue(val.span.file.hasSuffix("common/fmnist-tops.yaml"), val.span.file)
        // `tinted.train` is not declared: it comes from `fmnist` through `from:`.
        XCTAssertEqual(symbols.definition(.split, "tinted.train")?.name, "fmnist")
        let seed = symbols.references(to: .parameter, "seed")
        XCTAssertFalse(seed.isEmpty)
        for reference in symbols.references {
            XCTAssertEqual(reference.span.start.line, reference.span.end.line, "a name spans one line: \(reference)")
        }
    }
}
