import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Work orders (issue 20): intake, dispatch, signing or returning, the reply, the call-back and
/// reopening, merging, extensions and the judgment of a complaint — each step checked by
/// `WorkOrderFlow`, audited, and written to the order's history. The caller's identity stays with
/// the hotline when the order is confidential (`WorkOrderPrivacy`); audit details never name a
/// caller.
enum WorkOrderService {
    /// Who takes calls and dispatches: the hotline, and a center's administrators.
    static let dispatchers = Access.only(.hotlineOperator, .centerAdmin)
    /// Who takes orders in at the console: the dispatchers, and window staff for walk-ins.
    static let intake = Access.only(.hotlineOperator, .centerAdmin, .windowStaff)
    /// Who handles an order for its department.
    static let handlers = Access.only(.chiefRepresentative)
    /// Who may see orders at all.
    static let viewers = Access.only(.hotlineOperator, .centerAdmin, .chiefRepresentative, .supervisor)

    struct Input: Content {
        var center: String?
        var kind: String?
        var channel: String?
        var urgency: String?
        var callerName: String?
        var callerPhone: String?
        var callerID: String?
        var anonymous: Bool?
        var confidential: Bool?
        var subject: String?
        var text: String?
        var address: String?
        var windowID: UUID?
        var staffID: UUID?
        var itemID: UUID?
        var caseNumber: String?
        var brand: String?
        /// A complaint's cited banned phrase of the center's 文明用语规范 (one of its list).
        var phrase: String?
        /// A consultation answered on the call (直接答复): the answer; the order is closed at once.
        var answer: String?

        /// What the public may send: nothing of what only staff fill in (the window, staff member,
        /// item or case concerned, a brand, an answer).
        var publicOnly: Input {
            var i = self
            (i.windowID, i.staffID, i.itemID, i.caseNumber, i.brand, i.answer) = (nil, nil, nil, nil, nil, nil)
            return i
        }
    }

    /// The center an order is taken for: the one named (code or id, in the caller's scope), else the
    /// caller's own.
    static func center(_ raw: String?, req: Request) async throws -> CenterModel {
        let text = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty, let p = req.principal, p.isStaff, let c = try await CenterModel.find(p.centerID, on: req.db) { return c }
        let found: CenterModel?
        if let id = UUID(uuidString: text) {
            found = try await CenterModel.find(id, on: req.db)
        } else {
            found = try await CenterModel.query(on: req.db).filter(\.$code == text).first()
        }
        guard let c = found else { throw ValidationFailure([FieldError("center", text.isEmpty ? "required" : "invalidReference")]) }
        if let p = req.principal, p.isStaff { try await req.scope().require(c.id) }
        return c
    }

    /// What an Open311 request brings beyond the form (`Open311Requests`).
    struct Open311Origin: Sendable {
        var serviceCode: String
        var email: String
        var mediaURL: String
        var keyID: UUID
        var lat: Double?
        var lon: Double?
    }

