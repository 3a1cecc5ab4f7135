// swift-tools-version:6.0
// Assay: a declarative experiment language and its caching interpreter.
//
// Dependencies point one way:
//   AssaySupport  <- AssaySyntax <- AssayLanguage
//   AssaySupport  <- AssayEngine  <- AssayRemote (HTTP client behind the engine's RemoteCache, on CCurl)
//   AssayTensor   <- AssayNN
//   AssayData, AssayLearn (numeric, no language knowledge)
//   AssayLSP (language server) on the language, planner and engine; it writes through a channel the CLI gives it
//   AssayStages binds plan nodes to operators (language + engine + nn + data + learn)
//   assay (the CLI) is the only target that prints; AssayEntry is its `main`, linked into the `assay` binary.
import PackageDescription

let optimise: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

// The executables carry the Swift runtime and Foundation inside them: loading those as ~20 shared
// libraries cost every `assay` process about 8 ms before `main`. The flag goes to the compiler too,
// so that the entry module names the static libraries' own dependencies (ICU, CoreFoundation).
// Only executable targets get it: a test bundle must share XCTest's shared Foundation.
let staticSwiftRuntime: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"])]
let linkStaticSwiftRuntime: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"])]
// FlyingFox's ProxyHTTPHandler (unused) brings the static URLSession into `assay`, and with it
// `-lcurl`: not linked, its libcurl calls go to CCurl's forwarders, which open libcurl when called.
let noLinkedCurl: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-disable-autolink-library", "-Xfrontend", "curl"])]

