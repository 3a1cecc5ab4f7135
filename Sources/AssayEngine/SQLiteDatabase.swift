import CSQLite
import Foundation

/// A thin, safe wrapper over one SQLite connection: prepared statements, typed binds and
/// columns, transactions, and errors that name the database file.
final class SQLiteDatabase {
    let path: String
    private var handle: OpaquePointer?

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        if sqlite3_open_v2(path, &handle, flags, nil) != SQLITE_OK {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw EngineError.sqlite(path: path, message: message)
        }
        // Concurrent runs on one store share the file: wait for the writer instead of failing.
        sqlite3_busy_timeout(handle, 30_000)
    }

    deinit { sqlite3_close(handle) }

    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw EngineError.sqlite(path: path, message: "\(message) (in `\(sql.prefix(60))`)")
        }
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw EngineError.sqlite(path: path, message: "\(lastError) (in `\(sql.prefix(60))`)")
        }
        return Statement(database: self, handle: statement)
    }

    /// Runs `body` in one IMMEDIATE transaction (takes the write lock up front, so two writers
    /// queue instead of deadlocking), committing on success and rolling back on error.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    final class Statement {
        unowned let database: SQLiteDatabase
        let handle: OpaquePointer

        init(database: SQLiteDatabase, handle: OpaquePointer) {
            self.database = database
            self.handle = handle
        }

        deinit { sqlite3_finalize(handle) }

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        /// Resets the statement and binds `values` to `?1…?n` (String, Int, Double, nil).
        @discardableResult
        func bind(_ values: Any?...) throws -> Statement {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            for (offset, value) in values.enumerated() {
                let i = Int32(offset + 1)
                let rc: Int32
                switch value {
                case nil: rc = sqlite3_bind_null(handle, i)
                case let v as String: rc = sqlite3_bind_text(handle, i, v, -1, Statement.transient)
                case let v as Int: rc = sqlite3_bind_int64(handle, i, Int64(v))
                case let v as Int64: rc = sqlite3_bind_int64(handle, i, v)
                case let v as Double: rc = sqlite3_bind_double(handle, i, v)
                default: rc = SQLITE_MISMATCH
                }
                guard rc == SQLITE_OK else { throw EngineError.sqlite(path: database.path, message: "bind \(i): \(database.lastError)") }
            }
            return self
        }

        /// Typed binds for hot loops (no boxing); call `reset()` first.
        func reset() {
            sqlite3_reset(handle)
        }

        func bind(_ index: Int32, _ value: String?) {
            if let value { sqlite3_bind_text(handle, index, value, -1, Statement.transient) } else { sqlite3_bind_null(handle, index) }
        }

        func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

        /// Advances; true while there is a row.
        func step() throws -> Bool {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw EngineError.sqlite(path: database.path, message: database.lastError)
            }
        }

        func run() throws { while try step() {} }

        func string(_ column: Int32) -> String? {
            guard let text = sqlite3_column_text(handle, column) else { return nil }
            return String(cString: text)
        }

        func double(_ column: Int32) -> Double? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
        }

        func int(_ column: Int32) -> Int? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(handle, column))
        }
    }
}
