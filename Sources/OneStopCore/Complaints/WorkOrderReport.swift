/// The report of 接诉即办 per department and period (issue 20), counted from the orders' history:
/// every step is written once with what came of it (`outcome`), so a period's figures are the
/// steps taken in it.
extension WorkOrderFigures {
    /// What a follower's step is marked with: a merged order shares its primary's handling, and
    /// the primary's step is the one that counts.
    public static let followerOutcome = "merged"

    /// Counts `times` steps of one action and outcome; `orders` is how many distinct orders they
    /// concern (a department's "received" is the orders dispatched to it, each once, however often
    /// it was dispatched; the center's is the orders taken in).
    public mutating func count(action: String, outcome: String, times n: Int = 1, orders: Int? = nil) {
        if outcome == Self.followerOutcome { return }
        let parts = Set(outcome.split(separator: ",").map(String.init))
        switch action {
        case "create", "answer":
            if action == "create" { received += n }
        case "dispatch":
            dispatched += n
            received += orders ?? n
        case "sign":
            if parts.contains("in_time") { signedInTime += n }
        case "return":
            returned += n
        case "reply":
            replied += n
            if parts.contains("in_time") { repliedInTime += n }
        case "call_back":
            guard !parts.contains("not_reached"), !parts.isEmpty else { return }
            callBacks += n
            if parts.contains("solved") { solved += n }
            if parts.contains(WorkOrderSatisfaction.satisfied.rawValue) || parts.contains(WorkOrderSatisfaction.basically.rawValue) {
                satisfied += n
            }
            // A dissatisfied or unsolved call-back reopens the order (重办).
            if parts.contains(WorkOrderSatisfaction.dissatisfied.rawValue) || parts.contains("unsolved") { reopened += n }
        case "reopen":
            reopened += n
        case "judge":
            if parts.contains("valid") { validComplaints += n }
        default:
            break
        }
    }

    /// Steps of the period grouped by department, action and outcome, as the report reads them.
    public struct Group: Sendable, Equatable {
        public var department: String?
        public var action: String
        public var outcome: String
        public var times: Int
        public var orders: Int

        public init(department: String?, action: String, outcome: String, times: Int, orders: Int) {
            (self.department, self.action, self.outcome, self.times, self.orders) = (department, action, outcome, times, orders)
        }
    }

    /// The figures per department and for the center: a department "received" the orders
    /// dispatched to it; the center the orders taken in.
    public static func tally(_ groups: [Group]) -> (byDepartment: [String: WorkOrderFigures], total: WorkOrderFigures) {
        var rows: [String: WorkOrderFigures] = [:]
        var total = WorkOrderFigures()
        for g in groups {
            if let d = g.department {
                rows[d, default: .init()].count(action: g.action, outcome: g.outcome, times: g.times, orders: g.orders)
            }
            total.count(action: g.action, outcome: g.outcome, times: g.times, orders: 0)
        }
        return (rows, total)
    }

    /// The report's columns in order: counts, then the rates (nil: nothing to divide by).
    public var columns: [Double?] {
        [
            Double(received), Double(dispatched), Double(signedInTime), Double(returned), Double(replied), Double(repliedInTime),
            Double(callBacks), Double(solved), Double(satisfied), Double(reopened), Double(validComplaints), responseRate,
            replyOnTimeRate, solvedRate, satisfactionRate,
        ]
    }

    /// The names of `columns`, as message keys end (`workOrder.report.<name>`).
    public static let columnNames = [
        "received", "dispatched", "signedInTime", "returned", "replied", "repliedInTime", "callBacks", "solved", "satisfied",
        "reopened", "validComplaints", "responseRate", "replyOnTimeRate", "solvedRate", "satisfactionRate",
    ]

    /// How many of `columns` are rates (the last ones).
    public static let rateColumns = 4
}
