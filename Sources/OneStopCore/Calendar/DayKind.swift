/// What a single day is on a center's calendar.
public enum DayKind: String, CaseIterable, Codable, Sendable {
    /// 工作日 — an ordinary Monday–Friday.
    case workday
    /// 周末 — Saturday or Sunday with no override.
    case weekend
    /// 法定节假日 — an official holiday.
    case holiday
    /// 调休上班 — a weekend day made a working day.
    case makeupWorkday = "makeup_workday"
    /// 本地停办 — a local closure declared by a center (weather, elections, moving…).
    case closure

    public var isWorkingDay: Bool { self == .workday || self == .makeupWorkday }
}

/// An explicit entry on a calendar: a day that is not what its weekday alone would make it.
public struct DayOverride: Hashable, Sendable, Codable {
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case holiday
        case makeupWorkday = "makeup_workday"
        case closure

        public var dayKind: DayKind {
            switch self {
            case .holiday: .holiday
            case .makeupWorkday: .makeupWorkday
            case .closure: .closure
            }
        }
    }

    public var date: CivilDate
    public var kind: Kind
    public var name: String

    public init(date: CivilDate, kind: Kind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}
