import Fluent
import Foundation
import OneStopCore
import Vapor

/// The co-department tasks of a joint case on its page: the rows, and the forms to give and complete them.
extension CasePages {
    struct TaskRow: Encodable {
        var id: String
        var seq: Int
        var department: String
        var title: String
        var dueOn: String
        var done: Bool
        var doneBy: String
        var note: String
        var canComplete: Bool
    }

    /// The center's other departments, when the caller may give this joint case a task now.
    static func taskDepartments(_ c: CaseModel, state: CaseState, principal p: Principal, req: Request) async throws -> [FormView.Option] {
        guard c.caseType == CaseType.joint.rawValue, [.accepted, .underReview].contains(state), CaseAccess.handlers.admits(p.role),
            CaseAccess.staffMay(try await req.scope(), see: c)
        else { return [] }
        return try await DepartmentModel.query(on: req.db).filter(\.$centerID == c.centerID).filter(\.$id != c.departmentID).sort(\.$code)
            .all().map { .init(value: $0.id!.uuidString, label: $0.name, selected: false) }
    }

    /// Giving a co-department a task, or completing one, from the case page.
    static func taskForm(_ req: Request, complete: Bool) async throws -> Response {
        let id = try req.uuid("id")
        let f = try req.content.decode([String: String].self)
        do {
            if complete {
                guard let task = req.parameters.get("task").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
                _ = try await CaseTasks.complete(id, task, CaseTaskInput(note: f["note"]), req: req)
            } else {
                _ = try await CaseTasks.add(
                    id,
                    CaseTaskInput(
                        departmentID: f["departmentID"].flatMap(UUID.init(uuidString:)), title: f["title"],
                        days: f["days"].flatMap { Int($0) }),
                    req: req)
            }
            req.flash(req.t("card.saved"))
            return req.redirect(to: "/cases/\(id)")
        } catch {
            guard let shown = messages(error, req) else { throw error }
            return try await show(
                req, id: id, errors: shown, message: nil, status: error is ValidationFailure ? .unprocessableEntity : .forbidden)
        }
    }
}
