import Fluent
import Foundation
import OneStopCore
import Vapor

/// What `/brands/{id}/work` shows (issue 22): one brand's campaign work on one page — its weekly
/// reports, inspections, declaration and experts, survey, evidence, and the office's acts — with
/// only the forms the viewer may use.
enum BrandWorkView {
    struct Week: Encodable {
        var label: String
        var status: String
        var statusKey: String
        var done: String
        var changes: String
        var figures: String
        var photos: [HallLink]
    }

    struct Inspection: Encodable {
        var id: String
        var day: String
        var inspectors: String
        var findings: [String]
        var problems: [String]
        var noticeHref: String
        var noticeNumber: String
    }

    struct Card: Encodable {
        var name: String
        var status: String
        var total: String
    }

    struct Vote: Encodable {
        var id: String
        var level: String
        var comment: String
        var at: String
        var flagged: Bool
        var excluded: String
    }

    struct Survey: Encodable {
        var title: String
        var accepting: Bool
        var href: String
        var url: String
        var qr: String
        var closesOn: String
        var state: String
        var votes: Int
        var score: String
        var flagged: Int
        var list: [Vote]
    }

    struct Act: Encodable {
        var path: String
        var label: String
        var needsReason: Bool
    }

    struct Page: Encodable {
        var id: String
        var name: String
        var state: String
        var department: String
        var editHref: String
        var publicHref: String
        var campaign: String
        var phase: String
        var tally: String
        var weeks: [Week]
        var reportWeeks: [FormView.Option]
        var canReport: Bool
        var isOffice: Bool
        var inspections: [Inspection]
        var standards: [FormView.Option]
        var today: String
        var canDeclare: Bool
        var requirements: String
        var declaration: [FormView.Option]
        var declaredBy: String
        var experts: [FormView.Option]
        var cards: [Card]
        var scoresVisible: Bool
        var canAssign: Bool
        var canOpenSurvey: Bool
        var survey: Survey?
        var selectionHref: String
        var canEdit: Bool
        var evidence: [Evidence]
        var evidenceKinds: [FormView.Option]
        var acts: [Act]
        var errors: [String]
        var form: [String: String]
    }

    struct Evidence: Encodable {
        var kind: String
        var title: String
        var day: String
        var detail: String
        var fileHref: String
    }

    /// The fields the page's forms send, each present ("" when not sent) so the template can
    /// put back what a refused form held.
    static func echo(_ form: [String: String]) -> [String: String] {
        let standards = BrandSelection.Standard.allCases.map(\.rawValue)
        let keys =
            ["week", "done", "changes", "figures", "day", "inspectors", "requirements", "kind", "headline", "detail", "closesOn", "reason"]
            + standards.map { "finding_" + $0 } + standards.map { "assess_" + $0 } + (1...3).flatMap { ["problem\($0)", "deadline\($0)"] }
        var out = Dictionary(uniqueKeysWithValues: keys.map { ($0, "") })
        for (k, v) in form where out[k] != nil { out[k] = v }
        return out
    }

