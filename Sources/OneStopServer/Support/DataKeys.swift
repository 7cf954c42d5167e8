import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Where the keys that seal personal data come from (`DataKeyring`), and the check that they are
/// the database's own before anything is read or written with them.
enum DataKeys {
    /// The keyring for these settings. The embedded database keeps its keys beside itself unless
    /// `ONESTOP_DATA_KEY_FILE` names a file, and makes them on first start, saying loudly where;
    /// PostgreSQL needs the file named and existing (a server is never given keys it did not
    /// choose). In memory, and in tests without a file, the process's own keys serve.
    static func load(_ s: Settings, testing: Bool) throws -> DataKeyring {
        let variable = "ONESTOP_DATA_KEY_FILE"
        // Tests share the process's keys: their applications run side by side in one process.
        if testing, s.dataKeyFile == nil { return PersonalData.ephemeral }
        var path = s.dataKeyFile
        var mayCreate = false
        switch s.database {
        case .sqliteMemory:
            if path == nil { return PersonalData.ephemeral }
        case .sqlite(let db):
            if path == nil { path = s.embeddedKeyFile ?? db + ".keys" }
            mayCreate = true
        case .postgres:
            if path == nil {
                throw Settings.Problem(
                    variable: variable,
                    message:
                        "must name the file of the keys that seal personal data when the database is PostgreSQL (OneStop makes one only for the embedded database)"
                )
            }
        }
        let file = path!
        if let data = FileManager.default.contents(atPath: file) {
            do {
                return try DataKeyring(file: data)
            } catch {
                throw Settings.Problem(variable: variable, message: "\(file): \(error)")
            }
        }
        guard mayCreate else {
            throw Settings.Problem(variable: variable, message: "\(file) does not exist; nothing was changed")
        }
        let made = DataKeyring.generate()
        try write(made, to: file)
        print(
            """

            ┌──────────────────────────────────────────────────────────────────────┐
              NEW DATA KEYS: \(file)
              They seal the personal data in the database. Back this file up, apart
              from the database: without it the ID numbers, names and phones stored
              cannot be read by anyone. 新生成了个人信息加密密钥，请另行妥善备份。
            └──────────────────────────────────────────────────────────────────────┘

            """)
        return made
    }

    /// Writes a key file readable by its owner alone, replacing any there atomically.
    static func write(_ keys: DataKeyring, to file: String) throws {
        let dir = URL(fileURLWithPath: file).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temporary = file + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: keys.fileData, attributes: [.posixPermissions: 0o600]) else {
            throw Settings.Problem(variable: "ONESTOP_DATA_KEY_FILE", message: "\(temporary) cannot be written")
        }
        if FileManager.default.fileExists(atPath: file) {
            _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: file), withItemAt: URL(fileURLWithPath: temporary))
        } else {
            try FileManager.default.moveItem(atPath: temporary, toPath: file)
        }
    }

    /// The suite the database's blind indexes were made with, read from an applicant's (nil: no
    /// applicant yet, so either suite may start it).
    static func indexSuite(_ db: any Database) async throws -> CryptoSuite? {
        guard let sql = db as? any SQLDatabase else { return nil }
        let row = try await sql.raw(
            "SELECT id_number_index FROM applicants WHERE id_number_index <> '' AND id_number_index NOT LIKE 'anon:%' LIMIT 1"
        ).first()
        guard let index = try row?.decode(column: "id_number_index", as: String.self) else { return nil }
        return index.hasPrefix(DataKeyring.sm3IndexPrefix) ? .guomi : .standard
    }

    static func checkText(_ id: String) -> String { "onestop-data-key-check|" + id }

    /// Stops unless every key this database has sealed with is in the keyring and opens its check
    /// value. `record`: note the keyring's current key (after the migrations made the table).
    static func verify(_ db: any Database, keys: DataKeyring, record: Bool, now: Int64) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let rows: [any SQLRow]
        do {
            rows = try await sql.raw("SELECT key_id, sealed FROM data_key_checks").all()
        } catch {
            // No table yet: nothing was sealed.
            if record { throw error }
            return
        }
        var seen = Set<String>()
        for r in rows {
            let id = try r.decode(column: "key_id", as: String.self)
            let sealed = try r.decode(column: "sealed", as: String.self)
            let opened = try? keys.open(sealed, field: "data_key_checks")
            guard keys.keys[id] != nil, opened == checkText(id) else {
                throw Settings.Problem(
                    variable: "ONESTOP_DATA_KEY_FILE",
                    message: keys.keys[id] == nil
                        ? "does not hold key \(id), which this database's personal data is sealed with; start with the right file (nothing was changed)"
                        : "holds a key \(id) other than the one this database's personal data is sealed with; start with the right file (nothing was changed)"
                )
            }
            seen.insert(id)
        }
        if record, !seen.contains(keys.current) {
            try await sql.raw(
                """
                INSERT INTO data_key_checks (key_id, sealed, created_at)
                VALUES (\(bind: keys.current), \(bind: keys.seal(checkText(keys.current), field: "data_key_checks")), \(bind: now))
                """
            ).run()
        }
    }
}

/// Writes a new key file at `path`; refuses to replace one (its keys may seal a database).
public func writeNewDataKeyFile(_ path: String) throws {
    guard !FileManager.default.fileExists(atPath: path) else {
        throw Settings.Problem(variable: "keys new", message: "\(path) exists already; nothing was changed")
    }
    try DataKeys.write(DataKeyring.generate(), to: path)
}

extension Settings {
    /// The key file the embedded database keeps beside itself when none is named.
    var embeddedKeyFile: String? {
        if case .sqlite(let path) = database { return path + ".keys" }
        return nil
    }
}

extension Application {
    /// The migrations, between two checks of the data keys: before them (a wrong key file stops
    /// start-up before any migration seals with it) and after (the current key noted).
    /// `changingSuite`: `keys rotate`, which seals and indexes everything the chosen way, may
    /// start on a database indexed the other way.
    func migrateWithDataKeys(changingSuite: Bool = false) async throws {
        let keys = PersonalData.keyring
        try await DataKeys.verify(db, keys: keys, record: false, now: HallClock.millis(clock.now()))
        try await autoMigrate()
        try await DataKeys.verify(db, keys: keys, record: true, now: HallClock.millis(clock.now()))
        if !changingSuite, let found = try await DataKeys.indexSuite(db), found != keys.suite {
            throw Settings.Problem(
                variable: "ONESTOP_CRYPTO",
                message:
                    "this database's blind indexes are \(found.rawValue), not \(keys.suite.rawValue): start with ONESTOP_CRYPTO=\(found.rawValue), or change over by running `onestop keys rotate` with ONESTOP_CRYPTO=\(keys.suite.rawValue) (OneStop stopped); nothing was changed"
            )
        }
    }
}
