import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// What leave means for the hall (issue 23): the approved leave that covers a day, the day's
/// absences of registered staff, and what a window shows while its clerk is away.
extension LeaveService {
    /// The approved leave that covers `day` for the staff given.
    static func covering(_ center: UUID, day: CivilDate, on db: any Database) async throws -> [StaffLeaveModel] {
        try await StaffLeaveModel.query(on: db).filter(\.$centerID == center)
            .filter(\.$state ~~ [LeaveRules.State.approved.rawValue, LeaveRules.State.ended.rawValue])
            .filter(\.$fromDay <= day.description).filter(\.$toDay >= day.description).all()
            .filter { m in
                guard let state = LeaveRules.State(rawValue: m.state), let from = CivilDate(m.fromDay), let to = CivilDate(m.toDay) else {
                    return false
                }
                return LeaveRules.covers(state: state, from: from, to: to, returnedOn: m.returnedOn.flatMap(CivilDate.init), day: day)
            }
    }

    /// The day's absences: registered staff who neither signed in to a window nor were on leave.
    static func absences(_ center: UUID, day: CivilDate, req: Request) async throws -> Absences {
        let p = try req.requirePrincipal()
        try await req.scope().require(center)
        let cal = try await req.application.calendars.calendar(for: center, on: req.db)
        var postings = try await StaffPostingModel.query(on: req.db).filter(\.$centerID == center)
            .filter(\.$arrivedOn <= day.description).all()
            .filter { m in
                CivilDate(m.arrivedOn).map { StaffRecords.posted(arrived: $0, left: m.leftOn.flatMap(CivilDate.init), on: day) } ?? false
            }
        if p.role == .chiefRepresentative { postings = postings.filter { $0.departmentID == p.departmentID } }
        let expected = Array(Set(postings.map(\.staffID)))
        guard cal.isWorkingDay(day) else {
            return Absences(
                centerID: center, day: day.description, working: false, expected: expected.count, signedIn: 0, onLeave: 0, absent: [])
        }
        struct Row: Decodable {
            var staffID: UUID?
            enum CodingKeys: String, CodingKey { case staffID = "staff_id" }
        }
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let signed = Set(
            try await sql.raw(
                "SELECT DISTINCT staff_id FROM window_events WHERE center_id = \(bind: center) AND day = \(bind: day.description) AND kind = 'signin'"
            ).all(decoding: Row.self).compactMap(\.staffID))
        let leave = Set(try await covering(center, day: day, on: req.db).map(\.staffID))
        let absent = LeaveRules.absentees(expected: expected, signedIn: signed, onLeave: leave)
        var people: [UUID: StaffModel] = [:]
        if !absent.isEmpty { for s in try await StaffModel.query(on: req.db).filter(\.$id ~~ absent).all() { people[s.id!] = s } }
        let departments = try await DutyService.names([], departments: Set(people.values.compactMap(\.departmentID)), on: req.db)
            .departments
        return Absences(
            centerID: center, day: day.description, working: true, expected: expected.count,
            signedIn: expected.filter(signed.contains).count, onLeave: expected.filter(leave.contains).count,
            absent: absent.map { id in
                let s = people[id]
                return Absence(
                    staffID: id, name: s?.name ?? "", departmentID: s?.departmentID, department: s?.departmentID.flatMap { departments[$0] }
                )
            }.sorted { ($0.department ?? "", $0.name) < ($1.department ?? "", $1.name) })
    }

    /// What a window shows while its clerk is on approved leave today: who stands in, or that
    /// it is paused and why; nil when nobody of the window is away.
    static func windowNotice(_ window: UUID, center: UUID, req: Request) async throws -> String? {
        let today = HallClock.day(req.now)
        guard let m = try await covering(center, day: today, on: req.db).first(where: { $0.windowID == window }) else { return nil }
        let name = try await StaffModel.find(m.staffID, on: req.db)?.name ?? ""
        if let st = m.standInStaffID, let standIn = try await StaffModel.find(st, on: req.db)?.name {
            return req.t("leave.standIn", ["name": name, "standIn": standIn, "to": m.toDay])
        }
        return req.t("leave.windowPaused", ["name": name, "to": m.toDay])
    }
}
