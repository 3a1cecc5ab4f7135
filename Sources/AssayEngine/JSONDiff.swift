import Foundation

/// One changed value at a data path, e.g. `optimizer.lr`: 0.001 → 0.01. `before`/`after` are
/// JSON texts; nil means the path is absent on that side.
public struct ValueChange: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var before: String?
    public var after: String?

    public init(path: String, before: String?, after: String?) {
        self.path = path
        self.before = before
        self.after = after
    }

    public var description: String {
        switch (before, after) {
        case (nil, let b?): return "\(path): added \(b)"
        case (let a?, nil): return "\(path): removed (was \(a))"
        default: return "\(path): \(before ?? "") → \(after ?? "")"
        }
    }
}

/// Semantic differences between two JSON documents, by data path.
///
/// Objects are compared key by key (`a.b`), arrays of equal length element by element
/// (`a[2]`); anything else that differs is one change at its path. Leaves compare by their
/// canonical JSON text, so `1e-3` and `0.001` agree.
public enum JSONDiff {
    public static func changes(from before: String, to after: String) -> [ValueChange] {
        changes(from: Array(before.utf8), to: Array(after.utf8))
    }

    public static func changes(from before: [UInt8], to after: [UInt8]) -> [ValueChange] {
        let a = parse(before), b = parse(after)
        var out: [ValueChange] = []
        compare(a, b, path: "", into: &out)
        return out
    }

    static func parse(_ bytes: [UInt8]) -> Any? {
        if bytes.isEmpty { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    private static func compare(_ a: Any?, _ b: Any?, path: String, into out: inout [ValueChange]) {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                compare(x[key], y[key], path: join(path, key), into: &out)
            }
        case (let x as [Any], let y as [Any]) where x.count == y.count:
            for i in x.indices { compare(x[i], y[i], path: path + "[\(i)]", into: &out) }
        default:
            let ta = a.map(text), tb = b.map(text)
            if ta != tb { out.append(ValueChange(path: path.isEmpty ? "." : path, before: ta, after: tb)) }
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        let component = plain ? key : "\"\(key.replacingOccurrences(of: "\"", with: "\\\""))\""
        return path.isEmpty ? component : path + "." + component
    }

    static func text(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
