import AssayEngine
import CCurl
import Foundation

/// A remote cache over HTTP with the protocol Bazel's remote caches speak (bazel-remote,
/// nginx with WebDAV `PUT`, most S3-style proxies): `GET`, `PUT` and `HEAD` of
/// `<base>/cas/<sha256>` for objects and `<base>/ac/<sha256>` for action records; 200 means
/// found, 404 not found; an optional bearer token goes in `Authorization`.
///
/// Built on libcurl's easy interface, loaded on the first request (`CCurl`): Foundation's
/// `URLSession` would link libcurl and its ~30 libraries into every `assay` process, remote or
/// not (see README, "Remote cache"). Requests block the calling worker thread; idle clients are
/// kept so their connections are reused.
public final class HTTPRemoteCache: RemoteCache, @unchecked Sendable {
    public let baseURL: URL
    public let location: String
    private let token: String?
    private let timeout: Double
    private let idleLock = NSLock()
    private var idleClients: [OpaquePointer] = []

    /// - Parameter token: sent as `Authorization: Bearer <token>` when given.
    /// - Parameter timeout: seconds a request may stay silent before it counts as failed.
    public init(baseURL: URL, token: String? = nil, timeout: Double = 30) {
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
        var parts = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)
        parts?.user = nil
        parts?.password = nil
        location = parts?.string ?? baseURL.absoluteString
    }

    deinit { idleClients.forEach { assay_http_client_close($0) } }

    public func read(_ entry: RemoteEntry) throws -> [UInt8]? {
        let (status, body) = try perform("GET", entry)
        if status == 404 { return nil }
        try expect(status, [200], "GET", entry)
        return body
    }

    public func download(_ entry: RemoteEntry, to path: String) throws -> Bool {
        guard let bytes = try read(entry) else { return false }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw RemoteCacheError("cannot write the download of \(entry.path) to \(path)")
        }
        return true
    }

    public func exists(_ entry: RemoteEntry) throws -> Bool {
        let (status, _) = try perform("HEAD", entry)
        if status == 404 { return false }
        try expect(status, [200], "HEAD", entry)
        return true
    }

    public func write(_ entry: RemoteEntry, bytes: [UInt8]) throws {
        let (status, _) = try perform("PUT", entry, body: .bytes(bytes))
        try expect(status, [200, 201, 204], "PUT", entry)
    }

    public func upload(_ entry: RemoteEntry, fileAt path: String) throws {
        let (status, _) = try perform("PUT", entry, body: .file(path))
        try expect(status, [200, 201, 204], "PUT", entry)
    }

    // MARK: Requests

    private enum Body {
        case none
        case bytes([UInt8])
        case file(String)
    }

    /// Sends one request and waits for its status and body.
    private func perform(_ method: String, _ entry: RemoteEntry, body: Body = .none) throws -> (status: Int, body: [UInt8]) {
        let url = baseURL.appendingPathComponent(entry.kind.rawValue).appendingPathComponent(entry.digest.hex).absoluteString
        var headers: [String] = []
        if let token { headers.append("Authorization: Bearer \(token)") }
        if method == "PUT" { headers.append("Content-Type: application/octet-stream") }
        let target = "\(method) \(location)/\(entry.path)"

        let client = try takeClient(for: target)
        defer { giveBack(client) }
        var response = assay_http_response()
        defer { assay_http_response_free(&response) }
        let answered = Self.withCStrings(headers) { headerLines in
            method.withCString { method in
                url.withCString { url in
                    var request = assay_http_request()
                    request.method = method
                    request.url = url
                    request.headers = headerLines.baseAddress
                    request.header_count = headerLines.count
                    request.timeout_seconds = max(1, Int(timeout.rounded(.up)))
                    switch body {
                    case .none:
                        return assay_http_perform(client, &request, &response)
                    case .bytes(let bytes):
                        return bytes.withUnsafeBufferPointer { buffer in
                            request.body = buffer.baseAddress
                            request.body_length = buffer.count
                            return assay_http_perform(client, &request, &response)
                        }
                    case .file(let path):
                        return path.withCString { path in
                            request.body_path = path
                            return assay_http_perform(client, &request, &response)
                        }
                    }
                }
            }
        }
        guard answered == 1 else { throw RemoteCacheError(Self.describe(response, target: target)) }
        let bytes = response.body.map { [UInt8](UnsafeBufferPointer(start: $0, count: response.body_length)) } ?? []
        return (Int(response.status), bytes)
    }

    private func takeClient(for target: String) throws -> OpaquePointer {
        idleLock.lock()
        let idle = idleClients.popLast()
        idleLock.unlock()
        if let idle { return idle }
        var response = assay_http_response()
        guard let client = assay_http_client_open(&response) else {
            throw RemoteCacheError(Self.describe(response, target: target))
        }
        return client
    }

    private func giveBack(_ client: OpaquePointer) {
        idleLock.lock()
        idleClients.append(client)
        idleLock.unlock()
    }

    private func expect(_ status: Int, _ accepted: Set<Int>, _ method: String, _ entry: RemoteEntry) throws {
        guard !accepted.contains(status) else { return }
        switch status {
        case 401, 403:
            throw RemoteCacheError("\(method) \(entry.path): the server refused access (HTTP \(status)); check the token (`token-env:` in the config)")
        default:
            throw RemoteCacheError("\(method) \(entry.path): the server answered HTTP \(status)")
        }
    }

    /// A failed request in words (never a bare libcurl code).
    static func describe(_ response: assay_http_response, target: String) -> String {
        let detail = withUnsafeBytes(of: response.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let why: String
        switch response.failure {
        case assay_http_library_missing:
            why = "cannot load libcurl (\(detail)); install it (Debian/Ubuntu: apt-get install libcurl4) to use a remote cache"
        case assay_http_refused: why = "connection refused"
        case assay_http_unknown_host: why = "unknown host"
        case assay_http_timed_out: why = "no answer in time"
        case assay_http_connection_lost: why = "the connection was lost"
        case assay_http_malformed_reply: why = "the server sent a malformed response"
        case assay_http_tls_failed: why = "the TLS connection failed (\(detail))"
        case assay_http_bad_url: why = "not a URL this client can use"
        default: why = detail
        }
        return "\(target): \(why)"
    }

    /// Calls `body` with the strings as a C array of NUL-terminated lines.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        return pointers.withUnsafeBufferPointer(body)
    }
}
