import Fluent

/// The deadline of the step a case is in when that step has a limit of its own — a special
/// procedure (听证, 检验, 鉴定…) the guide publishes with its days — so that supervision sees it overrun
/// while the case's own clock is stopped.
struct CaseStepDue: AsyncMigration {
    var name: String { "013_StepDue" }

    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("step_due", .string).update()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("cases").deleteField("step_due").update()
    }
}
