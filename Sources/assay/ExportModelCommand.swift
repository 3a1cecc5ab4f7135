import ArgumentParser
import AssayEngine
import AssayStages
import AssaySupport
import Foundation

/// `assay export-model FILE STAGE -o OUT` (or `--digest D`): a trained model as a plain safetensors
/// state dict with torchvision's tensor names, which PyTorch loads with `load_state_dict(strict=True)`.
struct ExportModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-model",
        abstract: "Write a trained model as a safetensors file with torchvision-style names (loadable by PyTorch).",
        discussion: """
            Name the model by experiment file and stage (a `train`, `attack` or `segmentation-train` stage that has run), \
            or by the digest of its artifact with --digest (as `assay show STAGE` prints it):

              assay export-model experiments/architectures.yaml fine-tune -o fine-tuned.safetensors
              assay export-model --digest 3f2a9c1e --store experiments/.assay -o model.safetensors
            """)

    @Argument(help: "The experiment file (leave out with --digest).")
    var file: String?

    @Argument(help: "The stage whose trained model is exported.")
    var stage: String?

    @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Override a parameter: -p name=value.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("The sweep point, as `assay plan` labels it (needed when the file sweeps).", valueName: "label"))
    var point: String?

    @Option(help: ArgumentHelp("Export the model artifact with this digest (or unique prefix) instead of naming a stage.", valueName: "hex"))
    var digest: String?

    @Option(help: ArgumentHelp("The store folder (default: .assay/ beside the experiment; `.assay` with --digest).", valueName: "dir"))
    var store: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The safetensors file to write (replaced atomically).", valueName: "file"))
    var output: String

    func validate() throws {
        if digest != nil {
            guard file == nil, stage == nil, parameters.isEmpty, point == nil else {
                throw ValidationError("with --digest, name no experiment file, stage, -p or --point")
            }
        } else {
            guard file != nil, stage != nil else {
                throw ValidationError("name the model: `assay export-model FILE STAGE -o OUT`, or `assay export-model --digest HEX -o OUT`")
            }
        }
    }

    func run() throws {
        let artifact: ModelArtifactLocator.Found
        let name: String
        if let digest {
            var options = StoreOptions()
            if let store { options.store = store }
            let handle = try options.open()
            artifact = try locating { try ModelArtifactLocator.artifact(digest: digest, store: handle) }
            name = "artifact \(artifact.digest.short)"
        } else {
            let file = file!, stage = stage!
            var options = ExperimentOptions()
            options.file = file
            options.parameters = parameters
            options.store = store
            try options.validate()
            let session = try options.load()
            let selecting = (parameters.flatMap { ["-p", $0] } + (store.map { ["--store", $0] } ?? []))
                .map { $0.contains(" ") ? " '\($0)'" : " \($0)" }.joined()
            artifact = try locating {
                try ModelArtifactLocator.artifact(ofStage: stage, point: point, points: session.points, engine: session.engine(), file: file, options: selecting)
            }
            name = "stage `\(stage)`" + (point.map { " [\($0)]" } ?? "")
        }
        let destination = URL(fileURLWithPath: output)
        do { try ModelExport.export(artifact: artifact.url, to: destination, stage: stage ?? "export-model") } catch let error as StageError {
            Console.error("error: cannot export \(name): \(error.message)" + (error.help.map { "\n  = help: \($0)" } ?? ""))
            throw ExitCode(1)
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: destination.path))?[.size] as? NSNumber)?.int64Value ?? 0
        print("wrote \(output): \(name) as a torchvision-named state dict, \(StoreStatistics.bytes(size))")
    }

    /// Runs a lookup; its failure becomes the error and its advice, exit code 1.
    private func locating<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as ModelArtifactLocator.Failure {
            Console.error("error: \(failure.message)\n  = help: \(failure.help)")
            throw ExitCode(1)
        } catch let exit as ExitCode { throw exit } catch {
            Console.error("error: cannot read the store: \(SystemErrorText.message(for: error))")
            throw ExitCode(1)
        }
    }
}
