import AssaySupport
import Foundation
import XCTest

/// Foundation's and the system's errors reach the user as sentences naming the path and the
/// operation, never as `NSCocoaErrorDomain error 256` or `Error Domain=… Code=640` dumps.
final class SystemErrorTextTests: XCTestCase {
    /// Writing to /dev/full fails with ENOSPC, as a full disk does (Foundation's code 640).
    func testAFullDiskSaysDiskFullWithThePathAndTheSpaceNeeded() throws {
        var caught: Error?
        do { try Data(count: 3000).write(to: URL(fileURLWithPath: "/dev/full")) } catch { caught = error }
        let error = try XCTUnwrap(caught)
        XCTAssertEqual((error as NSError).code, 640, "\(error)")
        XCTAssertTrue(SystemErrorText.isDiskFull(error))
        let text = SystemErrorText.describe(error, operation: "write", bytesNeeded: 3000)
        XCTAssertTrue(text.hasPrefix("disk full: cannot write `/dev/full` (2.9 KiB needed"), text)
        XCTAssertTrue(text.hasSuffix("To fix, free space on that disk."), text)
        XCTAssertEqual(SystemErrorText.message(for: error).prefix(35), "disk full: cannot write `/dev/full`")
        assertNoDump(text)
    }

    func testFoundationReadAndWriteErrorsNameThePathAndTheCause() throws {
        var caught: Error?
        do { _ = try Data(contentsOf: URL(fileURLWithPath: "/tmp")) } catch { caught = error }
        let directory = try XCTUnwrap(caught)
        XCTAssertEqual((directory as NSError).code, 256, "Foundation's \"unknown read error\" with EISDIR underneath")
        XCTAssertEqual(SystemErrorText.message(for: directory), "cannot read `/tmp`: it is a directory, not a file")
        XCTAssertEqual(SystemErrorText.message(for: directory, after: "cannot load /tmp"), "it is a directory, not a file")
        XCTAssertEqual(SystemErrorText.message(for: directory, after: "cannot load the data"), "cannot read `/tmp`: it is a directory, not a file")

        caught = nil
        do { _ = try String(contentsOfFile: "/nonexistent/assay/x.csv", encoding: .utf8) } catch { caught = error }
        XCTAssertEqual(SystemErrorText.message(for: try XCTUnwrap(caught)), "cannot read `/nonexistent/assay/x.csv`: no such file or directory")
    }

    func testInjectedErrorsWithoutAnUnderlyingErrno() {
        let unknownWrite = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSFilePathErrorKey: "/store/objects/ab"])
        XCTAssertEqual(SystemErrorText.message(for: unknownWrite), "cannot write `/store/objects/ab`: an unknown error while writing")
        let outOfSpace = NSError(domain: NSCocoaErrorDomain, code: 640, userInfo: [:])
        XCTAssertEqual(SystemErrorText.describe(outOfSpace, operation: "write", path: "/nonexistent-volume/model.safetensors", bytesNeeded: 5 << 20),
                       "disk full: cannot write `/nonexistent-volume/model.safetensors` (5.0 MiB needed, \(ByteCount.text(SystemErrorText.freeBytes(near: "/")!)) free on its file system). To fix, free space on that disk.")
        let posix = NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES), userInfo: [NSFilePathErrorKey: "/etc/shadow"])
        XCTAssertEqual(SystemErrorText.message(for: posix), "cannot access `/etc/shadow`: permission denied")
        XCTAssertEqual(SystemErrorText.reason(errno: ENOSPC), "disk full")
        XCTAssertEqual(SystemErrorText.reason(errno: ENOTDIR), "a part of the path is a file, not a directory")
    }

    func testJSONCodingErrorsAreWords() {
        XCTAssertThrowsError(try JSONEncoder().encode([Double.nan])) { error in
            let text = SystemErrorText.message(for: error)
            XCTAssertTrue(text.hasPrefix("the value nan cannot be written as JSON"), text)
            assertNoDump(text)
        }
        XCTAssertThrowsError(try JSONDecoder().decode([Int].self, from: Data("x".utf8))) { error in
            XCTAssertEqual(SystemErrorText.message(for: error), "the data is not valid JSON")
        }
    }

    func testOtherErrorsKeepTheirOwnDescription() {
        struct Mine: Error, CustomStringConvertible { var description: String { "stage `erm`: mine" } }
        XCTAssertEqual(SystemErrorText.message(for: Mine()), "stage `erm`: mine")
        XCTAssertFalse(SystemErrorText.isSystemError(Mine()))
    }

    private func assertNoDump(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for dump in ["Domain=", "NSCocoaErrorDomain", "Code=", "could not be completed"] {
            XCTAssertFalse(text.contains(dump), text, file: file, line: line)
        }
    }
}