    static func build(_ b: BrandModel, req: Request, errors: [String], form: [String: String]) async throws -> Page {
        let p = try req.requirePrincipal()
        let id = b.id!
        let key = id.uuidString.lowercased()
        let today = HallClock.day(req.now)
        let isOffice = p.role == .campaignOffice
        let canEdit = try await BrandService.mayEdit(b, req: req)
        var department = ""
        if let d = b.departmentID { department = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let campaign = try await BrandReportService.campaign(for: b, on: req.db, app: req.application)
        let phase = campaign.flatMap { $0.phasesValue.phase(on: today) }
        func std(_ s: BrandSelection.Standard) -> String { req.t("brand.standard.\(s.rawValue)") }

        // 一周一报
        let reports = try await BrandReportService.list(b, on: req.db, app: req.application, today: today)
        let weeks = reports.weeks.map { w in
            Week(
                label: "\(w.week) – \(w.end)", status: req.t("brand.week.\(w.status)"), statusKey: w.status, done: w.report?.done ?? "",
                changes: w.report?.changes ?? "", figures: w.report?.figures ?? "",
                photos: (w.report?.photos ?? []).enumerated().map {
                    HallLink(href: $1, label: req.t("brand.photoN", ["n": String($0 + 1)]))
                })
        }
        let canReport = canEdit && phase == .practice && ![.cultivating, .revoked].contains(b.stateValue)
        // The weeks still owed, the oldest missing one chosen first: a reminder asks for it.
        let owed = reports.weeks.filter { $0.report == nil }
        let chosen = form["week"] ?? owed.last { $0.status == "missing" }?.week ?? owed.first?.week
        let reportWeeks = owed.map {
            FormView.Option(
                value: $0.week, label: "\($0.week) – \($0.end)（\(req.t("brand.week.\($0.status)"))）", selected: chosen == $0.week)
        }

        // 督查
        let inspections = try await BrandInspectionModel.query(on: req.db).filter(\.$brandID == id).sort(\.$day, .descending).all()
        var notices: [UUID: String] = [:]
        for n in try await BrandNoticeModel.query(on: req.db).filter(\.$id ~~ inspections.compactMap(\.noticeID)).all() {
            notices[n.id!] = n.number
        }
        let inspectionRows = inspections.map { i in
            Inspection(
                id: i.id!.uuidString.lowercased(), day: i.day, inspectors: i.inspectors,
                findings: BrandSelection.Standard.allCases.compactMap { s in i.findingsValue[s.rawValue].map { std(s) + "：" + $0 } },
                problems: i.problemsValue.map { req.t("brand.problemLine", ["text": $0.text, "deadline": $0.deadline.description]) },
                noticeHref: i.noticeID.map(BrandNotices.path) ?? "", noticeNumber: i.noticeID.flatMap { notices[$0] } ?? "")
        }

        // 评选
        var declaration: [FormView.Option] = []
        var declaredBy = ""
        var cards: [Card] = []
        var scoresVisible = false
        var survey: Survey?
        var assigned: Set<UUID> = []
        if let c = campaign {
            let cid = try c.requireID()
            if let d = try await BrandDeclarationModel.query(on: req.db).filter(\.$brandID == id).filter(\.$campaignID == cid).first() {
                let a = d.assessmentValue
                declaration = BrandSelection.Standard.allCases.map { .init(value: a[$0.rawValue] ?? "", label: std($0), selected: false) }
                if !d.requirements.isEmpty {
                    declaration.append(.init(value: d.requirements, label: req.t("field.requirements"), selected: false))
                }
                declaredBy = req.t(
                    "brand.declaredBy",
                    ["name": d.declaredBy, "day": HallClock.day(Date(timeIntervalSince1970: Double(d.declaredAt) / 1000)).description])
            }
            let all = try await BrandExpertCardModel.query(on: req.db).filter(\.$brandID == id).filter(\.$campaignID == cid)
                .sort(\.$assignedAt).sort(\.$expertName).all()
            assigned = Set(all.map(\.expertID))
            let counted = all.filter { $0.excluded.isEmpty }
            scoresVisible = BrandSelection.scoresVisible(assigned: counted.count, scored: counted.filter { $0.total != nil }.count)
            cards = all.map { card in
                Card(
                    name: card.expertName,
                    status: card.excluded.isEmpty
                        ? req.t(card.total == nil ? "brand.card.waiting" : "brand.card.scored") : req.t("brand.excluded.\(card.excluded)"),
                    total: scoresVisible ? card.total.map(ScoringRule.number) ?? "" : "")
            }
            if let s = try await BrandSurveyModel.query(on: req.db).filter(\.$brandID == id).filter(\.$campaignID == cid).first() {
                let d = try await BrandSurveyService.dto(s, on: req.db)
                let url = QueuePages.publicBase(req) + d.path + "?via=qr"
                var list: [Vote] = []
                if isOffice {
                    list = try await BrandVoteModel.query(on: req.db).filter(\.$surveyID == s.requireID()).filter(\.$round == s.round)
                        .sort(\.$flagged, .descending)
                        .sort(\.$createdAt, .descending).limit(50).all().map { v in
                            Vote(
                                id: v.id!.uuidString.lowercased(), level: req.t("star.answer.\(v.level)"), comment: v.comment,
                                at: HallClock.minuteText(Date(timeIntervalSince1970: Double(v.createdAt) / 1000)), flagged: v.flagged,
                                excluded: v.excluded)
                        }
                }
                survey = Survey(
                    title: d.purpose == BrandSelection.SurveyPurpose.consolidation.rawValue
                        ? req.t("brand.yearlySurvey", ["round": String(d.round)]) : req.t("brand.survey"),
                    accepting: BrandSurveyService.accepting(s, today: HallClock.day(req.now)), href: d.path, url: url,
                    qr: QRCode.encode(url)?.svg(title: b.name) ?? "", closesOn: d.closesOn,
                    state: req.t("brand.survey.\(d.state)"), votes: d.votes, score: d.score.map(ScoringRule.number) ?? "—",
                    flagged: d.flagged, list: list)
            }
        }
        let inSelection = phase == .selection
        var experts: [FormView.Option] = []
        let canAssign = isOffice && b.stateValue == .candidate && inSelection
        if canAssign {
            experts = try await UserModel.query(on: req.db).filter(\.$role == Role.expertReviewer.rawValue).filter(\.$disabled == false)
                .filter(\.$centerID ~~ Array(try await req.scope().centers)).sort(\.$displayName).all()
                .filter { !assigned.contains($0.id!) }.map { .init(value: $0.id!.uuidString, label: $0.displayName, selected: false) }
        }

        // The office's acts on the brand's life.
        var acts: [Act] = []
        if isOffice {
            if b.stateValue.may(become: .named) && phase == .consolidation {
                acts.append(Act(path: "name", label: req.t("brand.act.name"), needsReason: false))
            }
            if b.stateValue.may(become: .underReview) {
                acts.append(Act(path: "review", label: req.t("brand.act.review"), needsReason: true))
            }
            if b.stateValue.may(become: .revoked) { acts.append(Act(path: "revoke", label: req.t("brand.act.revoke"), needsReason: true)) }
        }
        let evidence = try await BrandEvidenceService.list(id, on: req.db).map { e in
            Evidence(
                kind: req.t("brand.evidence.\(e.kind)"), title: e.title, day: e.day, detail: e.detail,
                fileHref: e.fileID.map { BrandFiles.path(brand: id, file: $0) } ?? "")
        }
        return Page(
            id: key, name: b.name, state: req.t("brand.state.\(b.state)"), department: department,
            editHref: canEdit ? "/brands/\(key)/edit" : "", publicHref: b.stateValue.isPublic ? "/brands/\(key)" : "",
            campaign: campaign?.name ?? "", phase: phase.map { req.t("brand.phase.\($0.rawValue)") } ?? req.t("brand.phase.none"),
            tally: req.t(
                "brand.tally", ["onTime": String(reports.onTime), "late": String(reports.late), "missing": String(reports.missing)]),
            weeks: weeks, reportWeeks: reportWeeks, canReport: canReport, isOffice: isOffice, inspections: inspectionRows,
            standards: BrandSelection.Standard.allCases.map { .init(value: $0.rawValue, label: std($0), selected: false) },
            today: today.description,
            canDeclare: canEdit && b.stateValue == .practising && inSelection, requirements: campaign?.requirements ?? "",
            declaration: declaration, declaredBy: declaredBy, experts: experts, cards: cards, scoresVisible: scoresVisible,
            canAssign: canAssign,
            canOpenSurvey: isOffice
                && ((b.stateValue == .candidate && inSelection && survey == nil)
                    || (BrandSelection.surveyPurpose(b.stateValue) == .consolidation && phase == .consolidation
                        && survey?.accepting != true)),
            survey: survey,
            selectionHref: campaign.map { "/brands/selection/\($0.id!.uuidString.lowercased())" } ?? "", canEdit: canEdit,
            evidence: evidence,
            evidenceKinds: BrandEvidenceService.Kind.allCases.map {
                .init(value: $0.rawValue, label: req.t("brand.evidence.\($0.rawValue)"), selected: form["kind"] == $0.rawValue)
            }, acts: acts, errors: errors, form: echo(form))
    }
}
