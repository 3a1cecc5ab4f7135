import AssayLSP
import Foundation
import XCTest

/// Protocol-level tests: each request the server supports, through framed messages over a pipe.
final class LanguageServerTests: XCTestCase {
    private func start(_ workspace: Workspace, encodings: [String] = []) throws -> (LSPTestClient, String) {
        try workspace.write("common.yaml", Samples.common)
        let uri = try workspace.write("main.yaml", Samples.main)
        let client = LSPTestClient(positionEncodings: encodings)
        client.open(uri, Samples.main)
        return (client, uri)
    }

    private func hoverText(_ client: LSPTestClient, _ uri: String, _ at: (line: Int, character: Int)) -> String {
        let reply = client.request("textDocument/hover", client.position(uri, at.line, at.character))
        return ((reply["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String ?? "no hover: \(reply)"
    }

    // MARK: Lifecycle

    func testInitializeAnnouncesCapabilitiesAndNegotiatesTheEncoding() {
        let client = LSPTestClient()
        XCTAssertEqual(client.shutdown(), 0)
        let utf8 = LSPTestClient(positionEncodings: ["utf-8", "utf-16"])
        XCTAssertEqual(utf8.shutdown(), 0)

        let raw = LSPTestClient.rawInitialize(encodings: ["utf-32", "utf-8"])
        XCTAssertEqual(raw["positionEncoding"] as? String, "utf-8")
        XCTAssertEqual((raw["textDocumentSync"] as? [String: Any])?["change"] as? Int, 2)
        for capability in ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider"] {
            XCTAssertEqual(raw[capability] as? Bool, true, capability)
        }
        XCTAssertNotNil(raw["completionProvider"])
        XCTAssertNotNil(raw["codeActionProvider"])
    }

    func testRequestsOutsideTheLifecycleAndBadMessagesGetErrorsNotCrashes() {
        let client = LSPTestClient()
        let unknown = client.request("textDocument/rename", ["textDocument": ["uri": "file:///x.yaml"], "position": ["line": 0, "character": 0], "newName": "y"])
        XCTAssertEqual((unknown["error"] as? [String: Any])?["code"] as? Int, -32601)
        // Not JSON: a parse error with a null id.
        client.sendRaw(Data("Content-Length: 5\r\n\r\n{oops".utf8))
        let parseError = client.waitFor { ($0["error"] as? [String: Any])?["code"] as? Int == -32700 }
        XCTAssertNotNil(parseError)
        // A header without a length is skipped; the server keeps going.
        client.sendRaw(Data("X-Nothing: 1\r\n\r\n".utf8))
        // Positions of unopened documents and nonsense parameters give null results.
        let hover = client.request("textDocument/hover", ["textDocument": ["uri": "file:///nowhere.yaml"], "position": ["line": -4, "character": "x"]])
        XCTAssertTrue(hover["result"] is NSNull, "\(hover)")
        XCTAssertEqual(client.shutdown(), 0)
        // After shutdown, requests are refused.
    }

    func testExitWithoutShutdownExitsWithOneAndEndOfInputStopsTheServer() {
        let client = LSPTestClient()
        client.notify("exit", [:])
        XCTAssertEqual(client.waitForExit(), 1)
        let other = LSPTestClient()
        other.closeInput()
        XCTAssertEqual(other.waitForExit(), 1)
    }

    // MARK: Diagnostics

    func testDiagnosticsOnOpenAndAfterAnEditThatBreaksAShape() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0, "the sample checks clean")
        // fc2 is the classifier: 4 classes. Making it 5 wide breaks the class count; `linear 16` → a shape error below it?
        let at = place(of: "fc2: linear 4", in: Samples.main, offset: 12)
        client.change(uri, version: 2, [["range": ["start": ["line": at.line, "character": at.character], "end": ["line": at.line, "character": at.character + 1]], "text": "5"]])
        let diagnostics = try XCTUnwrap(client.diagnostics(uri))
        let first = try XCTUnwrap(diagnostics.first, "no diagnostic after the edit")
        XCTAssertEqual(first["source"] as? String, "assay")
        XCTAssertEqual(first["severity"] as? Int, 1)
        XCTAssertNotNil(first["code"] as? String)
        let range = try XCTUnwrap(first["range"] as? [String: Any])
        XCTAssertNotNil(range["start"])
        // Undo: the diagnostics clear.
        client.change(uri, version: 3, [["text": Samples.main]])
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testDiagnosticIDsSpansAndHelpMatchTheChecker() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let broken = Samples.main.replacingOccurrences(of: "data: tuned.train", with: "data: tunde.train")
        client.change(uri, version: 2, [["text": broken]])
        let diagnostics = try XCTUnwrap(client.diagnostics(uri))
        let unknown = try XCTUnwrap(diagnostics.first { $0["code"] as? String == "unknown-dataset" }, "\(diagnostics)")
        XCTAssertTrue((unknown["message"] as? String ?? "").contains("help: did you mean `tuned`?"), "\(unknown)")
        let range = try XCTUnwrap(unknown["range"] as? [String: [String: Int]])
        let at = place(of: "tunde", in: broken)
        XCTAssertEqual(range["start"]?["line"], at.line)
        XCTAssertEqual(range["start"]?["character"], at.character)
        XCTAssertEqual(range["end"]?["character"], at.character + 5)
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testIncludedFilesGetTheirOwnDiagnosticsAndUnsavedIncludesAreChecked() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        let commonURI = workspace.uri("common.yaml")
        XCTAssertEqual(client.diagnostics(commonURI)?.count, 0, "the include's (empty) diagnostics come with main.yaml's")
        // Open the included file and break it without saving: the error shows in it, through main.yaml.
        client.open(commonURI, Samples.common)
        XCTAssertEqual(client.diagnostics(commonURI)?.count, 0)
        let brokenCommon = Samples.common.replacingOccurrences(of: "classes: 4", with: "classes: 0")
        client.change(commonURI, version: 2, [["text": brokenCommon]])
        let diagnostics = try XCTUnwrap(client.diagnostics(commonURI))
        XCTAssertFalse(diagnostics.isEmpty, "the unsaved include was not checked")
        XCTAssertFalse(diagnostics.contains { $0["code"] as? String == "missing-version" }, "an included file is checked through its includer")
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testIncrementalEditsCountUTF16CodeUnits() throws {
        let workspace = try Workspace()
        try workspace.write("common.yaml", Samples.common)
        let text = Samples.main.replacingOccurrences(of: "name: lsp-sample", with: "name: lsp-sample  # 😀 é")
            .replacingOccurrences(of: "  epochs: 1", with: "  epochs: 1 # 😀 x")
        let uri = try workspace.write("main.yaml", text)
        let client = LSPTestClient()
        client.open(uri, text)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        // Replace `x` after the emoji (2 UTF-16 units): a wrong offset would damage the YAML.
        let at = place(of: "x", in: text, occurrence: 1)
        XCTAssertEqual(at.character, place(of: "😀 x", in: text).character + 3)
        client.change(uri, version: 2, [["range": ["start": ["line": at.line, "character": at.character], "end": ["line": at.line, "character": at.character + 1]], "text": "y"]])
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        // Now break the value after the comment's line: the range must land exactly on `1`.
        let one = place(of: "epochs: 1", in: text, offset: 8)
        client.change(uri, version: 3, [["range": ["start": ["line": one.line, "character": one.character], "end": ["line": one.line, "character": one.character + 1]], "text": "0"]])
        let diagnostics = try XCTUnwrap(client.diagnostics(uri))
        XCTAssertTrue(diagnostics.contains { ($0["message"] as? String ?? "").contains("epochs") }, "\(diagnostics)")
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testABurstOfEditsIsCheckedOnceWithEveryEditApplied() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        XCTAssertEqual(client.diagnostics(uri)?.count, 0)
        // Type ` x` after `by-label` one character at a time, all in one write: `by-label x` is unknown.
        let at = place(of: "groups: by-label", in: Samples.main, offset: 16)
        var burst = Data()
        for (i, character) in [" ", "x"].enumerated() {
            let position = ["line": at.line, "character": at.character + i]
            burst += LSPTestClient.frame(["jsonrpc": "2.0", "method": "textDocument/didChange", "params": [
                "textDocument": ["uri": uri, "version": 2 + i],
                "contentChanges": [["range": ["start": position, "end": position], "text": character]],
            ] as [String: Any]])
        }
        client.sendRaw(burst)
        let diagnostics = try XCTUnwrap(client.diagnostics(uri))
        XCTAssertEqual(diagnostics.first?["code"] as? String, "unknown-group", "\(diagnostics)")
        XCTAssertTrue((diagnostics.first?["message"] as? String ?? "").contains("`by-label x`"), "\(diagnostics)")
        // The hover request is answered after the burst's single check: no second publication is waiting.
        _ = client.request("textDocument/hover", client.position(uri, 0, 0))
        XCTAssertEqual(client.count { $0["method"] as? String == "textDocument/publishDiagnostics" && ($0["params"] as? [String: Any])?["uri"] as? String == uri }, 0)
        XCTAssertEqual(client.shutdown(), 0)
    }

    // MARK: Hover

    func testHoverOnLayerModelStageReferenceAndField() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let text = Samples.main
        let layer = hoverText(client, uri, place(of: "conv1:", in: text, offset: 1))
        XCTAssertTrue(layer.contains("output [8, 16, 16]"), layer)
        XCTAssertTrue(layer.contains("224 parameters"), layer)  // 8·3·3·3 + 8
        let unnamed = hoverText(client, uri, place(of: "- relu", in: text, offset: 3))
        XCTAssertTrue(unnamed.contains("`relu`") && unnamed.contains("output [8, 16, 16]"), unnamed)
        let model = hoverText(client, uri, place(of: "cnn:", in: text, offset: 1))
        // conv 224 + fc1 (8·8·8·16 + 16 = 8208) + fc2 (16·4 + 4 = 68)
        XCTAssertTrue(model.contains("8,500 trainable parameters"), model)
        XCTAssertTrue(model.contains("input [3, 16, 16] → output [4]"), model)
        let stage = hoverText(client, uri, place(of: "erm:", in: text, offset: 1))
        XCTAssertTrue(stage.contains("`train`"), stage)
        XCTAssertTrue(stage.contains("no store yet"), stage)
        let reference = hoverText(client, uri, place(of: "data: tuned.train", in: text, offset: 7))
        XCTAssertTrue(reference.contains("data set `tuned`") && reference.contains("common.yaml:7"), reference)
        let field = hoverText(client, uri, place(of: "lr: 1e-3", in: text, offset: 0))
        XCTAssertTrue(field.contains("Learning rate.") && field.contains("default `0.001`"), field)
        let parameter = hoverText(client, uri, place(of: "$epochs", in: text, offset: 2))
        XCTAssertTrue(parameter.contains("parameter `$epochs`") && parameter.contains("value: `1`"), parameter)
        let unit = hoverText(client, uri, place(of: "conv1[3]", in: text, offset: 2))
        XCTAssertTrue(unit.contains("channel 3 of 8"), unit)
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testHoverKeepsShapesFromTheLastCleanCheckWhileTheFileHasErrors() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let broken = Samples.main.replacingOccurrences(of: "data: tuned.train", with: "data: nothing.train")
        client.change(uri, version: 2, [["text": broken]])
        _ = client.diagnostics(uri)
        let layer = hoverText(client, uri, place(of: "conv1:", in: broken, offset: 1))
        XCTAssertTrue(layer.contains("output [8, 16, 16]") && layer.contains("last check without errors"), layer)
        XCTAssertEqual(client.shutdown(), 0)
    }

