import Fluent
import Foundation
import SQLKit

/// Sessions that can be purged and that a copy of the table cannot use: each row says when it was
/// last written and whether someone is signed in, and the key is the SHA-256 of the cookie's
/// value (see `StoredSessions`). Signed-in sessions keep working under their hashed key;
/// anonymous ones (nothing in them but a form token) are dropped, and a visitor's next page
/// gets a new one.
struct SessionHousekeeping: AsyncMigration {
    var name: String { "025_SessionHousekeeping" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let now = Date().timeIntervalSince1970
        try await db.schema("_fluent_sessions")
            .field("touched_at", .double, .required, .sql(.default(SQLLiteral.numeric(String(Int(now))))))
            .update()
        try await db.schema("_fluent_sessions")
            .field("signed_in", .bool, .required, .sql(.default(false)))
            .update()
        var last: UUID?
        while true {
            var q = SessionRow.query(on: db).sort(\.$id).limit(1000)
            if let last { q = q.filter(\.$id > last) }
            let rows = try await q.all()
            guard let end = rows.last?.id else { break }
            last = end
            var anonymous: [UUID] = []
            for row in rows {
                guard row.data["uid"] != nil else {
                    anonymous.append(row.id!)
                    continue
                }
                try await sql.raw(
                    """
                    UPDATE _fluent_sessions SET key = \(bind: StoredSessions.key(row.key).string), signed_in = \(bind: true)
                    WHERE id = \(sql.bind(id: row.id!))
                    """
                ).run()
            }
            if !anonymous.isEmpty {
                try await sql.raw("DELETE FROM _fluent_sessions WHERE id IN \(sql.idList(Set(anonymous)))").run()
            }
        }
        try await sql.create(index: "sessions_touched").on("_fluent_sessions").column("touched_at").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "sessions_touched").run()
        // One column at a time: SQLite drops no more in one statement.
        try await db.schema("_fluent_sessions").deleteField("signed_in").update()
        try await db.schema("_fluent_sessions").deleteField("touched_at").update()
    }
}
