import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/api/v1` for applicants, cases and their notices (issue 5).
enum CaseAPIController {
    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "applicants", access: .public,
            operation: .init(
                id: "registerApplicant",
                summary: "Register as a person (resident ID) or a legal entity (unified social credit code); sign in with that number",
                tag: "Cases", request: "RegisterApplicantInput", response: "RegisteredApplicant", successStatus: 201)
        ) { req in
            let (applicant, user) = try await ApplicantService.register(req.content.decode(RegisterApplicantInput.self), req: req)
            return try await OrgAPIController.created(
                RegisteredApplicantDTO(applicant: ApplicantDTO(applicant, unmasked: true), username: user.username), req)
        }
        api.endpoint(
            .POST, "cases", access: CaseAccess.handlersAndApplicants,
            operation: .init(
                id: "submitApplication",
                summary:
                    "Apply: staff take in at a window (JSON: item, applicant, checklist, form); a signed-in applicant applies online "
                    + "(multipart: center, item, summary, files[m<n>][] per material; PDF, JPEG or PNG, 10 MB each)",
                tag: "Cases", request: "IntakeInput", response: "Case", successStatus: 201), body: .collect(maxSize: "60mb")
        ) { req in
            if req.principal?.role == .applicant {
                let c = try await OnlineApplication.submit(req.content.decode(OnlineApplication.Form.self), req: req)
                return try await OrgAPIController.created(try await CaseService.dto(c, unmasked: true, req: req), req)
            }
            let opened = try await CaseService.intake(req.content.decode(IntakeInput.self), req: req)
            return try await OrgAPIController.created(
                try await CaseService.dto(opened.model, unmasked: false, known: opened.known, req: req), req)
        }
        api.endpoint(
            .GET, "cases", ":id", "files", ":file", access: CaseAccess.viewers,
            operation: .init(id: "getCaseFile", summary: "Download a file uploaded for a case (always as an attachment)", tag: "Cases")
        ) { req in
            guard let file = req.parameters.get("file").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            return try await OnlineApplication.file(try req.uuid("id"), file, req: req)
        }
        api.endpoint(
            .GET, "cases", access: CaseAccess.viewers,
            operation: .init(
                id: "listCases", summary: "Cases the caller may see, newest first: an applicant's own, or those of the staff's centers",
                tag: "Cases", response: "CaseSummary", responseIsList: true,
                query: [
                    .init(name: "state", type: "string", description: "only cases in this state"),
                    .init(
                        name: "mine", type: "boolean",
                        description:
                            "staff: only the caller's open cases (those they handle; a chief representative's, those of the department), "
                            + "by promised date, the nearest first, with working days left and warning level"),
                    .init(name: "limit", type: "integer", description: "at most this many (1–200, default 50)"),
                ])
        ) { req in try await list(req) }
        api.endpoint(
            .GET, "cases", ":id", access: CaseAccess.viewers,
            operation: .init(
                id: "getCase", summary: "A case with its applicant (masked for staff), clock, checklist, timeline and notices",
                tag: "Cases", response: "Case")
        ) { req in
            let (c, own) = try await CaseAccess.visible(try req.uuid("id"), req: req)
            return try await CaseService.dto(c, unmasked: own, req: req)
        }
        api.endpoint(
            .POST, "cases", "track", access: .public,
            operation: .init(
                id: "trackCase",
                summary: "Track a case without signing in: its number and the last 4 characters of the applicant's ID number",
                tag: "Cases", request: "TrackInput", response: "TrackedCase")
        ) { req in try await track(req.content.decode(TrackInput.self), req: req) }

        let moves: [(CaseAction, String, String, String)] = [
            (.accept, "accept", "acceptCase", "Accept (受理); issues the 受理通知书 with the promised completion date"),
            (
                .requestSupplement, "supplement-request", "requestSupplement",
                "Ask for every missing or defective material at once (补正材料通知书)"
            ),
            (.supplyMaterials, "materials", "supplyMaterials", "Record the supplemented materials; a stopped clock runs again"),
            (.refuse, "refuse", "refuseCase", "Refuse to accept, with the reason and the appeal route (不予受理通知书)"),
            (.startReview, "review", "startReview", "Start the review of an accepted case"),
            (.suspend, "suspend", "suspendCase", "Start a special procedure; the clock stops (特殊程序期限告知书)"),
            (.resume, "resume", "resumeCase", "End the special procedure; the clock runs again"),
            (.extend, "extend", "extendCase", "Extend the time limit by working days, with a reason (延长办理期限通知书); approvers only"),
            (.forward, "forward", "forwardCase", "Forward a reported case upward after the preliminary review; approvers only"),
            (.deliver, "deliver", "deliverCase", "Deliver the decision (送达回执)"),
            (.withdraw, "withdraw", "withdrawCase", "Record the applicant's withdrawal, with the reason"),
            (.terminate, "terminate", "terminateCase", "End the case abnormally, with the reason"),
        ]
        for (action, path, id, summary) in moves {
            // An applicant supplies materials as uploads, and may withdraw their own case.
            let applicantToo = action == .supplyMaterials || action == .withdraw
            api.endpoint(
                .POST, "cases", ":id", PathComponent(stringLiteral: path),
                access: applicantToo ? CaseAccess.handlersAndApplicants : CaseAccess.handlers,
                operation: .init(id: id, summary: summary, tag: "Cases", request: "CaseActionInput", response: "Case"),
                body: .collect(maxSize: applicantToo ? "60mb" : "1mb")
            ) { req in
                let id = try req.uuid("id")
                if req.principal?.role == .applicant, action == .supplyMaterials {
                    let c = try await supplyOnline(id, req: req)
                    return try await CaseService.dto(c, unmasked: true, req: req)
                }
                let c = try await CaseService.act(action, caseID: id, input: try body(req), req: req)
                return try await CaseService.dto(c, unmasked: req.principal?.role == .applicant, req: req)
            }
        }
        api.endpoint(
            .POST, "cases", ":id", "decide", access: CaseAccess.handlers,
            operation: .init(
                id: "decideCase", summary: "Decide: outcome approved or not_approved (with the reason); approvers only",
                tag: "Cases", request: "CaseActionInput", response: "Case")
        ) { req in
            let input = try body(req)
            let action: CaseAction
            switch input.outcome {
            case "approved": action = .approve
            case "not_approved": action = .disapprove
            default: throw ValidationFailure([FieldError("outcome", "invalidChoice")])
            }
            let c = try await CaseService.act(action, caseID: try req.uuid("id"), input: input, req: req)
            return try await CaseService.dto(c, unmasked: false, req: req)
        }
        api.endpoint(
            .GET, "cases", ":id", "notices", access: CaseAccess.viewers,
            operation: .init(
                id: "listCaseNotices", summary: "The notices issued for a case, oldest first", tag: "Cases", response: "NoticeSummary",
                responseIsList: true)
        ) { req in
            let (c, _) = try await CaseAccess.visible(try req.uuid("id"), req: req)
            return try await NoticeModel.query(on: req.db).filter(\.$caseID == c.id!).sort(\.$seq)
                .field(\.$id).field(\.$caseID).field(\.$seq).field(\.$kind).field(\.$serial).field(\.$issuedAt).field(\.$issuedBy).field(
                    \.$sha256
                )
                .all().map(NoticeSummaryDTO.init)
        }
        api.endpoint(
            .GET, "notices", ":serial", access: CaseAccess.viewers,
            operation: .init(
                id: "getNotice", summary: "A notice exactly as issued, with its SHA-256", tag: "Cases", response: "Notice")
        ) { req in
            let (n, c) = try await notice(req.parameters.get("serial") ?? "", req: req)
            return NoticeDTO(notice: NoticeSummaryDTO(n), caseNumber: c.number, html: n.html)
        }
    }

    /// An applicant's answer to a supplement notice: the files, checked before anything is written.
    static func supplyOnline(_ id: UUID, req: Request) async throws -> CaseModel {
        let (c, _) = try await CaseAccess.visible(id, req: req)
        let count = try await CaseMaterialModel.query(on: req.db).filter(\.$caseID == c.id!).count()
        let form = try req.content.decode(OnlineApplication.Form.self)
        let uploads = try OnlineApplication.check(form.files, materials: count)
        return try await CaseService.act(
            .supplyMaterials, caseID: id, input: CaseActionInput(reason: form.reason), uploads: uploads, req: req)
    }

    /// A move's body; an empty body is an empty input.
    static func body(_ req: Request) throws -> CaseActionInput {
        if req.body.data == nil || req.body.data?.readableBytes == 0 { return CaseActionInput() }
        return try req.content.decode(CaseActionInput.self)
    }

    /// The notice by serial, if the caller may see its case.
    static func notice(_ serial: String, req: Request) async throws -> (NoticeModel, CaseModel) {
        guard serial.count <= 64, let n = try await NoticeModel.query(on: req.db).filter(\.$serial == serial).first() else {
            throw Abort(.notFound)
        }
        let (c, _) = try await CaseAccess.visible(n.caseID, req: req)
        return (n, c)
    }

    static func list(_ req: Request) async throws -> [CaseSummaryDTO] {
        let p = try req.requirePrincipal()
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 200)
        var q = CaseModel.query(on: req.db)
        if p.role == .applicant {
            guard let a = try await ApplicantService.own(req) else { return [] }
            q = q.filter(\.$applicantID == a.id!)
        } else {
            let scope = try await req.scope()
            q = q.filter(\.$centerID ~~ Array(scope.centers))
            if p.role == .chiefRepresentative, let d = p.departmentID { q = q.filter(\.$departmentID == d) }
        }
        if let state = req.query[String.self, at: "state"] {
            guard CaseState(rawValue: state) != nil else { throw ValidationFailure([FieldError("state", "invalidChoice")]) }
            q = q.filter(\.$state == state)
        }
        if p.role != .applicant, req.query[Bool.self, at: "mine"] == true {
            return try await mine(q, principal: p, limit: limit, req: req)
        }
        let confirmed = try await req.application.calendars.confirmedYears(on: req.db)
        return try await q.sort(\.$createdAt, .descending).sort(\.$number, .descending).limit(limit).all().map {
            CaseSummaryDTO($0, confirmed: confirmed)
        }
    }

    /// A member of staff's open cases, the nearest promised date first; cases without one (not
    /// yet accepted, or the clock stopped) after them, the oldest first. Each with its working
    /// days left and warning level.
    static func mine(_ q: QueryBuilder<CaseModel>, principal p: Principal, limit: Int, req: Request) async throws -> [CaseSummaryDTO] {
        let open = CaseState.allCases.filter { !$0.isClosed }.map(\.rawValue)
        let q = q.filter(\.$state ~~ open)
        if p.role != .chiefRepresentative { q.filter(\.$handlerID == p.id) }
        // 特事特办 first (few at a time), then by promised date.
        let special = try await q.copy().filter(\.$special != nil).sort(\.$promisedDue).sort(\.$number).limit(limit).all()
        let ordinary = q.copy().filter(\.$special == nil)
        let room = limit - special.count
        let timed =
            room > 0 ? try await ordinary.copy().filter(\.$promisedDue != nil).sort(\.$promisedDue).sort(\.$number).limit(room).all() : []
        let untimed =
            special.count + timed.count < limit
            ? try await ordinary.copy().filter(\.$promisedDue == nil).sort(\.$createdAt).sort(\.$number)
                .limit(limit - special.count - timed.count).all() : []
        let today = HallClock.day(req.now)
        var out: [CaseSummaryDTO] = []
        var calendars: [UUID: WorkCalendar] = [:]
        let confirmed = try await req.application.calendars.confirmedYears(on: req.db)
        for c in special + timed + untimed {
            var row = CaseSummaryDTO(c, confirmed: confirmed)
            if let due = c.promisedDue.flatMap(CivilDate.init) {
                // One calendar per center, not one read per row.
                let calendar: WorkCalendar
                if let known = calendars[c.centerID] {
                    calendar = known
                } else {
                    calendar = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
                    calendars[c.centerID] = calendar
                }
                row.daysLeft = calendar.countWorkingDays(from: today, to: due)
                row.level = c.level
            }
            out.append(row)
        }
        return out
    }

    /// Tracking is limited by failed look-ups: per case number (whoever asks) and per client.
    static func track(_ input: TrackInput, req: Request) async throws -> TrackedCaseDTO {
        let number = (input.number ?? "").uppercased().trimmingCharacters(in: .whitespaces)
        return try await req.limitedLookup("case:" + number, notFound: "case.trackNotFound") {
            try await CaseService.track(number: number, idTail: input.idTail, req: req)
        }
    }
}

struct CaseSummaryDTO: Content {
    var id: UUID
    var number: String
    var itemName: String
    var state: String
    var receivedOn: String
    var promisedDue: String?
    /// With `mine`: working days left to the promised date (negative once past) and the warning
    /// level supervision gave the case.
    var daysLeft: Int?
    var level: String?
    /// The promised date lies in a year without an imported national holiday arrangement.
    var dueProvisional: Bool
    /// 特事特办: the case leads its handler's list.
    var special: String?

    init(_ c: CaseModel, confirmed: [Int: CalendarYearModel]) {
        special = c.special
        id = c.id!
        number = c.number
        itemName = c.itemName
        state = c.state
        receivedOn = c.receivedOn
        promisedDue = c.promisedDue
        dueProvisional = c.promisedDue.flatMap(CivilDate.init).map { confirmed[$0.year] == nil } ?? false
    }
}
