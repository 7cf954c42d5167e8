import Fluent
import Foundation
import OneStopCore
import Vapor

/// Marking a case 特事特办 (or clearing the mark): who may move the case may mark it; audited.
enum CaseSpecial {
    static func mark(_ id: UUID, _ input: SpecialInput, req: Request) async throws -> CaseModel {
        let scope = try await req.scope()
        guard let first = try await CaseModel.find(id, on: req.db), CaseAccess.staffMay(scope, see: first) else {
            throw Abort(.notFound)
        }
        let (kind, reason) = try SpecialHandling.validate(kind: input.special, reason: input.reason).get()
        if kind != nil, reason.isEmpty { throw ValidationFailure([FieldError("reason", "required")]) }
        return try await req.audited { db in
            guard let c = try await CaseModel.find(id, on: db) else { throw Abort(.notFound) }
            c.special = kind?.rawValue
            c.specialReason = kind == nil ? nil : reason
            c.updatedAt = HallClock.millis(req.now)
            try await c.save(on: db)
            var detail = ["number": c.number, "special": kind?.rawValue ?? ""]
            if !reason.isEmpty { detail["reason"] = reason }
            return (c, [AuditEvent("case.special", "case", id: c.id, center: c.centerID, detail: detail)])
        }
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "cases", ":id", "special", access: CaseAccess.handlers,
            operation: .init(
                id: "markCaseSpecial", summary: "Mark a case 特事特办 (elderly, disabled, non_local, key_project) with a reason, or clear it",
                tag: "Cases", request: "SpecialInput", response: "Case")
        ) { req -> CaseDTO in
            let c = try await mark(try req.uuid("id"), try req.content.decode(SpecialInput.self), req: req)
            return try await CaseService.dto(c, unmasked: false, req: req)
        }
    }
}
