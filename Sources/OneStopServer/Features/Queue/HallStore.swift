import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// What the hall of one center is set up as: its calling rule, groups, and which windows serve
/// which groups. Read on every queue action, so it is cached per instance; a change made here is
/// seen at once, one made on another instance within `ttl` (twice that by an action already
/// inside its transaction).
struct HallConfig: Sendable {
    struct Group: Sendable {
        var id: UUID
        var prefix: String
        var name: String
        var departmentID: UUID?
        var sort: Int
        var active: Bool
        var plan: SlotPlan
    }

    struct Window: Sendable {
        var id: UUID
        var number: Int
        var name: String
        var departmentID: UUID?
        var groups: [UUID]
    }

    var centerID: UUID
    var centerName: String
    var centerCode: String
    var policy: QueuePolicy
    var voiceTemplate: String
    var notice: String
    var ratingTimeout: Int
    /// The longest a visitor should wait, in minutes (20 until set).
    var waitTargetMinutes: Int
    /// Whether 外地人员 may take a green-channel ticket (off until the center switches it on).
    var greenNonLocal: Bool = false
    /// Active and inactive, in display order.
    var groups: [Group]
    var windows: [Window]

    func group(_ id: UUID) -> Group? { groups.first { $0.id == id } }
    func group(prefix: String) -> Group? { groups.first { $0.prefix == prefix.uppercased() } }
    func window(_ id: UUID) -> Window? { windows.first { $0.id == id } }
    func windows(serving group: UUID) -> [Window] { windows.filter { $0.groups.contains(group) } }

    static let defaultVoice = "请 {number} 号到 {window} 号窗口办理"

    /// The spoken call: the template with {number}, {window} and {name} filled in. Letters and
    /// digits of the number are spaced so that speech reads them one by one.
    /// Filled in one pass over the template (every call-next makes one; Foundation's
    /// `replacingOccurrences`, three a call, came to 0.6 % of the server's CPU in a hall-day
    /// profile). Braces that name nothing stay as they are.
    func announcement(number: String, window: Window) -> String {
        var out = ""
        var rest = voiceTemplate[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let tail = rest[open...]
            if tail.hasPrefix("{number}") {
                out += number
                rest = tail.dropFirst(8)
            } else if tail.hasPrefix("{window}") {
                out += String(window.number)
                rest = tail.dropFirst(8)
            } else if tail.hasPrefix("{name}") {
                out += window.name
                rest = tail.dropFirst(6)
            } else {
                out += "{"
                rest = tail.dropFirst()
            }
        }
        return out + rest
    }
}

final class HallStore: Sendable {
    static let ttl: UInt64 = 2_000_000_000
    private let cache = TimedCache<UUID, HallConfig>(ttl: ttl, stale: ttl)
    private let days = TimedCache<String, Bool>(ttl: ttl, stale: ttl)

    /// Inside a transaction an entry up to twice `ttl` old is taken: the window actions refresh
    /// the entry before they queue for the writer (`WindowDesk.atSeat`), but at saturation they
    /// wait there up to a tenth of a second, and every one that reached its read past the expiry
    /// read the whole set-up again (a hundred windows through Fluent), one after the other on the
    /// one writer: 1.2 % of the server's CPU in a profile of the hall-day bench.
    func config(for centerID: UUID, on db: any Database) async throws -> HallConfig {
        try await cache.value(centerID, shared: !db.inTransaction) { [windowCenters] in
            let config = try await Self.load(centerID, on: db)
            windowCenters.withLockedValue { for w in config.windows { $0[w.id] = centerID } }
            return config
        }
    }

    private let windowCenters = NIOLockedValueBox<[UUID: UUID]>([:])

    /// A window's center and active groups as last loaded on this instance, without reading the
    /// database: a hint for what a call-next will need, which the call checks against the set-up
    /// it reads in its transaction.
    func cachedWindow(_ id: UUID) -> (center: UUID, groups: [UUID])? {
        guard let center = windowCenters.withLockedValue({ $0[id] }), let config = cache.latest(center),
            let w = config.window(id)
        else { return nil }
        return (center, w.groups.filter { config.group($0)?.active ?? false })
    }

    /// Drops a center's cached set-up, after a change to it on this instance.
    func invalidate(_ centerID: UUID) {
        cache.remove(centerID)
    }

    private let codes = NIOLockedValueBox<[String: UUID]>([:])
    private let means = TimedCache<String, Double?>(ttl: meanTTL, stale: meanTTL)
    /// How long a group's mean service time is reused for estimates.
    static let meanTTL: UInt64 = 5_000_000_000

    /// The mean service time of a group's last 20 visits today, for estimated waits (an estimate,
    /// so reused for a few seconds rather than read on every ticket).
    func meanServiceSeconds(group: UUID, day: String, on db: any Database) async throws -> Double? {
        try await means.value(group.uuidString + day, shared: !db.inTransaction) {
            try await TicketPosition.meanServiceSeconds(group: group, day: day, on: db)
        }
    }

