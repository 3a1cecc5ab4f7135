import Foundation

/// JSON as JSONSerialization reads and writes it, with optional-returning accessors so that a
/// malformed message is a value the server answers, never a crash.
public typealias JSONObject = [String: Any]

extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> JSONObject? { self[key] as? JSONObject }
    func string(_ key: String) -> String? { self[key] as? String }
    func array(_ key: String) -> [Any]? { self[key] as? [Any] }
    func int(_ key: String) -> Int? {
        if let i = self[key] as? Int { return i }
        if let d = self[key] as? Double, d.isFinite, d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        return nil
    }
}

/// An LSP position as the client sent it.
struct LSPPosition {
    var line: Int
    var character: Int

    init?(_ json: JSONObject?) {
        guard let json, let line = json.int("line"), let character = json.int("character"), line >= 0, character >= 0 else { return nil }
        self.line = line
        self.character = character
    }
}
