import Fluent
import Foundation
import OneStopCore
import Vapor

/// The work-order pages (issue 20): the hotline's console (`/work-orders/new`: the order typed in
/// with the catalog's guide and the caller's earlier orders beside it, and a consultation answered
/// on the call closed at once), the board and the department's worklist (`/work-orders`), the order
/// with its history and the form for each next step (`/work-orders/{id}`), and the public form and
/// tracker (`/hall/{code}/complaints`, `/complaints/track`).
enum WorkOrderPages {
    struct Row: Encodable {
        var id: String
        var number: String
        var title: String
        var kind: String
        var urgency: String
        var urgent: Bool
        var state: String
        var stateLabel: String
        var department: String
        var received: String
        var due: String
        var overdue: Bool
        var timeLeft: String
    }

    struct ListView: Encodable {
        var rows: [Row]
        var states: [FormView.Option]
        var kinds: [FormView.Option]
        var overdue: Bool
        var canCreate: Bool
        var department: Bool
    }

    struct Hit: Encodable {
        var code: String
        var name: String
        var department: String
        var promisedDays: Int
        var href: String
        var materials: [String]
    }

    struct Earlier: Encodable {
        var id: String
        var number: String
        var title: String
        var state: String
        var received: String
    }

    struct NewView: Encodable {
        var kinds: [FormView.Option]
        var channels: [FormView.Option]
        var urgencies: [FormView.Option]
        var windows: [FormView.Option]
        /// The center's banned phrases a complaint may cite, "none" first.
        var phrases: [FormView.Option]
        var f: FormValues
        var hits: [Hit]
        var earlier: [Earlier]
        var looked: Bool
        var errors: [String]
    }

    struct FormValues: Encodable {
        var callerName: String
        var callerPhone: String
        var anonymous: Bool
        var confidential: Bool
        var title: String
        var text: String
        var address: String
        var brand: String
        var answer: String
        var caseNumber: String
    }

    struct Form: Content {
        var kind: String?
        var channel: String?
        var urgency: String?
        var callerName: String?
        var callerPhone: String?
        var anonymous: String?
        var confidential: String?
        var subject: String?
        var text: String?
        var address: String?
        var window: String?
        var brand: String?
        var phrase: String?
        var answer: String?
        var caseNumber: String?
        var lookup: String?
        var center: String?

        var input: WorkOrderService.Input {
            .init(
                center: center, kind: kind, channel: channel, urgency: urgency, callerName: callerName, callerPhone: callerPhone,
                anonymous: anonymous == "1", confidential: confidential == "1", subject: subject, text: text, address: address,
                windowID: window.flatMap(UUID.init(uuidString:)), caseNumber: caseNumber, brand: brand, phrase: phrase, answer: answer)
        }
    }

