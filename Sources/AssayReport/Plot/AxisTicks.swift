import Foundation

/// The extent of an axis and where its labelled ticks go.
///
/// Linear axes use "nice numbers" (steps of 1, 2 or 5 times a power of ten,
/// after Heckbert, Graphics Gems 1990) and widen the domain to whole steps.
/// Logarithmic axes tick at powers of ten, adding 2× and 5× when the data span
/// few decades. Empty or constant data still yield a usable, finite axis.
public struct AxisTicks: Sendable, Equatable {
    public enum Scale: Sendable, Equatable {
        case linear
        case logarithmic
    }

    public let scale: Scale
    /// The domain's ends: values here map to the axis ends.
    public let lower: Double
    public let upper: Double
    /// Tick positions in data units, ascending, all within `lower...upper`.
    public let values: [Double]
    /// One label per tick.
    public let labels: [String]

    /// A linear axis covering every finite value, with about `targetCount` ticks.
    public static func linear(covering data: [Double], targetCount: Int = 5) -> AxisTicks {
        // Clamping far beyond any metric keeps `high - low` and the tick arithmetic finite.
        let finite = data.filter(\.isFinite).map { min(max($0, -1e306), 1e306) }
        guard var low = finite.min(), var high = finite.max() else {
            return linear(covering: [0, 1], targetCount: targetCount)
        }
        if high - low <= max(abs(low), abs(high)) * 1e-12 {
            // A constant series (or one whose spread is below floating-point resolution): open a window around it.
            let half = low == 0 ? 1 : abs(low) * 0.1
            low -= half
            high += half
        }
        let span = niceNumber(high - low, round: false)
        let step = niceNumber(span / Double(max(targetCount - 1, 1)), round: true)
        let firstIndex = (low / step).rounded(.down)
        let lastIndex = (high / step).rounded(.up)
        // Bounded by construction (about targetCount ticks); the cap only guards against float surprises.
        let count = Int(min(max(lastIndex - firstIndex, 0), 1000))
        let values = (0...count).map { offset -> Double in
            let value = (firstIndex + Double(offset)) * step
            return abs(value) < step * 1e-9 ? 0 : value
        }
        let decimals = max(0, -Int((log10(step) + 1e-9).rounded(.down)))
        let labels = values.map { linearLabel($0, decimals: decimals) }
        return AxisTicks(scale: .linear, lower: values.first ?? low, upper: values.last ?? high, values: values, labels: labels)
    }

    /// A base-10 logarithmic axis covering every finite positive value (others cannot be drawn).
    public static func logarithmic(covering data: [Double]) -> AxisTicks {
        let positive = data.filter { $0.isFinite && $0 > 0 }
        guard let low = positive.min(), let high = positive.max() else {
            return logarithmic(covering: [1, 10])
        }
        let lowExponent = Int(log10(low).rounded(.down))
        var highExponent = Int(log10(high).rounded(.up))
        if highExponent <= lowExponent { highExponent = lowExponent + 1 }
        let decades = highExponent - lowExponent
        let exponentStep = max(1, Int((Double(decades) / 6).rounded(.up)))
        var values: [Double] = []
        var exponent = lowExponent
        while exponent <= highExponent {
            let power = pow(10, Double(exponent))
            values.append(power)
            if decades <= 2 && exponent < highExponent {
                values.append(2 * power)
                values.append(5 * power)
            }
            exponent += exponentStep
        }
        let upper = pow(10, Double(highExponent))
        if values.last! < upper { values.append(upper) }
        return AxisTicks(scale: .logarithmic, lower: pow(10, Double(lowExponent)), upper: upper,
                         values: values, labels: values.map(logLabel))
    }

    /// Where `value` falls along the axis, 0 at `lower` and 1 at `upper`; nil if it cannot be drawn.
    public func fraction(of value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            return (value - lower) / (upper - lower)
        case .logarithmic:
            guard value > 0 else { return nil }
            return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    /// 1, 2, 5 or 10 times a power of ten near `value`: rounded or the next above.
    static func niceNumber(_ value: Double, round: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let exponent = log10(value).rounded(.down)
        let power = pow(10, exponent)
        let fraction = value / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    static func linearLabel(_ value: Double, decimals: Int) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return NumberFormat.scientificText(value, decimals: 1) }
        if magnitude >= 10_000 && decimals == 0 {
            // 10k, 250k: tick labels stay short.
            return NumberFormat.trimZeros(NumberFormat.fixedText(value / 1000, decimals: 1)) + "k"
        }
        return NumberFormat.fixedText(value, decimals: decimals)
    }

    static func logLabel(_ value: Double) -> String {
        let exponent = Int(log10(value).rounded(.down))
        if exponent >= -3 && exponent <= 4 {
            return NumberFormat.trimZeros(NumberFormat.fixedText(value, decimals: max(0, -exponent)))
        }
        return NumberFormat.trimZeros(NumberFormat.scientificText(value, decimals: 0))
    }
}
