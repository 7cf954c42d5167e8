/// 工单 — complaints, consultations and the 12345-style hotline (DOMAIN.md §7, issue 20).
///
/// An order is taken in (by a hotline operator, from the public web form, at the hall, from a
/// letter, from a brand's supervision hotline or over Open311), dispatched to one lead department
/// (with optional co-departments), signed for (签收) within its limit or returned (退单) with a
/// reason, handled, replied to, and called back (回访); a dissatisfied or unsolved call-back reopens
/// it (重办) to the same department. A consultation answered on the call is closed at once
/// (直接答复). Duplicates are merged (并单) and share one handling.

/// The kind of an order.
public enum WorkOrderKind: String, CaseIterable, Sendable, Codable {
    /// 咨询
    case consultation
    /// 投诉
    case complaint
    /// 建议
    case suggestion
    /// 求助
    case help
    /// 举报 — the caller's identity is always confidential.
    case report
    /// 表扬
    case praise

    /// Kinds whose caller must leave a phone number, because the answer is owed to them.
    public var needsReply: Bool { self == .consultation || self == .complaint || self == .help }
}

/// Where an order came in.
public enum WorkOrderChannel: String, CaseIterable, Sendable, Codable {
    /// Entered by a hotline operator during a call.
    case phone
    /// The public web form (no sign-in).
    case web
    /// Entered by staff for a visitor at the hall.
    case walkIn = "walk_in"
    /// A letter or the hall's mailbox.
    case mailbox
    /// A service brand's supervision hotline (the brand is named on the order).
    case brandHotline = "brand_hotline"
    /// An Open311 GeoReport v2 request.
    case open311

    /// Channels only staff may enter (the public form and Open311 have their own doors).
    public var staffEntered: Bool { self == .phone || self == .walkIn || self == .mailbox || self == .brandHotline }
}

/// How soon an order must be handled.
public enum WorkOrderUrgency: String, CaseIterable, Sendable, Codable {
    /// 紧急
    case emergency
    /// 加急
    case urgent
    /// 一般
    case general
    /// 复杂
    case complex
}

/// Where an order stands.
public enum WorkOrderState: String, CaseIterable, Sendable, Codable {
    /// 待派单: taken in, not yet sent to a department.
    case received
    /// 待签收: sent to a department, which must sign for it or return it.
    case dispatched
    /// 退单待审: the department returned it; dispatch re-dispatches or overrules.
    case returned
    /// 办理中: signed for (or reopened).
    case handling
    /// 待回访: the department has replied.
    case replied
    /// 已办结
    case closed
    /// 已并单: merged into another order, whose handling it shares.
    case merged

    public var isOpen: Bool { self != .closed }
}

/// The caller's satisfaction at the call-back.
public enum WorkOrderSatisfaction: String, CaseIterable, Sendable, Codable {
    /// 满意
    case satisfied
    /// 基本满意
    case basically
    /// 不满意
    case dissatisfied

    public var counts: Bool { self != .dissatisfied }
}

/// What an order's flow knows of it.
public struct WorkOrderFlow: Sendable, Equatable {
    public var state: WorkOrderState
    public var kind: WorkOrderKind
    /// A phone number to call back on.
    public var reachable: Bool
    /// The order is merged into another (its handling is the other's).
    public var mergedInto: Bool
    public var judged: Bool

    public init(state: WorkOrderState, kind: WorkOrderKind, reachable: Bool, mergedInto: Bool = false, judged: Bool = false) {
        self.state = state
        self.kind = kind
        self.reachable = reachable
        self.mergedInto = mergedInto
        self.judged = judged
    }

    public enum Step: String, Sendable, CaseIterable {
        case dispatch
        case sign
        case giveBack = "return"
        case reply
        case callBack = "call_back"
        case reopen
        case merge
        case extend
        case judge
        case answer
    }

    /// Why a step cannot be taken now (a message key), or nil when it can.
    public func refusal(_ step: Step) -> String? {
        if mergedInto, step != .callBack, step != .judge { return "workOrder.mergedAway" }
        switch step {
        case .dispatch:
            if state != .received && state != .returned { return "workOrder.notAwaitingDispatch" }
        case .sign, .giveBack:
            if state != .dispatched { return "workOrder.notAwaitingSignature" }
        case .reply:
            if state != .handling { return "workOrder.notHandling" }
        case .callBack:
            if state != .replied { return "workOrder.notReplied" }
            if !reachable { return "workOrder.noContact" }
        case .reopen:
            if state != .replied && state != .closed { return "workOrder.notReopenable" }
        case .merge:
            if state == .closed || state == .merged { return "workOrder.notMergeable" }
        case .extend:
            if state != .dispatched && state != .handling { return "workOrder.notRunning" }
        case .judge:
            if kind != .complaint { return "workOrder.notComplaint" }
            if state != .replied && state != .closed { return "workOrder.notReplied" }
            if judged { return "workOrder.judgedAlready" }
        case .answer:
            if kind != .consultation { return "workOrder.notConsultation" }
            if state != .received { return "workOrder.notAwaitingDispatch" }
        }
        return nil
    }

    /// Where a reply leaves an order: waiting for the call-back, or closed when there is no one to
    /// call (an anonymous suggestion, report or praise).
    public var afterReply: WorkOrderState { reachable ? .replied : .closed }

    /// Where a call-back leaves an order: closed, or reopened to the same department when the caller
    /// is dissatisfied or the problem is not solved.
    public static func afterCallBack(reached: Bool, satisfaction: WorkOrderSatisfaction?, solved: Bool?) -> WorkOrderState {
        guard reached, let satisfaction, let solved else { return .replied }
        return satisfaction == .dissatisfied || !solved ? .handling : .closed
    }
}

/// 接诉即办's three rates for a department and period (DOMAIN.md §7); nil when there is nothing to
/// divide by.
public struct WorkOrderFigures: Sendable, Equatable, Codable {
    public var received = 0
    /// Orders dispatched to the department (each dispatch counts), and those it signed within the
    /// limit.
    public var dispatched = 0
    public var signedInTime = 0
    public var returned = 0
    /// Replies, and those within the handling limit.
    public var replied = 0
    public var repliedInTime = 0
    /// Call-backs that reached the caller, those solved and those satisfied or basically satisfied.
    public var callBacks = 0
    public var solved = 0
    public var satisfied = 0
    public var reopened = 0
    public var validComplaints = 0

    public init() {}

    /// 响应率: signed within the limit ÷ dispatched.
    public var responseRate: Double? { dispatched == 0 ? nil : Double(signedInTime) / Double(dispatched) }
    /// 解决率: call-backs "solved" ÷ call-backs.
    public var solvedRate: Double? { callBacks == 0 ? nil : Double(solved) / Double(callBacks) }
    /// 满意率: call-backs "satisfied" + "basically satisfied" ÷ call-backs.
    public var satisfactionRate: Double? { callBacks == 0 ? nil : Double(satisfied) / Double(callBacks) }
    /// Replied within the limit ÷ replied.
    public var replyOnTimeRate: Double? { replied == 0 ? nil : Double(repliedInTime) / Double(replied) }

    public static func + (a: WorkOrderFigures, b: WorkOrderFigures) -> WorkOrderFigures {
        var s = a
        s.received += b.received
        s.dispatched += b.dispatched
        s.signedInTime += b.signedInTime
        s.returned += b.returned
        s.replied += b.replied
        s.repliedInTime += b.repliedInTime
        s.callBacks += b.callBacks
        s.solved += b.solved
        s.satisfied += b.satisfied
        s.reopened += b.reopened
        s.validComplaints += b.validComplaints
        return s
    }
}
