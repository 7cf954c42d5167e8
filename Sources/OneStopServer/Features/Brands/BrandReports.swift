import Fluent
import Foundation
import OneStopCore
import Vapor

/// 一周一报 (issue 22): during the campaign's practice phase each practising brand files a weekly
/// report — what was done, what changed for users, figures, photos; the office sees each brand's
/// weeks as on time, late or missing, and the owner is reminded through the outbox once a week
/// ends without one.
enum BrandReportService {
    struct Input: Content {
        /// Any day of the week reported on; default today's week.
        var week: String?
        var done: String?
        var changes: String?
        var figures: String?
        /// Files uploaded with `uploadBrandFile`.
        var photos: [UUID]?
    }

    struct ReportDTO: Content {
        var id: UUID
        var week: String
        var done: String
        var changes: String
        var figures: String
        var photos: [String]
        var late: Bool
        var filedBy: String
        var filedAt: Date
    }

    struct WeekDTO: Content {
        var week: String
        var end: String
        var status: String
        var report: ReportDTO?
    }

    struct ListDTO: Content {
        var campaignID: UUID?
        var weeks: [WeekDTO]
        var onTime: Int
        var late: Int
        var missing: Int
    }

    /// The campaign a brand takes part in: the latest opened over a tree that holds its center.
    static func campaign(for b: BrandModel, on db: any Database, app: Application) async throws -> BrandCampaignModel? {
        let ancestry = try await app.centerTrees.tree(on: db).ancestry(b.centerID)
        return try await BrandCampaignModel.query(on: db).filter(\.$centerID ~~ ancestry).sort(\.$openedAt, .descending).first()
    }

    static func practice(_ c: BrandCampaignModel) -> BrandCampaignPhases.Span? { c.phasesValue.spans.first { $0.phase == .practice } }

