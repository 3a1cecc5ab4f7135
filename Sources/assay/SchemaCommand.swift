import ArgumentParser
import AssayLanguage

/// `assay schema`: prints the JSON Schema of experiment files (checked in as `grammar/assay.schema.json`).
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the JSON Schema of Assay experiment files.")

    @Flag(help: "Print the generated tables of grammar/REFERENCE.md instead.")
    var reference = false

    func run() throws {
        print(reference ? ReferenceGenerator.tables() : SchemaGenerator.schema(), terminator: "")
    }
}
