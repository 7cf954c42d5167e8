import Fluent
import Foundation
import OneStopCore
import Vapor

/// Explanations of cards and their review, the inbox, webhooks and per-item thresholds. Every
/// change is audited.
enum SupervisionCards {
    /// The carded person, the department's chief representative, or the center's administrator.
    static func explain(_ id: UUID, _ input: ExplanationInput, req: Request) async throws -> CardDTO {
        let scope = try await req.scope()
        let p = scope.principal
        guard let card = try await CardModel.find(id, on: req.db), scope.contains(card.centerID) else { throw Abort(.notFound) }
        let mayExplain =
            card.userID == p.id || (p.role == .chiefRepresentative && p.departmentID == card.departmentID) || p.role == .centerAdmin
        guard mayExplain else { throw Abort(.forbidden, reason: req.t("card.notYours")) }
        let text = (input.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw ValidationFailure([FieldError("text", "required")]) }
        if text.count > 4000 { throw ValidationFailure([FieldError("text", "tooLong")]) }
        let now = HallClock.millis(req.now)
        let by = p.displayName
        let saved = try await req.audited { db -> (CardModel, [AuditEvent]) in
            guard let c = try await CardModel.find(id, on: db) else { throw Abort(.notFound) }
            guard c.status == "open" else { throw ValidationFailure([FieldError("text", "card.notOpen")]) }
            c.status = "explained"
            c.explanation = text
            c.explainedBy = by
            c.explainedAt = now
            try await c.save(on: db)
            let supervisors = try await UserModel.query(on: db).filter(\.$role == Role.supervisor.rawValue).filter(\.$disabled == false)
                .all()
                .filter { scope.tree.ancestry(c.centerID).contains($0.centerID) }.compactMap(\.id)
            try await Outbox.enqueue(
                "card.explained",
                .init(
                    title: "牌卡说明待审核：\(c.caseNumber)", body: text, link: "/supervision/cards", data: ["case": c.caseNumber, "kind": c.kind]),
                users: supervisors, center: c.centerID, at: now, on: db)
            return (c, [AuditEvent("card.explain", "card", id: c.id, center: c.centerID, detail: ["case": c.caseNumber])])
        }
        return CardDTO(saved, today: HallClock.day(req.now))
    }

    static func decide(_ id: UUID, _ input: CardDecisionInput, req: Request) async throws -> CardDTO {
        let scope = try await req.scope()
        guard let card = try await CardModel.find(id, on: req.db), scope.contains(card.centerID) else { throw Abort(.notFound) }
        guard let accept = input.accept else { throw ValidationFailure([FieldError("accept", "required")]) }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !accept, note.isEmpty { throw ValidationFailure([FieldError("note", "card.rejectNeedsNote")]) }
        if note.count > 2000 { throw ValidationFailure([FieldError("note", "tooLong")]) }
        let now = HallClock.millis(req.now)
        let by = scope.principal.displayName
        let saved = try await req.audited { db -> (CardModel, [AuditEvent]) in
            guard let c = try await CardModel.find(id, on: db) else { throw Abort(.notFound) }
            guard c.status == "explained" else { throw ValidationFailure([FieldError("accept", "card.notExplained")]) }
            c.status = accept ? "accepted" : "rejected"
            c.decidedBy = by
            c.decidedAt = now
            c.decisionNote = note
            try await c.save(on: db)
            var users = [c.userID].compactMap { $0 }
            users += try await UserModel.query(on: db).filter(\.$departmentID == c.departmentID)
                .filter(\.$role == Role.chiefRepresentative.rawValue).all().compactMap(\.id)
            try await Outbox.enqueue(
                "card.decided",
                .init(
                    title: "牌卡说明\(accept ? "已采纳" : "未采纳")：\(c.caseNumber)", body: note, link: "/supervision/cards",
                    data: ["case": c.caseNumber, "status": c.status]),
                users: users, center: c.centerID, at: now, on: db)
            return (
                c, [AuditEvent("card.decide", "card", id: c.id, center: c.centerID, detail: ["case": c.caseNumber, "status": c.status])]
            )
        }
        return CardDTO(saved, today: HallClock.day(req.now))
    }