    // MARK: Navigation

    func testDefinitionAndReferencesAcrossIncludes() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let text = Samples.main
        func definition(_ at: (line: Int, character: Int)) -> (uri: String, line: Int, character: Int)? {
            let reply = client.request("textDocument/definition", client.position(uri, at.line, at.character))
            guard let result = reply["result"] as? [String: Any], let range = result["range"] as? [String: [String: Int]] else { return nil }
            return (result["uri"] as? String ?? "", range["start"]?["line"] ?? -1, range["start"]?["character"] ?? -1)
        }
        let commonURI = workspace.uri("common.yaml")
        let dataset = try XCTUnwrap(definition(place(of: "tuned.train", in: text, offset: 2)))
        XCTAssertEqual(dataset.uri, commonURI)
        XCTAssertEqual(dataset.line, place(of: "tuned:", in: Samples.common).line)
        let split = try XCTUnwrap(definition(place(of: "tuned.val", in: text, offset: 7)))
        XCTAssertEqual(split.line, place(of: "val: {", in: Samples.common).line)
        let group = try XCTUnwrap(definition(place(of: "groups: by-label", in: text, offset: 9)))
        XCTAssertEqual(group.line, place(of: "by-label:", in: Samples.common).line)
        let model = try XCTUnwrap(definition(place(of: "model: cnn", in: text, offset: 8)))
        XCTAssertEqual(model.uri, uri)
        XCTAssertEqual(model.line, place(of: "cnn:", in: text).line)
        let stage = try XCTUnwrap(definition(place(of: "model: erm,", in: text, offset: 8)))
        XCTAssertEqual(stage.line, place(of: "erm:", in: text).line)
        let parameter = try XCTUnwrap(definition(place(of: "$epochs", in: text, offset: 3)))
        XCTAssertEqual(parameter.line, place(of: "epochs: 1", in: text).line)
        let seed = place(of: "$seed", in: Samples.common, offset: 2)
        client.open(commonURI, Samples.common)
        let seedReply = client.request("textDocument/definition", client.position(commonURI, seed.line, seed.character))
        XCTAssertEqual(((seedReply["result"] as? [String: Any])?["range"] as? [String: [String: Int]])?["start"]?["line"], place(of: "seed: 0", in: Samples.common).line)

