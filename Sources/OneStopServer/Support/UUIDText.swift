import Foundation
import SQLKit

extension UUID {
    /// Parses the 36-character text form (either case), as SQLite stores ids. Foundation's
    /// `UUID(uuidString:)` goes through `sscanf`, which a profile of the supervision sweep (tens of
    /// thousands of rows, five ids each) found among its costliest calls.
    init?(text s: String) {
        var s = s
        let parsed: uuid_t? = s.withUTF8 { b -> uuid_t? in
            guard b.count == 36, b[8] == 0x2D, b[13] == 0x2D, b[18] == 0x2D, b[23] == 0x2D else { return nil }
            @inline(__always) func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 0x30...0x39: return c &- 0x30
                case 0x41...0x46: return c &- 0x37
                case 0x61...0x66: return c &- 0x57
                default: return nil
                }
            }
            var bytes = [UInt8](repeating: 0, count: 16)
            var i = 0
            var k = 0
            while k < 16 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1 }
                guard let hi = nibble(b[i]), let lo = nibble(b[i + 1]) else { return nil }
                bytes[k] = hi << 4 | lo
                i += 2
                k += 1
            }
            return (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }
}

extension UUID {
    /// The 36-character upper-case text form, as `uuidString` writes it and SQLite stores ids,
    /// without Foundation's `snprintf`.
    var text: String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        let u = uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        return String(unsafeUninitializedCapacity: 36) { out in
            var i = 0
            for (k, b) in bytes.enumerated() {
                if k == 4 || k == 6 || k == 8 || k == 10 {
                    out[i] = 0x2D
                    i += 1
                }
                out[i] = hex[Int(b >> 4)]
                out[i + 1] = hex[Int(b & 0xF)]
                i += 2
            }
            return 36
        }
    }
}

extension SQLDatabase {
    /// Whether ids are stored as text (SQLite) rather than as a uuid type (PostgreSQL).
    var textIDs: Bool { dialect.name == "sqlite" }

    /// An id to bind: its text on SQLite, written directly (SQLiteKit would encode a `UUID`
    /// through `Encodable` and `uuidString`), the `UUID` itself elsewhere.
    func bind(id: UUID) -> SQLBind { textIDs ? SQLBind(id.text) : SQLBind(id) }

    /// An optional id: bound as above, or none. A bare value is bound directly (SQLiteKit encodes
    /// an `Optional` bind through `Encodable`).
    func bind(id: UUID?) -> any SQLExpression { id.map { bind(id: $0) } ?? none }

    /// An optional value: bound, or none.
    func bind<T: Encodable & Sendable>(_ value: T?) -> any SQLExpression { value.map { SQLBind($0) } ?? none }

    /// No value. On SQLite a bound `NULL`, so that a statement's text does not change with which
    /// of its values are missing and the commit lane's prepared statement serves again
    /// (`LaneSQLite`); elsewhere `NULL` written out.
    private var none: any SQLExpression { textIDs ? SQLBind(String?.none) : SQLLiteral.null }

    /// `(id, id, …)` for an `IN` list, padded on SQLite (`SQLRows.padded`).
    func idList(_ ids: some Sequence<UUID>) -> SQLGroupExpression {
        SQLGroupExpression(SQLRows.padded(ids.map { bind(id: $0) }, shapes: textIDs))
    }
}

extension SQLRow {
    /// An id column: on SQLite (text) parsed by `UUID(text:)`, elsewhere decoded as usual.
    func id(_ column: String, text: Bool) throws -> UUID {
        if text, let u = UUID(text: try decode(column: column, as: String.self)) { return u }
        return try decode(column: column, as: UUID.self)
    }

    func optionalID(_ column: String, text: Bool) throws -> UUID? {
        if text {
            guard let s = try decode(column: column, as: String?.self) else { return nil }
            if let u = UUID(text: s) { return u }
        }
        return try decode(column: column, as: UUID?.self)
    }
}