    /// Takes an order in. Staff enter the phone, walk-in, mailbox and brand-hotline channels (a
    /// window's clerk only walk-ins); the public form is `web`, Open311 `open311`.
    static func create(
        _ input: Input, channel forced: WorkOrderChannel? = nil, open311: Open311Origin? = nil,
        files: [(CaseUpload.Checked, [UInt8])] = [], req: Request
    )
        async throws -> (WorkOrderModel, [WorkOrderModel])
    {
        let p = req.principal
        var checked: WorkOrderInput.Checked
        switch WorkOrderInput(
            kind: input.kind, channel: forced?.rawValue ?? input.channel, urgency: input.urgency, callerName: input.callerName,
            callerPhone: input.callerPhone, callerID: input.callerID, anonymous: input.anonymous ?? false,
            confidential: input.confidential ?? false, title: input.subject, text: input.text, address: input.address
        ).checked() {
        case .failure(let f): throw f
        case .success(let c): checked = c
        }
        if forced == nil {
            guard let p, p.isStaff, checked.channel.staffEntered else { throw ValidationFailure([FieldError("channel", "invalidChoice")]) }
            if p.role == .windowStaff, checked.channel != .walkIn {
                throw ValidationFailure([FieldError("channel", "workOrder.walkInOnly")])
            }
            guard [.hotlineOperator, .centerAdmin, .windowStaff].contains(p.role) else { throw Abort(.forbidden) }
        }
        if checked.channel == .brandHotline, (input.brand ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationFailure([FieldError("brand", "required")])
        }
        let center = try await Self.center(input.center, req: req)
        let centerID = try center.requireID()
        var v = Validator()
        let answer = v.text("answer", input.answer, max: 4000, required: false)
        if !answer.isEmpty, checked.kind != .consultation { v.add("answer", "workOrder.notConsultation") }
        if !answer.isEmpty, p?.isStaff != true { v.add("answer", "workOrder.notConsultation") }
        let brand = v.text("brand", input.brand, max: 80, required: false)
        let phrase = try await HallRulesService.cited(input.phrase, center: centerID, field: "phrase", on: req.db, &v)
        if phrase != nil, checked.kind != .complaint { v.add("phrase", "workOrder.phraseComplaintOnly") }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        // What the order concerns, checked to be of its center.
        var caseID: UUID?
        if let number = input.caseNumber?.trimmingCharacters(in: .whitespaces), !number.isEmpty {
            guard let c = try await CaseModel.query(on: req.db).filter(\.$number == number).first(), c.centerID == centerID else {
                throw ValidationFailure([FieldError("caseNumber", "rating.caseNotFound")])
            }
            caseID = c.id
        }
        if let w = input.windowID {
            guard let window = try await WindowModel.find(w, on: req.db), window.centerID == centerID else {
                throw ValidationFailure([FieldError("windowID", "invalidReference")])
            }
        }
        if let s = input.staffID, try await StaffModel.find(s, on: req.db) == nil {
            throw ValidationFailure([FieldError("staffID", "invalidReference")])
        }
        if let i = input.itemID, try await ServiceItemModel.find(i, on: req.db) == nil {
            throw ValidationFailure([FieldError("itemID", "invalidReference")])
        }
        let millis = HallClock.millis(req.now)
        let today = HallClock.day(req.now)
        let o = WorkOrderModel()
        o.id = UUID.timeOrdered()
        o.centerID = centerID
        o.kind = checked.kind.rawValue
        o.channel = checked.channel.rawValue
        o.urgency = checked.urgency.rawValue
        o.state = WorkOrderState.received.rawValue
        o.anonymous = input.anonymous ?? false
        o.confidential = checked.confidential
        o.callerName = checked.callerName.isEmpty ? nil : checked.callerName
        o.callerPhone = checked.callerPhone
        o.callerID = checked.callerID
        o.phoneIndex = checked.callerPhone.map { PersonalData.index($0, WorkOrderModel.phoneField) } ?? ""
        o.title = checked.title
        o.text = checked.text
        o.address = checked.address
        o.windowID = input.windowID
        o.staffID = input.staffID
        o.itemID = input.itemID
        o.caseID = caseID
        o.brandRef = brand
        o.phrase = phrase
        o.serviceCode = open311?.serviceCode ?? ""
        o.callerEmail = open311.flatMap { $0.email.isEmpty ? nil : $0.email }
        o.mediaURL = open311?.mediaURL ?? ""
        o.open311KeyID = open311?.keyID
        o.lat = open311?.lat
        o.lon = open311?.lon
        o.coDepartments = ""
        o.receivedAt = millis
        o.limitText = ""
        o.reply = ""
        o.repliedBy = ""
        o.returns = 0
        o.reopens = 0
        o.judgeNote = ""
        o.stage = 0
        o.takenBy = p.map { "user:" + $0.name } ?? ""
        if !answer.isEmpty {
            o.state = WorkOrderState.closed.rawValue
            o.reply = answer
            o.repliedBy = p?.displayName ?? ""
            o.repliedAt = millis
            o.closedAt = millis
        }
        let duplicates = try await Self.duplicates(of: o, on: req.db)
        let actor = p.map { "user:" + $0.name } ?? "public"
        // Without files, the batch's orders and events go in together; files refer to their order,
        // which must then be written first.
        let made = try await req.audited(defers: files.isEmpty) { db -> (WorkOrderModel, [AuditEvent]) in
            o.number = try await nextNumber(today, on: db)
            try await WorkOrderRows.insert(o, on: db)
            try await event(o, "create", actor: actor, at: millis, note: "", on: db)
            if !answer.isEmpty { try await event(o, "answer", actor: actor, at: millis, note: answer, on: db) }
            var detail = ["number": o.number, "kind": o.kind, "channel": o.channel, "state": o.state]
            if let phrase { detail["phrase"] = phrase }
            // Files sent with the order are written with it, or not at all.
            let attached = try await WorkOrderAttachments.add(files, to: o, by: p?.displayName ?? "", at: millis, on: db).1
            return (o, [AuditEvent("workOrder.create", "work_order", id: o.id, center: centerID, detail: detail)] + attached)
        }
        return (made, duplicates)
    }

