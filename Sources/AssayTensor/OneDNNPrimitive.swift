import CDNNL

/// A oneDNN primitive plus, for each tensor it reads or writes, the reorder between
/// the caller's plain layout and the one the primitive chose. Immutable once made,
/// so concurrent calls may share it: every call brings its own stream, memory
/// objects, reordered buffers and scratchpad (user scratchpad mode, since oneDNN's
/// shared library scratchpad is not safe under concurrent execution).
final class OneDNNPrimitive: @unchecked Sendable {
    private let descriptor: dnnl_primitive_desc_t
    private let handle: dnnl_primitive_t
    private let scratchpad: dnnl_memory_desc_t
    private let scratchpadBytes: Int

    /// One tensor argument: the caller's layout, the primitive's, and the reorder between them (nil when equal).
    struct Operand {
        let user: dnnl_memory_desc_t
        let inner: dnnl_memory_desc_t
        let innerBytes: Int
        let reorder: Reorder?
        let isInput: Bool

        /// Whether the primitive reads this operand in the same layout as `other`'s.
        func hasInnerLayout(of other: Operand) -> Bool {
            var (a, b) = (inner, other.inner)
            return dnnl_memory_desc_equal(&a, &b) != 0
        }
    }

    /// A reorder primitive with its scratchpad descriptor.
    final class Reorder: @unchecked Sendable {
        let handle: dnnl_primitive_t
        let scratchpad: dnnl_memory_desc_t
        let scratchpadBytes: Int

        init(from source: dnnl_memory_desc_t, to target: dnnl_memory_desc_t) {
            var (s, t) = (source, target)
            let attributes = OneDNNPrimitive.userScratchpad()
            defer { dnnl_primitive_attr_destroy(attributes) }
            var descriptor: dnnl_primitive_desc_t?
            OneDNN.check(dnnl_reorder_primitive_desc_create(&descriptor, &s, OneDNN.engine, &t, OneDNN.engine, attributes), "reorder descriptor")
            defer { dnnl_primitive_desc_destroy(descriptor) }
            (scratchpad, scratchpadBytes) = OneDNNPrimitive.scratchpad(of: descriptor!)
            var primitive: dnnl_primitive_t?
            OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "reorder creation")
            handle = primitive!
        }

