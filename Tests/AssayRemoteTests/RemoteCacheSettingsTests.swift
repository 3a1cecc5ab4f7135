import AssayEngine
import Foundation
import XCTest

@testable import AssayRemote

final class RemoteCacheSettingsTests: XCTestCase {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("assay-config-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testStoreConfigOverridesUserConfig() throws {
        var settings = RemoteCacheSettings()
        try settings.apply(configFile: try file("remote: http://user.example:9090/cache\ntoken-env: LAB_TOKEN\n"))
        try settings.apply(configFile: try file("remote: http://store.example:8080\nremote-upload: off\n"))
        XCTAssertEqual(settings.url, URL(string: "http://store.example:8080"))
        XCTAssertEqual(settings.tokenVariable, "LAB_TOKEN")
        XCTAssertFalse(settings.uploads)
    }

    func testMissingFileChangesNothingAndOffDisables() throws {
        var settings = RemoteCacheSettings(url: URL(string: "http://a.example"))
        try settings.apply(configFile: "/nonexistent/assay/config.yaml")
        XCTAssertNotNil(settings.url)
        try settings.apply(configFile: try file("remote: off\n"))
        XCTAssertNil(settings.url)
        XCTAssertNil(settings.session())
    }

    func testUnknownSettingIsNamedWithItsPositionAndASuggestion() throws {
        let path = try file("remote: http://a.example\ntoken_env: X\n")
        var settings = RemoteCacheSettings()
        XCTAssertThrowsError(try settings.apply(configFile: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(path):2:1"), text)
            XCTAssertTrue(text.contains("did you mean `token-env`?"), text)
        }
    }

    func testBadURLIsRejectedWithItsPosition() throws {
        let path = try file("remote: ftp://a.example\n")
        var settings = RemoteCacheSettings()
        XCTAssertThrowsError(try settings.apply(configFile: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):1:9"), "\(error)")
            XCTAssertTrue("\(error)".contains("http://"), "\(error)")
        }
    }

    func testTokenComesFromTheNamedVariable() throws {
        let settings = RemoteCacheSettings(url: URL(string: "http://a.example"), tokenVariable: "LAB_TOKEN")
        XCTAssertNotNil(settings.session(environment: ["LAB_TOKEN": "t"]))
        XCTAssertEqual(RemoteCacheSettings.userConfigPath(environment: ["HOME": "/home/x"]), "/home/x/.config/assay/config.yaml")
        XCTAssertEqual(RemoteCacheSettings.userConfigPath(environment: ["HOME": "/home/x", "XDG_CONFIG_HOME": "/cfg"]), "/cfg/assay/config.yaml")
    }

    func testLocationHidesCredentials() {
        let cache = HTTPRemoteCache(baseURL: URL(string: "http://u:p@cache.example:8080/assay")!)
        XCTAssertEqual(cache.location, "http://cache.example:8080/assay")
    }
}
