import AssayEngine

extension Store {
    /// Opens the run history and says, once, on standard error, when it had to be rebuilt.
    func openHistoryReporting() throws -> History {
        let history = try openHistory()
        if let recovery = history.recovery { Console.error("warning: \(recovery)") }
        return history
    }
}
