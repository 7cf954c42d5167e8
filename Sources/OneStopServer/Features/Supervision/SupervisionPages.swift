import Fluent
import Foundation
import OneStopCore
import Vapor

/// The supervision board, the cards with their explanations and reviews, and the inbox.
enum SupervisionPages {
    struct BoardRow: Encodable {
        var id: String
        var number: String
        var itemName: String
        var stateLabel: String
        var promisedDue: String
        var daysLeft: String
        var level: String
        var levelLabel: String
        var provisional: Bool
        /// 特事特办's name, empty for an ordinary case.
        var special: String
    }

    struct BoardView: Encodable {
        var rows: [BoardRow]
        var centers: [FormView.Option]
        /// For supervisors and administrators: the departments and staff of the centers in view.
        var departments: [FormView.Option]
        var handlers: [FormView.Option]
        var levels: [FormView.Option]
        var item: String
        var stopped: Bool
        var counts: [FormView.Option]
        var next: String?
        var previous: String?
        /// Open co-department tasks of joint cases, on the first page.
        var tasks: [TaskRow]
    }

    struct TaskRow: Encodable {
        var caseID: String
        var number: String
        var department: String
        var title: String
        var dueOn: String
        var daysLeft: String
        var level: String
        var levelLabel: String
    }

    struct CardRow: Encodable {
        var id: String
        /// The case's page, or the bad rating's.
        var link: String
        var caseNumber: String
        var kindLabel: String
        var kind: String
        var reason: String
        var issuedOn: String
        var explainBy: String
        var statusLabel: String
        var status: String
        var late: Bool
        var explanation: String
        var explainedBy: String
        var decisionNote: String
        var decidedBy: String
        var canExplain: Bool
        var canDecide: Bool
    }

    struct CardsView: Encodable {
        var rows: [CardRow]
        var statuses: [FormView.Option]
        var errors: [String]
    }

