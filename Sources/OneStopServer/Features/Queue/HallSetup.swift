import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// A center's calling rule and display texts, as the settings form and API show them.
struct QueueSettingsDTO: Content {
    var interleave: Int?
    var ageingSeconds: Int?
    var maxSkips: Int?
    var checkInEarlyMinutes: Int?
    var checkInLateMinutes: Int?
    var voiceTemplate: String?
    var notice: String?
    var ratingTimeout: Int?
    var waitTargetMinutes: Int?
    /// 外地人员 admitted to the green channel.
    var greenNonLocal: Bool?
}

/// A service group with the numbers of the windows that serve it.
struct ServiceGroupDTO: Content {
    var id: UUID?
    var prefix: String?
    var name: String?
    var departmentID: UUID?
    var sort: Int?
    var active: Bool?
    var periods: String?
    var slotMinutes: Int?
    var slotCapacity: Int?
    var daysAhead: Int?
    /// 延时服务: extended-hours periods on working days and on ordinary weekends, "" for none.
    var extendedPeriods: String?
    var weekendPeriods: String?
    var windows: [Int]?
}

/// Changes to a hall's set-up: the settings row and the service groups with their windows.
/// Every save drops this instance's cached set-up so the change shows at once here (and within
/// the cache's two seconds on other instances).
enum HallSetup {
    static func settings(_ hall: HallConfig) -> QueueSettingsDTO {
        QueueSettingsDTO(
            interleave: hall.policy.interleave, ageingSeconds: hall.policy.ageingSeconds, maxSkips: hall.policy.maxSkips,
            checkInEarlyMinutes: hall.policy.checkInEarlyMinutes, checkInLateMinutes: hall.policy.checkInLateMinutes,
            voiceTemplate: hall.voiceTemplate, notice: hall.notice, ratingTimeout: hall.ratingTimeout,
            waitTargetMinutes: hall.waitTargetMinutes, greenNonLocal: hall.greenNonLocal)
    }

    static func groups(_ hall: HallConfig) -> [ServiceGroupDTO] {
        hall.groups.map { g in
            ServiceGroupDTO(
                id: g.id, prefix: g.prefix, name: g.name, departmentID: g.departmentID, sort: g.sort, active: g.active,
                periods: g.plan.periodsText, slotMinutes: g.plan.slotMinutes, slotCapacity: g.plan.capacity, daysAhead: g.plan.daysAhead,
                extendedPeriods: g.plan.extendedText, weekendPeriods: g.plan.weekendText,
                windows: hall.windows(serving: g.id).map(\.number))
        }
    }

    /// Checks and saves the settings; fields left out keep their values.
    static func saveSettings(center: UUID, _ input: QueueSettingsDTO, req: Request) async throws -> HallConfig {
        try await req.scope().require(center)
        let hall = try await req.application.halls.config(for: center, on: req.db)
        let policy = QueuePolicy(
            interleave: input.interleave ?? hall.policy.interleave, ageingSeconds: input.ageingSeconds ?? hall.policy.ageingSeconds,
            maxSkips: input.maxSkips ?? hall.policy.maxSkips,
            checkInEarlyMinutes: input.checkInEarlyMinutes ?? hall.policy.checkInEarlyMinutes,
            checkInLateMinutes: input.checkInLateMinutes ?? hall.policy.checkInLateMinutes)
        var v = Validator()
        for e in policy.problems() { v.add(e.field, e.code) }
        let voice = v.text("voiceTemplate", input.voiceTemplate ?? hall.voiceTemplate, max: 100)
        if !voice.isEmpty, !voice.contains("{number}") { v.add("voiceTemplate", "queue.voiceNumber") }
        let notice = v.text("notice", input.notice ?? hall.notice, max: 500, required: false)
        let timeout = input.ratingTimeout ?? hall.ratingTimeout
        if !(5...600).contains(timeout) { v.add("ratingTimeout", "queue.ratingTimeoutRange") }
        let target = input.waitTargetMinutes ?? hall.waitTargetMinutes
        if !(1...240).contains(target) { v.add("waitTargetMinutes", "queue.waitTargetRange") }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        try await req.audited { db in
            let row = try await QueueSettingsModel.find(center, on: db) ?? QueueSettingsModel()
            let isNew = row.id == nil
            row.id = center
            row.interleave = policy.interleave
            row.ageingSeconds = policy.ageingSeconds
            row.maxSkips = policy.maxSkips
            row.checkInEarly = policy.checkInEarlyMinutes
            row.checkInLate = policy.checkInLateMinutes
            row.voiceTemplate = voice
            row.notice = notice
            row.ratingTimeout = timeout
            row.waitTargetMinutes = target
            row.greenNonLocal = input.greenNonLocal ?? hall.greenNonLocal
            if isNew { try await row.create(on: db) } else { try await row.update(on: db) }
            return (
                (),
                [
                    AuditEvent(
                        "queue.settings", "center", id: center, center: center,
                        detail: [
                            "interleave": String(policy.interleave), "ageingSeconds": String(policy.ageingSeconds),
                            "maxSkips": String(policy.maxSkips), "ratingTimeout": String(timeout), "waitTargetMinutes": String(target),
                            "greenNonLocal": String(input.greenNonLocal ?? hall.greenNonLocal),
                        ])
                ]
            )
        }
        return try await reload(center, req: req)
    }

