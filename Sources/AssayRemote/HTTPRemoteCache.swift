import AssayEngine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A remote cache over HTTP with the protocol Bazel's remote caches speak (bazel-remote,
/// nginx with WebDAV `PUT`, most S3-style proxies): `GET`, `PUT` and `HEAD` of
/// `<base>/cas/<sha256>` for objects and `<base>/ac/<sha256>` for action records; 200 means
/// found, 404 not found; an optional bearer token goes in `Authorization`.
///
/// Built on Foundation's `URLSession` (libcurl underneath on Linux, part of the Swift
/// toolchain): no package to resolve and no build minutes added, which a client making a few
/// blocking requests per stage does not need (see README, "Remote cache").
public final class HTTPRemoteCache: RemoteCache, @unchecked Sendable {
    public let baseURL: URL
    public let location: String
    private let token: String?
    private let session: URLSession
    private let timeout: Double

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
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    public func read(_ entry: RemoteEntry) throws -> [UInt8]? {
        let (status, body) = try perform(request("GET", entry)) { session, request, done in
            session.dataTask(with: request) { data, response, error in done(data, response, error) }
        }
        if status == 404 { return nil }
        try expect(status, [200], "GET", entry)
        return [UInt8](body ?? Data())
    }

    public func download(_ entry: RemoteEntry, to path: String) throws -> Bool {
        guard let bytes = try read(entry) else { return false }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw RemoteCacheError("cannot write the download of \(entry.path) to \(path)")
        }
        return true
    }

    public func exists(_ entry: RemoteEntry) throws -> Bool {
        let (status, _) = try perform(request("HEAD", entry)) { session, request, done in
            session.dataTask(with: request) { data, response, error in done(data, response, error) }
        }
        if status == 404 { return false }
        try expect(status, [200], "HEAD", entry)
        return true
    }

    public func write(_ entry: RemoteEntry, bytes: [UInt8]) throws {
        let (status, _) = try perform(request("PUT", entry)) { session, request, done in
            session.uploadTask(with: request, from: Data(bytes)) { data, response, error in done(data, response, error) }
        }
        try expect(status, [200, 201, 204], "PUT", entry)
    }

    public func upload(_ entry: RemoteEntry, fileAt path: String) throws {
        let file = URL(fileURLWithPath: path)
        let (status, _) = try perform(request("PUT", entry)) { session, request, done in
            session.uploadTask(with: request, fromFile: file) { data, response, error in done(data, response, error) }
        }
        try expect(status, [200, 201, 204], "PUT", entry)
    }

    // MARK: Requests

    private func request(_ method: String, _ entry: RemoteEntry) -> URLRequest {
        var request = URLRequest(url: baseURL.appendingPathComponent(entry.kind.rawValue).appendingPathComponent(entry.digest.hex))
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if method == "PUT" { request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type") }
        return request
    }

    /// Runs one task to completion (the engine's callers are worker threads that may block).
    private func perform(
        _ request: URLRequest,
        _ makeTask: (URLSession, URLRequest, @escaping @Sendable (Data?, URLResponse?, Error?) -> Void) -> URLSessionTask
    ) throws -> (status: Int, body: Data?) {
        let box = ResponseBox()
        let task = makeTask(session, request) { data, response, error in box.fill(data, response, error) }
        task.resume()
        box.wait()
        if let error = box.error { throw RemoteCacheError(Self.describe(error, request: request)) }
        guard let http = box.response as? HTTPURLResponse else {
            throw RemoteCacheError("\(request.httpMethod ?? "") \(request.url?.absoluteString ?? ""): no HTTP response")
        }
        return (http.statusCode, box.data)
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

    /// A network error in words (never a bare NSURLErrorDomain code).
    static func describe(_ error: Error, request: URLRequest) -> String {
        let target = "\(request.httpMethod ?? "") \(request.url?.absoluteString ?? "")"
        guard let urlError = error as? URLError else { return "\(target): \(error)" }
        let why: String
        switch urlError.code {
        case .cannotConnectToHost: why = "connection refused"
        case .cannotFindHost, .dnsLookupFailed: why = "unknown host"
        case .timedOut: why = "no answer in time"
        case .networkConnectionLost: why = "the connection was lost"
        case .notConnectedToInternet: why = "no network"
        case .badServerResponse: why = "the server sent a malformed response"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid:
            why = "the TLS connection failed"
        case .unsupportedURL, .badURL: why = "not a URL this client can use"
        default: why = "network error \(urlError.code.rawValue)"
        }
        return "\(target): \(why)"
    }
}

/// The result of one task, handed from URLSession's queue to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private(set) var data: Data?
    private(set) var response: URLResponse?
    private(set) var error: Error?

    func fill(_ data: Data?, _ response: URLResponse?, _ error: Error?) {
        self.data = data
        self.response = response
        self.error = error
        done.signal()
    }

    func wait() { done.wait() }
}
