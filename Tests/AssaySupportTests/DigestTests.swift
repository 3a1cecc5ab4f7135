import AssaySupport
import XCTest

final class DigestTests: XCTestCase {
    func testEmptyInputHasTheKnownSHA256() {
        XCTAssertEqual(Digest.of([UInt8]()).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testAbcHasTheKnownSHA256() {
        XCTAssertEqual(Digest.of("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testIncrementalHashingEqualsOneShot() {
        var hasher = SHA256Hasher()
        hasher.update("a")
        hasher.update(Array("bc".utf8))
        XCTAssertEqual(hasher.finalize(), Digest.of("abc"))
    }

    func testHexRoundTripsAndRejectsGarbage() {
        let d = Digest.of("abc")
        XCTAssertEqual(Digest(hex: d.hex), d)
        XCTAssertEqual(Digest(hex: d.hex.uppercased()), d)
        XCTAssertNil(Digest(hex: "xyz"))
        XCTAssertNil(Digest(hex: String(repeating: "g", count: 64)))
    }

    func testHexDigitsInABufferParseLikeAHexString() {
        let d = Digest.of("abc")
        func parse(_ text: String) -> Digest? { Array(text.utf8).withUnsafeBufferPointer { Digest(hexDigits: $0) } }
        XCTAssertEqual(parse(d.hex), d)
        XCTAssertEqual(parse(d.hex.uppercased()), d)
        XCTAssertNil(parse(String(d.hex.dropLast())))
        // Every byte that is not a hex digit is refused, wherever it stands.
        for bad in ["g", "G", "/", ":", "@", "`", " ", "\u{7F}"] {
            XCTAssertNil(parse(String(d.hex.dropFirst()) + bad), bad)
            XCTAssertNil(parse(bad + String(d.hex.dropFirst())), bad)
        }
    }

    func testAFilesDigestIsItsBytesDigestAtAnySize() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("assay-digest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for size in [0, 1, 4096, (1 << 20) + 3, 3 << 20] {
            let bytes = (0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
            let url = directory.appendingPathComponent("f\(size)")
            try Data(bytes).write(to: url)
            XCTAssertEqual(try Digest.ofFile(at: url), Digest.of(bytes), "\(size) bytes")
        }
        XCTAssertThrowsError(try Digest.ofFile(at: directory.appendingPathComponent("absent"))) { error in
            XCTAssertEqual(SystemErrorText.reason(error), "no such file or directory")
        }
    }
}
