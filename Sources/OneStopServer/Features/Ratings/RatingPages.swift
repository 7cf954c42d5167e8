import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/ratings`: the bad-rating worklist (差评整改) — each rating with what is owed on it and the form
/// for the next step on the same page, so that a chief representative records a call-back or a
/// rectification in one click from the list.
enum RatingPages {
    struct Row: Encodable {
        var id: String
        var level: Int
        var levelLabel: String
        var reasons: [String]
        var text: String
        var ratedAt: String
        var window: String
        var department: String
        var dueOn: String
        var overdue: Bool
        var status: String
        var statusLabel: String
        var realName: Bool
        /// Whom to call back and on what number: whole for the handler while the call-back is
        /// owed, masked otherwise.
        var contact: String
        /// Entered by a hotline operator (the operator's account name).
        var enteredBy: String
        var callBack: String
        var resolution: String
        var appeal: String
        var canCallBack: Bool
        var canResolve: Bool
        var canAppeal: Bool
        var canDecide: Bool
    }

    struct View: Encodable {
        var rows: [Row]
        var statuses: [FormView.Option]
        var overdue: Bool
        var errors: [String]
        /// For supervisors and administrators: flags waiting for review (nil: not shown).
        var flagsWaiting: Int?
    }

    struct DisclosureView: Encodable {
        var d: RatingDisclosureDTO
        var chart: String
        var satisfaction: String
        var satisfactionBefore: String
        var average: String
        var callBack: String
        var onTime: String
        var channels: [FormView.Option]
        var prevHref: String
        var nextHref: String
        var csvHref: String
        var subtreeHref: String
        /// The rectified list's pages ("" when there is none that way).
        var morePrev: String
        var moreNext: String
        var pageLine: String
    }

    static func percent(_ v: Double?) -> String {
        v.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "ratings", access: BadRatingService.viewers) { req in try await list(req, errors: []) }
        // One bad rating, where the notices and cards link to.
        app.endpoint(.GET, "ratings", ":id", access: BadRatingService.viewers) { req in
            try await list(req, errors: [], only: try req.uuid("id"))
        }
        app.endpoint(.GET, "hall", ":code", "ratings", access: .public) { req -> Response in
            let code = req.parameters.get("code") ?? ""
            let subtree = req.query[String.self, at: "subtree"] == "1"
            let d = try await RatingDisclosure.of(center: code, month: req.query[String.self, at: "month"], subtree: subtree, req: req)
            let marks = (1...5).reversed().map { l -> SVGChart.Mark in
                let n = d.figures.levels[String(l)] ?? 0
                return .init(label: req.t("rating.level.\(l)"), value: Double(n), caption: "\(req.t("rating.level.\(l)")) \(n)")
            }
            let chart = SVGChart.columns(
                id: "levels", title: req.t("disclosure.byLevel"), summary: req.t("disclosure.byLevel"), marks: marks, unit: "")
            let month = CivilDate(d.month + "-01")!
            let next = month.adding(days: 31)
            let extra = subtree ? "&subtree=1" : ""
            let view = DisclosureView(
                d: d, chart: chart, satisfaction: percent(d.figures.satisfaction), satisfactionBefore: percent(d.previous.satisfaction),
                average: d.figures.average.map { String(format: "%.2f", $0) } ?? "—", callBack: percent(d.figures.callBackRate),
                onTime: percent(d.figures.onTimeRate),
                channels: d.figures.channels.sorted { $0.key < $1.key }.map {
                    .init(value: String($0.value), label: req.t("rating.channel.\($0.key)"), selected: false)
                },
                prevHref: "/hall/\(d.centerCode)/ratings?month=\(d.previousMonth)\(extra)",
                nextHref: "/hall/\(d.centerCode)/ratings?month=\(next.description.prefix(7))\(extra)",
                csvHref: "/hall/\(d.centerCode)/ratings.csv?month=\(d.month)\(extra)",
                subtreeHref: "/hall/\(d.centerCode)/ratings?month=\(d.month)" + (subtree ? "" : "&subtree=1"),
                morePrev: d.page > 1 ? "/hall/\(d.centerCode)/ratings?month=\(d.month)\(extra)&page=\(d.page - 1)#rectified" : "",
                moreNext: d.rectifiedMore ? "/hall/\(d.centerCode)/ratings?month=\(d.month)\(extra)&page=\(d.page + 1)#rectified" : "",
                pageLine: d.rectifiedMore || d.page > 1 ? req.t("disclosure.pageLine", "page", String(d.page)) : "")
            return try await req.page("ratings/disclosure", title: req.t("disclosure.title", "center", d.centerName), view)
        }
        app.endpoint(.GET, "hall", ":code", "ratings.csv", access: .public) { req -> Response in
            let d = try await RatingDisclosure.of(
                center: req.parameters.get("code"), month: req.query[String.self, at: "month"],
                subtree: req.query[String.self, at: "subtree"] == "1", req: req)
            func cell(_ s: String) -> String {
                s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            var lines = ["\u{FEFF}" + [req.t("disclosure.csv.measure"), d.month, d.previousMonth].map(cell).joined(separator: ",")]
            func row(_ k: String, _ a: String, _ b: String) { lines.append([req.t(k), a, b].map(cell).joined(separator: ",")) }
            row("disclosure.rated", String(d.figures.rated), String(d.previous.rated))
            for l in (1...5).reversed() {
                lines.append(
                    [req.t("rating.level.\(l)"), String(d.figures.levels[String(l)] ?? 0), String(d.previous.levels[String(l)] ?? 0)].map(
                        cell
                    ).joined(separator: ","))
            }
            row("disclosure.satisfaction", percent(d.figures.satisfaction), percent(d.previous.satisfaction))
            row(
                "disclosure.average", d.figures.average.map { String(format: "%.2f", $0) } ?? "",
                d.previous.average.map { String(format: "%.2f", $0) } ?? "")
            row("disclosure.callBack", percent(d.figures.callBackRate), percent(d.previous.callBackRate))
            row("disclosure.onTime", percent(d.figures.onTimeRate), percent(d.previous.onTimeRate))
            let res = Response(status: .ok, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
            res.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            res.headers.contentDisposition = .init(.attachment, filename: "ratings-\(d.centerCode)-\(d.month).csv")
            return res
        }
        let steps: [(String, BadRatingService.Action, Access)] = [
            ("call-back", .callBack, BadRatingService.handlers), ("resolution", .resolve, BadRatingService.handlers),
            ("appeal", .appeal, BadRatingService.handlers), ("decision", .decideAppeal, .only(.supervisor)),
        ]
        for (path, action, access) in steps {
            app.endpoint(.POST, "ratings", ":id", PathComponent(stringLiteral: path), access: access) { req -> Response in
                struct Form: Content {
                    var reached: String?
                    var note: String?
                    var kind: String?
                    var reason: String?
                    var upheld: String?
                }
                let f = try req.content.decode(Form.self)
                let input = BadRatingService.Step(
                    reached: f.reached.map { $0 == "yes" }, note: f.note, kind: f.kind, reason: f.reason,
                    upheld: f.upheld.map { $0 == "yes" })
                do {
                    _ = try await BadRatingService.act(action, try req.uuid("id"), input, req: req)
                    req.flash(req.t("badRating.saved.\(action.rawValue)"))
                } catch let v as ValidationFailure {
                    return try await list(
                        req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
                } catch let a as any AbortError where a.status == .conflict {
                    return try await list(req, errors: [a.reason], status: .conflict)
                }
                return req.redirect(to: "/ratings")
            }
        }
    }

    static func list(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok, only: UUID? = nil) async throws -> Response {
        let p = try req.requirePrincipal()
        let filter = req.query[String.self, at: "status"] ?? ""
        let overdue = req.query[String.self, at: "overdue"] == "1"
        let rows =
            if let only {
                [try await BadRatingService.visible(only, req: req).0]
            } else {
                try await BadRatingService.list(status: filter.isEmpty ? nil : filter, overdue: overdue, limit: 200, req: req)
            }
        let ratings = try await RatingModel.query(on: req.db).filter(\.$id ~~ rows.compactMap(\.id)).all()
        let byID = Dictionary(uniqueKeysWithValues: ratings.map { ($0.id!, $0) })
        let windowIDs = rows.compactMap(\.windowID)
        let windows = try await WindowModel.query(on: req.db).filter(\.$id ~~ windowIDs).all()
        let windowNames = Dictionary(uniqueKeysWithValues: windows.map { ($0.id!, req.t("window.numbered", "n", String($0.number))) })
        let deptIDs = rows.compactMap(\.departmentID)
        let depts = try await DepartmentModel.query(on: req.db).filter(\.$id ~~ deptIDs).all()
        let deptNames = Dictionary(uniqueKeysWithValues: depts.map { ($0.id!, $0.name) })
        let today = HallClock.day(req.now)
        let handler = BadRatingService.handlers.admits(p.role)
        var contacts: [UUID: String] = [:]
        for b in rows where b.realName {
            guard let id = b.id, let r = byID[id] else { continue }
            let whole = handler && b.calledBackOn == nil
            if let (name, phone) = try await BadRatingService.contact(r, on: req.db) {
                contacts[id] = name + " " + (whole ? phone : PhoneNumber.masked(phone))
            }
        }
        let view = View(
            rows: rows.map { b in
                let r = byID[b.id!]
                let flow = b.flow
                let reasons = (r?.tags ?? "").split(separator: ",").map { req.t("rating.tag.\($0)") }
                var callBack = ""
                if let on = b.calledBackOn {
                    callBack =
                        req.t(b.callBackReached == true ? "badRating.reachedOn" : "badRating.notReachedOn", "day", on)
                        + (b.callBackNote.isEmpty ? "" : "：" + b.callBackNote)
                }
                var resolution = ""
                if let kind = b.resolution, let on = b.resolvedOn {
                    resolution = req.t("badRating.kind.\(kind)") + " · " + on + "：" + b.resolutionNote
                }
                var appeal = ""
                if let a = b.appeal {
                    appeal =
                        req.t("badRating.appeal.\(a)") + "：" + b.appealReason
                        + (b.appealDecisionNote.isEmpty ? "" : " — " + b.appealDecisionNote)
                }
                return Row(
                    id: b.id!.uuidString, level: b.level, levelLabel: req.t("rating.level.\(b.level)"), reasons: reasons,
                    text: r?.text ?? "",
                    ratedAt: HallClock.minuteText(Date(timeIntervalSince1970: Double(r?.at ?? b.createdAt) / 1000)),
                    window: b.windowID.flatMap { windowNames[$0] } ?? "", department: b.departmentID.flatMap { deptNames[$0] } ?? "",
                    dueOn: b.dueOn, overdue: flow.isOverdue(on: today), status: flow.status.rawValue,
                    statusLabel: req.t("badRating.status.\(flow.status.rawValue)"), realName: b.realName,
                    contact: contacts[b.id!] ?? "", enteredBy: r.map { $0.operatorName.replacingOccurrences(of: "user:", with: "") } ?? "",
                    callBack: callBack,
                    resolution: resolution, appeal: appeal,
                    canCallBack: handler && flow.refusal(.callBack) == nil, canResolve: handler && flow.refusal(.resolve) == nil,
                    canAppeal: handler && flow.refusal(.appeal) == nil,
                    canDecide: p.role == .supervisor && flow.refusal(.decideAppeal) == nil)
            },
            statuses: [.init(value: "", label: req.t("badRating.allStatuses"), selected: filter.isEmpty)]
                + BadRatingCase.Status.allCases.map {
                    .init(value: $0.rawValue, label: req.t("badRating.status.\($0.rawValue)"), selected: $0.rawValue == filter)
                },
            overdue: overdue, errors: errors,
            flagsWaiting: RatingFlags.viewers.admits(p.role)
                ? try await RatingFlagModel.query(on: req.db).filter(\.$centerID ~~ Array(try await req.scope().centers))
                    .filter(\.$verdict == nil).count() : nil)
        return try await req.page("ratings/list", title: req.t("badRating.title"), view, status: status)
    }
}
