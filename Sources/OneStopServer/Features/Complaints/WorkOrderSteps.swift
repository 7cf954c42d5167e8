import Fluent
import Foundation
import OneStopCore
import Vapor

/// The steps of a work order after intake (issue 20): dispatch, signing or returning, the reply,
/// the call-back and reopening, merging, extensions and the judgment of a complaint — each checked
/// by `WorkOrderFlow` before and again inside its write, audited, and written to the order's
/// history; the clocks they start and move.
extension WorkOrderService {
    struct Step: Content {
        var department: UUID?
        var coDepartments: [UUID]?
        var note: String?
        var reason: String?
        var reply: String?
        var reached: Bool?
        var satisfaction: String?
        var solved: Bool?
        var into: UUID?
        var by: Int?
        var valid: Bool?
    }

    /// The limits set for the deployment (`ONESTOP_WORK_ORDER_LIMITS`).
    static func limits(_ req: Request) -> WorkOrderLimits { req.application.settings.workOrderLimits }

    /// Starts the handling clock at `millis`: its end, and when supervision looks next.
    static func startClock(_ o: WorkOrderModel, limit: WorkOrderLimit, at millis: Int64, req: Request, db: any Database) async throws {
        let calendar = try await req.application.calendars.calendar(for: o.centerID, on: db)
        let day = HallClock.day(Date(timeIntervalSince1970: Double(millis) / 1000))
        guard let deadline = WorkOrderLimits.deadline(limit, from: millis, day: day, calendar: calendar) else {
            throw Abort(.conflict, reason: req.t("workOrder.calendarTooShort"))
        }
        o.clockStart = millis
        o.dueAt = Self.millis(deadline)
        o.limitText = limit.description
        o.stage = 0
        o.nextLook = WorkOrderWatch.nextLook(start: millis, due: o.dueAt!, now: millis)
    }

    static func millis(_ d: WorkOrderDeadline) -> Int64 {
        switch d {
        case .at(let m): return m
        case .endOf(let day): return HallClock.millis(HallClock.instant(day.adding(days: 1), minute: 0)) - 1
        }
    }