    /// Files the report; `uploads` (photos sent with a form) are stored in the same write.
    static func file(_ id: UUID, _ input: Input, uploads: [BrandFileModel] = [], req: Request) async throws -> BrandReportModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(id, on: req.db)
        guard try await BrandService.mayEdit(b, req: req) else { throw Abort(.forbidden) }
        guard b.stateValue != .cultivating, b.stateValue != .revoked else { throw Abort(.conflict, reason: req.t("brand.notPractising")) }
        guard let c = try await campaign(for: b, on: req.db, app: req.application), let span = practice(c) else {
            throw Abort(.conflict, reason: req.t("brand.noCampaign"))
        }
        let today = HallClock.day(req.now)
        var v = Validator()
        let day = input.week.flatMap { $0.isEmpty ? nil : CivilDate($0) } ?? today
        if let w = input.week, !w.isEmpty, CivilDate(w) == nil { v.add("week", "date") }
        let week = BrandPractice.week(of: day, from: span.from, to: span.to)
        if week == nil { v.add("week", "brand.notPracticeWeek") }
        if let week, week.start > today { v.add("week", "brand.inFuture") }
        let done = v.text("done", input.done, max: 2000)
        let changes = v.text("changes", input.changes, max: 2000, required: false)
        let figures = v.text("figures", input.figures, max: 1000, required: false)
        let photos = input.photos ?? []
        if photos.count + uploads.count > 9 { v.add("photos", "tooLong") }
        if !photos.isEmpty {
            let found = try await BrandFileModel.query(on: req.db).filter(\.$id ~~ photos).filter(\.$brandID == id).count()
            if found != Set(photos).count { v.add("photos", "invalidReference") }
        }
        guard v.isValid, let week else { throw ValidationFailure(v.errors) }
        let r = BrandReportModel()
        r.id = UUID.timeOrdered()
        r.brandID = id
        r.campaignID = try c.requireID()
        r.week = week.key
        r.done = done
        r.changes = changes
        r.figures = figures
        r.photoIDs = photos + uploads.compactMap(\.id)
        r.late = BrandPractice.status(week, filedOn: today, today: today) == .late
        r.filedBy = p.displayName
        r.filedAt = HallClock.millis(req.now)
        let centerID = b.centerID
        do {
            return try await req.audited { db -> (BrandReportModel, [AuditEvent]) in
                if try await BrandReportModel.query(on: db).filter(\.$brandID == id).filter(\.$campaignID == r.campaignID)
                    .filter(\.$week == r.week).count() > 0
                {
                    throw Abort(.conflict, reason: req.t("brand.reportFiled"))
                }
                for f in uploads { try await f.storeNew(on: db) }
                try await r.storeNew(on: db)
                return (
                    r,
                    [
                        AuditEvent(
                            "brand.report", "brand", id: id, center: centerID, detail: ["week": r.week, "late": r.late ? "yes" : "no"])
                    ]
                )
            }
        } catch let e as any DatabaseError where e.isConstraintFailure {
            throw Abort(.conflict, reason: req.t("brand.reportFiled"))
        }
    }

    static func dto(_ r: BrandReportModel) -> ReportDTO {
        ReportDTO(
            id: r.id!, week: r.week, done: r.done, changes: r.changes, figures: r.figures,
            photos: r.photoIDs.map { BrandFiles.path(brand: r.brandID, file: $0) }, late: r.late, filedBy: r.filedBy,
            filedAt: Date(timeIntervalSince1970: Double(r.filedAt) / 1000))
    }

    /// A brand's weeks of practice so far, each with its status and its report.
    static func list(_ b: BrandModel, on db: any Database, app: Application, today: CivilDate) async throws -> ListDTO {
        guard let c = try await campaign(for: b, on: db, app: app), let span = practice(c) else {
            return ListDTO(campaignID: nil, weeks: [], onTime: 0, late: 0, missing: 0)
        }
        let weeks = BrandPractice.weeks(from: span.from, to: span.to).filter { $0.start <= today }
        let reports = try await BrandReportModel.query(on: db).filter(\.$brandID == b.requireID()).filter(\.$campaignID == c.requireID())
            .all()
        var byWeek: [String: BrandReportModel] = [:]
        for r in reports { byWeek[r.week] = r }
        // A brand approved mid-practice owes the weeks from its approval on.
        let approved = b.approvedAt.map { HallClock.day(Date(timeIntervalSince1970: Double($0) / 1000)) }
        let owed = weeks.filter { w in approved.map { w.end >= $0 } ?? false }
        let filed = byWeek.mapValues { HallClock.day(Date(timeIntervalSince1970: Double($0.filedAt) / 1000)) }
        let tally = BrandPractice.tally(weeks: owed, filed: filed, today: today)
        return ListDTO(
            campaignID: c.id,
            weeks: owed.reversed().map { w in
                WeekDTO(
                    week: w.key, end: w.end.description,
                    status: BrandPractice.status(w, filedOn: filed[w.key], today: today).rawValue, report: byWeek[w.key].map(dto))
            }, onTime: tally.onTime, late: tally.late, missing: tally.missing)
    }

    /// Reminds the owners of the brands whose week ended without a report, once a week each.
    /// Returns how many reminders were queued.
    @discardableResult
    static func remind(app: Application, now: Date) async throws -> Int {
        let db = app.db
        let today = HallClock.day(now)
        let millis = HallClock.millis(now)
        let tree = try await app.centerTrees.tree(on: db)
        var sent = 0
        for c in try await BrandCampaignModel.query(on: db).all() {
            guard let span = practice(c), span.from < today, today <= span.to.adding(days: 7) else { continue }
            let weeks = BrandPractice.weeks(from: span.from, to: span.to)
            let brands = try await BrandModel.query(on: db).filter(\.$centerID ~~ Array(tree.subtree(c.centerID)))
                .filter(\.$state ~~ [BrandRules.State.practising.rawValue, BrandRules.State.candidate.rawValue]).all()
            for b in brands {
                let id = try b.requireID()
                let approved = b.approvedAt.map { HallClock.day(Date(timeIntervalSince1970: Double($0) / 1000)) } ?? today
                let owed = weeks.filter { $0.end >= approved }
                let filed = Set(
                    try await BrandReportModel.query(on: db).filter(\.$brandID == id).filter(\.$campaignID == c.requireID()).all().map(
                        \.week))
                let reminded = Set(
                    try await BrandReminderModel.query(on: db).filter(\.$brandID == id).filter(\.$campaignID == c.requireID()).all()
                        .map(\.week))
                let due = BrandPractice.remindersDue(weeks: owed, filed: filed, reminded: reminded, today: today)
                guard !due.isEmpty else { continue }
                var users = try await Supervision.responsible(center: b.centerID, department: b.departmentID, on: db)
                if let owner = b.ownerID { users.append(owner) }
                let recipients = users
                let campaignID = try c.requireID()
                try await AuditedWrite.run(on: db, gate: app.writeGate, actor: "system", now: now) { tx in
                    for w in due {
                        let m = BrandReminderModel()
                        m.id = UUID.timeOrdered()
                        m.brandID = id
                        m.campaignID = campaignID
                        m.week = w.key
                        m.sentAt = millis
                        try await m.create(on: tx)
                    }
                    let weeksText = due.map { "\($0.start)–\($0.end)" }.joined(separator: "、")
                    try await Outbox.enqueue(
                        "brand.report.missing",
                        .init(
                            title: "品牌周报未报：\(b.name)", body: "\(weeksText) 的周报尚未报送，请尽快补报（一周一报）。",
                            link: "/brands/\(id.uuidString.lowercased())/work", data: ["brand": id.uuidString, "weeks": weeksText]),
                        users: recipients, center: b.centerID, at: millis, on: tx)
                    return ((), [AuditEvent("brand.report.remind", "brand", id: id, center: b.centerID, detail: ["weeks": weeksText])])
                }
                sent += 1
            }
        }
        return sent
    }
}

