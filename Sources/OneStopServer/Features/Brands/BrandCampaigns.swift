import Fluent
import Foundation
import OneStopCore
import Vapor

/// The campaign (issue 22): the office opens it over a center's tree with its four dated phases
/// and its requirements (`openCampaign`), and follows its coverage — how many of the tree's
/// departments have a brand, and which have none (`listCampaigns`).
enum BrandCampaignService {
    struct SpanInput: Content {
        var phase: String?
        var from: String?
        var to: String?
    }

    struct Input: Content {
        var center: String?
        var name: String?
        var phases: [SpanInput]?
        var requirements: String?
        var weights: BrandSelection.Weights?
    }

    struct Coverage: Content {
        var departments: Int
        var withBrand: Int
        /// The departments without a brand (revoked ones do not count), by name.
        var missing: [String]
    }

    struct DTO: Content {
        var id: UUID
        var centerID: UUID
        var name: String
        var phases: [SpanDTO]
        var requirements: String
        /// The phase today, nil before the first and after the last.
        var phaseNow: String?
        var coverage: Coverage
        var openedBy: String
        var weights: BrandSelection.Weights
    }

    struct SpanDTO: Content {
        var phase: String
        var from: String
        var to: String
    }

    static func open(_ input: Input, req: Request) async throws -> BrandCampaignModel {
        let p = try req.requirePrincipal()
        let center = try await WorkOrderService.center(input.center, req: req)
        var errors: [FieldError] = []
        let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
        if name.isEmpty { errors.append(FieldError("name", "required")) }
        if name.count > 100 { errors.append(FieldError("name", "tooLong")) }
        var spans: [BrandCampaignPhases.Span] = []
        for (i, s) in (input.phases ?? []).enumerated() {
            guard let phase = BrandCampaignPhases.Phase(rawValue: s.phase ?? "") else {
                errors.append(FieldError("phases.\(i).phase", "invalidChoice"))
                continue
            }
            guard let from = s.from.flatMap(CivilDate.init), let to = s.to.flatMap(CivilDate.init) else {
                errors.append(FieldError("phases.\(i).from", "date"))
                continue
            }
            spans.append(.init(phase, from: from, to: to))
        }
        let phases = BrandCampaignPhases(spans)
        // The order and the dates are judged once every phase reads.
        if spans.count == (input.phases ?? []).count { for code in phases.problems { errors.append(FieldError("phases", code)) } }
        let requirements = (input.requirements ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if requirements.count > 2000 { errors.append(FieldError("requirements", "tooLong")) }
        let weights = input.weights ?? .init()
        for p in weights.problems { errors.append(FieldError(p.field, p.code)) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let c = BrandCampaignModel()
        c.id = UUID.timeOrdered()
        c.centerID = try center.requireID()
        c.name = name
        c.phasesValue = phases
        c.requirements = requirements
        c.weightsValue = weights
        c.openedBy = p.displayName
        c.openedAt = HallClock.millis(req.now)
        return try await req.audited { db -> (BrandCampaignModel, [AuditEvent]) in
            try await c.storeNew(on: db)
            return (c, [AuditEvent("brand.campaign.open", "brand_campaign", id: c.id, center: c.centerID, detail: ["name": name])])
        }
    }

    /// The tree's departments, and which of them have a brand that is not revoked.
    static func coverage(_ c: BrandCampaignModel, req: Request) async throws -> Coverage {
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let centers = Array(tree.subtree(c.centerID))
        let departments = try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers).sort(\.$code).all()
        let branded = Set(
            try await BrandModel.query(on: req.db).filter(\.$centerID ~~ centers).filter(\.$state != BrandRules.State.revoked.rawValue)
                .all().compactMap(\.departmentID))
        return Coverage(
            departments: departments.count, withBrand: departments.filter { branded.contains($0.id!) }.count,
            missing: departments.filter { !branded.contains($0.id!) }.map(\.name))
    }

    /// Reminds the chief representatives of the tree's departments that have no brand yet; returns
    /// how many departments were reminded.
    static func remind(_ id: UUID, req: Request) async throws -> Int {
        guard let c = try await BrandCampaignModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(c.centerID)
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let centers = Array(tree.subtree(c.centerID))
        let branded = Set(
            try await BrandModel.query(on: req.db).filter(\.$centerID ~~ centers).filter(\.$state != BrandRules.State.revoked.rawValue)
                .all().compactMap(\.departmentID))
        let missing = try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers).all().filter { !branded.contains($0.id!) }
        guard !missing.isEmpty else { return 0 }
        let chiefs = try await UserModel.query(on: req.db).filter(\.$departmentID ~~ missing.compactMap(\.id))
            .filter(\.$role == Role.chiefRepresentative.rawValue).filter(\.$disabled == false).all()
        let millis = HallClock.millis(req.now)
        let name = c.name
        return try await req.audited { db -> (Int, [AuditEvent]) in
            for d in missing {
                let users = chiefs.filter { $0.departmentID == d.id }.compactMap(\.id)
                try await Outbox.enqueue(
                    "brand.campaign.remind",
                    .init(
                        title: "请确定本部门服务品牌：\(name)", body: "\(d.name)尚未确定服务品牌。请按活动安排确定品牌名称、标识和服务体系，并报品牌创建办公室审核。",
                        link: "/brands/manage", data: ["campaign": id.uuidString, "department": d.id!.uuidString]),
                    users: users, center: d.centerID, at: millis, on: db)
            }
            return (
                missing.count,
                [
                    AuditEvent(
                        "brand.campaign.remind", "brand_campaign", id: id, center: c.centerID,
                        detail: ["departments": String(missing.count)])
                ]
            )
        }
    }

