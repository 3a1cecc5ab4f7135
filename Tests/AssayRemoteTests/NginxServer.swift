import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP cache for the tests: Debian's nginx with WebDAV `PUT` on a temporary root,
/// its own config, listening on a free port of 127.0.0.1, started and stopped by the test.
/// Under `CI=true` a missing nginx fails the test (scripts/setup.sh installs it); elsewhere the
/// test is skipped.
final class NginxServer {
    let directory: URL
    let root: URL
    let port: Int
    private let process = Process()

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    static func executable() -> String? {
        for path in ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    /// Starts nginx, or skips the test (fails it under CI) when nginx is not installed.
    /// - Parameter token: when given, every request must carry `Authorization: Bearer <token>`.
    static func start(token: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> NginxServer {
        guard let nginx = executable() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("nginx is not installed: run scripts/setup.sh (CI must run the remote-cache tests)", file: file, line: line)
            }
            throw XCTSkip("nginx is not installed (scripts/setup.sh installs it); remote-cache tests skipped")
        }
        return try NginxServer(nginx: nginx, token: token)
    }

    private init(nginx: String, token: String?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-nginx-\(UUID().uuidString)")
        root = directory.appendingPathComponent("root")
        for sub in ["root", "logs", "body"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        port = try Self.freePort()
        let d = directory.path
        let guardToken = token.map { "if ($http_authorization != \"Bearer \($0)\") { return 401; }" } ?? ""
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            error_log \(d)/logs/error.log warn;
            pid \(d)/nginx.pid;
            events { worker_connections 64; }
            http {
                access_log \(d)/logs/access.log;
                client_body_temp_path \(d)/body;
                proxy_temp_path \(d)/body;
                fastcgi_temp_path \(d)/body;
                uwsgi_temp_path \(d)/body;
                scgi_temp_path \(d)/body;
                server {
                    listen 127.0.0.1:\(port);
                    root \(root.path);
                    client_max_body_size 0;
                    location / {
                        \(guardToken)
                        dav_methods PUT;
                        create_full_put_path on;
                        dav_access user:rw group:r all:r;
                    }
                }
            }

            """
        let configPath = d + "/nginx.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-p", d, "-c", configPath, "-e", d + "/logs/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !Self.accepts(port: port) {
            guard process.isRunning, Date() < deadline else {
                let log = (try? String(contentsOfFile: d + "/logs/error.log", encoding: .utf8)) ?? ""
                stop()
                throw NSError(domain: "NginxServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "nginx did not start: \(log)"])
            }
            usleep(20_000)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the server at once (SIGKILL: no graceful finishing of requests in flight).
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// The file nginx serves for `cas/<hex>` or `ac/<hex>`.
    func file(_ path: String) -> URL { root.appendingPathComponent(path) }

    func entries(_ kind: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(kind).path)) ?? []).sorted()
    }

    /// A port nothing listens on right now (bind to 0, read it back, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "NginxServer", code: 2, userInfo: [NSLocalizedDescriptionKey: "no free port"]) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
