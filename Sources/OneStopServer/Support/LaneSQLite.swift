import FluentKit
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import VaporCSQLite

/// The group commit's own SQLite connection: its statements run on the commit lane's thread as
/// the batch reaches them, each prepared once and kept.
///
/// Through SQLiteNIO every statement was compiled again (a third of the writer's SQLite time in a
/// profile of the hall-day benchmark), handed to a thread pool and back, and each row it returned
/// was posted to the event loop on its own. The batch waits for every statement anyway — one
/// writer, one transaction — so running them in place loses nothing. The library is SQLiteNIO's
/// own copy of SQLite (`VaporCSQLite`), the one the readers use: two copies in one process would
/// not see each other's file locks.
final class LaneSQLite: @unchecked Sendable {
    /// Statements kept at most; past it one is let go for each new one (a statement with an `IN`
    /// list of each length is a statement of its own: `SQLRows.insert` and `idList` keep their
    /// shapes few on SQLite).
    static let maxStatements = 400
    /// How long a statement waits for another connection's lock (the checkpointer's, a backup's).
    static let busyMilliseconds: Int32 = 30_000

    private let path: String
    /// `handle` and `statements` are used under `lock`: one statement at a time.
    private let lock = NIOLock()
    private var handle: OpaquePointer?
    private var statements: [String: (OpaquePointer, Columns)] = [:]

    /// A statement's column names, shared by its rows.
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
            self.index = index
        }
    }

    init(path: String) { self.path = path }

    deinit { close() }

    /// Runs one statement, calling `onRow` for each row it returns.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (Row) throws -> Void) throws {
        try lock.withLock {
            let db = try open()
            let (statement, columns) = try prepared(sql, on: db)
            defer {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            for (i, value) in binds.enumerated() {
                try check(bind(value, at: Int32(i + 1), to: statement), on: db)
            }
            while true {
                let rc = sqlite_nio_sqlite3_step(statement)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw LaneSQLiteError(code: rc, on: db) }
                var values: [SQLiteData] = []
                values.reserveCapacity(columns.names.count)
                for i in 0..<Int32(columns.names.count) { values.append(data(statement, i)) }
                try onRow(Row(columns: columns, values: values))
            }
        }
    }

    func close() {
        lock.withLock {
            for (statement, _) in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements = [:]
            if let handle { sqlite_nio_sqlite3_close(handle) }
            handle = nil
        }
    }

    private func open() throws -> OpaquePointer {
        if let handle { return handle }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite_nio_sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = LaneSQLiteError(code: rc, message: "cannot open \(path)")
            sqlite_nio_sqlite3_close(db)
            throw error
        }
        sqlite_nio_sqlite3_busy_timeout(db, Self.busyMilliseconds)
        // As SQLiteKit opens its connections.
        let fk = sqlite_nio_sqlite3_exec(db, "PRAGMA foreign_keys = ON", nil, nil, nil)
        guard fk == SQLITE_OK else {
            let error = LaneSQLiteError(code: fk, on: db)
            sqlite_nio_sqlite3_close(db)
            throw error
        }
        handle = db
        return db
    }

    private func prepared(_ sql: String, on db: OpaquePointer) throws -> (OpaquePointer, Columns) {
        if let hit = statements[sql] { return hit }
        if statements.count >= Self.maxStatements, let (key, (statement, _)) = statements.first {
            sqlite_nio_sqlite3_finalize(statement)
            statements[key] = nil
        }
        var statement: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw LaneSQLiteError(code: rc, on: db) }
        let count = sqlite_nio_sqlite3_column_count(statement)
        let columns = Columns(
            (0..<count).map { i in sqlite_nio_sqlite3_column_name(statement, i).map { String(cString: $0) } ?? "" })
        statements[sql] = (statement, columns)
        return (statement, columns)
    }

    private func check(_ rc: Int32, on db: OpaquePointer) throws {
        guard rc == SQLITE_OK else { throw LaneSQLiteError(code: rc, on: db) }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func bind(_ value: SQLiteData, at i: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let n): return sqlite_nio_sqlite3_bind_int64(statement, i, Int64(n))
        case .float(let x): return sqlite_nio_sqlite3_bind_double(statement, i, x)
        case .text(let s): return sqlite_nio_sqlite3_bind_text64(statement, i, s, UInt64(s.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
        case .blob(let b):
            return b.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, i, $0.baseAddress, UInt64($0.count), Self.transient)
            }
        case .null: return sqlite_nio_sqlite3_bind_null(statement, i)
        }
    }

    private func data(_ statement: OpaquePointer, _ i: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, i)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, i) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let blob = sqlite_nio_sqlite3_column_blob(statement, i) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    /// A row: its values, read by column name as SQLiteKit's rows are.
    struct Row: SQLRow {
        let columns: Columns
        let values: [SQLiteData]
        static let decoder = SQLiteDataDecoder()

        var allColumns: [String] { columns.names }
        func contains(column: String) -> Bool { columns.index[column] != nil }

        func decodeNil(column: String) throws -> Bool {
            guard let i = columns.index[column] else { return true }
            return values[i] == .null
        }

        func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
            guard let i = columns.index[column] else {
                throw DecodingError.keyNotFound(
                    SQLColumnKey(column), .init(codingPath: [], debugDescription: "no column \(column) in \(columns.names)"))
            }
            return try Self.decoder.decode(D.self, from: values[i])
        }
    }

    private struct SQLColumnKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// An error of the lane's connection, with SQLite's (extended) result code.
