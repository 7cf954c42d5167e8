import Fluent

/// 全程代办 for citizens: a project's kind, and for a citizen the consent recorded for it.
struct CitizenAgencyColumns: AsyncMigration {
    var name: String { "022_CitizenAgency" }

    func prepare(on db: any Database) async throws {
        try await db.schema("agent_projects").field("kind", .string, .required, .sql(.default("investment"))).update()
        try await db.schema("agent_projects").field("consent_method", .string).update()
        try await db.schema("agent_projects").field("consent_on", .string).update()
        try await db.schema("agent_projects").field("consent_note", .string).update()
    }

    func revert(on db: any Database) async throws {
        for f: FieldKey in ["consent_note", "consent_on", "consent_method", "kind"] {
            try await db.schema("agent_projects").deleteField(f).update()
        }
    }
}
