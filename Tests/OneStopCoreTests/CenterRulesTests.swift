import Foundation
import Testing

@testable import OneStopCore

/// The rules of running the center (issue 23): the rota, the patrol day, leave and its cover, the
/// staff register.
@Suite("Center rules")
struct CenterRulesTests {
    let monday = CivilDate("2026-09-21")!

    @Test("a change of the rota: one day once, not gone by, working days only, a swap with its reason")
    func rota() {
        let a = UUID()
        let weekday: (CivilDate) -> Bool = { $0.weekday <= 5 }
        #expect(
            DutyRules.rotaProblems([.init(day: monday, leader: a, floor: [])], today: monday, working: weekday, swaps: false, reason: "")
                .isEmpty)
        let codes = DutyRules.rotaProblems(
            [
                .init(day: monday.adding(days: -3), leader: a, floor: []), .init(day: monday.adding(days: 5), leader: a, floor: []),
                .init(day: monday.adding(days: 5), leader: nil, floor: []), .init(day: monday.adding(days: 1), leader: nil, floor: [a, a]),
            ], today: monday, working: weekday, swaps: true, reason: " "
        ).map { "\($0.field):\($0.code)" }
        #expect(
            codes == [
                "rota.0.day:duty.pastDay", "rota.1.day:duty.notWorkingDay", "rota.2.day:duty.duplicate", "rota.3.floor:duty.duplicate",
                "reason:duty.swapReason",
            ])
        // Clearing a day off is allowed; more than 62 days at once is not.
        #expect(
            DutyRules.rotaProblems(
                [.init(day: monday.adding(days: 5), leader: nil, floor: [])], today: monday, working: weekday, swaps: false, reason: ""
            ).isEmpty)
        let far = DutyRules.rotaProblems(
            [.init(day: monday, leader: a, floor: []), .init(day: monday.adding(days: 63), leader: a, floor: [])], today: monday,
            working: { _ in true }, swaps: false, reason: "")
        #expect(far.map(\.code) == ["duty.tooManyDays"])
        #expect(DutyRules.rotaProblems([], today: monday, working: weekday, swaps: false, reason: "").map(\.code) == ["required"])
    }

    @Test("a day's patrols: complete at the number required, short once the day is over, open today, nothing on a day off")
    func patrolDay() {
        #expect(DutyRules.status(day: monday, today: monday, working: true, patrols: 2, required: 2) == .complete)
        #expect(DutyRules.status(day: monday, today: monday, working: true, patrols: 1, required: 2) == .open)
        #expect(DutyRules.status(day: monday, today: monday.adding(days: 1), working: true, patrols: 1, required: 2) == .short)
        #expect(DutyRules.status(day: monday, today: monday.adding(days: 1), working: false, patrols: 0, required: 2) == .off)
        #expect(DutyRules.status(day: monday.adding(days: 1), today: monday, working: true, patrols: 0, required: 2) == .upcoming)
        #expect(
            DutyRules.status(day: monday, today: monday.adding(days: 1), working: true, patrols: 0, required: 2, planned: false)
                == .unplanned)
        #expect(DutyRules.closeProblems(rectification: "  ").map(\.code) == ["patrol.rectificationRequired"])
        #expect(DutyRules.closeProblems(rectification: "已整改").isEmpty)
    }

    @Test("leave: a reason, an end after the start, at most 90 days, at most 7 days back, no overlap; what it covers once ended")
    func leave() {
        #expect(LeaveRules.requestProblems(from: monday, to: monday, today: monday, reason: "病", overlaps: false).isEmpty)
        let codes = LeaveRules.requestProblems(
            from: monday.adding(days: -8), to: monday.adding(days: -9), today: monday, reason: "", overlaps: true
        ).map(\.code)
        #expect(codes == ["required", "leave.endsBeforeStart", "leave.tooFarBack", "leave.overlap"])
        #expect(
            LeaveRules.requestProblems(from: monday, to: monday.adding(days: 90), today: monday, reason: "x", overlaps: false).map(\.code)
                == [
                    "leave.tooLong"
                ])
        #expect(LeaveRules.overlap((monday, monday.adding(days: 2)), (monday.adding(days: 2), monday.adding(days: 4))))
        #expect(!LeaveRules.overlap((monday, monday.adding(days: 1)), (monday.adding(days: 2), monday.adding(days: 4))))
        let (from, to) = (monday, monday.adding(days: 2))
        #expect(LeaveRules.covers(state: .approved, from: from, to: to, returnedOn: nil, day: to))
        #expect(!LeaveRules.covers(state: .requested, from: from, to: to, returnedOn: nil, day: from))
        // Back on the second day: the first day stays covered, the second and third don't.
        let back = monday.adding(days: 1)
        #expect(LeaveRules.covers(state: .ended, from: from, to: to, returnedOn: back, day: from))
        #expect(!LeaveRules.covers(state: .ended, from: from, to: to, returnedOn: back, day: back))
        #expect(!LeaveRules.covers(state: .ended, from: from, to: to, returnedOn: from, day: from))
        #expect(LeaveRules.absentees(expected: [1, 2, 3, 4], signedIn: [1], onLeave: [3]) == [2, 4])
        #expect(
            LeaveRules.mayDecide(.requested) && !LeaveRules.mayDecide(.approved) && LeaveRules.mayEnd(.approved)
                && !LeaveRules.mayEnd(.ended))
    }

    @Test("the register: a post, leaving not before arriving; hours as typed in tenths, within 0.5–200")
    func register() {
        #expect(
            StaffRecords.postingProblems(arrived: monday, left: monday.adding(days: -1), post: "").map(\.code) == [
                "required", "staff.leftBeforeArrival",
            ])
        #expect(StaffRecords.posted(arrived: monday, left: nil, on: monday.adding(days: 400)))
        #expect(!StaffRecords.posted(arrived: monday, left: monday, on: monday.adding(days: 1)))
        #expect(!StaffRecords.posted(arrived: monday, left: nil, on: monday.adding(days: -1)))
        #expect(StaffRecords.tenths("2") == 20 && StaffRecords.tenths("1.5") == 15 && StaffRecords.tenths(" 0.5 ") == 5)
        #expect(
            StaffRecords.tenths("1.25") == nil && StaffRecords.tenths("abc") == nil && StaffRecords.tenths("-1") == nil
                && StaffRecords.tenths("") == nil)
        #expect(StaffRecords.tenths("922337203685477580") == nil, "too many digits, not a trap")
        #expect(StaffRecords.hoursText(25) == "2.5" && StaffRecords.hoursText(30) == "3")
        #expect(StaffRecords.tenths(hours: 2.5) == 25 && StaffRecords.tenths(hours: 1e300) == -1 && StaffRecords.tenths(hours: .nan) == -1)
        #expect(StaffRecords.trainingProblems(course: "礼仪", hoursTenths: 4, day: monday, today: monday).map(\.code) == ["staff.hoursRange"])
        #expect(
            StaffRecords.trainingProblems(course: "", hoursTenths: nil, day: monday.adding(days: 1), today: monday).map(\.code) == [
                "required", "required", "staff.future",
            ])
    }
}

