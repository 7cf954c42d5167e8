import Fluent
import Foundation
import OneStopCore
import Vapor

/// 典型确定 and after (issue 22): the office decides a campaign's typical brands from the
/// standings, which freezes every score; the decision is announced (公示, 5 working days by
/// default) and anyone may object, each objection answered; later, in the consolidation phase,
/// the office names brands 优质服务品牌, puts a named brand under review, and revokes one — each
/// with a public, printable notice.
enum BrandDecisionService {
    struct DecideInput: Content {
        var typical: [UUID]?
        /// 公示, default on.
        var announce: Bool?
        /// Default: the campaign's.
        var weights: BrandSelection.Weights?
    }

    /// A candidate's frozen standing.
    struct Result: Codable, Sendable {
        var brandID: UUID
        var name: String
        var department: String
        var expert: Double?
        var social: Double?
        var combined: Double?
        var rank: Int?
        var typical: Bool
    }

    static func decide(_ campaignID: UUID, _ input: DecideInput, req: Request) async throws -> BrandSelectionModel {
        let p = try req.requirePrincipal()
        guard let c = try await BrandCampaignModel.find(campaignID, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(c.centerID)
        let today = HallClock.day(req.now)
        guard c.phasesValue.allows(.decide, on: today) else { throw Abort(.conflict, reason: req.t("brand.notSelection")) }
        try await BrandSelectionService.notDecided(c, req: req)
        let weights = input.weights ?? c.weightsValue
        var errors = weights.problems.map { FieldError($0.field, $0.code) }
        let standings = try await BrandSelectionService.standings(c, weights: weights, on: req.db, app: req.application)
        let typical = Set(input.typical ?? [])
        if typical.isEmpty { errors.append(FieldError("typical", "required")) }
        // Only a ranked candidate — with both an expert and a social score — can be chosen.
        if !typical.isSubset(of: Set(standings.filter { $0.combined != nil }.map(\.brandID))) {
            errors.append(FieldError("typical", "brand.notCandidateRef"))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let calendar = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
        let announce = input.announce ?? true
        let until = announce ? calendar.addWorkingDays(BrandSelection.announceDays, to: today) ?? today.adding(days: 7) : nil
        let results = standings.map {
            Result(
                brandID: $0.brandID, name: $0.name, department: $0.department, expert: $0.expert, social: $0.social,
                combined: $0.combined, rank: $0.rank, typical: typical.contains($0.brandID))
        }
        let s = BrandSelectionModel()
        s.id = UUID.timeOrdered()
        s.campaignID = campaignID
        s.centerID = c.centerID
        s.results = BrandModel.json(results)
        s.typicalIDs = results.filter(\.typical).map(\.brandID)
        s.announceUntil = until?.description
        s.decidedBy = p.displayName
        s.decidedAt = HallClock.millis(req.now)
        let table =
            [["名次", "品牌", "单位", "专家评审", "社会评价", "综合得分"]]
            + results.filter(\.typical).map {
                [
                    $0.rank.map(String.init) ?? "—", $0.name, $0.department, $0.expert.map { String(format: "%.2f", $0) } ?? "—",
                    $0.social.map { String(format: "%.2f", $0) } ?? "—", $0.combined.map { String(format: "%.2f", $0) } ?? "—",
                ]
            }
        let body = BrandNotices.Body(
            opening:
                "根据“\(c.name)”安排，经自查申报、专家评审、社会评价，综合得分按专家评审 \(Int((weights.expert * 100).rounded()))%、社会评价 \(100 - Int((weights.expert * 100).rounded()))% 计算，确定以下 \(typical.count) 个品牌为典型品牌。",
            sections: [.init(heading: "典型品牌名单", lines: [], table: table)],
            closing: until.map { "现予公示，公示期至 \($0)。公示期间如有异议，可在“服务品牌”评选页面提出，我们将逐一核实答复。" } ?? "",
            issuer: "机关服务品牌创建工作办公室", day: today.description)
        let millis = s.decidedAt
        return try await req.audited { db -> (BrandSelectionModel, [AuditEvent]) in
            if try await BrandSelectionModel.query(on: db).filter(\.$campaignID == campaignID).count() > 0 {
                throw Abort(.conflict, reason: req.t("brand.decided"))
            }
            let n = try await BrandNotices.publish(
                .selection, center: c.centerID, brand: nil, campaign: campaignID,
                title: announce ? "关于“\(c.name)”典型品牌的公示" : "关于确定“\(c.name)”典型品牌的通报", body: body, visibility: "public",
                by: p.displayName, at: millis, on: db)
            s.noticeID = n.id
            try await s.storeNew(on: db)
            var events = [
                AuditEvent(
                    "brand.decide", "brand_campaign", id: campaignID, center: c.centerID,
                    detail: ["typical": String(typical.count), "notice": n.number])
            ]
            for r in results {
                guard let b = try await BrandModel.find(r.brandID, on: db), b.stateValue == .candidate else { continue }
                b.state = (r.typical ? BrandRules.State.typical : .practising).rawValue
                b.updatedAt = millis
                try await b.save(on: db)
                events.append(AuditEvent("brand.state", "brand", id: r.brandID, center: b.centerID, detail: ["state": b.state]))
            }
            try await BrandSurveyModel.query(on: db).filter(\.$campaignID == campaignID).set(\.$state, to: "closed").update()
            return (s, events)
        }
    }

    struct ObjectionInput: Content {
        var brand: UUID?
        var name: String?
        var contact: String?
        var text: String?
    }

    static func object(_ selectionID: UUID, _ input: ObjectionInput, req: Request) async throws -> BrandObjectionModel {
        guard let s = try await BrandSelectionModel.find(selectionID, on: req.db) else { throw Abort(.notFound) }
        guard let until = s.announceUntil.flatMap(CivilDate.init), HallClock.day(req.now) <= until else {
            throw Abort(.conflict, reason: req.t("brand.announceOver"))
        }
        var v = Validator()
        if input.brand == nil || !s.typicalIDs.contains(input.brand!) {
            v.add("brand", input.brand == nil ? "required" : "invalidReference")
        }
        let name = v.text("name", input.name, max: 50, required: false)
        let contact = v.text("contact", input.contact, max: 100)
        let text = v.text("text", input.text, max: 2000)
        guard v.isValid, let brand = input.brand else { throw ValidationFailure(v.errors) }
        let o = BrandObjectionModel()
        o.id = UUID.timeOrdered()
        o.selectionID = selectionID
        o.brandID = brand
        o.name = name
        o.contact = contact
        o.text = text
        o.createdAt = HallClock.millis(req.now)
        o.answer = ""
        o.answeredBy = ""
        return try await req.audited { db -> (BrandObjectionModel, [AuditEvent]) in
            try await o.storeNew(on: db)
            return (o, [AuditEvent("brand.object", "brand", id: brand, center: s.centerID, detail: [:])])
        }
    }

    static func answer(_ id: UUID, text raw: String?, req: Request) async throws -> BrandObjectionModel {
        let p = try req.requirePrincipal()
        guard let o = try await BrandObjectionModel.find(id, on: req.db),
            let s = try await BrandSelectionModel.find(o.selectionID, on: req.db)
        else { throw Abort(.notFound) }
        try await req.scope().require(s.centerID)
        var v = Validator()
        let text = v.text("answer", raw, max: 2000)
        guard v.isValid else { throw ValidationFailure(v.errors) }
        guard o.answeredAt == nil else { throw Abort(.conflict, reason: req.t("brand.answered")) }
        o.answer = text
        o.answeredBy = p.displayName
        o.answeredAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandObjectionModel, [AuditEvent]) in
            try await o.storeChanges(on: db)
            return (o, [AuditEvent("brand.object.answer", "brand", id: o.brandID, center: s.centerID, detail: [:])])
        }
    }

