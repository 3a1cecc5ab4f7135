/// Short human durations for progress lines and plan tables: `850ms`, `12.3s`, `4m05s`, `2h03m`.
public enum DurationText {
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        // Below 59.95 s one decimal; above, "60.0s" would read oddly, so minutes take over.
        if seconds < 59.95 { return NumberFormat.fixedText(seconds, decimals: 1) + "s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m" + twoDigits(whole % 60) + "s" }
        if whole < 100 * 3600 { return "\(whole / 3600)h" + twoDigits(whole / 60 % 60) + "m" }
        return "\(whole / 86400)d" + twoDigits(whole / 3600 % 24) + "h"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