extension BrandReportService {
    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brands", ":id", "reports", access: .staff,
            operation: .init(
                id: "fileBrandReport",
                summary:
                    "Files a brand's weekly report (一周一报) for a week of the campaign's practice phase: what was done, what changed for users, figures, photos; after the week's last day it counts as late",
                tag: "Brands", request: "BrandReportInput", response: "BrandReport", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(dto(try await file(try req.uuid("id"), try req.content.decode(Input.self), req: req)), req)
        }
        api.endpoint(
            .GET, "brands", ":id", "reports", access: .staff,
            operation: .init(
                id: "listBrandReports",
                summary: "A brand's weeks of practice so far, the latest first, each on time, late, missing or open, with its report",
                tag: "Brands", response: "BrandReportList")
        ) { req in
            let b = try await BrandService.find(try req.uuid("id"), on: req.db)
            try await req.scope().require(b.centerID)
            return try await list(b, on: req.db, app: req.application, today: HallClock.day(req.now))
        }
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let report = O.object([
            "id": O.uuid, "week": O.string, "done": O.string, "changes": O.string, "figures": O.string,
            "photos": ["type": "array", "items": O.string], "late": O.bool, "filedBy": O.string, "filedAt": O.dateTime,
        ])
        return [
            "BrandReportInput": O.object(
                [
                    "week": O.string, "done": O.string, "changes": O.string, "figures": O.string,
                    "photos": ["type": "array", "items": O.uuid],
                ], required: ["done"]),
            "BrandReport": report,
            "BrandReportList": O.object([
                "campaignID": ["type": ["string", "null"], "format": "uuid"],
                "weeks": [
                    "type": "array",
                    "items": O.object([
                        "week": O.string, "end": O.string,
                        "status": ["type": "string", "enum": .array(BrandPractice.Status.allCases.map { .string($0.rawValue) })],
                        "report": ["oneOf": [report, ["type": "null"]]],
                    ]),
                ],
                "onTime": O.integer, "late": O.integer, "missing": O.integer,
            ]),
        ]
    }()
}
