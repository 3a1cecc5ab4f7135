// The `assay` executable: the CLI (module `assay`), linked with the Swift runtime and Foundation
// inside (see Package.swift) so that no process loads them as shared libraries.
import assay

AssayMain.main()
