/// RFC 4648 base64 with padding; no line breaks (a data URI must be one token).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let chunk = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            out += [alphabet[chunk >> 18 & 63], alphabet[chunk >> 12 & 63], alphabet[chunk >> 6 & 63], alphabet[chunk & 63]]
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let chunk = Int(bytes[index]) << 16
            out += [alphabet[chunk >> 18 & 63], alphabet[chunk >> 12 & 63], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if remaining == 2 {
            let chunk = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8
            out += [alphabet[chunk >> 18 & 63], alphabet[chunk >> 12 & 63], alphabet[chunk >> 6 & 63], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
