import Fluent
import Foundation
import OneStopCore
import Vapor

struct AgentProjectInput: Content {
    var centerID: UUID?
    var name: String?
    /// The applicant (usually the investing enterprise), by id…
    var applicantID: UUID?
    /// …or by ID number / credit code, as staff have it at hand.
    var applicantNumber: String?
    /// The member of staff who acts as the agent.
    var agentID: UUID?
    var note: String?
    /// A case number to add to the project.
    var caseNumber: String?
    /// `investment` (the default) or `citizen`; a citizen's project records their consent.
    var kind: String?
    var consentMethod: String?
    var consentOn: String?
    var consentNote: String?
}

struct AgentProjectDTO: Content {
    struct Case: Content {
        var id: UUID
        var number: String
        var itemName: String
        var state: String
        var promisedDue: String?
    }

    var id: UUID
    var centerID: UUID
    var name: String
    var applicantName: String
    var agentName: String
    var note: String
    var kind: String
    var consentMethod: String?
    var consentOn: String?
    var consentNote: String?
    var cases: [Case]
}

/// 全程代办 (DOMAIN.md §4): a designated agent handles every item of an investment project for
/// the applicant; the project groups its cases so that the agent and the center see them together.
enum AgentProjects {
    static func create(_ input: AgentProjectInput, req: Request) async throws -> AgentProjectModel {
        let scope = try await req.scope()
        var errors: [FieldError] = []
        let center = input.centerID ?? scope.principal.centerID
        if !scope.contains(center) { errors.append(FieldError("centerID", "invalidReference")) }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors.append(FieldError("name", "required"))
        } else if name.count > 200 {
            errors.append(FieldError("name", "tooLong"))
        }
        var applicant: ApplicantModel?
        if let id = input.applicantID {
            applicant = try await ApplicantModel.find(id, on: req.db)
        } else if let number = input.applicantNumber?.uppercased().filter({ !$0.isWhitespace }), !number.isEmpty {
            applicant = try await ApplicantModel.query(on: req.db).filter(\.$idNumberIndex == ApplicantModel.index(number)).first()
        }
        if applicant == nil { errors.append(FieldError("applicantNumber", "project.noApplicant")) }
        var agent: UserModel?
        if let id = input.agentID { agent = try await UserModel.find(id, on: req.db) }
        if let a = agent,
            !(scope.contains(a.centerID) && [Role.windowStaff, .chiefRepresentative, .centerAdmin].map(\.rawValue).contains(a.role))
        {
            agent = nil
        }
        if agent == nil { errors.append(FieldError("agentID", "invalidReference")) }
        let note = (input.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if note.count > 1000 { errors.append(FieldError("note", "tooLong")) }
        let kindText = (input.kind ?? "").trimmingCharacters(in: .whitespaces)
        let kind = kindText.isEmpty ? AgentProjectKind.investment : AgentProjectKind(rawValue: kindText)
        if kind == nil { errors.append(FieldError("kind", "invalidChoice")) }
        // A citizen's agency: a person, and the consent they gave.
        var consent: AgentConsent.Valid?
        if kind == .citizen {
            if let a = applicant, a.kind != ApplicantKind.person.rawValue {
                errors.append(FieldError("applicantNumber", "project.citizenPerson"))
            }
            switch AgentConsent.validate(
                method: input.consentMethod, on: input.consentOn, note: input.consentNote, today: HallClock.day(req.now))
            {
            case .success(let c): consent = c
            case .failure(let f): errors += f.errors
            }
        }
        guard errors.isEmpty, let applicant, let agent, let kind else { throw ValidationFailure(errors) }
        let given = consent
        let now = HallClock.millis(req.now)
        return try await req.audited { db -> (AgentProjectModel, [AuditEvent]) in
            let p = AgentProjectModel()
            p.id = UUID.timeOrdered()
            p.centerID = center
            p.name = name
            p.applicantID = applicant.id!
            p.agentID = agent.id!
            p.agentName = agent.displayName
            p.note = note
            p.kind = kind.rawValue
            p.consentMethod = given?.method.rawValue
            p.consentOn = given?.on.description
            p.consentNote = given?.note
            p.createdAt = now
            try await p.create(on: db)
            try await Outbox.enqueue(
                "project.agent", .init(title: "全程代办：\(name)", body: applicant.name, link: "/projects/\(p.id!)", data: ["project": name]),
                users: [agent.id!], center: center, at: now, on: db)
            return (
                p,
                [
                    AuditEvent(
                        "project.create", "project", id: p.id, center: center,
                        detail: ["name": name, "agent": agent.username, "kind": kind.rawValue, "consent": given?.method.rawValue ?? ""])
                ]
            )
        }
    }

