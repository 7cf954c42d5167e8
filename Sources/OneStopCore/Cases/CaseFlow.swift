/// 办件 — where a case is in its procedure (DOMAIN.md §4), and the one table of the moves allowed
/// between those places. Every move not in the table is refused with the reason it is refused.
public enum CaseState: String, Codable, Sendable, CaseIterable {
    /// 已提交: received (online or at the window), not yet accepted (网上预审 / 窗口收件).
    case submitted
    /// 待补正: a 补正材料通知书 was issued before acceptance; the time limit has not started.
    case supplementRequested = "supplement_requested"
    /// 已受理: the 受理通知书 was issued; the clock runs (not for 即办件).
    case accepted
    /// 审查中
    case underReview = "under_review"
    /// 审查中补正: materials asked for during review; the clock is stopped.
    case reviewSupplement = "review_supplement"
    /// 特殊程序: hearing, inspection, testing, appraisal, expert review; the clock is stopped.
    case suspended
    /// 已上报: preliminary review done, forwarded to the upper level, whose result is awaited.
    case forwarded
    /// 准予 (批准决定书)
    case approved
    /// 不予批准 (不予批准决定书)
    case notApproved = "not_approved"
    /// 已送达 / 办结 (送达回执)
    case delivered
    /// 不予受理 (不予受理通知书)
    case refused
    /// 已撤回
    case withdrawn
    /// 异常终止
    case terminated

    /// Nothing more happens to a case in these states.
    public var isClosed: Bool { [.delivered, .refused, .withdrawn, .terminated].contains(self) }
    public var isDecided: Bool { self == .approved || self == .notApproved }
    /// Before acceptance: the time limit has not started.
    public var isBeforeAcceptance: Bool { self == .submitted || self == .supplementRequested }
    /// The clock is stopped (a supplement awaited during review, or a special procedure).
    public var clockStopped: Bool { self == .reviewSupplement || self == .suspended }

    public var messageKey: String { "case.state." + rawValue }
}

public enum CaseAction: String, Codable, Sendable, CaseIterable {
    case accept
    case requestSupplement = "request_supplement"
    case supplyMaterials = "supply_materials"
    case refuse
    case startReview = "start_review"
    case suspend
    case resume
    case extend
    case forward
    case approve
    case disapprove
    case deliver
    case withdraw
    case terminate

    public var messageKey: String { "case.action." + rawValue }
    /// The actions that must say why (DOMAIN.md §4 and §5: a refusal without a reason is an anomaly).
    public var needsReason: Bool { [.refuse, .suspend, .extend, .disapprove, .withdraw, .terminate].contains(self) }
}

