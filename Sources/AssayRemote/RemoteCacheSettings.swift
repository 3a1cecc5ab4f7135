import AssayEngine
import AssaySupport
import AssaySyntax
import Foundation

/// Which remote cache to use and how, gathered from (weakest first) the user's
/// `~/.config/assay/config.yaml`, the store's `config.yaml`, and the command line:
///
///     remote: http://cache.lab.example:8080/assay   # or `off`
///     token-env: ASSAY_REMOTE_TOKEN                 # the variable holding a bearer token
///     remote-upload: on                             # off: only read from the remote
public struct RemoteCacheSettings: Equatable, Sendable {
    /// Nil: no remote cache.
    public var url: URL?
    /// The environment variable whose value (if set and not empty) is sent as a bearer token.
    public var tokenVariable: String
    public var uploads: Bool

    public static let defaultTokenVariable = "ASSAY_REMOTE_TOKEN"
    public static let keys = ["remote", "token-env", "remote-upload"]

    public init(url: URL? = nil, tokenVariable: String = RemoteCacheSettings.defaultTokenVariable, uploads: Bool = true) {
        self.url = url
        self.tokenVariable = tokenVariable
        self.uploads = uploads
    }

    /// `$XDG_CONFIG_HOME/assay/config.yaml`, else `~/.config/assay/config.yaml`.
    public static func userConfigPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/assay/config.yaml" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/assay/config.yaml"
    }

    public static func storeConfigPath(_ store: Store) -> String { store.root.path + "/config.yaml" }

    /// Applies a config file on top of these settings; a missing file changes nothing.
    public mutating func apply(configFile path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let file: SourceFile
        do { file = try SourceFile.read(path: path) } catch {
            throw RemoteCacheSettingsError("\(path): cannot read the config file: \(error)")
        }
        let parsed = YAMLParser.parse(file)
        if let problem = parsed.diagnostics.first(where: { $0.severity == .error }) {
            throw RemoteCacheSettingsError("\(problem.span.map { "\($0)" } ?? path): \(problem.message)")
        }
        guard let root = parsed.root, !root.isNull else { return }
        guard let pairs = root.pairs else {
            throw RemoteCacheSettingsError("\(root.span): expected a mapping of settings (`remote: URL`), found a \(root.kindName)")
        }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            let value = pair.value
            func text() throws -> String {
                guard let s = value.scalar, !s.isEmpty else {
                    throw RemoteCacheSettingsError("\(value.span): `\(key)` expects a text value, found a \(value.kindName)")
                }
                return s
            }
            switch key {
            case "remote":
                url = try Self.parseURL(try text(), origin: "\(value.span)")
            case "token-env":
                let name = try text()
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw RemoteCacheSettingsError("\(value.span): `token-env` names an environment variable (letters, digits, `_`), not `\(name)`")
                }
                tokenVariable = name
            case "remote-upload":
                uploads = try Self.parseSwitch(try text(), origin: "\(value.span)", option: "remote-upload")
            default:
                let suggestion = EditDistance.suggestion(for: key, among: Self.keys).map { " (did you mean `\($0)`?)" } ?? ""
                throw RemoteCacheSettingsError(
                    "\(pair.key.span): unknown setting `\(key)`\(suggestion); a config file may set \(Self.keys.map { "`\($0)`" }.joined(separator: ", "))")
            }
        }
    }

    /// `http(s)://host[:port][/path]`, or `off`/`none` for no remote.
    public static func parseURL(_ text: String, origin: String) throws -> URL? {
        if text == "off" || text == "none" { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw RemoteCacheSettingsError("\(origin): `\(text)` is not an http:// or https:// URL of a cache server (or `off`)")
        }
        return url
    }

    public static func parseSwitch(_ text: String, origin: String, option: String) throws -> Bool {
        switch text.lowercased() {
        case "on", "true", "yes": return true
        case "off", "false", "no": return false
        default: throw RemoteCacheSettingsError("\(origin): `\(option)` is `on` or `off`, not `\(text)`")
        }
    }

    /// The session the engine uses, or nil when no remote is configured.
    public func session(environment: [String: String] = ProcessInfo.processInfo.environment) -> RemoteCacheSession? {
        guard let url else { return nil }
        let token = environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
        return RemoteCacheSession(cache: HTTPRemoteCache(baseURL: url, token: token), uploads: uploads)
    }
}

public struct RemoteCacheSettingsError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
