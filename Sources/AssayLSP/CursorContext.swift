/// Where the cursor is in an experiment file, read from the text around it rather than from the
/// parsed YAML: while typing, the buffer is usually not valid YAML (`  dat` has no colon yet), and
/// completion must still know it is inside `stages: → erm: → train:`.
///
/// Block mappings are followed by indentation (lines above with less indentation are ancestors);
/// flow collections on the cursor's line (`erm: { train: { data: fm| } }`) by their brackets.
struct CursorContext: Equatable {
    enum Place: Equatable { case key, value }

    /// Keys from the top of the file to the cursor: for a value, ending with the key that holds it;
    /// for a key, the keys of the mapping it is in.
    var path: [String]
    var place: Place
    /// The word under the cursor (letters, digits, `-`, `_`, `.`, `$`, `[`, `]`), and the part before the cursor.
    var word: String
    var prefix: String
    /// Byte offsets of the word.
    var wordStart: Int
    var wordEnd: Int
    /// For a block list item (`- conv1: ...`), its index in the list.
    var itemIndex: Int?

    var section: String? { path.first }
    var entry: String? { path.count > 1 ? path[1] : nil }
    /// The keys below the entry's name.
    var keys: [String] { path.count > 2 ? Array(path[2...]) : [] }

    static func isWordByte(_ b: UInt8) -> Bool {
        b >= 0x80 || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "$")
            || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
    }

    init(lines: LineTable, offset: Int) {
        let bytes = lines.bytes
        let line = lines.position(ofOffset: offset, encoding: .utf8).line
        let lineStart = lines.lineStarts[line]
        let lineEnd = lines.lineEnd(line)
        let cursor = min(max(offset, lineStart), lineEnd)

        var start = cursor
        while start > lineStart, Self.isWordByte(bytes[start - 1]) { start -= 1 }
        // `[` opens a flow list unless it follows a name (`conv2[`).
        while start < cursor, bytes[start] == UInt8(ascii: "[") { start += 1 }
        var end = cursor
        while end < lineEnd, Self.isWordByte(bytes[end]) { end += 1 }
        wordStart = start
        wordEnd = end
        word = String(decoding: bytes[start..<end], as: UTF8.self)
        prefix = String(decoding: bytes[start..<cursor], as: UTF8.self)

        // The cursor's line: indentation, list dashes, then flow structure up to the cursor.
        var contentStart = lineStart
        while contentStart < lineEnd, bytes[contentStart] == UInt8(ascii: " ") { contentStart += 1 }
        let firstColumn = contentStart - lineStart
        var isItem = false
        while contentStart + 1 <= lineEnd, bytes[contentStart] == UInt8(ascii: "-"),
              contentStart + 1 == lineEnd || bytes[contentStart + 1] == UInt8(ascii: " ") {
            isItem = true
            contentStart += 1
            while contentStart < lineEnd, bytes[contentStart] == UInt8(ascii: " ") { contentStart += 1 }
        }
        let indent = contentStart - lineStart
        let (ancestors, listParentLine) = Self.blockAncestors(lines: lines, line: line, indent: indent, isItem: isItem)

        // Flow frames on this line: each map frame remembers the key whose value is being written.
        struct Frame { var isMap: Bool; var key: String? }
        var frames = [Frame(isMap: true, key: nil)]
        var token = ""
        var i = contentStart
        let scanEnd = max(cursor, contentStart)
        while i < scanEnd {
            let b = bytes[i]
            if b == UInt8(ascii: "#"), i == contentStart || bytes[i - 1] == UInt8(ascii: " ") { break }
            switch b {
            case UInt8(ascii: "{"): frames.append(Frame(isMap: true, key: nil)); token = ""
            case UInt8(ascii: "["):
                if token.isEmpty { frames.append(Frame(isMap: false, key: nil)) } else { token.append("[") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if b == UInt8(ascii: "]"), token.contains("[") { token.append("]"); break }
                if frames.count > 1 { frames.removeLast() }
                token = ""
            case UInt8(ascii: ","):
                if frames[frames.count - 1].isMap { frames[frames.count - 1].key = nil }
                token = ""
            case UInt8(ascii: ":") where i + 1 >= lineEnd || bytes[i + 1] == UInt8(ascii: " ") || bytes[i + 1] == UInt8(ascii: "{") || bytes[i + 1] == UInt8(ascii: "["):
                if i + 1 <= cursor, !token.isEmpty { frames[frames.count - 1].key = token }
                token = ""
            case UInt8(ascii: " "):
                if !token.isEmpty, frames[frames.count - 1].key == nil { token += " " }
            default:
                if token.hasSuffix(" ") { token = "" }
                token.append(Character(Unicode.Scalar(b)))
            }
            i += 1
        }
        var path = ancestors
        for frame in frames.dropLast() { if let key = frame.key { path.append(key) } }
        let top = frames[frames.count - 1]
        if let key = top.key {
            path.append(key)
            place = .value
        } else {
            place = top.isMap ? .key : .value
        }
        // A word under the cursor that is itself a key (`data|:`) is a key, not the value of the previous one.
        if end < lineEnd, bytes[end] == UInt8(ascii: ":"), top.key == nil || cursor <= start { place = .key }
        self.path = path

        // The index of a block list item among its siblings: the items at the same dash column since the list's key.
        if isItem, let parent = listParentLine {
            var count = 0
            for l in (parent + 1)..<line {
                var j = lines.lineStarts[l]
                let e = lines.lineEnd(l)
                while j < e, bytes[j] == UInt8(ascii: " ") { j += 1 }
                if j - lines.lineStarts[l] == firstColumn, j < e, bytes[j] == UInt8(ascii: "-") { count += 1 }
            }
            itemIndex = count
        } else {
            itemIndex = nil
        }
    }

    /// Keys of the block mappings enclosing a line, found by walking up to lines with less indentation;
    /// also the line of the key holding the list when the line is a list item.
    private static func blockAncestors(lines: LineTable, line: Int, indent: Int, isItem: Bool) -> ([String], Int?) {
        let bytes = lines.bytes
        var keys: [String] = []
        // A list item's content belongs to the key above the dash, which may sit at the dash's column.
        var limit = indent
        var listParent: Int?
        var itemPending = isItem
        var l = line - 1
        if isItem {
            var j = lines.lineStarts[line]
            while j < lines.lineEnd(line), bytes[j] == UInt8(ascii: " ") { j += 1 }
            limit = j - lines.lineStarts[line] + 1
        }
        while l >= 0, limit > 0 {
            let start = lines.lineStarts[l], end = lines.lineEnd(l)
            var j = start
            while j < end, bytes[j] == UInt8(ascii: " ") { j += 1 }
            defer { l -= 1 }
            if j == end || bytes[j] == UInt8(ascii: "#") { continue }
            let column = j - start
            if column >= limit { continue }
            var dashed = false
            var k = j
            while k < end, bytes[k] == UInt8(ascii: "-"), k + 1 == end || bytes[k + 1] == UInt8(ascii: " ") {
                dashed = true
                k += 1
                while k < end, bytes[k] == UInt8(ascii: " ") { k += 1 }
            }
            // The first key of the line (`erm:` in `erm: { train: ... }` or `- conv1: ...`).
            var keyEnd = k
            while keyEnd < end, bytes[keyEnd] != UInt8(ascii: ":"), bytes[keyEnd] != UInt8(ascii: " "), bytes[keyEnd] != UInt8(ascii: "{") { keyEnd += 1 }
            let isKey = keyEnd < end && bytes[keyEnd] == UInt8(ascii: ":") && (keyEnd + 1 == end || bytes[keyEnd + 1] == UInt8(ascii: " "))
            if dashed {
                // A sibling or ancestor item: its key is not ours unless our content is indented under it.
                if k - start < limit, isKey, !itemPending { keys.insert(String(decoding: bytes[k..<keyEnd], as: UTF8.self), at: 0) }
                limit = column + (itemPending ? 0 : 1)
                continue
            }
            if isKey {
                keys.insert(String(decoding: bytes[k..<keyEnd], as: UTF8.self), at: 0)
                if itemPending { listParent = l; itemPending = false }
            }
            limit = column
        }
        return (keys, listParent)
    }
}
