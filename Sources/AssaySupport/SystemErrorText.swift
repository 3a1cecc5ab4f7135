import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Foundation and POSIX errors in words: what failed (the operation and the path) and why, never
/// an `NSCocoaErrorDomain error 256` or `Error Domain=… Code=640` dump. A full disk says "disk
/// full", with the space needed and left when known.
///
/// ```swift
/// do { try data.write(to: url) } catch {
///     throw MyError.io(SystemErrorText.describe(error, operation: "write", path: url.path, bytesNeeded: data.count))
/// }
/// // disk full: cannot write `/store/objects/ab/cd…`: 2.0 MiB needed, 12.0 KiB free on its file system. To fix, free space on that disk.
/// ```
public enum SystemErrorText {
    /// One sentence: "cannot OPERATION `PATH`: REASON", or the disk-full sentence. `path` defaults to
    /// the one Foundation recorded in the error; `bytesNeeded` is how much the operation meant to write.
    public static func describe(_ error: Error, operation: String, path: String? = nil, bytesNeeded: Int? = nil) -> String {
        let where_ = path ?? recordedPath(error)
        let subject = where_.map { "cannot \(operation) `\($0)`" } ?? "cannot \(operation)"
        if let code = posixCode(error), code == ENOSPC || code == EDQUOT {
            return diskFull(subject: subject, path: where_, bytesNeeded: bytesNeeded, quota: code == EDQUOT)
        }
        return "\(subject): \(reason(error))"
    }

    /// The disk-full sentence for a failed write(2) (`errno` ENOSPC or EDQUOT) on `path`.
    public static func describe(errno code: Int32, operation: String, path: String, bytesNeeded: Int? = nil) -> String {
        if code == ENOSPC || code == EDQUOT {
            return diskFull(subject: "cannot \(operation) `\(path)`", path: path, bytesNeeded: bytesNeeded, quota: code == EDQUOT)
        }
        return "cannot \(operation) `\(path)`: \(reason(errno: code))"
    }

    /// Whether the error is Foundation's or the system's (or a JSON coding error), whose own text is a dump.
    public static func isSystemError(_ error: Error) -> Bool {
        let domain = (error as NSError).domain
        return error is EncodingError || error is DecodingError || domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// The error after `context` ("cannot write /x"): when the context already names the path
    /// Foundation recorded, only the reason follows; otherwise the whole ``message(for:)``.
    public static func message(for error: Error, after context: String) -> String {
        if isSystemError(error), let path = recordedPath(error), context.contains(path) { return reason(error) }
        return message(for: error)
    }

    /// Any error as a sentence for the user: Foundation, POSIX and JSON coding errors in words
    /// (naming the path Foundation recorded), every other error by its own description.
    public static func message(for error: Error) -> String {
        guard isSystemError(error) else { return String(describing: error) }
        if error is EncodingError || error is DecodingError { return reason(error) }
        let ns = error as NSError
        // Foundation's codes 256–511 are read errors, 512–1023 write errors.
        let operation = (256..<512).contains(ns.code) ? "read" : (512..<1024).contains(ns.code) ? "write" : "access"
        return describe(error, operation: operation)
    }

    /// Why, without the path: "no such file or directory", "permission denied", "disk full (2.0 MiB
    /// needed, 12.0 KiB free on its file system)", … Errors that are not Foundation's or the
    /// system's keep their own description. `path` and `bytesNeeded` serve the disk-full case.
    public static func reason(_ error: Error, path: String? = nil, bytesNeeded: Int? = nil) -> String {
        if let code = posixCode(error) { return reason(errno: code, path: path ?? recordedPath(error), bytesNeeded: bytesNeeded) }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain, let words = cocoaReasons[ns.code] { return words }
        if let encoding = error as? EncodingError { return describe(encoding) }
        if let decoding = error as? DecodingError { return describe(decoding) }
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            return "an unexpected system error (\(ns.domain == NSPOSIXErrorDomain ? "errno" : "Foundation code") \(ns.code))"
        }
        return String(describing: error)
    }

