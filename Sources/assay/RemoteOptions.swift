import ArgumentParser
import AssayEngine
import AssayRemote
import AssaySupport
import Foundation

/// `--remote URL` and `--remote-upload on|off`, over the `remote:` settings of the user's
/// `~/.config/assay/config.yaml` and the store's `config.yaml` (the store's wins, flags win over both).
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A cache server shared with other machines (Bazel's HTTP remote-cache protocol: GET/PUT/HEAD /cas and /ac); `off` ignores the configured one.",
        valueName: "url"))
    var remote: String?

    @Option(help: ArgumentHelp("`off`: only read from the remote cache, upload nothing (default: on).", valueName: "on|off"))
    var remoteUpload: String?

    /// The settings for `store`, as the config files and these flags give them.
    func settings(for store: Store) throws -> RemoteCacheSettings {
        var settings = RemoteCacheSettings()
        do {
            try settings.apply(configFile: RemoteCacheSettings.userConfigPath())
            try settings.apply(configFile: RemoteCacheSettings.storeConfigPath(store))
            if let remote { settings.url = try RemoteCacheSettings.parseURL(remote, origin: "--remote") }
            if let remoteUpload { settings.uploads = try RemoteCacheSettings.parseSwitch(remoteUpload, origin: "--remote-upload", option: "remote-upload") }
        } catch let error as RemoteCacheSettingsError {
            Console.error("error: \(SystemErrorText.message(for: error))")
            throw ExitCode(1)
        }
        return settings
    }

    func session(for store: Store) throws -> RemoteCacheSession? { try settings(for: store).session() }

    /// The words that pass these settings on to `assay run-stage` in a cluster job.
    static func arguments(for settings: RemoteCacheSettings) -> [String] {
        guard let url = settings.url else { return ["--remote", "off"] }
        return ["--remote", url.absoluteString, "--remote-upload", settings.uploads ? "on" : "off", "--remote-token-env", settings.tokenVariable]
    }
}
