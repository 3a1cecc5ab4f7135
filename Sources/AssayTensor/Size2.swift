/// A (height, width) pair for kernel sizes, strides, padding and dilation;
/// an integer literal means the same value on both axes.
public struct Size2: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var h: Int
    public var w: Int

    public init(_ h: Int, _ w: Int) {
        self.h = h
        self.w = w
    }

    public init(_ both: Int) { self.init(both, both) }

    public init(integerLiteral value: Int) { self.init(value, value) }

    public var description: String { h == w ? "\(h)" : "(\(h), \(w))" }
}