    /// `strerror` in lower case, with the common cases phrased for someone who did not write the code;
    /// `path` and `bytesNeeded` serve the disk-full case.
    public static func reason(errno code: Int32, path: String? = nil, bytesNeeded: Int? = nil) -> String {
        switch code {
        case ENOSPC, EDQUOT: return diskFullReason(path: path, bytesNeeded: bytesNeeded, quota: code == EDQUOT)
        case ENOENT: return "no such file or directory"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "the file system is read-only"
        case EISDIR: return "it is a directory, not a file"
        case ENOTDIR: return "a part of the path is a file, not a directory"
        case EEXIST: return "it already exists"
        case EIO: return "input/output error (the disk or network file system failed)"
        case EMFILE, ENFILE: return "too many open files (raise `ulimit -n`)"
        case ENAMETOOLONG: return "the path is too long"
        case ENOTEMPTY: return "the directory is not empty"
        case EXDEV: return "it is on another file system"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    /// Whether the error is a full disk or an exhausted quota.
    public static func isDiskFull(_ error: Error) -> Bool {
        posixCode(error) == ENOSPC || posixCode(error) == EDQUOT
    }

    /// The errno behind a POSIX error, or behind a Foundation file error (its underlying error, or
    /// the errno its code stands for).
    static func posixCode(_ error: Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        // On Linux the underlying error may be a Swift `POSIXError`, which does not cast to NSError from `Any`.
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, (underlying as NSError).domain == NSPOSIXErrorDomain {
            return Int32((underlying as NSError).code)
        }
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        switch ns.code {
        case CocoaError.fileWriteOutOfSpace.rawValue: return ENOSPC
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return ENOENT
        case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue: return EACCES
        case CocoaError.fileWriteVolumeReadOnly.rawValue: return EROFS
        case CocoaError.fileWriteFileExists.rawValue: return EEXIST
        default: return nil
        }
    }

    /// Foundation codes with no errno behind them (256 and 512 are "unknown read/write error").
    static let cocoaReasons: [Int: String] = [
        CocoaError.fileReadUnknown.rawValue: "an unknown error while reading",
        CocoaError.fileWriteUnknown.rawValue: "an unknown error while writing",
        CocoaError.fileReadCorruptFile.rawValue: "the file is damaged or not in the expected format",
        CocoaError.fileReadTooLarge.rawValue: "the file is too large to read into memory",
        CocoaError.fileReadInapplicableStringEncoding.rawValue: "the file is not valid text in the expected encoding",
        CocoaError.fileWriteInapplicableStringEncoding.rawValue: "the text cannot be written in the requested encoding",
        CocoaError.fileWriteInvalidFileName.rawValue: "the file name is not valid",
        CocoaError.fileLocking.rawValue: "the file is locked",
    ]

    /// The path Foundation recorded in the error, if any.
    public static func recordedPath(_ error: Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        return (info[NSURLErrorKey] as? URL)?.path
    }

    /// "disk full: cannot write `/x` (2.0 MiB needed, 12.0 KiB free on its file system). To fix, …"
    static func diskFull(subject: String, path: String?, bytesNeeded: Int?, quota: Bool) -> String {
        let amounts = spaceAmounts(path: path, bytesNeeded: bytesNeeded)
        return "\(quota ? "disk quota exceeded" : "disk full"): \(subject)\(amounts.isEmpty ? "" : " (\(amounts))"). To fix, free space on that disk"
            + (quota ? " or raise the quota." : ".")
    }

    /// "disk full (2.0 MiB needed, 12.0 KiB free on its file system)".
    static func diskFullReason(path: String?, bytesNeeded: Int?, quota: Bool) -> String {
        let amounts = spaceAmounts(path: path, bytesNeeded: bytesNeeded)
        let what = quota ? "disk quota exceeded" : "disk full"
        return amounts.isEmpty ? what : "\(what) (\(amounts))"
    }

    static func spaceAmounts(path: String?, bytesNeeded: Int?) -> String {
        var amounts: [String] = []
        if let bytesNeeded { amounts.append("\(ByteCount.text(Int64(bytesNeeded))) needed") }
        if let path, let free = freeBytes(near: path) { amounts.append("\(ByteCount.text(free)) free on its file system") }
        return amounts.joined(separator: ", ")
    }

    /// Space available to this user on the file system holding `path` (its nearest existing ancestor).
    public static func freeBytes(near path: String) -> Int64? {
        var candidate = path
        while !candidate.isEmpty {
            var info = statvfs()
            if statvfs(candidate, &info) == 0 { return Int64(info.f_bavail) * Int64(info.f_frsize) }
            let parent = (candidate as NSString).deletingLastPathComponent
            if parent == candidate { break }
            candidate = parent
        }
        return nil
    }

    static func describe(_ error: EncodingError) -> String {
        switch error {
        case let .invalidValue(value, context):
            let at = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "the value \(value) cannot be written as JSON\(at.isEmpty ? "" : " (at `\(at)`)"); NaN and infinite numbers have no JSON form"
        @unknown default: return "a value cannot be encoded"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "" : " at `\(path)`"
        }
        switch error {
        case let .dataCorrupted(context): return "the data is not valid JSON\(at(context))"
        case let .keyNotFound(key, context): return "the field `\(key.stringValue)` is missing\(at(context))"
        case let .typeMismatch(type, context): return "a value\(at(context)) is not a \(type)"
        case let .valueNotFound(type, context): return "a \(type) is missing\(at(context))"
        @unknown default: return "the data cannot be decoded"
        }
    }
}
