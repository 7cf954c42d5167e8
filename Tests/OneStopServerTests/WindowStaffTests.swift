import Fluent
import Foundation
import OneStopCore
import SQLKit
import Testing
import Vapor
import VaporTesting

@testable import OneStopServer

/// Window staff (issue 23): the register of who a department sent, their training and
/// appraisals, their leave from request to return, and the day's absences.
@Suite("Window staff and leave")
struct WindowStaffTests {
    struct Posting: Decodable { var staffID: UUID; var name: String; var trainingHours: Double; var latestGrade: String? }
    struct Leave: Decodable {
        var id: UUID
        var state: String
        var reason: String?
        var standIn: String?
        var returnedOn: String?
    }
    struct Absence: Decodable { var staffID: UUID; var name: String }
    struct Absences: Decodable { var working: Bool; var expected: Int; var signedIn: Int; var onLeave: Int; var absent: [Absence] }
    struct Made: Decodable { var id: UUID }

    struct Staffed {
        let d: WorkOrderTests.Desk
        let zhao: UUID
        let qian: UUID
        let clerk: String
        let window: UUID
        let windowNumber: Int

        static func open(_ t: TestContext) async throws -> Staffed {
            let d = try await WorkOrderTests.Desk.open(t)
            func staff(_ name: String, _ job: String) async throws -> UUID {
                let res = try await t.send(
                    .POST, "/api/v1/staff", token: d.admin,
                    json: [
                        "centerID": d.county.uuidString, "departmentID": d.scjg.uuidString, "name": name, "jobNumber": job, "post": "受理员",
                    ])
                #expect(res.status == .created, "\(res.body.string)")
                return try res.content.decode(Made.self).id
            }
            let zhao = try await staff("赵敏", "SC901")
            let qian = try await staff("钱多", "SC902")
            let user = try await t.send(
                .POST, "/api/v1/users", token: d.admin,
                json: [
                    "username": "zhaomin", "displayName": "赵敏", "password": "Clerk-Pass-2026", "role": "window_staff",
                    "centerID": d.county.uuidString, "staffID": zhao.uuidString,
                ])
            #expect(user.status == .created, "\(user.body.string)")
            let w = try await WindowModel.query(on: t.app.db).filter(\.$centerID == d.county).filter(\.$departmentID == d.scjg).first()!
            return Staffed(
                d: d, zhao: zhao, qian: qian, clerk: try await t.login("zhaomin", "Clerk-Pass-2026"), window: try w.requireID(),
                windowNumber: w.number)
        }
    }

    @Test(
        "the register: a department registers its own staff only, with training and one appraisal per side and period",
        arguments: TestDB.available)
    func register(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let s = try await Staffed.open(t)
            let path = "/api/v1/staff/\(s.zhao)/postings"
            var res = try await t.send(
                .POST, path, token: s.d.chief, json: ["post": "受理员", "arrivedOn": "2026-09-01", "leftOn": "2026-08-01"])
            #expect(
                Set(res.problem?.errors?.map { "\($0.field):\($0.code)" } ?? []) == [
                    "selection:required", "leftOn:staff.leftBeforeArrival",
                ], "\(res.body.string)")
            res = try await t.send(
                .POST, path, token: s.d.otherChief, json: ["selection": "assigned", "post": "受理员", "arrivedOn": "2026-09-01"])
            #expect(res.status == .forbidden, "another department's staff")
            for id in [s.zhao, s.qian] {
                res = try await t.send(
                    .POST, "/api/v1/staff/\(id)/postings", token: s.d.chief,
                    json: ["selection": "assigned", "post": "综合受理", "arrivedOn": "2026-09-01"])
                #expect(res.status == .created, "\(res.body.string)")
            }
            res = try await t.send(
                .POST, "/api/v1/staff/\(s.zhao)/trainings", token: s.d.chief,
                json: TrainingIn(day: "2026-09-10", course: "文明礼仪", hours: 0.2, outcome: ""))
            #expect(res.problem?.errors?.map(\.code) == ["staff.hoursRange"])
            res = try await t.send(
                .POST, "/api/v1/staff/\(s.zhao)/trainings", token: s.d.chief,
                json: TrainingIn(day: "2026-09-10", course: "文明礼仪与一次性告知", hours: 2.5, outcome: "合格"))
            #expect(res.status == .created, "\(res.body.string)")
            let appraise = "/api/v1/staff/\(s.zhao)/appraisals"
            res = try await t.send(.POST, appraise, token: s.d.chief, json: ["period": "month:2026-09", "grade": "excellent"])
            #expect(res.problem?.errors?.map(\.code) == ["staff.period"])
            res = try await t.send(
                .POST, appraise, token: s.d.chief, json: ["period": "quarter:2026-Q3", "grade": "excellent", "comment": "业务熟练"])
            #expect(res.status == .created, "\(res.body.string)")
            res = try await t.send(.POST, appraise, token: s.d.chief, json: ["period": "quarter:2026-Q3", "grade": "competent"])
            #expect(res.status == .conflict, "one appraisal by the department a period")
            res = try await t.send(.POST, appraise, token: s.d.admin, json: ["period": "quarter:2026-Q3", "grade": "competent"])
            #expect(res.status == .created, "the center appraises too")

