import ArgumentParser
import AssayStages
import AssaySupport
import Foundation

/// The root command. Subcommands are one file each; exit codes: 0 success, 1 errors found, 2 usage.
struct Assay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assay",
        abstract: "Declarative ML experiments: check, plan and run YAML experiment files.",
        version: ExecutionEnvironment.assayVersion,
        subcommands: [
            CheckCommand.self, PlanCommand.self, RunCommand.self, StatusCommand.self, ExplainCommand.self, LogCommand.self, ShowCommand.self,
            LineageCommand.self,
            DiffCommand.self, GCCommand.self, ExportCommand.self, ExportModelCommand.self, ImportCommand.self, SchemaCommand.self, ReportCommand.self, ServeCommand.self, VerifyCommand.self, RunStageCommand.self, LSPCommand.self,
        ])
}

/// What the `assay` executable runs (Sources/AssayEntry).
public enum AssayMain {
    public static func main() {
        do {
            var command = try Assay.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = Assay.exitCode(for: error)
            if code == .success {
                print(Assay.fullMessage(for: error))
                exit(0)
            }
            let text = SystemErrorText.isSystemError(error) ? "Error: " + SystemErrorText.message(for: error) : Assay.fullMessage(for: error)
            FileHandle.standardError.write(Data((text + "\n").utf8))
            // Usage problems exit 2 (argument-parser's default is 64).
            exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}
