import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay in front of an nginx server that passes every byte through until a request
/// matching `cutAt` (say `PUT /cas/`) starts. It forwards that request's head and part of its
/// body, kills nginx, and drops the client's connection: the server dies holding an unfinished
/// upload. Because the relay itself forwarded the partial request, the scenario happens on every
/// attempt, with no sleeping and no reading of kernel queues (which some sandboxes do not fill in).
final class CuttingRelay: @unchecked Sendable {
    let port: Int
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let server: NginxServer
    private let cutAt: [UInt8]
    private let listener: Int32
    private let lock = NSLock()
    private var openSockets: Set<Int32> = []
    private var didCutValue = false
    private var closed = false

    /// Whether a matching request was cut (and the server killed with it in flight).
    var didCut: Bool { lock.withLock { didCutValue } }

    init(to server: NginxServer, cutAt pattern: String) throws {
        self.server = server
        cutAt = Array(pattern.utf8)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.error("socket") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw Self.error("bind/listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    func stop() {
        // Under the lock: a socket closed by `finish` meanwhile could give its number to another
        // socket of the test process, which must not be shut down.
        lock.withLock {
            guard !closed else { return }
            closed = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in openSockets { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                // A client that reset before being accepted, or a signal, is not the end.
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            guard track(client) else { close(client); break }
            let upstream = connectToServer()
            guard upstream >= 0, track(upstream) else {
                // The server is gone: the client's request fails the way a dead server's does.
                if upstream >= 0 { close(upstream) }
                finish(client)
                continue
            }
            let pair = Pair(client, upstream)
            Thread.detachNewThread { [self] in pump(from: client, to: upstream, cutting: true); done(pair) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client, cutting: false); done(pair) }
        }
        lock.withLock {
            closed = true
            close(listener)
        }
    }

    /// Copies bytes one way; the client-to-server direction watches for the request to cut.
    private func pump(from source: Int32, to destination: Int32, cutting: Bool) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        // The end of the previous chunk, so a request line split across two reads is still seen.
        var carried: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            let chunk = Array(buffer[0..<count])
            if cutting, !didCut, let found = Self.find(cutAt, in: carried + chunk) {
                // Forward the head and half of whatever body came with it, then cut.
                let start = max(0, found - carried.count)
                let headEnd = Self.find(Array("\r\n\r\n".utf8), in: chunk, from: start).map { $0 + 4 }
                let keep = headEnd.map { $0 + (count - $0) / 2 } ?? count
                _ = send(destination, chunk, keep, Int32(MSG_NOSIGNAL))
                lock.withLock { didCutValue = true }
                server.kill()
                shutdown(source, Int32(SHUT_RDWR))
                break
            }
            guard send(destination, chunk, count, Int32(MSG_NOSIGNAL)) == count else { break }
            if cutting { carried = Array((carried + chunk).suffix(cutAt.count - 1)) }
        }
        shutdown(destination, Int32(SHUT_RDWR))
        shutdown(source, Int32(SHUT_RDWR))
    }

    /// The two sockets of one relayed connection, closed by whichever pump finishes last (closing
    /// earlier could hand a number still being read to another socket of the test process).
    private final class Pair: @unchecked Sendable {
        let sockets: (Int32, Int32)
        var running = 2
        init(_ a: Int32, _ b: Int32) { sockets = (a, b) }
    }

    private func done(_ pair: Pair) {
        let last: Bool = lock.withLock {
            pair.running -= 1
            return pair.running == 0
        }
        if last { finish(pair.sockets.0); finish(pair.sockets.1) }
    }

    private func track(_ fd: Int32) -> Bool {
        lock.withLock {
            guard !closed else { return false }
            openSockets.insert(fd)
            return true
        }
    }

    private func finish(_ fd: Int32) {
        lock.withLock {
            shutdown(fd, Int32(SHUT_RDWR))
            openSockets.remove(fd)
            close(fd)
        }
    }

    private func connectToServer() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = Self.loopback(port: server.port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(fd); return -1 }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    private static func error(_ call: String) -> NSError {
        NSError(domain: "CuttingRelay", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(errno)))"])
    }
}
