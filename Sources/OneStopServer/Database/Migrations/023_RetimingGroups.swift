import Fluent
import SQLKit

/// The clocks of a re-timing job, grouped by what decides their new dates.
///
/// Most open clocks a calendar change moves are alike: no stop, a running clock, no warning. Those
/// that share their start, their limits, their stored dates, their level and their item get the
/// same new dates, so the job decides each such group once and writes its cases with a few
/// statements per slice (see `RetimingWork.fast`), rather than reading and writing a hundred
/// thousand rows one by one. A job's groups are deleted when it finishes.
///
/// Each case a slice writes changes the pages of every index on what it writes, and where those
/// entries lie scattered each case costs a page of the log. Two such indexes go: the timeline's
/// `case_events_case`, which the unique (case, seq) index already serves, and the id at the end
/// of the candidates' index, which SQLite's own row order (rowid, at the end of every index)
/// replaces, so that a slice's entries lie together.
struct RetimingGroupsTable: AsyncMigration {
    var name: String { "023_RetimingGroups" }

    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_retiming_groups")
            .id()
            .field("job_id", .uuid, .required)
            .field("seq", .int, .required)
            // What the clocks of the group share.
            .field("center_id", .uuid, .required)
            .field("item_id", .uuid, .required)
            .field("state", .string, .required)
            .field("accepted_on", .string, .required)
            .field("promised_days", .int, .required)
            .field("legal_days", .int, .required)
            .field("extension_days", .int, .required)
            .field("promised_due", .string, .required)
            .field("legal_due", .string, .required)
            .field("level", .string, .required)
            /// -1: no reminder sent.
            .field("reminded", .int, .required)
            /// 1: written by the slices; 0: each case of the group is re-timed on its own.
            .field("fast", .int, .required)
            /// 1: the new calendar moves the group's dates.
            .field("changed", .int, .required)
            .field("new_promised", .string)
            .field("new_legal", .string)
            .field("new_level", .string, .required)
            .field("new_reminded", .int)
            .field("next_day", .string)
            .field("reason", .string, .required)
            .field("detail", .string, .required)
            /// The applicant's notification with `@@NUMBER@@` and `@@ID@@` for the case's, or "".
            .field("payload", .string, .required)
            .field("promised_from", .string, .required)
            .field("promised_to", .string, .required)
            .unique(on: "job_id", "seq")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "calendar_retiming_groups_key").on("calendar_retiming_groups")
            .column("job_id").column("center_id").column("item_id").column("accepted_on").column("promised_due").column("legal_due")
            .run()
        try await sql.drop(index: "case_events_case").run()
        try await sql.drop(index: "cases_legal_due_cover").run()
        try await sql.create(index: "cases_legal_due_cover").on("cases")
            .column("legal_due").column("received_on").column("state").column("case_type").column("center_id").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "cases_legal_due_cover").run()
        try await sql.create(index: "cases_legal_due_cover").on("cases")
            .column("legal_due").column("received_on").column("state").column("case_type").column("center_id").column("id").run()
        try await sql.create(index: "case_events_case").on("case_events").column("case_id").run()
        try await db.schema("calendar_retiming_groups").delete()
    }
}