    static func markRead(_ id: UUID, req: Request) async throws {
        let p = try req.requirePrincipal()
        guard let m = try await InboxMessageModel.find(id, on: req.db), m.userID == p.id else { throw Abort(.notFound) }
        guard m.readAt == nil else { return }
        let now = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await InboxMessageModel.query(on: db).filter(\.$id == id).set(\.$readAt, to: now).update()
            return ((), [])
        }
    }

    static func addWebhook(_ input: WebhookInput, req: Request) async throws -> WebhookDTO {
        let scope = try await req.scope()
        var errors: [FieldError] = []
        let center = input.centerID ?? scope.principal.centerID
        if !scope.contains(center) { errors.append(FieldError("centerID", "invalidReference")) }
        let url = (input.url ?? "").trimmingCharacters(in: .whitespaces)
        if let u = URL(string: url), ["http", "https"].contains(u.scheme ?? ""), u.host != nil, url.count <= 500 {
        } else {
            errors.append(FieldError("url", "webhook.url"))
        }
        let events = (input.events ?? "*").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = [
            "*", "case.reminder", "card.issued", "card.explained", "card.decided", "case.retimed", "rating.bad", "rating.reminder",
            "rating.invite", "vote.code",
        ]
        if events.isEmpty || events.contains(where: { !known.contains($0) }) { errors.append(FieldError("events", "webhook.events")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let secret = Digest.randomToken(bytes: 32)
        let now = HallClock.millis(req.now)
        let hook = try await req.audited { db -> (WebhookModel, [AuditEvent]) in
            let w = WebhookModel()
            w.centerID = center
            w.url = url
            w.secret = secret
            w.events = events.joined(separator: ",")
            w.active = true
            w.createdAt = now
            try await w.create(on: db)
            // The URL is not logged whole: it may carry a gateway's key.
            return (w, [AuditEvent("webhook.create", "webhook", id: w.id, center: center, detail: ["host": URL(string: url)?.host ?? ""])])
        }
        return WebhookDTO(id: hook.id!, centerID: center, url: url, events: hook.events, active: true, secret: secret)
    }

    static func removeWebhook(_ id: UUID, req: Request) async throws {
        let scope = try await req.scope()
        guard let w = try await WebhookModel.find(id, on: req.db), scope.contains(w.centerID) else { throw Abort(.notFound) }
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await WebhookModel.query(on: db).filter(\.$id == id).set(\.$active, to: false).update()
            return ((), [AuditEvent("webhook.remove", "webhook", id: id, center: w.centerID)])
        }
    }

    static func setThresholds(_ itemID: UUID, _ input: ThresholdsInput, req: Request) async throws -> ThresholdsDTO {
        let item = try await CatalogAccess.editable(itemID, req: req)
        let t = SupervisionThresholds(
            reminderDays: input.reminderDays ?? SupervisionThresholds.standard.reminderDays,
            yellowAfterPromised: input.yellowAfterPromised ?? SupervisionThresholds.standard.yellowAfterPromised,
            redAfterLegal: input.redAfterLegal ?? SupervisionThresholds.standard.redAfterLegal,
            explainWithin: input.explainWithin ?? SupervisionThresholds.standard.explainWithin)
        let problems = t.problems()
        guard problems.isEmpty else { throw ValidationFailure(problems) }
        try await req.audited { db -> (Void, [AuditEvent]) in
            let row = try await SupervisionSettingsModel.find(itemID, on: db) ?? SupervisionSettingsModel()
            row.id = itemID
            row.reminderDays = t.reminderDays.sorted(by: >).map(String.init).joined(separator: ",")
            row.yellowAfter = t.yellowAfterPromised
            row.redAfter = t.redAfterLegal
            row.explainWithin = t.explainWithin
            try await row.save(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "item.supervision", "item", id: itemID, center: item.centerID,
                        detail: [
                            "reminders": row.reminderDays, "yellow": String(t.yellowAfterPromised), "red": String(t.redAfterLegal),
                            "explain": String(t.explainWithin),
                        ])
                ]
            )
        }
        req.application.thresholdCache.forget(itemID)
        return ThresholdsDTO(t)
    }
}