        let at = place(of: "erm:", in: text, offset: 1)
        var params = client.position(uri, at.line, at.character)
        params["context"] = ["includeDeclaration": true]
        let references = try XCTUnwrap(client.request("textDocument/references", params)["result"] as? [[String: Any]])
        XCTAssertEqual(references.count, 3, "the declaration, erm-eval's and viz's `model: erm`: \(references)")
        let tuned = place(of: "tuned:", in: Samples.common, offset: 1)
        let tunedReferences = try XCTUnwrap(client.request("textDocument/references", client.position(commonURI, tuned.line, tuned.character))["result"] as? [[String: Any]])
        // declaration + by-label's data + erm's data and val + erm-eval's data + viz's over
        XCTAssertEqual(tunedReferences.count, 6, "\(tunedReferences)")
        XCTAssertEqual(client.shutdown(), 0)
    }

    func testDocumentSymbolsOutlineSectionsEntriesAndNamedLayers() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let reply = client.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]])
        let sections = try XCTUnwrap(reply["result"] as? [[String: Any]])
        XCTAssertEqual(sections.map { $0["name"] as? String ?? "" }, ["params", "models", "stages"])
        let stages = sections[2]["children"] as? [[String: Any]] ?? []
        XCTAssertEqual(stages.map { $0["name"] as? String ?? "" }, ["erm", "erm-eval", "viz"])
        let layers = (sections[1]["children"] as? [[String: Any]])?.first?["children"] as? [[String: Any]] ?? []
        XCTAssertEqual(layers.map { $0["name"] as? String ?? "" }, ["conv1", "pool1", "fc1", "fc2"])
        XCTAssertEqual(client.shutdown(), 0)
    }

    // MARK: Completion

    private func labels(_ client: LSPTestClient, _ uri: String, _ at: (line: Int, character: Int)) -> [String] {
        let reply = client.request("textDocument/completion", client.position(uri, at.line, at.character))
        return ((reply["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
    }

    func testCompletionOfFieldsNamesEnumsLayerKindsUnitsAndParameters() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        // Each case edits the buffer into a half-typed state and asks at the cursor.
        func ask(_ edited: String, at needle: String, offset: Int) -> [String] {
            client.change(uri, version: Int.random(in: 10...1_000_000), [["text": edited]])
            _ = client.diagnostics(uri)
            return labels(client, uri, place(of: needle, in: edited, offset: offset))
        }
        let text = Samples.main
        let fields = ask(text.replacingOccurrences(of: "lr: 1e-3 }", with: "lr: 1e-3, opt }"), at: "opt }", offset: 3)
        XCTAssertTrue(fields.contains("optimizer") && fields.contains("batch-size") && fields.contains("augment"), "\(fields)")
        let splits = ask(text.replacingOccurrences(of: "data: tuned.test, groups", with: "data: tu, groups"), at: "tu, groups", offset: 2)
        XCTAssertEqual(Set(splits), ["blobs.test", "blobs.train", "tuned.test", "tuned.train", "tuned.val"])
        let enums = ask(text.replacingOccurrences(of: "lr: 1e-3 }", with: "lr: 1e-3, optimizer: s }"), at: "optimizer: s", offset: 12)
        XCTAssertEqual(enums, ["adam", "sgd"])
        let kinds = ask(text.replacingOccurrences(of: "    - relu\n    - pool1", with: "    - re\n    - pool1"), at: "- re\n", offset: 4)
        XCTAssertTrue(kinds.contains("relu") && kinds.contains("conv") && kinds.contains("residual"), "\(kinds)")
        let units = ask(text.replacingOccurrences(of: "unit: conv1[3]", with: "unit: co"), at: "unit: co", offset: 8)
        XCTAssertTrue(units.contains("conv1[") && units.contains("fc1["), "\(units)")
        let channels = ask(text.replacingOccurrences(of: "unit: conv1[3]", with: "unit: conv1["), at: "unit: conv1[", offset: 12)
        XCTAssertEqual(channels.count, 8, "\(channels)")
        XCTAssertEqual(channels.first, "conv1[0]")
        let parameters = ask(text.replacingOccurrences(of: "epochs: $epochs", with: "epochs: $"), at: "epochs: $", offset: 9)
        XCTAssertEqual(Set(parameters), ["$epochs", "$seed"])
        let models = ask(text.replacingOccurrences(of: "model: cnn", with: "model: "), at: "train: { model: ", offset: 16)
        XCTAssertEqual(models, ["cnn"])
        let stages = ask(text.replacingOccurrences(of: "evaluate: { model: erm,", with: "evaluate: { model: ,"), at: "evaluate: { model: ", offset: 19)
        XCTAssertEqual(stages, ["erm"], "only stages that output a trained model")
        let operators = ask(text.replacingOccurrences(of: "  viz:\n    visualize:", with: "  viz:\n    vis"), at: "    vis", offset: 7)
        XCTAssertTrue(operators.contains("visualize") && operators.contains("train"), "\(operators)")
        XCTAssertEqual(client.shutdown(), 0)
    }

    // MARK: Code actions

    private func actions(_ client: LSPTestClient, _ uri: String, at: (line: Int, character: Int)) -> [[String: Any]] {
        let range = ["start": ["line": at.line, "character": at.character], "end": ["line": at.line, "character": at.character]]
        let reply = client.request("textDocument/codeAction", ["textDocument": ["uri": uri], "range": range, "context": ["diagnostics": []]])
        return reply["result"] as? [[String: Any]] ?? []
    }

    /// Applies a single-file workspace edit to text (UTF-16 positions).
    private func apply(_ action: [String: Any], to text: String, uri: String) throws -> String {
        let changes = try XCTUnwrap((action["edit"] as? [String: Any])?["changes"] as? [String: [[String: Any]]])
        let edit = try XCTUnwrap(changes[uri]?.first)
        let range = try XCTUnwrap(edit["range"] as? [String: [String: Int]])
        var lines = text.components(separatedBy: "\n")
        let line = range["start"]!["line"]!, start = range["start"]!["character"]!, end = range["end"]!["character"]!
        XCTAssertEqual(line, range["end"]!["line"]!)
        var units = Array(lines[line].utf16)
        units.replaceSubrange(start..<end, with: Array((edit["newText"] as! String).utf16))
        lines[line] = String(decoding: units, as: UTF16.self)
        return lines.joined(separator: "\n")
    }

    func testQuickFixesApplyTheSuggestionAndAddAMissingField() throws {
        let workspace = try Workspace()
        let (client, uri) = try start(workspace)
        _ = client.diagnostics(uri)
        let misspelt = Samples.main.replacingOccurrences(of: "groups: by-label", with: "groups: by-lable")
        client.change(uri, version: 2, [["text": misspelt]])
        XCTAssertEqual(client.diagnostics(uri)?.count, 1)
        let fix = try XCTUnwrap(actions(client, uri, at: place(of: "by-lable", in: misspelt, offset: 2)).first)
        XCTAssertEqual(fix["title"] as? String, "Replace with `by-label`")
        let fixed = try apply(fix, to: misspelt, uri: uri)
        XCTAssertEqual(fixed, Samples.main)

        let missing = Samples.main.replacingOccurrences(of: "evaluate: { model: erm, data: tuned.test,", with: "evaluate: { model: erm,")
        client.change(uri, version: 3, [["text": missing]])
        let diagnostics = try XCTUnwrap(client.diagnostics(uri))
        XCTAssertEqual(diagnostics.first?["code"] as? String, "missing-field", "\(diagnostics)")
        let add = try XCTUnwrap(actions(client, uri, at: place(of: "evaluate: {", in: missing, offset: 11)).first { ($0["title"] as? String) == "Add `data`" })
        let added = try apply(add, to: missing, uri: uri)
        XCTAssertTrue(added.contains("evaluate: { data: blobs.train, model: erm,"), added)
        client.change(uri, version: 4, [["text": added]])
        // The field is there (the placeholder names the first data set; `by-label` groups another one).
        let after = try XCTUnwrap(client.diagnostics(uri))
        XCTAssertFalse(after.contains { $0["code"] as? String == "missing-field" }, "\(after)")
        XCTAssertEqual(client.shutdown(), 0)
    }
}

extension LSPTestClient {
    /// The capabilities a server announces to a client offering these encodings.
    static func rawInitialize(encodings: [String]) -> [String: Any] {
        let client = LSPTestClient(positionEncodings: encodings)
        let capabilities = client.initializeCapabilities
        _ = client.shutdown()
        return capabilities
    }
}
