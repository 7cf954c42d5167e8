import Fluent
import OneStopCore

struct CreateCalendar: AsyncMigration {
    var name: String { "003_CreateCalendar" }

    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_days")
            .id()
            .field("scope", .string, .required)
            .field("date", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .unique(on: "scope", "date")
            .create()
        try await db.schema("counters")
            .field("name", .string, .identifier(auto: false))
            .field("value", .int64, .required)
            .create()
        // The national calendars that ship with OneStop.
        for day in NationalCalendar.year2026 {
            try await CalendarDayModel(
                scope: CalendarDayModel.national, date: day.date.description, kind: day.kind.rawValue, name: day.name
            ).create(on: db)
        }
        let generation = CounterModel()
        generation.id = "calendar_generation"
        generation.value = 1
        try await generation.create(on: db)
    }

    func revert(on db: any Database) async throws {
        try await db.schema("counters").delete()
        try await db.schema("calendar_days").delete()
    }
}
