import Fluent
import Foundation
import OneStopCore
import Vapor

/// The hall's pages: taking a ticket, the ticket itself, booking, the window console, and the
/// device screens (hall board, window screen, evaluator). The live parts read the JSON API and
/// listen on `/ws/hall/{center}`; everything a visitor needs is in the first HTML.
enum QueuePages {
    struct GroupView: Encodable {
        var id: UUID
        var prefix: String
        var name: String
        var waiting: Int
        var takesAppointments: Bool
    }

    struct TakeView: Encodable {
        var code: String
        var centerName: String
        var openToday: Bool
        var groups: [GroupView]
        /// The service the visitor came from, and the group that serves it.
        var item: TicketItem.View?
        var recommended: String?
        /// The center admits 外地人员 to the green channel.
        var nonLocal: Bool
    }

    struct TicketView: Encodable {
        var code: String
        var centerName: String
        var token: String
        var number: String
        var groupName: String
        var state: String
        var stateLabel: String
        var ahead: Int?
        var waitMinutes: Int?
        var window: Int?
        var issuedAt: String
        var followURL: String
        var priority: String?
        /// The ticket's id and whether it was rated: a finished, unrated visit is invited to rate.
        var id: String
        var rated: Bool
        var levels: [Choice]
        var tags: [Choice]
        /// The service the ticket was taken for, with the materials to have ready.
        var item: TicketItem.View?
    }

    struct BookView: Encodable {
        var code: String
        var centerName: String
        var groups: [GroupView]
        var today: String
        var last: String
        /// 延时服务: per group offering them, its extended hours ("A 综合受理：工作日 12:00-13:30…").
        var extendedHours: [String]
    }

    struct DeskView: Encodable {
        struct WindowChoice: Encodable {
            var id: UUID
            var number: Int
            var name: String
            var centerName: String
            var taken: Bool
            var mine: Bool
        }

        var windows: [WindowChoice]
        var seat: WindowChoice?
        var centerCode: String?
        var groups: [GroupView]
        /// For someone above several centers: which center's windows to list.
        var centers: [FormView.Option] = []
    }

    struct Choice: Encodable {
        var value: String
        var label: String
    }

