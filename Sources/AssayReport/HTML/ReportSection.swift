/// A titled part of a report; sections nest one level per subsection.
public struct ReportSection: Sendable {
    public var title: String
    public var blocks: [ReportBlock]
    public var subsections: [ReportSection]

    public init(title: String, blocks: [ReportBlock] = [], subsections: [ReportSection] = []) {
        self.title = title
        self.blocks = blocks
        self.subsections = subsections
    }

    public mutating func add(_ block: ReportBlock) {
        blocks.append(block)
    }

    public mutating func add(_ subsection: ReportSection) {
        subsections.append(subsection)
    }
}
