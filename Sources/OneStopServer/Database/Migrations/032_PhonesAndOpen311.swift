import Fluent
import SQLKit

/// The rest of the hotline (issue 20):
/// - the supervision-phone register: every call to a window's phone, by hand or from the PBX's
///   call-detail records (a record's `unique_id` makes a second import of the same file harmless),
///   the test calls of supervisors (暗访) with their outcome, and the warnings raised for a
///   window's day (once each);
/// - Open311 API keys, issued by an administrator, kept as their hash;
/// - what an Open311 request brings beyond the console's form: the contact's e-mail (sealed), the
///   `media_url` it links to, and the key it came with;
/// - a work order's attachments (PDF, JPEG, PNG, checked by content).
struct PhonesAndOpen311: AsyncMigration {
    var name: String { "032_PhonesAndOpen311" }

    func prepare(on db: any Database) async throws {
        try await db.schema("phone_calls")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("window_id", .uuid, .required, .references("windows", "id"))
            .field("day", .string, .required)
            .field("started_at", .int64, .required)
            .field("dialled", .string, .required)
            // Sealed (`PersonalData`).
            .field("caller", .string)
            .field("disposition", .string, .required)
            .field("duration", .int, .required)
            .field("billsec", .int, .required)
            .field("source", .string, .required)
            .field("unique_id", .string, .required)
            .field("test", .bool, .required)
            .field("verdict", .string)
            .field("note", .string, .required)
            .field("logged_by", .string, .required)
            .field("logged_at", .int64, .required)
            .create()
        try await db.schema("phone_warnings")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("window_id", .uuid, .required, .references("windows", "id"))
            .field("day", .string, .required)
            .field("unanswered", .int, .required)
            .field("raised_at", .int64, .required)
            .unique(on: "window_id", "day")
            .create()
        try await db.schema("open311_keys")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("name", .string, .required)
            .field("key_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .int64, .required)
            .field("revoked_at", .int64)
            .unique(on: "key_hash")
            .create()
        // One column a statement: SQLite adds one at a time.
        try await db.schema("work_orders").field("caller_email", .string).update()
        try await db.schema("work_orders").field("media_url", .string, .required, .sql(.default(""))).update()
        try await db.schema("work_orders").field("open311_key_id", .uuid).update()
        try await db.schema("work_order_attachments")
            .id()
            .field("order_id", .uuid, .required, .references("work_orders", "id"))
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("data", .data, .required)
            .field("added_by", .string, .required)
            .field("added_at", .int64, .required)
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        // The register by center and day, a window's day, and a PBX record once.
        try await sql.create(index: "phone_calls_center_day").on("phone_calls").column("center_id").column("day").run()
        try await sql.create(index: "phone_calls_window_day").on("phone_calls").column("window_id").column("day").run()
        try await sql.raw("CREATE UNIQUE INDEX phone_calls_record ON phone_calls (center_id, unique_id) WHERE unique_id <> ''").run()
        try await sql.create(index: "phone_warnings_center_day").on("phone_warnings").column("center_id").column("day").run()
        try await sql.create(index: "work_order_attachments_order").on("work_order_attachments").column("order_id").run()
        // `GET requests.json` reads a center's Open311 requests by time.
        try await sql.create(index: "work_orders_channel_received").on("work_orders").column("channel").column("received_at").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("work_order_attachments").delete()
        for field in ["open311_key_id", "media_url", "caller_email"] {
            try await db.schema("work_orders").deleteField(.key(.init(stringLiteral: field))).update()
        }
        try await db.schema("open311_keys").delete()
        try await db.schema("phone_warnings").delete()
        try await db.schema("phone_calls").delete()
    }
}
