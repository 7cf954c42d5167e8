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