        deinit { dnnl_primitive_destroy(handle) }
    }

    /// A tensor passed to `execute`: oneDNN's argument id, the caller's buffer and its operand.
    /// `isReordered`: the buffer already holds the primitive's layout (`reordered(_:from:)`).
    struct Argument {
        let id: Int32
        let pointer: UnsafeMutableRawPointer
        let operand: Operand
        let isReordered: Bool

        init(_ id: Int32, _ pointer: UnsafeMutableRawPointer, _ operand: Operand, isReordered: Bool = false) {
            (self.id, self.pointer, self.operand, self.isReordered) = (id, pointer, operand, isReordered)
        }
    }

    /// The description of the primitive for an op descriptor (caller destroys it).
    static func descriptor<D>(_ op: inout D, hint: dnnl_primitive_desc_t?) -> dnnl_primitive_desc_t {
        let attributes = userScratchpad()
        defer { dnnl_primitive_attr_destroy(attributes) }
        var descriptor: dnnl_primitive_desc_t?
        OneDNN.check(withUnsafePointer(to: &op) { dnnl_primitive_desc_create(&descriptor, $0, attributes, OneDNN.engine, hint) },
                     "primitive descriptor for \(D.self)")
        return descriptor!
    }

    init<D>(descriptor op: inout D, hint: dnnl_primitive_desc_t?) {
        descriptor = Self.descriptor(&op, hint: hint)
        (scratchpad, scratchpadBytes) = Self.scratchpad(of: descriptor)
        var primitive: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&primitive, descriptor), "primitive creation for \(D.self)")
        handle = primitive!
    }

    deinit {
        dnnl_primitive_destroy(handle)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The operand the primitive reports for `query`, reordered from or to `user`.
    func operand(_ query: dnnl_query_t, index: Int32 = 0, user: dnnl_memory_desc_t, isInput: Bool) -> Operand {
        var inner = dnnl_primitive_desc_query_md(descriptor, query, index)!.pointee
        var plain = user
        let same = dnnl_memory_desc_equal(&inner, &plain) != 0
        let reorder = same ? nil : isInput ? Reorder(from: plain, to: inner) : Reorder(from: inner, to: plain)
        return Operand(user: user, inner: inner, innerBytes: dnnl_memory_desc_get_size(&inner), reorder: reorder, isInput: isInput)
    }

    /// Reorders the inputs, runs the primitive, reorders the outputs back; returns when done.
    func execute(_ arguments: [Argument]) {
        let call = Call()
        let memory = call.memory, buffer = call.buffer
        let scratchBytes = arguments.compactMap { $0.operand.reorder?.scratchpadBytes }.reduce(scratchpadBytes, max)
        let scratch = scratchBytes > 0 ? buffer(scratchBytes) : nil
        func run(_ primitive: dnnl_primitive_t, _ pad: dnnl_memory_desc_t, _ padBytes: Int, _ args: [dnnl_exec_arg_t]) {
            var args = args
            if padBytes > 0, let scratch { args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory(pad, scratch))) }
            OneDNN.check(dnnl_primitive_execute(primitive, call.stream, Int32(args.count), args), "primitive execution")
        }
        var primitiveArguments: [dnnl_exec_arg_t] = []
        var outputs: [(Reorder, dnnl_memory_t, dnnl_memory_t)] = []
        for argument in arguments {
            let operand = argument.operand
            guard let reorder = operand.reorder, !argument.isReordered else {
                let layout = argument.isReordered ? operand.inner : operand.user
                primitiveArguments.append(dnnl_exec_arg_t(arg: argument.id, memory: memory(layout, argument.pointer)))
                continue
            }
            let user = memory(operand.user, argument.pointer)
            let inner = memory(operand.inner, buffer(operand.innerBytes))
            if operand.isInput {
                run(reorder.handle, reorder.scratchpad, reorder.scratchpadBytes,
                    [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: user), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: inner)])
            } else {
                outputs.append((reorder, inner, user))
            }
            primitiveArguments.append(dnnl_exec_arg_t(arg: argument.id, memory: inner))
        }
        run(handle, scratchpad, scratchpadBytes, primitiveArguments)
        for (reorder, inner, user) in outputs {
            run(reorder.handle, reorder.scratchpad, reorder.scratchpadBytes,
                [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: inner), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: user)])
        }
        call.wait()
    }

    /// The input at `pointer` copied into the primitive's layout for `operand`, for an input
    /// that several calls share (a convolution's weights across the chunks of a batch), so it
    /// is reordered once; nil when the layouts agree. The caller deallocates the copy.
    func reordered(_ operand: Operand, from pointer: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        guard operand.isInput, let reorder = operand.reorder else { return nil }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(operand.innerBytes, 64), alignment: 64)
        let call = Call()
        var args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: call.memory(operand.user, pointer)),
                    dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: call.memory(operand.inner, copy))]
        if reorder.scratchpadBytes > 0 {
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: call.memory(reorder.scratchpad, call.buffer(reorder.scratchpadBytes))))
        }
        OneDNN.check(dnnl_primitive_execute(reorder.handle, call.stream, Int32(args.count), args), "reorder execution")
        call.wait()
        return copy
    }

    /// What one call brings of its own (a stream, memory objects, scratch buffers), released when it ends.
    private final class Call {
        let stream: dnnl_stream_t
        private var memories: [dnnl_memory_t] = []
        private var buffers: [UnsafeMutableRawPointer] = []

        init() {
            var made: dnnl_stream_t?
            OneDNN.check(dnnl_stream_create(&made, OneDNN.engine, dnnl_stream_default_flags.rawValue), "stream creation")
            stream = made!
        }

        deinit {
            for memory in memories { dnnl_memory_destroy(memory) }
            for buffer in buffers { buffer.deallocate() }
            dnnl_stream_destroy(stream)
        }

        /// A memory object over `pointer` in layout `desc`.
        func memory(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t {
            var d = desc
            var made: dnnl_memory_t?
            OneDNN.check(dnnl_memory_create(&made, &d, OneDNN.engine, pointer), "memory creation")
            memories.append(made!)
            return made!
        }

        /// A 64-byte-aligned buffer of at least `bytes` (and at least 64) bytes.
        func buffer(_ bytes: Int) -> UnsafeMutableRawPointer {
            let made = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
            buffers.append(made)
            return made
        }

        /// Returns when everything submitted on the stream has run.
        func wait() { OneDNN.check(dnnl_stream_wait(stream), "stream wait") }
    }

    /// Attributes asking for the scratchpad to be passed in by the caller.
    fileprivate static func userScratchpad() -> dnnl_primitive_attr_t {
        var attributes: dnnl_primitive_attr_t?
        OneDNN.check(dnnl_primitive_attr_create(&attributes), "attribute creation")
        OneDNN.check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "scratchpad mode")
        return attributes!
    }

    fileprivate static func scratchpad(of descriptor: dnnl_primitive_desc_t) -> (dnnl_memory_desc_t, Int) {
        guard var desc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)?.pointee else {
            return (dnnl_memory_desc_t(), 0)
        }
        return (desc, dnnl_memory_desc_get_size(&desc))
    }
}