    /// Creates (id nil) or changes a group. A group is never deleted, since tickets refer to it:
    /// `active: false` takes it off the kiosk and the windows.
    /// `departmentGiven` says whether the input names the department at all, so that leaving it
    /// out keeps it and giving none (null, or the form's empty choice) clears it.
    static func saveGroup(
        center: UUID, id: UUID?, _ input: ServiceGroupDTO, departmentGiven: Bool, req: Request
    ) async throws -> HallConfig {
        try await req.scope().require(center)
        let hall = try await req.application.halls.config(for: center, on: req.db)
        let old = id.flatMap(hall.group)
        if id != nil, old == nil { throw Abort(.notFound) }
        var v = Validator()
        let prefix = (input.prefix ?? old?.prefix ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        if prefix.isEmpty {
            v.add("prefix", "required")
        } else if !TicketNumber.validPrefix(prefix) {
            v.add("prefix", "queue.prefix")
        } else if hall.groups.contains(where: { $0.prefix == prefix && $0.id != id }) {
            v.add("prefix", "duplicate")
        }
        let name = v.text("name", input.name ?? old?.name, max: 30)
        let department = departmentGiven ? input.departmentID : old?.departmentID
        if let department, try await DepartmentModel.find(department, on: req.db)?.centerID != center {
            v.add("departmentID", "invalidReference")
        }
        let sort = input.sort ?? old?.sort ?? (hall.groups.map(\.sort).max() ?? 0) + 1
        if !(0...999).contains(sort) { v.add("sort", "queue.sortRange") }
        let periodsText = input.periods ?? old?.plan.periodsText ?? SlotPlan.standard.periodsText
        let periods = SlotPlan.parsePeriods(periodsText)
        let extended = SlotPlan.parseOptionalPeriods(input.extendedPeriods ?? old?.plan.extendedText ?? "")
        if extended == nil { v.add("extendedPeriods", "queue.periods") }
        let weekend = SlotPlan.parseOptionalPeriods(input.weekendPeriods ?? old?.plan.weekendText ?? "")
        if weekend == nil { v.add("weekendPeriods", "queue.periods") }
        let plan = SlotPlan(
            periods: periods ?? [], slotMinutes: input.slotMinutes ?? old?.plan.slotMinutes ?? 30,
            capacity: input.slotCapacity ?? old?.plan.capacity ?? 0, daysAhead: input.daysAhead ?? old?.plan.daysAhead ?? 7,
            extended: extended ?? [], weekend: weekend ?? [])
        for e in plan.problems() where !v.errors.contains(where: { $0.field == e.field }) { v.add(e.field, e.code) }
        let numbers = input.windows ?? id.map { hall.windows(serving: $0).map(\.number) } ?? []
        let windows = numbers.map { n in hall.windows.first { $0.number == n } }
        if windows.contains(where: { $0 == nil }) { v.add("windows", "queue.noSuchWindow") }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let active = input.active ?? old?.active ?? true
        let windowIDs = Set(windows.compactMap { $0?.id })
        try await req.audited { db in
            let groupID = try await write(
                center: center, id: id, prefix: prefix, name: name, department: department, sort: sort, active: active, plan: plan,
                windows: windowIDs, on: db)
            return (
                (),
                [
                    AuditEvent(
                        id == nil ? "queue.group.create" : "queue.group.update", "service_group", id: groupID, center: center,
                        detail: [
                            "prefix": prefix, "name": name, "active": String(active),
                            "windows": numbers.sorted().map(String.init).joined(separator: ","),
                        ])
                ]
            )
        }
        return try await reload(center, req: req)
    }

    /// Writes a group and its window links (the demo seed uses this too).
    @discardableResult
    static func write(
        center: UUID, id: UUID?, prefix: String, name: String, department: UUID?, sort: Int, active: Bool, plan: SlotPlan,
        windows: Set<UUID>, on db: any Database
    ) async throws -> UUID {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        var found: ServiceGroupModel?
        if let id { found = try await ServiceGroupModel.find(id, on: db) }
        let row = found ?? ServiceGroupModel()
        let isNew = row.id == nil
        if isNew {
            row.id = UUID()
            row.centerID = center
        }
        row.prefix = prefix
        row.name = name
        row.departmentID = department
        row.sort = sort
        row.active = active
        row.periods = plan.periodsText
        row.slotMinutes = plan.slotMinutes
        row.slotCapacity = plan.capacity
        row.daysAhead = plan.daysAhead
        row.extendedPeriods = plan.extendedText
        row.weekendPeriods = plan.weekendText
        if isNew { try await row.create(on: db) } else { try await row.update(on: db) }
        let gid = row.id!
        try await sql.delete(from: "window_groups").where("group_id", .equal, SQLBind(gid)).run()
        for w in windows.sorted(by: { $0.uuidString < $1.uuidString }) {
            try await sql.insert(into: "window_groups").columns("window_id", "group_id").values(SQLBind(w), SQLBind(gid)).run()
        }
        return gid
    }

    static func reload(_ center: UUID, req: Request) async throws -> HallConfig {
        req.application.halls.invalidate(center)
        return try await req.application.halls.config(for: center, on: req.db)
    }
}