    static func time(_ m: Int64?) -> String { m.map { HallClock.minuteText(Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "" }

    /// "3 小时" / "2 天" left, or how long overdue.
    static func left(_ due: Int64?, now: Int64, req: Request) -> String {
        guard let due else { return "" }
        let minutes = (due - now) / 60_000
        let a = abs(minutes)
        let text =
            a >= 48 * 60 ? req.t("workOrder.days", "n", String(a / (24 * 60))) : req.t("workOrder.hours", "n", String(max(a / 60, 0)))
        return minutes >= 0 ? req.t("workOrder.left", "t", text) : req.t("workOrder.overdueBy", "t", text)
    }

    static func departmentNames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await DepartmentModel.query(on: db).filter(\.$id ~~ Set(ids)).all()
        return Dictionary(uniqueKeysWithValues: rows.compactMap { d in d.id.map { ($0, d.name) } })
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "work-orders", access: WorkOrderService.viewers) { req in try await list(req) }
        app.endpoint(.GET, "work-orders", "new", access: WorkOrderService.intake) { req in
            try await new(req, Form(kind: "consultation", channel: "phone", urgency: "general"), errors: [])
        }
        app.endpoint(.POST, "work-orders", "new", access: WorkOrderService.intake) { req -> Response in
            let f = try req.content.decode(Form.self)
            if f.lookup != nil { return try await new(req, f, errors: [], looked: true) }
            do {
                let (o, dups) = try await WorkOrderService.create(f.input, req: req)
                req.flash(
                    req.t(o.stateValue == .closed ? "workOrder.savedAnswered" : "workOrder.saved", "number", o.number)
                        + (dups.isEmpty ? "" : " " + req.t("workOrder.maybeDuplicate", "n", String(dups.count))))
                return req.redirect(to: "/work-orders/\(o.id!)")
            } catch let v as ValidationFailure {
                return try await new(
                    req, f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "work-orders", ":id", access: WorkOrderService.viewers) { req in try await detail(req, errors: []) }
        for step in [WorkOrderFlow.Step.dispatch, .sign, .giveBack, .reply, .callBack, .reopen, .merge, .extend, .judge] {
            let path = step.rawValue.replacingOccurrences(of: "_", with: "-")
            app.endpoint(.POST, "work-orders", ":id", PathComponent(stringLiteral: path), access: WorkOrderService.viewers) {
                req -> Response in
                struct StepForm: Content {
                    var department: String?
                    /// The department picked from the list rather than a suggestion's button.
                    var other: String?
                    var coDepartments: [String]?
                    var note: String?
                    var reason: String?
                    var reply: String?
                    var reached: String?
                    var satisfaction: String?
                    var solved: String?
                    var into: String?
                    var by: String?
                    var valid: String?
                }
                let f = try req.content.decode(StepForm.self)
                let input = WorkOrderService.Step(
                    department: (f.department.flatMap(UUID.init(uuidString:)) ?? f.other.flatMap(UUID.init(uuidString:))),
                    coDepartments: (f.coDepartments ?? []).compactMap(UUID.init(uuidString:)), note: f.note, reason: f.reason,
                    reply: f.reply, reached: f.reached.map { $0 == "yes" }, satisfaction: f.satisfaction,
                    solved: f.solved.map { $0 == "yes" }, into: f.into.flatMap(UUID.init(uuidString:)), by: f.by.flatMap { Int($0) },
                    valid: f.valid.map { $0 == "yes" })
                let id = try req.uuid("id")
                do {
                    _ = try await WorkOrderService.act(step, id, input, req: req)
                    req.flash(req.t("workOrder.done.\(step.rawValue)"))
                } catch let v as ValidationFailure {
                    return try await detail(
                        req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
                } catch let a as any AbortError where a.status == .conflict {
                    return try await detail(req, errors: [a.reason], status: .conflict)
                }
                // A department that returned an order no longer sees it.
                return req.redirect(to: step == .giveBack ? "/work-orders" : "/work-orders/\(id)")
            }
        }
    }

    static func list(_ req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        var f = try WorkOrderAPIController.filter(req)
        let department = p.role == .chiefRepresentative
        // The board opens on what waits for dispatch; a department's list on what is open.
        let stateParam = req.query[String.self, at: "state"]
        if stateParam == nil, !department { f.state = .received }
        var orders = try await WorkOrderService.list(f, req: req)
        if department, stateParam == nil { orders = orders.filter { $0.stateValue != .closed && $0.stateValue != .merged } }
        let names = try await departmentNames(orders.compactMap(\.departmentID), on: req.db)
        let now = HallClock.millis(req.now)
        let rows = orders.map { o -> Row in
            let running = o.stateValue == .dispatched || o.stateValue == .handling
            return Row(
                id: o.id!.uuidString, number: o.number, title: o.title, kind: req.t("workOrder.kind.\(o.kind)"),
                urgency: req.t("workOrder.urgency.\(o.urgency)"), urgent: o.urgency == "emergency" || o.urgency == "urgent",
                state: o.state, stateLabel: req.t("workOrder.state.\(o.state)"),
                department: o.departmentID.flatMap { names[$0] } ?? "", received: time(o.receivedAt), due: time(o.dueAt),
                overdue: running && (o.dueAt ?? .max) < now, timeLeft: running ? left(o.dueAt, now: now, req: req) : "")
        }
        let chosen = stateParam ?? (department ? "" : "received")
        let view = ListView(
            rows: rows,
            states: [
                FormView.Option(
                    value: "", label: req.t(department ? "workOrder.state.open" : "workOrder.state.any"), selected: chosen.isEmpty)
            ]
                + WorkOrderState.allCases.map {
                    .init(value: $0.rawValue, label: req.t("workOrder.state.\($0.rawValue)"), selected: chosen == $0.rawValue)
                },
            kinds: [FormView.Option(value: "", label: req.t("workOrder.kind.any"), selected: f.kind == nil)]
                + WorkOrderKind.allCases.map {
                    .init(value: $0.rawValue, label: req.t("workOrder.kind.\($0.rawValue)"), selected: f.kind == $0)
                },
            overdue: f.overdue, canCreate: WorkOrderService.intake.admits(p.role), department: department)
        return try await req.page("work-orders/list", title: req.t(department ? "workOrder.worklist" : "workOrder.board"), view)
    }

    static func new(
        _ req: Request, _ f: Form, errors: [String], looked: Bool = false, status: HTTPResponseStatus = .ok
    ) async throws
        -> Response
    {
        let p = try req.requirePrincipal()
        let windows = try await WindowModel.query(on: req.db).filter(\.$centerID == p.centerID).sort(\.$number).all()
        var hits: [Hit] = []
        var earlier: [Earlier] = []
        if looked {
            // The catalog's guide for the words typed, and the caller's earlier orders by phone.
            let words = [f.subject, f.text].compactMap { $0 }.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
            if !words.isEmpty {
                let snapshot = try await req.catalog()
                hits = DispatchService.catalogItems(words, center: p.centerID, in: snapshot).map { i in
                    Hit(
                        code: i.guide.code, name: i.guide.name, department: i.departmentName, promisedDays: i.guide.promisedDays,
                        href: "/guide/\(i.guide.code)", materials: i.guide.materials.prefix(6).map(\.name))
                }
            }
            if let phone = PhoneNumber.normalized((f.callerPhone ?? "").trimmingCharacters(in: .whitespaces)) {
                let index = PersonalData.index(phone, WorkOrderModel.phoneField)
                earlier = try await WorkOrderModel.query(on: req.db).filter(\.$phoneIndex == index).sort(\.$receivedAt, .descending)
                    .limit(10).all().map {
                        Earlier(
                            id: $0.id!.uuidString, number: $0.number, title: $0.title, state: req.t("workOrder.state.\($0.state)"),
                            received: time($0.receivedAt))
                    }
            }
        }
        let channels = WorkOrderChannel.allCases.filter {
            $0.staffEntered && (p.role != .windowStaff || $0 == .walkIn)
        }
        let view = NewView(
            kinds: WorkOrderKind.allCases.map {
                .init(value: $0.rawValue, label: req.t("workOrder.kind.\($0.rawValue)"), selected: f.kind == $0.rawValue)
            },
            channels: channels.map {
                .init(value: $0.rawValue, label: req.t("workOrder.channel.\($0.rawValue)"), selected: f.channel == $0.rawValue)
            },
            urgencies: WorkOrderUrgency.allCases.map {
                .init(
                    value: $0.rawValue, label: req.t("workOrder.urgency.\($0.rawValue)"), selected: (f.urgency ?? "general") == $0.rawValue)
            },
            windows: [FormView.Option(value: "", label: req.t("workOrder.noWindow"), selected: (f.window ?? "").isEmpty)]
                + windows.map {
                    .init(
                        value: $0.id!.uuidString, label: req.t("queue.windowNumber", "n", String($0.number)) + " " + $0.name,
                        selected: f.window == $0.id!.uuidString)
                },
            phrases: try await HallRulesService.bannedOptions(p.centerID, selected: f.phrase, req: req),
            f: .init(
                callerName: f.callerName ?? "", callerPhone: f.callerPhone ?? "", anonymous: f.anonymous == "1",
                confidential: f.confidential == "1", title: f.subject ?? "", text: f.text ?? "", address: f.address ?? "",
                brand: f.brand ?? "", answer: f.answer ?? "", caseNumber: f.caseNumber ?? ""),
            hits: hits, earlier: earlier, looked: looked, errors: errors)
        return try await req.page("work-orders/new", title: req.t("workOrder.new"), view, status: status)
    }

}
