import Fluent
import Foundation
import OneStopCore
import Vapor

/// 志愿服务台帐 (issue 23): who volunteered in the hall, when, doing what, for how many hours; each
/// service counts as the indicator 志愿服务人次 on its day.
extension HallRulesService {
    struct VolunteerInput: Content {
        var volunteer: String?
        var day: String?
        var activity: String?
        var hours: Double?
        var departmentID: UUID?
    }

    struct Volunteer: Content {
        var id: UUID
        var volunteer: String
        var day: String
        var activity: String
        var hours: Double
        var department: String?
        var recordedBy: String
    }

    struct Ledger: Content {
        var totalHours: Double
        var people: Int
        var entries: [Volunteer]
    }

    static func recordVolunteer(_ center: UUID, _ input: VolunteerInput, req: Request) async throws -> Volunteer {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        var v = Validator()
        let volunteer = v.text("volunteer", input.volunteer, max: 100, required: false)
        let activity = v.text("activity", input.activity, max: 500, required: false)
        let day = WindowStaffService.date(input.day, "day", required: true, &v)
        let tenths = input.hours.map(StaffRecords.tenths(hours:))
        for e in HallRules.volunteerProblems(
            volunteer: volunteer, day: day, today: HallClock.day(req.now), activity: activity, hoursTenths: tenths)
        {
            v.add(e.field, e.code)
        }
        var department: DepartmentModel?
        let asked = p.role == .chiefRepresentative ? p.departmentID : input.departmentID
        if let d = asked {
            department = try await DepartmentModel.find(d, on: req.db)
            if department?.centerID != center { v.add("departmentID", "invalidReference") }
        }
        guard v.errors.isEmpty, let day, let tenths else { throw ValidationFailure(v.errors) }
        let m = VolunteerServiceModel()
        m.id = UUID.timeOrdered()
        m.centerID = center
        m.departmentID = department?.id
        m.volunteer = volunteer
        m.day = day.description
        m.activity = activity
        m.hoursTenths = tenths
        m.recordedBy = p.displayName
        m.recordedAt = HallClock.millis(req.now)
        try await req.audited { db -> (Void, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                (),
                [
                    AuditEvent(
                        "hall.volunteer", "volunteer_service", id: m.id, center: center,
                        detail: ["day": m.day, "hours": StaffRecords.hoursText(tenths)])
                ]
            )
        }
        return Volunteer(
            id: m.id!, volunteer: volunteer, day: m.day, activity: activity, hours: Double(tenths) / 10, department: department?.name,
            recordedBy: m.recordedBy)
    }

    static func ledger(_ center: UUID, req: Request) async throws -> Ledger {
        try await req.scope().require(center)
        let rows = try await VolunteerServiceModel.query(on: req.db).filter(\.$centerID == center).sort(\.$day, .descending).limit(500)
            .all()
        let names = try await DutyService.names([], departments: Set(rows.compactMap(\.departmentID)), on: req.db).departments
        return Ledger(
            totalHours: Double(rows.reduce(0) { $0 + $1.hoursTenths }) / 10, people: Set(rows.map(\.volunteer)).count,
            entries: rows.map {
                Volunteer(
                    id: $0.id!, volunteer: $0.volunteer, day: $0.day, activity: $0.activity, hours: Double($0.hoursTenths) / 10,
                    department: $0.departmentID.flatMap { names[$0] }, recordedBy: $0.recordedBy)
            })
    }
}
