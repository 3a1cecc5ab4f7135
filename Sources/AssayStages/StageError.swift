/// Why a stage could not compute its outputs, phrased for the person who wrote the experiment:
/// which stage, which parameter or input (a data path), what was expected, and how to fix it.
public struct StageError: Error, CustomStringConvertible, Equatable {
    public var stage: String
    public var path: String?
    public var message: String
    public var help: String?

    public init(stage: String, path: String? = nil, _ message: String, help: String? = nil) {
        self.stage = stage
        self.path = path
        self.message = message
        self.help = help
    }

    public var description: String {
        var text = "stage `\(stage)`"
        if let path { text += " (\(path))" }
        text += ": \(message)"
        if let help { text += "; \(help)" }
        return text
    }
}
