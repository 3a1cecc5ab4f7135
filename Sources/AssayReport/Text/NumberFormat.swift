import Foundation

/// How a number is written in a table, label or progress line.
///
/// Formatting is locale-free (always `.` as the decimal point) so reports are
/// byte-identical on every machine.
public enum NumberFormat: Sendable, Equatable {
    /// Integers below a million as integers, otherwise four significant digits; scientific from 10⁶ and below 10⁻³.
    case automatic
    /// A fixed number of decimals: `.fixed(3)` writes `0.125`.
    case fixed(Int)
    /// A fraction as a percentage: `.percent(1)` writes 0.8734 as `87.3%`.
    case percent(Int)
    /// Rounded to the nearest integer.
    case integer
    /// Mantissa with the given decimals and an exponent: `1.25e-4`.
    case scientific(Int)

    /// The text for `value`; non-finite values become `—`, `∞` or `−∞`.
    public func format(_ value: Double) -> String {
        if value.isNaN { return "—" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        switch self {
        case .automatic:
            return NumberFormat.automaticText(value)
        case .fixed(let decimals):
            return NumberFormat.fixedText(value, decimals: decimals)
        case .percent(let decimals):
            return NumberFormat.fixedText(value * 100, decimals: decimals) + "%"
        case .integer:
            return NumberFormat.fixedText(value, decimals: 0)
        case .scientific(let decimals):
            return NumberFormat.scientificText(value, decimals: decimals)
        }
    }

    static func fixedText(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(0, min(decimals, 17)))f", value)
        // "-0.00" reads as a sign error; zero has no sign in a report.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    static func scientificText(_ value: Double, decimals: Int) -> String {
        if value == 0 { return "0" }
        let text = String(format: "%.\(max(0, min(decimals, 17)))e", value)
        // C writes "1.25e-04"; drop the padding zero and a plus sign.
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        var exponent = String(text[text.index(after: e)...])
        var sign = ""
        if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
        while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    static func automaticText(_ value: Double) -> String {
        let magnitude = abs(value)
        if value == value.rounded() && magnitude < 1e6 { return fixedText(value, decimals: 0) }
        if magnitude >= 1e6 || magnitude < 1e-3 { return scientificText(value, decimals: 2) }
        // Four significant digits, trailing zeros trimmed.
        let digitsBeforePoint = magnitude < 1 ? 0 : Int(log10(magnitude)) + 1
        return trimZeros(fixedText(value, decimals: max(0, 4 - digitsBeforePoint)))
    }

    static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var out = text
        while out.hasSuffix("0") { out.removeLast() }
        if out.hasSuffix(".") { out.removeLast() }
        return out == "-0" ? "0" : out
    }
}
