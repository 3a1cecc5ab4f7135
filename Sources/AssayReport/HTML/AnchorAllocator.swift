/// A section with its unique fragment identifier, and its children's.
struct AnchoredSection {
    let section: ReportSection
    let anchor: String
    let children: [AnchoredSection]
}

/// Gives every section a distinct id: the slug of its title, then `-2`, `-3`… on repeats.
struct AnchorAllocator {
    private var used = Set<String>()

    mutating func assign(_ section: ReportSection) -> AnchoredSection {
        let base = Markup.slug(section.title)
        var anchor = base
        var suffix = 2
        while used.contains(anchor) {
            anchor = "\(base)-\(suffix)"
            suffix += 1
        }
        used.insert(anchor)
        let children = section.subsections.map { assign($0) }
        return AnchoredSection(section: section, anchor: anchor, children: children)
    }
}
