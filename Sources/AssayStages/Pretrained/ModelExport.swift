import AssayLanguage
import AssayNN
import AssaySupport
import AssayTensor
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a model as a plain safetensors state dict that PyTorch loads with
/// `model.load_state_dict(safetensors.torch.load_file(path), strict=True)`.
///
/// Tensor names are the spec's module paths (torchvision's for built-ins). Besides the
/// parameters and running statistics the network holds, every batch norm gets the
/// `num_batches_tracked` counter PyTorch keeps (an int64 scalar, 0: the engine does not count
/// batches), so the key set equals torchvision's `state_dict()` exactly. The metadata has
/// `format: pt` (as `safetensors.torch.save_file` writes) and the architecture, but no Assay
/// model description: the file is meant for other tools (``ModelArtifact`` keeps the description).
public enum ModelExport {
    /// The exported tensors by name: float32 values and the int64 counters.
    public struct Tensors {
        public var floats: [String: Tensor]
        public var counters: [String: Int64]
    }

    /// The tensors an export of `network` contains.
    public static func tensors(of network: SpecNetwork) -> Tensors {
        var counters: [String: Int64] = [:]
        for t in network.spec.allTensors where t.name.hasSuffix(".num_batches_tracked") { counters[t.name] = 0 }
        return Tensors(floats: network.stateDict(), counters: counters)
    }

    /// Writes `network` to `url`, replacing it atomically: the bytes go to a temporary file beside
    /// `url`, are flushed to disk and renamed over it, so `url` holds the old file or the whole new
    /// one, never a part; on failure the temporary file is removed.
    public static func write(_ network: SpecNetwork, to url: URL, stage: String = "export") throws {
        let bytes = encode(tensors(of: network), metadata: ["format": "pt", "assay.architecture": network.spec.architecture])
        try replaceAtomically(url, with: bytes, stage: stage)
    }

    static func replaceAtomically(_ url: URL, with bytes: [UInt8], stage: String) throws {
        let path = url.standardizedFileURL.path
        let folder = (path as NSString).deletingLastPathComponent
        func failure(_ why: String, help: String = "choose a writable file path") -> StageError {
            StageError(stage: stage, "cannot write \(path): \(why)", help: help)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw failure("the folder \(folder) does not exist", help: "create it first, or choose a path in an existing folder")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw failure("it is a folder", help: "name a file, e.g. \((path as NSString).appendingPathComponent("model.safetensors"))")
        }
        let temporary = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        var written = 0, error: Int32 = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { error = n < 0 ? errno : ENOSPC; break }
            written += n
        }
        if error == 0, fsync(fd) != 0 { error = errno }
        close(fd)
        if error == 0, rename(temporary, path) != 0 { error = errno }
        if error != 0 {
            unlink(temporary)
            throw failure(String(cString: strerror(error)))
        }
    }

    /// Exports the model artifact at `artifact` (written by `train`, `attack` or `segmentation-train`) to `url`.
    public static func export(artifact: URL, to url: URL, stage: String = "export") throws {
        try write(ModelArtifact.read(from: artifact, stage: stage), to: url, stage: stage)
    }

    /// Safetensors bytes: names sorted, F32 tensors and I64 scalars, header padded to 8 bytes.
    static func encode(_ tensors: Tensors, metadata: [String: String]) -> [UInt8] {
        var all = tensors.floats.mapValues(SafeTensors.float32)
        for (name, value) in tensors.counters {
            all[name] = SafetensorsLayout.Tensor(dtype: "I64", shape: [], bytes: withUnsafeBytes(of: value.littleEndian) { Array($0) })
        }
        return SafetensorsLayout.encode(all, metadata: metadata)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
