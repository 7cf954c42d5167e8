import Fluent
import Foundation
import OneStopCore
import Vapor

/// The pages of cases: the intake form, a case with its moves, the printed notices, tracking by
/// number, and registration for applicants (the lists are in `CaseListPages.swift`).
enum CasePages {
    struct FileLink: Encodable {
        var href: String
        var name: String
        var size: String
    }

    struct MaterialRow: Encodable {
        var files: [FileLink] = []
        var n: Int
        var name: String
        var need: String
        var needLabel: String
        var status: String
        var note: String
        var error: String?
    }

    struct NewView: Encodable {
        /// The ticket being served, when the intake starts from the window console.
        var ticket: String
        var ticketNumber: String
        var center: String
        var centers: [FormView.Option]
        var items: [FormView.Option]
        var item: String
        var itemName: String
        var materials: [MaterialRow]
        var values: [String: String]
        var kinds: [FormView.Option]
        var statuses: [FormView.Option]
        var errors: [String]
    }

    struct EventRow: Encodable {
        var day: String
        var time: String
        var actionLabel: String
        var stateLabel: String
        var actor: String
        var reason: String
    }

    struct NoticeRow: Encodable {
        var serial: String
        var label: String
        var issuedAt: String
    }

    struct Move: Encodable {
        var action: String
        var label: String
        var needsReason: Bool
        var checklist: Bool
        var days: Bool
        var procedure: Bool
        var outcome: Bool
        var delivery: Bool
        var primary: Bool
    }