    struct ActInput: Content {
        var reason: String?
    }

    /// Names a brand 优质服务品牌 (consolidation phase), puts a named one under review, or revokes
    /// one under review; naming and revocation publish a notice.
    static func act(_ id: UUID, to state: BrandRules.State, reason raw: String?, req: Request) async throws -> BrandModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(id, on: req.db)
        try await req.scope().require(b.centerID)
        guard b.stateValue.may(become: state) else { throw Abort(.conflict, reason: req.t("brand.cannotBecome")) }
        let today = HallClock.day(req.now)
        if state == .named {
            guard let c = try await BrandReportService.campaign(for: b, on: req.db, app: req.application),
                c.phasesValue.allows(.name, on: today)
            else { throw Abort(.conflict, reason: req.t("brand.notConsolidation")) }
        }
        var v = Validator()
        let reason = v.text("reason", raw, max: 2000, required: state != .named)
        guard v.isValid else { throw ValidationFailure(v.errors) }
        var departmentName = ""
        if let d = b.departmentID { departmentName = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let department = departmentName
        let since = HallClock.millis(HallClock.instant(today.adding(days: -90), minute: 0))
        let figures = try await BrandSelectionService.socialFigures(b, since: since, on: req.db)
        // The consolidation's own social evaluation, when one was held.
        var yearly = ""
        if let s = try await BrandSurveyModel.query(on: req.db).filter(\.$brandID == id)
            .filter(\.$purpose == BrandSelection.SurveyPurpose.consolidation.rawValue).sort(\.$openedAt, .descending).first()
        {
            let d = try await BrandSurveyService.dto(s, on: req.db)
            yearly = "年度社会评价 \(d.score.map(ScoringRule.number) ?? "—") 分（有效票 \(d.votes)），"
        }
        let figureLine =
            "\(yearly)近三个月所涵盖窗口与事项满意率 \(figures.satisfaction.map { String(format: "%.1f%%", $0 * 100) } ?? "—")，有效投诉 \(figures.valid) 件。"
        let millis = HallClock.millis(req.now)
        let from = b.state
        return try await req.audited { db -> (BrandModel, [AuditEvent]) in
            guard let fresh = try await BrandModel.find(id, on: db), fresh.state == from else {
                throw Abort(.conflict, reason: req.t("brand.cannotBecome"))
            }
            fresh.state = state.rawValue
            fresh.updatedAt = millis
            try await fresh.save(on: db)
            var detail = ["from": from, "state": state.rawValue]
            if !reason.isEmpty { detail["reason"] = reason }
            var events = [AuditEvent("brand.state", "brand", id: id, center: fresh.centerID, detail: detail)]
            if state == .named || state == .revoked {
                let named = state == .named
                let body = BrandNotices.Body(
                    opening: named
                        ? "\(department)“\(fresh.name)”服务品牌认知度、美誉度和社会满意度较高。经研究，命名为“优质服务品牌”。"
                        : "\(department)“\(fresh.name)”服务品牌在复核期间未能达到其服务承诺。经研究，撤销其“优质服务品牌”命名。",
                    sections: [
                        .init(heading: named ? "命名依据" : "撤销理由", lines: [reason, figureLine].filter { !$0.isEmpty }, table: [])
                    ], closing: named ? "希望继续接受群众监督，不断巩固优化。" : "", issuer: "机关服务品牌创建工作办公室", day: today.description)
                let n = try await BrandNotices.publish(
                    named ? .naming : .revocation, center: fresh.centerID, brand: id, campaign: nil,
                    title: named ? "关于命名“\(fresh.name)”为优质服务品牌的通报" : "关于撤销“\(fresh.name)”优质服务品牌命名的通报", body: body,
                    visibility: "public", by: p.displayName, at: millis, on: db)
                events.append(AuditEvent("brand.notice", "brand_notice", id: n.id, center: fresh.centerID, detail: ["number": n.number]))
            }
            return (fresh, events)
        }
    }
}
