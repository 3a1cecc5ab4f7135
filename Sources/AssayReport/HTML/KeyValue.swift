/// A labelled value in a key–value list (run summary, stage parameters).
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: ReportCell

    public init(_ key: String, _ value: ReportCell) {
        self.key = key
        self.value = value
    }
}
