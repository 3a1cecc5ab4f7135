/// Accumulates SVG markup with escaped attributes and finite, compact coordinates.
///
/// Coordinates go through `number(_:)`, which never writes NaN or infinity:
/// a browser drops the whole element on `x="nan"`, and XML validators reject it.
struct SVGWriter {
    private(set) var markup = ""

    /// A coordinate with at most two decimals; non-finite values become 0 and
    /// absurd ones are clamped far outside any canvas.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return NumberFormat.trimZeros(NumberFormat.fixedText(min(max(value, -1e6), 1e6), decimals: 2))
    }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        markup += "<\(name)\(SVGWriter.attributeText(attributes))>"
    }

    mutating func close(_ name: String) {
        markup += "</\(name)>"
    }

    mutating func empty(_ name: String, _ attributes: [(String, String)]) {
        markup += "<\(name)\(SVGWriter.attributeText(attributes))/>"
    }

    /// An element holding only text (escaped).
    mutating func text(_ name: String, _ attributes: [(String, String)], _ body: String) {
        markup += "<\(name)\(SVGWriter.attributeText(attributes))>\(Markup.escape(body))</\(name)>"
    }

    /// Raw, already well-formed markup.
    mutating func raw(_ fragment: String) {
        markup += fragment
    }

    mutating func newline() {
        markup += "\n"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String) {
        empty("line", [("class", className), ("x1", SVGWriter.number(x1)), ("y1", SVGWriter.number(y1)),
                       ("x2", SVGWriter.number(x2)), ("y2", SVGWriter.number(y2))])
    }

    mutating func label(_ body: String, x: Double, y: Double, anchor: String = "middle", className: String, extra: [(String, String)] = []) {
        text("text", [("class", className), ("x", SVGWriter.number(x)), ("y", SVGWriter.number(y)), ("text-anchor", anchor)] + extra, body)
    }

    /// A polyline path through points; consecutive points only (gaps are the caller's concern).
    static func pathData(_ points: [(Double, Double)]) -> String {
        var out = ""
        for (index, point) in points.enumerated() {
            out += (index == 0 ? "M" : " L") + number(point.0) + " " + number(point.1)
        }
        return out
    }

    private static func attributeText(_ attributes: [(String, String)]) -> String {
        var out = ""
        for (name, value) in attributes {
            out += " \(name)=\"\(Markup.escape(value))\""
        }
        return out
    }
}
