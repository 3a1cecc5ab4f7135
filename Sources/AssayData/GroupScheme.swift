/// Groups as label × attributes, numbered in mixed radix with the label most significant:
///
///     g = ((y · |A₁| + a₁) · |A₂| + a₂) · … 
///
/// so with one attribute g = y · |A| + a (label y, attribute value a, |A| values).
public struct GroupScheme: Hashable, Codable, Sendable {
    public var classNames: [String]
    public var attributeNames: [String]
    /// Value names of each attribute, in `attributeNames` order.
    public var attributeValueNames: [[String]]

    public init(classNames: [String], attributeNames: [String], attributeValueNames: [[String]]) {
        self.classNames = classNames
        self.attributeNames = attributeNames
        self.attributeValueNames = attributeValueNames
    }

    public var groupCount: Int { attributeValueNames.reduce(classNames.count) { $0 * $1.count } }

    /// The group of label `label` with attribute values `values` (one per attribute).
    public func group(label: Int, values: [Int]) -> Int {
        var g = label
        for (k, v) in values.enumerated() { g = g * attributeValueNames[k].count + v }
        return g
    }

    /// The label and attribute values of group `g`.
    public func components(of g: Int) -> (label: Int, values: [Int]) {
        var rest = g
        var values = [Int](repeating: 0, count: attributeNames.count)
        for k in stride(from: attributeNames.count - 1, through: 0, by: -1) {
            let m = attributeValueNames[k].count
            values[k] = rest % m
            rest /= m
        }
        return (rest, values)
    }

    /// A readable name such as `label=coat, border=1`.
    public func name(of g: Int) -> String {
        let (label, values) = components(of: g)
        return (["label=\(classNames[label])"] + attributeNames.indices.map { "\(attributeNames[$0])=\(attributeValueNames[$0][values[$0]])" })
            .joined(separator: ", ")
    }
}
