import AssaySupport

/// Resources one stage asks for (from the stage's `resources:`, else the experiment's defaults).
public struct ResourceSpec: Hashable, Codable, Sendable {
    public var cpus: Int
    public var memoryBytes: Int
    public var timeSeconds: Int
    public var partition: String?
    public var gpus: Int

    public init(cpus: Int = 1, memoryBytes: Int = 4 << 30, timeSeconds: Int = 3600, partition: String? = nil, gpus: Int = 0) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.timeSeconds = timeSeconds
        self.partition = partition
        self.gpus = gpus
    }
}

extension ResourceSpec {
    /// These resources with the fields a checked `resources:` block writes (`c` checked from `v`) replaced.
    func overridden(by c: CanonicalValue, given v: Value) -> ResourceSpec {
        overridden(by: c, fields: Set(v.entries?.map(\.key) ?? []))
    }

    /// These resources with `fields` of `c` replaced (fields absent from `c`, which failed their check, are kept).
    func overridden(by c: CanonicalValue, fields: Set<String>) -> ResourceSpec {
        var r = self
        if fields.contains("cpus"), let x = c["cpus"]?.intValue { r.cpus = x }
        if fields.contains("memory"), let x = c["memory"]?.intValue { r.memoryBytes = x }
        if fields.contains("time"), let x = c["time"]?.intValue { r.timeSeconds = x }
        if fields.contains("partition"), let x = c["partition"]?.stringValue { r.partition = x }
        if fields.contains("gpus"), let x = c["gpus"]?.intValue { r.gpus = x }
        return r
    }
}