struct LaneSQLiteError: Error, CustomStringConvertible, DatabaseError {
    var code: Int32
    var message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(code: Int32, on db: OpaquePointer) {
        self.init(code: code, message: sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "SQLite error \(code)")
    }

    /// The primary result code (the low byte of an extended one).
    var primary: Int32 { code & 0xFF }

    var description: String { "SQLite error \(code): \(message)" }
    var isSyntaxError: Bool { primary == SQLITE_ERROR }
    var isConstraintFailure: Bool { primary == SQLITE_CONSTRAINT }
    var isConnectionClosed: Bool { primary == SQLITE_MISUSE }

    /// The disk is full, or the file cannot be read, written, opened or locked.
    var storageFault: StorageFault? {
        switch primary {
        case SQLITE_FULL: return .diskFull
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_BUSY: return .unavailable
        default: return nil
        }
    }
}

/// Fluent and SQLKit over the lane's connection: what the group commit's jobs read and write
/// through. Only data: schema changes run on the application's own connections (migrations).
struct LaneSQLiteDatabase: Database, SQLDatabase {
    let connection: LaneSQLite
    let context: DatabaseContext
    let inTransaction: Bool

    private static let encoder = SQLiteDataEncoder()

    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    // SQLDatabase

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        let binds = try serializer.binds.map { try Self.encoder.encode($0) }
        try connection.run(serializer.sql, binds) { onRow($0) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        var sql = SQLQueryConverter(delegate: LaneConverterDelegate()).convert(query)
        // As FluentSQLiteDriver: a create returns the new row's id.
        if case .create = query.action, query.customIDKey != .some(.string("")) {
            sql = SQLKit.SQLList([sql, SQLReturning(SQLColumn((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
        }
        return execute(sql: sql) { onOutput(LaneOutput(row: $0, schema: nil)) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        eventLoop.makeFailedFuture(LaneSQLiteError(code: SQLITE_MISUSE, message: "schema changes are not made on the commit lane"))
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if inTransaction { return closure(self) }
        let connection = connection
        do {
            try connection.run("BEGIN TRANSACTION", []) { _ in }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let tx = LaneSQLiteDatabase(connection: connection, context: context, inTransaction: true)
        return closure(tx).flatMapThrowing { value in
            try connection.run("COMMIT TRANSACTION", []) { _ in }
            return value
        }.flatMapErrorThrowing { error in
            // After a failed statement or commit SQLite may have rolled back already.
            try? connection.run("ROLLBACK TRANSACTION", []) { _ in }
            throw error
        }
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }
}

/// SQLite's column types for Fluent's, as FluentSQLiteDriver names them.
private struct LaneConverterDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        case .enum: SQLRaw("TEXT")
        default: nil
        }
    }
}

/// A row as Fluent's models read it, its columns prefixed by a joined schema's name.
private struct LaneOutput: DatabaseOutput {
    let row: any SQLRow
    let schema: String?

    var description: String { "\(row.allColumns)" }

    private func column(_ key: FieldKey) -> String {
        (schema.map { .prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }

    func schema(_ schema: String) -> any DatabaseOutput { LaneOutput(row: row, schema: schema) }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as: T.Type) throws -> T { try row.decode(column: column(key), as: T.self) }
}
