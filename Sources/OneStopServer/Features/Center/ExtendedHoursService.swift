import Fluent
import Foundation
import OneStopCore
import Vapor

/// 延时服务 (issue 23): a service group may offer extended hours — the lunch break and after
/// closing on working days, mornings on ordinary weekends (`SlotPlan.extended`, `.weekend`). Anyone
/// books such a slot as an appointment (`AppointmentService`); the center, or the group's
/// department, assigns each booking to a member of staff, who serves it when the visitor checks in.
enum ExtendedHoursService {
    static let handlers = Access.only(.centerAdmin, .chiefRepresentative)
    static let readers = Access.only(.centerAdmin, .chiefRepresentative, .supervisor)

    struct AssignInput: Content {
        var staffID: UUID?
    }

    enum Outcome {
        case done(AppointmentModel)
        case closed
    }

    /// The extended-hours bookings from today on, soonest first; a department's chief sees those of
    /// the department's groups.
    static func list(_ center: UUID, req: Request) async throws -> [AppointmentDTO] {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        let hall = try await req.application.halls.config(for: center, on: req.db)
        let today = HallClock.day(req.now).description
        var rows = try await AppointmentModel.query(on: req.db).filter(\.$centerID == center).filter(\.$extended == true)
            .filter(\.$day >= today).sort(\.$day).sort(\.$slotStart).limit(500).all()
        if p.role == .chiefRepresentative {
            rows = rows.filter { hall.group($0.groupID)?.departmentID == p.departmentID }
        }
        return try await dtos(rows, hall: hall, on: req.db)
    }

    static func dtos(_ rows: [AppointmentModel], hall: HallConfig, on db: any Database) async throws -> [AppointmentDTO] {
        let ids = Set(rows.compactMap(\.staffID))
        let staff = ids.isEmpty ? [] : try await StaffModel.query(on: db).filter(\.$id ~~ ids).all()
        let names = Dictionary(staff.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        return rows.map { AppointmentDTO($0, hall: hall, staffName: $0.staffID.flatMap { names[$0] }) }
    }

    /// Assigns a booking of extended hours, not yet served, to a member of the center's staff (of
    /// the chief's department, for a chief); again to reassign it.
    static func assign(_ id: UUID, _ input: AssignInput, req: Request) async throws -> AppointmentDTO {
        let p = try req.requirePrincipal()
        guard let a = try await AppointmentModel.find(id, on: req.db), a.extended else { throw Abort(.notFound) }
        try await req.scope().require(a.centerID)
        let hall = try await req.application.halls.config(for: a.centerID, on: req.db)
        if p.role == .chiefRepresentative, hall.group(a.groupID)?.departmentID != p.departmentID { throw Abort(.forbidden) }
        var v = Validator()
        if let s = input.staffID {
            let staff = try await StaffModel.find(s, on: req.db)
            if staff?.centerID != a.centerID || (p.role == .chiefRepresentative && staff?.departmentID != p.departmentID) {
                v.add("staffID", "invalidReference")
            }
        } else {
            v.add("staffID", "required")
        }
        guard v.errors.isEmpty, let staffID = input.staffID else { throw ValidationFailure(v.errors) }
        let today = HallClock.day(req.now).description
        let outcome = try await req.audited { db -> (Outcome, [AuditEvent]) in
            guard let fresh = try await AppointmentModel.find(id, on: db), fresh.state == "booked", fresh.day >= today else {
                return (.closed, [])
            }
            fresh.staffID = staffID
            try await fresh.storeChanges(on: db)
            return (
                .done(fresh),
                [
                    AuditEvent(
                        "appointment.assign", "appointment", id: id, center: fresh.centerID,
                        detail: ["staff": staffID.uuidString, "day": fresh.day])
                ]
            )
        }
        switch outcome {
        case .closed: throw Abort(.conflict, reason: req.t("extended.closed"))
        case .done(let m): return try await dtos([m], hall: hall, on: req.db)[0]
        }
    }

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "extended-bookings", access: readers,
            operation: .init(
                id: "listExtendedBookings",
                summary: "The center's bookings of extended hours (延时服务) from today on, soonest first, with the staff assigned",
                tag: "Center", response: "Appointment", responseIsList: true)
        ) { req in try await list(try req.uuid("id"), req: req) }
        api.endpoint(
            .POST, "extended-bookings", ":id", "assign", access: handlers,
            operation: .init(
                id: "assignExtendedBooking",
                summary: "Assigns a booking of extended hours, not yet served, to a member of staff (again to reassign it)", tag: "Center",
                request: "ExtendedBookingAssign", response: "Appointment")
        ) { req in try await assign(try req.uuid("id"), try req.content.decode(AssignInput.self), req: req) }
    }

    static let schemas: [String: JSONValue] = [
        "ExtendedBookingAssign": OpenAPISchemas.object(["staffID": OpenAPISchemas.uuid], required: ["staffID"])
    ]
}
