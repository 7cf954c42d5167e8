import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// The supervision sweep's look at bad ratings (issue 19): a warning to the department a few
/// working days before a rectification is due, and a card (`rating_overdue`) once it is overdue,
/// each once, through the outbox like a case's; the card appears on `/supervision/cards` and is
/// explained and decided like any other. Only open bad ratings near or past their day are read.
extension Supervision {
    static func sweepRatings(app: Application, now: Date) async throws -> Int {
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        // Working days are at least calendar days: nothing further than this can be due a warning.
        let horizon = today.adding(days: BadRatingCase.warnDays * 3 + 10).description
        let upheld = BadRatingCase.Appeal.upheld.rawValue
        let open = try await BadRatingModel.query(on: app.db).filter(\.$resolution == nil).filter(\.$cardedOn == nil)
            .filter(\.$dueOn <= horizon).group(.or) { $0.filter(\.$appeal == nil).filter(\.$appeal != upheld) }.all()
        var calendars: [UUID: WorkCalendar] = [:]
        var looked = 0
        for b in open {
            if calendars[b.centerID] == nil { calendars[b.centerID] = try await app.calendars.calendar(for: b.centerID, on: app.db) }
            guard let calendar = calendars[b.centerID] else { continue }
            let watch = b.flow.watch(
                today: today, calendar: calendar, warnDays: BadRatingCase.warnDays, warned: b.warnedOn != nil, carded: b.cardedOn != nil)
            guard watch != .none, let id = b.id else { continue }
            looked += 1
            let explainWithin = SupervisionThresholds.standard.explainWithin
            let explainBy = (calendar.addWorkingDays(explainWithin, to: today) ?? today).description
            try await app.groupCommit.run(actor: "system", now: now) { db -> (Void, [AuditEvent]) in
                // Looked at again inside the write: a rectification may have come meanwhile.
                guard let row = try await BadRatingModel.find(id, on: db), row.resolution == nil, row.cardedOn == nil else {
                    return ((), [])
                }
                let r = try await RatingModel.find(id, on: db)
                let name = try await subject(r, on: db)
                let users = try await responsible(row, on: db)
                switch watch {
                case .none: return ((), [])
                case .warn(let left):
                    guard row.warnedOn == nil else { return ((), []) }
                    row.warnedOn = today.description
                    try await row.save(on: db)
                    try await Outbox.enqueue(
                        "rating.reminder",
                        .init(
                            title: "差评整改临近期限：\(name)", body: "还剩 \(left) 个工作日，应于 \(row.dueOn) 前整改或说明。", link: "/ratings/\(id)",
                            data: ["rating": id.uuidString, "due": row.dueOn, "daysLeft": String(left)]),
                        users: users, center: row.centerID, at: millis, on: db)
                    return ((), [AuditEvent("rating.remind", "rating", id: id, center: row.centerID, detail: ["due": row.dueOn])])
                case .card:
                    row.cardedOn = today.description
                    try await row.save(on: db)
                    var events: [AuditEvent] = []
                    // A card is the department's to explain; a rating with no department is the
                    // center administrators' through the warning alone.
                    if let department = row.departmentID {
                        let card = CardModel()
                        card.id = UUID.timeOrdered()
                        card.caseID = nil
                        card.ratingID = id
                        card.caseNumber = name
                        card.centerID = row.centerID
                        card.departmentID = department
                        card.userID = nil
                        card.kind = "rating_overdue"
                        card.reason = "差评应于 \(row.dueOn) 前整改或说明，已超期"
                        card.issuedOn = today.description
                        card.explainBy = explainBy
                        card.status = "open"
                        card.explanation = ""
                        card.explainedBy = ""
                        card.decidedBy = ""
                        card.decisionNote = ""
                        try await card.create(on: db)
                        events.append(
                            AuditEvent(
                                "card.issue", "card", id: card.id, center: row.centerID,
                                detail: ["rating": id.uuidString, "kind": card.kind, "explainBy": explainBy]))
                    }
                    try await Outbox.enqueue(
                        "card.issued",
                        .init(
                            title: "差评整改超期：\(name)", body: "应于 \(row.dueOn) 前整改或说明，已超期。请在 \(explainBy) 前提交书面说明。",
                            link: "/supervision/cards", data: ["rating": id.uuidString, "kind": "rating_overdue", "explainBy": explainBy]),
                        users: users, center: row.centerID, at: millis, on: db)
                    events.append(AuditEvent("rating.overdue", "rating", id: id, center: row.centerID, detail: ["due": row.dueOn]))
                    return ((), events)
                }
            }
        }
        return looked
    }

    /// What names a rating on a card: its case's number, or its ticket's.
    static func subject(_ r: RatingModel?, on db: any Database) async throws -> String {
        if let c = r?.caseID, let number = try await CaseModel.find(c, on: db)?.number { return number }
        if let t = r?.ticketID, let ticket = try await TicketModel.find(t, on: db) { return "\(ticket.number)（\(ticket.day)）" }
        return "好差评"
    }

    /// Who answers for a bad rating: its department's chief representatives and the center's
    /// administrators.
    static func responsible(_ b: BadRatingModel, on db: any Database) async throws -> [UUID] {
        try await responsible(center: b.centerID, department: b.departmentID, on: db)
    }

    /// Who answers for what a department owes (a bad rating, a work order): its chief
    /// representatives and the center's administrators.
    static func responsible(center: UUID, department: UUID?, on db: any Database) async throws -> [UUID] {
        var users = try await UserModel.query(on: db).filter(\.$centerID == center)
            .filter(\.$role == Role.centerAdmin.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
        if let d = department {
            users += try await UserModel.query(on: db).filter(\.$departmentID == d)
                .filter(\.$role == Role.chiefRepresentative.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
        }
        return Array(Set(users))
    }
}