    struct ScreenView: Encodable {
        var tags: [Choice] = []
        /// The hall's honours shown now: its red flag, its units' flags and model windows.
        var honours: [String] = []
        /// Who is on duty in the hall today (issue 23).
        var onDuty: String = ""
        /// A window's clerk on leave today: who stands in, or that it is paused and why.
        var leaveNotice: String = ""
        /// The center's polite expressions (文明用语规范), shown in turn.
        var courtesy: [String] = []
        var code: String
        var centerName: String
        var windowID: UUID
        var number: Int
        var name: String
        var lang: String
        /// The center's time zone and the server's clock: a display shows the hall's time, not
        /// its own computer's zone or drift.
        var zone: String = HallClock.zone.identifier
        var serverMillis: Int64 = 0
    }

    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, "hall", ":code", "queue", access: .public) { req in try await take(req) }
        r.endpoint(.POST, "hall", ":code", "queue", access: .public) { req -> Response in
            struct Form: Content {
                var group: String?
                var ticketClass: String?
                var item: String?
            }
            let form = try req.content.decode(Form.self)
            let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
            let cls = try TicketIssue.permittedClass(form.ticketClass, principal: req.principal, hall: hall)
            let t = try await TicketIssue.issue(
                hall: hall, groupID: form.group.flatMap(UUID.init(uuidString:)), prefix: form.group, ticketClass: cls,
                source: req.principal?.role == .kiosk ? .kiosk : .phone, req: req)
            // The item they came for goes along, for the ticket to list its materials.
            let item = try await TicketItem.find(form.item, hall: hall, req: req)
            return req.redirect(to: "/t/\(t.followToken)?new=1" + (item.map { "&item=" + $0.guide.code } ?? ""))
        }
        r.endpoint(.GET, "t", ":token", access: .public) { req in try await ticket(req) }
        r.endpoint(.GET, "t", ":token", "qr.svg", access: .public) { req -> Response in
            let (t, _) = try await QueueLookup.followed(req.parameters.get("token") ?? "", req: req)
            return try qrImage(publicBase(req) + "/t/" + t.followToken)
        }
        // The hall's own code, on the board and on posters: a phone scans it to take a ticket.
        r.endpoint(.GET, "hall", ":code", "qr.svg", access: .public) { req -> Response in
            let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
            return try qrImage(publicBase(req) + "/hall/" + hall.centerCode + "/queue")
        }
        r.endpoint(.GET, "hall", ":code", "book", access: .public) { req in try await book(req) }
        r.endpoint(.GET, "hall", ":code", "board", access: .public) { req in try await screen(req, template: "queue/board", window: nil) }
        r.endpoint(.GET, "hall", ":code", "window", ":number", access: .public) { req in
            try await screen(req, template: "queue/window-screen", window: req.parameters.get("number").flatMap(Int.init))
        }
        r.endpoint(.GET, "evaluator", ":id", access: .public) { req in
            let id = try req.uuid("id")
            guard let w = try await WindowModel.find(id, on: req.db) else { throw Abort(.notFound) }
            let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
            return try await req.view.render(
                "queue/evaluator",
                ScreenView(
                    tags: RatingTag.allCases.map { Choice(value: $0.rawValue, label: req.t("rating.tag.\($0.rawValue)")) },
                    code: hall.centerCode, centerName: hall.centerName, windowID: id, number: w.number, name: w.name,
                    lang: req.language.rawValue))
        }
        r.endpoint(.GET, "desk", access: WindowDesk.access) { req in try await desk(req) }
        r.endpoint(.POST, "desk", ":id", "sign-in", access: WindowDesk.access) { req -> Response in
            _ = try await WindowDesk.signIn(req.uuid("id"), req: req)
            return req.redirect(to: "/desk")
        }
        r.endpoint(.POST, "desk", ":id", "sign-out", access: WindowDesk.access) { req -> Response in
            try await WindowDesk.signOut(req.uuid("id"), req: req)
            return req.redirect(to: "/desk")
        }
        HallSocket.register(r)
    }

    static func groups(_ status: QueueStatusDTO) -> [GroupView] {
        status.groups.map {
            GroupView(id: $0.id, prefix: $0.prefix, name: $0.name, waiting: $0.waiting, takesAppointments: $0.takesAppointments)
        }
    }

    /// The active groups as the set-up has them, for pages that need no live counts.
    static func groups(_ hall: HallConfig) -> [GroupView] {
        hall.groups.filter(\.active).map {
            GroupView(id: $0.id, prefix: $0.prefix, name: $0.name, waiting: 0, takesAppointments: $0.plan.capacity > 0)
        }
    }

    static func take(_ req: Request) async throws -> Response {
        let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
        let status = try await QueueQueries.status(hall: hall, req: req)
        let item = try await TicketItem.find(req.query["item"], hall: hall, req: req)
        return try await req.page(
            "queue/take", title: req.t("queue.take.title"),
            TakeView(
                code: hall.centerCode, centerName: hall.centerName, openToday: status.openToday, groups: groups(status),
                item: item.map { TicketItem.view($0, hall: hall, req: req) },
                recommended: item.flatMap { TicketItem.group(for: $0, hall: hall) }?.uuidString, nonLocal: hall.greenNonLocal))
    }

    static func ticket(_ req: Request) async throws -> Response {
        let (t, hall) = try await QueueLookup.followed(req.parameters.get("token") ?? "", req: req)
        let position = try await TicketPosition.of(t, hall: hall, app: req.application, on: req.db)
        let dto = TicketDTO(t, hall: hall, position: position, showToken: true)
        let f = DateFormatter()
        f.timeZone = HallClock.zone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return try await req.page(
            "queue/ticket", title: req.t("queue.ticket.title", "number", t.number),
            TicketView(
                code: hall.centerCode, centerName: hall.centerName, token: t.followToken, number: t.number, groupName: dto.groupName,
                state: t.state, stateLabel: req.t("queue.state.\(t.state)"), ahead: dto.ahead, waitMinutes: dto.estimatedWaitMinutes,
                window: dto.windowNumber, issuedAt: f.string(from: dto.issuedAt), followURL: publicBase(req) + (dto.followURL ?? ""),
                priority: t.ticketClass == TicketClass.ordinary.rawValue ? nil : req.t("queue.class.\(t.ticketClass)"),
                id: t.id?.uuidString ?? "", rated: t.rated,
                levels: (1...5).reversed().map { Choice(value: String($0), label: req.t("rating.level.\($0)")) },
                tags: RatingTag.allCases.map { Choice(value: $0.rawValue, label: req.t("rating.tag.\($0.rawValue)")) },
                item: try await TicketItem.find(req.query["item"], hall: hall, req: req).map { TicketItem.view($0, hall: hall, req: req) }))
    }

    static func qrImage(_ url: String) throws -> Response {
        guard let qr = QRCode.encode(url) else { throw Abort(.internalServerError) }
        let response = Response(status: .ok, body: .init(string: qr.svg(title: url)))
        response.headers.replaceOrAdd(name: .contentType, value: "image/svg+xml")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return response
    }

    /// Where visitors reach OneStop: the configured public address, else this request's host.
    static func publicBase(_ req: Request) -> String {
        if let url = req.application.settings.publicURL { return url }
        let host = req.headers.first(name: .host) ?? "\(req.application.settings.host):\(req.application.settings.port)"
        let https = req.headers.first(name: "X-Forwarded-Proto") == "https" || req.application.settings.secureCookies
        return (https ? "https://" : "http://") + host
    }

    static func book(_ req: Request) async throws -> Response {
        let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
        let today = HallClock.day(req.now)
        // "12:00-13:30、17:00-18:30" / "12:00-13:30, 17:00-18:30", not the settings form's "a,b".
        func periods(_ list: [SlotPlan.Period]) -> String {
            list.map { SlotPlan.clock($0.start) + "-" + SlotPlan.clock($0.end) }.joined(separator: req.t("punct.list"))
        }
        return try await req.page(
            "queue/book", title: req.t("queue.book.title"),
            BookView(
                code: hall.centerCode, centerName: hall.centerName, groups: groups(hall).filter(\.takesAppointments),
                today: today.description, last: today.adding(days: 60).description,
                extendedHours: hall.groups.filter { $0.active && $0.plan.capacity > 0 && $0.plan.offersExtendedHours }.map { g in
                    let parts =
                        (g.plan.extended.isEmpty ? [] : [req.t("extended.weekdays", ["periods": periods(g.plan.extended)])])
                        + (g.plan.weekend.isEmpty ? [] : [req.t("extended.weekends", ["periods": periods(g.plan.weekend)])])
                    return "\(g.prefix) \(g.name)\(req.t("punct.colon"))" + parts.joined(separator: req.t("punct.semicolon"))
                }))
    }

    static func screen(_ req: Request, template: String, window number: Int?) async throws -> View {
        let hall = try await QueueLookup.hall(req.parameters.get("code"), req: req)
        var w: HallConfig.Window?
        if let number {
            w = hall.windows.first { $0.number == number }
            if w == nil { throw Abort(.notFound) }
        }
        var view = ScreenView(
            code: hall.centerCode, centerName: hall.centerName, windowID: w?.id ?? hall.centerID, number: w?.number ?? 0,
            name: w?.name ?? "", lang: req.language.rawValue, serverMillis: HallClock.millis(req.now))
        view.courtesy = try await HallRulesService.courtesy(hall.centerID, on: req.db).polite
        if let w {
            view.leaveNotice = try await LeaveService.windowNotice(w.id, center: hall.centerID, req: req) ?? ""
        }
        if number == nil {
            if let leader = try await DutyService.onDuty(hall.centerID, day: HallClock.day(req.now), req: req).leader {
                view.onDuty = req.t("duty.onDutyToday", ["name": leader.name])
            }
            let units = try await DepartmentModel.query(on: req.db).filter(\.$centerID == hall.centerID).all().compactMap(\.id)
            let subjects = ["center:" + hall.centerID.uuidString] + units.map { "department:" + $0.uuidString }
            view.honours = try await AwardService.shown(for: subjects, today: HallClock.day(req.now), on: req.db).filter {
                $0.kind == AwardKind.redFlag.rawValue || $0.kind == AwardKind.partyModelWindow.rawValue
            }.map { a in
                req.t("award.kind.\(a.kind)") + " · " + a.subjectName + "（" + (EvaluationPeriod(key: a.period)?.label ?? a.period) + "）"
            }
        }
        return try await req.view.render(template, view)
    }

    static func desk(_ req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        // The clerk's own center's open windows; someone above several centers picks the center.
        var center = p.centerID
        if let raw = req.query[String.self, at: "center"], let id = UUID(uuidString: raw), scope.contains(id) { center = id }
        var listed = try await WindowModel.query(on: req.db).filter(\.$centerID == center).filter(\.$isOpen == true).all()
        if listed.isEmpty, req.query[String.self, at: "center"] == nil {
            // Someone at a center without windows (a province's administrator): the first center
            // below with open windows, in the tree's order.
            let open = try await WindowModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers)).filter(\.$isOpen == true).all()
            if let first = scope.tree.ordered(within: scope.centers).first(where: { n in open.contains { $0.centerID == n.node.id } }) {
                center = first.node.id
                listed = open.filter { $0.centerID == center }
            }
        }
        // The window this person sits at, wherever it is, stays their console.
        let mine = try await WindowStateModel.query(on: req.db).filter(\.$userID == p.id).first()
        var windows = listed
        if let id = mine?.id, !listed.contains(where: { $0.id == id }), let w = try await WindowModel.find(id, on: req.db),
            scope.contains(w.centerID)
        {
            windows.append(w)
        }
        let seats = try await WindowStateModel.query(on: req.db).filter(\.$id ~~ windows.compactMap(\.id)).all()
        let taken = Dictionary(seats.compactMap { s in s.userID.map { (s.id!, $0) } }, uniquingKeysWith: { a, _ in a })
        let choices = windows.sorted { $0.number < $1.number }.map { w in
            DeskView.WindowChoice(
                id: w.id!, number: w.number, name: w.name, centerName: scope.tree.nodes[w.centerID]?.name ?? "",
                taken: taken[w.id!] != nil && taken[w.id!] != p.id, mine: taken[w.id!] == p.id)
        }
        let seat = choices.first(where: \.mine)
        var code: String?
        var groupViews: [GroupView] = []
        if let seat, let w = windows.first(where: { $0.id == seat.id }) {
            let hall = try await req.application.halls.config(for: w.centerID, on: req.db)
            code = hall.centerCode
            groupViews = groups(hall)
        }
        var view = DeskView(windows: choices, seat: seat, centerCode: code, groups: groupViews)
        if scope.centers.count > 1 { view.centers = req.centerOptions(scope, selected: center.uuidString) }
        return try await req.page("queue/desk", title: req.t("queue.desk.title"), view)
    }
}

/// `/ws/hall/{center}`: the live feed of a hall. Public, like the board: events carry only ticket
/// and window numbers.
enum HallSocket {
    static func register(_ r: any RoutesBuilder) {
        let route = r.webSocket("ws", "hall", ":id", maxFrameSize: .init(integerLiteral: 1 << 14)) { req, ws async in
            guard let hall = try? await QueueLookup.hall(req.parameters.get("id"), req: req) else {
                try? await ws.close(code: .policyViolation)
                return
            }
            let hub = req.application.hub
            let id = hub.subscribe(center: hall.centerID) { json in
                ws.eventLoop.execute { ws.send(json, promise: nil) }
            }
            ws.onClose.whenComplete { _ in hub.unsubscribe(center: hall.centerID, id) }
            // Keep idle connections alive through proxies; the client also sends pings.
            ws.pingInterval = .seconds(25)
            try? await ws.send(#"{"kind":"hello"}"#)
        }
        route.userInfo[RouteInfoKey.access] = Access.public
    }
}