    /// One step, checked by the flow before and again inside the write; a merged order's primary
    /// carries its secondaries along for the steps of the shared handling.
    static func act(_ step: WorkOrderFlow.Step, _ id: UUID, _ input: Step, req: Request) async throws -> WorkOrderModel {
        let p = try req.requirePrincipal()
        let o = try await visible(id, req: req)
        switch step {
        case .dispatch, .callBack, .reopen, .merge, .extend:
            guard dispatchers.admits(p.role) else { throw Abort(.forbidden) }
        case .sign, .giveBack, .reply:
            guard p.role == .chiefRepresentative, let d = p.departmentID, o.departmentID == d else { throw Abort(.forbidden) }
        case .judge:
            guard p.role == .supervisor else { throw Abort(.forbidden) }
        case .answer:
            throw Abort(.notFound)
        }
        var v = Validator()
        var note = ""
        var satisfaction: WorkOrderSatisfaction?
        var lead: DepartmentModel?
        var co: [UUID] = []
        var target: WorkOrderModel?
        switch step {
        case .dispatch:
            if let d = input.department {
                lead = try await DepartmentModel.find(d, on: req.db)
                let scope = try await req.scope()
                if let l = lead, !scope.contains(l.centerID) { lead = nil }
                if lead == nil { v.add("department", "invalidReference") }
            } else {
                v.add("department", "required")
            }
            for c in input.coDepartments ?? [] where c != input.department {
                guard let m = try await DepartmentModel.find(c, on: req.db), try await req.scope().contains(m.centerID) else {
                    v.add("coDepartments", "invalidReference")
                    break
                }
                if !co.contains(c) { co.append(c) }
            }
            note = v.text("note", input.note, max: 1000, required: o.stateValue == .returned)
        case .sign:
            note = v.text("note", input.note, max: 1000, required: false)
        case .giveBack:
            note = v.text("reason", input.reason, max: 1000)
        case .reply:
            note = v.text("reply", input.reply, max: 4000)
        case .callBack:
            if input.reached == nil { v.add("reached", "required") }
            if input.reached == true {
                satisfaction = v.oneOf("satisfaction", input.satisfaction, as: WorkOrderSatisfaction.self)
                if input.solved == nil { v.add("solved", "required") }
            }
            note = v.text("note", input.note, max: 1000, required: input.reached == false)
        case .reopen:
            note = v.text("reason", input.reason, max: 1000)
        case .merge:
            if let into = input.into {
                target = try await WorkOrderModel.find(into, on: req.db)
                if target == nil || target?.centerID != o.centerID || into == id { v.add("into", "invalidReference") }
            } else {
                v.add("into", "required")
            }
            note = v.text("note", input.note, max: 1000, required: false)
        case .extend:
            if let by = input.by { v.check(by >= 1 && by <= 60, "by", "workOrder.extendRange") } else { v.add("by", "required") }
            note = v.text("reason", input.reason, max: 1000)
        case .judge:
            if input.valid == nil { v.add("valid", "required") }
            note = v.text("reason", input.reason, max: 1000)
        case .answer: break
        }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        let written = note
        if let why = o.flow.refusal(step) { throw Abort(.conflict, reason: req.t(why)) }
        if step == .merge, let t = target, let why = t.flow.refusal(.merge) ?? (t.mergedInto != nil ? "workOrder.mergedAway" : nil) {
            throw ValidationFailure([FieldError("into", why)])
        }
        let millis = HallClock.millis(req.now)
        let actor = "user:" + p.name
        let by = p.displayName
        let limits = limits(req)
        let leadID = lead?.id
        let coIDs = co
        let chosen = satisfaction
        return try await req.audited { db -> (WorkOrderModel, [AuditEvent]) in
            guard let row = try await WorkOrderModel.find(id, on: db) else { throw Abort(.notFound) }
            if let why = row.flow.refusal(step) { throw Abort(.conflict, reason: req.t(why)) }
            // The steps of the shared handling go to the order's merged ones too.
            let followers =
                [.dispatch, .sign, .reply, .extend].contains(step)
                ? try await WorkOrderModel.query(on: db).filter(\.$mergedInto == id).all() : []
            var detail: [String: String] = ["number": row.number]
            var outcome = ""
            var eventDepartment = row.departmentID
            switch step {
            case .dispatch:
                let overrule = row.stateValue == .returned && row.departmentID == leadID
                for o in [row] + followers {
                    o.departmentID = leadID
                    o.coDepartments = coIDs.map(\.uuidString).joined(separator: ",")
                    o.state = WorkOrderState.dispatched.rawValue
                    o.dispatchedAt = millis
                    let calendar = try await req.application.calendars.calendar(for: o.centerID, on: db)
                    o.signDueAt = WorkOrderLimits.deadline(limits.sign, from: millis, day: HallClock.day(req.now), calendar: calendar).map(
                        Self.millis)
                    let limit = limits.handling(kind: o.kindValue, urgency: urgency(o), channel: channel(o), joint: !coIDs.isEmpty)
                    try await startClock(o, limit: limit, at: millis, req: req, db: db)
                }
                eventDepartment = leadID
                outcome = overrule ? "overrule" : ""
                detail["department"] = leadID?.uuidString ?? ""
            case .sign:
                let inTime = millis <= (row.signDueAt ?? .max)
                for o in [row] + followers {
                    o.state = WorkOrderState.handling.rawValue
                    o.signedAt = millis
                }
                outcome = inTime ? "in_time" : "late"
            case .giveBack:
                row.state = WorkOrderState.returned.rawValue
                row.returns += 1
                row.nextLook = nil
            case .reply:
                let inTime = millis <= (row.dueAt ?? .max)
                for o in [row] + followers {
                    o.reply = written
                    o.repliedBy = by
                    o.repliedAt = millis
                    o.state = o.flow.afterReply.rawValue
                    if o.stateValue == .closed { o.closedAt = millis }
                    o.nextLook = nil
                }
                outcome = inTime ? "in_time" : "late"
            case .callBack:
                let reached = input.reached == true
                let next = WorkOrderFlow.afterCallBack(reached: reached, satisfaction: chosen, solved: input.solved)
                if reached {
                    row.calledBackAt = millis
                    row.satisfaction = chosen?.rawValue
                    row.solved = input.solved
                    outcome = "\(chosen?.rawValue ?? ""),\(input.solved == true ? "solved" : "unsolved")"
                } else {
                    outcome = "not_reached"
                }
                if next == .handling {
                    // 重办: back to the same department, with its limit from now.
                    try await reopen(row, millis: millis, limits: limits, req: req, db: db)
                    detail["reopened"] = "yes"
                } else {
                    row.state = next.rawValue
                    if next == .closed { row.closedAt = millis }
                }
            case .reopen:
                try await reopen(row, millis: millis, limits: limits, req: req, db: db)
            case .merge:
                guard let t = try await WorkOrderModel.find(input.into!, on: db), t.flow.refusal(.merge) == nil, t.mergedInto == nil else {
                    throw Abort(.conflict, reason: req.t("workOrder.notMergeable"))
                }
                row.mergedInto = t.id
                row.state = WorkOrderState.merged.rawValue
                row.nextLook = nil
                // The merged order follows its primary from here on.
                row.departmentID = t.departmentID
                row.coDepartments = t.coDepartments
                row.dueAt = t.dueAt
                detail["into"] = t.number
                // Those merged into this one follow the new primary too.
                try await WorkOrderModel.query(on: db).filter(\.$mergedInto == id).set(\.$mergedInto, to: t.id).update()
            case .extend:
                let base = WorkOrderLimit(row.limitText) ?? .workingDays(0)
                let longer = base.extended(by: input.by ?? 0)
                for o in [row] + followers {
                    guard let start = o.clockStart else { continue }
                    let calendar = try await req.application.calendars.calendar(for: o.centerID, on: db)
                    let day = HallClock.day(Date(timeIntervalSince1970: Double(start) / 1000))
                    guard let d = WorkOrderLimits.deadline(longer, from: start, day: day, calendar: calendar) else {
                        throw Abort(.conflict, reason: req.t("workOrder.calendarTooShort"))
                    }
                    o.dueAt = Self.millis(d)
                    o.limitText = longer.description
                    o.stage = WorkOrderWatch.stage(start: start, due: o.dueAt!, now: millis).rawValue
                    o.nextLook = WorkOrderWatch.nextLook(start: start, due: o.dueAt!, now: millis)
                }
                detail["limit"] = longer.description
            case .judge:
                row.valid = input.valid
                row.judgeNote = written
                outcome = input.valid == true ? "valid" : "invalid"
            case .answer: break
            }
            for o in [row] + followers { try await o.save(on: db) }
            try await event(
                row, step.rawValue, actor: actor, at: millis, department: eventDepartment, outcome: outcome, note: written, on: db)
            for f in followers {
                try await event(
                    f, step.rawValue, actor: actor, at: millis, department: eventDepartment, outcome: WorkOrderFigures.followerOutcome,
                    note: written, on: db)
            }
            if !outcome.isEmpty { detail["outcome"] = outcome }
            detail["state"] = row.state
            return (row, [AuditEvent("workOrder.\(step.rawValue)", "work_order", id: id, center: row.centerID, detail: detail)])
        }
    }

    static func urgency(_ o: WorkOrderModel) -> WorkOrderUrgency { WorkOrderUrgency(rawValue: o.urgency) ?? .general }
    static func channel(_ o: WorkOrderModel) -> WorkOrderChannel { WorkOrderChannel(rawValue: o.channel) ?? .phone }

    /// 重办: the order goes back to its department, signed for already, with its limit from now.
    static func reopen(_ o: WorkOrderModel, millis: Int64, limits: WorkOrderLimits, req: Request, db: any Database) async throws {
        o.state = WorkOrderState.handling.rawValue
        o.reopens += 1
        o.closedAt = nil
        o.repliedAt = nil
        let limit = limits.handling(kind: o.kindValue, urgency: urgency(o), channel: channel(o), joint: !o.coDepartmentIDs.isEmpty)
        try await startClock(o, limit: limit, at: millis, req: req, db: db)
    }
}
