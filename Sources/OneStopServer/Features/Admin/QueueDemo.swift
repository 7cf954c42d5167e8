import Fluent
import Foundation
import OneStopCore
import SQLKit

/// The demo county's hall: six service groups and the windows that serve them.
enum QueueDemo {
    static let groups: [(prefix: String, name: String, department: String?, windows: [Int], capacity: Int)] = [
        ("A", "综合受理", nil, [1, 2, 3, 4], 4),
        ("B", "市场主体登记与许可", "SCJG", [4, 5], 4),
        ("C", "户政与出入境", "GA", [6], 6),
        ("D", "税务与社保", "SW", [7, 8], 4),
        ("E", "不动产登记", "ZR", [9], 3),
        ("F", "社会事务", "MZ", [10, 11, 12], 0),
    ]

    static func seed(on db: any Database, county: UUID) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        let windows = try await WindowModel.query(on: db).filter(\.$centerID == county).all()
        let departments = try await DepartmentModel.query(on: db).filter(\.$centerID == county).all()
        let settings = QueueSettingsModel()
        settings.id = county
        settings.interleave = 3
        settings.ageingSeconds = 45 * 60
        settings.maxSkips = 2
        settings.checkInEarly = 30
        settings.checkInLate = 15
        settings.voiceTemplate = HallConfig.defaultVoice
        settings.notice = "办事群众请凭号等候叫号；老、弱、病、残、孕及军人请到导办台办理优先号。预约办事请提前 30 分钟内签到。"
        settings.ratingTimeout = 30
        settings.waitTargetMinutes = 20
        settings.greenNonLocal = true
        try await settings.create(on: db)
        events.append(AuditEvent("queue.settings", "center", id: county, center: county))
        for (i, g) in groups.enumerated() {
            let id = try await HallSetup.write(
                center: county, id: nil, prefix: g.prefix, name: g.name,
                department: g.department.flatMap { code in departments.first { $0.code == code }?.id }, sort: i + 1, active: true,
                plan: SlotPlan(periods: SlotPlan.standard.periods, slotMinutes: 30, capacity: g.capacity, daysAhead: 7),
                windows: Set(windows.filter { g.windows.contains($0.number) }.compactMap(\.id)), on: db)
            events.append(AuditEvent("queue.group.create", "service_group", id: id, center: county, detail: ["prefix": g.prefix]))
        }
        return events
    }
}