    /// A center's id by its code (codes do not change once a hall is in use; cached).
    func centerID(code: String, on db: any Database) async throws -> UUID? {
        if let hit = codes.withLockedValue({ $0[code] }) { return hit }
        guard let id = try await CenterModel.query(on: db).filter(\.$code == code).first()?.id else { return nil }
        codes.withLockedValue { $0[code] = id }
        return id
    }

    /// Whether the hall is open on a day by its calendar (cached like the set-up).
    /// What a day is on the center's calendar (bookings of extended hours need more than "working").
    func dayKind(_ date: CivilDate, center: UUID, app: Application, on db: any Database) async throws -> DayKind {
        try await app.calendars.calendar(for: center, on: db).kind(of: date)
    }

    func isWorkingDay(_ date: CivilDate, center: UUID, app: Application, on db: any Database) async throws -> Bool {
        try await days.value(center.uuidString + date.description, shared: !db.inTransaction) {
            try await app.calendars.calendar(for: center, on: db).kind(of: date).isWorkingDay
        }
    }

    static func load(_ centerID: UUID, on db: any Database) async throws -> HallConfig {
        guard let center = try await CenterModel.find(centerID, on: db) else { throw Abort(.notFound) }
        let settings = try await QueueSettingsModel.find(centerID, on: db)
        let groups = try await ServiceGroupModel.query(on: db).filter(\.$centerID == centerID).sort(\.$sort).sort(\.$prefix).all()
        let windows = try await WindowModel.query(on: db).filter(\.$centerID == centerID).sort(\.$number).all()
        var served: [UUID: [UUID]] = [:]
        if let sql = db as? any SQLDatabase, !groups.isEmpty {
            struct Row: Decodable {
                var wid: UUID
                var gid: UUID
            }
            let rows = try await sql.select().column(SQLAlias(SQLColumn("window_id"), as: "wid")).column(
                SQLAlias(SQLColumn("group_id"), as: "gid")
            )
            .from("window_groups")
            .where("group_id", .in, groups.compactMap(\.id)).all(decoding: Row.self)
            for r in rows { served[r.wid, default: []].append(r.gid) }
        }
        let policy = QueuePolicy(
            interleave: settings?.interleave ?? 3, ageingSeconds: settings?.ageingSeconds ?? 45 * 60,
            maxSkips: settings?.maxSkips ?? 2, checkInEarlyMinutes: settings?.checkInEarly ?? 30,
            checkInLateMinutes: settings?.checkInLate ?? 15)
        return HallConfig(
            centerID: centerID, centerName: center.name, centerCode: center.code, policy: policy,
            voiceTemplate: settings?.voiceTemplate ?? HallConfig.defaultVoice, notice: settings?.notice ?? "",
            ratingTimeout: settings?.ratingTimeout ?? 30, waitTargetMinutes: settings?.waitTargetMinutes ?? 20,
            greenNonLocal: settings?.greenNonLocal ?? false,
            groups: groups.map {
                HallConfig.Group(
                    id: $0.id!, prefix: $0.prefix, name: $0.name, departmentID: $0.departmentID, sort: $0.sort, active: $0.active,
                    plan: SlotPlan(
                        periods: SlotPlan.parsePeriods($0.periods) ?? SlotPlan.standard.periods, slotMinutes: $0.slotMinutes,
                        capacity: $0.slotCapacity, daysAhead: $0.daysAhead,
                        extended: SlotPlan.parseOptionalPeriods($0.extendedPeriods) ?? [],
                        weekend: SlotPlan.parseOptionalPeriods($0.weekendPeriods) ?? []))
            },
            windows: windows.map {
                HallConfig.Window(
                    id: $0.id!, number: $0.number, name: $0.name, departmentID: $0.departmentID,
                    groups: (served[$0.id!] ?? []).sorted { a, b in
                        (groups.firstIndex { $0.id == a } ?? 0) < (groups.firstIndex { $0.id == b } ?? 0)
                    })
            })
    }
}

extension Application {
    private struct HallStoreKey: StorageKey { typealias Value = HallStore }

    var halls: HallStore {
        if let s = storage[HallStoreKey.self] { return s }
        let s = HallStore()
        storage[HallStoreKey.self] = s
        return s
    }
}

/// Today in the hall's zone, and milliseconds.
enum HallClock {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    static func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func day(_ d: Date) -> CivilDate { CivilDate.of(d, in: zone) }
    /// `2026-09-21 09:30` in the hall's zone.
    static func minuteText(_ d: Date) -> String {
        let m = minuteOfDay(d)
        return day(d).description + " " + String(format: "%02d:%02d", m / 60, m % 60)
    }
    /// Minutes since midnight in the hall's zone.
    static func minuteOfDay(_ d: Date) -> Int {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let c = cal.dateComponents([.hour, .minute], from: d)
        return (c.hour ?? 0) * 60 + (c.minute ?? 0)
    }
    /// The instant a minute of a day starts.
    static func instant(_ day: CivilDate, minute: Int) -> Date {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let base = cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
        return base.addingTimeInterval(Double(minute * 60))
    }
}
