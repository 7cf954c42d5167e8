import Fluent
import Foundation
import SQLKit
import Vapor

/// `onestop keys rotate` — seals the personal data again under a new key.
///
/// Run with OneStop stopped (a running server knows only the keys it started with). The new key
/// is added to the key file first, the old ones kept, so every value opens at every moment; then
/// each sealed column is sealed again, a thousand rows per transaction. Interrupted, the command
/// run again finds the values the new key has not sealed yet and goes on with them, adding no
/// further key. The blind indexes keep their key and stay as they are.
struct KeysCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "rotate")
        var action: String
    }

    var help: String {
        "Keys that seal personal data: `keys new FILE` writes a new key file (for PostgreSQL, which needs one named); `keys rotate` (with OneStop stopped) adds a new key to the key file and seals every value again under it; run again, it resumes."
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        guard s.action == "rotate" else { throw CommandFailure(description: "unknown action \"\(s.action)\"; use: keys rotate") }
        let app = context.application
        guard let file = app.settings.dataKeyFile ?? app.settings.embeddedKeyFile else {
            throw CommandFailure(description: "ONESTOP_DATA_KEY_FILE must name the key file to rotate")
        }
        try await app.migrateWithDataKeys(changingSuite: true)
        var keys = PersonalData.keyring
        let left = try await Self.count(notSealedAs: keys, app: app)
        if left == 0 {
            keys = keys.rotated()
            try DataKeys.write(keys, to: file)
            context.console.print("New key \(keys.current) added to \(file); the older keys stay in it to open older backups.")
        } else {
            context.console.print("Resuming: \(left) values are not sealed with \(keys.current) yet.")
        }
        PersonalData.use(keys)
        try await DataKeys.verify(app.db, keys: keys, record: true, now: HallClock.millis(app.clock.now()))
        var sealed = 0
        for (table, columns) in PersonalData.columns {
            sealed += try await Self.reseal(table, columns, keys: keys, app: app)
        }
        let indexed = try await Self.reindex(keys: keys, app: app)
        if indexed > 0 { context.console.print("Indexed \(indexed) ID numbers again with \(keys.suite.rawValue).") }
        let detail = ["key": keys.current, "values": String(sealed), "suite": keys.suite.rawValue, "indexed": String(indexed)]
        try await app.groupCommit.run(actor: "system:cli", now: app.clock.now()) { _ in
            ((), [AuditEvent("keys.rotate", "data_keys", id: nil, center: nil, detail: detail)])
        }
        context.console.print("Sealed \(sealed) values again with \(keys.current).")
    }

    /// Values of the sealed columns that another key, or the other suite, sealed, or none (stored
    /// before sealing).
    static func count(notSealedAs keys: DataKeyring, app: Application) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        var n = 0
        for (table, columns) in PersonalData.columns {
            for column in columns {
                struct Count: Decodable { var n: Int }
                n +=
                    try await sql.raw(
                        """
                        SELECT COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) IS NOT NULL AND \(ident: column) <> ''
                        AND \(ident: column) NOT LIKE \(bind: keys.currentPrefix + "%")
                        """
                    ).first(decoding: Count.self)?.n ?? 0
            }
        }
        return n
    }

    /// Seals again, a thousand rows per audited transaction, the rows of `table` with a value that
    /// the current key did not seal. Returns how many values it sealed.
    static func reseal(_ table: String, _ columns: [String], keys: DataKeyring, app: Application) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        let stale = SQLList(
            columns.map { c -> SQLQueryString in
                "(\(ident: c) <> '' AND \(ident: c) NOT LIKE \(bind: keys.currentPrefix + "%"))"
            }, separator: SQLRaw(" OR "))
        var total = 0
        while true {
            let rows = try await sql.raw(
                "SELECT id, \(unsafeRaw: columns.joined(separator: ", ")) FROM \(ident: table) WHERE \(stale) LIMIT 1000"
            ).all()
            guard !rows.isEmpty else { return total }
            let count = try await app.groupCommit.run(actor: "system:cli", now: app.clock.now()) { db -> (Int, [AuditEvent]) in
                guard let w = db as? any SQLDatabase else { return (0, []) }
                var n = 0
                for r in rows {
                    var sets: [SQLQueryString] = []
                    for column in columns {
                        guard let value = try r.decode(column: column, as: String?.self), !value.isEmpty,
                            !keys.isCurrent(value)
                        else { continue }
                        let field = table + "." + column
                        sets.append("\(ident: column) = \(bind: keys.seal(try keys.open(value, field: field), field: field))")
                        n += 1
                    }
                    guard !sets.isEmpty else { continue }
                    let id = try r.decode(column: "id", as: UUID.self)
                    try await w.raw("UPDATE \(ident: table) SET \(SQLList(sets)) WHERE id = \(w.bind(id: id))").run()
                }
                return (n, [])
            }
            total += count
        }
    }

    /// Makes the applicants' blind indexes again where they were made with the other suite (after
    /// `ONESTOP_CRYPTO` changed), from the sealed numbers. Returns how many it made.
    static func reindex(keys: DataKeyring, app: Application) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        let other: SQLQueryString =
            keys.suite == .guomi
            ? "id_number_index NOT LIKE \(bind: DataKeyring.sm3IndexPrefix + "%")"
            : "id_number_index LIKE \(bind: DataKeyring.sm3IndexPrefix + "%")"
        var total = 0
        while true {
            let rows = try await sql.raw(
                """
                SELECT id, id_number FROM applicants
                WHERE id_number_index <> '' AND id_number_index NOT LIKE 'anon:%' AND \(other) LIMIT 1000
                """
            ).all()
            guard !rows.isEmpty else { return total }
            total += try await app.groupCommit.run(actor: "system:cli", now: app.clock.now()) { db -> (Int, [AuditEvent]) in
                guard let w = db as? any SQLDatabase else { return (0, []) }
                for r in rows {
                    let id = try r.decode(column: "id", as: UUID.self)
                    let number = try keys.open(try r.decode(column: "id_number", as: String.self), field: ApplicantModel.idNumberField)
                    try await w.raw(
                        """
                        UPDATE applicants SET id_number_index = \(bind: keys.index(number, field: ApplicantModel.idNumberField))
                        WHERE id = \(w.bind(id: id))
                        """
                    ).run()
                }
                return (rows.count, [])
            }
        }
    }
}
