import ArgumentParser
import AssayEngine
import FlyingFox
import Foundation

/// `assay serve [--store DIR] [--port N]`: the read-only dashboard (`Dashboard`) over HTTP,
/// on 127.0.0.1 unless told otherwise. FlyingFox serves it: Swift concurrency over BSD
/// sockets, without SwiftNIO, so it adds seconds, not minutes, to a build.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Browse the runs of a store in a local, read-only web dashboard.",
        discussion: "Pages: the runs (filter, sort, select to compare), a run's report, a comparison of runs, and live progress of running runs. Ctrl-C stops it.")

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The port to listen on; 0 picks a free one (printed).", valueName: "n"))
    var port: Int = 8765

    @Option(help: ArgumentHelp("The address to listen on. Anything but 127.0.0.1 exposes the store to the network.", valueName: "ip4"))
    var host: String = "127.0.0.1"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        let handle = try store.open()
        let history = try Console.failing("cannot read the history") { try handle.openHistory() }
        let dashboard = Dashboard(store: handle, history: history)
        let address: sockaddr_in
        do { address = try .inet(ip4: host, port: UInt16(port)) } catch {
            Console.error("error: `\(host)` is not an IPv4 address\n  = help: the default, 127.0.0.1, keeps the dashboard on this machine")
            throw ExitCode(2)
        }
        let server = HTTPServer(address: address, logger: .disabled, handler: DashboardHandler(dashboard: dashboard))
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do { try await server.run() } catch { failure.error = error }
            finished.signal()
        }
        Task {
            do {
                try await server.waitUntilListening()
                let bound = await server.listeningAddress
                var shown = port
                if case .ip4(_, let p) = bound { shown = Int(p) }
                Console.progress("serving \(handle.root.path) at http://\(host):\(shown)/ (read-only; Ctrl-C stops)")
            } catch {}
        }
        finished.wait()
        if let error = failure.error {
            Console.error("error: cannot serve on \(host):\(port): \(error)\n  = help: another program may hold the port; try --port 0 for a free one")
            throw ExitCode(1)
        }
    }
}

private final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}

/// Hands FlyingFox requests to the dashboard and adds the page's security headers.
struct DashboardHandler: HTTPHandler {
    let dashboard: Dashboard

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        var query: [String: String] = [:]
        for item in request.query { query[item.name] = item.value }
        // The raw target, so that `/../x` reaches the refusal instead of a normalised path.
        let response = dashboard.respond(method: request.method.rawValue, path: request.target.path(percentEncoded: true), query: query)
        var headers: HTTPHeaders = [
            HTTPHeader("Content-Type"): response.contentType,
            HTTPHeader("Cache-Control"): "no-store",
            HTTPHeader("X-Content-Type-Options"): "nosniff",
        ]
        if let policy = response.contentSecurityPolicy { headers[HTTPHeader("Content-Security-Policy")] = policy }
        let phrases = [200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"]
        let phrase = phrases[response.status] ?? "Error"
        return HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: phrase), headers: headers,
                            body: request.method.rawValue == "HEAD" ? Data() : response.body)
    }
}