    struct InboxRow: Encodable {
        var id: String
        var title: String
        var body: String
        var link: String
        var at: String
        var read: Bool
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "supervision", access: SupervisionAPIController.boardAccess) { req in try await board(req) }
        app.endpoint(.GET, "supervision", "cards", access: SupervisionAPIController.boardAccess) { req in try await cards(req, errors: []) }
        app.endpoint(.GET, "supervision", "anomalies", access: SupervisionAPIController.boardAccess) { req in
            try await SupervisionAnomalies.page(req)
        }
        app.endpoint(.POST, "supervision", "cards", ":id", "explanation", access: .only(.chiefRepresentative, .windowStaff, .centerAdmin)) {
            req in
            try await answer(req) {
                _ = try await SupervisionCards.explain(
                    try req.uuid("id"), ExplanationInput(text: try req.content.get(String.self, at: "text")), req: req)
            }
        }
        app.endpoint(.POST, "supervision", "cards", ":id", "decision", access: .only(.supervisor)) { req in
            try await answer(req) {
                let accept = (try? req.content.get(String.self, at: "accept")) == "yes"
                _ = try await SupervisionCards.decide(
                    try req.uuid("id"), CardDecisionInput(accept: accept, note: try? req.content.get(String.self, at: "note")), req: req)
            }
        }
        app.endpoint(.GET, "inbox", access: .staff) { req in try await inbox(req) }
        app.endpoint(.POST, "inbox", ":id", "read", access: .staff) { req -> Response in
            try await SupervisionCards.markRead(try req.uuid("id"), req: req)
            return req.redirect(to: "/inbox")
        }
    }

    static func answer(_ req: Request, _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
            req.flash(req.t("card.saved"))
            return req.redirect(to: "/supervision/cards")
        } catch let v as ValidationFailure {
            return try await cards(
                req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
        }
    }

    static func board(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let list = try await SupervisionAPIController.warnings(req)
        let level = req.query[String.self, at: "level"] ?? ""
        let center = req.query[String.self, at: "centerID"] ?? ""
        let department = req.query[String.self, at: "departmentID"] ?? ""
        let handler = req.query[String.self, at: "handlerID"] ?? ""
        let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 200)
        func link(_ o: Int) -> String {
            var q = ["offset=\(o)"]
            if !level.isEmpty { q.append("level=\(level)") }
            if !center.isEmpty { q.append("centerID=\(center)") }
            if !department.isEmpty { q.append("departmentID=\(department)") }
            if !handler.isEmpty { q.append("handlerID=\(handler)") }
            if let item = req.query[String.self, at: "item"], !item.isEmpty {
                q.append("item=" + (item.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            }
            if req.query[Bool.self, at: "stopped"] == true { q.append("stopped=true") }
            return "/supervision?" + q.joined(separator: "&")
        }
        // Chief representatives and window staff see their own cases only; the others choose.
        var departments: [FormView.Option] = []
        var handlers: [FormView.Option] = []
        if [.supervisor, .centerAdmin].contains(scope.principal.role) {
            let centers = UUID(uuidString: center).map { [$0] } ?? Array(scope.centers)
            departments =
                [.init(value: "", label: req.t("supervision.allDepartments"), selected: department.isEmpty)]
                + (try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$code).all()).map {
                    // Several centers in view have departments of the same name: say whose.
                    .init(
                        value: $0.id!.uuidString,
                        label: centers.count > 1 ? (scope.tree.nodes[$0.centerID]?.name ?? "") + " · " + $0.name : $0.name,
                        selected: $0.id!.uuidString.lowercased() == department.lowercased())
                }
            handlers =
                [.init(value: "", label: req.t("supervision.allStaff"), selected: handler.isEmpty)]
                + (try await UserModel.query(on: req.db).filter(\.$centerID ~~ centers)
                .filter(\.$role ~~ [Role.windowStaff.rawValue, Role.chiefRepresentative.rawValue, Role.centerAdmin.rawValue])
                .filter(\.$disabled == false).sort(\.$displayName).all()).map {
                    .init(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id!.uuidString.lowercased() == handler.lowercased())
                }
        }
        var tasks: [TaskRow] = []
        if offset == 0, req.query[Bool.self, at: "stopped"] != true {
            tasks = try await SupervisionAPIController.taskWarnings(req).map {
                TaskRow(
                    caseID: $0.caseID.uuidString, number: $0.number, department: $0.departmentName, title: $0.title, dueOn: $0.dueOn,
                    daysLeft: $0.daysLeft.map { CasePages.left($0, req) } ?? "—", level: $0.level,
                    levelLabel: req.t("supervision.level.\($0.level)"))
            }
        }
        let view = BoardView(
            rows: list.map {
                BoardRow(
                    id: $0.id.uuidString, number: $0.number, itemName: $0.itemName, stateLabel: req.t("case.state.\($0.state)"),
                    promisedDue: $0.promisedDue ?? "—",
                    daysLeft: $0.daysLeft.map { CasePages.left($0, req) } ?? req.t("case.clockStopped"), level: $0.level,
                    levelLabel: req.t("supervision.level.\($0.level)"), provisional: $0.provisional,
                    special: $0.special.flatMap(SpecialHandling.init(rawValue:)).map { req.t($0.messageKey) } ?? "")
            },
            centers: req.centerOptions(scope, selected: center, includeNone: req.t("supervision.allCenters")),
            departments: departments, handlers: handlers,
            levels: [.init(value: "", label: req.t("supervision.allLevels"), selected: level.isEmpty)]
                + WarningLevel.allCases.map { .init(value: $0.rawValue, label: req.t($0.messageKey), selected: $0.rawValue == level) },
            item: req.query[String.self, at: "item"] ?? "", stopped: req.query[Bool.self, at: "stopped"] == true, counts: [],
            next: list.count == limit ? link(offset + limit) : nil, previous: offset > 0 ? link(max(0, offset - limit)) : nil,
            tasks: tasks)
        return try await req.page("supervision/board", title: req.t("supervision.board.title"), view)
    }

    static let kindKeys = [
        "yellow": "card.kind.yellow", "red": "card.kind.red", "acceptance_step": "card.kind.acceptance",
        "delivery_step": "card.kind.delivery", "special_step": "card.kind.special", "rating_overdue": "card.kind.rating",
    ]

    static func cards(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let p = scope.principal
        let list = try await SupervisionAPIController.cards(req)
        let filter = req.query[String.self, at: "status"] ?? ""
        let view = CardsView(
            rows: list.map { c in
                let mayExplain =
                    c.status == "open"
                    && (c.userID == p.id || (p.role == .chiefRepresentative && p.departmentID == c.departmentID) || p.role == .centerAdmin)
                return CardRow(
                    id: c.id.uuidString,
                    link: c.ratingID.map { "/ratings/\($0)" } ?? c.workOrderID.map { "/work-orders/\($0)" } ?? c.caseID.map {
                        "/cases/\($0)"
                    } ?? "",
                    caseNumber: c.caseNumber,
                    kindLabel: req.t(kindKeys[c.kind] ?? (c.kind.hasPrefix("task_step") ? "card.kind.task" : c.kind)),
                    kind: c.kind, reason: c.reason, issuedOn: c.issuedOn, explainBy: c.explainBy,
                    statusLabel: req.t("card.status.\(c.status)"),
                    status: c.status, late: c.late, explanation: c.explanation, explainedBy: c.explainedBy, decisionNote: c.decisionNote,
                    decidedBy: c.decidedBy, canExplain: mayExplain, canDecide: c.status == "explained" && p.role == .supervisor)
            },
            statuses: [.init(value: "", label: req.t("supervision.allStatuses"), selected: filter.isEmpty)]
                + ["open", "explained", "accepted", "rejected", "withdrawn"].map {
                    .init(value: $0, label: req.t("card.status.\($0)"), selected: $0 == filter)
                }, errors: errors)
        return try await req.page("supervision/cards", title: req.t("supervision.cards.title"), view, status: status)
    }

    static func inbox(_ req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let f = DateFormatter()
        f.timeZone = HallClock.zone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = try await InboxMessageModel.query(on: req.db).filter(\.$userID == p.id).sort(\.$createdAt, .descending).limit(100).all()
            .map {
                InboxRow(
                    id: $0.id!.uuidString, title: $0.title, body: $0.body, link: $0.link,
                    at: f.string(from: Date(timeIntervalSince1970: Double($0.createdAt) / 1000)), read: $0.readAt != nil)
            }
        return try await req.page("supervision/inbox", title: req.t("inbox.title"), rows)
    }
}
