import Foundation

/// A brand's commitments checked against its live figures (issue 22): the commitments that name
/// a measurable promise — a reply within so many hours or working days, a satisfaction rate, no
/// valid complaint — are read from their text and compared with what was measured; the others
/// are shown as not checked automatically.
public enum BrandCommitments {
    public enum Promise: Sendable, Equatable {
        /// Every order of the brand's hotline answered within this many hours.
        case replyHours(Int)
        /// … within this many working days.
        case replyWorkingDays(Int)
        /// The rating satisfaction of what the brand covers at least this share (0…1).
        case satisfaction(Double)
        /// No valid complaint.
        case noValidComplaint
    }

    /// The promise a commitment's text names, if any: "24 小时答复", "3 个工作日内回复",
    /// "满意率不低于 98%", "零投诉".
    public static func promise(_ text: String) -> Promise? {
        let t = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "％", with: "%")
        if let m = t.firstMatch(of: /(\d{1,3})(?:个)?小时(?:内)?(?:答复|回复|反馈|响应|办结)/), let n = Int(m.1), n > 0 {
            return .replyHours(n)
        }
        if let m = t.firstMatch(of: /(\d{1,2})(?:个)?工作日(?:内)?(?:答复|回复|反馈|办结)/), let n = Int(m.1), n > 0 {
            return .replyWorkingDays(n)
        }
        if let m = t.firstMatch(of: /满意(?:率|度)\D{0,6}?(\d{1,3}(?:\.\d+)?)%/), let v = Double(m.1), v > 0, v <= 100 {
            return .satisfaction(v / 100)
        }
        if t.contains("零投诉") || t.contains("无有效投诉") || t.contains("有效投诉为零") { return .noValidComplaint }
        return nil
    }

    /// What was measured over a period for the brand.
    public struct Measured: Sendable, Equatable {
        /// Hours from receipt to reply of each replied order of the brand's hotline.
        public var replyHours: [Double]
        /// Working days from receipt to reply, by the center's calendar, of the same orders.
        public var replyWorkingDays: [Int]
        /// Orders of the brand's hotline still unanswered, with the hours they have waited.
        public var waitingHours: [Double]
        public var satisfaction: Double?
        public var validComplaints: Int

        public init(
            replyHours: [Double] = [], replyWorkingDays: [Int] = [], waitingHours: [Double] = [], satisfaction: Double? = nil,
            validComplaints: Int = 0
        ) {
            (self.replyHours, self.replyWorkingDays, self.waitingHours, self.satisfaction, self.validComplaints) =
                (replyHours, replyWorkingDays, waitingHours, satisfaction, validComplaints)
        }
    }

    public enum Verdict: String, Sendable, Equatable {
        case met, missed
        /// Nothing to measure yet (no order, no rating).
        case noData = "no_data"
        /// The text names no measurable promise.
        case notChecked = "not_checked"
    }

    public struct Check: Sendable, Equatable {
        public var text: String
        public var verdict: Verdict
        /// For the page: kept / total (replies), or the rate, or the count.
        public var kept: Int
        public var total: Int
        public var rate: Double?

        public init(text: String, verdict: Verdict, kept: Int = 0, total: Int = 0, rate: Double? = nil) {
            (self.text, self.verdict, self.kept, self.total, self.rate) = (text, verdict, kept, total, rate)
        }
    }

    /// Each commitment with its verdict. A reply promise is missed when any order was answered
    /// late, or still waits past the promise.
    public static func check(_ commitments: [String], _ m: Measured) -> [Check] {
        commitments.map { text in
            guard let p = promise(text) else { return Check(text: text, verdict: .notChecked) }
            switch p {
            case .replyHours(let n):
                let late = m.replyHours.filter { $0 > Double(n) }.count + m.waitingHours.filter { $0 > Double(n) }.count
                let total = m.replyHours.count + m.waitingHours.filter { $0 > Double(n) }.count
                return total == 0
                    ? Check(text: text, verdict: .noData)
                    : Check(text: text, verdict: late == 0 ? .met : .missed, kept: total - late, total: total)
            case .replyWorkingDays(let n):
                let late = m.replyWorkingDays.filter { $0 > n }.count
                let total = m.replyWorkingDays.count
                return total == 0
                    ? Check(text: text, verdict: .noData)
                    : Check(text: text, verdict: late == 0 ? .met : .missed, kept: total - late, total: total)
            case .satisfaction(let target):
                guard let s = m.satisfaction else { return Check(text: text, verdict: .noData) }
                return Check(text: text, verdict: s + 1e-9 >= target ? .met : .missed, rate: s)
            case .noValidComplaint:
                return Check(text: text, verdict: m.validComplaints == 0 ? .met : .missed, total: m.validComplaints)
            }
        }
    }

    /// Whether a named brand goes under review: its commitments were missed in each of the last
    /// `months` months checked (oldest first), and every one of those months was checked.
    public static func dueForReview(monthsMissed: [Bool], months: Int) -> Bool {
        months > 0 && monthsMissed.count >= months && monthsMissed.suffix(months).allSatisfy { $0 }
    }
}
