import Foundation

/// The time limits of work orders (DOMAIN.md §7), configurable per center: a limit is either clock
/// hours (emergency 2, urgent 24: they run through nights and holidays) or working days on the
/// center's calendar (general 7, complex 15, online consultations 2, or 3 when several departments
/// are involved). Working days follow the cases' convention: the day the clock starts never counts,
/// and the order is due at the end of the last working day.
public enum WorkOrderLimit: Sendable, Equatable, Codable, CustomStringConvertible {
    case hours(Int)
    case workingDays(Int)

    public var description: String {
        switch self {
        case .hours(let h): "\(h)h"
        case .workingDays(let d): "\(d)d"
        }
    }

    /// "2h" or "7d", as settings and forms write it.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = t.last, let n = Int(t.dropLast()), n >= 1 else { return nil }
        switch unit {
        case "h" where n <= 24 * 30: self = .hours(n)
        case "d" where n <= 90: self = .workingDays(n)
        default: return nil
        }
    }

    /// The same limit longer by `extra` of its own unit.
    public func extended(by extra: Int) -> WorkOrderLimit {
        switch self {
        case .hours(let h): .hours(h + extra)
        case .workingDays(let d): .workingDays(d + extra)
        }
    }
}

/// When a running clock ends: at an instant (hours) or at the end of a day (working days).
public enum WorkOrderDeadline: Sendable, Equatable {
    /// Milliseconds since 1970.
    case at(Int64)
    /// The end of this day in the center's time zone.
    case endOf(CivilDate)
}

public struct WorkOrderLimits: Sendable, Equatable, Codable {
    public var emergency: WorkOrderLimit
    public var urgent: WorkOrderLimit
    public var general: WorkOrderLimit
    public var complex: WorkOrderLimit
    /// A consultation that came in online (web, Open311), and when co-departments are involved.
    public var onlineConsultation: WorkOrderLimit
    public var onlineConsultationJoint: WorkOrderLimit
    /// To sign for or return a dispatched order.
    public var sign: WorkOrderLimit

    public init(
        emergency: WorkOrderLimit = .hours(2), urgent: WorkOrderLimit = .hours(24), general: WorkOrderLimit = .workingDays(7),
        complex: WorkOrderLimit = .workingDays(15), onlineConsultation: WorkOrderLimit = .workingDays(2),
        onlineConsultationJoint: WorkOrderLimit = .workingDays(3), sign: WorkOrderLimit = .hours(2)
    ) {
        self.emergency = emergency
        self.urgent = urgent
        self.general = general
        self.complex = complex
        self.onlineConsultation = onlineConsultation
        self.onlineConsultationJoint = onlineConsultationJoint
        self.sign = sign
    }

    /// The handling limit of an order: by urgency, except an online consultation of general urgency,
    /// which has the consultation limit (the joint one with co-departments).
    public func handling(kind: WorkOrderKind, urgency: WorkOrderUrgency, channel: WorkOrderChannel, joint: Bool) -> WorkOrderLimit {
        if kind == .consultation, urgency == .general, channel == .web || channel == .open311 {
            return joint ? onlineConsultationJoint : onlineConsultation
        }
        switch urgency {
        case .emergency: return emergency
        case .urgent: return urgent
        case .general: return general
        case .complex: return complex
        }
    }

    /// When a clock started at `millis` (on `day` in the center's time zone) with `limit` ends; nil
    /// when the calendar does not reach that far.
    public static func deadline(
        _ limit: WorkOrderLimit, from millis: Int64, day: CivilDate, calendar: WorkCalendar
    )
        -> WorkOrderDeadline?
    {
        switch limit {
        case .hours(let h): return .at(millis + Int64(h) * 3_600_000)
        case .workingDays(let d): return calendar.addWorkingDays(d, to: day).map(WorkOrderDeadline.endOf)
        }
    }

    /// The names a setting gives the limits (`emergency=2h,general=5d,sign=1h`).
    public static let fields = ["emergency", "urgent", "general", "complex", "online_consultation", "online_consultation_joint", "sign"]

    /// The defaults with the limits named in `text` changed; a message naming what is wrong.
    public static func parse(_ text: String) -> Result<WorkOrderLimits, ParseError> {
        var l = WorkOrderLimits()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let limit = WorkOrderLimit(pair[1]) else { return .failure(ParseError(part: String(part))) }
            switch pair[0] {
            case "emergency": l.emergency = limit
            case "urgent": l.urgent = limit
            case "general": l.general = limit
            case "complex": l.complex = limit
            case "online_consultation": l.onlineConsultation = limit
            case "online_consultation_joint": l.onlineConsultationJoint = limit
            case "sign": l.sign = limit
            default: return .failure(ParseError(part: String(part)))
            }
        }
        return .success(l)
    }

    public struct ParseError: Error, Equatable, Sendable {
        public var part: String
    }
}

/// What supervision owes a running order's clock (the same ladder as a case's): a reminder when a
/// quarter of its time or less is left, a yellow card once it has run out, a red card once it has
/// run out by its own length again. Each is raised once; `stage` is how far it has gone.
public enum WorkOrderWatch {
    public enum Stage: Int, Sendable, Comparable, CaseIterable {
        case none = 0
        case reminded = 1
        case yellow = 2
        case red = 3

        public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    /// The stage a clock has reached at `now` (all in milliseconds).
    public static func stage(start: Int64, due: Int64, now: Int64) -> Stage {
        let length = max(due - start, 1)
        if now >= due + length { return .red }
        if now >= due { return .yellow }
        if now >= due - length / 4 { return .reminded }
        return .none
    }

    /// The next instant at which the stage can change (for the sweep's index), or nil after red.
    public static func nextLook(start: Int64, due: Int64, now: Int64) -> Int64? {
        let length = max(due - start, 1)
        switch stage(start: start, due: due, now: now) {
        case .none: return due - length / 4
        case .reminded: return due
        case .yellow: return due + length
        case .red: return nil
        }
    }
}