    struct ShowView: Encodable {
        /// The promised or the legal date lies in a provisional calendar year.
        var dueProvisional: Bool = false
        var legalProvisional: Bool = false
        var id: String
        var number: String
        var itemName: String
        var itemCode: String
        var guideVersion: Int
        var caseTypeLabel: String
        var state: String
        var stateLabel: String
        var applicantName: String
        var applicantID: String
        var applicantPhone: String
        var receivedOn: String
        var acceptedOn: String
        var promisedDue: String
        var legalDue: String
        var daysLeft: String
        var daysLabel: String
        var level: String
        var levelLabel: String
        var stopped: Bool
        var materials: [MaterialRow]
        var statuses: [FormView.Option]
        var form: [FormView.Option]
        var events: [EventRow]
        var notices: [NoticeRow]
        var moves: [Move]
        /// Moves the state allows but not to this viewer, each with the reason.
        var blocked: [String] = []
        var errors: [String]
        var message: String?
        var tasks: [TaskRow]
        var taskDepartments: [FormView.Option]
        /// The guide's published fee standard, shown beside the decision's fee; the fee recorded.
        var feeStandard: String
        var fee: String
        var licenceNumber: String
        var licence: LicenceDTO?
        /// An applicant's own case awaiting supplements: the materials asked for, to upload.
        var asked: [MaterialRow]
        var canWithdraw: Bool
        /// 特事特办: the mark's name and reason, and the choices for staff who may change it.
        var special: String
        var specialReason: String
        var specialChoices: [FormView.Option]
        /// The day the retention period erased the case's personal data ("" while kept).
        var anonymisedOn = ""
        /// 一事一评: the applicant's rating of the case, and its forms (`CaseRatingPages`).
        var rating = CaseRatingPages.View()
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "notices", ":serial", access: CaseAccess.viewers) { req in
            let (n, _) = try await CaseAPIController.notice(req.parameters.get("serial") ?? "", req: req)
            return CaseNotices.response(n)
        }
        app.endpoint(.GET, "cases", access: CaseAccess.viewers) { req in try await list(req) }
        app.endpoint(.GET, "cases", "new", access: CaseAccess.handlers) { req in
            try await newForm(req, item: req.query[String.self, at: "item"] ?? "", values: [:], marks: nil, errors: [])
        }
        app.endpoint(.POST, "cases", "new", access: CaseAccess.handlers) { req in try await takeIn(req) }
        app.endpoint(.GET, "cases", ":id", access: CaseAccess.viewers) { req in
            try await show(req, id: try req.uuid("id"), errors: [], message: nil)
        }
        // Staff move cases; an applicant uploads what a supplement notice asked for, or withdraws.
        app.endpoint(.POST, "cases", ":id", ":action", access: CaseAccess.handlersAndApplicants, body: .collect(maxSize: "60mb")) { req in
            try await move(req)
        }
        app.endpoint(.POST, "cases", ":id", "tasks", access: CaseAccess.handlers) { req in try await taskForm(req, complete: false) }
        app.endpoint(.POST, "cases", ":id", "tasks", ":task", "done", access: CaseAccess.handlers) { req in
            try await taskForm(req, complete: true)
        }
        app.endpoint(.GET, "cases", ":id", "files", ":file", access: CaseAccess.viewers) { req in
            guard let file = req.parameters.get("file").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            return try await OnlineApplication.file(try req.uuid("id"), file, req: req)
        }
        app.endpoint(.GET, "apply", access: .only(.applicant)) { req in try await applyForm(req, errors: []) }
        app.endpoint(.POST, "apply", access: .only(.applicant), body: .collect(maxSize: "60mb")) { req in
            do {
                let c = try await OnlineApplication.submit(req.content.decode(OnlineApplication.Form.self), req: req)
                req.flash(req.t("case.apply.done", ["number": c.number]))
                return req.redirect(to: "/cases/\(c.id!)")
            } catch let v as ValidationFailure {
                return try await applyForm(req, errors: v.errors, status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "track", access: .public) { req in
            // The QR code on every notice leads here with the number filled in.
            let number = String((req.query[String.self, at: "number"] ?? "").prefix(40))
            return try await req.page(
                "cases/track", title: req.t("case.track.title"),
                TrackView(number: number, result: nil, stateLabel: "", events: [], error: nil))
        }
        app.endpoint(.POST, "track", access: .public) { req in try await trackPage(req) }
        app.endpoint(.GET, "register", access: .public) { req in
            try await req.page(
                "cases/register", title: req.t("applicant.register.title"),
                RegisterView(values: ["kind": "person"], kinds: kinds(req, "person"), errors: [], done: nil))
        }
        app.endpoint(.POST, "register", access: .public) { req in try await registerPage(req) }
    }

    /// Working days left, or how far past the deadline.
    static func left(_ n: Int, _ req: Request) -> String {
        n < 0 ? req.t("case.overdueBy", ["n": String(-n)]) : req.t("case.daysLeft", ["n": String(n)])
    }

    static func kinds(_ req: Request, _ selected: String) -> [FormView.Option] {
        ApplicantKind.allCases.map {
            .init(value: $0.rawValue, label: req.t("applicant.kind.\($0.rawValue)"), selected: $0.rawValue == selected)
        }
    }

    static func statuses(_ req: Request) -> [FormView.Option] {
        MaterialStatus.allCases.map { .init(value: $0.rawValue, label: req.t($0.messageKey), selected: false) }
    }

    static func messages(_ error: any Error, _ req: Request) -> [String]? {
        if let v = error as? ValidationFailure { return v.errors.map { req.application.catalog.fieldMessage($0, req.language) } }
        if let r = error as? CaseFlow.Refusal { return [req.t(r.key, r.arguments.mapValues { $0.hasPrefix("case.") ? req.t($0) : $0 })] }
        if let a = error as? any AbortError, a.status == .forbidden, a.reason != a.status.reasonPhrase { return [a.reason] }
        return nil
    }

    // MARK: a case

    static func show(
        _ req: Request, id: UUID, errors: [String], message: String?, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let (c, own) = try await CaseAccess.visible(id, req: req)
        let dto = try await CaseService.dto(c, unmasked: own, req: req)
        let p = try req.requirePrincipal()
        let state = CaseState(rawValue: c.state) ?? .terminated
        let type = CaseType(rawValue: c.caseType) ?? .promised
        var moves: [Move] = []
        var blocked: [String] = []
        let lacking = dto.materials.contains {
            $0.status == MaterialStatus.missing.rawValue || $0.status == MaterialStatus.defective.rawValue
        }
        if CaseAccess.handlers.admits(p.role) {
            let held: ChiefAuthorisations =
                p.role == .chiefRepresentative
                ? try await Authorisations.held(department: c.departmentID, item: c.itemID, on: req.db) : .full
            let allowed = CaseFlow.table[state] ?? [:]
            let separation =
                DutySeparation(rawValue: try await CenterModel.find(c.centerID, on: req.db)?.dutySeparation ?? "") ?? .promised
            var byAcceptor = false
            if separation.applies(to: type) { byAcceptor = try await CaseService.accepted(c.id!, by: p.auditName, on: req.db) }
            let facts = CaseFlow.Facts(
                caseType: type, supplementRequestedBefore: c.supplementAsked, openTasks: dto.tasks.filter { $0.state == "open" }.count,
                decidedByAcceptor: byAcceptor)
            for action in CaseAction.allCases where allowed[action] != nil {
                if case .failure(let r) = CaseFlow.next(from: state, by: action, facts: facts) {
                    // The state allows it, the rules of the center do not: say why rather than hide it.
                    if r.key == "case.refused.sameAsAcceptor", action == .approve { blocked.append(req.t(r.key, r.arguments)) }
                    continue
                }
                if [.approve, .disapprove, .forward, .extend].contains(action), !CaseAccess.approvers.contains(p.role) { continue }
                if held.covers(action, caseType: type) == false { continue }
                if action == .disapprove { continue }  // decided together with approve, one form
                moves.append(
                    Move(
                        action: action == .approve ? "decide" : action.rawValue,
                        label: req.t(action == .approve ? "case.action.decide" : action.messageKey),
                        needsReason: action.needsReason && action != .disapprove,
                        checklist: [.accept, .requestSupplement, .supplyMaterials].contains(action), days: action == .extend,
                        procedure: action == .suspend, outcome: action == .approve, delivery: action == .deliver,
                        primary: lacking && state == .submitted
                            ? action == .requestSupplement
                            : [.accept, .approve, .deliver, .startReview, .resume, .supplyMaterials].contains(action)))
            }
        }
        let f = DateFormatter()
        f.timeZone = HallClock.zone
        f.dateFormat = "HH:mm"
        let level = dto.clock?.level ?? ""
        let materials = dto.materials.map { m in
            MaterialRow(
                files: dto.files.filter { $0.position == m.position }.map {
                    FileLink(href: "/cases/\(id)/files/\($0.id)", name: $0.filename, size: "\(max(1, $0.size / 1024)) KB")
                },
                n: m.position, name: m.name, need: m.need, needLabel: MaterialNeed(rawValue: m.need)?.label(req) ?? m.need,
                status: m.status,
                note: m.note, error: nil)
        }
        let awaiting = state == .supplementRequested || state == .reviewSupplement
        let left = dto.clock.flatMap { $0.stopped ? nil : $0.promisedLeft }
        var view = ShowView(
            id: id.uuidString, number: c.number, itemName: c.itemName, itemCode: c.itemCode, guideVersion: c.guideVersion,
            caseTypeLabel: type.label(req), state: c.state, stateLabel: req.t(state.messageKey),
            applicantName: dto.applicant.name, applicantID: dto.applicant.idNumber, applicantPhone: dto.applicant.phone,
            receivedOn: c.receivedOn, acceptedOn: c.acceptedOn ?? "—", promisedDue: dto.clock?.promisedDue ?? "—",
            legalDue: dto.clock?.legalDue ?? "—",
            daysLeft: c.decidedOn != nil
                ? dto.clock?.used.map { req.t("case.daysLeft", ["n": String($0)]) } ?? "—"
                : dto.clock?.stopped == true ? req.t("case.clockStopped") : left.map { Self.left($0, req) } ?? "—",
            daysLabel: req.t(c.decidedOn != nil ? "case.field.used" : "case.field.left"),
            level: level, levelLabel: level.isEmpty ? "" : req.t("supervision.level.\(level)"), stopped: dto.clock?.stopped ?? false,
            materials: materials,
            statuses: statuses(req),
            form: dto.form.sorted { $0.key < $1.key }.map { .init(value: $0.value, label: $0.key, selected: false) },
            events: dto.events.map {
                .init(
                    day: $0.day, time: f.string(from: $0.at), actionLabel: req.t("case.action.\($0.action)"),
                    stateLabel: req.t("case.state.\($0.toState)"), actor: $0.actor, reason: $0.reason)
            },
            notices: dto.notices.map {
                .init(
                    serial: $0.serial, label: req.t("notice.kind.\($0.kind)"),
                    issuedAt: CaseNotices.chinese(HallClock.day($0.issuedAt).description))
            },
            moves: moves, blocked: blocked, errors: errors, message: message,
            tasks: dto.tasks.map {
                TaskRow(
                    id: $0.id.uuidString, seq: $0.seq, department: $0.departmentName, title: $0.title, dueOn: $0.dueOn,
                    done: $0.state == "done",
                    doneBy: $0.doneBy, note: $0.note,
                    canComplete: $0.state == "open" && (p.role == .centerAdmin || (p.isStaff && p.departmentID == $0.departmentID)))
            },
            taskDepartments: try await taskDepartments(c, state: state, principal: p, req: req),
            feeStandard: try await feeStandard(c, req: req), fee: dto.fee ?? "", licenceNumber: dto.licenceNumber ?? "",
            licence: dto.licence,
            asked: own && awaiting ? materials.filter { $0.status == "missing" || $0.status == "defective" } : [],
            canWithdraw: own && !state.isClosed && !state.isDecided,
            special: c.special.flatMap(SpecialHandling.init(rawValue:)).map { req.t($0.messageKey) } ?? "",
            specialReason: c.specialReason ?? "",
            specialChoices: CaseAccess.handlers.admits(p.role) && !state.isClosed
                ? [FormView.Option(value: "", label: req.t("special.none"), selected: c.special == nil)]
                    + SpecialHandling.allCases.map {
                        .init(value: $0.rawValue, label: req.t($0.messageKey), selected: c.special == $0.rawValue)
                    } : [],
            anonymisedOn: c.anonymisedAt.map { HallClock.day(Date(timeIntervalSince1970: Double($0) / 1000)).description } ?? "")
        let confirmed = try await req.application.calendars.confirmedYears(on: req.db)
        func provisional(_ d: String?) -> Bool { d.flatMap(CivilDate.init).map { confirmed[$0.year] == nil } ?? false }
        view.dueProvisional = provisional(dto.clock?.promisedDue)
        if own { view.rating = try await CaseRatingPages.view(c, req: req) }
        view.legalProvisional = provisional(dto.clock?.legalDue)
        return try await req.page("cases/show", title: c.number + " · " + c.itemName, view, status: status)
    }

    /// The fee standard of the guide the case was received under, as the decision form shows it.
    static func feeStandard(_ c: CaseModel, req: Request) async throws -> String {
        guard let fee = try await CatalogService.publishedGuide(c.itemID, c.guideVersion, on: req.db)?.fee else { return "" }
        return fee.free ? req.t("case.fee.free") : fee.standard ?? ""
    }

    static func move(_ req: Request) async throws -> Response {
        let id = try req.uuid("id")
        let raw = req.parameters.get("action") ?? ""
        if raw == "special" {
            let f = try req.content.decode([String: String].self)
            do {
                let c = try await CaseSpecial.mark(id, SpecialInput(special: f["special"], reason: f["reason"]), req: req)
                req.flash(req.t(c.special == nil ? "special.cleared" : "special.marked"))
                return req.redirect(to: "/cases/\(id)")
            } catch {
                guard let shown = messages(error, req) else { throw error }
                return try await show(req, id: id, errors: shown, message: nil, status: .unprocessableEntity)
            }
        }
        if raw == "rating" || raw == "rating-again" { return try await CaseRatingPages.post(raw, id, req: req) }
        if raw == "upload" {
            do {
                _ = try await CaseAPIController.supplyOnline(id, req: req)
                req.flash(req.t("case.moved", ["action": req.t(CaseAction.supplyMaterials.messageKey)]))
                return req.redirect(to: "/cases/\(id)")
            } catch {
                guard let shown = messages(error, req) else { throw error }
                let status: HTTPResponseStatus = error is CaseFlow.Refusal ? .conflict : .unprocessableEntity
                return try await show(req, id: id, errors: shown, message: nil, status: status)
            }
        }
        let f = try req.content.decode([String: String].self)
        let action: CaseAction
        if raw == "decide" {
            action = f["outcome"] == "not_approved" ? .disapprove : .approve
        } else {
            guard let a = CaseAction(rawValue: raw), a != .approve, a != .disapprove else { throw Abort(.notFound) }
            action = a
        }
        let count = Int(f["materials"] ?? "") ?? 0
        let input = CaseActionInput(
            reason: f["reason"], materials: count > 0 ? formMarks(f, count: count) : nil, days: f["days"].flatMap { Int($0) },
            procedure: f["procedure"], fee: f["fee"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 },
            outcome: f["outcome"], licenceNumber: f["licenceNumber"], validUntil: f["validUntil"], method: f["method"],
            recipient: f["recipient"])
        do {
            _ = try await CaseService.act(action, caseID: id, input: input, req: req)
            req.flash(req.t("case.moved", ["action": req.t(action.messageKey)]))
            return req.redirect(to: "/cases/\(id)")
        } catch {
            guard let shown = messages(error, req) else { throw error }
            let status: HTTPResponseStatus =
                error is CaseFlow.Refusal ? .conflict : error is ValidationFailure ? .unprocessableEntity : .forbidden
            return try await show(req, id: id, errors: shown, message: nil, status: status)
        }
    }
}
