import Fluent
import SQLKit

/// 好差评, the rest of the loop (issue 19):
/// - a card may be issued for a bad rating whose rectification is overdue (`cards.rating_id`, and
///   `case_id` no longer required: a visit's rating has no case);
/// - each bad rating remembers when it was warned and carded, so the sweep does each once;
/// - a rating remembers where it came from (`source`: a device, a phone's blind index or an
///   address, for the fraud rules), the hotline operator who recorded it (`operator`, never the
///   rater) and the caller's name and phone, sealed;
/// - the fraud flags a rating raised, with a supervisor's review.
struct RatingSupervision: AsyncMigration {
    var name: String { "030_RatingSupervision" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            try await CalendarYears.rebuild("cards", on: sql) { definition in
                definition.replacingOccurrences(of: "\"case_id\" UUID NOT NULL REFERENCES", with: "\"case_id\" UUID REFERENCES")
            }
        } else {
            try await sql.raw("ALTER TABLE cards ALTER COLUMN case_id DROP NOT NULL").run()
        }
        try await db.schema("cards").field("rating_id", .uuid, .references("ratings", "id")).update()
        try await sql.raw(
            "CREATE UNIQUE INDEX cards_rating_in_force ON cards (rating_id, kind) WHERE rating_id IS NOT NULL AND status <> 'withdrawn'"
        ).run()
        // The disclosure lists a month's rectified ratings by center.
        try await sql.create(index: "bad_ratings_center_resolved").on("bad_ratings").column("center_id").column("resolved_on").run()
        try await db.schema("bad_ratings").field("warned_on", .string).update()
        try await db.schema("bad_ratings").field("carded_on", .string).update()
        try await db.schema("ratings").field("source", .string, .required, .sql(.default(""))).update()
        try await db.schema("ratings").field("operator", .string, .required, .sql(.default(""))).update()
        try await db.schema("ratings").field("caller_name", .string).update()
        try await db.schema("ratings").field("caller_phone", .string).update()
        try await sql.create(index: "ratings_source_at").on("ratings").column("source").column("at").run()
        try await sql.create(index: "ratings_identity_at").on("ratings").column("rater_identity").column("at").run()
        try await db.schema("rating_flags")
            .id()
            // No foreign key: a visit's rating is written with its hall batch, after its flags.
            .field("rating_id", .uuid, .required)
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("signal", .string, .required)
            .field("detail", .string, .required)
            .field("at", .int64, .required)
            .field("verdict", .string)
            .field("review_note", .string, .required, .sql(.default("")))
            .field("reviewed_by", .string, .required, .sql(.default("")))
            .field("reviewed_at", .int64)
            .unique(on: "rating_id", "signal")
            .create()
        try await sql.create(index: "rating_flags_center_at").on("rating_flags").column("center_id").column("at").run()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("rating_flags").delete()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "ratings_identity_at").run()
        try await sql.drop(index: "ratings_source_at").run()
        for f in ["caller_phone", "caller_name", "operator", "source"] { try await db.schema("ratings").deleteField(.string(f)).update() }
        try await sql.drop(index: "bad_ratings_center_resolved").run()
        for f in ["carded_on", "warned_on"] { try await db.schema("bad_ratings").deleteField(.string(f)).update() }
        try await sql.drop(index: "cards_rating_in_force").run()
        try await db.schema("cards").deleteField("rating_id").update()
    }
}
