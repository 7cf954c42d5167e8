import Fluent
import Foundation

/// One override on a calendar: `scope` is "national" or a center's id.
final class CalendarDayModel: Model, @unchecked Sendable {
    static let schema = "calendar_days"
    static let national = "national"

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "date") var date: String
    @Field(key: "kind") var kind: String
    @Field(key: "name") var name: String

    init() {}

    init(scope: String, date: String, kind: String, name: String) {
        self.scope = scope
        self.date = date
        self.kind = kind
        self.name = name
    }
}

/// Named counters that several instances share, such as the calendar generation that tells every
/// instance its cached calendars are stale.
final class CounterModel: Model, @unchecked Sendable {
    static let schema = "counters"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: Int64

    init() {}
}

/// A year of a calendar for which an arrangement was imported: for the national calendar, the
/// State Council's notice, which makes the year confirmed rather than provisional.
final class CalendarYearModel: Model, @unchecked Sendable {
    static let schema = "calendar_years"

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "year") var year: Int
    @Field(key: "source") var source: String
    @Field(key: "days") var days: Int
    @Field(key: "imported_at") var importedAt: Int64
    @Field(key: "imported_by") var importedBy: String

    init() {}
}

/// One day a calendar change touched, on the changed calendar's own layer: what it was and what it
/// is now (nil: the weekday rule).
struct RetimingChange: Codable, Sendable, Equatable {
    var date: String
    var old: String?
    var new: String?
}

/// One change of a case's dates by a re-timing, kept as a sample on the job for its page.
struct RetimedCase: Codable, Sendable {
    var id: UUID
    var number: String
    var what: String
    var from: String
    var to: String
}

/// A re-timing job: after a calendar change, every open clock of every center that inherits the
/// changed days is laid again on the new calendar (DOMAIN.md §4).
final class CalendarRetimingModel: Model, @unchecked Sendable {
    static let schema = "calendar_retimings"

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @OptionalField(key: "center_id") var centerID: UUID?
    /// setDay, import or upgrade.
    @Field(key: "cause") var cause: String
    /// JSON of `[RetimingChange]`.
    @Field(key: "changes") var changes: String
    @Field(key: "first_day") var firstDay: String
    @Field(key: "last_day") var lastDay: String
    /// pending, running, done or failed.
    @Field(key: "status") var status: String
    @Field(key: "cases") var cases: Int
    @Field(key: "tasks") var tasks: Int
    @Field(key: "steps") var steps: Int
    @Field(key: "withdrawn") var withdrawn: Int
    @Field(key: "notified") var notified: Int
    /// JSON of the first `[RetimedCase]`.
    @Field(key: "sample") var sample: String
    @Field(key: "actor") var actor: String
    @Field(key: "error") var error: String
    @Field(key: "created_at") var createdAt: Int64
    @OptionalField(key: "started_at") var startedAt: Int64?
    @OptionalField(key: "finished_at") var finishedAt: Int64?
    @OptionalField(key: "heartbeat_at") var heartbeatAt: Int64?

    init() {}

    init(scope: String, centerID: UUID?, cause: String, changes: [RetimingChange], actor: String) {
        self.id = UUID.timeOrdered()
        self.scope = scope
        self.centerID = centerID
        self.cause = cause
        self.changes = (try? String(decoding: JSONEncoder().encode(changes), as: UTF8.self)) ?? "[]"
        self.firstDay = changes.map(\.date).min() ?? ""
        self.lastDay = changes.map(\.date).max() ?? ""
        self.status = "pending"
        self.cases = 0
        self.tasks = 0
        self.steps = 0
        self.withdrawn = 0
        self.notified = 0
        self.sample = "[]"
        self.actor = actor
        self.error = ""
        self.createdAt = 0
    }

    var changeList: [RetimingChange] { (try? JSONDecoder().decode([RetimingChange].self, from: Data(changes.utf8))) ?? [] }
    var sampleList: [RetimedCase] { (try? JSONDecoder().decode([RetimedCase].self, from: Data(sample.utf8))) ?? [] }
}
