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