    static func dto(_ c: BrandCampaignModel, req: Request) async throws -> DTO {
        let phases = c.phasesValue
        return DTO(
            id: c.id!, centerID: c.centerID, name: c.name,
            phases: phases.spans.map { .init(phase: $0.phase.rawValue, from: $0.from.description, to: $0.to.description) },
            requirements: c.requirements, phaseNow: phases.phase(on: HallClock.day(req.now))?.rawValue,
            coverage: try await coverage(c, req: req), openedBy: c.openedBy, weights: c.weightsValue)
    }

    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let span = O.object(
            ["phase": CaseSchemas.names(BrandCampaignPhases.Phase.self), "from": O.string, "to": O.string],
            required: ["phase", "from", "to"])
        let weights = O.object([
            "expert": ["type": "number", "description": "the expert share of the combined score, 0–1 (default 0.6)"],
            "survey": ["type": "number", "description": "the survey's weight in the social score (default 1)"],
            "rating": ["type": "number", "description": "the weight of the rating satisfaction of what the brand covers (default 0)"],
            "complaintPenalty": ["type": "number", "description": "points a valid complaint takes off the social score (default 0)"],
            "dropFrom": ["type": "integer", "description": "from how many experts the highest and lowest are dropped (default 5)"],
            "reviewMonths": [
                "type": "integer",
                "description": "a named brand missing its commitments this many months in a row goes under review (default 3)",
            ],
        ])
        return [
            "BrandSelectionWeights": weights,
            "BrandReminded": O.object(["departments": O.integer]),
            "BrandCampaign": O.object([
                "id": O.uuid, "centerID": O.uuid, "name": O.string, "phases": ["type": "array", "items": span],
                "requirements": O.string, "phaseNow": ["type": ["string", "null"]],
                "coverage": O.object(["departments": O.integer, "withBrand": O.integer, "missing": ["type": "array", "items": O.string]]),
                "openedBy": O.string, "weights": weights,
            ]),
            "BrandCampaignInput": O.object(
                [
                    "center": O.string, "name": O.string, "phases": ["type": "array", "items": span], "requirements": O.string,
                    "weights": weights,
                ],
                required: ["name", "phases"]),
        ]
    }()

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "brand-campaigns", access: BrandService.approvers,
            operation: .init(
                id: "openCampaign",
                summary:
                    "The campaign office opens a brand campaign over a center and those below it: its four phases with dates (培育打造, 实践推进, 典型推介, 巩固优化) and its requirements",
                tag: "Brands", request: "BrandCampaignInput", response: "BrandCampaign", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(try await dto(try await open(try req.content.decode(Input.self), req: req), req: req), req)
        }
        api.endpoint(
            .POST, "brand-campaigns", ":id", "reminders", access: BrandService.approvers,
            operation: .init(
                id: "remindMissingBrands",
                summary: "Reminds, through the outbox, the chief representatives of the campaign's departments that have no brand yet",
                tag: "Brands", response: "BrandReminded")
        ) { req in ["departments": try await remind(try req.uuid("id"), req: req)] }
        api.endpoint(
            .GET, "brand-campaigns", access: BrandService.staffReaders,
            operation: .init(
                id: "listCampaigns", summary: "A center's brand campaigns with their phase today and their coverage", tag: "Brands",
                response: "BrandCampaign", responseIsList: true,
                query: [.init(name: "center", type: "string", description: "code or id; default: the viewer's center")])
        ) { req in
            let center = try await WorkOrderService.center(req.query[String.self, at: "center"], req: req)
            var out: [DTO] = []
            for c in try await BrandCampaignModel.query(on: req.db).filter(\.$centerID == center.requireID())
                .sort(\.$openedAt, .descending).limit(20).all()
            {
                out.append(try await dto(c, req: req))
            }
            return out
        }
    }
}
