import Fluent
import Foundation
import Vapor

/// `onestop backup FILE` — a checked copy of the live embedded database, taken while the hall
/// works (see `Backups`).
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the copy (must not exist)")
        var file: String
    }

    var help: String {
        "Copies the live embedded database to FILE (consistent, while OneStop runs) and checks the copy: integrity, audit chain, data keys. Keep the key file with it."
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        try await app.migrateWithDataKeys()
        let made = try await Backups.take(app, to: s.file)
        let detail = ["file": made.file, "bytes": String(made.bytes), "audit": String(made.auditEntries)]
        try await app.groupCommit.run(actor: "system:cli", now: app.clock.now()) { _ in
            ((), [AuditEvent("backup.take", "database", id: nil, center: nil, detail: detail)])
        }
        context.console.print(
            "Backup written to \(made.file) (\(made.bytes) bytes) and checked: integrity ok, \(made.auditEntries) audit entries intact, data keys open it."
        )
        context.console.print(
            "The key file is not in the backup: keep \(app.settings.dataKeyFile ?? app.settings.embeddedKeyFile ?? "the key file") with it."
        )
    }
}

/// `onestop restore FILE` — puts a checked backup in the embedded database's place.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup to restore")
        var file: String
    }

    var help: String {
        "With OneStop stopped: checks FILE (integrity, audit chain, data keys) and puts it in the database's place; the database it replaces is kept beside it."
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        let app = context.application
        let (checked, kept) = try await Backups.restore(app, from: s.file, now: app.clock.now())
        // The restored database's own log says so; it is opened afresh (not through connections
        // the command may have opened on the file it replaced). The next start migrates it.
        let restored = DatabaseID(string: "restored-\(UUID().uuidString)")
        app.databases.use(.sqlite(.file(try Backups.databasePath(app))), as: restored)
        let detail = ["file": checked.file, "audit": String(checked.auditEntries), "kept": kept ?? ""]
        try await AuditedWrite.run(on: app.db(restored), gate: app.writeGate, actor: "system:cli", now: app.clock.now()) { _ in
            ((), [AuditEvent("backup.restore", "database", id: nil, center: nil, detail: detail)])
        }
        context.console.print("Restored \(checked.file): integrity ok, \(checked.auditEntries) audit entries intact.")
        if let kept { context.console.print("The database it replaced is kept at \(kept).") }
    }
}
