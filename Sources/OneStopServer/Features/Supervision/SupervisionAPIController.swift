import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

struct WarningDTO: Content {
    var id: UUID
    var number: String
    var itemName: String
    var itemCode: String
    var centerID: UUID
    var departmentID: UUID
    var handlerID: UUID?
    var state: String
    var promisedDue: String?
    var legalDue: String?
    /// Working days to the promised deadline (negative: overdue); nil while the clock is stopped.
    var daysLeft: Int?
    var level: String
    /// The promised deadline lies in a provisional year (see `getCalendarYears`).
    var provisional: Bool
    /// 特事特办: listed first.
    var special: String? = nil
}

struct CardDTO: Content {
    var id: UUID
    /// The case carded; absent on a card for a visit's bad rating.
    var caseID: UUID?
    /// The bad rating, on a `rating_overdue` card.
    var ratingID: UUID?
    /// The work order, on a `work_order_yellow` or `work_order_red` card.
    var workOrderID: UUID?
    var caseNumber: String
    var centerID: UUID
    var departmentID: UUID
    var userID: UUID?
    var kind: String
    var reason: String
    var issuedOn: String
    var explainBy: String
    var status: String
    var explanation: String
    var explainedBy: String
    var decidedBy: String
    var decisionNote: String
    /// Open past its explain-by day.
    var late: Bool

    init(_ c: CardModel, today: CivilDate) {
        id = c.id!
        caseID = c.caseID
        ratingID = c.ratingID
        workOrderID = c.workOrderID
        caseNumber = c.caseNumber
        centerID = c.centerID
        departmentID = c.departmentID
        userID = c.userID
        kind = c.kind
        reason = c.reason
        issuedOn = c.issuedOn
        explainBy = c.explainBy
        status = c.status
        explanation = c.explanation
        explainedBy = c.explainedBy
        decidedBy = c.decidedBy
        decisionNote = c.decisionNote
        late = c.status == "open" && CivilDate(c.explainBy).map { today > $0 } == true
    }
}

struct InboxDTO: Content {
    var id: UUID
    var event: String
    var title: String
    var body: String
    var link: String
    var createdAt: Date
    var read: Bool
}

struct WebhookDTO: Content {
    var id: UUID
    var centerID: UUID
    var url: String
    var events: String
    var active: Bool
    /// Shown once, when the webhook is made.
    var secret: String?
}

struct WebhookInput: Content {
    var centerID: UUID?
    var url: String?
    var events: String?
}

struct ThresholdsDTO: Content {
    var reminderDays: [Int]
    var yellowAfterPromised: Int
    var redAfterLegal: Int
    var explainWithin: Int

    init(_ t: SupervisionThresholds) {
        reminderDays = t.reminderDays.sorted(by: >)
        yellowAfterPromised = t.yellowAfterPromised
        redAfterLegal = t.redAfterLegal
        explainWithin = t.explainWithin
    }
}

struct ThresholdsInput: Content {
    var reminderDays: [Int]?
    var yellowAfterPromised: Int?
    var redAfterLegal: Int?
    var explainWithin: Int?
}

struct ExplanationInput: Content { var text: String? }
struct CardDecisionInput: Content {
    var accept: Bool?
    var note: String?
}