let package = Package(
    name: "Assay",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "assay", targets: ["AssayEntry"]),
        .executable(name: "assay-bench", targets: ["assay-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `assay serve`: a small HTTP server on Swift concurrency and BSD sockets, no SwiftNIO.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // System C libraries (Debian packages, installed by scripts/setup.sh).
        .systemLibrary(name: "CYAML", path: "Sources/CYAML"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // OpenBLAS's CBLAS, opened on the first matrix product (not linked: most commands never
        // compute, and linking made every process pay its ~14,000 relocations at start-up).
        .target(name: "CBLAS", path: "Sources/CBLAS", linkerSettings: [.linkedLibrary("dl")]),
        // oneDNN (libdnnl-dev): convolutions, opened on the first one like OpenBLAS (linking it brought
        // libstdc++, libgomp and libOpenCL into every process).
        .target(name: "CDNNL", path: "Sources/CDNNL", linkerSettings: [.linkedLibrary("dl")]),
        // libcurl (libcurl4-openssl-dev for the header), opened on the first request, and the remote
        // cache's requests over its easy interface: linking it loaded ~30 libraries in every process.
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("dl")]),
        // Our bfloat16 matrix product for `precision: bf16` inference: Debian's OpenBLAS 0.3.21
        // has no sbgemm, and ours gives the same bytes on CPUs without AVX512-BF16.
        .target(name: "CBF16GEMM", path: "Sources/CBF16GEMM", cSettings: [.unsafeFlags(["-O2"])]),

        // Front end.
        .target(name: "AssaySupport", dependencies: ["CCrypto"]),
        .target(name: "AssaySyntax", dependencies: ["AssaySupport", "CYAML"]),
        .target(name: "AssayLanguage", dependencies: ["AssaySupport", "AssaySyntax"]),

        // Caching compute engine (no ML or language knowledge).
        .target(name: "AssayEngine", dependencies: ["AssaySupport", "CSQLite", "CZlib"], exclude: ["ARCHITECTURE.md"]),

        // Numerics.
        .target(name: "AssayTensor", dependencies: ["AssaySupport", "CBLAS", "CBF16GEMM", "CDNNL"], swiftSettings: optimise),
        .target(name: "AssayNN", dependencies: ["AssaySupport", "AssayTensor"], swiftSettings: optimise),
        .target(name: "AssayData", dependencies: ["AssaySupport", "CPNG", "CJPEG", "CZlib"], swiftSettings: optimise),
        .target(name: "AssayLearn", dependencies: ["AssaySupport", "CBLAS"], swiftSettings: optimise),

        // Seeing results: SVG plots, self-contained HTML reports, progress formatting.
        .target(name: "AssayReport", dependencies: ["AssaySupport"]),

        // Running stages on a Slurm cluster over a shared store.
        .target(name: "AssayCluster", dependencies: ["AssaySupport", "AssayEngine"]),

        // The remote cache over HTTP (Bazel's /cas + /ac protocol) and its settings; the engine
        // sees only its RemoteCache protocol.
        .target(name: "AssayRemote", dependencies: ["AssaySupport", "AssaySyntax", "AssayEngine", "CCurl"]),

        // Lowering: a checked experiment becomes an engine plan (keys, canonical parameters).
        .target(name: "AssayPlanner", dependencies: ["AssaySupport", "AssayLanguage", "AssayEngine"]),

        // The language server (`assay lsp`): the checker's diagnostics, hovers, navigation and completion in editors.
        .target(name: "AssayLSP", dependencies: ["AssaySupport", "AssaySyntax", "AssayLanguage", "AssayEngine", "AssayPlanner"]),

        // Operators: what each stage computes, bound to the engine's plan nodes.
        .target(
            name: "AssayStages",
            dependencies: ["AssaySupport", "AssayLanguage", "AssayEngine", "AssayPlanner", "AssayTensor", "AssayNN", "AssayData", "AssayLearn"],
            exclude: ["GroupRobustness/ArtifactFormats.md"],
            swiftSettings: optimise),

        // The CLI: the only target that prints. A library, so that tests link it without the
        // static runtime; AssayEntry makes it the `assay` executable.
        .target(
            name: "assay",
            dependencies: [
                "AssaySupport", "AssaySyntax", "AssayLanguage", "AssayEngine", "AssayPlanner", "AssayStages", "AssayReport", "AssayCluster", "AssayRemote", "AssayLSP",
                "AssayTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]),
        .executableTarget(name: "AssayEntry", dependencies: ["assay"], swiftSettings: staticSwiftRuntime + noLinkedCurl, linkerSettings: linkStaticSwiftRuntime),
        .executableTarget(
            name: "assay-bench",
            dependencies: ["AssaySupport", "AssaySyntax", "AssayLanguage", "AssayEngine", "AssayPlanner", "AssayTensor", "AssayNN", "AssayData", "AssayLearn", "AssayStages"],
            swiftSettings: optimise + staticSwiftRuntime, linkerSettings: linkStaticSwiftRuntime),

        // Test helpers shared by several test targets (corrupted experiments).
        .target(name: "AssayTestSupport", dependencies: ["AssaySupport"], path: "Tests/AssayTestSupport"),

        .testTarget(name: "AssaySupportTests", dependencies: ["AssaySupport"]),
        .testTarget(name: "AssaySyntaxTests", dependencies: ["AssaySyntax"]),
        .testTarget(name: "AssayLanguageTests", dependencies: ["AssayLanguage", "AssayTestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "AssayEngineTests", dependencies: ["AssayEngine"]),
        .testTarget(name: "AssayTensorTests", dependencies: ["AssayTensor", "CBF16GEMM"]),
        .testTarget(name: "AssayNNTests", dependencies: ["AssayNN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AssayDataTests", dependencies: ["AssayData"]),
        .testTarget(name: "AssayLearnTests", dependencies: ["AssayLearn"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AssayReportTests", dependencies: ["AssayReport", "AssayData"]),
        .testTarget(name: "AssayClusterTests", dependencies: ["AssayCluster"]),
        .testTarget(name: "AssayRemoteTests", dependencies: ["AssayRemote", "AssayEngine", "AssayCluster"]),
        .testTarget(name: "AssayPlannerTests", dependencies: ["AssayPlanner", "AssayTestSupport"]),
        .testTarget(name: "AssayLSPTests", dependencies: ["AssayLSP", "AssayLanguage", "AssayEngine", "AssayPlanner", "AssayTestSupport"]),
        .testTarget(name: "AssayStagesTests", dependencies: ["AssayStages"], resources: [.copy("Fixtures")]),
        // Runs the built `assay` binary (`swift test` builds every product first) and tests the CLI's code.
        .testTarget(name: "assayTests", dependencies: ["assay", "AssayLanguage", "AssayNN", "AssayStages"]),
    ],
    swiftLanguageModes: [.v5]
)
