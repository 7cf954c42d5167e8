import Fluent
import Foundation
import OneStopCore
import Vapor

struct AuthorisationsDTO: Content {
    var departmentID: UUID
    var itemID: UUID
    var approveOnSpot: Bool
    var reviewUpward: Bool
    var supervise: Bool
    var coordinate: Bool
    /// False while the chief representative holds all four by default.
    var restricted: Bool
}

struct AuthorisationsInput: Content {
    var approveOnSpot: Bool?
    var reviewUpward: Bool?
    var supervise: Bool?
    var coordinate: Bool?
}

/// The chief representatives' four authorisations per department and item (首席代表四项授权).
enum Authorisations {
    static func held(department: UUID, item: UUID, on db: any Database) async throws -> ChiefAuthorisations {
        guard
            let row = try await AuthorisationModel.query(on: db).filter(\.$departmentID == department).filter(\.$itemID == item).first()
        else { return .full }
        return ChiefAuthorisations(
            approveOnSpot: row.approveOnSpot, reviewUpward: row.reviewUpward, supervise: row.supervise, coordinate: row.coordinate)
    }

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "departments", ":id", "authorisations", ":item", access: .only(.centerAdmin, .chiefRepresentative, .supervisor),
            operation: .init(
                id: "getAuthorisations", summary: "The chief representative's four authorisations for one item of the department",
                tag: "Cases", response: "Authorisations")
        ) { req in
            let (department, item) = try await target(req)
            return dto(department.id!, item.id!, try await held(department: department.id!, item: item.id!, on: req.db), req: req)
        }
        api.endpoint(
            .PUT, "departments", ":id", "authorisations", ":item", access: .admins,
            operation: .init(
                id: "setAuthorisations",
                summary:
                    "Grant or withdraw the four authorisations (on-the-spot approval, upward review, supervision, coordination) for one item",
                tag: "Cases", request: "AuthorisationsInput", response: "Authorisations")
        ) { req in
            let (department, item) = try await target(req)
            let input = try req.content.decode(AuthorisationsInput.self)
            let now = ChiefAuthorisations(
                approveOnSpot: input.approveOnSpot ?? true, reviewUpward: input.reviewUpward ?? true, supervise: input.supervise ?? true,
                coordinate: input.coordinate ?? true)
            let departmentID = department.id!
            let itemID = item.id!
            try await req.audited { db -> (Void, [AuditEvent]) in
                let row =
                    try await AuthorisationModel.query(on: db).filter(\.$departmentID == departmentID).filter(\.$itemID == itemID).first()
                    ?? AuthorisationModel()
                row.departmentID = departmentID
                row.itemID = itemID
                row.approveOnSpot = now.approveOnSpot
                row.reviewUpward = now.reviewUpward
                row.supervise = now.supervise
                row.coordinate = now.coordinate
                try await row.save(on: db)
                return (
                    (),
                    [
                        AuditEvent(
                            "department.authorisations", "department", id: departmentID, center: department.centerID,
                            detail: [
                                "item": item.code, "approveOnSpot": String(now.approveOnSpot), "reviewUpward": String(now.reviewUpward),
                                "supervise": String(now.supervise), "coordinate": String(now.coordinate),
                            ])
                    ]
                )
            }
            return dto(departmentID, itemID, now, req: req, restricted: true)
        }
    }

    static func dto(_ d: UUID, _ i: UUID, _ a: ChiefAuthorisations, req: Request, restricted: Bool? = nil) -> AuthorisationsDTO {
        AuthorisationsDTO(
            departmentID: d, itemID: i, approveOnSpot: a.approveOnSpot, reviewUpward: a.reviewUpward, supervise: a.supervise,
            coordinate: a.coordinate, restricted: restricted ?? (a != .full))
    }

    /// The department (in the caller's scope) and one of its items (by id or code).
    static func target(_ req: Request) async throws -> (DepartmentModel, ServiceItemModel) {
        let scope = try await req.scope()
        guard let department = try await DepartmentModel.find(try req.uuid("id"), on: req.db), scope.contains(department.centerID) else {
            throw Abort(.notFound)
        }
        if scope.principal.role == .chiefRepresentative, scope.principal.departmentID != department.id { throw Abort(.notFound) }
        let raw = req.parameters.get("item") ?? ""
        let item =
            try await
            (UUID(uuidString: raw).map { id in ServiceItemModel.query(on: req.db).filter(\.$id == id) }
            ?? ServiceItemModel.query(on: req.db).filter(\.$code == raw)).first()
        guard let item, item.departmentID == department.id else { throw Abort(.notFound) }
        return (department, item)
    }
}