    /// The day's next number, GD + the day + four digits (more past 9,999).
    static func nextNumber(_ day: CivilDate, on db: any Database) async throws -> String {
        let key = day.description.replacingOccurrences(of: "-", with: "")
        let sql = try SQLRows.sql(db)
        let row = try await sql.raw(
            """
            INSERT INTO work_order_counters (day, last) VALUES (\(bind: key), 1)
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last
            """
        ).first()
        let n = try row?.decode(column: "last", as: Int.self) ?? 1
        let digits = String(n)
        return "GD" + key + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func event(
        _ o: WorkOrderModel, _ action: String, actor: String, at millis: Int64, department: UUID? = nil, outcome: String = "",
        note: String, on db: any Database
    ) async throws {
        let e = WorkOrderEventModel()
        e.id = UUID.timeOrdered()
        e.orderID = try o.requireID()
        e.centerID = o.centerID
        e.at = millis
        e.actor = actor
        e.action = action
        e.departmentID = department ?? o.departmentID
        e.outcome = outcome
        e.note = note
        try await WorkOrderRows.insert(e, on: db)
    }

    /// Earlier open or recent orders of the same center that this one probably repeats
    /// (`WorkOrderDuplicates`): the caller's by phone, and those about the same window, item or
    /// place, within the days set.
    static func duplicates(of o: WorkOrderModel, days: Int = 7, on db: any Database) async throws -> [WorkOrderModel] {
        let since = o.receivedAt - Int64(days) * 86_400_000
        var candidates: [WorkOrderModel] = []
        if !o.phoneIndex.isEmpty {
            candidates += try await WorkOrderModel.query(on: db).filter(\.$phoneIndex == o.phoneIndex).filter(\.$receivedAt >= since)
                .sort(\.$receivedAt, .descending).limit(20).all()
        }
        if o.windowID != nil || o.itemID != nil || !o.address.isEmpty {
            candidates += try await WorkOrderModel.query(on: db).filter(\.$centerID == o.centerID).filter(\.$receivedAt >= since)
                .group(.or) { g in
                    if let w = o.windowID { g.filter(\.$windowID == w) }
                    if let i = o.itemID { g.filter(\.$itemID == i) }
                    if !o.address.isEmpty { g.filter(\.$address == o.address) }
                }.sort(\.$receivedAt, .descending).limit(50).all()
        }
        func fact(_ m: WorkOrderModel) -> WorkOrderDuplicates.Fact {
            .init(
                id: m.id?.uuidString ?? "", at: m.receivedAt, phone: m.phoneIndex.isEmpty ? nil : m.phoneIndex,
                windowID: m.windowID?.uuidString, itemID: m.itemID?.uuidString, address: m.address, text: m.text)
        }
        var byID: [String: WorkOrderModel] = [:]
        for c in candidates where c.stateValue != .merged { byID[c.id?.uuidString ?? ""] = c }
        return WorkOrderDuplicates.matches(fact(o), among: byID.values.map(fact), days: days).compactMap { byID[$0.id] }
    }

    // MARK: reading

    /// An order the caller may see: the center's staff who dispatch or supervise see the orders of
    /// their scope; a department sees the orders dispatched to it (lead or co-department).
    static func visible(_ id: UUID, req: Request) async throws -> WorkOrderModel {
        let p = try req.requirePrincipal()
        guard viewers.admits(p.role), let o = try await WorkOrderModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(o.centerID)
        if p.role == .chiefRepresentative {
            guard let d = p.departmentID, o.departmentID == d || o.coDepartmentIDs.contains(d) else { throw Abort(.forbidden) }
        }
        return o
    }

    struct Filter: Sendable {
        var state: WorkOrderState?
        var kind: WorkOrderKind?
        var department: UUID?
        var overdue = false
        var number = ""
        var limit = 100
    }

    static func list(_ f: Filter, req: Request) async throws -> [WorkOrderModel] {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        var q = WorkOrderModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
        if p.role == .chiefRepresentative {
            guard let d = p.departmentID else { return [] }
            q = q.filter(\.$departmentID == d)
        } else if let d = f.department {
            q = q.filter(\.$departmentID == d)
        }
        if let s = f.state { q = q.filter(\.$state == s.rawValue) }
        if let k = f.kind { q = q.filter(\.$kind == k.rawValue) }
        if !f.number.isEmpty { q = q.filter(\.$number == f.number.uppercased()) }
        if f.overdue {
            q = q.filter(\.$dueAt < HallClock.millis(req.now)).filter(\.$state ~~ [WorkOrderState.dispatched.rawValue, "handling"])
        }
        // A department's list by time left; everyone else's newest first.
        if p.role == .chiefRepresentative || f.department != nil {
            q = q.sort(\.$dueAt, .ascending).sort(\.$receivedAt, .ascending)
        } else {
            q = q.sort(\.$receivedAt, .descending)
        }
        return try await q.limit(min(max(f.limit, 1), 500)).all()
    }

    static func history(_ o: WorkOrderModel, on db: any Database) async throws -> [WorkOrderEventModel] {
        try await WorkOrderEventModel.query(on: db).filter(\.$orderID == o.requireID()).sort(\.$at).sort(\.$id).all()
    }
}