    static func visible(_ id: UUID, req: Request) async throws -> AgentProjectModel {
        let scope = try await req.scope()
        guard let p = try await AgentProjectModel.find(id, on: req.db), scope.contains(p.centerID) else { throw Abort(.notFound) }
        return p
    }

    /// Adds a case to it, by case number: for an investment project a case of its center; for a
    /// citizen, any case of that citizen in the caller's centers (a township's 代办点 works the
    /// county's cases for them), and no one else's — the consent covers them alone.
    static func addCase(_ id: UUID, _ input: AgentProjectInput, req: Request) async throws -> AgentProjectModel {
        let p = try await visible(id, req: req)
        let scope = try await req.scope()
        let number = (input.caseNumber ?? "").uppercased().trimmingCharacters(in: .whitespaces)
        guard let c = try await CaseModel.query(on: req.db).filter(\.$number == number).first() else {
            throw ValidationFailure([FieldError("caseNumber", "project.noCase")])
        }
        if p.kind == AgentProjectKind.citizen.rawValue {
            guard scope.contains(c.centerID) || scope.tree.nodes[p.centerID]?.parentID == c.centerID else {
                throw ValidationFailure([FieldError("caseNumber", "project.noCase")])
            }
            guard c.applicantID == p.applicantID else { throw ValidationFailure([FieldError("caseNumber", "project.notTheirCase")]) }
        } else if c.centerID != p.centerID {
            throw ValidationFailure([FieldError("caseNumber", "project.noCase")])
        }
        let caseID = c.id!
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await CaseModel.query(on: db).filter(\.$id == caseID).set(\.$projectID, to: id).update()
            return ((), [AuditEvent("project.addCase", "project", id: id, center: p.centerID, detail: ["case": c.number])])
        }
        return p
    }

    /// The projects of the caller's centers, newest first.
    static func list(_ req: Request) async throws -> [AgentProjectDTO] {
        let scope = try await req.scope()
        var out: [AgentProjectDTO] = []
        let rows = try await AgentProjectModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
            .sort(\.$createdAt, .descending).limit(200).all()
        for p in rows { out.append(try await dto(p, on: req.db)) }
        return out
    }

    static func dto(_ p: AgentProjectModel, on db: any Database) async throws -> AgentProjectDTO {
        let applicant = try await ApplicantModel.find(p.applicantID, on: db)
        let cases = try await CaseModel.query(on: db).filter(\.$projectID == p.id!).sort(\.$createdAt).all()
        return AgentProjectDTO(
            id: p.id!, centerID: p.centerID, name: p.name, applicantName: applicant?.name ?? "", agentName: p.agentName, note: p.note,
            kind: p.kind, consentMethod: p.consentMethod, consentOn: p.consentOn, consentNote: p.consentNote,
            cases: cases.map { .init(id: $0.id!, number: $0.number, itemName: $0.itemName, state: $0.state, promisedDue: $0.promisedDue) })
    }

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "projects", access: CaseAccess.handlers,
            operation: .init(
                id: "createAgentProject", summary: "Start an agent-service project (全程代办): name, applicant, the agent among staff",
                tag: "Cases", request: "AgentProjectInput", response: "AgentProject", successStatus: 201)
        ) { req in
            let p = try await create(req.content.decode(AgentProjectInput.self), req: req)
            return try await OrgAPIController.created(try await dto(p, on: req.db), req)
        }
        api.endpoint(
            .GET, "projects", access: CaseAccess.handlers,
            operation: .init(
                id: "listAgentProjects", summary: "Agent-service projects of the caller's centers", tag: "Cases", response: "AgentProject",
                responseIsList: true)
        ) { req in try await list(req) }
        api.endpoint(
            .POST, "projects", ":id", "cases", access: CaseAccess.handlers,
            operation: .init(
                id: "addCaseToProject", summary: "Add a case (by number) to an agent-service project", tag: "Cases",
                request: "AgentProjectInput", response: "AgentProject")
        ) { req in try await dto(try await addCase(try req.uuid("id"), req.content.decode(AgentProjectInput.self), req: req), on: req.db) }
    }
}