@Suite("Admission rules")
struct AdmissionRulesTests {
    @Test("an item's change since the admission: the version then against the version now, days cut and materials dropped")
    func change() {
        let d = { CivilDate($0)! }
        let versions = [
            AdmissionRules.Version(
                version: 1, day: d("2025-01-10"), legalDays: 20, promisedDays: 15, materials: ["申请书", "身份证", "章程", "租赁合同"]),
            AdmissionRules.Version(version: 2, day: d("2025-06-01"), legalDays: 20, promisedDays: 10, materials: ["申请书", "身份证", "章程"]),
            AdmissionRules.Version(version: 3, day: d("2026-03-01"), legalDays: 20, promisedDays: 3, materials: ["申请书", "身份证", "承诺书"]),
        ]
        let since = AdmissionRules.change(versions, since: d("2025-07-01"))!
        #expect(since.base.version == 2 && since.now.version == 3 && since.daysCut == 7)
        #expect(since.materialsDropped == ["章程"] && since.materialsAdded == ["承诺书"])
        let all = AdmissionRules.change(versions, since: nil)!
        #expect(all.daysCut == 12 && all.materialsDropped == ["章程", "租赁合同"])
        #expect(AdmissionRules.change(versions, since: d("2020-01-01"))!.base.version == 1, "admitted before its first version")
        var t = AdmissionRules.Tally()
        t.add(since)
        t.add(all)
        #expect(t.items == 2 && t.itemsCut == 2 && t.daysCut == 19 && t.materialsDropped == 1)
        #expect(AdmissionRules.change([], since: nil) == nil)
        #expect(
            AdmissionRules.requestProblems(items: ["A", "A"], entrusted: ["B"], unknown: ["A"]).map(\.code) == [
                "duty.duplicate", "invalidReference", "admission.entrustedNotAdmitted",
            ])
    }
}