public enum CaseFlow {
    /// The transition table: from a state, by an action, to a state. `extend` keeps the state.
    public static let table: [CaseState: [CaseAction: CaseState]] = [
        .submitted: [
            .accept: .accepted, .requestSupplement: .supplementRequested, .refuse: .refused, .withdraw: .withdrawn,
            .terminate: .terminated,
        ],
        .supplementRequested: [
            .supplyMaterials: .submitted, .refuse: .refused, .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .accepted: [
            .startReview: .underReview, .approve: .approved, .disapprove: .notApproved, .extend: .accepted,
            .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .underReview: [
            .requestSupplement: .reviewSupplement, .suspend: .suspended, .extend: .underReview, .forward: .forwarded,
            .approve: .approved, .disapprove: .notApproved, .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .reviewSupplement: [
            .supplyMaterials: .underReview, .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .suspended: [
            .resume: .underReview, .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .forwarded: [
            .approve: .approved, .disapprove: .notApproved, .extend: .forwarded, .withdraw: .withdrawn, .terminate: .terminated,
        ],
        .approved: [.deliver: .delivered],
        .notApproved: [.deliver: .delivered],
        .delivered: [:],
        .refused: [:],
        .withdrawn: [:],
        .terminated: [:],
    ]

    /// What a case knows that the table alone does not.
    public struct Facts: Sendable {
        public var caseType: CaseType
        /// A 补正材料通知书 was issued before acceptance already (补正 is told once, in full).
        public var supplementRequestedBefore: Bool
        /// The 5 working days to ask for supplements have passed since the materials were
        /// received: the application counts as accepted on the day received.
        public var supplementWindowPassed: Bool
        /// Co-department tasks of a 联办件 still open.
        public var openTasks: Int
        /// The one moving accepted the case, and the center separates acceptance from decision
        /// for its type (`DutySeparation`).
        public var decidedByAcceptor: Bool

        public init(
            caseType: CaseType, supplementRequestedBefore: Bool = false, supplementWindowPassed: Bool = false, openTasks: Int = 0,
            decidedByAcceptor: Bool = false
        ) {
            self.decidedByAcceptor = decidedByAcceptor
            self.caseType = caseType
            self.supplementRequestedBefore = supplementRequestedBefore
            self.supplementWindowPassed = supplementWindowPassed
            self.openTasks = openTasks
        }
    }

    /// Why a move is refused: a message key of the user's language and its arguments.
    public struct Refusal: Error, Sendable, Equatable {
        public let key: String
        public let arguments: [String: String]

        public init(_ key: String, _ arguments: [String: String] = [:]) {
            self.key = key
            self.arguments = arguments
        }
    }

    /// The state an action leads to, or why it may not be taken now.
    public static func next(from state: CaseState, by action: CaseAction, facts: Facts) -> Result<CaseState, Refusal> {
        guard let to = table[state]?[action] else { return .failure(explain(state, action)) }
        switch action {
        case .requestSupplement where state == .submitted:
            if facts.supplementRequestedBefore { return .failure(Refusal("case.refused.supplementOnce")) }
            if facts.supplementWindowPassed { return .failure(Refusal("case.refused.supplementTooLate")) }
        case .forward where facts.caseType != .reported:
            return .failure(Refusal("case.refused.forwardOnlyReported"))
        case .approve, .disapprove:
            if state == .accepted, facts.caseType != .immediate { return .failure(Refusal("case.refused.reviewFirst")) }
            if state == .underReview, facts.caseType == .reported { return .failure(Refusal("case.refused.reportedAwaitsUpper")) }
            if facts.openTasks > 0 { return .failure(Refusal("case.refused.openTasks", ["count": String(facts.openTasks)])) }
            if facts.decidedByAcceptor { return .failure(Refusal("case.refused.sameAsAcceptor")) }
        case .extend, .suspend:
            if facts.caseType == .immediate { return .failure(Refusal("case.refused.immediateNotTimed")) }
        case .startReview where facts.caseType == .immediate:
            return .failure(Refusal("case.refused.immediateDecideNow"))
        default: break
        }
        return .success(to)
    }

    /// The reason an action is not in the table for a state, said in terms of the procedure.
    static func explain(_ state: CaseState, _ action: CaseAction) -> Refusal {
        let args = ["state": state.messageKey, "action": action.messageKey]
        if state.isClosed { return Refusal("case.refused.closed", args) }
        if state.isDecided { return Refusal("case.refused.decided", args) }
        if state.isBeforeAcceptance, [.startReview, .suspend, .resume, .extend, .forward, .approve, .disapprove, .deliver].contains(action)
        {
            return Refusal("case.refused.notAccepted", args)
        }
        if state == .supplementRequested || state == .reviewSupplement {
            return Refusal("case.refused.awaitingSupplement", args)
        }
        if state == .suspended { return Refusal("case.refused.suspended", args) }
        if [.accept, .refuse].contains(action) { return Refusal("case.refused.alreadyAccepted", args) }
        if action == .deliver { return Refusal("case.refused.notDecided", args) }
        return Refusal("case.refused.notNow", args)
    }
}

/// 首席代表的四项授权 (DOMAIN.md §1): what a department's chief representative may do for one item.
public struct ChiefAuthorisations: Codable, Sendable, Equatable {
    /// 即办件审批权: decide on-the-spot cases.
    public var approveOnSpot: Bool
    /// 上报件初审权: review reported cases and forward them upward.
    public var reviewUpward: Bool
    /// 承诺件督办权: supervise promised cases — decide them and extend their time limit.
    public var supervise: Bool
    /// 并联件协调权: coordinate joint cases.
    public var coordinate: Bool

    /// A chief representative holds all four unless the center restricts them for an item.
    public static let full = ChiefAuthorisations(approveOnSpot: true, reviewUpward: true, supervise: true, coordinate: true)

    public init(approveOnSpot: Bool, reviewUpward: Bool, supervise: Bool, coordinate: Bool) {
        self.approveOnSpot = approveOnSpot
        self.reviewUpward = reviewUpward
        self.supervise = supervise
        self.coordinate = coordinate
    }

    /// Whether these authorisations cover a move on a case of the type; nil when the move needs none.
    public func covers(_ action: CaseAction, caseType: CaseType) -> Bool? {
        switch action {
        case .approve, .disapprove:
            switch caseType {
            case .immediate: approveOnSpot
            case .promised: supervise
            case .reported: reviewUpward
            case .joint: coordinate
            }
        case .forward: reviewUpward
        case .extend: caseType == .joint ? coordinate : supervise
        default: nil
        }
    }

    /// The message key of the authorisation a move needs.
    public static func key(for action: CaseAction, caseType: CaseType) -> String {
        switch (action, caseType) {
        case (.approve, .immediate), (.disapprove, .immediate): "authorisation.approveOnSpot"
        case (.forward, _), (.approve, .reported), (.disapprove, .reported): "authorisation.reviewUpward"
        case (_, .joint): "authorisation.coordinate"
        default: "authorisation.supervise"
        }
    }
}

/// Whether the one who accepted a case may also decide it (受理与审批相分离): the center's choice,
/// for 承诺件 by default. 即办件 are accepted and decided on the spot by one clerk whatever it is.
public enum DutySeparation: String, CaseIterable, Sendable, Codable {
    case off
    /// 承诺件 only.
    case promised
    /// Every timed case: 承诺件, 上报件 and 联办件.
    case timed

    public func applies(to type: CaseType) -> Bool {
        switch self {
        case .off: false
        case .promised: type == .promised
        case .timed: type != .immediate
        }
    }
}
