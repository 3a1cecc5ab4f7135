/// Decodes a `Decodable` type from a ``CanonicalValue``, strictly: a non-optional field that is
/// absent or null, or a value of another kind than the field's type, is a `DecodingError`
/// whose coding path is the field's data path.
///
/// A property reads the parameter named by its kebab-case form (`batchSize` reads `batch-size`,
/// `lrGamma` reads `lr-gamma`), so a parameter struct needs no coding keys. Numbers keep their
/// kind as the checker wrote it: an `Int` field takes only an integer; a `Double` field takes a
/// double, or an integer (exactly representable below 2^53, as the schema's defaults are).
///
/// ```swift
/// struct Optimiser: Decodable { var lr: Double; var weightDecay: Double }
/// let o = try CanonicalValueDecoder().decode(Optimiser.self, from: ["lr": 0.01, "weight-decay": 0.0])
/// ```
public struct CanonicalValueDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: CanonicalValue) throws -> T {
        try CanonicalDecoding(value: value, codingPath: [], log: nil).decode(type)
    }

    /// Decodes `type` and returns the data paths of fields present in `value` that it never
    /// read (in mappings it read as records): a signature field its operator ignores.
    public func unreadFields<T: Decodable>(decoding type: T.Type, from value: CanonicalValue) throws -> [String] {
        let log = ReadLog()
        _ = try CanonicalDecoding(value: value, codingPath: [], log: log).decode(type)
        var unread: [String] = []
        func walk(_ v: CanonicalValue, _ path: String) {
            switch v {
            case .map(let m):
                let isRecord = log.records.contains(path)
                for key in CanonicalValue.sortedKeys(m) {
                    let child = path.isEmpty ? key : "\(path).\(key)"
                    if isRecord && !log.fields.contains(child) { unread.append(child) } else { walk(m[key]!, child) }
                }
            case .list(let items):
                for (i, item) in items.enumerated() { walk(item, "\(path).\(i)") }
            default: break
            }
        }
        walk(value, "")
        return unread
    }

    /// The parameter name a Swift property reads: `batchSize` → `batch-size`.
    public static func parameterName(_ property: String) -> String {
        var name = ""
        for ch in property {
            if ch.isUppercase {
                name += "-" + ch.lowercased()
            } else {
                name.append(ch)
            }
        }
        return name
    }

    /// A coding path as a data path: `attack.objective.push-down.top`, `c-grid.0`.
    public static func dataPath(_ codingPath: [CodingKey]) -> String {
        codingPath.map { $0.intValue.map(String.init) ?? parameterName($0.stringValue) }.joined(separator: ".")
    }
}

/// Which mappings were read as records and which of their fields were read, by data path.
private final class ReadLog {
    var records: Set<String> = []
    var fields: Set<String> = []
}

extension Decoder {
    /// A variant (`ParameterType.variant`) as the checker writes it: the one-key mapping
    /// `{kind: body}`, or the bare word `kind`, whose body is then an empty mapping.
    public func variant() throws -> (kind: String, body: Decoder) {
        if let word = try? singleValueContainer().decode(String.self) {
            let empty = (self as? CanonicalDecoding).map { CanonicalDecoding(value: .map([:]), codingPath: $0.codingPath + [NameKey(word)], log: nil) }
            return (word, empty ?? self)
        }
        let container = try container(keyedBy: NameKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "expected a one-key mapping `{kind: ...}` or a word"))
        }
        return (key.stringValue, try container.superDecoder(forKey: key))
    }
}

private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { String(intValue!) }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

private struct CanonicalDecoding: Decoder {
    let value: CanonicalValue
    let codingPath: [CodingKey]
    let log: ReadLog?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var path: String { CanonicalValueDecoder.dataPath(codingPath) }

    func child(_ value: CanonicalValue, _ key: CodingKey) -> CanonicalDecoding {
        CanonicalDecoding(value: value, codingPath: codingPath + [key], log: log)
    }

    func mismatch(_ type: Any.Type, _ expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.canonicalString)"))
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let same = value as? T { return same }
        if case .null = value { throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "the value is null")) }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let entries) = value else { throw mismatch([String: Any].self, "a mapping") }
        log?.records.insert(path)
        return KeyedDecodingContainer(Keyed<Key>(decoder: self, entries: entries))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .list(let items) = value else { throw mismatch([Any].self, "a list") }
        return Unkeyed(decoder: self, items: items)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { Single(decoder: self) }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case .int(let i) = value else { throw mismatch(type, "an integer") }
        guard let exact = T(exactly: i) else { throw mismatch(type, "an integer in \(T.min)...\(T.max)") }
        return exact
    }

    func double() throws -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i) where i.magnitude < 1 << 53: return Double(i)
        default: throw mismatch(Double.self, "a number")
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: CanonicalDecoding
        let entries: [String: CanonicalValue]
        var codingPath: [CodingKey] { decoder.codingPath }
        var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

        func entry(_ key: Key) -> (name: String, value: CanonicalValue)? {
            if let v = entries[key.stringValue] { return (key.stringValue, v) }
            let name = CanonicalValueDecoder.parameterName(key.stringValue)
            return entries[name].map { (name, $0) }
        }

        func contains(_ key: Key) -> Bool { entry(key) != nil }

        func field(_ key: Key) throws -> CanonicalDecoding {
            guard let (name, value) = entry(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath + [key], debugDescription: "the field is missing"))
            }
            let child = decoder.child(value, key)
            decoder.log?.fields.insert(decoder.path.isEmpty ? name : "\(decoder.path).\(name)")
            return child
        }

        func decodeNil(forKey key: Key) throws -> Bool { try field(key).value == .null }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try field(key).decode(type) }
        // The primitive overloads the protocol requires, all through the single-value container.
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try field(key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try field(key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try field(key).decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try field(key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try field(key).decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try field(key).decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try field(key).decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try field(key).decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try field(key).decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try field(key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try field(key).decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try field(key).decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try field(key).decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try field(key).decode(type) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try field(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try field(key).unkeyedContainer() }
        func superDecoder() throws -> Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> Decoder { try field(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let decoder: CanonicalDecoding
        let items: [CanonicalValue]
        var currentIndex = 0
        var codingPath: [CodingKey] { decoder.codingPath }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        mutating func next() throws -> CanonicalDecoding {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the list has only \(items.count) items"))
            }
            defer { currentIndex += 1 }
            return decoder.child(items[currentIndex], IndexKey(currentIndex))
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> Decoder { try next() }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: CanonicalDecoding
        var codingPath: [CodingKey] { decoder.codingPath }

        func decodeNil() -> Bool { decoder.value == .null }
        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let b) = decoder.value else { throw decoder.mismatch(type, "true or false") }
            return b
        }
        func decode(_ type: String.Type) throws -> String {
            guard case .string(let s) = decoder.value else { throw decoder.mismatch(type, "a string") }
            return s
        }
        func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
        func decode(_ type: Float.Type) throws -> Float { Float(try decoder.double()) }
        func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
    }
}
