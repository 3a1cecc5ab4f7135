import ArgumentParser
import AssayLSP
import Foundation

/// `assay lsp`: the language server, speaking LSP over stdin and stdout.
struct LSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp", abstract: "Run the language server (LSP over stdin/stdout) for editors: diagnostics, hover, definitions, completion.")

    func run() throws {
        let output = FileHandle.standardOutput
        let server = LanguageServer(send: { output.write($0) })
        let code = server.run(reader: MessageReader(handle: FileHandle.standardInput))
        throw ExitCode(code)
    }
}
