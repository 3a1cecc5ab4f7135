@testable import AssayLanguage
import Foundation
import XCTest

/// A stage kind lives in one file: adding one is its file under `Sources/AssayLanguage/StageKinds/`,
/// its name in `StageKind.all`, and its operator in AssayStages (`OperatorCatalogTests` checks that
/// the catalogue implements exactly the registry's kinds). These tests fail when a kind's knowledge
/// leaks back into shared files.
final class StageKindTests: XCTestCase {
    static let language = Repository.root.appendingPathComponent("Sources/AssayLanguage")
    static let kindsFolder = language.appendingPathComponent("StageKinds")

    static func swiftFiles(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testTheRegistryIsTheListOfKinds() {
        XCTAssertEqual(OperatorRegistry.standard.operators, StageKind.all.map(\.signature))
        XCTAssertEqual(Set(StageKind.all.map(\.signature.name)).count, StageKind.all.count, "a kind is listed twice")
        for kind in StageKind.all { XCTAssertEqual(StageKind.named(kind.signature.name)?.signature, kind.signature) }
    }

    /// Each kind's signature is written in exactly one file of `StageKinds/`, named after the kind,
    /// and no signature is written anywhere else in the language.
    func testEachKindIsDeclaredInItsOwnFile() throws {
        let kindFiles = try Self.swiftFiles(in: Self.kindsFolder)
        var declaring: [String: [String]] = [:]
        for file in kindFiles {
            let text = try String(contentsOf: file, encoding: .utf8)
            for kind in StageKind.all where text.contains("name: \"\(kind.signature.name)\", version:") {
                declaring[kind.signature.name, default: []].append(file.lastPathComponent)
            }
        }
        for kind in StageKind.all {
            XCTAssertEqual(declaring[kind.signature.name]?.count, 1, "`\(kind.signature.name)` is declared in \(declaring[kind.signature.name] ?? []) (expected one file)")
            if let file = declaring[kind.signature.name]?.first { XCTAssertTrue(file.hasSuffix("Kind.swift"), "\(file) should be named after its kind") }
        }
        for file in try Self.swiftFiles(in: Self.language) {
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertFalse(text.contains("OperatorSignature("), "\(file.lastPathComponent) declares a signature outside StageKinds/")
        }
    }

    /// The checker dispatches to a kind's hooks; it never names a stage kind (no `case "train":`).
    /// Kinds that share a name with a declaration (`attack`) or that the data set checker emits
    /// itself (`derive`, `split`, `group-split`) are exempt; data-source loaders are named only by the
    /// table of data-source fields (`EditorSchema.datasetSources`).
    func testTheCheckerNamesNoStageKind() throws {
        let declarations = Set(OperatorRegistry.standard.declarations.keys)
        let named = StageKind.all.filter { !declarations.contains($0.signature.name) && (!$0.signature.isImplicit || $0.describe != nil) }.map(\.signature.name)
        XCTAssertTrue(named.contains("train") && named.contains("load-camvid"))
        let checker = try Self.swiftFiles(in: Self.language).filter { file in
            let name = file.lastPathComponent
            return name.hasSuffix("Checker.swift") || name.hasPrefix("SectionChecker") || name.hasPrefix("Checked") || ["Elaborator.swift", "CheckSession.swift"].contains(name)
        }
        XCTAssertGreaterThanOrEqual(checker.count, 10, "the checker's files moved: update this test")
        for file in checker {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in named { XCTAssertFalse(text.contains("\"\(name)\""), "\(file.lastPathComponent) names the kind `\(name)`: move that knowledge into its kind's file") }
        }
    }

    /// Every kind that loads a data set is a data-source field, and every field runs a kind with a `describe` hook.
    func testEveryDataSourceHasItsChecks() {
        for source in EditorSchema.datasetSources {
            guard let op = source.operatorName else { continue }
            XCTAssertNotNil(StageKind.named(op)?.describe, "`\(source.field):` runs `\(op)`, which has no describe hook")
        }
        let sourced = Set(EditorSchema.datasetSources.compactMap(\.operatorName))
        for kind in StageKind.all where kind.describe != nil { XCTAssertTrue(sourced.contains(kind.signature.name), "`\(kind.signature.name)` is not a data-source field") }
    }
}
