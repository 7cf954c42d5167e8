import Fluent
import Foundation
import OneStopCore
import Vapor

/// A brand's live figures (issue 22): what it covers measured over a period — the replies of its
/// hotline (orders naming the brand), the rating satisfaction of its windows and staff, the valid
/// complaints about it — and its commitments checked against them. The watch, run with the
/// housekeeping, tells the office once a month when a commitment is missed, and puts a named brand
/// under review after the campaign's number of months missed in a row.
enum BrandFigures {
    /// The orders that name the brand: by its name (the hotline's staff type it) or its id.
    static func orders(_ b: BrandModel, from: Int64, to: Int64, on db: any Database) async throws -> [WorkOrderModel] {
        try await WorkOrderModel.query(on: db).filter(\.$centerID == b.centerID)
            .filter(\.$brandRef ~~ [b.name, b.id!.uuidString.lowercased()]).filter(\.$receivedAt >= from).filter(\.$receivedAt < to)
            .filter(\.$mergedInto == nil).limit(5000).all()
    }

    static func measure(
        _ b: BrandModel, from: Int64, to: Int64, now: Int64, on db: any Database, app: Application
    ) async throws
        -> BrandCommitments.Measured
    {
        let orders = try await orders(b, from: from, to: to, on: db)
        let calendar = try await app.calendars.calendar(for: b.centerID, on: db)
        func day(_ ms: Int64) -> CivilDate { HallClock.day(Date(timeIntervalSince1970: Double(ms) / 1000)) }
        var m = BrandCommitments.Measured()
        for o in orders {
            if let r = o.repliedAt {
                m.replyHours.append(Double(r - o.receivedAt) / 3_600_000)
                if let n = calendar.countWorkingDays(from: day(o.receivedAt), to: day(r)) { m.replyWorkingDays.append(n) }
            } else {
                m.waitingHours.append(Double(now - o.receivedAt) / 3_600_000)
            }
        }
        let social = try await BrandSelectionService.socialFigures(b, since: from, until: to, on: db)
        m.satisfaction = social.satisfaction
        m.validComplaints = social.valid
        return m
    }

    static func bounds(_ p: EvaluationPeriod) -> (Int64, Int64) {
        (HallClock.millis(HallClock.instant(p.first, minute: 0)), HallClock.millis(HallClock.instant(p.last.adding(days: 1), minute: 0)))
    }

    /// This month's checks of a brand.
    static func checks(_ b: BrandModel, now: Date, on db: any Database, app: Application) async throws -> [BrandCommitments.Check] {
        let (from, to) = bounds(EvaluationPeriod(.month, containing: HallClock.day(now)))
        let m = try await measure(b, from: from, to: to, now: HallClock.millis(now), on: db, app: app)
        return BrandCommitments.check(b.systemValue.commitments, m)
    }

    /// The states whose commitments are watched.
    static let watched: [BrandRules.State] = [.practising, .candidate, .typical, .named, .underReview]

    struct Outcome: Equatable {
        var told = 0
        var reviewed = 0
    }

    /// One pass: the month so far and the month before for every watched brand; the office is told
    /// of a missed month once; a named brand missing `reviewMonths` months in a row goes under review.
    @discardableResult
    static func watch(app: Application, now: Date) async throws -> Outcome {
        let db = app.db
        let millis = HallClock.millis(now)
        let month = EvaluationPeriod(.month, containing: HallClock.day(now))
        var out = Outcome()
        for b in try await BrandModel.query(on: db).filter(\.$state ~~ watched.map(\.rawValue)).all() {
            let id = try b.requireID()
            let campaign = try await BrandReportService.campaign(for: b, on: db, app: app)
            let reviewMonths = campaign?.weightsValue.reviewMonths ?? BrandSelection.Weights().reviewMonths
            for p in [month.previous, month] {
                let (from, to) = bounds(p)
                let checks = BrandCommitments.check(
                    b.systemValue.commitments, try await measure(b, from: from, to: min(to, millis), now: millis, on: db, app: app))
                let missed = checks.filter { $0.verdict == .missed }.map(\.text)
                let key = String(p.first.description.prefix(7))
                let row = try await BrandMonthModel.query(on: db).filter(\.$brandID == id).filter(\.$month == key).first()
                // A month before this one is settled once looked at after its end.
                if let row, p != month, row.checkedAt >= to { continue }
                let tell = !missed.isEmpty && !(row?.notified ?? false)
                var recipients: [UUID] = []
                if tell {
                    let ancestry = try await app.centerTrees.tree(on: db).ancestry(b.centerID)
                    recipients = try await UserModel.query(on: db).filter(\.$centerID ~~ ancestry)
                        .filter(\.$role == Role.campaignOffice.rawValue).filter(\.$disabled == false).all().compactMap(\.id)
                    recipients += try await Supervision.responsible(center: b.centerID, department: b.departmentID, on: db)
                }
                let users = recipients
                try await AuditedWrite.run(on: db, gate: app.writeGate, actor: "system", now: now) { tx in
                    let m =
                        try await BrandMonthModel.query(on: tx).filter(\.$brandID == id).filter(\.$month == key).first()
                        ?? BrandMonthModel()
                    if m.id == nil {
                        m.id = UUID.timeOrdered()
                        m.brandID = id
                        m.month = key
                        m.notified = false
                    }
                    m.missed = !missed.isEmpty
                    m.detail = missed.joined(separator: "\n")
                    m.checkedAt = millis
                    var events: [AuditEvent] = []
                    if tell {
                        m.notified = true
                        try await Outbox.enqueue(
                            "brand.commitment.missed",
                            .init(
                                title: "品牌承诺未兑现：\(b.name)", body: "\(key) 未兑现的承诺：" + missed.joined(separator: "；"),
                                link: "/brands/\(id.uuidString.lowercased())", data: ["brand": id.uuidString, "month": key]),
                            users: users, center: b.centerID, at: millis, on: tx)
                        events.append(
                            AuditEvent(
                                "brand.commitment.missed", "brand", id: id, center: b.centerID,
                                detail: ["month": key, "missed": m.detail]))
                    }
                    try await m.save(on: tx)
                    return ((), events)
                }
                if tell { out.told += 1 }
            }
            guard b.stateValue == .named else { continue }
            // The complete months before this one, oldest first.
            let settled = try await BrandMonthModel.query(on: db).filter(\.$brandID == id)
                .filter(\.$month < String(month.first.description.prefix(7))).sort(\.$month).all()
            guard BrandCommitments.dueForReview(monthsMissed: settled.map(\.missed), months: reviewMonths) else { continue }
            let months = settled.suffix(reviewMonths).map(\.month).joined(separator: "、")
            try await AuditedWrite.run(on: db, gate: app.writeGate, actor: "system", now: now) { tx in
                guard let fresh = try await BrandModel.find(id, on: tx), fresh.stateValue == .named else { return ((), []) }
                fresh.state = BrandRules.State.underReview.rawValue
                fresh.updatedAt = millis
                try await fresh.save(on: tx)
                return (
                    (),
                    [
                        AuditEvent(
                            "brand.state", "brand", id: id, center: fresh.centerID,
                            detail: ["from": "named", "state": "under_review", "reason": "承诺连续未兑现：\(months)"])
                    ]
                )
            }
            out.reviewed += 1
        }
        return out
    }
}
