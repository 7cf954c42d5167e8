import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Copies of the embedded database that outlive a lost disk or a bad change.
///
/// A backup is SQLite's `VACUUM INTO`: one read transaction, so the copy is the database as it
/// stood at one moment, while the hall goes on writing (WAL lets readers and the writer work at
/// once). Every copy is checked before it counts: SQLite's integrity check, the audit chain from
/// its first entry to its head, and the data keys' check values against the key file — the key
/// file is not in the copy and must be kept with it. PostgreSQL is backed up with its own tools
/// (`pg_dump`, or base backups and WAL archiving for point-in-time recovery); see the README.
enum Backups {
    struct Checked: Sendable {
        var file: String
        var bytes: Int
        var auditEntries: Int64
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func databasePath(_ app: Application) throws -> String {
        guard case .sqlite(let path) = app.settings.database else {
            throw Failure(
                description:
                    "backups are for the embedded SQLite database; back PostgreSQL up with pg_dump or base backups and WAL archiving")
        }
        return path
    }

    /// Writes a consistent copy of the live database to `file` (which must not exist) and checks it.
    static func take(_ app: Application, to file: String, on db: (any Database)? = nil) async throws -> Checked {
        _ = try databasePath(app)
        guard !FileManager.default.fileExists(atPath: file) else { throw Failure(description: "\(file) exists already") }
        guard let sql = (db ?? app.db) as? any SQLDatabase else { throw Failure(description: "no SQL database") }
        try await sql.raw("VACUUM INTO \(bind: file)").run()
        do {
            return try await check(app, file: file)
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw error
        }
    }

    /// Opens a copy on its own and checks it: SQLite's integrity, the audit chain, the data keys.
    static func check(_ app: Application, file: String) async throws -> Checked {
        guard FileManager.default.fileExists(atPath: file) else { throw Failure(description: "no file \(file)") }
        let id = DatabaseID(string: "backup-\(UUID().uuidString)")
        app.databases.use(.sqlite(.file(file)), as: id)
        // Its connections close when the check is done (a scheduled backup runs in the server).
        defer { app.databases.reinitialize(id) }
        let db = app.db(id)
        guard let sql = db as? any SQLDatabase else { throw Failure(description: "no SQL database") }
        let integrity: [String]
        do {
            integrity = try await sql.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
        } catch {
            throw Failure(description: "\(file) is not a OneStop database: \(error)")
        }
        guard integrity == ["ok"] else {
            throw Failure(description: "\(file) is damaged: \(integrity.prefix(5).joined(separator: "; "))")
        }
        let (checked, problem) = try await AuditVerifier.verify(on: db)
        if let problem {
            throw Failure(
                description:
                    "the audit chain of \(file) is broken after \(checked) entries: \(AuditAPIController.describe(problem, catalog: app.catalog, .en))"
            )
        }
        do {
            try await DataKeys.verify(db, keys: PersonalData.keyring, record: false, now: 0)
        } catch {
            throw Failure(description: "the key file does not open \(file): \(error)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        return Checked(file: file, bytes: size, auditEntries: checked)
    }

    /// Puts a checked copy in the database's place, with OneStop stopped. The database it replaces
    /// is kept beside it (`<database>.before-restore-<time>`), never deleted.
    static func restore(_ app: Application, from file: String, now: Date) async throws -> (Checked, kept: String?) {
        let path = try databasePath(app)
        let checked = try await check(app, file: file)
        let fm = FileManager.default
        var kept: String?
        if fm.fileExists(atPath: path) {
            let stamp = stampFormatter.string(from: now)
            let aside = "\(path).before-restore-\(stamp)"
            try fm.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
                try fm.moveItem(atPath: path + suffix, toPath: aside + suffix)
            }
            kept = aside
        }
        try fm.copyItem(atPath: file, toPath: path)
        return (checked, kept)
    }

    static let stampFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f
    }()

    /// The scheduled backup (`ONESTOP_BACKUP_DIR`, every `ONESTOP_BACKUP_HOURS`, keeping the newest
    /// `ONESTOP_BACKUP_KEEP`): takes one when the newest in the directory is older than the
    /// interval, then deletes the oldest beyond the number kept. Returns the new copy, if any.
    static func scheduled(_ app: Application, now: Date) async throws -> Checked? {
        guard let plan = app.settings.backup, case .sqlite = app.settings.database else { return nil }
        let fm = FileManager.default
        try fm.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
        let names = try fm.contentsOfDirectory(atPath: plan.directory)
            .filter { $0.hasPrefix("onestop-") && $0.hasSuffix(".sqlite") }.sorted()
        if let newest = names.last, let at = stampFormatter.date(from: String(newest.dropFirst(8).dropLast(7))),
            now.timeIntervalSince(at) < Double(plan.hours) * 3600 - 60
        {
            return nil
        }
        let name = "onestop-\(stampFormatter.string(from: now)).sqlite"
        let made = try await take(app, to: plan.directory + "/" + name, on: app.reader(for: .sweep))
        let all = (names + [name]).sorted()
        let removed = Array(all.dropLast(plan.keep))
        for old in removed { try? fm.removeItem(atPath: plan.directory + "/" + old) }
        let detail = [
            "file": made.file, "bytes": String(made.bytes), "audit": String(made.auditEntries), "removed": removed.joined(separator: " "),
        ]
        try await app.groupCommit.run(actor: "system", now: now) { _ in
            ((), [AuditEvent("backup.take", "database", id: nil, center: nil, detail: detail)])
        }
        return made
    }
}