            let mine = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/window-staff", token: s.d.chief).decoded([Posting].self)
            #expect(Set(mine.map(\.name)) == ["赵敏", "钱多"])
            #expect(mine.first { $0.staffID == s.zhao }?.trainingHours == 2.5)
            let theirs = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/window-staff", token: s.d.otherChief).decoded([Posting].self)
            #expect(theirs.isEmpty)
            // The day they left closes the open posting.
            res = try await t.send(
                .POST, path, token: s.d.chief,
                json: ["selection": "assigned", "post": "综合受理", "arrivedOn": "2026-09-01", "leftOn": "2026-09-20"])
            #expect(res.status == .created)
            #expect(try await StaffPostingModel.query(on: t.app.db).filter(\.$staffID == s.zhao).count() == 1)
            #expect(
                try await AuditEntryModel.query(on: t.app.db).filter(
                    \.$action ~~ ["staff.register", "staff.posting", "staff.training", "staff.appraisal"]
                ).count() == 6)
        }
    }

    struct TrainingIn: Encodable { var day: String; var course: String; var hours: Double; var outcome: String }
    struct LeaveIn: Encodable {
        var kind = "sick"
        var from: String
        var to: String
        var reason = "发热就医"
        var windowID: UUID? = nil
        var standInStaffID: UUID? = nil
    }

    @Test(
        "leave: asked for, refused to overlap, decided once by the department, shown on the window, ended on return; the day's absences",
        arguments: TestDB.available)
    func leave(db: TestDB) async throws {
        try await withOneStop(db) { t in
            let s = try await Staffed.open(t)
            for id in [s.zhao, s.qian] {
                let res = try await t.send(
                    .POST, "/api/v1/staff/\(id)/postings", token: s.d.admin,
                    json: ["selection": "assigned", "post": "受理员", "arrivedOn": "2026-09-01"])
                #expect(res.status == .created)
            }
            // The clerk asks for their own leave; not for someone else's.
            var res = try await t.send(
                .POST, "/api/v1/staff/\(s.qian)/leaves", token: s.clerk, json: LeaveIn(from: "2026-09-22", to: "2026-09-22"))
            #expect(res.status == .forbidden)
            res = try await t.send(
                .POST, "/api/v1/staff/\(s.zhao)/leaves", token: s.clerk,
                json: LeaveIn(from: "2026-09-22", to: "2026-09-21", reason: " "))
            #expect(Set(res.problem?.errors?.map(\.code) ?? []) == ["required", "leave.endsBeforeStart"], "\(res.body.string)")
            let asked = try await t.send(
                .POST, "/api/v1/staff/\(s.zhao)/leaves", token: s.clerk,
                json: LeaveIn(from: "2026-09-22", to: "2026-09-24", windowID: s.window, standInStaffID: s.qian)
            ).decoded(Leave.self)
            #expect(asked.state == "requested" && asked.reason == "发热就医" && asked.standIn == "钱多")
            res = try await t.send(
                .POST, "/api/v1/staff/\(s.zhao)/leaves", token: s.d.chief,
                json: LeaveIn(kind: "personal", from: "2026-09-24", to: "2026-09-25"))
            #expect(res.problem?.errors?.map(\.code) == ["leave.overlap"], "\(res.body.string)")
            // The reason is sealed at rest and shown to the person and their chief representative only.
            struct Raw: Decodable { var reason: String }
            let raw = try await (t.app.db as! any SQLDatabase).raw("SELECT reason FROM staff_leaves").first(decoding: Raw.self)
            #expect(raw?.reason.contains("发热") == false)
            let seen = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/leaves", token: s.d.supervisor).decoded([Leave].self)
            #expect(seen.map(\.reason) == [nil])

            let decide = "/api/v1/leaves/\(asked.id)/decision"
            res = try await t.send(.POST, decide, token: s.d.otherChief, json: ["approve": true])
            #expect(res.status == .forbidden)
            res = try await t.send(.POST, decide, token: s.d.chief, json: DecisionIn(approve: false))
            #expect(res.problem?.errors?.map(\.code) == ["leave.refusalReason"])
            res = try await t.send(.POST, decide, token: s.d.chief, json: DecisionIn(approve: true, note: "注意休息"))
            #expect(try res.decoded(Leave.self).state == "approved")
            res = try await t.send(.POST, decide, token: s.d.chief, json: DecisionIn(approve: true))
            #expect(res.status == .conflict)

            // Monday: the clerk signs in; 钱多 neither signs in nor is on leave.
            let signIn = try await t.send(.POST, "/api/v1/windows/\(s.window)/sign-in", token: s.clerk)
            #expect(signIn.status == .ok, "\(signIn.body.string)")
            var absences = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/absences", token: s.d.chief).decoded(Absences.self)
            #expect(absences.expected == 2 && absences.signedIn == 1 && absences.absent.map(\.name) == ["钱多"])

            // Tuesday: 赵敏 is on leave and the window says who stands in.
            t.clock.advance(86_400)
            let screen = try await t.send(.GET, "/hall/DL010200/window/\(s.windowNumber)")
            #expect(screen.body.string.contains("赵敏 请假至 2026-09-24，由 钱多 顶岗"), "\(screen.body.string.prefix(600))")
            let chief = try await t.login("chief_scjg", "Order-Pass-2026")
            absences = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/absences?day=2026-09-22", token: chief).decoded(Absences.self)
            #expect(absences.onLeave == 1 && absences.absent.map(\.name) == ["钱多"])
            res = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/absences?day=2026-09-30", token: chief)
            #expect(res.problem?.errors?.map(\.code) == ["staff.future"])

            // Wednesday: back a day early; the leave covers Tuesday only, and ends once.
            t.clock.advance(86_400)
            let clerk = try await t.login("zhaomin", "Clerk-Pass-2026")
            let ended = try await t.send(.POST, "/api/v1/leaves/\(asked.id)/end", token: clerk, json: [String: String]()).decoded(
                Leave.self)
            #expect(ended.state == "ended" && ended.returnedOn == "2026-09-23")
            res = try await t.send(.POST, "/api/v1/leaves/\(asked.id)/end", token: clerk, json: [String: String]())
            #expect(res.status == .conflict)
            let chief3 = try await t.login("chief_scjg", "Order-Pass-2026")
            absences = try await t.send(.GET, "/api/v1/centers/\(s.d.county)/absences?day=2026-09-23", token: chief3).decoded(Absences.self)
            #expect(absences.onLeave == 0 && Set(absences.absent.map(\.name)) == ["赵敏", "钱多"])
            let after = try await t.send(.GET, "/hall/DL010200/window/\(s.windowNumber)")
            #expect(!after.body.string.contains("顶岗"))
        }
    }

    struct DecisionIn: Encodable { var approve: Bool; var note: String? = nil }
}
