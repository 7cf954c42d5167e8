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
        guard let sql = db as? any SQLDatabase else { return [] }
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
        try await settings.create(on: db)
        events.append(AuditEvent("queue.settings", "center", id: county, center: county))
        for (i, g) in groups.enumerated() {
            let row = ServiceGroupModel()
            row.id = UUID()
            row.centerID = county
            row.prefix = g.prefix
            row.name = g.name
            row.departmentID = g.department.flatMap { code in departments.first { $0.code == code }?.id }
            row.sort = i + 1
            row.active = true
            row.periods = SlotPlan.standard.periodsText
            row.slotMinutes = 30
            row.slotCapacity = g.capacity
            row.daysAhead = 7
            try await row.create(on: db)
            for n in g.windows {
                guard let w = windows.first(where: { $0.number == n }) else { continue }
                try await sql.insert(into: "window_groups").columns("window_id", "group_id").values(SQLBind(w.id!), SQLBind(row.id!)).run()
            }
            events.append(AuditEvent("queue.group.create", "service_group", id: row.id, center: county, detail: ["prefix": g.prefix]))
        }
        return events
    }
}