/// `/api/v1` for supervision: the board's data, cards and their explanations, the inbox,
/// webhooks and per-item thresholds.
enum SupervisionAPIController {
    static let boardAccess = Access.only(.supervisor, .centerAdmin, .chiefRepresentative, .windowStaff)
    /// Timed and running or stopped: from acceptance to the decision.
    static let open: [String] = [CaseState.accepted, .underReview, .reviewSupplement, .suspended, .forwarded].map(\.rawValue)

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "supervision", "cases", access: boardAccess,
            operation: .init(
                id: "listWarnings",
                summary: "Open timed cases by working days left to the promised deadline, with their warning level",
                tag: "Supervision", response: "Warning", responseIsList: true,
                query: [
                    .init(name: "centerID", type: "string", description: "one center of the caller's scope"),
                    .init(name: "departmentID", type: "string"), .init(name: "item", type: "string", description: "item code"),
                    .init(name: "handlerID", type: "string"),
                    .init(name: "level", type: "string", description: "normal, reminder, yellow or red"),
                    .init(name: "stopped", type: "boolean", description: "the cases whose clock is stopped instead"),
                    .init(name: "limit", type: "integer", description: "1–200, default 50"),
                    .init(name: "offset", type: "integer"),
                ])
        ) { req in try await warnings(req) }
        api.endpoint(
            .GET, "supervision", "tasks", access: boardAccess,
            operation: .init(
                id: "listTaskWarnings",
                summary: "Open co-department tasks of joint cases by their own deadline, with working days left and warning level",
                tag: "Supervision", response: "TaskWarning", responseIsList: true,
                query: [
                    .init(name: "centerID", type: "string", description: "one center of the caller's scope"),
                    .init(name: "level", type: "string", description: "normal, reminder or yellow"),
                    .init(name: "limit", type: "integer", description: "1–200, default 50"),
                ])
        ) { req in try await taskWarnings(req) }
        api.endpoint(
            .GET, "supervision", "anomalies", access: boardAccess,
            operation: .init(
                id: "listAnomalies",
                summary: "Anomalies recorded (异常办理), newest first, with the count of each indicator over the same filter",
                tag: "Supervision", response: "AnomalyReport",
                query: [
                    .init(name: "centerID", type: "string", description: "one center of the caller's scope"),
                    .init(
                        name: "kind", type: "string",
                        description:
                            "overdue, refused_complete, acceptance_overrun, delivery_overrun, special_overrun, task_overrun or fee_outside_standard"
                    ),
                    .init(name: "from", type: "string", format: "date", description: "first day (YYYY-MM-DD)"),
                    .init(name: "to", type: "string", format: "date", description: "last day (YYYY-MM-DD)"),
                    .init(name: "limit", type: "integer", description: "1–500, default 100"),
                ])
        ) { req in try await SupervisionAnomalies.report(req) }
        api.endpoint(
            .GET, "supervision", "cards", access: boardAccess,
            operation: .init(
                id: "listCards", summary: "Cards issued, newest first", tag: "Supervision", response: "Card", responseIsList: true,
                query: [.init(name: "status", type: "string", description: "open, explained, accepted or rejected")])
        ) { req in try await cards(req) }
        api.endpoint(
            .POST, "supervision", "cards", ":id", "explanation", access: .only(.chiefRepresentative, .windowStaff, .centerAdmin),
            operation: .init(
                id: "explainCard", summary: "File the written explanation of a card (the carded department or person)", tag: "Supervision",
                request: "ExplanationInput", response: "Card")
        ) { req in try await SupervisionCards.explain(try req.uuid("id"), req.content.decode(ExplanationInput.self), req: req) }
        api.endpoint(
            .POST, "supervision", "cards", ":id", "decision", access: .only(.supervisor),
            operation: .init(
                id: "decideCard", summary: "Accept or reject a card's explanation", tag: "Supervision", request: "CardDecisionInput",
                response: "Card")
        ) { req in try await SupervisionCards.decide(try req.uuid("id"), req.content.decode(CardDecisionInput.self), req: req) }
        api.endpoint(
            .POST, "supervision", "sweep", access: .only(.supervisor, .centerAdmin),
            operation: .init(
                id: "runSupervisionSweep", summary: "Look at every case due a look now (it also runs by itself every 5 minutes)",
                tag: "Supervision", response: "SweepResult")
        ) { req -> SweepResult in
            SweepResult(looked: try await Supervision.sweep(app: req.application, now: req.now))
        }
        api.endpoint(
            .GET, "inbox", access: .staff,
            operation: .init(
                id: "listInbox", summary: "The caller's notifications, newest first", tag: "Supervision", response: "InboxMessage",
                responseIsList: true)
        ) { req in
            let p = try req.requirePrincipal()
            return try await InboxMessageModel.query(on: req.db).filter(\.$userID == p.id).sort(\.$createdAt, .descending).limit(100).all()
                .map {
                    InboxDTO(
                        id: $0.id!, event: $0.event, title: $0.title, body: $0.body, link: $0.link,
                        createdAt: Date(timeIntervalSince1970: Double($0.createdAt) / 1000), read: $0.readAt != nil)
                }
        }
        api.endpoint(
            .POST, "inbox", ":id", "read", access: .staff,
            operation: .init(id: "readInboxMessage", summary: "Mark a notification read", tag: "Supervision", successStatus: 204)
        ) { req -> HTTPStatus in
            try await SupervisionCards.markRead(try req.uuid("id"), req: req)
            return .noContent
        }
        api.endpoint(
            .GET, "webhooks", access: .admins,
            operation: .init(
                id: "listWebhooks", summary: "Webhooks of the caller's centers", tag: "Supervision", response: "Webhook",
                responseIsList: true)
        ) { req in
            let scope = try await req.scope()
            return try await WebhookModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).all().map {
                WebhookDTO(id: $0.id!, centerID: $0.centerID, url: $0.url, events: $0.events, active: $0.active, secret: nil)
            }
        }
        api.endpoint(
            .POST, "webhooks", access: .admins,
            operation: .init(
                id: "createWebhook",
                summary: "Add a webhook (an SMS or e-mail gateway, another system); its signing secret is shown once", tag: "Supervision",
                request: "WebhookInput", response: "Webhook", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await SupervisionCards.addWebhook(req.content.decode(WebhookInput.self), req: req), req)
        }
        api.endpoint(
            .DELETE, "webhooks", ":id", access: .admins,
            operation: .init(id: "deleteWebhook", summary: "Stop a webhook", tag: "Supervision", successStatus: 204)
        ) { req -> HTTPStatus in
            try await SupervisionCards.removeWebhook(try req.uuid("id"), req: req)
            return .noContent
        }
        api.endpoint(
            .PUT, "items", ":id", "supervision", access: CatalogAccess.editors,
            operation: .init(
                id: "setSupervisionThresholds", summary: "An item's reminder days, card thresholds and explanation time",
                tag: "Supervision", request: "Thresholds", response: "Thresholds")
        ) { req in try await SupervisionCards.setThresholds(try req.uuid("id"), req.content.decode(ThresholdsInput.self), req: req) }
    }

    struct SweepResult: Content { var looked: Int }

    struct BoardRow: Decodable {
        var id: UUID
        var number: String
        var itemName: String
        var itemCode: String
        var centerID: UUID
        var departmentID: UUID
        var handlerID: UUID?
        var state: String
        var promisedDue: String?
        var legalDue: String?
        var level: String
        var special: String?

        enum CodingKeys: String, CodingKey {
            case id, number, state, level, special
            case itemName = "item_name", itemCode = "item_code", centerID = "center_id", departmentID = "department_id"
            case handlerID = "handler_id", promisedDue = "promised_due", legalDue = "legal_due"
        }
    }

    /// The board's page. Running clocks come in due-date order straight from their index, however
    /// many cases are open (on SQLite the scope and state terms are kept off their own index with
    /// a unary `+`, or the planner sorts every open case of the center); with `stopped=true`, the
    /// cases whose clock is stopped, which have no due date.
    static func warnings(_ req: Request) async throws -> [WarningDTO] {
        let scope = try await req.scope()
        let p = scope.principal
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        func column(_ name: String) -> any SQLExpression { sql.dialect.name == "sqlite" ? SQLRaw("+" + name) : SQLColumn(name) }
        var q = sql.select()
            .columns(
                "id", "number", "item_name", "item_code", "center_id", "department_id", "handler_id", "state", "promised_due", "legal_due",
                "level", "special"
            )
            .from("cases").where(column("state"), .in, SQLBind.group(open)).where("case_type", .notEqual, CaseType.immediate.rawValue)
        if let raw = req.query[String.self, at: "centerID"], !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw ValidationFailure([FieldError("centerID", "invalidReference")]) }
            try scope.require(id)
            q = q.where(column("center_id"), .equal, SQLBind(id))
        } else {
            q = q.where(column("center_id"), .in, SQLBind.group(Array(scope.centers)))
        }
        if p.role == .chiefRepresentative, let d = p.departmentID { q = q.where("department_id", .equal, d) }
        if p.role == .windowStaff { q = q.where("handler_id", .equal, p.id) }
        if let d = req.query[String.self, at: "departmentID"].flatMap(UUID.init(uuidString:)) { q = q.where("department_id", .equal, d) }
        if let h = req.query[String.self, at: "handlerID"].flatMap(UUID.init(uuidString:)) { q = q.where("handler_id", .equal, h) }
        if let item = req.query[String.self, at: "item"], !item.isEmpty { q = q.where("item_code", .equal, item) }
        if let level = req.query[String.self, at: "level"], !level.isEmpty {
            guard WarningLevel(rawValue: level) != nil else { throw ValidationFailure([FieldError("level", "invalidChoice")]) }
            q = q.where("level", .equal, level)
        }
        // 特事特办 lead the board.
        q = q.orderBy(SQLOrderBy(expression: SQLRaw("CASE WHEN special IS NULL THEN 1 ELSE 0 END"), direction: SQLDirection.ascending))
        if req.query[Bool.self, at: "stopped"] == true {
            q = q.where("promised_due", .is, SQLLiteral.null).orderBy("number")
        } else {
            q = q.where("promised_due", .isNot, SQLLiteral.null).orderBy("promised_due").orderBy("number")
        }
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 200)
        let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
        let rows = try await q.limit(limit).offset(offset).all(decoding: BoardRow.self)
        let today = HallClock.day(req.now)
        var calendars: [UUID: WorkCalendar] = [:]
        var out: [WarningDTO] = []
        for c in rows {
            if calendars[c.centerID] == nil {
                calendars[c.centerID] = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
            }
            let due = c.promisedDue.flatMap(CivilDate.init)
            let left = due.flatMap { d in calendars[c.centerID]!.countWorkingDays(from: today, to: d) }
            out.append(
                WarningDTO(
                    id: c.id, number: c.number, itemName: c.itemName, itemCode: c.itemCode, centerID: c.centerID,
                    departmentID: c.departmentID, handlerID: c.handlerID, state: c.state, promisedDue: c.promisedDue,
                    legalDue: c.legalDue, daysLeft: left, level: c.level,
                    provisional: due.map { calendars[c.centerID]!.isProvisional($0) } ?? false, special: c.special))
        }
        return out
    }

    static func cards(_ req: Request) async throws -> [CardDTO] {
        let scope = try await req.scope()
        let p = scope.principal
        var q = CardModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
        if p.role == .chiefRepresentative, let d = p.departmentID { q = q.filter(\.$departmentID == d) }
        if p.role == .windowStaff { q = q.filter(\.$userID == p.id) }
        if let status = req.query[String.self, at: "status"], !status.isEmpty {
            guard ["open", "explained", "accepted", "rejected", "withdrawn"].contains(status) else {
                throw ValidationFailure([FieldError("status", "invalidChoice")])
            }
            q = q.filter(\.$status == status)
        }
        let today = HallClock.day(req.now)
        return try await q.sort(\.$issuedOn, .descending).sort(\.$caseNumber).limit(200).all().map { CardDTO($0, today: today) }
    }
}
