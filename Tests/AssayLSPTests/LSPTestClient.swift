import AssayLSP
import Foundation
import XCTest

/// A client driving a ``LanguageServer`` in-process: requests go through a pipe to the server's
/// reader (so the framing is exercised), replies come back through the server's send channel.
final class LSPTestClient {
    private let input = Pipe()
    private let server: LanguageServer
    private let lock = NSCondition()
    private var messages: [[String: Any]] = []
    private var nextID = 1
    private var finished = false
    private(set) var exitCode: Int32?
    let encoding: String
    /// What the server answered to `initialize`.
    private(set) var initializeCapabilities: [String: Any] = [:]

    init(positionEncodings: [String] = [], file: StaticString = #filePath, line: UInt = #line) {
        var received: (Data) -> Void = { _ in }
        server = LanguageServer(send: { received($0) })
        encoding = positionEncodings.contains("utf-8") ? "utf-8" : "utf-16"
        received = { [weak self] data in self?.receive(data) }
        let reader = MessageReader(handle: input.fileHandleForReading)
        let server = self.server
        Thread.detachNewThread { [weak self] in
            let code = server.run(reader: reader)
            guard let self else { return }
            self.lock.lock()
            self.exitCode = code
            self.finished = true
            self.lock.broadcast()
            self.lock.unlock()
        }
        var capabilities: [String: Any] = [:]
        if !positionEncodings.isEmpty { capabilities["general"] = ["positionEncodings": positionEncodings] }
        let reply = request("initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": capabilities])
        XCTAssertNotNil(reply["result"], "initialize failed: \(reply)", file: file, line: line)
        initializeCapabilities = (reply["result"] as? [String: Any])?["capabilities"] as? [String: Any] ?? [:]
        notify("initialized", [:])
    }

    /// Seconds the server's last re-check took.
    var lastCheckSeconds: Double { server.lastCheckSeconds }

    private func receive(_ data: Data) {
        // Each send is one framed message: check the header and take the body.
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), text.hasPrefix("Content-Length: "),
              let length = Int(text[text.index(text.startIndex, offsetBy: 16)..<split.lowerBound]) else {
            XCTFail("badly framed message: \(text.prefix(200))")
            return
        }
        let body = Data(text[split.upperBound...].utf8)
        XCTAssertEqual(body.count, length, "Content-Length does not match the body")
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            XCTFail("the server sent something that is not a JSON object: \(text.prefix(200))")
            return
        }
        lock.lock()
        messages.append(object)
        lock.broadcast()
        lock.unlock()
    }

    func sendRaw(_ bytes: Data) { input.fileHandleForWriting.write(bytes) }

    func send(_ message: [String: Any]) { sendRaw(Self.frame(message)) }

    static func frame(_ message: [String: Any]) -> Data {
        let body = try! JSONSerialization.data(withJSONObject: message)
        return Data("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    /// Messages still waiting to be taken, matching a predicate.
    func count(_ matches: ([String: Any]) -> Bool) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return messages.filter(matches).count
    }

    @discardableResult
    func request(_ method: String, _ params: [String: Any], timeout: TimeInterval = 30) -> [String: Any] {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        return waitFor(timeout: timeout) { ($0["id"] as? Int) == id && $0["method"] == nil } ?? ["error": "no reply to \(method) within \(timeout) s"]
    }

    func notify(_ method: String, _ params: [String: Any]) {
        send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Waits for (and removes) the first message that matches.
    func waitFor(timeout: TimeInterval = 30, _ matches: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let i = messages.firstIndex(where: matches) { return messages.remove(at: i) }
            if finished || !lock.wait(until: deadline) { return messages.firstIndex(where: matches).map { messages.remove(at: $0) } }
        }
    }

    /// The next diagnostics published for a file.
    func diagnostics(_ uri: String, timeout: TimeInterval = 30) -> [[String: Any]]? {
        let message = waitFor(timeout: timeout) {
            $0["method"] as? String == "textDocument/publishDiagnostics" && ($0["params"] as? [String: Any])?["uri"] as? String == uri
        }
        return (message?["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]]
    }

    func open(_ uri: String, _ text: String, version: Int = 1) {
        notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "yaml", "version": version, "text": text]])
    }

    func change(_ uri: String, version: Int, _ changes: [[String: Any]]) {
        notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": version], "contentChanges": changes])
    }

    func position(_ uri: String, _ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": uri], "position": ["line": line, "character": character]]
    }

    /// Shuts the server down and returns its exit code.
    func shutdown() -> Int32? {
        _ = request("shutdown", [:])
        notify("exit", [:])
        return waitForExit()
    }

    func waitForExit(timeout: TimeInterval = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !finished { if !lock.wait(until: deadline) { break } }
        return exitCode
    }

    func closeInput() { input.fileHandleForWriting.closeFile() }
}

/// A folder of experiment files for one test, removed afterwards.
final class Workspace {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("assay-lsp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.absoluteString
    }

    func uri(_ name: String) -> String { root.appendingPathComponent(name).absoluteString }
}

/// Line and character (UTF-16) of the first occurrence of `needle` in `text`, plus `offset` characters.
func place(of needle: String, in text: String, offset: Int = 0, occurrence: Int = 1) -> (line: Int, character: Int) {
    var searchStart = text.startIndex
    var found: Range<String.Index>?
    for _ in 0..<occurrence {
        found = text.range(of: needle, range: searchStart..<text.endIndex)
        searchStart = found!.upperBound
    }
    let before = text[..<found!.lowerBound]
    let line = before.filter { $0 == "\n" }.count
    let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    return (line, text[lineStart..<found!.lowerBound].utf16.count + offset)
}

enum Samples {
    /// A small experiment on synthetic data (no data files needed) with an include.
    static let common = """
        # Shared declarations.
        params:
          seed: 0
        datasets:
          blobs:
            synthetic: { generator: blobs, classes: 4, shape: [3, 16, 16], samples: { train: 64, test: 32 }, seed: $seed }
          tuned:
            from: blobs
            split: { val: { from: train, size: 16 } }
        groups:
          by-label: { data: tuned, by: [label] }

        """

    static let main = """
        assay: 1
        name: lsp-sample
        include: [common.yaml]
        params:
          epochs: 1
        models:
          cnn:
            - conv1: { conv: { out: 8, kernel: 3, pad: 1 } }
            - relu
            - pool1: maxpool 2
            - flatten
            - fc1: linear 16
            - relu
            - fc2: linear 4
        stages:
          erm: { train: { model: cnn, data: tuned.train, val: tuned.val, epochs: $epochs, lr: 1e-3 } }
          erm-eval: { evaluate: { model: erm, data: tuned.test, groups: by-label } }
          viz:
            visualize:
              model: erm
              unit: conv1[3]
              natural: { top: 4, over: tuned.test }

        """
}
