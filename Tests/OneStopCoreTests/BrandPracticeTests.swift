import Foundation
import Testing

@testable import OneStopCore

@Suite("Service brands: practice and selection weights")
struct BrandPracticeTests {
    func day(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("practice weeks run Monday to Sunday, clipped to the phase; a report after the week's last day is late, none at all missing")
    func weeks() {
        // 2026-09-02 is a Wednesday; 2026-09-30 a Wednesday.
        let weeks = BrandPractice.weeks(from: day("2026-09-02"), to: day("2026-09-30"))
        #expect(weeks.map(\.key) == ["2026-09-02", "2026-09-07", "2026-09-14", "2026-09-21", "2026-09-28"])
        #expect(weeks.first?.end == day("2026-09-06") && weeks.last?.end == day("2026-09-30"))
        #expect(BrandPractice.weeks(from: day("2026-09-30"), to: day("2026-09-01")).isEmpty)
        #expect(BrandPractice.week(of: day("2026-09-16"), from: day("2026-09-02"), to: day("2026-09-30"))?.key == "2026-09-14")
        #expect(BrandPractice.week(of: day("2026-10-01"), from: day("2026-09-02"), to: day("2026-09-30")) == nil)
        let w = weeks[1]
        #expect(BrandPractice.status(w, filedOn: day("2026-09-13"), today: day("2026-09-20")) == .onTime)
        #expect(BrandPractice.status(w, filedOn: day("2026-09-14"), today: day("2026-09-20")) == .late)
        #expect(BrandPractice.status(w, filedOn: nil, today: day("2026-09-13")) == .open)
        #expect(BrandPractice.status(w, filedOn: nil, today: day("2026-09-14")) == .missing)
        let tally = BrandPractice.tally(
            weeks: weeks, filed: ["2026-09-02": day("2026-09-04"), "2026-09-14": day("2026-09-22")], today: day("2026-09-23"))
        #expect(tally == .init(onTime: 1, late: 1, missing: 1), "the week of the 21st is still open")
        let due = BrandPractice.remindersDue(
            weeks: weeks, filed: ["2026-09-02"], reminded: ["2026-09-07"], today: day("2026-09-23"))
        #expect(due.map(\.key) == ["2026-09-14"], "each missing week is reminded of once")
    }

    @Test("an inspection names its inspectors, finds on a standard, is not dated ahead, and gives each problem a later deadline")
    func inspection() {
        let today = day("2026-09-21")
        let problems = BrandPractice.inspectionProblems(
            day: day("2026-09-22"), today: today, inspectors: " ", findings: [.culture: " "],
            problems: [.init(text: "", deadline: day("2026-09-22"))])
        #expect(
            Set(problems.map { "\($0.field) \($0.code)" }) == [
                "day brand.inFuture", "inspectors required", "findings brand.needsFinding", "problems.0.text required",
                "problems.0.deadline brand.deadlineAfter",
            ])
        #expect(
            BrandPractice.inspectionProblems(
                day: today, today: today, inspectors: "督查组", findings: [.system: "服务承诺上墙"],
                problems: [.init(text: "补齐承诺", deadline: day("2026-10-21"))]
            ).isEmpty)
    }

    @Test("the weights read with defaults, refuse what is out of range, and the survey reads 1–5 as 0–100")
    func weights() throws {
        let w = try JSONDecoder().decode(BrandSelection.Weights.self, from: Data(#"{"expert":0.7}"#.utf8))
        #expect(w.expert == 0.7 && w.social.surveyWeight == 1 && w.dropFrom == 5)
        let round = try JSONDecoder().decode(BrandSelection.Weights.self, from: try JSONEncoder().encode(w))
        #expect(round == w)
        #expect(w.problems.isEmpty)
        let bad = BrandSelection.Weights(expert: 1.5, social: .init(surveyWeight: 0, ratingWeight: 0, complaintPenalty: -1), dropFrom: 2)
        #expect(bad.problems.map(\.field) == ["weights.expert", "weights.survey", "weights.complaintPenalty", "weights.dropFrom"])
        #expect(BrandSelection.surveyScore([5, 4]) == 87.5)
        #expect(BrandSelection.surveyScore([1, 9]) == 0, "an answer off the scale does not count")
        #expect(BrandSelection.surveyScore([]) == nil)
    }
}

@Suite("Service brands: commitments against figures")
struct BrandCommitmentTests {
    @Test("measurable promises are read from the text; the others are not checked")
    func promises() {
        #expect(BrandCommitments.promise("咨询 24 小时答复") == .replyHours(24))
        #expect(BrandCommitments.promise("来电 2 小时内响应") == .replyHours(2))
        #expect(BrandCommitments.promise("投诉 3 个工作日内回复") == .replyWorkingDays(3))
        #expect(BrandCommitments.promise("群众满意率不低于 98％") == .satisfaction(0.98))
        #expect(BrandCommitments.promise("争创零投诉窗口") == .noValidComplaint)
        #expect(BrandCommitments.promise("材料齐全当场受理") == nil)
    }

    @Test("a reply promise is missed by one late or overdue order; a rate and zero complaints compare; no data is said so")
    func checks() {
        let commitments = ["咨询 24 小时答复", "3 个工作日内回复", "满意率不低于 95%", "零投诉", "热情服务"]
        var m = BrandCommitments.Measured(
            replyHours: [2, 20], replyWorkingDays: [1, 2], waitingHours: [30], satisfaction: 0.96, validComplaints: 0)
        var c = BrandCommitments.check(commitments, m)
        #expect(c.map(\.verdict) == [.missed, .met, .met, .met, .notChecked])
        #expect(c[0].kept == 2 && c[0].total == 3, "the order waiting 30 hours counts against the promise")
        m.waitingHours = [5]
        m.satisfaction = 0.9
        m.validComplaints = 2
        c = BrandCommitments.check(commitments, m)
        #expect(c.map(\.verdict) == [.met, .met, .missed, .missed, .notChecked])
        c = BrandCommitments.check(commitments, .init())
        #expect(c.map(\.verdict) == [.noData, .noData, .noData, .met, .notChecked])
        #expect(BrandCommitments.dueForReview(monthsMissed: [false, true, true, true], months: 3))
        #expect(!BrandCommitments.dueForReview(monthsMissed: [true, false, true], months: 3))
        #expect(!BrandCommitments.dueForReview(monthsMissed: [true, true], months: 3), "not enough months checked")
    }
}
