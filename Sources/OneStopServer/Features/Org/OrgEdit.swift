import Fluent
import Foundation
import OneStopCore
import Vapor

/// A row that belongs to one center: departments, windows, staff, accounts.
protocol CenterOwned: Model, Sendable where IDValue == UUID {
    var centerID: UUID { get set }
    init()
}

extension DepartmentModel: CenterOwned {}
extension WindowModel: CenterOwned {}
extension StaffModel: CenterOwned {}
extension UserModel: CenterOwned {}

/// What saving any center-owned row shares: the row (loaded within the caller's scope, or new),
/// the submitted center (which must be in scope too), the checks that need the database, and the
/// audited save. Each service adds only its own fields.
struct OrgEdit<M: CenterOwned> {
    let row: M
    let id: UUID?
    let centerID: UUID?
    let req: Request
    var errors: [FieldError] = []

    static func begin(_ id: UUID?, center raw: String?, req: Request) async throws -> OrgEdit {
        let scope = try await req.scope()
        let row: M
        if let id {
            guard let r = try await M.find(id, on: req.db) else { throw Abort(.notFound) }
            try scope.require(r.centerID)
            row = r
        } else {
            row = M()
        }
        var errors: [FieldError] = []
        let centerID = parseUUID(raw, field: "centerID", errors: &errors)
        if let c = centerID, !scope.contains(c) { errors.append(FieldError("centerID", "invalidReference")) }
        return OrgEdit(row: row, id: id, centerID: centerID, req: req, errors: errors)
    }

    /// Another row's id from the input; a malformed one is an error on that field.
    mutating func reference(_ raw: String?, field: String) -> UUID? {
        parseUUID(raw, field: field, errors: &errors)
    }

    /// Adds `code` on `field` when a row other than this one matches `query`.
    mutating func unique(_ field: String, code: String = "duplicate", _ query: QueryBuilder<M>) async throws {
        var q = query
        if let id { q = q.filter(.id, .notEqual, id) }
        if try await q.count() > 0 { errors.append(FieldError(field, code)) }
    }

    /// A query over this center's rows, for uniqueness within the center.
    func inCenter(_ center: UUID) -> QueryBuilder<M> {
        M.query(on: req.db).filter("center_id", .equal, center)
    }

    /// The referenced row must exist in the same center.
    mutating func sameCenter<T: CenterOwned>(_ type: T.Type, _ other: UUID?, field: String, center: UUID) async throws {
        guard let other else { return }
        if try await T.find(other, on: req.db)?.centerID != center { errors.append(FieldError(field, "invalidReference")) }
    }

    /// Saves the row and its audit entry in one transaction, or throws every error collected.
    func save(_ entity: String, detail: @escaping @Sendable (M) -> [String: String]) async throws -> M {
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let row = self.row
        let action = "\(entity).\(id == nil ? "create" : "update")"
        return try await req.audited { db in
            try await row.store(on: db)
            // Public pages show departments, windows and staff commitments.
            try await CatalogStore.bump(on: db)
            return (row, [AuditEvent(action, entity, id: row.id, center: row.centerID, detail: detail(row))])
        }
    }
}
