import Fluent
import SQLKit

/// Running the center (issue 23), its window staff: who each department sent (窗口人员登记备案),
/// their leave (请假, 销假), training and periodic appraisals (定期考评).
struct CenterStaff: AsyncMigration {
    var name: String { "046_CenterStaff" }

    func prepare(on db: any Database) async throws {
        try await db.schema("staff_postings")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("staff_id", .uuid, .required, .references("staff", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            .field("selection", .string, .required)
            .field("post", .string, .required)
            .field("arrived_on", .string, .required)
            .field("left_on", .string)
            .field("note", .string, .required)
            .field("registered_by", .string, .required)
            .field("registered_at", .int64, .required)
            .create()
        try await db.schema("staff_leaves")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("staff_id", .uuid, .required, .references("staff", "id"))
            .field("department_id", .uuid, .references("departments", "id"))
            // LeaveRules.Kind, LeaveRules.State
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("from_day", .string, .required)
            .field("to_day", .string, .required)
            // Sealed (PersonalData): an illness is personal.
            .field("reason", .string, .required)
            .field("window_id", .uuid, .references("windows", "id"))
            .field("stand_in_staff_id", .uuid, .references("staff", "id"))
            .field("requested_by", .string, .required)
            .field("requested_at", .int64, .required)
            .field("decided_by", .string)
            .field("decided_at", .int64)
            .field("decision_note", .string)
            .field("returned_on", .string)
            .field("ended_by", .string)
            .field("ended_at", .int64)
            .create()
        try await db.schema("staff_trainings")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("staff_id", .uuid, .required, .references("staff", "id"))
            .field("day", .string, .required)
            .field("course", .string, .required)
            // Tenths of an hour.
            .field("hours_tenths", .int, .required)
            .field("result", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .int64, .required)
            .create()
        try await db.schema("staff_appraisals")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("staff_id", .uuid, .required, .references("staff", "id"))
            .field("period", .string, .required)
            // department or center
            .field("appraiser", .string, .required)
            .field("grade", .string, .required)
            .field("comment", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .int64, .required)
            .unique(on: "staff_id", "period", "appraiser")
            .create()
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "staff_postings_staff").on("staff_postings").column("staff_id").run()
        try await sql.create(index: "staff_postings_center").on("staff_postings").column("center_id").run()
        try await sql.create(index: "staff_leaves_staff").on("staff_leaves").column("staff_id").column("from_day").run()
        try await sql.create(index: "staff_leaves_center").on("staff_leaves").column("center_id").column("to_day").run()
        try await sql.create(index: "staff_trainings_staff").on("staff_trainings").column("staff_id").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["staff_appraisals", "staff_trainings", "staff_leaves", "staff_postings"] { try await db.schema(t).delete() }
    }
}
